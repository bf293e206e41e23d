"""`A2APolicy`: any agent that speaks the A2A protocol, played as a crm_gym policy over one A2A conversation.

The message format follows what Entropic CRMArena's green agent sent its participants (a ``crm_task`` JSON
document as text), extended with the episode's tools and a tool loop:

* First message of an episode (one message, new context): a text part holding the ``crm_task`` document as JSON
  (``type``, ``prompt``, ``persona``, ``required_context``, ``schema`` -- the objects and fields under the
  episode's drifted names -- and ``reply_format``), and a data part holding the same document plus ``tools``
  (the episode's tool specs, OpenAI Chat Completions function format). The task id and category are never sent:
  the env does not show them to policies.
* The agent replies with a tool call -- a data part ``{"tool": NAME, "args": {...}}``, or the same object as JSON
  text -- or with its final answer: a data part ``{"answer": TEXT}``, JSON text ``{"answer": TEXT}``, Entropic's
  "text, then a JSON object with ``answer``", or plain text (the whole text is the answer).
* A multi-turn episode's document also has ``user``: its request may be incomplete, and the ``ask_user`` tool (one
  of ``tools``) asks the user who made it; the user's reply comes back as that tool's result.
* Every later message goes to the same context (and to the same task while the agent keeps it in
  ``input-required``): a text part with the tool result the env showed, and a data part
  ``{"type": "tool_result", "tool": NAME, "result": TEXT}``.

A reply may be a message or a task; a task's status message is read, or else its last artifact. Failures are
retried ``max_retries`` times, then split by who caused them:

* the network's (agent unreachable, timeouts, HTTP error statuses): `PolicyInfrastructureError`, which the runner
  records as an infrastructure failure, never a score;
* the agent's (a task it ends as failed, rejected or canceled -- at once, without retries --, a JSON-RPC error it
  answers with, a reply that is not A2A, an agent card pointing at a host the ``allowed_hosts`` list refuses):
  `AgentFailureError`, which the runner scores as the agent's failure, so an agent cannot escape an episode it
  would fail by crashing.

With ``allowed_hosts`` (what `crm-gym serve` passes) every connection is checked by
`crm_gym.agents.url_guard.AgentUrlGuard`; redirects are never followed. A2A reports no token usage, so every
`PolicyStep` has ``usage=None``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import uuid
from collections.abc import Sequence
from typing import Any

import httpx
from a2a.client import Client, ClientConfig, ClientFactory
from a2a.client.errors import A2AClientError, A2AClientTimeoutError
from a2a.helpers import get_data_parts, get_text_parts, new_data_part, new_text_part
from a2a.types import Message, Part, Role, SendMessageRequest, StreamResponse, TaskState
from a2a.utils.errors import A2AError

from crm_gym.agents.base import AgentFailureError, Policy, PolicyInfrastructureError, PolicyStep
from crm_gym.agents.url_guard import AgentUrlGuard, AgentUrlRefusedError, guarded_client
from crm_gym.errors import CrmGymError

REPLY_FORMAT = (
    'Reply with one JSON object: {"tool": NAME, "args": {...}} to call one of the tools (its result comes back as '
    'the next message), or {"answer": TEXT} to give your final answer and end the task.'
)
FAILED_STATES = (TaskState.TASK_STATE_FAILED, TaskState.TASK_STATE_REJECTED, TaskState.TASK_STATE_CANCELED)
RESUMABLE_STATES = (TaskState.TASK_STATE_INPUT_REQUIRED, TaskState.TASK_STATE_AUTH_REQUIRED)
USER_NOTE = (
    "The request may leave out details the task needs. Ask the user who made it with the ask_user tool "
    '({"tool": "ask_user", "args": {"message": QUESTION}}); their reply comes back as its result.'
)
_FENCED_JSON = re.compile(r"```(?:json)?\s*(\{.*\})\s*```", re.DOTALL)


class A2APolicy(Policy):
    """Evaluates a remote A2A agent: sends it the task and tools, relays its tool calls to the env.

    Example:
        >>> policy = A2APolicy("http://127.0.0.1:9009", timeout=60.0)
        >>> policy.config()["url"]
        'http://127.0.0.1:9009'
    """

    kind = "a2a"

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 300.0,
        max_retries: int = 2,
        retry_delay: float = 0.5,
        allowed_hosts: Sequence[str] | None = None,
    ) -> None:
        """``url``: the agent's base URL (its card is read from ``/.well-known/agent-card.json``); ``timeout``:
        seconds allowed for each reply; ``max_retries``: resends after a failure, waiting ``retry_delay`` seconds,
        doubled each time; ``allowed_hosts``: entries of an `AgentUrlGuard` every connection must pass (None: no
        check, for agents the operator names)."""
        self.url, self.timeout, self.max_retries, self.retry_delay = url, timeout, max_retries, retry_delay
        self.allowed_hosts = None if allowed_hosts is None else list(allowed_hosts)
        self._guard = None if allowed_hosts is None else AgentUrlGuard(allowed_hosts)
        self._http: httpx.AsyncClient | None = None
        self._client: Client | None = None
        self._task_document: dict[str, Any] = {}
        self._task_sent = False
        self._context_id = self._task_id = ""
        self._last_tool: str | None = None

    def config(self) -> dict[str, Any]:
        """Kind, URL, timeout and retries (and the allowed hosts, when given)."""
        config = {"kind": self.kind, "url": self.url, "timeout": self.timeout, "max_retries": self.max_retries}
        return config if self.allowed_hosts is None else {**config, "allowed_hosts": self.allowed_hosts}

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        """Start a new A2A conversation for this episode."""
        user = {"user": USER_NOTE} if any(t.get("function", {}).get("name") == "ask_user" for t in tools) else {}
        self._task_document = {**task_document(observation), **user, "tools": tools}
        self._task_sent = False
        self._context_id = self._task_id = ""
        self._last_tool = None

    def act(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        """`aact` in an event loop of its own, with connections opened and closed inside it."""

        async def one_step() -> PolicyStep:
            try:
                return await self.aact(observation, info)
            finally:
                await self.aclose()

        return asyncio.run(one_step())

    async def aact(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        """Send the task (first step) or the last tool result, and turn the agent's reply into an action."""
        if not self._task_document:
            raise CrmGymError("A2APolicy.aact() before reset(): call reset() at the start of each episode.")
        if self._task_sent:
            result = observation.get("last_result", "")
            parts = [
                new_text_part(result),
                new_data_part({"type": "tool_result", "tool": self._last_tool, "result": result}),
            ]
        else:
            document = {k: v for k, v in self._task_document.items() if k != "tools"}
            parts = [new_text_part(json.dumps(document, ensure_ascii=False)), new_data_part(self._task_document)]
        action = reply_action(await self._exchange(parts))
        self._task_sent = True
        self._last_tool = action.get("tool")
        return PolicyStep(action=action, usage=None)

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        if self._http is not None:
            await self._http.aclose()
        self._http = self._client = None

    async def _exchange(self, parts: list[Part]) -> list[Part]:
        """Send one message in the episode's context (retrying transport failures) and return the reply's parts."""
        message = Message(
            role=Role.ROLE_USER,
            parts=parts,
            message_id=uuid.uuid4().hex,
            context_id=self._context_id,
            task_id=self._task_id,
        )
        for attempt in itertools.count():
            try:
                return self._read_reply(await self._send(message))
            except _TaskEnded as err:  # the agent's own verdict: asking again changes nothing
                raise AgentFailureError(str(err)) from err
            except AgentUrlRefusedError as err:  # the agent's card points where the operator did not allow
                raise AgentFailureError(f"A2A agent at {self.url}: {err}") from err
            except (A2AError, httpx.HTTPError, ValueError, RecursionError) as err:
                if attempt == self.max_retries:
                    failure = PolicyInfrastructureError if _network_failure(err) else AgentFailureError
                    raise failure(
                        f"A2A agent at {self.url} failed after {attempt + 1} attempt(s): {type(err).__name__}: {err}"
                    ) from err
                await asyncio.sleep(self.retry_delay * 2**attempt)

    async def _send(self, message: Message) -> StreamResponse:
        if self._client is None:
            self._http = guarded_client(self._guard, self.timeout)
            factory = ClientFactory(ClientConfig(httpx_client=self._http, streaming=False))
            self._client = await factory.create_from_url(self.url)
        replies = [reply async for reply in self._client.send_message(SendMessageRequest(message=message))]
        if not replies:
            raise ValueError("the agent sent no reply")
        return replies[-1]

    def _read_reply(self, reply: StreamResponse) -> list[Part]:
        """Keep the conversation's ids and return the parts that carry the agent's decision."""
        if reply.HasField("message"):
            self._context_id = reply.message.context_id or self._context_id
            self._task_id = ""
            return list(reply.message.parts)
        task = reply.task
        state = task.status.state
        if state in FAILED_STATES:
            text = "\n".join(get_text_parts(task.status.message.parts))
            raise _TaskEnded(f"A2A agent at {self.url} ended its task as {TaskState.Name(state)}: {text}")
        self._context_id = task.context_id or self._context_id
        self._task_id = task.id if state in RESUMABLE_STATES else ""
        if task.status.message.parts:
            return list(task.status.message.parts)
        return list(task.artifacts[-1].parts) if task.artifacts else []


