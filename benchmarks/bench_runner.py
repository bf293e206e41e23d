"""Evaluation runner overhead, throughput and memory.

1. Overhead: a fake LLM policy that waits a fixed latency per call (``asyncio.sleep``) and takes a fixed number
   of steps (describe calls, then an answer), ``--episodes`` episodes at ``--concurrency``, written to a run
   folder. Ideal time = episodes / concurrency x steps x latency; the ratio to it is the runner's overhead.
2. Throughput: the baseline policy (oracle if it is missing) over crmarena_pro and arc, episodes per second:
   a first pass at concurrency 1 (cold caches), then the same episodes again at concurrency 1 and 4 (warm).
3. Memory: RSS with ``--concurrency`` envs over the default crmarena_pro org (each env holds its own org).

Writes ``benchmarks/results/runner.json`` (parts skipped with ``--skip`` keep their previous figures).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crm_gym.agents.base import Policy, PolicyStep, Usage
from crm_gym.agents.registry import policy_factory
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.runner.evaluate import EvalConfig, arun_eval
from crm_gym.runner.plan import select_tasks

RESULTS = Path(__file__).parent / "results" / "runner.json"


class FixedLatencyPolicy(Policy):
    """A stand-in for an LLM: each call waits ``latency`` seconds; ``steps - 1`` describe calls, then answers."""

    kind = "fixed_latency"

    def __init__(self, latency: float, steps: int) -> None:
        self.latency, self.steps, self._taken = latency, steps, 0

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, "latency": self.latency, "steps": self.steps}

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        self._taken = 0

    async def aact(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        await asyncio.sleep(self.latency)
        self._taken += 1
        usage = Usage(input_tokens=1500, output_tokens=40)
        if self._taken < self.steps:
            return PolicyStep(action={"tool": "describe", "args": {"object": "Account"}}, usage=usage)
        return PolicyStep(action={"answer": "None"}, usage=usage)


def rss_mib() -> dict[str, float]:
    """Current and peak resident memory of this process (``/proc/self/status``)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return {name: int(fields[key].split()[0]) / 1024 for name, key in (("rss_mib", "VmRSS"), ("peak_mib", "VmHWM"))}


def overhead(episodes: int, concurrency: int, latency: float, steps: int, scale: str) -> dict[str, Any]:
    config = EvalConfig(
        policy="fixed_latency", suite="crmarena_pro", org_scale=scale, limit=episodes, concurrency=concurrency
    )
    select_tasks(config)  # the suite is loaded once per process: not the runner's cost
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        run = config.model_copy(update={"out_dir": Path(out)})
        records = asyncio.run(arun_eval(run, lambda env, seed: FixedLatencyPolicy(latency, steps)))
        seconds = time.perf_counter() - started
    assert len(records) == episodes and all(len(r.steps) == steps for r in records)
    ideal = episodes / concurrency * steps * latency
    return {
        "episodes": episodes,
        "concurrency": concurrency,
        "latency_s": latency,
        "steps_per_episode": steps,
        "org_scale": scale,
        "seconds": seconds,
        "ideal_seconds": ideal,
        "ratio": seconds / ideal,
        "infra_errors": sum(not r.scored for r in records),
        **rss_mib(),
    }


def throughput(suite: str, episodes: int, scale: str) -> list[dict[str, Any]]:
    """Baseline episodes per second: a first pass (cold: query translations not cached yet), then warm passes."""
    try:
        spec = "baseline"
        policy_factory(spec)
    except ImportError:
        spec = "oracle"
    config = EvalConfig(policy=spec, suite=suite, org_scale=scale, limit=episodes)
    select_tasks(config)
    figures = []
    for concurrency, cache in ((1, "cold"), (1, "warm"), (4, "warm")):
        started = time.perf_counter()
        records = asyncio.run(arun_eval(config.model_copy(update={"concurrency": concurrency})))
        seconds = time.perf_counter() - started
        figures.append(
            {
                "policy": spec,
                "suite": suite,
                "org_scale": scale,
                "episodes": len(records),
                "concurrency": concurrency,
                "caches": cache,
                "seconds": seconds,
                "episodes_per_s": len(records) / seconds,
                "steps_per_s": sum(len(r.steps) for r in records) / seconds,
                "passed": sum(bool(r.passed) for r in records) / len(records),
            }
        )
    return figures


def memory(concurrency: int) -> dict[str, Any]:
    """RSS added by ``concurrency - 1`` more envs over the default crmarena_pro org, one episode each (the first
    env, with the suite and the org's pristine snapshot, is the baseline)."""
    config = EvalConfig(policy="oracle", suite="crmarena_pro", limit=concurrency, concurrency=concurrency)
    tasks = select_tasks(config)
    envs = []
    samples: dict[int, float] = {}
    for i, task in enumerate(tasks, start=1):
        env = CrmArenaEnv(tasks=tasks, max_steps=config.max_steps)
        env.reset(seed=i, options={"task_id": task.id})
        envs.append(env)
        samples[i] = rss_mib()["rss_mib"]
    added = samples[len(tasks)] - samples[1]
    return {
        "envs": len(envs),
        "rss_mib_with_one_env": samples[1],
        "rss_mib_with_all_envs": samples[len(tasks)],
        "per_added_env_mib": added / max(len(tasks) - 1, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per fake LLM call")
    parser.add_argument("--steps", type=int, default=4, help="calls per episode (the last one answers)")
    parser.add_argument("--scale", default="small", help="crmarena_pro org scale of the overhead run")
    parser.add_argument("--throughput-episodes", type=int, default=300)
    parser.add_argument("--skip", nargs="*", default=[], choices=["overhead", "throughput", "memory"])
    parser.add_argument("--output", type=Path, default=RESULTS, help="updated in place: skipped parts are kept")
    args = parser.parse_args()

    results: dict[str, Any] = json.loads(args.output.read_text()) if args.output.is_file() else {}
    results |= {
        "machine": {
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "argv": sys.argv[1:],
    }
    parts = {
        "overhead": lambda: overhead(args.episodes, args.concurrency, args.latency, args.steps, args.scale),
        "throughput": lambda: [
            figure
            for suite in ("crmarena_pro", "arc")
            for figure in throughput(suite, args.throughput_episodes, args.scale)
        ],
        "memory": lambda: memory(args.concurrency),
    }
    for name, measure in parts.items():
        if name not in args.skip:
            results[name] = {"figures": measure(), "load_average_after": os.getloadavg()}
            print(name, json.dumps(results[name], indent=2))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
