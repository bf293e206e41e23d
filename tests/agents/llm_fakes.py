"""Fake LLM servers for the policy tests: an httpx2 mock transport answering a script in a provider's wire format.

Both SDKs (openai 3, anthropic 2) run on httpx2; the clients are the real SDK clients with ``http_client=`` set.
A script is a list of turns: `Calls` (tool calls), `Text` (a final answer), `Fail` (an HTTP error status),
`Timeout`, or `Raw` (a body sent as it is). Turn number n reports usage input=100+n, output=10+n, cached=n
(Anthropic: cache read n, cache write 1).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anthropic
import httpx2
import openai

from crm_gym.agents.base import Policy, PolicyStep
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.tasks.suites import load_suite

#: Two small-org question tasks whose reference solution makes at least two tool calls.
TASKS = [
    t
    for t in load_suite("crmarena_pro", "test", scale="small")
    if t.expected.kind == "answer" and t.oracle is not None and len(t.oracle.calls) >= 2
][:2]


@dataclass(frozen=True)
class Calls:
    """A reply with tool calls: (name, arguments) pairs; a str argument is sent as raw (maybe broken) JSON."""

    calls: list[tuple[str, dict[str, Any] | str]]


@dataclass(frozen=True)
class Text:
    """A reply with text and no tool call."""

    text: str


@dataclass(frozen=True)
class Fail:
    """An HTTP error response."""

    status: int
    message: str = "fake failure"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Timeout:
    """The request times out."""


@dataclass(frozen=True)
class Raw:
    """A 200 response with this body, as it is (a malformed reply)."""

    body: dict[str, Any]


Turn = Calls | Text | Fail | Timeout | Raw


def _raw(arguments: dict[str, Any] | str) -> str:
    return arguments if isinstance(arguments, str) else json.dumps(arguments)


def chat_body(turn: Calls | Text, n: int) -> dict[str, Any]:
    """A Chat Completions response."""
    message: dict[str, Any] = {"role": "assistant", "content": turn.text if isinstance(turn, Text) else None}
    if isinstance(turn, Calls):
        message["tool_calls"] = [
            {"id": f"call_{n}_{i}", "type": "function", "function": {"name": name, "arguments": _raw(args)}}
            for i, (name, args) in enumerate(turn.calls)
        ]
    return {
        "id": f"chatcmpl-{n}",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-fake",
        "choices": [
            {"index": 0, "finish_reason": "tool_calls" if isinstance(turn, Calls) else "stop", "message": message}
        ],
        "usage": {
            "prompt_tokens": 100 + n,
            "completion_tokens": 10 + n,
            "total_tokens": 110 + 2 * n,
            "prompt_tokens_details": {"cached_tokens": n},
        },
    }


def responses_body(turn: Calls | Text, n: int) -> dict[str, Any]:
    """A Responses API response."""
    if isinstance(turn, Calls):
        output = [
            {
                "type": "function_call",
                "id": f"fc_{n}_{i}",
                "call_id": f"call_{n}_{i}",
                "name": name,
                "arguments": _raw(args),
                "status": "completed",
            }
            for i, (name, args) in enumerate(turn.calls)
        ]
    else:
        output = [
            {
                "type": "message",
                "id": f"msg_{n}",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": turn.text, "annotations": []}],
            }
        ]
    return {
        "id": f"resp_{n}",
        "object": "response",
        "created_at": 0,
        "model": "gpt-fake",
        "status": "completed",
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": 100 + n,
            "output_tokens": 10 + n,
            "total_tokens": 110 + 2 * n,
            "input_tokens_details": {"cached_tokens": n, "cache_write_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }


def anthropic_body(turn: Calls | Text, n: int) -> dict[str, Any]:
    """A Messages API response (input_tokens excludes the cache read n and the cache write 1)."""
    if isinstance(turn, Calls):
        content = [
            {"type": "text", "text": "Let me look."},
            *(
                {"type": "tool_use", "id": f"toolu_{n}_{i}", "name": name, "input": args}
                for i, (name, args) in enumerate(turn.calls)
            ),
        ]
    else:
        content = [{"type": "text", "text": turn.text}]
    return {
        "id": f"msg_{n}",
        "type": "message",
        "role": "assistant",
        "model": "claude-fake",
        "content": content,
        "stop_reason": "tool_use" if isinstance(turn, Calls) else "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 100 + n,
            "output_tokens": 10 + n,
            "cache_read_input_tokens": n,
            "cache_creation_input_tokens": 1,
        },
    }


def _error_body(status: int, message: str, wire: str) -> dict[str, Any]:
    if wire == "anthropic":
        return {"type": "error", "error": {"type": "api_error", "message": message}}
    return {"error": {"message": message, "type": "fake_error", "code": str(status)}}


@dataclass
class FakeLlm:
    """Answers each request with the next turn of ``script`` in the ``wire`` format ("chat", "responses",
    "anthropic"); records every request body. A request past the end of the script fails the test."""

    wire: str
    script: list[Turn]
    requests: list[dict[str, Any]] = field(default_factory=list)

    def respond(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        """Record ``body``; the next turn as (status, JSON body, headers), or None for a timeout."""
        self.requests.append(body)
        n = len(self.requests)
        assert n <= len(self.script), f"request {n} is past the end of the script"
        turn = self.script[n - 1]
        if isinstance(turn, Timeout):
            return None
        if isinstance(turn, Fail):
            return turn.status, _error_body(turn.status, turn.message, self.wire), turn.headers
        if isinstance(turn, Raw):
            return 200, turn.body, {}
        wire_body = {"chat": chat_body, "responses": responses_body, "anthropic": anthropic_body}[self.wire]
        return 200, wire_body(turn, n), {}

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        """The mock transport's handler."""
        answer = self.respond(json.loads(request.content))
        if answer is None:
            raise httpx2.ReadTimeout("fake timeout", request=request)
        body = json.dumps(answer[1]).encode()  # ASCII, as a server sends a lone surrogate: an escape
        return httpx2.Response(answer[0], content=body, headers={"content-type": "application/json", **answer[2]})

    def http_client(self) -> httpx2.AsyncClient:
        """An httpx2 async client whose requests this fake answers."""
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self.handle))

    def sdk_client(self) -> openai.AsyncOpenAI | anthropic.AsyncAnthropic:
        """The real SDK client of this wire format, talking to this fake."""
        if self.wire == "anthropic":
            return anthropic.AsyncAnthropic(api_key="test", base_url="http://llm.test", http_client=self.http_client())
        return openai.AsyncOpenAI(api_key="test", base_url="http://llm.test/v1", http_client=self.http_client())


