"""`EnvThread`: one env and the one thread that ever touches it, so a slow step never stalls the event loop.

The runner's event loop awaits the policies' model calls of many episodes at once; an env step is CPU and SQLite
work that would block all of them while it runs. Each concurrent slot therefore owns an env built, reset and
stepped in a thread of its own (SQLite releases the GIL while a statement runs, so the loop keeps going), and the
loop awaits each call. Threads rather than worker processes: the envs of one process share one pristine snapshot
per org (64 envs of the default org: 1.3 GiB instead of 2.1), and actions and observations need no pickling.

One thread per env (not a pool) because a `World`'s SQLite connection belongs to one thread. The thread is a
daemon: when an episode's deadline passes during a step, the runner stops waiting, records the timeout and gives
the slot a new `EnvThread`; the abandoned thread finishes its step (every step is bounded by the env's own
budget) and ends, and it never holds up the exit of the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from crm_gym.envs.crm_arena import CrmArenaEnv

T = TypeVar("T")
# a call, and the loop and future awaiting it (None for a call nobody awaits)
_Job = tuple[Callable[[], Any], "asyncio.AbstractEventLoop | None", "asyncio.Future[Any] | None"]


class EnvThread:
    """An env living in its own daemon thread; `call` runs a function there and awaits its result.

    Example:
        >>> async def first_prompt() -> str:
        ...     slot = await EnvThread.start(lambda: CrmArenaEnv(suite="arc", split="test"))
        ...     observation, _ = await slot.call(slot.env.reset, seed=0)
        ...     slot.close()
        ...     return observation["prompt"]
        >>> bool(asyncio.run(first_prompt()))
        True
    """

    def __init__(self) -> None:
        """Start the thread (use `start`, which also builds the env in it)."""
        self.env: CrmArenaEnv | None = None
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._unfinished = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, name="crm-gym-env", daemon=True).start()

    @classmethod
    async def start(cls, make_env: Callable[[], CrmArenaEnv]) -> EnvThread:
        """A new thread with the env ``make_env`` builds there."""
        slot = cls()
        slot.env = await slot.call(make_env)
        return slot

    @property
    def idle(self) -> bool:
        """Whether no call is running or waiting: false after a call was abandoned (its env is mid-step)."""
        with self._lock:
            return self._unfinished == 0

    async def call(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run ``function(*args, **kwargs)`` in the thread; cancelling the await abandons the call, not the work."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            self._unfinished += 1
        self._jobs.put((functools.partial(function, *args, **kwargs), loop, future))
        return await future

    def close(self) -> None:
        """Close the env in the thread once its queued calls are done, then end the thread."""
        if self.env is not None:
            self._jobs.put((self.env.close, None, None))
        self._jobs.put(None)

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            function, loop, future = job
            try:
                outcome: tuple[bool, Any] = (True, function())
            except BaseException as error:  # handed to the awaiting coroutine, which decides
                outcome = (False, error)
            with self._lock:
                self._unfinished -= loop is not None
            if loop is not None and future is not None:
                with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting any more
                    loop.call_soon_threadsafe(_settle, future, *outcome)


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.cancelled():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
