"""Parse an env action (a dict or its JSON text) into a tool call or a final answer, or say what is wrong.

Whatever an agent sends, `parse_action` returns: text is read as JSON within ``MAX_ACTION_CHARS``, and the
value must be plain bounded JSON (`crm_gym.api.json_values.check`: no cycles, no deep nesting, no lone
surrogates, no integers past 64 bits, no NaN); an answer is at most ``config.ANSWER_MAX_CHARS`` characters, and a
lone surrogate in it is read as U+FFFD.
Each result carries ``chars``, the length of the action's text or of ``json.dumps`` of a dict action (the
``MAX_ACTION_CHARS`` cap for one too large or circular), for the verbosity measure.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crm_gym import config
from crm_gym.api.json_values import check, within_size
from crm_gym.errors import CrmError, brief

_FORMAT = 'Send {"tool": NAME, "args": {...}} to call a tool, or {"answer": TEXT} to finish.'
MAX_ACTION_CHARS = config.ACTION_MAX_CHARS  # the longest action text read (the run store cuts longer ones)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # in a Python str every surrogate code point is unpaired


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
        if len(action) > MAX_ACTION_CHARS:
            return ActionError(
                message=f"The action is {len(action):,} characters; at most {MAX_ACTION_CHARS:,}.", chars=chars
            )
        try:
            action = json.loads(action)
        except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
            return ActionError(message=f"The action is not valid JSON ({err}). {_FORMAT}", chars=chars)
    if isinstance(action, dict) and isinstance(action.get("answer"), str) and len(action["answer"]) <= MAX_ACTION_CHARS:
        # a stray half of a surrogate pair in a model's final answer is a glitch of its text, not a wrong action:
        # the answer is read with U+FFFD in its place (tool arguments with one are refused: ids must match exactly)
        action = {**action, "answer": _LONE_SURROGATE.sub("\ufffd", action["answer"])}
    try:
        check(action, where="action")
    except CrmError as err:
        return ActionError(message=f"{err} {_FORMAT}", chars=chars or _json_length(action))
    return _read(action, chars or len(json.dumps(action)))  # bounded: the check passed


def _json_length(action: Any) -> int:
    """The length of a refused dict action's JSON text (``json.dumps(action, default=str)``, the text a run record
    keeps and a replay measures), or `MAX_ACTION_CHARS` for one too large to serialise or circular."""
    if not within_size(action):
        return MAX_ACTION_CHARS
    try:
        return len(json.dumps(action, default=str))
    except (ValueError, TypeError, RecursionError):  # a cycle; keys json.dumps cannot write (tuples)
        return MAX_ACTION_CHARS


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
