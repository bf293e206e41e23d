"""Reading values out of an Arc request: quoted names, amounts, dates, percentages, files, emails and picklists.

Every reader takes the user's text and returns the value in the CRM's own form (ISO dates, plain numbers,
the picklist's exact spelling), or None when the text does not give it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from crm_gym.scoring.extract import MONTH_NAMES

_MONTHS = {name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)}
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_SCALES], key=len, reverse=True))
_WORDS_NUMBER = re.compile(rf"\b(?:(?:{_NUMBER_WORD})(?:[\s-]+(?:and\s+)?)?)+\b", re.IGNORECASE)
_MULTIPLIERS = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000}
_MONEY = re.compile(
    r"(?P<sign>-)?\$\s*(?P<sign2>-)?(?P<number>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>k|m|million|thousand)?\b", re.IGNORECASE
)
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”")
_LONG_DATE = re.compile(
    rf"\b(?P<month>{'|'.join(_MONTHS)})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b", re.IGNORECASE
)
_SLASH_DATE = re.compile(r"\b(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})\b")
_ISO_DATE = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_FILE = re.compile(r"(?<![\w@.-])([A-Za-z0-9][\w-]*(?:\.[\w-]+)*\.[A-Za-z0-9]{2,5})(?![\w@-])")
_PERCENT_BEFORE = re.compile(r"(?P<n>-?\d+)\s*(?:%|percent)\s+probability", re.IGNORECASE)
_PERCENT_AFTER = re.compile(
    rf"probability\b[^.\d]*?(?P<n>-?\d+|\b(?:(?:{_NUMBER_WORD})\b[\s-]*)+)(?:\s*(?:%|percent))?", re.IGNORECASE
)
_PLAIN_AMOUNT = re.compile(r"\bamount\b[^$\d]*?\bto\s+(?P<n>-?\d[\d,]*(?:\.\d+)?)", re.IGNORECASE)


def quoted(text: str) -> list[str]:
    """The double-quoted names in ``text``, in order.

    >>> quoted('Clone "A - B" as "A - B 2026".')
    ['A - B', 'A - B 2026']
    """
    return [a or b for a, b in _QUOTED.findall(text)]


def without_quoted(text: str) -> str:
    """``text`` with its quoted names blanked, so values are not read out of names."""
    return _QUOTED.sub('""', text)


def words_to_number(text: str) -> float | None:
    """A number written in words ("sixty", "fifty thousand"), or None.

    >>> words_to_number("fifty thousand")
    50000.0
    """
    total, current, seen = 0.0, 0.0, False
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in _UNITS:
            current += _UNITS[word]
            seen = True
        elif word == "hundred":
            current = (current or 1) * 100
            seen = True
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current, seen = 0.0, True
        elif word != "and":
            return None
    return total + current if seen else None


def money(text: str) -> float | None:
    """The first amount of money in ``text`` ("$162,500", "$188k", "$25 million", "-$2,000", "fifty thousand
    dollars"), or None.

    >>> money("a $188k opportunity"), money("a quote of -$2,000"), money("fifty thousand dollars")
    (188000.0, -2000.0, 50000.0)
    """
    found = _MONEY.search(text)
    if found:
        value = float(found["number"].replace(",", "")) * _MULTIPLIERS.get((found["unit"] or "").lower(), 1)
        return -value if found["sign"] or found["sign2"] else value
    plain = _PLAIN_AMOUNT.search(text)
    if plain:
        return float(plain["n"].replace(",", ""))
    for spelled in _WORDS_NUMBER.finditer(text):
        if re.match(r"\s*dollars\b", text[spelled.end() :], re.IGNORECASE):
            return words_to_number(spelled.group())
    return None


def dates(text: str) -> list[str]:
    """Every date in ``text`` as ISO ``YYYY-MM-DD``, in order ("March 9, 2025", "3/30/2025", "2025-03-30").

    >>> dates("running February 1, 2025 to 1/31/2026")
    ['2025-02-01', '2026-01-31']
    """
    found: list[tuple[int, str]] = []
    for pattern in (_LONG_DATE, _SLASH_DATE, _ISO_DATE):
        for match in pattern.finditer(text):
            month = match["month"]
            number = _MONTHS[month.lower()] if month.isalpha() else int(month)
            try:
                found.append((match.start(), date(int(match["year"]), number, int(match["day"])).isoformat()))
            except ValueError:
                continue
    return [iso for _, iso in sorted(found)]


def iso_date(text: str) -> str | None:
    """The first date in ``text`` as ISO, or None."""
    found = dates(text)
    return found[0] if found else None


def probability(text: str) -> int | None:
    """The win probability the text gives ("probability 10%", "125% probability", "probability sixty percent",
    "probability ... to fifty"), or None.

    >>> probability("Raise its probability to 65%."), probability("probability sixty percent")
    (65, 60)
    """
    found = _PERCENT_BEFORE.search(text) or _PERCENT_AFTER.search(text)
    if not found:
        return None
    raw = found["n"].strip()
    value = float(raw) if re.fullmatch(r"-?\d+", raw) else words_to_number(raw)
    return None if value is None else int(value)


def file_names(text: str) -> list[str]:
    """File names with an extension ("Proposal_v2.pdf"), e-mail addresses excluded.

    >>> file_names("Upload our NDA, Acme_NDA.PDF, to acme@acme.com's account.")
    ['Acme_NDA.PDF']
    """
    return [f for f in _FILE.findall(text) if not re.fullmatch(r"[\d.]+", f) and f.lower() not in ("e.g", "i.e")]


def emails(text: str) -> list[str]:
    """The e-mail addresses in ``text``."""
    return _EMAIL.findall(text)


def _loose(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", value.lower()).strip()


def picklist_value(text: str, allowed: Sequence[str]) -> str | None:
    """The allowed value ``text`` mentions first, matched loosely ("closed won" -> "Closed-Won", "negotiations"
    -> "Negotiation"), or None.

    >>> picklist_value("move it to negotiations", ["Proposal", "Negotiation", "Closed-Won"])
    'Negotiation'
    """
    loose = f" {_loose(text)} "
    best: tuple[int, str] | None = None
    for value in allowed:
        words = _loose(value)
        if not words:
            continue
        found = re.search(rf" {re.escape(words)}(?:s|es)? ", loose)
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), value)
    return best[1] if best else None


def same_name(a: object, b: object) -> bool:
    """True when two names are equal ignoring case and surrounding spaces."""
    return isinstance(a, str) and isinstance(b, str) and a.strip().casefold() == b.strip().casefold()
