"""Speed and memory of the CRM world: org build, snapshot/restore, tool latency through `MockCrmApi.call`, memory.

Run ``python benchmarks/bench_world.py`` (all profiles) or ``--profile arc``; it prints a table and writes
``benchmarks/results/world.json``. A profile whose generator is not there yet, or a tool that is not
registered yet, is skipped and the output says so.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import re
import resource
import sqlite3
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crm_gym import MockCrmApi, World
from crm_gym.world.generate import build_org
from crm_gym.world.schema import list_profiles

RESULTS = Path(__file__).resolve().parent / "results" / "world.json"
LATENCY_TOOLS = ("get", "query", "create", "search")


def _median_ms(run: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def _percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def _max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _measure_build(profile: str, scale: str, repeats: int) -> tuple[World, dict[str, Any]]:
    """Cold builds (a new seed each time, so no cached pristine copy is reused) and their memory."""
    rss_before = _max_rss_mib()
    start = time.perf_counter()
    world = build_org(profile, seed=0, scale=scale)
    times = [time.perf_counter() - start]
    rss_delta = _max_rss_mib() - rss_before
    for seed in range(2, repeats + 1):
        start = time.perf_counter()
        build_org(profile, seed=seed, scale=scale)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    build_org(profile, seed=0, scale=scale)
    cached_copy = time.perf_counter() - start
    gc.collect()
    tracemalloc.start()
    build_org(profile, seed=1, scale=scale)  # seed 1 is built only here, so this build is cold too
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return world, {
        "build_s_median": statistics.median(times),
        "build_s_all": times,
        "build_cached_copy_ms": cached_copy * 1e3,
        "rows": world.count(),
        "rows_by_object": {name: world.count(name) for name in world.schema.objects},
        "snapshot_mib": len(world.snapshot()) / 2**20,
        "python_peak_mib_during_build": traced_peak / 2**20,
        "max_rss_delta_mib_first_build": rss_delta,
    }


def _measure_state(world: World, repeats: int) -> dict[str, float]:
    snap = world.snapshot()
    return {
        "snapshot_ms_median": _median_ms(world.snapshot, repeats),
        "restore_ms_median": _median_ms(lambda: world.restore(snap), repeats),
        "copy_ms_median": _median_ms(world.copy, repeats),
        "state_hash_ms_median": _median_ms(world.state_hash, max(5, repeats // 20)),
    }


def _sample_object(world: World) -> tuple[str, list[dict[str, Any]]]:
    """The first object (in schema order) that has rows and a search field: the target of every latency call."""
    for name, obj in world.schema.objects.items():
        rows = world.rows(name)
        if rows and obj.search_fields:
            return name, rows
    raise SystemExit("The org has no rows to benchmark against.")


def _create_values(world: World, object_name: str, template: dict[str, Any], i: int) -> dict[str, Any]:
    """An existing record's writable values, with unique fields made unique, for ``create``."""
    obj = world.schema.objects[object_name]
    values = {k: template[k] for k in obj.writable_fields if template.get(k) is not None}
    for name, spec in obj.writable_fields.items():
        if spec.unique and name in values:
            values[name] = f"bench{i}@example.com" if spec.type == "email" else f"bench-{i}"
    return values


def _latency_args(world: World, calls: int) -> dict[str, Callable[[int], dict[str, Any]]]:
    object_name, rows = _sample_object(world)
    obj = world.schema.objects[object_name]
    ids = [r[obj.primary_key] for r in rows]
    words = [w for r in rows for w in re.findall(r"[A-Za-z]{4,}", str(r.get(obj.search_fields[0]) or ""))] or ["a"]
    return {
        "get": lambda i: {"object": object_name, "id": ids[i % len(ids)]},
        "query": lambda i: {"sql": f"SELECT * FROM {object_name} WHERE {obj.primary_key} = '{ids[i % len(ids)]}'"},
        "create": lambda i: {
            "object": object_name,
            "values": _create_values(world, object_name, rows[i % len(rows)], i),
        },
        "search": lambda i: {"text": words[i % len(words)]},
    }


