"""Speed and memory of `CrmArenaEnv`: reset latency under drift and rot, steps/s, memory per env, vector workers.

Run ``python benchmarks/bench_env.py`` (both suites) or ``--suite crmarena_pro``; it prints a table and writes
``benchmarks/results/env.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sqlite3
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import gymnasium as gym

from crm_gym.envs.crm_arena import CrmArenaEnv

RESULTS = Path(__file__).resolve().parent / "results" / "env.json"
SUITES = ("crmarena_pro", "arc")
LEVELS = ("none", "low", "medium", "high")


def _percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def _rss_mib() -> float:
    """The current resident set size (Linux ``/proc``), in MiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _make_env(suite: str) -> CrmArenaEnv:
    return CrmArenaEnv(suite=suite, split="test")


def _measure_resets(env: CrmArenaEnv, resets: int) -> dict[str, Any]:
    """Reset latency per (drift, rot) pair; every reset has a seed of its own, so a new task, map and distractors."""
    results = {}
    for pair, (drift, rot) in enumerate((d, r) for d in LEVELS for r in LEVELS):
        options = {"drift_level": drift, "rot_level": rot}
        env.reset(seed=10**6 + pair, options=options)  # warm: the org's pristine copy, the API's first queries
        times = []
        for i in range(resets):
            start = time.perf_counter()
            env.reset(seed=pair * resets + i, options=options)
            times.append((time.perf_counter() - start) * 1e3)
        times.sort()
        results[f"drift={drift},rot={rot}"] = {
            "p50_ms": _percentile(times, 0.50),
            "p99_ms": _percentile(times, 0.99),
            "mean_ms": statistics.fmean(times),
            "resets": resets,
        }
    return results


class _ToolClock:
    """Time spent inside tool execution (the org's own work: SQL, search), to tell it from the env's overhead."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, env: CrmArenaEnv) -> None:
        api = env._api  # noqa: SLF001 - the benchmark times the API the env built for this episode
        execute = api.execute

        def timed(name: str, args: Any = None) -> Any:
            start = time.perf_counter()
            try:
                return execute(name, args)
            finally:
                self.seconds += time.perf_counter() - start

        api.execute = timed


def _measure_policy(env: CrmArenaEnv, policy: str, steps: int, drift: str, rot: str) -> dict[str, Any]:
    """Steps/s of one policy: ``step`` time only, with the resets between episodes, and without tool execution."""
    options = {"drift_level": drift, "rot_level": rot}
    step_time = reset_time = 0.0
    done_steps = episodes = 0
    seed = 0
    clock = _ToolClock()
    while done_steps < steps:
        start = time.perf_counter()
        env.reset(seed=seed, options=options)
        reset_time += time.perf_counter() - start
        clock.wrap(env)
        seed += 1
        episodes += 1
        planned = env.oracle_actions() if policy == "oracle" else None
        finished = False
        while not finished and done_steps < steps:
            action = planned.pop(0) if planned else env.action_space.sample()
            start = time.perf_counter()
            _, _, terminated, truncated, _ = env.step(action)
            step_time += time.perf_counter() - start
            done_steps += 1
            finished = terminated or truncated or (planned is not None and not planned)
    return {
        "drift": drift,
        "rot": rot,
        "steps": done_steps,
        "episodes": episodes,
        "steps_per_s": done_steps / step_time,
        "steps_per_s_with_resets": done_steps / (step_time + reset_time),
        "mean_step_ms": step_time / done_steps * 1e3,
        "mean_tool_ms": clock.seconds / done_steps * 1e3,
        "env_overhead_steps_per_s": done_steps / max(step_time - clock.seconds, 1e-9),
    }


def _measure_memory(suite: str, episodes: int) -> dict[str, Any]:
    """Memory of one more env (its suite already loaded in the process) and of running episodes on it."""
    gc.collect()
    rss_before = _rss_mib()
    tracemalloc.start()
    env = _make_env(suite)
    after_build, _ = tracemalloc.get_traced_memory()
    rss_built = _rss_mib()
    for seed in range(episodes):
        env.reset(seed=seed, options={"drift_level": "high", "rot_level": "high"})
        for _ in range(5):
            if env.step(env.action_space.sample())[2]:
                break
    gc.collect()
    after_episodes, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rss_delta_construct_mib": rss_built - rss_before,
        "rss_delta_after_episodes_mib": _rss_mib() - rss_before,
        "python_traced_construct_mib": after_build / 2**20,
        "python_traced_after_episodes_mib": after_episodes / 2**20,
        "python_traced_peak_mib": peak / 2**20,
        "episodes": episodes,
    }


def _measure_vector(suite: str, workers: int, steps: int) -> dict[str, Any]:
    """Random-policy throughput of `AsyncVectorEnv` with ``workers`` processes (construction excluded)."""
    vec = gym.vector.AsyncVectorEnv([lambda: _make_env(suite)] * workers, shared_memory=False)
    try:
        vec.reset(seed=0)
        vec.step(vec.action_space.sample())  # warm the workers
        rounds = max(1, steps // workers)
        start = time.perf_counter()
        for _ in range(rounds):
            vec.step(vec.action_space.sample())  # autoreset: finished sub-envs reset on their next step
        elapsed = time.perf_counter() - start
    finally:
        vec.close()
    return {"workers": workers, "steps": rounds * workers, "steps_per_s": rounds * workers / elapsed}


def bench_suite(suite: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement for one suite."""
    start = time.perf_counter()
    env = _make_env(suite)
    construct_s = time.perf_counter() - start
    env.action_space.seed(0)
    result: dict[str, Any] = {"tasks": len(env.tasks), "construct_first_s": construct_s}
    result["reset"] = _measure_resets(env, args.resets)
    result["policies"] = {
        f"{policy},drift={drift},rot={rot}": _measure_policy(env, policy, args.steps, drift, rot)
        for policy in ("oracle", "random")
        for drift, rot in (("none", "none"), ("high", "high"))
    }
    env.close()
    result["memory"] = _measure_memory(suite, args.memory_episodes)
    if args.vector_steps:
        result["vector"] = [_measure_vector(suite, n, args.vector_steps) for n in (1, 2)]
    return result


