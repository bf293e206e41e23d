"""OpenAIPolicy plays whole CrmArenaEnv episodes through the real openai SDK against a fake server (httpx2 mock)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from llm_fakes import TASKS, Calls, Fail, FakeLlm, SleepRecorder, Text, Timeout, local_server, play, start

from crm_gym.agents.base import PolicyInfrastructureError, Usage
from crm_gym.agents.llm import OpenAIPolicy
from crm_gym.envs.chat import system_text
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError


@pytest.fixture(scope="module")
def env() -> CrmArenaEnv:
    return CrmArenaEnv(tasks=TASKS, max_steps=8)


def _policy(fake: FakeLlm, **settings: Any) -> OpenAIPolicy:
    api = "responses" if fake.wire == "responses" else "chat"
    return OpenAIPolicy("gpt-fake", api=api, client=fake.sdk_client(), **settings)


@pytest.mark.parametrize("task_index", [0, 1])
def test_chat_plays_an_episode_one_call_per_reply_and_solves_it(env: CrmArenaEnv, task_index: int) -> None:
    observation, info, calls, answer = start(env, task_index)
    fake = FakeLlm("chat", [*(Calls([c]) for c in calls), Text(answer)])
    episode = asyncio.run(play(env, _policy(fake, seed=7), observation, info))

    assert episode.actions == [{"tool": t, "args": a} for t, a in calls] + [{"answer": answer}]
    assert episode.info["functional"] == 1.0 and episode.info["invalid_calls"] == 0
    assert [s.usage for s in episode.steps] == [
        Usage(input_tokens=100 + n, output_tokens=10 + n, cached_input_tokens=n) for n in range(1, len(calls) + 2)
    ]
    assert episode.info["measures"]["tokens"] == sum(110 + 2 * n for n in range(1, len(calls) + 2))
    first, last = fake.requests[0], fake.requests[-1]
    assert first["messages"] == [
        {"role": "system", "content": system_text(observation)},
        {"role": "user", "content": observation["prompt"]},
    ]
    assert first["tools"] == env.tool_specs("openai_chat")
    assert (first["model"], first["temperature"], first["seed"], first["max_completion_tokens"]) == (
        "gpt-fake",
        0.0,
        7,
        1024,
    )
    # the history grows by the assistant's call and the tool's result (the env's text), turn by turn
    tool_messages = [m for m in last["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tool_messages] == [f"call_{n}_0" for n in range(1, len(calls) + 1)]
    assert tool_messages[0]["content"] and not tool_messages[0]["content"].startswith("Error")
    assert fake.requests[1]["messages"][:-2] == first["messages"]


def test_several_calls_in_one_reply_go_one_per_step_and_their_results_back_together(env: CrmArenaEnv) -> None:
    observation, info, calls, answer = start(env)
    fake = FakeLlm("chat", [Calls(calls), Text(answer)])
    episode = asyncio.run(play(env, _policy(fake), observation, info))

    assert episode.actions[:-1] == [{"tool": t, "args": a} for t, a in calls]
    assert episode.info["functional"] == 1.0
    assert len(fake.requests) == 2
    assert episode.steps[0].usage is not None and all(s.usage is None for s in episode.steps[1:-1])
    messages = fake.requests[1]["messages"]
    assistant, *results = messages[2:]
    assert [c["id"] for c in assistant["tool_calls"]] == [m["tool_call_id"] for m in results]
    assert [m["role"] for m in results] == ["tool"] * len(calls)


def test_a_malformed_tool_argument_is_an_invalid_call_and_the_episode_goes_on(env: CrmArenaEnv) -> None:
    observation, info, calls, answer = start(env)
    broken = '{"sql": "SELECT Id FROM'
    fake = FakeLlm("chat", [Calls([(calls[0][0], broken)]), *(Calls([c]) for c in calls), Text(answer)])
    episode = asyncio.run(play(env, _policy(fake), observation, info))

    assert episode.actions[0] == {"tool": calls[0][0], "args": broken}
    assert episode.infos[0]["invalid_calls"] == 1 and episode.infos[0]["tool_error"]
    assert episode.info["status"] == "completed" and episode.info["functional"] == 1.0
    error_result = fake.requests[1]["messages"][-1]
    assert error_result["role"] == "tool" and error_result["content"].startswith("Error:")
    assert broken in str(fake.requests[1]["messages"][-2]["tool_calls"])  # the model sees what it sent


@pytest.mark.parametrize("status", [429, 500, 503, 408])
def test_a_transient_failure_is_retried_after_a_backoff(env: CrmArenaEnv, status: int) -> None:
    observation, info, calls, answer = start(env)
    sleep = SleepRecorder()
    fake = FakeLlm("chat", [Fail(status), *(Calls([c]) for c in calls), Text(answer)])
    episode = asyncio.run(play(env, _policy(fake, sleep=sleep), observation, info))

    assert episode.info["functional"] == 1.0
    assert len(fake.requests) == len(calls) + 2 and fake.requests[0] == fake.requests[1]
    assert len(sleep.waits) == 1 and 0.5 <= sleep.waits[0] <= 1.0
    assert episode.steps[0].usage == Usage(input_tokens=102, output_tokens=12, cached_input_tokens=2)


RETRY_AFTER = [({"retry-after": "7"}, 7.0), ({"retry-after-ms": "2500"}, 2.5), ({"retry-after": "900"}, 30.0)]


@pytest.mark.parametrize(("headers", "wait"), RETRY_AFTER)
def test_a_retry_after_header_longer_than_the_backoff_is_honoured_up_to_the_cap(
    headers: dict[str, str], wait: float
) -> None:
    sleep = SleepRecorder()
    fake = FakeLlm("chat", [Fail(429, headers=headers), Text("done")])
    policy = _policy(fake, sleep=sleep)
    policy.reset({"prompt": "hi"}, {}, [])
    assert asyncio.run(policy.aact({}, {})).action == {"answer": "done"}
    assert sleep.waits == [wait]


def test_timeouts_are_retried_with_growing_waits_then_raise_an_infrastructure_error(env: CrmArenaEnv) -> None:
    observation, info, _, _ = start(env)
    sleep = SleepRecorder()
    fake = FakeLlm("chat", [Timeout()] * 4)
    with pytest.raises(PolicyInfrastructureError, match="after 4 attempts"):
        asyncio.run(play(env, _policy(fake, sleep=sleep, max_retries=3), observation, info))
    assert len(fake.requests) == 4
    assert len(sleep.waits) == 3 and all(2**i / 2 <= wait <= 2**i for i, wait in enumerate(sleep.waits))


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_a_client_error_is_not_retried_and_carries_the_provider_message(env: CrmArenaEnv, status: int) -> None:
    observation, info, _, _ = start(env)
    sleep = SleepRecorder()
    fake = FakeLlm("chat", [Fail(status, message="model 'gpt-fake' does not exist")])
    with pytest.raises(PolicyInfrastructureError, match="does not exist"):
        asyncio.run(play(env, _policy(fake, sleep=sleep), observation, info))
    assert len(fake.requests) == 1 and sleep.waits == []


def test_jittered_waits_are_reproducible_per_request_and_differ_between_requests() -> None:
    def waits(prompt: str) -> list[float]:
        sleep = SleepRecorder()
        policy = _policy(FakeLlm("chat", [Fail(429)] * 3), sleep=sleep, max_retries=2)
        policy.reset({"prompt": prompt}, {}, [])
        with pytest.raises(PolicyInfrastructureError):
            asyncio.run(policy.aact({}, {}))
        return sleep.waits

    first = waits("task one")
    assert first == waits("task one") and len(set(first)) == 2
    assert first != waits("task two")  # episodes failing together do not retry in lockstep


def test_responses_api_plays_an_episode_with_its_own_items(env: CrmArenaEnv) -> None:
    observation, info, calls, answer = start(env)
    fake = FakeLlm("responses", [Calls(calls[:1]), Calls(calls[1:]), Text(answer)])
    episode = asyncio.run(play(env, _policy(fake, temperature=None), observation, info))

    assert episode.actions == [{"tool": t, "args": a} for t, a in calls] + [{"answer": answer}]
    assert episode.info["functional"] == 1.0
    assert episode.steps[-1].usage == Usage(input_tokens=103, output_tokens=13, cached_input_tokens=3)
    first, last = fake.requests[0], fake.requests[-1]
    assert first["instructions"] == system_text(observation) and "temperature" not in first
    assert first["input"] == [{"role": "user", "content": observation["prompt"]}]
    assert first["tools"] == env.tool_specs("openai_responses")
    assert first["max_output_tokens"] == 1024
    kinds = [item.get("type", item.get("role")) for item in last["input"]]
    assert kinds == ["user"] + ["function_call", "function_call_output"] * 1 + (
        ["function_call"] * len(calls[1:]) + ["function_call_output"] * len(calls[1:])
    )
    outputs = [item for item in last["input"] if item.get("type") == "function_call_output"]
    assert [o["call_id"] for o in outputs] == ["call_1_0"] + [f"call_2_{i}" for i in range(len(calls[1:]))]


def test_the_tools_sent_are_the_episodes_drifted_tools_in_each_format() -> None:
    drifted = CrmArenaEnv(tasks=TASKS, drift_level="high")
    observation, info = drifted.reset(seed=3)
    chat_tools = drifted.tool_specs("openai_chat")
    plain = CrmArenaEnv(tasks=TASKS)
    plain.reset(seed=3)
    assert chat_tools != plain.tool_specs("openai_chat")  # the drift renamed things the specs name
    for api, flavor in (("chat", "openai_chat"), ("responses", "openai_responses")):
        policy = OpenAIPolicy("m", api=api, api_key="x")
        policy.reset(observation, info, chat_tools)
        assert policy._request()["tools"] == drifted.tool_specs(flavor)  # noqa: SLF001


def test_config_records_every_sampling_setting() -> None:
    fake = FakeLlm("chat", [])
    policy = _policy(fake, temperature=0.3, seed=5, max_tokens=256, timeout=9.0, max_retries=2)
    assert policy.config() == {
        "kind": "openai",
        "model": "gpt-fake",
        "api": "chat",
        "base_url": None,
        "temperature": 0.3,
        "seed": 5,
        "max_tokens": 256,
        "timeout": 9.0,
        "max_retries": 2,
    }
    assert OpenAIPolicy("m", base_url="http://127.0.0.1:8000/v1", api_key="none").config()["base_url"] == (
        "http://127.0.0.1:8000/v1"
    )


def test_settings_that_cannot_work_are_refused() -> None:
    with pytest.raises(CrmGymError, match="Responses API takes no seed"):
        OpenAIPolicy("m", api="responses", seed=1, api_key="x")
    with pytest.raises(CrmGymError, match="'chat' or 'responses'"):
        OpenAIPolicy("m", api="completions", api_key="x")  # type: ignore[arg-type]
    with pytest.raises(CrmGymError, match="max_tokens"):
        OpenAIPolicy("m", max_tokens=0, api_key="x")


def test_the_sdk_client_retries_are_turned_off() -> None:
    fake = FakeLlm("chat", [])
    assert fake.sdk_client().max_retries > 0
    assert _policy(fake, timeout=7.0)._client.max_retries == 0  # noqa: SLF001
    assert _policy(fake, timeout=7.0)._client.timeout == 7.0  # noqa: SLF001
    assert OpenAIPolicy("m", api_key="x")._client.max_retries == 0  # noqa: SLF001


def test_sync_act_plays_over_real_http_on_one_event_loop(env: CrmArenaEnv) -> None:
    observation, info, calls, answer = start(env)
    fake = FakeLlm("chat", [*(Calls([c]) for c in calls), Text(answer)])
    with local_server(fake) as url:
        policy = OpenAIPolicy("gpt-fake", base_url=f"{url}/v1", api_key="local")
        policy.reset(observation, info, env.tool_specs("openai_chat"))
        actions, done = [], False
        while not done:
            actions.append(policy.act(observation, info).action)
            observation, _, done, _, info = env.step(actions[-1])
        policy.close()
    assert actions == [{"tool": t, "args": a} for t, a in calls] + [{"answer": answer}]
    assert info["functional"] == 1.0 and len(fake.requests) == len(calls) + 1