def _measure_latency(world: World, calls: int) -> tuple[dict[str, Any], list[str]]:
    snap = world.snapshot()
    api = MockCrmApi(world)
    results, skipped = {}, []
    for tool, make_args in _latency_args(world, calls).items():
        if tool not in api.tools:
            skipped.append(f"tool {tool!r} is not registered")
            continue
        argument_sets = [make_args(i) for i in range(calls)]
        for args in argument_sets[: min(50, calls)]:  # warm caches (argument models, query plans)
            api.call(tool, args)
        world.restore(snap)
        times = []
        for args in argument_sets:
            start = time.perf_counter_ns()
            api.call(tool, args)
            times.append((time.perf_counter_ns() - start) / 1e3)
        world.restore(snap)
        times.sort()
        results[tool] = {
            "p50_us": _percentile(times, 0.50),
            "p99_us": _percentile(times, 0.99),
            "mean_us": statistics.fmean(times),
            "calls": calls,
        }
    return results, skipped


def bench_profile(profile: str, scale: str, build_repeats: int, state_repeats: int, calls: int) -> dict[str, Any]:
    """Every measurement for one profile, or the reason it was skipped."""
    try:
        importlib.import_module(f"crm_gym.world.generate.{profile}")
    except ModuleNotFoundError:
        return {"skipped": f"no generator for profile {profile!r} yet (crm_gym/world/generate/{profile}.py)"}
    world, build = _measure_build(profile, scale, build_repeats)
    latency, skipped = _measure_latency(world, calls)
    return {"scale": scale, **build, **_measure_state(world, state_repeats), "latency": latency, "skipped": skipped}


def _print_table(results: dict[str, Any]) -> None:
    rows = [
        ("build (median, cold)", "build_s_median", "{:.2f} s"),
        ("build (cached copy)", "build_cached_copy_ms", "{:.2f} ms"),
        ("rows", "rows", "{:,}"),
        ("snapshot size", "snapshot_mib", "{:.1f} MiB"),
        ("python peak during build", "python_peak_mib_during_build", "{:.1f} MiB"),
        ("max RSS delta, first build", "max_rss_delta_mib_first_build", "{:.1f} MiB"),
        ("snapshot (median)", "snapshot_ms_median", "{:.3f} ms"),
        ("restore (median)", "restore_ms_median", "{:.3f} ms"),
        ("copy (median)", "copy_ms_median", "{:.3f} ms"),
        ("state_hash (median)", "state_hash_ms_median", "{:.1f} ms"),
    ]
    for profile, result in results.items():
        print(f"\n== {profile} ==")
        if isinstance(result.get("skipped"), str):
            print(f"skipped: {result['skipped']}")
            continue
        for label, key, fmt in rows:
            print(f"{label:<30}{fmt.format(result[key]):>16}")
        for tool, lat in result["latency"].items():
            print(f"{tool + ' p50 / p99':<30}{lat['p50_us']:>9.0f} µs / {lat['p99_us']:.0f} µs")
        for reason in result["skipped"]:
            print(f"skipped: {reason}")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the benchmarks, print a table and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="append", choices=list_profiles(), help="repeatable; default: all")
    parser.add_argument("--scale", default="default", help="org scale: tiny, small, default, large")
    parser.add_argument("--build-repeats", type=int, default=3, help="cold builds per profile (new seed each)")
    parser.add_argument("--state-repeats", type=int, default=200, help="snapshot/restore repetitions")
    parser.add_argument("--calls", type=int, default=1000, help="calls per tool for the latency figures")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    results = {
        profile: bench_profile(profile, args.scale, args.build_repeats, args.state_repeats, args.calls)
        for profile in args.profile or list_profiles()
    }
    _print_table(results)
    report = {
        "machine": {
            "python": sys.version.split()[0],
            "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "profiles": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
