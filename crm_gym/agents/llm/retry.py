"""Retries of provider calls: exponential backoff with seeded jitter on transient failures, then an infra error.

Retried: HTTP 408, 429 and 5xx, connection errors and timeouts; a ``retry-after`` (or ``retry-after-ms``)
header asking for a longer wait than the backoff's is honoured up to ``max_delay``. Any other API error (400,
401, 404, 422, an unreadable response, ...) is not retried. Both end in `PolicyInfrastructureError` carrying the
provider's message, so the runner marks the episode as an infrastructure failure instead of scoring it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from crm_gym.agents.base import PolicyInfrastructureError

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
RETRIED_STATUSES = frozenset({408, 429})


@dataclass(frozen=True)
class SdkErrors:
    """The exception classes of one SDK (openai and anthropic name them alike)."""

    api_error: type[Exception]
    status_error: type[Exception]
    connection_error: type[Exception]

    def retryable(self, error: Exception) -> bool:
        """Whether ``error`` is transient: a connection error, a timeout, or HTTP 408, 429 or 5xx."""
        if isinstance(error, self.connection_error):
            return True
        status = getattr(error, "status_code", None) if isinstance(error, self.status_error) else None
        return status is not None and (status in RETRIED_STATUSES or status >= 500)


@dataclass(frozen=True)
class Backoff:
    """``max_retries`` retries after the first attempt, waiting ``base_delay * 2**retry`` seconds (at most
    ``max_delay``) before each. With ``jitter`` each wait is drawn in [wait/2, wait] by a `random.Random` seeded
    with the request's hash: reproducible, yet episodes that fail together do not retry together. ``sleep`` is
    injectable (tests record the waits instead of waiting)."""

    max_retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    jitter: bool = True
    sleep: Sleep = asyncio.sleep

    def delays(self, key: str) -> Iterator[float]:
        """The waits before each retry of the request whose hash is ``key``."""
        rng = random.Random(key) if self.jitter else None
        for retry in range(self.max_retries):
            wait = min(self.max_delay, self.base_delay * 2**retry)
            yield wait if rng is None else rng.uniform(wait / 2, wait)

    async def run(self, call: Callable[[], Awaitable[T]], errors: SdkErrors, key: str) -> T:
        """Await ``call()`` (the request ``key``), retrying transient SDK errors; raise
        `PolicyInfrastructureError` when the error is not transient or the retries are used up."""
        waits = self.delays(key)
        while True:
            try:
                return await call()
            except errors.api_error as error:
                if not errors.retryable(error):
                    raise PolicyInfrastructureError(f"Provider refused the request: {error}") from error
                wait = next(waits, None)
                if wait is None:
                    raise PolicyInfrastructureError(
                        f"Provider call failed after {self.max_retries + 1} attempts: {error}"
                    ) from error
                wait = max(wait, min(self.max_delay, _retry_after(error)))
            await self.sleep(wait)


def _retry_after(error: Exception) -> float:
    """The wait in seconds a response's ``retry-after-ms`` or ``retry-after`` header asks for (0 if none)."""
    response = getattr(error, "response", None)
    headers = response.headers if response is not None else {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return max(0.0, float(headers.get(name, "")) * scale)
        except ValueError:
            continue
    return 0.0
