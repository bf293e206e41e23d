"""The env's tool_profile option: an agent written for Arc gets Arc's tools with one option, and the arc suite's
oracle still passes every case under it, with and without drift."""

from __future__ import annotations

import gymnasium as gym
import pytest

import crm_gym  # noqa: F401  (registers the env ids)
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError


def test_one_option_gives_an_arc_agent_arcs_tools() -> None:
    env = gym.make("CrmArena-v0", suite="arc", split="test", tool_profile="arc_compat")
    observation, info = env.reset(seed=3)
    specs = {s["function"]["name"]: s["function"] for s in env.unwrapped.tool_specs()}
    assert {"opportunity_details", "compare_quote_details", "quote_prefixes"} <= set(specs)
    assert "name" in specs["client_search"]["parameters"]["properties"]
    assert {"opportunity_details", "quote_prefixes"} <= set(env.action_space.tools)
    client = env.unwrapped._world.rows("Client")[0]
    observation, *_, info = env.step({"tool": "client_search", "args": {"name": client["name"]}})
    assert info["tool_error"] is None and observation["last_result"].startswith("[")
    *_, info = env.step({"tool": "quote_prefixes", "args": {}})
    assert info["tool_error"] is None
    env.close()


def test_the_default_profile_is_unchanged_and_an_unknown_profile_is_refused() -> None:
    env = CrmArenaEnv(suite="arc", split="test")
    env.reset(seed=0)
    assert "opportunity_details" not in {s["function"]["name"] for s in env.tool_specs()}
    with pytest.raises(
        CrmGymError, match="tool_profile 'arc' is not one of the choices; use one of default, arc_compat"
    ):
        CrmArenaEnv(suite="arc", split="test", tool_profile="arc")  # type: ignore[arg-type]


@pytest.mark.parametrize("drift", ["none", "high"])
def test_the_arc_oracle_passes_every_case_under_arc_compat(drift: str) -> None:
    env = CrmArenaEnv(suite="arc", split=None, max_steps=20, tool_profile="arc_compat", drift_level=drift)
    failed = []
    for n, task_id in enumerate(env.tasks):
        env.reset(seed=n, options={"task_id": task_id})
        for action in env.oracle_actions():
            *_, terminated, truncated, info = env.step(action)
            if terminated or truncated:
                break
        if info.get("functional") != 1.0:
            failed.append((task_id, info.get("outcome")))
    assert not failed and len(env.tasks) == 185
