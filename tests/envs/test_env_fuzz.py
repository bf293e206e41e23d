"""Fuzz: random and adversarial actions never raise and always give an observation inside the space."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_gym.envs.crm_arena import CrmArenaEnv

ENV = CrmArenaEnv(suite="arc", split="test", drift_level="high", rot_level="high", max_steps=400)
TOOLS = sorted(ENV.action_space.tools)

json_leaf = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
hostile_sql = st.sampled_from(
    [
        "DELETE FROM Client",
        "DROP TABLE Client",
        "ATTACH DATABASE ':memory:' AS x",
        "PRAGMA foreign_keys = OFF",
        "SELECT * FROM _changelog",
        "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r",
        "SELECT 1; DELETE FROM Client",
        "SELECT load_extension('x')",
    ]
)
tool_call = st.builds(
    lambda tool, args: {"tool": tool, "args": args},
    st.sampled_from([*TOOLS, "", "nope", "__init__"]),
    st.dictionaries(st.text(max_size=15), json_value, max_size=5),
)
actions = st.one_of(
    tool_call,
    st.builds(lambda sql: {"tool": "query", "args": {"sql": sql}}, hostile_sql | st.text(max_size=200)),
    st.builds(lambda text: {"answer": text}, st.text(max_size=200)),
    json_value,
    st.text(max_size=300),
    st.builds(lambda n: "x" * n, st.integers(0, 250_000)),
    st.builds(lambda v: json.dumps(v), json_value),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), batch=st.lists(actions, min_size=1, max_size=8))
def test_no_action_raises_and_observations_stay_in_the_space(seed: int, batch: list) -> None:
    observation, _ = ENV.reset(seed=seed)
    assert ENV.observation_space.contains(observation)
    for action in batch:
        observation, reward, terminated, truncated, info = ENV.step(action)
        assert ENV.observation_space.contains(observation)
        assert isinstance(reward, float) and -1.0 <= reward <= 1.0 + 1e-9
        assert ENV.unwrapped._world.integrity_violations() == []  # noqa: SLF001
        if terminated or truncated:
            assert "score" in info
            break
