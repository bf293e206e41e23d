"""AnthropicPolicy plays whole CrmArenaEnv episodes through the real anthropic SDK against a fake server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from llm_fakes import TASKS, Calls, Fail, FakeLlm, SleepRecorder, Text, Timeout, play, start

from crm_gym.agents.base import PolicyInfrastructureError, Usage
from crm_gym.agents.llm import AnthropicPolicy
from crm_gym.envs.chat import system_text
from crm_gym.envs.crm_arena import CrmArenaEnv

EPHEMERAL = {"type": "ephemeral"}


@pytest.fixture(scope="module")
def env() -> CrmArenaEnv:
    return CrmArenaEnv(tasks=TASKS, max_steps=8)


def _policy(fake: FakeLlm, **settings: Any) -> AnthropicPolicy:
    return AnthropicPolicy("claude-fake", client=fake.sdk_client(), **settings)


def test_plays_an_episode_with_tool_use_and_caches_the_fixed_prefix(env: CrmArenaEnv) -> None:
    observation, info, calls, answer = start(env)
    fake = FakeLlm("anthropic", [Calls(calls[:1]), Calls(calls[1:]), Text(answer)])
    episode = asyncio.run(play(env, _policy(fake), observation, info))

    assert episode.actions == [{"tool": t, "args": a} for t, a in calls] + [{"answer": answer}]
    assert episode.info["functional"] == 1.0 and episode.info["invalid_calls"] == 0
    # input = uncached input + cache read (n) + cache write (1); cached = the cache read
    assert episode.steps[0].usage == Usage(input_tokens=103, output_tokens=11, cached_input_tokens=1)
    assert episode.info["measures"]["tokens"] == sum(100 + n + n + 1 + 10 + n for n in (1, 2, 3))
    first, last = fake.requests[0], fake.requests[-1]
    assert first["system"] == [{"type": "text", "text": system_text(observation), "cache_control": EPHEMERAL}]
    assert first["tools"][-1]["cache_control"] == EPHEMERAL
    assert all("cache_control" not in tool for tool in first["tools"][:-1])
    assert [{k: v for k, v in t.items() if k != "cache_control"} for t in first["tools"]] == env.tool_specs("anthropic")
    assert first["cache_control"] == EPHEMERAL  # the conversation is cached as it grows
    assert "temperature" not in first and first["max_tokens"] == 1024
    assert first["messages"] == [{"role": "user", "content": observation["prompt"]}]
    # every assistant turn goes back as it came; all results of a turn go back in one user message
    roles = [m["role"] for m in last["messages"]]
    assert roles == ["user", "assistant", "user", "assistant", "user"]
    assistant, results = last["messages"][3], last["messages"][4]["content"]
    uses = [b for b in assistant["content"] if b["type"] == "tool_use"]
    assert assistant["content"][0] == {"type": "text", "text": "Let me look."}
    assert [b["type"] for b in results] == ["tool_result"] * len(uses)
    assert [b["tool_use_id"] for b in results] == [b["id"] for b in uses]
    assert all(b["content"] and not b["content"].startswith("Error") for b in results)


@pytest.mark.parametrize("status", [429, 529, 500])
def test_a_transient_failure_is_retried(env: CrmArenaEnv, status: int) -> None:
    observation, info, calls, answer = start(env)
    sleep = SleepRecorder()
    fake = FakeLlm("anthropic", [Fail(status), Calls(calls), Text(answer)])
    episode = asyncio.run(play(env, _policy(fake, sleep=sleep), observation, info))
    assert episode.info["functional"] == 1.0
    assert len(fake.requests) == 3 and len(sleep.waits) == 1


def test_exhausted_retries_and_refused_requests_raise_infrastructure_errors(env: CrmArenaEnv) -> None:
    observation, info, _, _ = start(env)
    fake = FakeLlm("anthropic", [Timeout(), Timeout(), Timeout()])
    with pytest.raises(PolicyInfrastructureError, match="after 3 attempts"):
        asyncio.run(play(env, _policy(fake, sleep=SleepRecorder(), max_retries=2), observation, info))
    observation, info, _, _ = start(env)
    fake = FakeLlm("anthropic", [Fail(400, "temperature: Extra inputs are not permitted")])
    with pytest.raises(PolicyInfrastructureError, match="Extra inputs are not permitted"):
        asyncio.run(play(env, _policy(fake, sleep=SleepRecorder()), observation, info))
    assert len(fake.requests) == 1


def test_a_temperature_is_sent_only_when_set(env: CrmArenaEnv) -> None:
    observation, info, _, answer = start(env)
    fake = FakeLlm("anthropic", [Text(answer)])
    episode = asyncio.run(play(env, _policy(fake, temperature=0.0), observation, info))
    assert episode.actions == [{"answer": answer}]
    assert fake.requests[0]["temperature"] == 0.0


def test_config_records_every_sampling_setting() -> None:
    policy = AnthropicPolicy("claude-fake", api_key="x", max_tokens=300, temperature=0.5)
    assert policy.config() == {
        "kind": "anthropic",
        "model": "claude-fake",
        "base_url": None,
        "temperature": 0.5,
        "max_tokens": 300,
        "timeout": 60.0,
        "max_retries": 5,
        "prompt_caching": True,
    }
    assert policy._client.max_retries == 0  # noqa: SLF001
