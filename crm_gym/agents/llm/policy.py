"""The episode loop every LLM policy shares: chat history, one tool call per step, caching and retries.

At reset the history is the prompt as the first user message (the system text, built from persona, context
and schema summary, and the tools are sent with every request). Each ``aact`` returns the next tool call of the
model's last reply; once every call of that reply has been sent, their results (the observations' ``last_result``)
go back together in the next request. A reply with no tool call is the final answer (its text). The step that
makes a model call carries its usage; the steps that send further calls of the same reply carry none.
Subclasses speak one provider's wire format: they build the request body, send it and read the reply.

A response that cannot be read as a reply (a malformed model reply) is cached as such and raises
`AgentFailureError`: the runner scores it as the agent's failure, live or replayed. Lone surrogates in a reply
reach the env as they are, and go back to the provider as U+FFFD (a request cannot carry them). A provider error
that echoes the key is redacted before it leaves the policy.
"""

from __future__ import annotations

from typing import Any

from crm_gym.agents.base import AgentFailureError, Policy, PolicyInfrastructureError, PolicyStep
from crm_gym.agents.llm.cache import LlmCache, request_key
from crm_gym.agents.llm.reply import Reply, ToolRequest, sendable
from crm_gym.agents.llm.retry import Backoff, SdkErrors, Sleep
from crm_gym.envs.chat import INSTRUCTIONS, system_text
from crm_gym.errors import CrmGymError
from crm_gym.redaction import known_secrets, redact_text, redact_url


class LlmPolicy(Policy):
    """Base of the provider policies; see the module docstring for the loop."""

    #: Names the endpoint in cache keys, e.g. "openai.chat".
    endpoint: str = ""
    #: Part of every cache key. Equal requests share a cached reply, so trials of a task would all replay the
    #: first trial's replies: a runner sets e.g. ``policy.cache_scope = "trial=2"`` to cache each trial apart.
    cache_scope: str = ""
    #: The SDK's exception classes, for the retry rules.
    errors: SdkErrors
    #: The system text's "How to work" section (a judge replaces it with its grading rules).
    instructions: str = INSTRUCTIONS

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

    async def _send(self, client: Any, request: dict[str, Any]) -> Any:
        """Send ``request`` with ``client``; the SDK's response object."""
        raise NotImplementedError

    def _read(self, response: Any) -> Reply:
        """The reply in an SDK response object (may raise on a malformed one)."""
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
            "base_url": None if self.base_url is None else redact_url(self.base_url),
            "max_tokens": self.max_tokens,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
        }

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        """Start the history: the system text from the observation, the prompt as the first user message."""
        self._system = system_text(observation, self.instructions)
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
        """The model's reply to the current history: from the cache, or from the provider (with retries).

        Raises:
            PolicyInfrastructureError: the provider failed (its message redacted).
            AgentFailureError: the reply cannot be read.
        """
        request = self._request()
        key = request_key(self.endpoint, request, self.cache_scope)
        reply = self._cache.lookup(key) if self._cache is not None else None
        if reply is None:  # in replay mode there is no client, and lookup() has raised on the miss
            try:
                response = await self._backoff.run(lambda: self._send(self._client, request), self.errors, key)
            except PolicyInfrastructureError as err:  # the chain would carry the unredacted message
                raise PolicyInfrastructureError(redact_text(str(err), self._secrets())) from None
            reply = self._read_reply(response)
            if self._cache is not None:
                reply = self._cache.store(key, reply)
        if reply.unreadable is not None:
            raise AgentFailureError(f"The model's reply cannot be used: {reply.unreadable}")
        return reply

    def _read_reply(self, response: Any) -> Reply:
        """The reply, its history made sendable; an unreadable response becomes a `Reply` that says why."""
        try:
            reply = self._read(response)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as err:
            return Reply(unreadable=f"{type(err).__name__}: {err}")
        return reply.model_copy(update={"history": sendable(reply.history)})

    def _secrets(self) -> list[str]:
        """The key this policy sends (given, or read by the SDK from the environment), and the environment's."""
        key = self._api_key or getattr(self._client, "api_key", None)
        return known_secrets({"api_key": key})
