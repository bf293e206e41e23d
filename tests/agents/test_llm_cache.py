"""The reply cache: a run fills it, a replay (no key, no network) gives the same actions, usage and scores."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from llm_fakes import TASKS, Calls, Episode, FakeLlm, Raw, Text, chat_body, play, refusing_client, start

from crm_gym.agents.base import AgentFailureError, PolicyInfrastructureError, Usage
from crm_gym.agents.llm import AnthropicPolicy, LlmCache, OpenAIPolicy
from crm_gym.agents.llm.cache import request_key
from crm_gym.agents.llm.policy import LlmPolicy
from crm_gym.agents.llm.reply import Reply, ToolRequest
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError

WIRES = ["chat", "responses", "anthropic"]


@pytest.fixture(scope="module")
def env() -> CrmArenaEnv:
    return CrmArenaEnv(tasks=TASKS, max_steps=8)


def _policy(wire: str, cache: LlmCache, client: Any | None) -> LlmPolicy:
    if wire == "anthropic":
        return AnthropicPolicy("claude-fake", cache=cache, client=client)
    return OpenAIPolicy("gpt-fake", api=wire, cache=cache, client=client)  # type: ignore[arg-type]


def _evaluate(env: CrmArenaEnv, wire: str, cache: LlmCache, live: bool) -> list[Episode]:
    """Both tasks, one episode each; ``live`` answers from a fake server, else from a client refusing calls."""
    episodes = []
    for index in range(len(TASKS)):
        observation, info, calls, answer = start(env, index)
        client = FakeLlm(wire, [Calls(calls[:1]), Calls(calls[1:]), Text(answer)]).sdk_client() if live else None
        client = client or refusing_client(wire)
        episodes.append(asyncio.run(play(env, _policy(wire, cache, client), observation, info)))
    return episodes


@pytest.mark.parametrize("wire", WIRES)
def test_a_replay_gives_the_same_actions_usage_and_scores_without_network(
    env: CrmArenaEnv, wire: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = _evaluate(env, wire, LlmCache(tmp_path, "read_write"), live=True)
    assert len(list(tmp_path.rglob("*.json"))) == 3 * len(TASKS)  # one entry per model call
    assert not list(tmp_path.rglob(".tmp-*"))

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    replayed = _evaluate(env, wire, LlmCache(tmp_path, "replay"), live=False)
    for before, after in zip(recorded, replayed, strict=True):
        assert after.actions == before.actions
        assert [s.usage for s in after.steps] == [s.usage for s in before.steps]
        assert after.info["score"] == before.info["score"] and after.info["functional"] == 1.0


@pytest.mark.parametrize("wire", WIRES)
def test_replay_needs_no_key_and_builds_no_client(wire: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    policy = _policy(wire, LlmCache(tmp_path, "replay"), client=None)
    assert policy._client is None  # noqa: SLF001
    policy.reset({"prompt": "Which account is largest?"}, {}, [])
    with pytest.raises(PolicyInfrastructureError, match=r"Replay cache miss: no stored reply for request [0-9a-f]{64}"):
        asyncio.run(policy.aact({}, {}))


def test_the_key_is_the_hash_of_the_canonical_request() -> None:
    request = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.0}
    reordered = {"temperature": 0.0, "messages": [{"content": "hi", "role": "user"}], "model": "m"}
    key = request_key("openai.chat", request)
    assert len(key) == 64 and key == request_key("openai.chat", reordered)
    assert key != request_key("openai.chat", {**request, "temperature": 0.5})
    assert key != request_key("openai.responses", request)
    assert key != request_key("openai.chat", request, scope="trial=1")


def test_equal_requests_share_a_reply_within_a_scope_and_not_across_scopes(env: CrmArenaEnv, tmp_path: Path) -> None:
    cache = LlmCache(tmp_path)
    answers = []
    for scope in ("trial=0", "trial=0", "trial=1"):
        observation, info, _, answer = start(env)
        fake = FakeLlm("chat", [Text(f"{answer} ({scope}, request {len(answers)})")])
        policy = _policy("chat", cache, fake.sdk_client())
        policy.cache_scope = scope
        answers.append(asyncio.run(play(env, policy, observation, info)).actions[-1]["answer"])
    assert answers[0] == answers[1] != answers[2]
    assert answers[2].endswith("(trial=1, request 2)")


def test_the_first_stored_reply_of_a_key_wins(tmp_path: Path) -> None:
    cache = LlmCache(tmp_path)
    first = Reply(text="A", usage=Usage(input_tokens=1))
    second = Reply(calls=[ToolRequest(id="c", name="query", arguments='{"sql": "SELECT 1"}')])
    assert cache.store("ab" * 32, first) == first
    assert cache.store("ab" * 32, second) == first
    assert cache.lookup("ab" * 32) == first
    assert json.loads(cache.path("ab" * 32).read_text())["text"] == "A"


def test_concurrent_episodes_share_one_cache_folder(tmp_path: Path) -> None:
    cache = LlmCache(tmp_path)

    async def one(index: int) -> Any:
        world_env = CrmArenaEnv(tasks=TASKS, max_steps=8)
        observation, info, calls, answer = start(world_env, index)
        fake = FakeLlm("chat", [Calls(calls), Text(answer)])
        return await play(world_env, _policy("chat", cache, fake.sdk_client()), observation, info)

    async def both() -> list[Any]:
        return await asyncio.gather(one(0), one(1))

    episodes = asyncio.run(both())
    assert [e.info["functional"] for e in episodes] == [1.0, 1.0]
    assert len(list(tmp_path.rglob("*.json"))) == 4


def test_off_mode_stores_nothing_and_unknown_modes_are_refused(tmp_path: Path) -> None:
    cache = LlmCache(tmp_path, "off")
    cache.store("cd" * 32, Reply(text="x"))
    assert cache.lookup("cd" * 32) is None and not list(tmp_path.rglob("*.json"))
    with pytest.raises(CrmGymError, match="read_write"):
        LlmCache(tmp_path, "write_only")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "body",
    [{**chat_body(Text("x"), 1), "choices": []}, {**chat_body(Calls([("query", {})]), 1), "choices": [{"index": 0}]}],
    ids=["no-choice", "no-message"],
)
def test_a_reply_that_cannot_be_read_is_the_agents_failure_live_and_replayed(
    env: CrmArenaEnv, body: dict[str, Any], tmp_path: Path
) -> None:
    observation, info, _, _ = start(env)
    live = _policy("chat", LlmCache(tmp_path, "read_write"), FakeLlm("chat", [Raw(body)]).sdk_client())
    replay = _policy("chat", LlmCache(tmp_path, "replay"), refusing_client("chat"))
    for policy in (live, replay):  # cached as unreadable: the replay fails the same way, not with a cache miss
        policy.reset(observation, info, env.tool_specs("openai_chat"))
        with pytest.raises(AgentFailureError, match="The model's reply cannot be used: (IndexError|AttributeError)"):
            asyncio.run(policy.aact(observation, info))


@pytest.mark.parametrize("wire", WIRES)
def test_replies_too_deep_or_not_utf8_for_pydantic_are_cached_and_replayed_exactly(
    env: CrmArenaEnv, wire: str, tmp_path: Path
) -> None:
    deep: dict[str, Any] = {"leaf": "x"}
    for _ in range(300):
        deep = {"down": deep}
    arguments = {"sql": deep, "note": "lone \ud800 surrogate"}
    observation, info, _, _ = start(env)
    actions = []
    for cache, client in (
        (LlmCache(tmp_path, "read_write"), FakeLlm(wire, [Calls([("query", arguments)])]).sdk_client()),
        (LlmCache(tmp_path, "replay"), refusing_client(wire)),
    ):
        policy = _policy(wire, cache, client)
        policy.reset(observation, info, env.tool_specs("openai_chat"))
        actions.append(asyncio.run(policy.aact(observation, info)).action)
    assert actions[0] == actions[1] == {"tool": "query", "args": arguments}
