"""Train sb3-contrib's MaskablePPO on `CrmArena-Menu-v0` (CPU, a few minutes) and compare it with random.

Run: ``pip install -e '.[train]'`` then ``python examples/train_maskable_ppo.py [TIMESTEPS]``. Writes
docs/results/maskable_ppo_curve.png and docs/results/maskable_ppo.json.
"""

import json
import sys
from pathlib import Path

from crm_gym.runner.train import summary, train_maskable_ppo

if __name__ == "__main__":
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    report = train_maskable_ppo(timesteps=steps, out_dir=Path("docs/results"))
    print(json.dumps(summary(report), indent=2))
