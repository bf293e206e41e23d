"""A model reply in provider-neutral form: what the policy acts on, and what the cache stores."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crm_gym.agents.base import Usage


class ToolRequest(BaseModel):
    """One tool call the model asked for, with the provider's call id (used to send its result back)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    arguments: dict[str, Any] | str  # OpenAI sends JSON text (possibly malformed), Anthropic an object

    def action(self) -> dict[str, Any]:
        """The env action; arguments that are not valid JSON go to the env as they are (it reports the error)."""
        arguments = self.arguments
        if isinstance(arguments, str) and not arguments.strip():
            arguments = {}  # some servers send "" for a call without arguments
        elif isinstance(arguments, str):
            with contextlib.suppress(ValueError, RecursionError):
                arguments = json.loads(arguments)
        return {"tool": self.name, "args": arguments}


class Reply(BaseModel):
    """A model reply: its text, its tool calls, the history entries that record it, and the reported usage."""

    model_config = ConfigDict(frozen=True)

    text: str = ""
    calls: list[ToolRequest] = Field(default_factory=list)
    history: list[dict[str, Any]] = Field(default_factory=list)  # provider-format messages/items to append
    usage: Usage | None = None  # None when the server reported no usage
    unreadable: str | None = None  # why the response could not be read as a reply: the agent's failure


def sendable(value: Any) -> Any:
    """A copy of a JSON-like value with every lone surrogate replaced by U+FFFD: a model's reply goes back to its
    provider in the history, and a request with a lone surrogate cannot be encoded (the action keeps them)."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(value) else value
    if isinstance(value, dict):
        return {sendable(k): sendable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sendable(v) for v in value]
    return value


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
