"""A scripted A2A agent for tests (it calls ``query`` once, then answers with the count it got), and a helper
that serves any Starlette app on a free loopback port in a background thread."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import uvicorn
from a2a.helpers import get_data_parts, new_data_part, new_message, new_task_from_user_message, new_text_part
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks import InMemoryTaskStore, TaskUpdater
from a2a.types import AgentCapabilities, AgentCard, AgentInterface, AgentSkill, Part
from starlette.applications import Starlette


class ScriptedCrmAgent(AgentExecutor):
    """Calls the SQL tool once (``SELECT COUNT(*)`` over the first object of the schema), answers the first value.

    ``reply_as``: "message" (stateless replies) or "task" (the tool call in an ``input-required`` status, the answer
    as an artifact of the completed task). ``encoding``: tool calls and answers as "data" parts or as JSON "text".
    ``answer``: a fixed final answer instead of the first value.
    Every message received is kept in ``received`` (the data parts of each), for assertions.
    """

    def __init__(
        self,
        reply_as: Literal["message", "task"] = "message",
        encoding: Literal["data", "text"] = "data",
        answer: str | None = None,
    ) -> None:
        self.reply_as, self.encoding, self.answer = reply_as, encoding, answer
        self.received: list[list[Any]] = []

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        assert context.message is not None
        data = get_data_parts(context.message.parts)
        self.received.append(data)
        first = data[0]
        if first.get("type") == "crm_task":
            tool = next(t["function"] for t in first["tools"] if "sql" in t["function"]["parameters"]["properties"])
            table = first["schema"].splitlines()[0].split("(")[0]
            decision: dict[str, Any] = {"tool": tool["name"], "args": {"sql": f"SELECT COUNT(*) AS n FROM {table}"}}
        else:
            rows = json.loads(first["result"])["rows"] if first["result"].startswith("{") else [[first["result"]]]
            decision = {"answer": self.answer or str(rows[0][0])}
        parts = [new_data_part(decision)] if self.encoding == "data" else [new_text_part(json.dumps(decision))]
        if self.reply_as == "message":
            await event_queue.enqueue_event(new_message(parts, context_id=context.context_id, task_id=None))
        else:
            await self._reply_in_task(context, event_queue, parts, final="answer" in decision)

    async def _reply_in_task(self, context: RequestContext, queue: EventQueue, parts: list[Part], final: bool) -> None:
        if final:  # the tool result must come back in the task the tool call left in input-required
            assert context.current_task is not None, "the tool result did not continue the agent's task"
        else:
            await queue.enqueue_event(new_task_from_user_message(context.message))
        updater = TaskUpdater(queue, context.task_id, context.context_id)
        if final:
            await updater.add_artifact(parts, name="answer")
            await updater.complete()
        else:
            await updater.requires_input(updater.new_agent_message(parts))

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        raise NotImplementedError


def agent_app(executor: AgentExecutor, url: str, protocol_version: str = "1.0") -> Starlette:
    """A Starlette app serving ``executor`` over JSON-RPC with its card at ``url``; ``protocol_version`` "0.3" makes
    it look like an agent on the A2A 0.3 SDK (as most AgentBeats agents are)."""
    card = AgentCard(
        name="scripted CRM agent",
        description="Test agent.",
        version="1.0.0",
        supported_interfaces=[AgentInterface(url=url, protocol_binding="JSONRPC", protocol_version=protocol_version)],
        capabilities=AgentCapabilities(streaming=False),
        default_input_modes=["text/plain", "application/json"],
        default_output_modes=["text/plain", "application/json"],
        skills=[AgentSkill(id="crm", name="CRM tasks", description="Answers CRM tasks.", tags=["crm"])],
    )
    handler = DefaultRequestHandler(agent_executor=executor, task_store=InMemoryTaskStore(), agent_card=card)
    return Starlette(
        routes=[*create_agent_card_routes(card), *create_jsonrpc_routes(handler, "/", enable_v0_3_compat=True)]
    )


def free_port() -> int:
    """A loopback port nobody listens on (for "agent is down" tests and for servers)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(app: Any, port: int) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1:``port`` in a background thread; yields its URL, stops it on exit."""
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"The test server on port {port} did not start.")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def scripted_agent(protocol_version: str = "1.0", **options: Any) -> Iterator[tuple[str, ScriptedCrmAgent]]:
    """A running `ScriptedCrmAgent` (``options`` go to its constructor): yields its URL and the agent."""
    agent = ScriptedCrmAgent(**options)
    port = free_port()
    with serving(agent_app(agent, f"http://127.0.0.1:{port}", protocol_version), port) as url:
        yield url, agent
