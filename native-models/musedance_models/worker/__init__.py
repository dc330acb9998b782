"""The training worker: `python -m musedance_models.worker` speaks JSON lines on stdio (../../PROTOCOL.md).

protocol.py  message envelope, command validation, error codes
server.py    the process: stdin reader, heartbeat, job thread, signals, state machine
jobs.py      what a job does: train / resume / sample / export, calling the training library
"""
