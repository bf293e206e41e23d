"""Turn a final answer into plain text a grader can read: Unicode, quotes, Markdown, tables and JSON.

Models answer in Markdown (bold, code spans, headings, bullet lists, tables) and sometimes in JSON
(``{"answer": "005...", "reason": "..."}``). A person reads through the formatting; so does the grader:
`plain_answer` keeps the words and the line structure and drops the markup.

>>> plain_answer('**Answer:** `005Wt000003NIXCIA4`')
'Answer: 005Wt000003NIXCIA4'
>>> plain_answer('{"answer": ["Budget", "Need"], "reason": "no money set aside"}')
'answer: Budget, Need\\nreason: no money set aside'
"""

from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from typing import Any

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u2011": "-",
        "\u2212": "-",
    }
)
# Keys whose value is the answer itself, in the order a person would look for them.
_ANSWER_KEYS = ("final_answer", "answer", "result", "value", "values", "id", "ids", "response", "output")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def squash(text: str) -> str:
    """Lowercase letters and digits only: how names compare whatever their spacing, case and punctuation.

    >>> squash("NexMesh-X400 Plus")
    'nexmeshx400plus'
    """
    return re.sub(r"[^a-z0-9]", "", text.lower())


def normalize_text(text: str) -> str:
    """Unicode-normalise, straighten quotes, and drop Markdown emphasis, code marks, links and heading/quote markers.

    >>> normalize_text("## **The answer** is `TX` \u2014 see [the report](http://x)")
    'The answer is TX \u2014 see the report'
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = re.sub(r"!?\[([^\]\n]*)\]\([^)\n]*\)", r"\1", text)  # [label](url) -> label
    text = re.sub(r"(?<!\w)(__?)(?=\S)(.+?)(?<=\S)\1(?!\w)", r"\2", text)  # _emphasis_, __strong__
    text = re.sub(r"[*`~]", "", text)
    text = re.sub(  # stray HTML tags such as <br>; an address in angle brackets (<a@b.com>) stays
        r"</?(?:br|p|b|i|u|em|strong|div|span|code|pre|ul|ol|li|h[1-6]|a|sup|sub|table|thead|tbody|tr|td|th|hr)"
        r"(?:\s[^>\n]{0,60})?/?>",
        " ",
        text,
        flags=re.IGNORECASE,
    )
    return re.sub(r"(?m)^[ \t]*(?:#+|>+)[ \t]*", "", text)


def _json_text(value: Any) -> str:
    if isinstance(value, dict):
        for key in _ANSWER_KEYS:
            for k, v in value.items():
                if isinstance(k, str) and k.lower() == key:
                    rest = [f"{k2}: {_json_text(v2)}" for k2, v2 in value.items() if k2 != k]
                    return "\n".join([f"{k}: {_json_text(v)}", *rest])
        return "\n".join(f"{k}: {_json_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_json_text(v) for v in value) if value else "None"
    return "None" if value is None else str(value)


def _table_rows(text: str) -> str:
    """Markdown table rows become lines of cells joined by " | "; the header rule goes."""
    lines = []
    for line in text.split("\n"):
        if _TABLE_RULE.match(line) and "-" in line:
            continue
        if line.count("|") >= 2 and line.strip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            line = " | ".join(c for c in cells if c)
        lines.append(line)
    return "\n".join(lines)


def plain_answer(answer: str) -> str:
    """The answer as plain text: JSON unwrapped (the answer key first), tables as lines, Markdown dropped."""
    text = answer.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, flags=re.DOTALL)
    if fenced:
        text = fenced.group(1)
    if text[:1] in "{[" and text[-1:] in "}]":
        with contextlib.suppress(ValueError, RecursionError):
            text = _json_text(json.loads(text))
    return normalize_text(_table_rows(text)).strip()


_WORD = re.compile(r"[A-Za-z0-9]+")
COPY_WORDS = 8
"""Words in a row, taken verbatim from the task's own text, that make a stretch of an answer a copy."""


def strip_copied(answer: str, source: str, min_words: int = COPY_WORDS) -> str:
    """The answer without the stretches it copies word for word from ``source`` (the question and context).

    A prompt dump states nothing the agent found: with the copies gone, nothing is left to grade. A short echo of
    the question ("the agent with the highest sales is X") is fewer words than ``min_words`` and stays.

    >>> strip_copied("Return only the Id of the agent, or None if no agent qualifies. None.",
    ...              "Return only the Id of the agent, or None if no agent qualifies.")
    ' \u2026 . None.'
    """
    if not source:
        return answer
    source_words = [w.lower() for w in _WORD.findall(source)]
    grams = {tuple(source_words[i : i + min_words]) for i in range(len(source_words) - min_words + 1)}
    words = list(_WORD.finditer(answer))
    lowered = [w.group().lower() for w in words]
    copied = [False] * len(words)
    for i in range(len(words) - min_words + 1):
        if tuple(lowered[i : i + min_words]) in grams:
            copied[i : i + min_words] = [True] * min_words
    if not any(copied):
        return answer
    out, cursor, i = [], 0, 0
    while i < len(words):
        if not copied[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(words) and copied[j + 1]:
            j += 1
        out += [answer[cursor : words[i].start()], " \u2026 "]
        cursor = words[j].end()
        i = j + 1
    out.append(answer[cursor:])
    return "".join(out)
