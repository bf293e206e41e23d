"""Resident memory over a long run at high drift and high rot: the process must plateau, not grow per episode.

Plays ``--episodes`` episodes of ``CrmArena-v0`` in one process, each with a seed of its own (a new task, a new
drift map and new distractors, as in training), and samples the resident set size (``/proc/self/statm``) every
``--every`` episodes. Each episode plays the task's oracle solution (queries and writes under the episode's
drifted names) plus one search and one malformed call, so every cache of the query, search and drift layers is
used with episode-unique text.

    python benchmarks/bench_memory.py                          # 10,000 episodes, crmarena_pro default org
    python benchmarks/bench_memory.py --episodes 2000 --output benchmarks/results/memory.json
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sqlite3
import time
from pathlib import Path

from crm_gym.envs.crm_arena import CrmArenaEnv

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mib() -> float:
    """Resident set size of this process in MiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE / 2**20


def main() -> None:
    """Run the episodes and print RSS samples and the growth after the warm-up."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=500, help="episodes between two RSS samples")
    parser.add_argument("--suite", default="crmarena_pro")
    parser.add_argument("--scale", default="default", help="org scale of crmarena_pro")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    env = CrmArenaEnv(suite=args.suite, org_scale=args.scale, drift_level="high", rot_level="high", max_steps=50)
    samples = [{"episodes": 0, "rss_mib": round(rss_mib(), 1), "seconds": 0.0}]
    started = time.perf_counter()
    for episode in range(1, args.episodes + 1):
        _, info = env.reset(seed=episode)
        actions = env.oracle_actions()
        extra = [
            {"tool": "search", "args": {"text": f"renewal {episode}"}},
            {"tool": "query", "args": {"sql": "SELEKT"}},
        ]
        for action in [*extra, *actions]:
            if env.step(action)[2:4] != (False, False):
                break
        if episode % args.every == 0:
            gc.collect()
            samples.append(
                {
                    "episodes": episode,
                    "rss_mib": round(rss_mib(), 1),
                    "seconds": round(time.perf_counter() - started, 1),
                }
            )
            print(json.dumps(samples[-1]), flush=True)
    warm = samples[min(2, len(samples) - 1)]
    summary = {
        "episodes": args.episodes,
        "suite": args.suite,
        "scale": args.scale,
        "rss_after_warm_up_mib": warm["rss_mib"],
        "rss_at_end_mib": samples[-1]["rss_mib"],
        "growth_after_warm_up_mib": round(samples[-1]["rss_mib"] - warm["rss_mib"], 1),
        "machine": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version},
    }
    print(json.dumps(summary, indent=2))
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps({"summary": summary, "samples": samples}, indent=1))


if __name__ == "__main__":
    main()
