"""Make anything a policy sent storable in a run record, so that no reply can stop a run or its resume.

A record line is JSON that pydantic must write and read back: no lone surrogate, at most about 200 levels of
nesting, and a bounded size. An action is kept as it was whenever it fits; one that does not fit as JSON values
(a lone surrogate, deep nesting, NaN, keys that are not text) is kept as its exact JSON text, which the env reads
back into the same action, so a replay gives the same episode; one too large for a record is cut, each text
ending with a marker (and the step says so). Texts (answers, errors) are escaped and cut the same way.

>>> storable_action({"tool": "get", "args": {"id": "001"}})
({'tool': 'get', 'args': {'id': '001'}}, False)
>>> storable_action({"tool": "get", "args": {"id": "a\\ud800"}})
('{"tool": "get", "args": {"id": "a\\\\ud800"}}', False)
>>> storable_text("x" * 30, limit=10)
'xxxxxxxxxx… [crm_gym: cut, 30 characters in all]'
"""

from __future__ import annotations

import json
import math
from typing import Any

from crm_gym.envs.actions import MAX_ACTION_CHARS

#: Levels of nesting an action keeps as JSON values in a record (pydantic reads about 200 in all).
MAX_STORED_DEPTH = 64
#: Characters of an action kept in a record: what the env reads as text at most.
MAX_STORED_ACTION_CHARS = MAX_ACTION_CHARS
#: Characters of an answer or an error text kept in a record.
MAX_STORED_TEXT = 100_000
MARKER = "[crm_gym: cut"


def storable_action(action: Any) -> tuple[dict[str, Any] | str, bool]:
    """The form of ``action`` a record stores, and whether it had to be cut.

    Kept as it is when it is plain JSON within the limits; else as its exact JSON text (``json.dumps``, the text
    the env measures a dict action by) when that fits; else cut to `MAX_STORED_ACTION_CHARS` with markers.
    """
    try:
        text = json.dumps(action, default=str)
    except (ValueError, RecursionError):  # a circular or extremely deep structure: no exact text exists
        text = None
    if text is not None and len(text) <= MAX_STORED_ACTION_CHARS:
        return (action if _plain(action, 0) else text), False
    return _Cutter(MAX_STORED_ACTION_CHARS).cut(action, 0), True


def storable_text(text: str, limit: int = MAX_STORED_TEXT) -> str:
    """``text`` with lone surrogates escaped (``\\ud800`` as six characters) and cut to ``limit`` characters with
    a marker that gives the full length."""
    text = _escape_surrogates(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… {MARKER}, {len(text):,} characters in all]"


def storable_value(value: Any) -> Any:
    """Any value as plain JSON values within the record limits (texts escaped, depth and size cut with markers):
    the last resort for a record field that cannot be written as it is."""
    return _Cutter(MAX_STORED_TEXT).cut(value, 0)


def _plain(value: Any, depth: int) -> bool:
    """Whether ``value`` is JSON that a record writes and reads back unchanged."""
    if depth > MAX_STORED_DEPTH:
        return False
    if value is None or isinstance(value, bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return _escape_surrogates(value) is value
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(k, depth) and _plain(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v, depth + 1) for v in value)
    return False


def _escape_surrogates(text: str) -> str:
    """``text`` itself when it encodes as UTF-8, else a copy with each lone surrogate written as ``\\udXXX``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


class _Cutter:
    """Copies a value as plain JSON values, spending a budget of characters; what is beyond it, or nested deeper
    than `MAX_STORED_DEPTH`, is replaced by a marker."""

    def __init__(self, budget: int) -> None:
        self.left = budget

    def cut(self, value: Any, depth: int) -> Any:
        if depth > MAX_STORED_DEPTH:
            return f"{MARKER}: nested deeper than {MAX_STORED_DEPTH} levels]"
        if value is None or isinstance(value, bool | int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else str(value)
        if isinstance(value, dict):
            return dict(self._cut_items(list(value.items()), depth))
        if isinstance(value, list | tuple):
            return [item for _, item in self._cut_items(list(enumerate(value)), depth)]
        text = storable_text(value if isinstance(value, str) else str(value), max(self.left, 0))
        self.left -= len(text)
        return text

    def _cut_items(self, items: list[tuple[Any, Any]], depth: int) -> list[tuple[Any, Any]]:
        kept: list[tuple[Any, Any]] = []
        for index, (key, item) in enumerate(items):
            if self.left <= 0:
                kept.append((f"{MARKER}]", f"{MARKER}: {len(items) - index:,} more items]"))
                break
            kept.append((key if isinstance(key, int) else storable_text(str(key), 200), self.cut(item, depth + 1)))
        return kept
