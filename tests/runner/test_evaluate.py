"""The evaluation runner: deterministic records whatever the concurrency, infrastructure failures kept apart,
usage recorded, run folders written line by line, policy specs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from crm_gym.agents.base import Policy, PolicyInfrastructureError, PolicyStep, Usage
from crm_gym.agents.reference import OraclePolicy, RandomPolicy
from crm_gym.agents.registry import SPEC_FORMS, policy_factory
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError, UnknownTaskError
from crm_gym.runner.episodes import episode_seed
from crm_gym.runner.evaluate import EvalConfig, run_eval
from crm_gym.runner.plan import select_tasks
from crm_gym.runner.records import EpisodeKey, EpisodeResult
from crm_gym.runner.store import read_episodes, read_run

BASE = {"suite": ["arc", "crmarena_pro"], "org_scale": "small", "limit": 4}


def without_timing(records: list[EpisodeResult]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json", exclude={"wall_seconds"}) for r in records]


class ScriptedPolicy(Policy):
    """Oracle actions, each after an awaited pause (long for ``slow`` tasks), with fixed usage; raises as told
    for the tasks in ``fail``."""

    kind = "scripted"

    def __init__(
        self, env: CrmArenaEnv, fail: dict[str, BaseException] | None = None, slow: tuple[str, ...] = ()
    ) -> None:
        self.env, self.fail, self.slow, self.plan = env, fail or {}, slow, []

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        self.task_id = info["task_id"]
        self.plan = self.env.oracle_actions()

    async def aact(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        await asyncio.sleep(5.0 if self.task_id in self.slow else 0.0)
        if self.task_id in self.fail:
            raise self.fail[self.task_id]
        return PolicyStep(action=self.plan.pop(0), usage=Usage(input_tokens=100, output_tokens=7))


def test_records_are_the_same_whatever_the_concurrency(tmp_path: Path) -> None:
    config = EvalConfig(policy="random", **BASE, drift_level=["none", "high"], rot_level="low", trials=2, max_steps=6)
    one = run_eval(config.model_copy(update={"concurrency": 1}))
    many = run_eval(config.model_copy(update={"concurrency": 5, "out_dir": tmp_path}))
    assert len(one) == 8 * 2 * 2
    assert without_timing(one) == without_timing(many)
    on_disk = sorted(read_episodes(tmp_path), key=lambda r: [r.key.text() for r in many].index(r.key.text()))
    assert without_timing(on_disk) == without_timing(many)
    assert {r.policy["seed"] for r in one} == {r.seed for r in one}  # random is seeded by the episode seed


def test_episode_seed_depends_on_run_seed_task_and_trial_only() -> None:
    config = EvalConfig(policy="oracle", **BASE, drift_level=["none", "low"], trials=2, seed=7)
    records = run_eval(config)
    for record in records:
        assert record.seed == episode_seed(7, record.key.task_id, record.key.trial)
    by_level = {(r.key.task_id, r.key.trial): r.seed for r in records if r.key.drift_level == "low"}
    assert by_level == {(r.key.task_id, r.key.trial): r.seed for r in records if r.key.drift_level == "none"}
    assert len(set(by_level.values())) == len(by_level)
    assert episode_seed(8, "t", 0) != episode_seed(7, "t", 0) != episode_seed(7, "t", 1)


def test_oracle_records_carry_the_trajectory_and_scores() -> None:
    records = run_eval(EvalConfig(policy="oracle", **BASE))
    assert {r.suite for r in records} == {"arc", "crmarena_pro"}
    for record in records:
        assert record.status == "completed" and record.passed, record.outcome
        assert record.observation["prompt"] and record.observation["schema"]
        last = record.steps[-1].action
        assert record.answer == last.get("answer")  # arc workflows end when the state is reached, without one
        assert record.score is not None and record.score["total"] > 0
        assert record.episode_return == pytest.approx(sum(s.reward for s in record.steps))
        assert record.policy == {"kind": "oracle"}


def test_policy_failures_are_infrastructure_errors_and_do_not_stop_the_run() -> None:
    config = EvalConfig(policy="unused", **BASE, timeout_s=0.5, concurrency=3)
    tasks = [t.id for t in select_tasks(config)]
    fail = {tasks[0]: PolicyInfrastructureError("provider down"), tasks[1]: ValueError("bad reply")}
    slow = tasks[2]
    records = {r.key.task_id: r for r in run_eval(config, lambda env, seed: ScriptedPolicy(env, fail, (slow,)))}
    assert records[tasks[0]].status == "infra_error" and "provider down" in records[tasks[0]].error
    assert records[tasks[1]].error == "ValueError: bad reply"
    assert records[slow].status == "infra_error" and records[slow].error.startswith("timeout")
    for task_id in tasks[:3]:
        assert not records[task_id].scored and records[task_id].score is None and records[task_id].passed is None
    assert all(records[t].status == "completed" and records[t].passed for t in tasks[3:])


def test_a_policy_that_cannot_be_built_stops_the_run_before_it_starts(tmp_path: Path) -> None:
    config = EvalConfig(policy="random", policy_options={"temprature": 0}, suite="arc", limit=2, out_dir=tmp_path)
    with pytest.raises(CrmGymError, match="cannot be built: TypeError.*temprature"):
        run_eval(config)
    assert (tmp_path / "episodes.jsonl").read_text() == ""


def test_usage_reaches_the_token_measure() -> None:
    config = EvalConfig(policy="unused", suite="arc", limit=3)
    for record in run_eval(config, lambda env, seed: ScriptedPolicy(env)):
        assert record.measures["tokens"] == 107 * len(record.steps)
        assert all(s.usage == Usage(input_tokens=100, output_tokens=7) for s in record.steps)


def test_run_folder_holds_the_config_and_one_line_per_episode(tmp_path: Path) -> None:
    config = EvalConfig(policy="oracle", suite="arc", limit=3, out_dir=tmp_path)
    records = run_eval(config)
    info = read_run(tmp_path)
    assert info.eval_config() == config and info.crm_gym_version and info.started_at
    lines = (tmp_path / "episodes.jsonl").read_text().splitlines()
    on_disk = [EpisodeKey.model_validate(json.loads(line)["key"]) for line in lines]  # in the order they ended
    assert sorted(on_disk, key=EpisodeKey.text) == sorted((r.key for r in records), key=EpisodeKey.text)


def test_limit_takes_tasks_round_robin_over_categories() -> None:
    tasks = select_tasks(EvalConfig(policy="oracle", suite="crmarena_pro", org_scale="small", limit=22))
    assert len({t.category for t in tasks}) == 22
    with pytest.raises(UnknownTaskError, match="no-such-task"):
        select_tasks(EvalConfig(policy="oracle", suite="arc", task_ids=["no-such-task"]))
    with pytest.raises(CrmGymError, match="categories"):
        select_tasks(EvalConfig(policy="oracle", suite="arc", categories=["knowledge_qa"]))


def test_config_accepts_one_level_or_a_grid_and_rejects_unknown_levels() -> None:
    assert EvalConfig(policy="x", drift_level="low").drift_level == ["low"]
    assert EvalConfig(policy="x", rot_level=["none", "high"]).rot_level == ["none", "high"]
    with pytest.raises(ValueError, match="extreme"):
        EvalConfig(policy="x", drift_level="extreme")


def test_policy_specs() -> None:
    env = CrmArenaEnv(suite="arc", split="test")
    env.reset(seed=0)
    assert isinstance(policy_factory("oracle")(env, 3), OraclePolicy)
    assert policy_factory("random")(env, 3).config()["seed"] == 3
    assert policy_factory("random", seed=9)(env, 3).config()["seed"] == 9
    assert isinstance(policy_factory("random")(env, 3), RandomPolicy)
    for bad in ("gpt-4o", "openai:", "oracle:x", "foo:bar"):
        with pytest.raises(CrmGymError, match="openai:MODEL") as err:
            policy_factory(bad)
        assert all(form in str(err.value) for form in SPEC_FORMS)


def test_baseline_spec_builds_the_baseline_policy() -> None:
    baseline = pytest.importorskip("crm_gym.agents.baseline")
    env = CrmArenaEnv(suite="arc", split="test")
    env.reset(seed=0)
    assert isinstance(policy_factory("baseline")(env, 0), baseline.BaselinePolicy)


class HugePolicy(Policy):
    """Sends one tool call with a 3,000,000-character argument, then the oracle's actions."""

    kind = "huge"

    def __init__(self, env: CrmArenaEnv) -> None:
        self.env = env

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        self.plan = [{"tool": "query", "args": {"sql": "SELECT " + "9" * 3_000_000}}, *self.env.oracle_actions()]

    def act(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        return PolicyStep(action=self.plan.pop(0))


def test_an_action_too_large_for_a_record_is_cut_with_a_marker_and_the_run_goes_on(tmp_path: Path) -> None:
    config = EvalConfig(policy="huge", suite="arc", limit=2, out_dir=tmp_path)
    records = run_eval(config, lambda env, seed: HugePolicy(env))
    assert all(r.status == "completed" for r in records)
    for record in records:
        huge = record.steps[0]
        assert huge.cut and huge.action["tool"] == "query"
        assert huge.action["args"]["sql"].endswith("[crm_gym: cut, 3,000,007 characters in all]")
    lines = (tmp_path / "episodes.jsonl").read_text().splitlines()
    assert len(lines) == 2 and all(len(line) < 1_000_000 for line in lines)
    assert len(run_eval(config, lambda env, seed: HugePolicy(env))) == 2  # resumed from the folder
