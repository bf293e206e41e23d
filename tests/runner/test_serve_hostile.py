"""`crm-gym serve` against hostile clients and agents, on 127.0.0.1 only: unauthenticated clients, oversized
requests, agents it may not reach (a card pointing elsewhere, a redirect, unlisted hosts, the metadata address),
a silent agent, a client holding more than its share, and clients reading each other's tasks."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from a2a.auth.user import User
from a2a.client import A2ACardResolver, ClientConfig, ClientFactory
from a2a.helpers import get_data_parts, get_text_parts, new_data_part
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.context import ServerCallContext
from a2a.server.events import EventQueue
from a2a.types import (
    GetTaskRequest,
    ListTasksRequest,
    Message,
    Role,
    SendMessageRequest,
    Task,
    TaskState,
    TaskStatus,
)
from a2a.utils.errors import A2AError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route

from crm_gym.runner.serve import (
    EPISODE_ERRORS,
    UNREACHABLE_AGENT,
    ServeLimits,
    ServeSettings,
    build_app,
)
from crm_gym.runner.serve_guard import UNAUTHORIZED, EvictingTaskStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "agents"))
from a2a_echo_agent import agent_app, free_port, serving  # noqa: E402

TOKEN_A, TOKEN_B = "client-a-token-0123456789", "client-b-token-9876543210"
MAX_BYTES = 8192
PORTS = {name: free_port() for name in ("evaluator", "hostile_card", "redirect", "silent", "down", "victim")}
LISTED = ("hostile_card", "redirect", "silent", "down")  # the victim is never listed
SETTINGS = ServeSettings(
    suite="crmarena_pro",
    split="test",
    org_scale="small",
    concurrency=1,
    allowed_agent_hosts=tuple(f"127.0.0.1:{PORTS[name]}" for name in LISTED),
    limits=ServeLimits(max_request_bytes=MAX_BYTES, max_assessments_per_client=1),
)
QUICK = {"task_limit": 1, "max_steps": 2, "timeout": 0.5}


def url(name: str) -> str:
    return f"http://127.0.0.1:{PORTS[name]}/"


class Victim:
    """A local service nobody should reach through the evaluator: it counts every request."""

    def __init__(self) -> None:
        self.hits: list[str] = []

    def app(self) -> Starlette:
        async def record(request: Request) -> PlainTextResponse:
            self.hits.append(f"{request.method} {request.url.path}")
            return PlainTextResponse("secret internal data")

        return Starlette(routes=[Route("/{path:path}", record, methods=["GET", "POST"])])


class SilentAgent(AgentExecutor):
    """Takes every message and never answers."""

    def __init__(self) -> None:
        self.received = threading.Event()

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        self.received.set()
        await asyncio.Event().wait()

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        raise NotImplementedError


@pytest.fixture(scope="module")
def world() -> Iterator[dict[str, Any]]:
    """The evaluator and its hostile neighbours, all on 127.0.0.1."""
    victim, silent = Victim(), SilentAgent()
    redirect = Starlette(
        routes=[Route("/{path:path}", lambda r: RedirectResponse(f"{url('victim')}{r.url.path[1:]}", 307))]
    )
    apps = {
        "victim": victim.app(),
        "hostile_card": agent_app(SilentAgent(), url("victim")),  # its card sends the evaluator to the victim
        "redirect": redirect,
        "silent": agent_app(silent, url("silent")),
        "evaluator": build_app(url("evaluator"), [TOKEN_A, TOKEN_B], SETTINGS),
    }
    with (
        serving(apps["victim"], PORTS["victim"]),
        serving(apps["hostile_card"], PORTS["hostile_card"]),
        serving(apps["redirect"], PORTS["redirect"]),
        serving(apps["silent"], PORTS["silent"]),
        serving(apps["evaluator"], PORTS["evaluator"]),
    ):
        yield {"victim": victim, "silent": silent}


async def _client(token: str) -> AsyncIterator[Any]:
    async with httpx.AsyncClient(timeout=60, headers={"Authorization": f"Bearer {token}"}) as http:
        card = await A2ACardResolver(http, url("evaluator")).get_agent_card()
        yield ClientFactory(ClientConfig(httpx_client=http, streaming=False)).create(card)


def assess(agent: str, config: dict[str, Any], token: str = TOKEN_A) -> Task:
    request = {"participants": {"agent": agent}, "config": config}
    message = Message(role=Role.ROLE_USER, parts=[new_data_part(request)], message_id=uuid.uuid4().hex)

    async def send() -> Task:
        async for client in _client(token):
            replies = [reply async for reply in client.send_message(SendMessageRequest(message=message))]
            return replies[-1].task
        raise AssertionError("no client")

    return asyncio.run(send())


def status_text(task: Task) -> str:
    return "\n".join(get_text_parts(task.status.message.parts))


def test_a_client_without_the_token_is_refused_everywhere_with_one_text(world: dict[str, Any]) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "ListTasks", "params": {}}
    answers = []
    for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": f"Basic {TOKEN_A}"}):
        answers.append(httpx.get(f"{url('evaluator')}.well-known/agent-card.json", headers=headers))
        answers.append(httpx.post(url("evaluator"), json=body, headers=headers))
    assert {a.status_code for a in answers} == {401} and {a.json()["error"] for a in answers} == {UNAUTHORIZED}
    assert all(a.headers["www-authenticate"] == "Bearer" for a in answers)
    ok = httpx.get(f"{url('evaluator')}.well-known/agent-card.json", headers={"Authorization": f"Bearer {TOKEN_B}"})
    assert ok.status_code == 200 and "bearer" in ok.json()["securitySchemes"]


def test_an_oversized_request_is_refused_before_it_is_read(world: dict[str, Any]) -> None:
    auth = {"Authorization": f"Bearer {TOKEN_A}", "content-type": "application/json"}
    big = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": {"pad": "x" * 100_000}}).encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: the body streams in
        for start in range(0, len(big), 4096):
            yield big[start : start + 4096]

    declared = httpx.post(url("evaluator"), content=big, headers=auth)
    streamed = httpx.post(url("evaluator"), content=chunks(), headers=auth)
    anonymous = httpx.post(url("evaluator"), content=big, headers={"content-type": "application/json"})
    assert declared.status_code == streamed.status_code == 413
    assert declared.json() == streamed.json() == {"error": f"Request body too large: at most {MAX_BYTES:,} bytes."}
    assert anonymous.status_code == 401  # authentication comes first


def test_agents_it_may_not_reach_get_one_text_and_are_never_contacted(world: dict[str, Any]) -> None:
    agents = [
        url("victim"),  # open, but not listed
        "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        f"http://localhost:{PORTS['silent']}/",  # a listed address under a name that is not listed
        f"http://127.0.0.1:{free_port()}/",  # closed, not listed
        url("down"),  # listed, nothing listens
        url("hostile_card"),  # listed, its card points at the victim
        url("redirect"),  # listed, redirects to the victim
    ]
    tasks = [assess(agent, QUICK) for agent in agents]
    assert [t.status.state for t in tasks] == [TaskState.TASK_STATE_REJECTED] * len(agents)
    assert {status_text(t) for t in tasks} == {UNREACHABLE_AGENT}  # no oracle: open, closed, filtered look alike
    assert world["victim"].hits == []


def test_a_silent_agent_is_an_infrastructure_failure_and_a_client_runs_one_assessment_at_a_time(
    world: dict[str, Any],
) -> None:
    results: list[Task] = []
    first = threading.Thread(target=lambda: results.append(assess(url("silent"), QUICK)))
    first.start()
    try:
        assert world["silent"].received.wait(timeout=60)  # the first assessment is talking to the silent agent
        second = assess(url("silent"), QUICK)
        assert second.status.state == TaskState.TASK_STATE_REJECTED
        assert "already has 1 assessment(s) running (at most 1 per client)" in status_text(second)
    finally:
        first.join(timeout=120)
    (task,) = results
    assert task.status.state == TaskState.TASK_STATE_FAILED  # nothing could be scored
    (document,) = get_data_parts(task.artifacts[0].parts)
    assert document["summary"]["infra_errors"] == 1 and document["summary"]["total_tasks"] == 0
    assert [r["error"] for r in document["results"]] == [EPISODE_ERRORS["infra_error"]]


def test_a_client_lists_and_reads_its_own_tasks_only(world: dict[str, Any]) -> None:
    mine = assess(url("victim"), QUICK, token=TOKEN_B)  # refused, but a task of client B all the same

    async def look(token: str) -> tuple[set[str], Task | None]:
        async for client in _client(token):
            listed = {t.id for t in (await client.list_tasks(ListTasksRequest())).tasks}
            try:
                read = await client.get_task(GetTaskRequest(id=mine.id))
            except A2AError:
                read = None
            return listed, read
        raise AssertionError("no client")

    own_list, own_read = asyncio.run(look(TOKEN_B))
    other_list, other_read = asyncio.run(look(TOKEN_A))
    assert mine.id in own_list and own_read is not None and own_read.id == mine.id
    assert mine.id not in other_list and other_read is None


class Client(User):
    """A signed-in client, as the server's authentication makes one."""

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def user_name(self) -> str:
        return "client-1"


def test_the_task_store_keeps_a_bounded_number_of_tasks_for_a_bounded_time() -> None:
    now = [0.0]
    store = EvictingTaskStore(size=3, ttl=100.0, clock=lambda: now[0])
    alice = ServerCallContext(user=Client())

    def task(i: int) -> Task:
        return Task(id=f"t{i}", context_id="c", status=TaskStatus(state=TaskState.TASK_STATE_COMPLETED))

    async def scenario() -> list[list[str]]:
        seen = []
        for i in range(5):
            now[0] = float(i)
            await store.save(task(i), alice)
        seen.append([t.id for t in (await store.list(ListTasksRequest(), alice)).tasks])
        now[0] = 150.0  # t2..t4 were last updated at 2..4: past the 100 s age
        seen.append([t.id for t in (await store.list(ListTasksRequest(), alice)).tasks])
        return seen

    full, aged = asyncio.run(scenario())
    assert sorted(full) == ["t2", "t3", "t4"] and aged == [] and len(store) == 0
