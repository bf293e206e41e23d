"""Hostile input, generated: SQL, SOSL, tool arguments and whole actions never raise out of the API or `env.step`,
every query and search stops within its deterministic budget (never at the wall-clock backstop), and a refused
call leaves the org's state hash unchanged.

The examples are derandomised and counted (see ``EXAMPLES``) so the suite is the same on every run and fast enough
for CI; the budgets are lowered (2,000,000 steps, 2 MiB) so that examples that hit them finish quickly: what stops
them is the same code. `benchmarks/bench_hostile.py` runs the same strategies longer at the real budgets.
"""

from __future__ import annotations

from typing import Any

import pytest
from hostile_meters import MeterLog
from hostile_strategies import actions, search_texts, sql_queries, tool_arguments
from hypothesis import HealthCheck, given, settings

from crm_gym import MockCrmApi, build_org, config
from crm_gym.api.registry import registered_tools
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.world.world import World

EXAMPLES = {"sql": 150, "search": 100, "tool_arguments": 150, "actions": 120}
FUZZ = {"deadline": None, "derandomize": True, "suppress_health_check": list(HealthCheck)}

TOOLS = sorted(registered_tools())
ARGUMENTS = sorted({name for t in registered_tools().values() for name in t.args_model().model_fields})
SMALL_ORG = build_org("crmarena_pro_b2b", seed=0, scale="small")
SMALL_ORG_HASH = SMALL_ORG.state_hash()
ARC_ORG = build_org("arc", seed=0, scale="small")
ARC_SNAPSHOT = ARC_ORG.snapshot()


@pytest.fixture
def fast_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "QUERY_MAX_STEPS", 2_000_000)
    monkeypatch.setattr(config, "QUERY_MAX_TEMP_BYTES", 2 * 2**20)


def _checked(meters: MeterLog) -> None:
    meters.assert_bounded()
    meters.meters.clear()


def _read(meters: MeterLog, tool: str, args: dict[str, Any]) -> None:
    """A read-only tool answers or refuses, within its budget, and the org stays as it was."""
    result = MockCrmApi(SMALL_ORG).execute(tool, args)
    assert result.ok or result.error
    assert SMALL_ORG.state_hash() == SMALL_ORG_HASH
    _checked(meters)


@settings(max_examples=EXAMPLES["sql"], **FUZZ)
@given(sql=sql_queries())
def test_any_query_is_answered_or_refused_within_its_budget(fast_budget: None, meters: MeterLog, sql: str) -> None:
    _read(meters, "query", {"sql": sql})


@settings(max_examples=EXAMPLES["search"], **FUZZ)
@given(text=search_texts())
def test_any_search_is_answered_or_refused_within_its_budget(fast_budget: None, meters: MeterLog, text: str) -> None:
    _read(meters, "search", {"text": text})


@settings(max_examples=EXAMPLES["tool_arguments"], **FUZZ)
@given(call=tool_arguments(TOOLS, ARGUMENTS))
def test_any_tool_call_is_answered_or_refused_and_a_refusal_changes_nothing(
    fast_budget: None, meters: MeterLog, call: tuple[str, Any]
) -> None:
    ARC_ORG.restore(ARC_SNAPSHOT)
    api = MockCrmApi(ARC_ORG)
    before = ARC_ORG.state_hash()
    result = api.execute(*call)
    if not result.ok:
        assert result.error and api.counters.errors == 1
        assert ARC_ORG.state_hash() == before
    _checked(meters)


ENV = CrmArenaEnv(suite="crmarena_pro", org_scale="small", drift_level="high", rot_level="high", max_steps=1_000)


@settings(max_examples=EXAMPLES["actions"], **FUZZ)
@given(action=actions(TOOLS, ARGUMENTS))
def test_no_action_escapes_step_and_a_refused_one_changes_nothing(
    fast_budget: None, meters: MeterLog, action: Any
) -> None:
    observation, info = ENV.reset(seed=5)
    world: World = ENV.unwrapped._world  # noqa: SLF001
    before = world.state_hash()
    observation, reward, terminated, truncated, info = ENV.step(action)
    assert ENV.observation_space.contains(observation)
    if info["tool_error"] is not None:
        assert info["invalid_calls"] == 1 and reward < 0
        assert world.state_hash() == before
    _checked(meters)
