"""What keeps `crm-gym serve` safe to expose: a bearer token on every request, a cap on request bodies, and a task
store that is scoped to each client and bounded in size and age.

* `bearer_auth`: Starlette's authentication middleware with one client per token (``client-1``, ``client-2``,
  ...). A request without a known token gets 401 with one fixed text, before anything else runs. The A2A
  handler scopes tasks by that client (its owner), so listing and reading tasks only ever shows the caller's own.
* `BodyLimit`: a request body over the cap gets 413, whether it announces its length or streams it in chunks.
* `EvictingTaskStore`: the A2A task store, keeping at most ``size`` tasks, none untouched for more than ``ttl``
  seconds (the least recently updated go first), so finished assessments do not pile up in memory.
"""

from __future__ import annotations

import hmac
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from a2a.auth.user import User
from a2a.server.context import ServerCallContext
from a2a.server.owner_resolver import resolve_user_scope
from a2a.server.tasks import InMemoryTaskStore, TaskStore
from a2a.types import ListTasksRequest, ListTasksResponse, Task
from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, SimpleUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNAUTHORIZED = "Unauthorized: send the evaluator's token as 'Authorization: Bearer <token>'."


class _BearerTokens(AuthenticationBackend):
    """Each token is one client, named by its position (``client-1``, ...); tokens are compared in constant time."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self._clients = [(token.encode(), f"client-{i}") for i, token in enumerate(tokens, start=1)]

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, SimpleUser]:
        scheme, _, token = conn.headers.get("authorization", "").partition(" ")
        given = token.strip().encode()
        if scheme.lower() == "bearer" and given:
            for known, client in self._clients:
                if hmac.compare_digest(given, known):
                    return AuthCredentials(["assess"]), SimpleUser(client)
        raise AuthenticationError(UNAUTHORIZED)


def bearer_auth(tokens: Sequence[str]) -> Middleware:
    """The middleware that lets only requests with one of ``tokens`` through (401 with `UNAUTHORIZED` otherwise)."""
    if not tokens or any(len(token) < 16 for token in tokens):
        raise ValueError("Give at least one token, each at least 16 characters long.")
    return Middleware(AuthenticationMiddleware, backend=_BearerTokens(tokens), on_error=_unauthorized)


def _unauthorized(conn: HTTPConnection, error: Exception) -> Response:
    return JSONResponse({"error": UNAUTHORIZED}, status_code=401, headers={"WWW-Authenticate": "Bearer"})


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` is refused with 413, by its Content-Length or, for a body
    that streams in, as soon as it passes the cap (the application then sees the client gone, and whatever it
    answers is dropped)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        """``app``: the application; ``max_bytes``: the largest body accepted."""
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a counting ``receive``; answer 413 when the body passes the cap."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received, refused, started = 0, False, False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes and not refused:
                refused = True
                if not started:
                    await self._refuse(scope, receive, send)
                return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent: the application's answer is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        text = f"Request body too large: at most {self.max_bytes:,} bytes."
        await JSONResponse({"error": text}, status_code=413)(scope, receive, send)


class _Owner(User):
    """The owner of a stored task, to delete it as its owner would."""

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def user_name(self) -> str:
        return self._name


class EvictingTaskStore(TaskStore):
    """A2A's in-memory task store (tasks scoped by their owner), keeping at most ``size`` tasks and none untouched
    for more than ``ttl`` seconds."""

    def __init__(self, size: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        """``size``: most tasks kept; ``ttl``: seconds a task is kept after its last update; ``clock``: seconds."""
        self.size, self.ttl, self._clock = size, ttl, clock
        self._store = InMemoryTaskStore()
        self._updated: OrderedDict[tuple[str, str], float] = OrderedDict()  # (owner, task id), least recent first

    async def save(self, task: Task, context: ServerCallContext) -> None:
        """Save the task for its owner, then evict what is over the size or past the age."""
        await self._store.save(task, context)
        key = (resolve_user_scope(context), task.id)
        self._updated.pop(key, None)
        self._updated[key] = self._clock()
        await self._evict()

    async def get(self, task_id: str, context: ServerCallContext) -> Task | None:
        """The caller's task of that id (None for another client's)."""
        await self._evict()
        return await self._store.get(task_id, context)

    async def list(self, params: ListTasksRequest, context: ServerCallContext) -> ListTasksResponse:
        """The caller's tasks only."""
        await self._evict()
        return await self._store.list(params, context)

    async def delete(self, task_id: str, context: ServerCallContext) -> None:
        """Delete the caller's task of that id."""
        self._updated.pop((resolve_user_scope(context), task_id), None)
        await self._store.delete(task_id, context)

    def __len__(self) -> int:
        return len(self._updated)

    async def _evict(self) -> None:
        now = self._clock()
        while self._updated:
            (owner, task_id), updated = next(iter(self._updated.items()))
            if len(self._updated) <= self.size and now - updated <= self.ttl:
                return
            del self._updated[(owner, task_id)]
            await self._store.delete(task_id, ServerCallContext(user=_Owner(owner)))
