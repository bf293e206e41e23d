"""The checkable facts a simulated user's reply states, and whether its scenario holds them.

An LLM user may invent: a close date, an amount, an owner, a product nobody gave it. `invented_facts` lists the
facts of a reply that none of the allowed texts states (the scenario's request, opening, slot values and
statements, persona, and what the agent itself said). Facts are amounts and other numbers of two or more digits
(with k/M/million/thousand suffixes and percentages), dates (ISO, US, "March 9, 2025", "9 March 2025"), months
and quarters of a year ("July 2021", "Q3 2021"), record ids (Salesforce ids, UUIDs), e-mail addresses, file names
and proper names of two or more capitalised words ("Dana Whitfield", "Okafor Foods International").

>>> allowed = ['New deal for Okafor Foods: $162,500, closing March 9, 2025.']
>>> invented_facts("It's $162,500 and should close March 9, 2025.", allowed)
[]
>>> invented_facts("It's $75k, closing April 2, 2025. Dana Whitfield owns it.", allowed)
['$75k', 'April 2, 2025', 'Dana Whitfield']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from crm_gym.scoring.extract import MONTH_NAMES

_MONTHS = {name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)}
_MONTH = "|".join(_MONTHS)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("uuid", re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")),
    ("file", re.compile(r"(?<![\w@.-])[A-Za-z0-9][\w-]*(?:\.[\w-]+)*\.(?:[a-z]{2,4}|[A-Z]{2,4})(?![\w@-])")),
    ("sfid", re.compile(r"\b(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Z])[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?\b")),
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("us", re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")),
    ("mdy", re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE)),
    ("dmy", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH}),?\s+(\d{{4}})\b", re.IGNORECASE)),
    ("month", re.compile(rf"\b({_MONTH})(?:\s+of)?\s+(\d{{4}})\b", re.IGNORECASE)),
    ("quarter", re.compile(r"\bQ([1-4])\s+(\d{4})\b", re.IGNORECASE)),
    (
        "number",
        re.compile(
            r"(?<![\w.])-?\$?\s?-?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(k|m|million|thousand)?\b(?:\s*%|\s+percent\b)?",
            re.IGNORECASE,
        ),
    ),
    ("name", re.compile(r"\b[A-Z][a-zA-Z&'-]+(?:\s+(?:[A-Z][a-zA-Z&'-]+|&))+")),
)
# Capitalised words that start sentences or are not names: a run of them is not a proper name.
_NOT_NAMES_LIST = (
    "I", "I'm", "I'll", "It", "It's", "The", "This", "That", "Yes", "No", "Sure", "Thanks", "Thank", "Please",
    "Hi", "Hello", "Sorry", "Okay", "OK", "Ok", "We", "We're", "Our", "My", "You", "Your", "Let", "Just", "Also",
    "And", "But", "Or", "So", "Of", "In", "On", "At", "For", "To", "A", "An", "As", "Is", "Are", "Be", "Can",
    "Could", "Would", "Should", "Will", "Do", "Does", "Not", "None", "All", "Any", "Closed", "Won", "Lost", "Its",
    "Id", "ID", "What", "When", "Which", "Who", "How", "There", "Here", "They", "He", "She", "Great", "Good", "Fine",
    "Perfect", "Correct", "Right", "Actually", "Well", "Oh", "Maybe", "Probably", "Dear", "Mr", "Ms", "Mrs", "Dr",
)  # fmt: skip
_NOT_NAMES = frozenset(_NOT_NAMES_LIST)


def _date(year: str, month: int | str, day: str) -> str | None:
    try:
        number = _MONTHS[month.lower()] if isinstance(month, str) and month.isalpha() else int(month)
        return date(int(year), number, int(day)).isoformat()
    except (ValueError, KeyError):
        return None


def _keys(kind: str, match: re.Match[str]) -> set[str]:
    """The comparable forms of one fact (a date is also its month, so "March 2025" agrees with "March 9, 2025")."""
    text = match.group()
    if kind in ("email", "uuid", "file", "sfid"):
        return {f"{kind}:{text.lower()}"}
    if kind in ("iso", "us", "mdy", "dmy"):
        a, b, c = match.groups()
        iso = {
            "iso": lambda: _date(a, b, c),
            "us": lambda: _date(c, a, b),
            "mdy": lambda: _date(c, a, b),
            "dmy": lambda: _date(c, b, a),
        }[kind]()
        return {f"date:{iso}", f"month:{iso[:7]}"} if iso else set()
    if kind == "month":
        return {f"month:{int(match[2]):04d}-{_MONTHS[match[1].lower()]:02d}"}
    if kind == "quarter":
        return {f"quarter:{match[2]}-{match[1]}"}
    if kind == "number":
        whole, fraction, scale = match.groups()
        value = float(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
        value *= _SCALE.get((scale or "").lower(), 1)
        if value < 10 and "$" not in text:
            return set()
        return {f"number:{abs(value):g}"}
    words = [w for w in re.split(r"\s+", text) if w != "&"]
    while words and words[0] in _NOT_NAMES:
        words.pop(0)
    while words and words[-1] in _NOT_NAMES:
        words.pop()
    if len(words) < 2 or any(w.lower() in _MONTHS for w in words):
        return set()
    return {f"name:{' '.join(words).lower()}"}


def facts(text: str) -> dict[str, set[str]]:
    """The facts ``text`` states: each as written (the first time) -> its comparable forms.

    A span read as one kind is not read again as another (the year of a date is not also a number).
    """
    found: dict[str, set[str]] = {}
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            keys = _keys(kind, match)
            if keys:
                taken.append((start, end))
                found.setdefault(match.group().strip(), set()).update(keys)
    return found


def _allowed(texts: Iterable[str]) -> tuple[set[str], str]:
    keys: set[str] = set()
    for text in texts:
        for forms in facts(text).values():
            keys |= forms
        # every number written anywhere in the allowed texts may be repeated (a date's year, a day count)
        keys |= {f"number:{float(n):g}" for n in re.findall(r"\d+", text)}
    return keys, " ".join(texts).lower()


def invented_facts(reply: str, allowed_texts: Iterable[str]) -> list[str]:
    """The facts of ``reply`` (as written) that no allowed text states, in order of appearance.

    A proper name counts as stated when the allowed texts contain it (ignoring case); any other fact when one of
    its comparable forms is among theirs.
    """
    keys, joined = _allowed(list(allowed_texts))
    invented = []
    for written, forms in facts(reply).items():
        if all(f.startswith("name:") for f in forms):
            if not any(f.removeprefix("name:") in joined for f in forms):
                invented.append(written)
        elif not forms & keys:
            invented.append(written)
    return sorted(invented, key=reply.find)
