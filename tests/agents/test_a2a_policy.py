"""`A2APolicy` against real A2A agents on 127.0.0.1: whole episodes of the real env, the failures that must be
infrastructure errors (agent down, agent timing out), never scores, and those that are the agent's own (an error
it answers with, a task it ends as failed), scored as its failures."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from a2a.helpers import new_data_part, new_task_from_user_message, new_text_part
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.tasks import TaskUpdater
from a2a_echo_agent import agent_app, free_port, scripted_agent, serving

from crm_gym import CrmArenaEnv
from crm_gym.agents.a2a_policy import A2APolicy, reply_action
from crm_gym.errors import CrmGymError
from crm_gym.runner.env_thread import EnvThread
from crm_gym.runner.episodes import run_episode
from crm_gym.runner.records import EpisodeKey, EpisodeResult


@pytest.fixture(scope="module")
def arc_env() -> CrmArenaEnv:
    return CrmArenaEnv(suite="arc", split="test", max_steps=5)


def play(env: CrmArenaEnv, url: str, task_index: int = 0, drift: str = "none", **options: Any) -> EpisodeResult:
    """One episode of the env's ``task_index``-th task, played through the runner by an A2APolicy on ``url`` (in
    an env like ``env``, built in the thread that runs it, as the runner does)."""
    key = EpisodeKey(task_id=list(env.tasks)[task_index], trial=0, drift_level=drift, rot_level="none")

    async def episode() -> EpisodeResult:
        slot = await EnvThread.start(lambda: CrmArenaEnv(tasks=list(env.tasks.values()), max_steps=env.max_steps))
        try:
            return await run_episode(slot, lambda env, seed: A2APolicy(url, **options), key, seed=7, split="test")
        finally:
            slot.close()

    return asyncio.run(episode())


@pytest.mark.parametrize(
    ("reply_as", "encoding", "protocol_version"),
    [
        ("message", "data", "1.0"),
        ("message", "text", "1.0"),
        ("task", "data", "1.0"),
        ("task", "text", "1.0"),
        ("message", "data", "0.3"),
        ("task", "text", "0.3"),
    ],
)
def test_a_remote_agent_plays_a_whole_episode(
    arc_env: CrmArenaEnv, reply_as: str, encoding: str, protocol_version: str
) -> None:
    with scripted_agent(protocol_version, reply_as=reply_as, encoding=encoding) as (url, agent):
        result = play(arc_env, url, task_index=3)
    assert result.status == "completed", result.error
    query, answer = result.steps
    assert query.tool == "query" and query.tool_error is None
    count = json.loads(query.result)["rows"][0][0]
    assert answer.action == {"answer": str(count)} and result.answer == str(count)
    assert all(step.usage is None for step in result.steps)
    assert isinstance(result.score["total"], float) and "FUNCTIONAL" in result.score["dimensions"]
    assert result.policy == {"kind": "a2a", "url": url, "timeout": 300.0, "max_retries": 2}
    task_message, tool_message = agent.received
    task = task_message[0]
    assert task["type"] == "crm_task" and task["prompt"] == result.observation["prompt"]
    assert task["schema"] == result.observation["schema"] and task["required_context"] == result.observation["context"]
    assert {tool["function"]["name"] for tool in task["tools"]} >= {"query", "get", "describe"}
    assert "task_id" not in task and "task_category" not in task  # the env never shows them to a policy
    assert tool_message == [{"type": "tool_result", "tool": "query", "result": query.result}]


def test_the_agent_works_in_the_drifted_names_it_is_sent(arc_env: CrmArenaEnv) -> None:
    with scripted_agent() as (url, agent):
        plain, drifted = play(arc_env, url, task_index=3), play(arc_env, url, task_index=3, drift="high")
    assert drifted.status == "completed" and drifted.steps[0].tool_error is None  # its query used the drifted names
    assert agent.received[2][0]["schema"] == drifted.observation["schema"] != plain.observation["schema"]


def test_each_episode_is_a_new_conversation(arc_env: CrmArenaEnv) -> None:
    with scripted_agent() as (url, agent):
        first, second = play(arc_env, url, task_index=0), play(arc_env, url, task_index=1)
    assert first.status == second.status == "completed"
    assert [m[0]["type"] for m in agent.received] == ["crm_task", "tool_result", "crm_task", "tool_result"]


def test_an_agent_that_is_down_is_an_infrastructure_error(arc_env: CrmArenaEnv) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = play(arc_env, url, max_retries=1, retry_delay=0.01)
    assert result.status == "infra_error" and not result.scored
    assert "PolicyInfrastructureError" in result.error and url in result.error and "2 attempt(s)" in result.error
    assert result.score is None and result.functional is None


class FailingAgent(AgentExecutor):
    """Raises on every message, so the SDK answers with a JSON-RPC internal error."""

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        raise RuntimeError("model provider unavailable")

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        raise NotImplementedError


class GivingUpAgent(AgentExecutor):
    """Ends every task it is given as failed, with a message: what an agent about to fail a task might do."""

    def __init__(self) -> None:
        self.calls = 0

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        self.calls += 1
        await event_queue.enqueue_event(new_task_from_user_message(context.message))
        updater = TaskUpdater(event_queue, context.task_id, context.context_id)
        await updater.failed(updater.new_agent_message([new_text_part("I would rather not be scored on this one")]))

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        raise NotImplementedError


class SlowAgent(AgentExecutor):
    """Takes longer to reply than the policy's timeout."""

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        await asyncio.sleep(1.5)

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        raise NotImplementedError


