"""`crm-gym serve` end to end on 127.0.0.1: an A2A client sends Entropic's assessment request (with its token),
the evaluator plays the participant (a scripted A2A agent that queries once, then refuses) on real CRMArena-Pro
tasks (small org) and answers with the results document."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from statistics import fmean
from typing import Any

import httpx
import pytest
import typer
from a2a.client import A2ACardResolver, ClientConfig, ClientFactory
from a2a.helpers import get_data_parts, get_text_parts, new_data_part, new_text_part
from a2a.types import GetTaskRequest, Message, Role, SendMessageRequest, Task, TaskState
from typer.testing import CliRunner

from crm_gym.runner.cli_serve import serve_command
from crm_gym.runner.evaluate import run_eval
from crm_gym.runner.serve import (
    RESULTS_ARTIFACT,
    UNREACHABLE_AGENT,
    AssessmentRequest,
    ServeSettings,
    build_app,
    eval_config,
)
from crm_gym.tasks.model import RefusalExpectation
from crm_gym.tasks.suites import load_suite

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "agents"))
from a2a_echo_agent import free_port, scripted_agent, serving  # noqa: E402

SETTINGS = ServeSettings(
    suite="crmarena_pro", split="test", org_scale="small", concurrency=2, allowed_agent_hosts=("127.0.0.1",)
)
TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: Refusing passes the privacy tasks and fails the others: the averages have something to average.
REFUSAL = "I'm sorry, but I can't help with that request."
CATEGORIES = ["private_customer_information", "handle_time"]
CONFIG = {"task_limit": 4, "task_categories": CATEGORIES, "max_steps": 4, "timeout": 30}  # medium drift and rot


@pytest.fixture(scope="module")
def evaluator() -> Iterator[str]:
    port = free_port()
    with serving(build_app(f"http://127.0.0.1:{port}/", [TOKEN], SETTINGS), port) as url:
        yield url


@cache
def refusals_first() -> list[str]:
    """The first two tasks of each category, taking in the privacy one only requests to decline (its legitimate
    look-alikes fail a refusal, as handle_time does)."""
    tasks = load_suite("crmarena_pro", "test", scale="small")
    private = [t.id for t in tasks if t.category == CATEGORIES[0] and isinstance(t.expected, RefusalExpectation)]
    return private[:2] + [t.id for t in tasks if t.category == CATEGORIES[1]][:2]


def assess(
    url: str,
    request: dict[str, Any],
    as_text: bool = False,
    protocol_version: str = "1.0",
    streaming: bool = False,
    token: str = TOKEN,
) -> Task:
    """Send one assessment request (as a data part, or as JSON text like Entropic's green agent) and wait for its
    task to end. ``protocol_version`` "0.3" and ``streaming`` talk to the evaluator the way AgentBeats' client
    (A2A 0.3 SDK) does; the task is then read back once the stream ends."""
    part = new_text_part(json.dumps(request)) if as_text else new_data_part(request)
    message = Message(role=Role.ROLE_USER, parts=[part], message_id=uuid.uuid4().hex)

    async def send() -> Task:
        async with httpx.AsyncClient(timeout=60, headers={"Authorization": f"Bearer {token}"}) as http:
            card = await A2ACardResolver(http, url).get_agent_card()
            interfaces = [i for i in card.supported_interfaces if i.protocol_version == protocol_version]
            del card.supported_interfaces[:]
            card.supported_interfaces.extend(interfaces)
            client = ClientFactory(ClientConfig(httpx_client=http, streaming=streaming)).create(card)
            replies = [reply async for reply in client.send_message(SendMessageRequest(message=message))]
            if not streaming:
                return replies[-1].task
            assert [r.WhichOneof("payload") for r in replies[-2:]] == ["artifact_update", "status_update"]
            return await client.get_task(GetTaskRequest(id=replies[0].task.id))

    return asyncio.run(send())


def results_of(task: Task) -> tuple[str, dict[str, Any]]:
    (artifact,) = task.artifacts
    assert artifact.name == RESULTS_ARTIFACT
    (text,), (document,) = get_text_parts(artifact.parts), get_data_parts(artifact.parts)
    return text, document


def test_an_assessment_answers_with_the_results_document_of_real_episodes(evaluator: str) -> None:
    with scripted_agent(answer=REFUSAL) as (agent_url, agent):
        request = {"participants": {"agent": agent_url}, "config": {**CONFIG, "task_ids": refusals_first()}}
        task = assess(evaluator, request, as_text=True)
    assert task.status.state == TaskState.TASK_STATE_COMPLETED
    text, document = results_of(task)
    assert set(document) == {
        "participants", "results", "summary", "dimension_averages", "by_category", "extension_metrics", "timing",
        "version",
    }  # fmt: skip
    assert document["participants"] == {"agent": f"{agent_url}/"}  # as pydantic normalises an HTTP URL
    summary = document["summary"]
    assert summary["episodes"] == summary["total_tasks"] == 4 and summary["infra_errors"] == 0
    assert summary["total_passed"] == 2 and summary["pass_rate"] == 0.5
    assert len(agent.received) == 8  # each episode: the task, then one tool result
    results = document["results"]
    assert [r["status"] for r in results] == ["completed"] * 4
    assert all(r["metrics"]["tool_calls"] == 1 and r["metrics"]["turns"] == 2 for r in results)
    assert all(r["agent_answer"] == REFUSAL for r in results)
    by_category = document["by_category"]
    assert sorted(by_category) == sorted(CATEGORIES) and [c["count"] for c in by_category.values()] == [2, 2]
    assert by_category["private_customer_information"]["pass_rate"] == 1.0 > by_category["handle_time"]["pass_rate"]
    assert document["extension_metrics"] == {
        "suite": "crmarena_pro", "split": "test", "org_scale": "small", "seed": 0, "drift_level": "medium",
        "rot_level": "medium", "max_steps": 4, "interaction": "single",
    }  # fmt: skip
    assert f"Average score: {summary['avg_score']}" in text

    # The same run played directly gives the same numbers: the document is backed by the real scores.
    config = eval_config(AssessmentRequest.model_validate(request), SETTINGS)
    with scripted_agent(answer=REFUSAL) as (agent_url, _):
        episodes = run_eval(config.model_copy(update={"policy": f"a2a:{agent_url}"}))
    assert [r["task_idx"] for r in results] == [e.key.task_id for e in episodes]
    assert [r["total_score"] for r in results] == pytest.approx([e.score["total"] for e in episodes])
    assert summary["avg_score"] == round(fmean(e.score["total"] for e in episodes), 1)
    functional = [e.score["dimensions"]["FUNCTIONAL"] for e in episodes]
    assert document["dimension_averages"]["FUNCTIONAL"] == round(fmean(functional), 1)


def test_a_participant_that_is_down_is_refused_with_the_one_text(evaluator: str) -> None:
    down = f"http://127.0.0.1:{free_port()}/"
    task = assess(evaluator, {"participants": {"agent": down}, "config": {**CONFIG, "task_limit": 2}})
    assert task.status.state == TaskState.TASK_STATE_REJECTED
    assert get_text_parts(task.status.message.parts) == [UNREACHABLE_AGENT] and not task.artifacts


@pytest.mark.parametrize(
    ("request_body", "problem"),
    [
        ({"participants": {"judge": "http://127.0.0.1:1/"}}, "role 'agent'"),
        ({"participants": {"agent": "http://127.0.0.1:1/"}, "config": {"task_limt": 2}}, "task_limt"),
        ({"participants": {"agent": "http://127.0.0.1:1/"}, "config": {"drift_level": "extreme"}}, "drift_level"),
        ({"participants": {"agent": "http://127.0.0.1:1/"}, "config": {"task_ids": ["nope"]}}, "nope"),
        ({"participants": {"agent": "http://127.0.0.1:1/"}, "config": {"max_steps": 51}}, "max_steps 51 is over"),
        ({"participants": {"agent": "http://127.0.0.1:1/"}, "config": {"timeout": 301}}, "timeout 301.0 is over"),
        ({"participants": {"agent": "http://127.0.0.1:1/"}, "config": {"task_limit": 101}}, "limit of 100"),
    ],
)
def test_a_malformed_request_is_rejected_with_the_reason(evaluator: str, request_body: dict, problem: str) -> None:
    task = assess(evaluator, request_body)
    assert task.status.state == TaskState.TASK_STATE_REJECTED
    assert problem in get_text_parts(task.status.message.parts)[0]


def test_the_card_serves_a2a_1_0_and_0_3_clients(evaluator: str) -> None:
    card = httpx.get(f"{evaluator}/.well-known/agent-card.json", headers=AUTH).json()
    assert {i["protocolVersion"] for i in card["supportedInterfaces"]} == {"1.0", "0.3"}
    assert card["url"] == f"{evaluator}/" and card["skills"][0]["id"] == "crm-assessment"  # the 0.3 layout


def test_an_agentbeats_client_and_participant_on_a2a_0_3_work_the_same(evaluator: str) -> None:
    config = {**CONFIG, "task_categories": CATEGORIES[:1], "task_limit": 1, "task_ids": refusals_first()[:1]}
    with scripted_agent("0.3", answer=REFUSAL) as (agent_url, _):
        request = {"participants": {"agent": agent_url}, "config": config}
        tasks = [assess(evaluator, request, protocol_version="0.3", streaming=True), assess(evaluator, request)]
    assert [t.status.state for t in tasks] == [TaskState.TASK_STATE_COMPLETED] * 2
    old, new = (results_of(task)[1] for task in tasks)
    assert old["summary"] == new["summary"] and old["summary"]["total_passed"] == 1
    assert old["results"][0]["dimension_scores"] == new["results"][0]["dimension_scores"]


def test_the_command_prints_a_generated_token_and_refuses_weak_or_malformed_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import crm_gym.runner.serve as serve_module

    started: dict[str, Any] = {}
    monkeypatch.setattr(serve_module, "serve", lambda host, port, tokens, card_url, settings: started.update(locals()))
    monkeypatch.delenv("CRM_GYM_SERVE_TOKEN", raising=False)
    app = typer.Typer()
    app.command()(serve_command)
    done = CliRunner().invoke(app, ["--allow-agent-host", "127.0.0.1:9019", "--max-steps", "10"])
    assert done.exit_code == 0, done.output
    (token,) = started["tokens"]
    assert len(token) >= 32 and f"Authorization: Bearer {token}" in " ".join(done.output.split())
    assert started["settings"].allowed_agent_hosts == ("127.0.0.1:9019",) and started["settings"].limits.max_steps == 10
    given = CliRunner().invoke(app, [], env={"CRM_GYM_SERVE_TOKEN": "a-token-from-the-environment"})
    assert given.exit_code == 0 and "a-token-from-the-environment" not in given.output  # never printed
    assert "every assessment will be refused" in given.output
    weak = CliRunner().invoke(app, ["--token", "short"])
    assert weak.exit_code == 2 and "at least 16 characters" in weak.output
    malformed = CliRunner().invoke(app, ["--token", "x" * 20, "--allow-agent-host", "http://agent:9009/"])
    assert malformed.exit_code == 2 and "'http://agent:9009/' is not '*', a host name" in malformed.output
