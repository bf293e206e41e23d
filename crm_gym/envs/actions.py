"""Parse an env action (a dict or its JSON text) into a tool call or a final answer, or say what is wrong.

Whatever an agent sends, `parse_action` returns: text is read as JSON within ``config.ACTION_MAX_CHARS``, and the
value must be plain bounded JSON (`crm_gym.api.json_values.check`: no cycles, no deep nesting, no lone
surrogates, no integers past 64 bits, no NaN); an answer is at most ``config.ANSWER_MAX_CHARS`` characters.
Each result carries ``chars``, the length of the action's JSON text (of what was read of a refused one), for
the verbosity measure.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crm_gym import config
from crm_gym.api.json_values import check
from crm_gym.errors import CrmError, brief

_FORMAT = 'Send {"tool": NAME, "args": {...}} to call a tool, or {"answer": TEXT} to finish.'


class ToolAction(BaseModel):
    """A tool call."""

    model_config = ConfigDict(frozen=True)

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    chars: int = 0


class AnswerAction(BaseModel):
    """The final answer, ending the episode."""

    model_config = ConfigDict(frozen=True)

    answer: str
    chars: int = 0


class ActionError(BaseModel):
    """An action the env could not read: the message says what was wrong and the format expected."""

    model_config = ConfigDict(frozen=True)

    message: str
    chars: int = 0


Action = ToolAction | AnswerAction | ActionError


def parse_action(action: Any) -> Action:
    """Read an action; never raises: anything unreadable becomes an `ActionError`."""
    chars = len(action) if isinstance(action, str | bytes) else 0
    if isinstance(action, str | bytes):
        if len(action) > config.ACTION_MAX_CHARS:
            return ActionError(
                message=f"The action is {len(action):,} characters; at most {config.ACTION_MAX_CHARS:,}.", chars=chars
            )
        try:
            action = json.loads(action)
        except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
            return ActionError(message=f"The action is not valid JSON ({err}). {_FORMAT}", chars=chars)
    try:
        check(action, where="action")
    except CrmError as err:
        return ActionError(message=f"{err} {_FORMAT}", chars=chars or config.ACTION_MAX_CHARS)
    return _read(action, chars or len(json.dumps(action)))  # bounded: the check passed


def _read(action: Any, chars: int) -> Action:
    """The action a checked JSON value stands for."""
    if not isinstance(action, dict):
        return ActionError(
            message=f"The action must be a JSON object, got {type(action).__name__}. {_FORMAT}", chars=chars
        )
    keys = set(action)
    if keys == {"answer"} or (keys == {"answer", "tool"} and action.get("tool") in (None, "")):
        answer = action["answer"]
        if answer is not None and not isinstance(answer, str):
            return ActionError(message=f"'answer' must be text, got {type(answer).__name__}. {_FORMAT}", chars=chars)
        if answer is not None and len(answer) > config.ANSWER_MAX_CHARS:
            return ActionError(
                message=f"The answer is {len(answer):,} characters; at most {config.ANSWER_MAX_CHARS:,} are "
                "accepted. Answer again, shorter.",
                chars=chars,
            )
        return AnswerAction(answer=answer or "", chars=chars)
    if "tool" not in action:
        return ActionError(
            message=f"The action has neither 'tool' nor 'answer' (keys: {sorted(keys)}). {_FORMAT}", chars=chars
        )
    extra = keys - {"tool", "args"}
    if extra:
        return ActionError(message=f"Unknown keys {sorted(extra)} in the action. {_FORMAT}", chars=chars)
    tool, args = action["tool"], action.get("args", {})
    if not isinstance(tool, str) or not tool:
        return ActionError(message=f"'tool' must be a tool name, got {brief(tool)}. {_FORMAT}", chars=chars)
    if args is None:
        args = {}
    if isinstance(args, str):  # models often send arguments as a JSON string
        try:
            args = json.loads(args)
            check(args, where="args")
        except CrmError as err:
            return ActionError(message=f"{err} {_FORMAT}", chars=chars)
        except (ValueError, RecursionError):
            return ActionError(message=f"'args' of {tool} is not a JSON object: {brief(args)}. {_FORMAT}", chars=chars)
    if not isinstance(args, dict):
        return ActionError(
            message=f"'args' of {tool} must be a JSON object, got {type(args).__name__}. {_FORMAT}", chars=chars
        )
    return ToolAction(tool=tool, args=args, chars=chars)
