"""`AnthropicPolicy`: Messages API tool use through the official ``anthropic`` SDK, with prompt caching.

The fixed prefix (tools, then the system text) carries ``cache_control`` breakpoints, and the request's
top-level ``cache_control`` lets the API cache the growing conversation too (3 of the 4 breakpoints allowed).
"""

from __future__ import annotations

import asyncio
from typing import Any

import anthropic

from crm_gym.agents.base import Usage
from crm_gym.agents.llm.cache import LlmCache
from crm_gym.agents.llm.policy import LlmPolicy
from crm_gym.agents.llm.reply import Reply, ToolRequest
from crm_gym.agents.llm.retry import SdkErrors, Sleep
from crm_gym.agents.llm.tools import anthropic_tools

ANTHROPIC_ERRORS = SdkErrors(anthropic.APIError, anthropic.APIStatusError, anthropic.APIConnectionError)
EPHEMERAL = {"type": "ephemeral"}


class AnthropicPolicy(LlmPolicy):
    """A Claude model acting with Messages API tool use.

    Example: ``AnthropicPolicy("claude-sonnet-4-5")`` (key from ``ANTHROPIC_API_KEY``).
    """

    kind = "anthropic"
    endpoint = "anthropic.messages"
    errors = ANTHROPIC_ERRORS

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        temperature: float | None = None,
        max_tokens: int = 1024,
        timeout: float = 60.0,
        max_retries: int = 5,
        cache: LlmCache | None = None,
        client: anthropic.AsyncAnthropic | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Args:
        model: The model name sent to the API.
        base_url: An Anthropic-compatible endpoint; None for Anthropic.
        api_key: The key; None reads ``ANTHROPIC_API_KEY`` (not needed when ``cache`` replays).
        temperature: None (default) sends none: API version 2026-10-21, which the SDK 2.x speaks, refuses
            sampling parameters with a 400. A number is sent in the body for servers that still take it.
        max_tokens: Most tokens per reply.
        timeout: Seconds per request before it counts as a timeout (then retried).
        max_retries: Retries of a transient failure (408, 429, 5xx, connection, timeout) before giving up.
        cache: A reply cache (read/write or replay); None calls the API every time.
        client: A ready ``anthropic.AsyncAnthropic`` (used with its retries off and this ``timeout``);
            None builds one.
        sleep: The awaitable used to wait between retries (tests inject a recorder).
        """
        self.temperature = temperature
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
        """Kind, model, endpoint and sampling settings."""
        return {**super().config(), "temperature": self.temperature, "prompt_caching": True}

    def _make_client(self) -> anthropic.AsyncAnthropic:
        return anthropic.AsyncAnthropic(
            api_key=self._api_key, base_url=self.base_url, timeout=self.timeout, max_retries=0
        )

    def _provider_tools(self, chat_tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        tools = anthropic_tools(chat_tools)
        if tools:
            tools[-1] = {**tools[-1], "cache_control": EPHEMERAL}
        return tools

    def _request(self) -> dict[str, Any]:
        request = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": [{"type": "text", "text": self._system, "cache_control": EPHEMERAL}],
            "tools": self._tools,
            "messages": self._history,
            "cache_control": EPHEMERAL,
        }
        return request if self.temperature is None else {**request, "temperature": self.temperature}

    async def _send(self, client: anthropic.AsyncAnthropic, request: dict[str, Any]) -> Any:
        body = dict(request)
        extra = {"temperature": body.pop("temperature")} if "temperature" in body else None
        return await client.messages.create(**body, extra_body=extra)

    def _read(self, message: Any) -> Reply:
        calls = [
            ToolRequest(id=block.id, name=block.name, arguments=dict(block.input))
            for block in message.content
            if block.type == "tool_use"
        ]
        content = [block.model_dump(mode="python", exclude_none=True) for block in message.content]
        usage = message.usage
        cache_read = usage.cache_read_input_tokens or 0
        return Reply(
            text="".join(block.text for block in message.content if block.type == "text"),
            calls=calls,
            history=[{"role": "assistant", "content": content}],
            usage=Usage(
                input_tokens=usage.input_tokens + cache_read + (usage.cache_creation_input_tokens or 0),
                output_tokens=usage.output_tokens,
                cached_input_tokens=cache_read,
            ),
        )

    def _result_messages(self, calls: list[ToolRequest], results: list[str]) -> list[dict[str, Any]]:
        blocks = [
            {"type": "tool_result", "tool_use_id": c.id, "content": r} for c, r in zip(calls, results, strict=True)
        ]
        return [{"role": "user", "content": blocks}]
