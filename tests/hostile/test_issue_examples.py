"""Every attack of issue 13 that reached the library, replayed: each is refused (or answered) within its budget,
as a counted error observation, with the org unchanged; none raises out of `env.step`."""

from __future__ import annotations

import re
import threading
from typing import Any

import gymnasium as gym
import pytest
from hostile_meters import MeterLog

import crm_gym  # noqa: F401  (registers the env ids)
from crm_gym import CrmError, MockCrmApi, config
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import EnvArgumentError, WallClockBackstopError
from crm_gym.world.world import World


@pytest.fixture
def api(small_org: World) -> MockCrmApi:
    return MockCrmApi(small_org.copy())


@pytest.fixture(scope="module")
def env() -> CrmArenaEnv:
    return CrmArenaEnv(suite="crmarena_pro", org_scale="small", drift_level="none", max_steps=50)


def _refused(api: MockCrmApi, tool: str, args: Any, match: str) -> None:
    before, errors = api.world.state_hash(), api.counters.errors
    result = api.execute(tool, args)
    assert not result.ok and re.search(match, result.error), result.error
    assert api.counters.errors == errors + 1
    assert api.world.state_hash() == before


PRINTF_ROWS = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r{stop}) "


@pytest.mark.parametrize(
    ("sql", "match"),
    [
        # 7 s for 1,000 rows before, unbounded without the WHERE
        (
            PRINTF_ROWS.format(stop=" WHERE i < 1000") + "SELECT printf('%.*c', 1000000, 'x') || i FROM r ORDER BY 1",
            "temporary storage",
        ),
        (
            PRINTF_ROWS.format(stop="") + "SELECT count(*) FROM r WHERE length(printf('%.*c', 200000, 'x')) > 0",
            "work budget",
        ),
        # never stopped before: filled a deleted temporary file at 140 MB/s
        (
            "WITH RECURSIVE r(i, b) AS (SELECT 1, zeroblob(1000000) UNION SELECT i + 1, zeroblob(1000000) FROM r) "
            "SELECT count(*) FROM r",
            re.escape("zeroblob(1000000) is refused: a value may hold at most 262,144 bytes"),
        ),
        (
            "WITH RECURSIVE r(i, b) AS (SELECT 1, zeroblob(200000) UNION SELECT i + 1, zeroblob(200000) FROM r) "
            "SELECT count(*) FROM r",
            "temporary storage",
        ),
        # one materialised big value copied into a sort of a cross join
        (
            "WITH c AS MATERIALIZED (SELECT printf('%.*c', 200000, 'x') AS s) "
            "SELECT a.Id, c.s FROM Case a, Case b, c ORDER BY b.Subject, a.Id",
            "temporary storage",
        ),
        ("SELECT a.Id, b.Id FROM Task a, Task b, Contact c ORDER BY b.Subject, c.LastName", "temporary storage"),
        (
            "SELECT count(*) FROM Task a, Task b WHERE (a.Description || b.Description) LIKE '%" + "a%" * 400 + "b'",
            "work budget",
        ),
        (
            "SELECT max(length(g)) FROM "
            "(SELECT group_concat(a.Description) OVER (ORDER BY a.Id, b.Id) AS g FROM Task a, Task b)",
            "temporary storage",
        ),
        ("SELECT 0x" + "f" * 3700, "Could not parse the query"),
        ("WITH a AS (SELECT 1 AS x), b AS (SELECT 2 AS x) SELECT x FROM a JOIN b", "Column 'x' is ambiguous"),
        ("SELECT randomblob(8)", r"randomblob\(\) is not available"),
        ("SELECT json_array(1, 2)", r"json_array\(\) is not available"),
    ],
)
def test_runaway_queries_are_stopped_by_their_budget(api: MockCrmApi, meters: MeterLog, sql: str, match: str) -> None:
    _refused(api, "query", {"sql": sql}, match)


def test_the_date_functions_read_the_orgs_today_never_the_wall_clock(api: MockCrmApi, meters: MeterLog) -> None:
    today = api.world.today()
    api.create("Account", {"Name": "now"})
    row = api.query(
        "SELECT date(), datetime(), time(), julianday() = julianday(CURRENT_DATE),"
        " unixepoch() = unixepoch(CURRENT_DATE), strftime('%Y-%m-%d'), CURRENT_DATE, CURRENT_TIMESTAMP,"
        " date('n' || 'ow'), date('2024-01-01 23:00', 'localtime'), (SELECT date(Name) FROM Account WHERE Name = 'now')"
    )["rows"][0]
    assert row == [
        today,
        f"{today} 00:00:00",
        "00:00:00",
        1,
        1,
        today,
        today,
        f"{today}T00:00:00",
        today,
        "2024-01-01",
        today,
    ]


def test_a_search_of_300_wildcard_terms_is_deduplicated_or_refused(api: MockCrmApi, meters: MeterLog) -> None:
    assert api.search("a* " * 300)["count"] > 0  # 337 s before: the same term 300 times is one term
    words = [f"w{i}*" for i in range(300)]
    _refused(api, "search", {"text": " OR ".join(words)[:1000]}, "at most 16 are allowed, 4 of them prefix")


def _deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def _cycle() -> dict[str, Any]:
    value: dict[str, Any] = {}
    value["self"] = value
    return value


