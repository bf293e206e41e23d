"""How much of CRMArena-Pro the offline `BaselinePolicy` solves, and how fast it plays.

Run ``python benchmarks/bench_baseline.py``; it plays the whole test split (default org) with no drift and no rot,
then a per-category sample with drift "high" and with rot "high", prints a table and writes
``benchmarks/results/baseline.json``: functional share per category, mean total score and episodes per second.
One `CrmArenaEnv` plays every episode, reset with ``options={"task_id": ...}``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from crm_gym.agents.baseline import BaselinePolicy
from crm_gym.agents.baseline.play import play
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.tasks.model import Task

RESULTS = Path(__file__).resolve().parent / "results" / "baseline.json"


def _sample(tasks: list[Task], per_category: int) -> list[Task]:
    """The first ``per_category`` tasks of each category, in the split's order."""
    taken: dict[str, int] = defaultdict(int)
    chosen = []
    for task in tasks:
        if taken[task.category] < per_category:
            taken[task.category] += 1
            chosen.append(task)
    return chosen


def _run(env: CrmArenaEnv, tasks: list[Task], drift: str, rot: str, seed: int) -> dict[str, Any]:
    """Play every task once; per-category functional share, mean total score, steps and episodes per second."""
    policy = BaselinePolicy()
    functional: dict[str, list[float]] = defaultdict(list)
    totals, steps = [], []
    started = time.perf_counter()
    for task in tasks:
        episode = play(env, policy, seed, {"task_id": task.id, "drift_level": drift, "rot_level": rot}, False)
        functional[task.category].append(float(episode.info["functional"]))
        totals.append(float(episode.info["score"]["total"]))
        steps.append(len(episode.actions))
    seconds = time.perf_counter() - started
    every = [f for values in functional.values() for f in values]
    return {
        "drift_level": drift,
        "rot_level": rot,
        "episodes": len(every),
        "functional_share": sum(every) / len(every),
        "mean_total_score": statistics.fmean(totals),
        "mean_steps": statistics.fmean(steps),
        "episodes_per_second": len(every) / seconds,
        "seconds": seconds,
        "per_category": {
            category: {"episodes": len(values), "functional_share": sum(values) / len(values)}
            for category, values in sorted(functional.items())
        },
    }


def _print(name: str, result: dict[str, Any]) -> None:
    print(
        f"\n{name}: {result['episodes']} episodes, functional {result['functional_share']:.3f}, "
        f"mean total score {result['mean_total_score']:.1f}, {result['episodes_per_second']:.1f} episodes/s"
    )
    for category, row in result["per_category"].items():
        print(f"  {category:34s} {row['functional_share']:6.3f}  (n={row['episodes']})")


def main() -> None:
    """Run the three settings and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="default", help="Org scale (default: the suite's default org).")
    parser.add_argument("--sample", type=int, default=20, help="Tasks per category for the drift and rot runs.")
    parser.add_argument("--seed", type=int, default=0, help="Reset seed of every episode.")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    started = time.perf_counter()
    env = CrmArenaEnv(suite="crmarena_pro", split="test", org_scale=args.scale)
    setup_seconds = time.perf_counter() - started
    tasks = list(env.tasks.values())
    sample = _sample(tasks, args.sample)
    runs = {
        "full_test_split": _run(env, tasks, "none", "none", args.seed),
        "sample_drift_high": _run(env, sample, "high", "none", args.seed),
        "sample_rot_high": _run(env, sample, "none", "high", args.seed),
    }
    for name, result in runs.items():
        _print(name, result)
    report = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "suite": "crmarena_pro",
        "split": "test",
        "org_scale": args.scale,
        "env_setup_seconds": setup_seconds,
        "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
