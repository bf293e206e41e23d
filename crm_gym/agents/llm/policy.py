"""The episode loop every LLM policy shares: chat history, one tool call per step, caching and retries.

At reset the history is the prompt as the first user message (the system text, built from persona, context
and schema summary, and the tools are sent with every request). Each ``aact`` returns the next tool call of the
model's last reply; once every call of that reply has been sent, their results (the observations' ``last_result``)
go back together in the next request. A reply with no tool call is the final answer (its text). The step that
makes a model call carries its usage; the steps that send further calls of the same reply carry none.
Subclasses speak one provider's wire format: they build the request body, send it and read the reply.
"""

from __future__ import annotations

from typing import Any

from crm_gym.agents.base import Policy, PolicyStep
from crm_gym.agents.llm.cache import LlmCache, request_key
from crm_gym.agents.llm.reply import Reply, ToolRequest
from crm_gym.agents.llm.retry import Backoff, SdkErrors, Sleep
from crm_gym.envs.chat import system_text
from crm_gym.errors import CrmGymError


class LlmPolicy(Policy):
    """Base of the provider policies; see the module docstring for the loop."""

    #: Names the endpoint in cache keys, e.g. "openai.chat".
    endpoint: str = ""
    #: Part of every cache key. Equal requests share a cached reply, so trials of a task would all replay the
    #: first trial's replies: a runner sets e.g. ``policy.cache_scope = "trial=2"`` to cache each trial apart.
    cache_scope: str = ""
    #: The SDK's exception classes, for the retry rules.
    errors: SdkErrors

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None,
        api_key: str | None,
        max_tokens: int,
        timeout: float,
        max_retries: int,
        cache: LlmCache | None,
        client: Any | None,
        sleep: Sleep,
    ) -> None:
        """The settings every provider shares (the subclasses document them); builds the SDK client unless one
        is given or the cache replays."""
        if not model:
            raise CrmGymError("model must name the provider's model, e.g. 'gpt-4.1-mini'.")
        if max_tokens < 1 or timeout <= 0 or max_retries < 0:
            raise CrmGymError(
                f"max_tokens must be >= 1, timeout > 0 and max_retries >= 0; got {max_tokens}, {timeout}, "
                f"{max_retries}."
            )
        self.model, self.base_url, self.max_tokens = model, base_url, max_tokens
        self.timeout, self.max_retries = timeout, max_retries
        self._api_key, self._cache = api_key, cache
        self._backoff = Backoff(max_retries=max_retries, sleep=sleep)
        self._owns_client = client is None
        # the SDK's own retries are off (this class owns the retry policy); the timeout is this policy's
        self._client = client.with_options(max_retries=0, timeout=timeout) if client is not None else None
        if self._client is None and not (cache is not None and cache.replay):
            self._client = self._make_client()
        self._system = ""
        self._tools: list[dict[str, Any]] = []
        self._history: list[dict[str, Any]] = []
        self._calls: list[ToolRequest] = []
        self._results: list[str] = []
        self._sent = 0

    # -- what a provider subclass supplies ----------------------------------------------------------

    def _make_client(self) -> Any:
        """The SDK's async client, with its own retries off."""
        raise NotImplementedError

    def _provider_tools(self, chat_tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The episode's tools in this provider's format."""
        raise NotImplementedError

    def _request(self) -> dict[str, Any]:
        """The request body for the current history (model, messages, tools, sampling settings)."""
        raise NotImplementedError

    async def _send(self, client: Any, request: dict[str, Any]) -> Reply:
        """Send ``request`` with ``client`` and read the reply."""
        raise NotImplementedError

    def _result_messages(self, calls: list[ToolRequest], results: list[str]) -> list[dict[str, Any]]:
        """The history entries that give the model the results of ``calls``."""
        raise NotImplementedError

    # -- the protocol -------------------------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """Kind, model, endpoint and every setting that changes what is sent."""
        return {
            "kind": self.kind,
            "model": self.model,
            "base_url": self.base_url,
            "max_tokens": self.max_tokens,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
        }

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        """Start the history: the system text from the observation, the prompt as the first user message."""
        self._system = system_text(observation)
        self._tools = self._provider_tools(tools)
        self._history = [{"role": "user", "content": str(observation.get("prompt", ""))}]
        self._calls, self._results, self._sent = [], [], 0

    async def aact(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        """The next tool call of the last reply, or a new reply (a tool call, or the final answer)."""
        if not self._history:
            raise CrmGymError(f"{type(self).__name__}.aact() before reset(): reset() starts the episode's history.")
        if self._sent > len(self._results):
            self._results.append(str(observation.get("last_result", "")))
        if self._sent < len(self._calls):
            return PolicyStep(action=self._next_call())
        if self._calls:
            self._history.extend(self._result_messages(self._calls, self._results))
        reply = await self._reply()
        self._history.extend(reply.history)
        self._calls, self._results, self._sent = list(reply.calls), [], 0
        if not reply.calls:
            return PolicyStep(action={"answer": reply.text}, usage=reply.usage)
        return PolicyStep(action=self._next_call(), usage=reply.usage)

    async def aclose(self) -> None:
        """Close the SDK client if this policy made it."""
        if self._owns_client and self._client is not None:
            await self._client.close()

    # -- internals ----------------------------------------------------------------------------------------

    def _next_call(self) -> dict[str, Any]:
        call = self._calls[self._sent]
        self._sent += 1
        return call.action()

    async def _reply(self) -> Reply:
        """The model's reply to the current history: from the cache, or from the provider (with retries)."""
        request = self._request()
        key = request_key(self.endpoint, request, self.cache_scope)
        cached = self._cache.lookup(key) if self._cache is not None else None
        if cached is not None:
            return cached
        # in replay mode there is no client, and lookup() has raised on the miss
        reply = await self._backoff.run(lambda: self._send(self._client, request), self.errors, key)
        return self._cache.store(key, reply) if self._cache is not None else reply
