#!/bin/sh
# Trains (or resumes) the bundled musedance-tiny pack in the background; log: native-models/runs/tiny/train.log
cd "$(dirname "$0")/.." && mkdir -p runs/tiny && \
  OMP_NUM_THREADS=${MUSEDANCE_TRAIN_THREADS:-1} PYTHONPATH=. nohup /usr/bin/python3 recipes/tiny_pack.py train >> runs/tiny/train.log 2>&1 &