class _TaskEnded(Exception):
    """The agent ended its task as failed, rejected or canceled."""


def _network_failure(error: BaseException) -> bool:
    """Whether a failure is the network's (unreachable, timed out, an HTTP error status) rather than the agent's
    (a JSON-RPC error it answered, a reply that is not A2A)."""
    if isinstance(error, httpx.HTTPError | A2AClientTimeoutError):
        return True
    return isinstance(error, A2AClientError) and isinstance(error.__cause__, httpx.HTTPError)


def task_document(observation: dict[str, Any]) -> dict[str, Any]:
    """The ``crm_task`` document of an episode, in Entropic CRMArena's keys (without task id and category)."""
    return {
        "type": "crm_task",
        "prompt": observation["prompt"],
        "persona": observation["persona"],
        "required_context": observation["context"],
        "schema": observation["schema"],
        "reply_format": REPLY_FORMAT,
    }


def reply_action(parts: list[Part]) -> dict[str, Any]:
    """The env action an agent's reply stands for: the first data part with ``tool`` or ``answer``, else the text.

    >>> reply_action([new_data_part({"tool": "query", "args": {"sql": "SELECT 1", "limit": 5}})])
    {'tool': 'query', 'args': {'limit': 5, 'sql': 'SELECT 1'}}
    >>> reply_action([new_text_part('The answer is below.\\n{"answer": "42"}')])
    {'answer': '42'}
    >>> reply_action([new_text_part("Acme Corp")])
    {'answer': 'Acme Corp'}
    """
    for data in get_data_parts(parts):
        if isinstance(data, dict) and ("tool" in data or "answer" in data):
            return _action(_from_data_part(data))
    text = "\n".join(get_text_parts(parts)).strip()
    found = _json_object(text)
    if found is not None and ("tool" in found or "answer" in found):
        return _action(found)
    return {"answer": text}


def _action(obj: dict[str, Any]) -> dict[str, Any]:
    if "tool" in obj:
        return {"tool": obj["tool"], "args": obj.get("args", {})}
    answer = obj["answer"]
    return {"answer": answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)}


def _json_object(text: str) -> dict[str, Any] | None:
    """A JSON object in ``text``: the whole text, a fenced ```json block, or a trailing object after a newline."""
    fenced = _FENCED_JSON.search(text)
    newline = text.find("\n{")
    candidates = [text, fenced.group(1) if fenced else "", text[newline + 1 :] if newline >= 0 else ""]
    for candidate in candidates:
        try:
            found = json.loads(candidate)
        except (ValueError, RecursionError):
            continue
        if isinstance(found, dict):
            return found
    return None


def _from_data_part(value: Any) -> Any:
    """A data part's value made deterministic: keys sorted (a protobuf Struct keeps no order), and whole numbers
    given back their int type (a data part carries every number as a double: ``5.0`` -> ``5``)."""
    if isinstance(value, dict):
        return {k: _from_data_part(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_from_data_part(v) for v in value]
    return int(value) if isinstance(value, float) and value.is_integer() else value
