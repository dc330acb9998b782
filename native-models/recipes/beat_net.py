"""
Recipe: the shipped beat network (assets/models/beat-net/). Numbers chosen for about an hour on one CPU thread of
the 2-core build machine; resumable (run the same command again).

    nice -n 10 /usr/bin/python3 -m musedance_models.beatnet.corpus --out runs/beatnet/corpus --count 480
    npx tsx scripts/beat-features.ts native-models/runs/beatnet/corpus        # from the repository root
    nice -n 10 /usr/bin/python3 recipes/beat_net.py train
    /usr/bin/python3 recipes/beat_net.py export                                # -> assets/models/beat-net + golden vectors
    /usr/bin/python3 recipes/beat_net.py eval                                  # held-out figures (RESULTS.md)
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from musedance_models.beatnet.train import TrainSpec, run  # noqa: E402

CORPUS = HERE.parent / 'runs' / 'beatnet' / 'corpus'
RUN = HERE.parent / 'runs' / 'beatnet' / 'tcn'
REPO = HERE.parent.parent

SPEC = TrainSpec(corpus=str(CORPUS), run_dir=str(RUN), steps=1700, batch=8, crop_frames=600, lr=2e-3, lr_final=1e-4,
                 pos_weight_beat=4.0, pos_weight_downbeat=10.0, gain_db=12.0, eval_every=250, checkpoint_every=100)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('what', choices=['train', 'export', 'eval'])
    ap.add_argument('--run', type=Path, default=RUN)
    ap.add_argument('--corpus', type=Path, default=CORPUS)
    ap.add_argument('--steps', type=int, default=SPEC.steps)
    args = ap.parse_args()
    if args.what == 'train':
        spec = TrainSpec(**{**SPEC.__dict__, 'run_dir': str(args.run), 'corpus': str(args.corpus), 'steps': args.steps})
        run(spec)
    elif args.what == 'export':
        from musedance_models.beatnet.export import export_shipped
        print(json.dumps(export_shipped(args.run, args.corpus, REPO)))
    else:
        from musedance_models.beatnet.export import evaluate_held_out
        print(json.dumps(evaluate_held_out(args.run / 'checkpoint.pt', args.corpus)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