@pytest.mark.parametrize(
    ("tool", "args", "match"),
    [
        ("get", {"object": "Account", "id": "\ud800"}, "lone surrogate"),
        ("update", {"object": "Opportunity", "id": "006x", "values": {"Amount": 2**70}}, "64-bit integers"),
        ("get", {1: "Account"}, "keys must be strings"),
        ("create", {"object": "Account", "values": {"Name": _deep(300)}}, "nested more than 32 levels"),
        ("create", {"object": "Account", "values": _cycle()}, "contains itself"),
        ("query", {"sql": "x" * 200_000}, "more than 100,000 characters"),
    ],
)
def test_arguments_that_are_not_bounded_json_are_refused(
    api: MockCrmApi, tool: str, args: dict[str, Any], match: str
) -> None:
    _refused(api, tool, args, match)


@pytest.mark.parametrize(
    ("action", "match"),
    [
        ({"answer": "x" * 50_000_000}, "more than 100,000 characters of text"),
        ({"answer": "x" * 10_001}, "The answer is 10,001 characters; at most 10,000"),
        ({"tool": "get", "args": {"object": "Account", "id": "001\ud800"}}, "lone surrogate"),
        ('{"tool": "get", "args": {"object": "Account", "id": "\\udfff"}}', "lone surrogate"),
        ({"tool": "query", "args": {"sql": "SELECT 1", "deep": _deep(300)}}, "nested more than 32 levels"),
        ({"tool": "get", "args": _cycle()}, "contains itself"),
        ({"tool": "get", "args": {("a",): 1}}, "keys must be strings"),
        ({"tool": "get", "args": {"id": float("nan")}}, "not a JSON number"),
        ({"tool": "get", "args": {"id": b"001"}}, "a bytes is not a JSON value"),
        ('{"tool": "get", "args": {"id": 1' + "0" * 5000 + "}}", "not valid JSON"),
        ("[" * 100_000, "at most 100,000|not valid JSON"),
    ],
)
def test_no_action_escapes_step(env: CrmArenaEnv, action: Any, match: str) -> None:
    env.reset(seed=1)
    before = env.unwrapped._world.state_hash()  # noqa: SLF001
    observation, reward, terminated, truncated, info = env.step(action)
    assert re.search(match, info["tool_error"]), info["tool_error"]
    assert info["invalid_calls"] == 1 and reward < 0 and not terminated
    assert env.observation_space.contains(observation)
    assert env.unwrapped._world.state_hash() == before  # noqa: SLF001


@pytest.mark.parametrize("answer", [{"answer": "Acme \ud800"}, '{"answer": "Acme \\udfff"}'])
def test_a_lone_surrogate_in_an_answer_is_read_as_a_replacement_character(env: CrmArenaEnv, answer: Any) -> None:
    env.reset(seed=1)
    *_, terminated, _, info = env.step(answer)
    assert terminated and info["tool_error"] is None and "score" in info
    assert env.unwrapped._record.answer == "Acme \ufffd"  # noqa: SLF001


def test_a_call_past_the_wall_clock_backstop_is_an_infrastructure_failure(
    env: CrmArenaEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.reset(seed=2)
    before = env.unwrapped._world.state_hash()  # noqa: SLF001
    monkeypatch.setattr(config, "WORK_BACKSTOP_SECONDS", 0.0)
    slow = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r LIMIT 100000) SELECT count(*) FROM r"
    with pytest.raises(WallClockBackstopError, match="infrastructure failure"):
        env.step({"tool": "query", "args": {"sql": slow}})
    assert env.unwrapped._world.state_hash() == before  # noqa: SLF001
    monkeypatch.setattr(config, "WORK_BACKSTOP_SECONDS", 30.0)
    assert env.step({"tool": "query", "args": {"sql": slow}})[4]["tool_error"] is None


def test_two_threads_on_one_world_take_turns_instead_of_deadlocking(small_org: World) -> None:
    api = MockCrmApi(small_org.copy())
    heavy = "SELECT count(*) FROM Task a, Task b WHERE a.Subject < b.Subject"
    expected = api.query(heavy)["rows"]
    results: list[Any] = []

    def work(index: int) -> None:
        for n in range(5):
            results.append(api.query(heavy)["rows"])
            api.create("Account", {"Name": f"Thread {index} account {n}"})

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert results == [expected] * 15
    assert api.query("SELECT count(*) FROM Account WHERE Name LIKE 'Thread %'")["rows"] == [[15]]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"suite": ["arc"]}, "suite must be a suite name"),
        ({"max_steps": "20"}, "max_steps must be a whole number"),
        ({"org_scale": "huge"}, "org_scale must be one of"),
        ({"categories": "handle_time"}, "categories must be a list"),
        ({"render_mode": ["human"]}, "render_mode"),
        ({"tasks": ["x"]}, "tasks must be a list of crm_gym.Task"),
        ({"max_step": 3}, "Did you mean 'max_steps'"),
    ],
)
def test_bad_make_arguments_raise_crm_gym_errors(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(EnvArgumentError, match=match):
        gym.make("CrmArena-v0", **{"suite": "arc", **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"seed": "7"}, "seed must be None or a whole number"),
        ({"seed": -1}, "seed must be None or a whole number"),
        ({"options": ["task_id"]}, "options must be a dict"),
        ({"options": {"task_id": {"x": 1}}}, "must be a task id"),
        ({"options": {"drift": "high"}}, "Did you mean 'drift_level'"),
    ],
)
def test_bad_reset_arguments_raise_crm_gym_errors(env: CrmArenaEnv, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(EnvArgumentError, match=match):
        env.reset(**kwargs)


def test_refusals_are_errors_the_agent_can_read(api: MockCrmApi) -> None:
    with pytest.raises(CrmError, match="Add filters or LIMIT"):
        api.query("SELECT count(*) FROM Task a, Task b, Task c ORDER BY a.Subject")
