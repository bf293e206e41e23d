"""Parse an env action (a dict or its JSON text) into a tool call or a final answer, or say what is wrong."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_FORMAT = 'Send {"tool": NAME, "args": {...}} to call a tool, or {"answer": TEXT} to finish.'
MAX_ACTION_CHARS = 100_000


class ToolAction(BaseModel):
    """A tool call."""

    model_config = ConfigDict(frozen=True)

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)


class AnswerAction(BaseModel):
    """The final answer, ending the episode."""

    model_config = ConfigDict(frozen=True)

    answer: str


class ActionError(BaseModel):
    """An action the env could not read: the message says what was wrong and the format expected."""

    model_config = ConfigDict(frozen=True)

    message: str


Action = ToolAction | AnswerAction | ActionError


def parse_action(action: Any) -> Action:
    """Read an action; never raises: anything unreadable becomes an `ActionError`."""
    if isinstance(action, str | bytes):
        if len(action) > MAX_ACTION_CHARS:
            return ActionError(message=f"The action is {len(action):,} characters; at most {MAX_ACTION_CHARS:,}.")
        try:
            action = json.loads(action)
        except (ValueError, RecursionError) as err:
            return ActionError(message=f"The action is not valid JSON ({err}). {_FORMAT}")
    if not isinstance(action, dict):
        return ActionError(message=f"The action must be a JSON object, got {type(action).__name__}. {_FORMAT}")
    keys = set(action)
    if keys == {"answer"} or (keys == {"answer", "tool"} and action.get("tool") in (None, "")):
        answer = action["answer"]
        if answer is not None and not isinstance(answer, str):
            return ActionError(message=f"'answer' must be text, got {type(answer).__name__}. {_FORMAT}")
        return AnswerAction(answer=answer or "")
    if "tool" not in action:
        return ActionError(
            message=f"The action has neither 'tool' nor 'answer' (keys: {sorted(map(str, keys))}). {_FORMAT}"
        )
    extra = keys - {"tool", "args"}
    if extra:
        return ActionError(message=f"Unknown keys {sorted(map(str, extra))} in the action. {_FORMAT}")
    tool, args = action["tool"], action.get("args", {})
    if not isinstance(tool, str) or not tool:
        return ActionError(message=f"'tool' must be a tool name, got {tool!r}. {_FORMAT}")
    if args is None:
        args = {}
    if isinstance(args, str):  # models often send arguments as a JSON string
        try:
            args = json.loads(args)
        except (ValueError, RecursionError):
            return ActionError(message=f"'args' of {tool} is not a JSON object: {args[:200]!r}. {_FORMAT}")
    if not isinstance(args, dict):
        return ActionError(message=f"'args' of {tool} must be a JSON object, got {type(args).__name__}. {_FORMAT}")
    return ToolAction(tool=tool, args=args)
