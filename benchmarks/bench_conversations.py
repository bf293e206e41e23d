"""Conversations: how often guessing passes, what the oracle and the baseline do multi-turn, and what they cost.

Run ``python benchmarks/bench_conversations.py`` (add ``--main-job`` to also time the README's main job with both
interaction modes). For each suite's test split (crmarena_pro at the default scale) it plays every conversational
task multi-turn with the scripted user three times: the oracle, the baseline and the guessing policy (never asks),
and prints per category the tasks, the pass rates, the user turns and the episodes per second; it times the
scripted user's replies; it writes ``benchmarks/results/conversations.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from crm_gym.agents.base import Policy
from crm_gym.agents.baseline import BaselinePolicy
from crm_gym.agents.reference import GuessingPolicy, OraclePolicy
from crm_gym.conversation import ScriptedUser
from crm_gym.envs.crm_arena import CrmArenaEnv

RESULTS = Path(__file__).resolve().parent / "results" / "conversations.json"
POLICIES = {"oracle": OraclePolicy, "baseline": lambda env: BaselinePolicy(), "guess": GuessingPolicy}
MAIN_JOB = (
    "eval --policy baseline --suite crmarena_pro --suite arc --drift none --drift high --rot none --rot high "
    "--interaction single --interaction multi --user scripted"
)


def _episode(env: CrmArenaEnv, policy: Policy, task_id: str) -> dict[str, Any]:
    observation, info = env.reset(seed=0, options={"task_id": task_id})
    policy.reset(observation, info, env.tool_specs())
    while True:
        observation, _, terminated, truncated, info = env.step(policy.act(observation, info).action)
        if terminated or truncated:
            return info


def suite_figures(suite: str) -> dict[str, Any]:
    """Every conversational task of the suite's test split, played by each policy."""
    env = CrmArenaEnv(suite=suite, split="test", interaction="multi")
    ids = env.conversational_task_ids()
    figures: dict[str, Any] = {"tasks": len(ids), "policies": {}}
    for name, make in POLICIES.items():
        by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
        started = time.perf_counter()
        for task_id in ids:
            by_category[env.tasks[task_id].category].append(_episode(env, make(env), task_id))
        seconds = time.perf_counter() - started
        every = [info for infos in by_category.values() for info in infos]
        figures["policies"][name] = {
            "passed": sum(i["passed"] for i in every),
            "pass_rate": sum(i["passed"] for i in every) / len(every),
            "mean_user_turns": sum(i["user_turns"] for i in every) / len(every),
            "mean_total": sum(i["score"]["total"] for i in every) / len(every),
            "episodes_per_second": len(every) / seconds,
            "by_category": {
                category: {"tasks": len(infos), "passed": sum(i["passed"] for i in infos)}
                for category, infos in sorted(by_category.items())
            },
        }
    return figures


def reply_latency(replies: int = 5_000) -> float:
    """Microseconds per scripted reply to the oracle's question (an Arc create: six facts)."""
    env = CrmArenaEnv(suite="arc", interaction="multi")
    scenario = env.scenario("arc-create_opportunity-001")
    user = ScriptedUser(scenario, seed=0)
    question = scenario.question()
    started = time.perf_counter()
    for _ in range(replies):
        user.reply(question)
    return 1e6 * (time.perf_counter() - started) / replies


def main_job_seconds() -> float:
    """Wall seconds of the README's main job with both interaction modes, in a fresh run folder."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "crm_gym.cli", *MAIN_JOB.split(), "--out", folder]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--main-job", action="store_true", help="also time the main job with both modes")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "suites": {suite: suite_figures(suite) for suite in ("arc", "crmarena_pro")},
        "scripted_reply_microseconds": reply_latency(),
    }
    if args.main_job:
        results["main_job_seconds"] = main_job_seconds()
    for suite, figures in results["suites"].items():
        print(f"{suite}: {figures['tasks']} conversational tasks")
        for name, policy in figures["policies"].items():
            print(
                f"  {name:9s} passed {policy['passed']:4d} ({policy['pass_rate']:.1%}), "
                f"{policy['mean_user_turns']:.2f} user turns, total {policy['mean_total']:.1f}, "
                f"{policy['episodes_per_second']:.0f} episodes/s"
            )
        for category, row in figures["policies"]["guess"]["by_category"].items():
            print(f"    guess {category}: {row['passed']} of {row['tasks']}")
    print(f"scripted reply: {results['scripted_reply_microseconds']:.0f} µs")
    if "main_job_seconds" in results:
        print(f"main job, both modes: {results['main_job_seconds']:.0f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