@contextmanager
def local_server(fake: FakeLlm) -> Iterator[str]:
    """Serve ``fake`` over real HTTP on 127.0.0.1 (a free port); yields the base URL (no timeouts served)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802  (the http.server hook's name)
            answer = fake.respond(json.loads(self.rfile.read(int(self.headers["content-length"]))))
            assert answer is not None, "the local server serves no timeouts"
            payload = json.dumps(answer[1]).encode()
            self.send_response(answer[0])
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def refusing_client(wire: str) -> openai.AsyncOpenAI | anthropic.AsyncAnthropic:
    """An SDK client whose transport fails the test on any request (proves a replay makes no call)."""
    return FakeLlm(wire, []).sdk_client()


class SleepRecorder:
    """An injectable sleep that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclass
class Episode:
    """What a policy did in one episode: its actions, their usage, the final info and every info seen."""

    actions: list[dict[str, Any]]
    steps: list[PolicyStep]
    infos: list[dict[str, Any]]

    @property
    def info(self) -> dict[str, Any]:
        """The last step's info (the scored one when the episode ended)."""
        return self.infos[-1]


async def play(env: CrmArenaEnv, policy: Policy, observation: dict[str, Any], info: dict[str, Any]) -> Episode:
    """Run the env's episode from its reset ``observation`` and ``info`` to the end, recording usage as a runner
    does, then close the policy."""
    steps: list[PolicyStep] = []
    infos: list[dict[str, Any]] = []
    policy.reset(observation, info, env.tool_specs("openai_chat"))
    while True:
        step = await policy.aact(observation, info)
        steps.append(step)
        if step.usage is not None:
            env.record_usage(step.usage.total)
        observation, _, terminated, truncated, info = env.step(step.action)
        infos.append(info)
        if terminated or truncated:
            await policy.aclose()
            return Episode([s.action for s in steps], steps, infos)


def start(env: CrmArenaEnv, task_index: int = 0) -> tuple[dict[str, Any], dict[str, Any], list, str]:
    """Reset on ``TASKS[task_index]``; return the observation, info, the oracle's (tool, args) calls and answer."""
    observation, info = env.reset(seed=task_index, options={"task_id": TASKS[task_index].id})
    *calls, answer = env.oracle_actions()
    return observation, info, [(c["tool"], c["args"]) for c in calls], answer["answer"]
