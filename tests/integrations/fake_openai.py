"""A local OpenAI-compatible chat server that replays reference policies, for driving trainers' clients.

The request's ``model`` names the policy and the episode: ``oracle|TASK|GROUP|DRIFT`` replays `OraclePolicy`'s
actions for that episode (the server resets its own env with the same key, so the drifted names match), and
``random|SEED`` plays `RandomPolicy`'s seeded calls over the request's tools for three turns, then answers
"None". The turn is the number of assistant messages in the request. A final answer is sent as a
``submit_answer`` call when the request offers that tool, else as plain text.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from crm_gym.agents.reference import RandomPolicy
from crm_gym.envs.crm_arena import CrmArenaEnv

RANDOM_TURNS = 3
EPISODES: dict[str, tuple[str, str, str]] = {}
"""Opening (system + user text) -> (task id, group, drift level): how the model ``oracle`` finds its episode."""


def register(rows: list[dict[str, Any]]) -> None:
    """Let the model ``oracle`` recognise the episodes of these dataset rows by their opening messages."""
    for row in rows:
        EPISODES[_opening(row["prompt"])] = (row["task_id"], row["group"], row["drift_level"])


def _opening(messages: list[dict[str, Any]]) -> str:
    return json.dumps([m.get("content") for m in messages[:2]])


def planned_action(model: str, turn: int, tools: list[dict[str, Any]], suite: str = "arc") -> dict[str, Any]:
    """The env action the named policy takes at ``turn``."""
    kind, *key = model.split("|")
    if kind == "oracle":
        task_id, group, drift = key
        env = CrmArenaEnv(suite=suite, drift_level=drift, stable_tools=True)
        env.reset(options={"task_id": task_id, "group": group})
        plan = env.oracle_actions()
        return plan[turn] if turn < len(plan) else {"answer": ""}
    if turn >= RANDOM_TURNS:
        return {"answer": "None"}
    policy = RandomPolicy(seed=int(key[0]) * 100 + turn, answer_probability=0.0)
    policy.reset({}, {}, [t for t in tools if t["function"]["name"] != "submit_answer"])
    return policy.act({}, {}).action


def _completion(request: dict[str, Any]) -> dict[str, Any]:
    tools = request.get("tools") or []
    turn = sum(1 for m in request["messages"] if m["role"] == "assistant")
    model = request["model"]
    if model == "oracle":
        model = "oracle|" + "|".join(EPISODES[_opening(request["messages"])])
    action = planned_action(model, turn, tools)
    message: dict[str, Any] = {"role": "assistant", "content": None}
    if "answer" in action and not any(t["function"]["name"] == "submit_answer" for t in tools):
        message["content"] = action["answer"]
    else:
        name, args = (
            ("submit_answer", {"answer": action["answer"]}) if "answer" in action else (action["tool"], action["args"])
        )
        call = {"id": f"call_{turn}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
        message["tool_calls"] = [call]
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    return {
        "id": f"chatcmpl-{turn}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request["model"],
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


async def _chat(request: Request) -> JSONResponse:
    return JSONResponse(_completion(await request.json()))


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(app: Any, port: int | None = None) -> Iterator[str]:
    """Run ``app`` under uvicorn on loopback in a thread; yields its base URL and stops it after."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the server on port {port} did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def fake_openai_app() -> Starlette:
    """The chat completions route (``/v1/chat/completions``)."""
    return Starlette(routes=[Route("/v1/chat/completions", _chat, methods=["POST"])])
