"""Seeded look-alike perturbations of field values: names, figures, dates, texts and phone numbers.

Each function draws only from the ``numpy.random.Generator`` it is given, so the same generator state gives the
same value in any process. Names stay recognisably close to the original (`difflib` ratio at least
`MIN_NAME_SIMILARITY`): a distractor must be easy to confuse with its target.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from typing import Literal

import numpy as np

NameStyle = Literal["company", "person", "title", "code"]
MIN_NAME_SIMILARITY = 0.6

_COMPANY_SUFFIXES = ("Inc.", "Holdings", "Group", "LLC", "International", "& Co.", "Partners")
_TITLE_SUFFIXES = ("- revised", "II", "(legacy)", "- phase 2", "2.0")
# Sentences that fit any CRM note or article and state no fact a task could ask about.
_FILLER_SENTENCES = (
    "Follow-up details were logged separately.",
    "The account team asked for a short summary by email.",
    "A reminder was set to review this again later.",
    "Formatting was cleaned up during the last data migration.",
    "Nothing else was discussed on that occasion.",
    "The previous owner added this for reference.",
)
_SENTENCE_END = re.compile(r"(?<=[.!?])(\s+)")


def similarity(a: str, b: str) -> float:
    """How alike two names are (`difflib.SequenceMatcher` ratio, case-insensitive), from 0 to 1."""
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def _word_spans(name: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"[A-Za-z]{2,}", name)]


def _typo(name: str, rng: np.random.Generator) -> str:
    """Swap two adjacent letters, drop one or double one, inside one word."""
    spans = _word_spans(name) or [(0, len(name))]
    long_spans = [s for s in spans if s[1] - s[0] >= 4] or spans
    start, end = long_spans[int(rng.integers(len(long_spans)))]
    if end - start < 2:
        return _double_letter(name, rng)
    i = int(rng.integers(start + 1, end)) if end - start > 2 else start + 1
    kind = int(rng.integers(3))
    if kind == 0:
        return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]
    if kind == 1 and end - start >= 4:
        return name[:i] + name[i + 1 :]
    return name[:i] + name[i] + name[i:]


def _double_letter(name: str, rng: np.random.Generator) -> str:
    i = int(rng.integers(len(name))) if name else 0
    return name[: i + 1] + name[i : i + 1] + name[i + 1 :] if name else "x"


def _swap_words(name: str, rng: np.random.Generator) -> str:
    words = name.split()
    if len(words) < 2:
        return name
    i = int(rng.integers(len(words) - 1))
    words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def _company_suffix(name: str, rng: np.random.Generator) -> str:
    words = name.split()
    suffix = _pick(rng, _COMPANY_SUFFIXES)
    if len(words) > 1 and words[-1].rstrip(".") in {s.rstrip(".") for s in _COMPANY_SUFFIXES} | {"Corp", "Ltd"}:
        words = words[:-1]
    return " ".join([*words, suffix])


def _title_suffix(name: str, rng: np.random.Generator) -> str:
    return f"{name} {_pick(rng, _TITLE_SUFFIXES)}"


def _code_digit(code: str, rng: np.random.Generator) -> str:
    """Change one digit of a code (or, without digits, make a typo)."""
    digits = [i for i, ch in enumerate(code) if ch.isdigit()]
    if not digits:
        return _typo(code, rng)
    i = digits[int(rng.integers(len(digits)))]
    new = str((int(code[i]) + int(rng.integers(1, 10))) % 10)
    return code[:i] + new + code[i + 1 :]


_STYLE_OPS: dict[str, tuple[Callable[[str, np.random.Generator], str], ...]] = {
    "company": (_typo, _company_suffix, _company_suffix, _swap_words),
    "person": (_typo,),
    "title": (_typo, _title_suffix, _swap_words),
    "code": (_code_digit, _typo),
}


def perturb_name(name: str, style: NameStyle, rng: np.random.Generator, max_length: int | None = None) -> str:
    """A different name that still looks like ``name``: a typo, a company suffix, swapped words, a changed digit.

    The result differs from ``name``, fits ``max_length`` and has `similarity` >= `MIN_NAME_SIMILARITY`.

    >>> rng = np.random.default_rng(0)
    >>> other = perturb_name("Okafor Foods", "company", rng)
    >>> other != "Okafor Foods" and similarity(other, "Okafor Foods") >= MIN_NAME_SIMILARITY
    True
    """
    ops = _STYLE_OPS[style]
    for _ in range(6):
        out = ops[int(rng.integers(len(ops)))](name, rng)
        fits = max_length is None or len(out) <= max_length
        if out != name and fits and similarity(out, name) >= MIN_NAME_SIMILARITY:
            return out
    out = _double_letter(name, rng)
    if max_length is not None and len(out) > max_length:  # a name at its length limit: retype its last letter
        out = name[:-1] + ("x" if name[-1:] != "x" else "y")
    return out


def perturb_number(
    value: float, rng: np.random.Generator, low: float | None = None, high: float | None = None
) -> float:
    """``value`` moved up or down by 5-30% (rounded to cents), kept within [low, high]; unchanged if it cannot move."""
    change = float(rng.uniform(0.05, 0.30))
    sign = 1 if rng.integers(2) else -1
    for s in (sign, -sign):
        out = round(value * (1 + s * change), 2)
        if out != value and (low is None or out >= low) and (high is None or out <= high):
            return out
    return value


def shift_date(value: str, days: int) -> str:
    """An ISO date or date-time moved by ``days``; the time of day and its format are kept."""
    moved = dt.date.fromisoformat(value[:10]) + dt.timedelta(days=days)
    return moved.isoformat() + value[10:]


def perturb_text(text: str, rng: np.random.Generator) -> str:
    """The text with one sentence replaced by a neutral one (or one added, for a single sentence); line breaks kept."""
    parts = _SENTENCE_END.split(text)  # sentences at even positions, the whitespace between them at odd ones
    filler = _pick(rng, _FILLER_SENTENCES)
    if len(parts) < 3:
        head = text.rstrip()
        return f"{head}{'' if not head or head[-1] in '.!?' else '.'} {filler}".strip()
    i = 2 * int(rng.integers((len(parts) + 1) // 2))
    if parts[i].strip() == filler:
        filler = _FILLER_SENTENCES[(_FILLER_SENTENCES.index(filler) + 1) % len(_FILLER_SENTENCES)]
    parts[i] = filler
    return "".join(parts)


def perturb_phone(phone: str, rng: np.random.Generator) -> str:
    """The phone number with its last two digits redrawn (always a different number)."""
    positions = [i for i, ch in enumerate(phone) if ch.isdigit()][-2:]
    if not positions:
        return phone
    old = "".join(phone[i] for i in positions)
    new = f"{(int(old) + int(rng.integers(1, 10 ** len(old)))) % 10 ** len(old):0{len(old)}d}"
    chars = list(phone)
    for i, digit in zip(positions, new, strict=True):
        chars[i] = digit
    return "".join(chars)