def _print_table(results: dict[str, Any]) -> None:
    for suite, result in results.items():
        print(f"\n== {suite} ({result['tasks']} tasks; first env built in {result['construct_first_s']:.1f} s) ==")
        print(f"{'reset':<28}{'p50 ms':>10}{'p99 ms':>10}")
        for name, lat in result["reset"].items():
            print(f"{name:<28}{lat['p50_ms']:>10.2f}{lat['p99_ms']:>10.2f}")
        print(f"\n{'policy':<34}{'steps/s':>10}{'with resets':>13}{'tool ms':>9}{'overhead steps/s':>18}")
        for name, pol in result["policies"].items():
            print(
                f"{name:<34}{pol['steps_per_s']:>10,.0f}{pol['steps_per_s_with_resets']:>13,.0f}"
                f"{pol['mean_tool_ms']:>9.2f}{pol['env_overhead_steps_per_s']:>18,.0f}"
            )
        mem = result["memory"]
        print(
            f"\nmemory per env: RSS +{mem['rss_delta_construct_mib']:.1f} MiB built, "
            f"+{mem['rss_delta_after_episodes_mib']:.1f} MiB after {mem['episodes']} episodes; Python objects "
            f"{mem['python_traced_construct_mib']:.1f} MiB built, peak {mem['python_traced_peak_mib']:.1f} MiB"
        )
        for vec in result.get("vector", []):
            print(f"AsyncVectorEnv, {vec['workers']} worker(s), random policy: {vec['steps_per_s']:,.0f} steps/s")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the benchmarks, print a table and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="append", choices=SUITES, help="repeatable; default: both")
    parser.add_argument("--resets", type=int, default=100, help="resets per (drift, rot) pair")
    parser.add_argument("--steps", type=int, default=2000, help="steps per policy figure")
    parser.add_argument("--memory-episodes", type=int, default=20, help="episodes run on the extra env")
    parser.add_argument("--vector-steps", type=int, default=1000, help="steps per vector figure; 0 skips it")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    results = {suite: bench_suite(suite, args) for suite in args.suite or SUITES}
    _print_table(results)
    report = {
        "machine": {
            "python": sys.version.split()[0],
            "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        },
        "suites": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
