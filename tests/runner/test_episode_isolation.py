"""Concurrent episodes do not wait on one another's steps, a step past the deadline gives a timeout (never a
score), and an agent that fails by its own doing is scored as it stands: it cannot escape the episode."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import crm_gym.runner.evaluate as evaluate_module
import crm_gym.runner.replay as replay_module
from crm_gym.agents.base import AgentFailureError, Policy, PolicyStep
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import WallClockBackstopError
from crm_gym.runner.evaluate import EvalConfig, run_eval
from crm_gym.runner.plan import select_tasks
from crm_gym.runner.rescore import rescore

#: The action a test env holds (blocks on) or raises on; any other action is stepped as usual.
BLOCK = {"tool": "block_here", "args": {}}
EXPLODE = {"tool": "explode_here", "args": {}}
OUTRUN = {"tool": "outrun_here", "args": {}}  # a call the wall-clock backstop stops
CONFIG = EvalConfig(policy="unused", suite="arc", limit=3, max_steps=8)


class GatedEnv(CrmArenaEnv):
    """Blocks a ``BLOCK`` step until ``gate`` opens (at most 30 s), raises TypeError on ``EXPLODE``, and opens the
    gate itself once ``open_after`` other episodes have ended."""

    gate = threading.Event()
    entered = threading.Event()
    left = threading.Event()
    open_after = 0
    ended = 0
    gate_was_open = False

    def step(self, action: Any) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        cls = type(self)
        if action == BLOCK:
            cls.entered.set()
            cls.gate_was_open = cls.gate.wait(timeout=30)
            cls.left.set()
            return super().step({"tool": "describe", "args": {}})
        if action == EXPLODE:
            raise TypeError("boom: the env cannot take this action")
        if action == OUTRUN:
            raise WallClockBackstopError("the query ran past the 30 s backstop inside its budget")
        result = super().step(action)
        if result[2] or result[3]:
            cls.ended += 1
            if cls.ended >= cls.open_after:
                cls.gate.set()
        return result

    @classmethod
    def rearm(cls, open_after: int) -> None:
        for event in (cls.gate, cls.entered, cls.left):
            event.clear()
        cls.open_after, cls.ended, cls.gate_was_open = open_after, 0, False


class ScriptPolicy(Policy):
    """Plays the oracle's actions; ``special`` maps a task id to {"first": ACTION} (sent before the oracle's) or
    {"fail": True} (raises `AgentFailureError` at the first step)."""

    kind = "script"

    def __init__(self, env: CrmArenaEnv, special: dict[str, dict[str, Any]]) -> None:
        self.env, self.special = env, special

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        self.mine = self.special.get(info["task_id"], {})
        self.plan = self.env.oracle_actions()
        if "first" in self.mine:
            self.plan.insert(0, self.mine["first"])

    async def aact(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        if self.mine.get("fail"):
            raise AgentFailureError("the agent's A2A task ended as TASK_STATE_FAILED: I give up")
        return PolicyStep(action=self.plan.pop(0))


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[GatedEnv]]:
    monkeypatch.setattr(evaluate_module, "make_env", lambda config, tasks: GatedEnv(tasks=tasks, max_steps=8))
    monkeypatch.setattr(replay_module, "CrmArenaEnv", GatedEnv)
    yield GatedEnv
    GatedEnv.gate.set()  # never leave a thread blocked


def test_a_slow_step_does_not_hold_up_the_other_episodes(gated: type[GatedEnv]) -> None:
    tasks = [t.id for t in select_tasks(CONFIG)]
    gated.rearm(open_after=len(tasks) - 1)
    config = CONFIG.model_copy(update={"concurrency": len(tasks)})
    records = run_eval(config, lambda env, seed: ScriptPolicy(env, {tasks[0]: {"first": BLOCK}}))
    # the blocked step was released by the other episodes ending while it waited: they never waited for it
    assert gated.gate_was_open
    assert [r.status for r in records] == ["completed"] * len(tasks) and all(r.passed for r in records)


def test_a_step_past_the_deadline_is_a_timeout_and_the_next_episode_gets_a_fresh_env(gated: type[GatedEnv]) -> None:
    tasks = [t.id for t in select_tasks(CONFIG)]
    gated.rearm(open_after=10**6)  # the gate stays shut: the step outlives its episode
    config = CONFIG.model_copy(update={"concurrency": 1, "timeout_s": 0.5})
    records = run_eval(config, lambda env, seed: ScriptPolicy(env, {tasks[0]: {"first": BLOCK}}))
    assert gated.entered.is_set() and not gated.left.is_set()  # the run ended while the step still ran
    stuck, *others = records
    assert stuck.status == "infra_error" and stuck.error.startswith("timeout") and not stuck.scored
    assert stuck.score is None and stuck.passed is None
    assert [r.status for r in others] == ["completed"] * (len(tasks) - 1) and all(r.passed for r in others)
    gated.gate.set()
    assert gated.left.wait(timeout=30)


def test_an_agent_failure_is_scored_as_it_stands_and_rescored_alike(gated: type[GatedEnv], tmp_path: Path) -> None:
    tasks = [t.id for t in select_tasks(CONFIG)]
    gated.rearm(open_after=0)

    special = {tasks[0]: {"fail": True}, tasks[1]: {"first": EXPLODE}}
    records = {
        r.key.task_id: r
        for r in run_eval(CONFIG.model_copy(update={"out_dir": tmp_path}), lambda env, seed: ScriptPolicy(env, special))
    }
    gave_up, exploded, normal = (records[t] for t in tasks)
    for record in (gave_up, exploded):
        assert record.status == "agent_error" and record.scored, record.error
        assert record.passed is False and record.score is not None and record.functional == 0.0
        assert record.answer is None  # the forfeit is not the agent's answer
    assert "TASK_STATE_FAILED: I give up" in gave_up.error and gave_up.steps == []
    assert exploded.steps[-1].action == EXPLODE and "The env raised TypeError: boom" in exploded.steps[-1].tool_error
    assert normal.status == "completed" and normal.passed
    report = rescore(tmp_path)
    assert report.ok and report.episodes == 3, report.mismatches[:3]


def test_a_call_stopped_by_the_wall_clock_backstop_is_an_infrastructure_failure(gated: type[GatedEnv]) -> None:
    tasks = [t.id for t in select_tasks(CONFIG)]
    gated.rearm(open_after=0)
    records = run_eval(CONFIG, lambda env, seed: ScriptPolicy(env, {tasks[0]: {"first": OUTRUN}}))
    stopped, *others = records
    assert stopped.status == "infra_error" and not stopped.scored and "backstop" in stopped.error
    assert all(r.status == "completed" and r.passed for r in others)
