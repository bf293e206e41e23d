"""LLMUser through the real openai and anthropic SDKs against a fake server: the scenario as instructions, a reply
that invents a fact caught and asked again, 429s retried, the cache replayed without a key, a user that keeps
failing recorded as an infrastructure failure; and a whole multi-turn episode over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llm_fakes import Fail, FakeLlm, SleepRecorder, Text, local_server, refusing_client

from crm_gym.agents.llm.user import USER_INSTRUCTIONS, LLMUser
from crm_gym.agents.reference import OraclePolicy
from crm_gym.conversation import make_user, scenario_for
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import UserSimulatorError
from crm_gym.tasks.suites import load_suite

TASK = next(t for t in load_suite("arc") if t.id == "arc-create_opportunity-002")  # Kestrel, $160,000
SCENARIO = scenario_for(TASK)
QUESTION = "How much is the deal worth?"


def _user(fake: FakeLlm, **options) -> LLMUser:  # noqa: ANN003
    provider = "anthropic" if fake.wire == "anthropic" else "openai"
    return LLMUser(provider, "user-model", SCENARIO, seed=4, client=fake.sdk_client(), **options)


@pytest.mark.parametrize("wire", ["chat", "anthropic"])
def test_the_user_answers_from_its_scenario_through_the_sdk(wire: str) -> None:
    fake = FakeLlm(wire, [Text("It's about $160,000.")])
    user = _user(fake)
    assert user.reply(QUESTION) == "It's about $160,000."
    user.close()
    [request] = fake.requests
    text = json.dumps(request)
    assert USER_INSTRUCTIONS[:60] in text and "$160,000" in text and "Kestrel Energy Storage" in text
    assert "How much is the deal worth?" in text and "expected close date" in text  # what it does not know
    assert request.get("tools") in (None, [])  # a user has no tools


def test_a_reply_that_invents_a_fact_is_caught_and_asked_again() -> None:
    script = [Text("It's $75,000 and closes April 2, 2025."), Text("It's $160,000."), Text("I don't know the stage.")]
    fake = FakeLlm("chat", script)
    user = _user(fake)
    assert user.reply(QUESTION) == "It's $160,000."
    retry = json.dumps(fake.requests[1])
    assert "states facts you were not given ($75,000, April 2, 2025)" in retry
    assert user.reply("What stage is it at?") == "I don't know the stage."
    user.close()
    later = json.dumps(fake.requests[2])  # the conversation carries the accepted reply, never the rejected one
    assert "$160,000." in later and "$75,000" not in later


def test_a_user_that_keeps_inventing_or_stays_silent_is_a_user_failure() -> None:
    fake = FakeLlm("chat", [Text("It's $75,000."), Text(""), Text("Dana Whitfield owns it, $90k.")])
    user = _user(fake, max_attempts=3)
    with pytest.raises(UserSimulatorError, match="no usable reply in 3 attempts: states facts.*was empty.*Dana"):
        user.reply(QUESTION)
    user.close()


def test_a_429_is_retried_and_exhausted_retries_fail_the_user_not_the_agent() -> None:
    sleep = SleepRecorder()
    fake = FakeLlm("anthropic", [Fail(429, "slow down", {"retry-after": "2"}), Text("It's $160,000.")])
    user = _user(fake, sleep=sleep)
    assert user.reply(QUESTION) == "It's $160,000."
    assert len(fake.requests) == 2 and sleep.waits and sleep.waits[0] >= 2.0
    user.close()
    down = FakeLlm("chat", [Fail(503), Fail(503)])
    user = _user(down, sleep=SleepRecorder(), max_retries=1)
    with pytest.raises(UserSimulatorError, match="could not reply.*503"):
        user.reply(QUESTION)
    user.close()


def test_replies_are_cached_and_replayed_without_a_key(tmp_path: Path) -> None:
    fake = FakeLlm("chat", [Text("It's $75,000."), Text("It's $160,000.")])
    user = _user(fake, cache_dir=tmp_path)
    assert user.reply(QUESTION) == "It's $160,000."
    user.close()
    replay = LLMUser("openai", "user-model", SCENARIO, seed=4, client=refusing_client("chat"), cache_dir=tmp_path,
                     cache_mode="replay")  # fmt: skip
    assert replay.reply(QUESTION) == "It's $160,000."  # both requests, the rejected reply's too, from the cache
    replay.close()
    other_trial = LLMUser("openai", "user-model", SCENARIO, seed=5, client=refusing_client("chat"),
                          cache_dir=tmp_path, cache_mode="replay")  # fmt: skip
    with pytest.raises(UserSimulatorError, match="Replay cache miss"):
        other_trial.reply(QUESTION)  # another episode seed is cached on its own
    other_trial.close()


def test_the_user_spec_builds_an_llm_user() -> None:
    fake = FakeLlm("chat", [Text("It's $160,000.")])
    user = make_user("llm:openai:user-model", SCENARIO, seed=1, client=fake.sdk_client())
    assert isinstance(user, LLMUser) and user.config()["kind"] == "llm:openai"
    assert user.config()["model"] == "user-model"


def test_a_multi_turn_episode_with_an_llm_user_over_real_http() -> None:
    env = CrmArenaEnv(tasks=[TASK], interaction="multi", max_steps=10)
    env.reset(seed=2, options={"task_id": TASK.id})
    question = env.oracle_actions()[0]["args"]["message"]
    answer = "It's for Kestrel Energy Storage. Call it \"Kestrel Energy Storage - Mobile App Rebuild\". It's $160,000."
    fake = FakeLlm("chat", [Text(answer)])
    with local_server(fake) as url:
        env = CrmArenaEnv(tasks=[TASK], interaction="multi", user="llm:openai:user-model", max_steps=10,
                          user_options={"base_url": f"{url}/v1", "api_key": "test-key"})  # fmt: skip
        observation, info = env.reset(seed=2, options={"task_id": TASK.id})
        policy = OraclePolicy(env)
        policy.reset(observation, info, env.tool_specs())
        while True:
            observation, _, terminated, truncated, info = env.step(policy.act(observation, info).action)
            if terminated or truncated:
                break
    assert info["passed"] and info["user_turns"] == 1
    assert len(fake.requests) == 1 and question in json.dumps(fake.requests[0])


def test_an_invented_fact_from_the_llm_user_never_reaches_the_agent() -> None:
    fake = FakeLlm("chat", [Text("It's $75,000."), Text("It's $75,000."), Text("It's $75,000.")])
    env = CrmArenaEnv(tasks=[TASK], interaction="multi", user="llm:openai:user-model",
                      user_options={"client": fake.sdk_client()})  # fmt: skip
    env.reset(seed=2, options={"task_id": TASK.id})
    with pytest.raises(UserSimulatorError, match=r"\$75,000"):
        env.step({"tool": "ask_user", "args": {"message": QUESTION}})
