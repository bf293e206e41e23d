"""The worst step the hostile-input fuzzer finds, at the real budgets.

Draws SQL, search text, tool calls and whole actions from the strategies of the hostile test suite
(``tests/hostile/hostile_strategies.py``), runs each as one step on a crmarena_pro org with the configured
(real) work budget, and reports the slowest steps with their work counts and how they ended. Nothing may raise
out of a step; a step stopped by the wall-clock backstop is reported as a failure.

    python benchmarks/bench_hostile.py                     # 500 draws of each kind, small org
    python benchmarks/bench_hostile.py --draws 2000 --scale default --output benchmarks/results/hostile.json
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "hostile"))

from hostile_strategies import actions, search_texts, sql_queries, tool_arguments  # noqa: E402

from crm_gym import MockCrmApi, build_org  # noqa: E402
from crm_gym.api import budget  # noqa: E402
from crm_gym.api.registry import registered_tools  # noqa: E402
from crm_gym.envs.crm_arena import CrmArenaEnv  # noqa: E402
from crm_gym.errors import WallClockBackstopError  # noqa: E402

TOOLS = sorted(registered_tools())
ARGUMENTS = sorted({name for t in registered_tools().values() for name in t.args_model().model_fields})


class _Recorded(budget.WorkMeter):
    last: list[budget.WorkMeter] = []

    def __init__(self, work: budget.WorkBudget) -> None:
        super().__init__(work)
        _Recorded.last.append(self)


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + f"... ({len(text):,} characters)"


def run(kind: str, draws: int, step: Any, strategy: st.SearchStrategy[Any], draw_seed: int) -> list[dict[str, Any]]:
    """Time ``step`` on ``draws`` values of ``strategy``; one record per draw."""
    records: list[dict[str, Any]] = []

    @seed(draw_seed)
    @settings(max_examples=draws, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(value=strategy)
    def sample(value: Any) -> None:
        _Recorded.last.clear()
        started = time.perf_counter()
        outcome = "ok"
        try:
            outcome = step(value)
        except WallClockBackstopError:
            outcome = "BACKSTOP"
        seconds = time.perf_counter() - started
        meters = list(_Recorded.last)
        records.append(
            {
                "kind": kind,
                "seconds": seconds,
                "outcome": outcome,
                "steps": max((m.steps for m in meters), default=0),
                "temp_bytes": max((m.temp_bytes for m in meters), default=0),
                "stopped_by": next((m.stop_reason for m in meters if m.stop_reason), None),
                "input": _describe(value),
            }
        )

    sample()
    return records


def main() -> None:
    """Run the fuzzer and print (and optionally write) the slowest steps."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=500, help="draws of each kind (default 500)")
    parser.add_argument("--scale", default="small", help="crmarena_pro org scale: tiny, small, default (default small)")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed")
    parser.add_argument("--worst", type=int, default=10, help="slowest steps to print")
    parser.add_argument("--output", type=Path, help="write every record and the summary as JSON")
    args = parser.parse_args()
    budget.WorkMeter = _Recorded  # metered() looks the class up at call time

    org = build_org("crmarena_pro_b2b", seed=0, scale=args.scale)
    arc = build_org("arc", seed=0, scale="small")
    arc_snapshot = arc.snapshot()
    env = CrmArenaEnv(suite="crmarena_pro", org_scale=args.scale, drift_level="high", rot_level="high", max_steps=10**5)

    def query(sql: str) -> str:
        return "ok" if MockCrmApi(org).execute("query", {"sql": sql}).ok else "refused"

    def search(text: str) -> str:
        return "ok" if MockCrmApi(org).execute("search", {"text": text}).ok else "refused"

    def call(tool_and_args: tuple[str, Any]) -> str:
        arc.restore(arc_snapshot)
        return "ok" if MockCrmApi(arc).execute(*tool_and_args).ok else "refused"

    def action(value: Any) -> str:
        env.reset(seed=5)
        return "ok" if env.step(value)[4]["tool_error"] is None else "refused"

    records: list[dict[str, Any]] = []
    started = time.perf_counter()
    for kind, step, strategy in (
        ("sql", query, sql_queries()),
        ("search", search, search_texts()),
        ("tool_arguments", call, tool_arguments(TOOLS, ARGUMENTS)),
        ("actions", action, actions(TOOLS, ARGUMENTS)),
    ):
        records += run(kind, args.draws, step, strategy, args.seed)
    worst = sorted(records, key=lambda r: r["seconds"], reverse=True)
    summary = {
        "draws": len(records),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "backstops": sum(r["outcome"] == "BACKSTOP" for r in records),
        "worst_step_seconds": round(worst[0]["seconds"], 3),
        "p99_step_seconds": round(worst[len(worst) // 100]["seconds"], 3),
        "stopped_by": {k: sum(r["stopped_by"] == k for r in records) for k in ("steps", "temp", "refused")},
        "machine": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "scale": args.scale},
    }
    print(json.dumps(summary, indent=2))
    for record in worst[: args.worst]:
        print(
            f"{record['seconds']:7.3f} s  {record['kind']:<14} {record['outcome']:<8} steps={record['steps']:>12,} "
            f"temp={record['temp_bytes']:>12,} stopped_by={record['stopped_by']}\n          {record['input']}"
        )
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps({"summary": summary, "worst": worst[:50]}, indent=1))


if __name__ == "__main__":
    main()
