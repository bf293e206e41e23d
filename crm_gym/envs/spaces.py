"""Spaces of the CRM env: Unicode text and tool-call actions, both valid Gymnasium `Text` spaces."""

from __future__ import annotations

import json
import string
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from gymnasium.spaces import Text

# Sampling draws from this visible set (ASCII plus a few accented and non-Latin letters); membership
# accepts any text a CRM can hold (see `UnicodeText.contains`).
_SAMPLE_CHARSET = string.ascii_letters + string.digits + string.punctuation + " \n" + "éüßçñøåÆŁ中文日本語한국어Привет"
_ALLOWED_CONTROLS = frozenset("\n\t")
REPLACEMENT = "\ufffd"


def _allowed(ch: str) -> bool:
    return ch in _ALLOWED_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")


class UnicodeText(Text):
    """A `Text` space that holds any Unicode text without control, surrogate or unassigned characters.

    Gymnasium's `Text` checks membership against an explicit character set; listing every Unicode
    character would cost megabytes per space, so membership is decided by character category instead,
    and sampling uses a small visible set.
    """

    def __init__(self, max_length: int, *, min_length: int = 0, seed: int | np.random.Generator | None = None) -> None:
        """A text of ``min_length`` to ``max_length`` characters."""
        super().__init__(max_length, min_length=min_length, charset=_SAMPLE_CHARSET, seed=seed)

    def contains(self, x: Any) -> bool:
        """True for a str of allowed length whose characters are all allowed."""
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length and all(map(_allowed, x))

    def __repr__(self) -> str:
        """Shows the bounds; the character set is 'any printable Unicode'."""
        return f"UnicodeText({self.min_length}, {self.max_length})"


def clean_text(text: str, max_length: int) -> str:
    """Make any text a member of a `UnicodeText(max_length)`: replace disallowed characters, cut with a marker."""
    if text.replace("\n", " ").replace("\t", " ").isprintable():  # the common case, checked in C
        cleaned = text
    else:
        cleaned = "".join(ch if _allowed(ch) else REPLACEMENT for ch in text)
    if len(cleaned) <= max_length:
        return cleaned
    marker = f"\n[... cut: {len(cleaned) - max_length + 40} more characters]"
    return cleaned[: max_length - len(marker)] + marker


class ToolCallSpace(UnicodeText):
    """Actions as JSON text: ``{"tool": NAME, "args": {...}}`` or ``{"answer": TEXT}``.

    `sample` returns a random well-formed tool call (a registered tool with arguments of the right JSON
    types, not necessarily valid values), which the env answers like any other call. A dict action is
    accepted by the env too; `contains` checks the JSON text form.
    """

    def __init__(
        self,
        tools: Mapping[str, Mapping[str, Any]],
        max_length: int,
        *,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        """``tools`` maps each tool name to its JSON-schema parameters (as in the tool specs)."""
        super().__init__(max_length, min_length=2, seed=seed)
        self.tools = {name: dict(params) for name, params in sorted(tools.items())}

    def sample(self, mask: Any = None, probability: Any = None) -> str:  # noqa: ARG002 - Space signature
        """A random tool call as JSON text."""
        names = list(self.tools)
        name = names[int(self.np_random.integers(len(names)))]
        params = self.tools[name]
        required = set(params.get("required", ()))
        args = {}
        for arg, schema in params.get("properties", {}).items():
            if arg in required or self.np_random.random() < 0.3:
                args[arg] = self._value(schema)
        return json.dumps({"tool": name, "args": args}, ensure_ascii=False)

    def _value(self, schema: Mapping[str, Any]) -> Any:
        if "enum" in schema:
            return schema["enum"][int(self.np_random.integers(len(schema["enum"])))]
        kind = schema.get("type", "string")
        if kind == "integer":
            return int(self.np_random.integers(-5, 200))
        if kind == "number":
            return round(float(self.np_random.uniform(-100, 100_000)), 2)
        if kind == "boolean":
            return bool(self.np_random.integers(2))
        if kind == "array":
            return [self._word() for _ in range(int(self.np_random.integers(0, 3)))]
        if kind == "object":
            return {self._word(): self._word() for _ in range(int(self.np_random.integers(0, 3)))}
        return self._word()

    def _word(self) -> str:
        letters = string.ascii_letters
        return "".join(
            letters[int(i)] for i in self.np_random.integers(len(letters), size=int(self.np_random.integers(1, 12)))
        )


def tool_parameters(specs: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Tool name -> JSON-schema parameters, from OpenAI Chat Completions specs."""
    return {s["function"]["name"]: s["function"]["parameters"] for s in specs}