def test_an_agent_that_does_not_reply_in_time_is_an_infrastructure_error(arc_env: CrmArenaEnv) -> None:
    port = free_port()
    with serving(agent_app(SlowAgent(), f"http://127.0.0.1:{port}"), port) as url:
        result = play(arc_env, url, timeout=0.5, max_retries=0)
    assert result.status == "infra_error" and result.steps == [] and not result.scored
    assert "PolicyInfrastructureError" in result.error


@pytest.mark.parametrize("executor", [FailingAgent(), GivingUpAgent()], ids=["raising", "giving-up"])
def test_an_agent_that_fails_its_task_is_scored_as_failing_it(arc_env: CrmArenaEnv, executor: AgentExecutor) -> None:
    port = free_port()
    with serving(agent_app(executor, f"http://127.0.0.1:{port}"), port) as url:
        result = play(arc_env, url, max_retries=1, retry_delay=0.01)
    assert result.status == "agent_error" and result.scored, result.error
    assert result.passed is False and result.functional == 0.0 and result.score is not None
    assert "AgentFailureError" in result.error and result.steps == [] and result.answer is None
    if isinstance(executor, GivingUpAgent):  # the agent's own verdict is final: it is not asked again
        assert executor.calls == 1 and "TASK_STATE_FAILED: I would rather not be scored" in result.error


def test_acting_before_reset_is_an_error() -> None:
    with pytest.raises(CrmGymError, match="before reset"):
        asyncio.run(A2APolicy("http://127.0.0.1:1").aact({}, {}))


def test_the_sync_act_plays_an_episode_too(arc_env: CrmArenaEnv) -> None:
    observation, info = arc_env.reset(seed=3, options={"task_id": list(arc_env.tasks)[2]})
    with scripted_agent() as (url, _):
        policy = A2APolicy(url)
        policy.reset(observation, info, arc_env.tool_specs("openai_chat"))
        call = policy.act(observation, info)  # each act() runs in its own event loop
        observation, *_ = arc_env.step(call.action)
        answer = policy.act(observation, info)
    count = json.loads(observation["last_result"])["rows"][0][0]
    assert call.action["tool"] == "query" and answer.action == {"answer": str(count)}


@pytest.mark.parametrize(
    ("parts", "action"),
    [
        (
            [new_data_part({"tool": "get", "args": {"object": "Case", "limit": 5.0, "ratio": 0.5}})],
            {"tool": "get", "args": {"object": "Case", "limit": 5, "ratio": 0.5}},
        ),
        ([new_text_part("thinking"), new_data_part({"answer": ["a", "b"]})], {"answer": '["a", "b"]'}),
        ([new_text_part('{"tool": "describe"}')], {"tool": "describe", "args": {}}),
        ([new_text_part('Here:\n```json\n{"answer": "Acme"}\n```')], {"answer": "Acme"}),
        ([new_text_part('{"metrics": {"tokens": 5}}')], {"answer": '{"metrics": {"tokens": 5}}'}),
        ([new_text_part("  plain words  ")], {"answer": "plain words"}),
        ([], {"answer": ""}),
    ],
)
def test_replies_become_env_actions(parts: list[Any], action: dict[str, Any]) -> None:
    assert reply_action(parts) == action
