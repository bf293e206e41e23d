"""Train sb3-contrib's MaskablePPO on `CrmArena-Menu-v0` (CPU) and compare it with random and fixed-rule baselines.

Run: ``pip install -e '.[train]'`` then ``python examples/train_maskable_ppo.py [TIMESTEPS] [SEEDS]``. Writes
docs/results/maskable_ppo_curve.png and docs/results/maskable_ppo.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from crm_gym.runner.train import summary, train_maskable_ppo

if __name__ == "__main__":
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 60_000
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    report = train_maskable_ppo(timesteps=steps, n_seeds=seeds, out_dir=Path("docs/results"))
    print(json.dumps(summary(report), indent=2))
