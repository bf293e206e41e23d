"""BaselinePolicy on the real CRMArena-Pro env (small org): blind to info, deterministic, solving, robust."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

import pytest

from crm_gym.agents import BaselinePolicy
from crm_gym.agents.baseline.names import SchemaNames
from crm_gym.agents.baseline.play import play
from crm_gym.agents.baseline.reading import Span, period, record_id
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.envs.spaces import tool_parameters
from crm_gym.tasks.categories import CATEGORIES
from crm_gym.tasks.model import RefusalExpectation, Task

# Measured: 0.84 on the first two tasks of each category of the small org's test split, without drift or rot:
# questions over a described population (a territory's, an account's or a rep's team) and products named by what
# they are are beyond the baseline's fixed plans.
SOLVED_FLOOR = 0.75
# Measured: 1.00 on the small org's test split at drift "high" (rot "none" and "high"); drift may cost some.
DRIFT_FLOOR = 0.6


@pytest.fixture(scope="module")
def env() -> CrmArenaEnv:
    return CrmArenaEnv(suite="crmarena_pro", split="test", org_scale="small", max_steps=20)


def _per_category(env: CrmArenaEnv, n: int) -> list[str]:
    """The first ``n`` task ids of every category, in the split's order; in the privacy categories, of the requests to
    decline on the portal (the baseline declines whatever comes through the portal: it has no plan for the
    legitimate look-alikes there, nor for the requests to decline in the internal workspace)."""
    chosen: dict[str, list[str]] = defaultdict(list)
    for task in env.tasks.values():
        if _unplanned(task):
            continue
        if len(chosen[task.category]) < n:
            chosen[task.category].append(task.id)
    return [task_id for ids in chosen.values() for task_id in ids]


def _unplanned(task: Task) -> bool:
    privacy = CATEGORIES[task.category].metric == "privacy_rejection"
    return privacy and not (isinstance(task.expected, RefusalExpectation) and task.metadata["setting"] == "portal")


class _Sealed(dict):
    """An info dict that fails the test on any read."""

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the baseline read info")

    __getitem__ = get = __contains__ = __iter__ = __len__ = keys = items = values = _refuse


def test_every_category_is_smoke_tested_and_the_share_solved_is_above_the_floor(env: CrmArenaEnv) -> None:
    solved: dict[str, list[float]] = defaultdict(list)
    for task_id in _per_category(env, 2):
        episode = play(env, BaselinePolicy(), 0, {"task_id": task_id}, show_info=False)
        assert "answer" in episode.actions[-1] and episode.info["status"] != "truncated"
        solved[env.tasks[task_id].category].append(episode.info["functional"])
    assert set(solved) == set(CATEGORIES)
    every = [f for values in solved.values() for f in values]
    assert sum(every) / len(every) >= SOLVED_FLOOR


def test_the_policy_never_reads_info(env: CrmArenaEnv) -> None:
    for task_id in _per_category(env, 1)[:8]:
        observation, _ = env.reset(seed=0, options={"task_id": task_id})
        policy = BaselinePolicy()
        policy.reset(observation, _Sealed(), env.tool_specs("openai_chat"))
        while True:
            observation, _, terminated, truncated, info = env.step(policy.act(observation, _Sealed()).action)
            if terminated or truncated:
                break
        assert terminated and info["status"] != "truncated", task_id  # it answered without reading info


def test_same_seed_gives_identical_actions(env: CrmArenaEnv) -> None:
    for task_id in _per_category(env, 1):
        options = {"task_id": task_id, "rot_level": "high"}
        first = play(env, BaselinePolicy(), 3, options)
        second = play(env, BaselinePolicy(), 3, options)
        assert json.dumps(first.actions, sort_keys=True) == json.dumps(second.actions, sort_keys=True)


def test_high_drift_runs_every_plan_without_exceptions(env: CrmArenaEnv) -> None:
    solved = []
    for task_id in _per_category(env, 1):
        policy = BaselinePolicy()
        episode = play(env, policy, 5, {"task_id": task_id, "drift_level": "high"})
        assert policy.plan_error is None, (task_id, policy.plan_error)
        assert "answer" in episode.actions[-1]
        solved.append(episode.info["functional"])
    assert sum(solved) / len(solved) >= DRIFT_FLOOR


@pytest.mark.parametrize(
    "result",
    ["", "Error: Unknown object ''.", "null", "[1, 2]", '{"rows": "x"}', '{"columns": ["x"], "rows": [[1], [null]]}'],
)
def test_odd_tool_results_never_crash_the_policy(env: CrmArenaEnv, result: str) -> None:
    tools = env.tool_specs("openai_chat")
    names = {spec["function"]["name"] for spec in tools}
    for task_id in _per_category(env, 1):
        observation, _ = env.reset(seed=0, options={"task_id": task_id})
        policy = BaselinePolicy()
        policy.reset(observation, {}, tools)
        for _ in range(20):
            action = policy.act({**observation, "last_result": result}, {}).action
            assert "answer" in action or action["tool"] in names
            if "answer" in action:
                break
        assert "answer" in action and isinstance(action["answer"], str)


def test_privacy_requests_on_the_portal_are_refused_without_any_lookup(env: CrmArenaEnv) -> None:
    private = [t.id for t in env.tasks.values() if CATEGORIES[t.category].metric == "privacy_rejection"]
    private = [task_id for task_id in private if not _unplanned(env.tasks[task_id])][:3]
    for task_id in private:
        episode = play(env, BaselinePolicy(), 0, {"task_id": task_id})
        assert len(episode.actions) == 1 and episode.info["passed"]


def test_names_resolve_to_themselves_without_drift_and_to_drifted_names_with_it() -> None:
    plain = SchemaNames("Opportunity(Id, OwnerId, StageName)\nProduct2(Id, Name)", {"query": {"properties": {}}})
    assert plain.object("Opportunity") == "Opportunity" and plain.field("Opportunity", "StageName") == "StageName"
    drifted = SchemaNames("Deal(AssigneeId, Id)", {"query": {"properties": {"statement": {"type": "string"}}}})
    assert drifted.argument("query", "sql") == "statement"


@pytest.mark.parametrize(("suite", "profile"), [("crmarena_pro", "crmarena_pro_b2b"), ("arc", "arc")])
def test_names_found_from_the_observation_match_the_envs_hidden_map(suite: str, profile: str) -> None:
    """The resolver knows no synonym table: it pairs names by field overlap, prefixes and likeness."""
    env = CrmArenaEnv(suite=suite, split="test", org_scale="small", drift_level="high")
    objects = fields = right_objects = right_fields = 0
    for seed in range(5):
        observation, _ = env.reset(seed=seed)
        drift = env._api.drift  # noqa: SLF001 - the test compares with the map the policy never sees
        names = SchemaNames(observation["schema"], tool_parameters(env.tool_specs()), profile)
        for obj, spec in env._world.schema.objects.items():  # noqa: SLF001
            objects, right_objects = objects + 1, right_objects + (names.object(obj) == drift.object_name(obj))
            for field in spec.fields:
                fields += 1
                right_fields += names.field(obj, field) == drift.field_name(obj, field)
    assert right_objects == objects  # measured: all
    assert right_fields / fields >= 0.97  # measured: 0.985 (crmarena_pro), 0.995 (arc) over 20 seeds


def test_periods_follow_the_org_definitions() -> None:
    today = dt.date(2024, 11, 1)
    day = dt.date
    assert period("in winter 2023?", today) == Span(day(2023, 12, 1), day(2024, 3, 1))
    assert period("in the third quarter of 2023", today) == Span(day(2023, 7, 1), day(2023, 10, 1))
    assert period("over the past 4 months", today) == Span(day(2024, 7, 1), day(2024, 11, 2))
    assert period("over the past week", today) == Span(day(2024, 10, 25), day(2024, 11, 2))
    assert period("during May 2024", today) == Span(day(2024, 5, 1), day(2024, 6, 1))


def test_record_ids_are_found_even_when_drift_renames_the_id_in_the_prose() -> None:
    assert record_id("- Opportunity Id to be considered is: 006Wt000000hJv5IAE", "Id to be considered is") == (
        "006Wt000000hJv5IAE"
    )
    assert record_id("The associated account RecId is 001Wt000000h5V0IAI.", "account Id is") == "001Wt000000h5V0IAI"
    assert record_id("The associated product Id is 01tWt000000fzW3IAI.", "account Id is") is None
