"""`OpenAIPolicy`: native tool calling through the official ``openai`` SDK (Chat Completions or Responses API).

``base_url`` points it at any OpenAI-compatible server, e.g. vLLM serving a model in training.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

import openai

from crm_gym.agents.base import Usage
from crm_gym.agents.llm.cache import LlmCache
from crm_gym.agents.llm.policy import LlmPolicy
from crm_gym.agents.llm.reply import Reply, ToolRequest
from crm_gym.agents.llm.retry import SdkErrors, Sleep
from crm_gym.agents.llm.tools import responses_tools
from crm_gym.errors import CrmGymError

OpenAIApi = Literal["chat", "responses"]
OPENAI_ERRORS = SdkErrors(openai.APIError, openai.APIStatusError, openai.APIConnectionError)


class OpenAIPolicy(LlmPolicy):
    """An OpenAI (or OpenAI-compatible) model acting with native tool calls.

    Example: ``OpenAIPolicy("gpt-4.1-mini")`` (key from ``OPENAI_API_KEY``), or
    ``OpenAIPolicy("my-model", base_url="http://127.0.0.1:8000/v1", api_key="none")`` for a vLLM server (start
    it with ``--enable-auto-tool-choice`` and a ``--tool-call-parser``, or tool calls come back as text, which is
    read as the final answer). The cache key is the request, not the weights: when a server's weights change
    under the same model name, use a fresh cache folder.
    """

    kind = "openai"
    errors = OPENAI_ERRORS

    def __init__(
        self,
        model: str,
        *,
        api: OpenAIApi = "chat",
        base_url: str | None = None,
        api_key: str | None = None,
        temperature: float | None = 0.0,
        seed: int | None = None,
        max_tokens: int = 1024,
        timeout: float = 60.0,
        max_retries: int = 5,
        cache: LlmCache | None = None,
        client: openai.AsyncOpenAI | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Args:
        model: The model name sent to the API.
        api: "chat" (Chat Completions) or "responses" (Responses API).
        base_url: An OpenAI-compatible endpoint (e.g. ``http://host:8000/v1``); None for OpenAI.
        api_key: The key; None reads ``OPENAI_API_KEY`` (not needed when ``cache`` replays).
        temperature: Sampling temperature; None leaves it out (models that refuse it).
        seed: The Chat Completions ``seed``; the Responses API has none (must be None there).
        max_tokens: Most tokens per reply (``max_completion_tokens`` / ``max_output_tokens``).
        timeout: Seconds per request before it counts as a timeout (then retried).
        max_retries: Retries of a transient failure (408, 429, 5xx, connection, timeout) before giving up.
        cache: A reply cache (read/write or replay); None calls the API every time.
        client: A ready ``openai.AsyncOpenAI`` (used with its retries off and this ``timeout``);
            None builds one.
        sleep: The awaitable used to wait between retries (tests inject a recorder).
        """
        if api not in ("chat", "responses"):
            raise CrmGymError(f"api must be 'chat' or 'responses', got {api!r}.")
        if api == "responses" and seed is not None:
            raise CrmGymError("The Responses API takes no seed: pass seed=None, or use api='chat'.")
        self.api, self.temperature, self.seed = api, temperature, seed
        self.endpoint = f"openai.{api}"
        super().__init__(
            model,
            base_url=base_url,
            api_key=api_key,
            max_tokens=max_tokens,
            timeout=timeout,
            max_retries=max_retries,
            cache=cache,
            client=client,
            sleep=sleep,
        )

    def config(self) -> dict[str, Any]:
        """Kind, model, API, endpoint and sampling settings."""
        return {**super().config(), "api": self.api, "temperature": self.temperature, "seed": self.seed}

    def _make_client(self) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(api_key=self._api_key, base_url=self.base_url, timeout=self.timeout, max_retries=0)

    def _provider_tools(self, chat_tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return list(chat_tools) if self.api == "chat" else responses_tools(chat_tools)

    def _sampling(self) -> dict[str, Any]:
        settings = {"temperature": self.temperature, "seed": self.seed}
        return {name: value for name, value in settings.items() if value is not None}

    def _request(self) -> dict[str, Any]:
        if self.api == "chat":
            return {
                "model": self.model,
                "messages": [{"role": "system", "content": self._system}, *self._history],
                "tools": self._tools,
                "max_completion_tokens": self.max_tokens,
                **self._sampling(),
            }
        return {
            "model": self.model,
            "instructions": self._system,
            "input": self._history,
            "tools": self._tools,
            "max_output_tokens": self.max_tokens,
            **self._sampling(),
        }

    async def _send(self, client: openai.AsyncOpenAI, request: dict[str, Any]) -> Any:
        if self.api == "chat":
            return await client.chat.completions.create(**request)
        return await client.responses.create(**request)

    def _read(self, response: Any) -> Reply:
        return _chat_reply(response) if self.api == "chat" else _responses_reply(response)

    def _result_messages(self, calls: list[ToolRequest], results: list[str]) -> list[dict[str, Any]]:
        if self.api == "chat":
            return [{"role": "tool", "tool_call_id": c.id, "content": r} for c, r in zip(calls, results, strict=True)]
        return [
            {"type": "function_call_output", "call_id": c.id, "output": r} for c, r in zip(calls, results, strict=True)
        ]


def _chat_reply(completion: Any) -> Reply:
    """A Chat Completions response as a `Reply` (the first choice)."""
    message = completion.choices[0].message
    calls = [
        ToolRequest(id=c.id, name=c.function.name, arguments=c.function.arguments)
        for c in message.tool_calls or []
        if c.type == "function"
    ]
    entry: dict[str, Any] = {"role": "assistant", "content": message.content}
    if calls:
        entry["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}} for c in calls
        ]
    usage = completion.usage
    return Reply(
        text=message.content or "",
        calls=calls,
        history=[entry],
        usage=None
        if usage is None
        else Usage(
            input_tokens=usage.prompt_tokens,
            output_tokens=usage.completion_tokens,
            cached_input_tokens=_cached_tokens(usage.prompt_tokens_details),
        ),
    )


def _responses_reply(response: Any) -> Reply:
    """A Responses API response as a `Reply`; its output items go back into the input unchanged."""
    calls = [
        ToolRequest(id=item.call_id, name=item.name, arguments=item.arguments)
        for item in response.output
        if item.type == "function_call"
    ]
    usage = response.usage
    return Reply(
        text=response.output_text,
        calls=calls,
        history=[item.model_dump(mode="python", exclude_none=True) for item in response.output],
        usage=None
        if usage is None
        else Usage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cached_input_tokens=_cached_tokens(getattr(usage, "input_tokens_details", None)),
        ),
    )


def _cached_tokens(details: Any) -> int:
    """Cached prompt tokens from a usage's details object (absent on some OpenAI-compatible servers)."""
    return (getattr(details, "cached_tokens", None) or 0) if details is not None else 0
