"""Reading the observation's texts: record ids, today's date, periods, and the words a question uses."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from crm_gym.scoring.extract import MONTH_NAMES

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_TODAY = re.compile(r"Today's date:\s*(\d{4}-\d{2}-\d{2})")
_RECORD_ID = r"([A-Za-z0-9]{15,18})\b"


def record_id(text: str, label: str) -> str | None:
    """The record id after ``label`` ("Id to be considered is: X", "product Id is X").

    The word "Id" of the label matches any word: drift may rename the id field in the prose too ("RecId").
    """
    pattern = r"\b" + re.escape(label).replace("Id", r"\w+") + r"[^A-Za-z0-9]*" + _RECORD_ID
    match = re.search(pattern, text, re.IGNORECASE)
    return match[1] if match else None


def today(text: str) -> dt.date:
    """Today's date as the context states it (the org's fixed today when missing)."""
    match = _TODAY.search(text)
    return dt.date.fromisoformat(match[1]) if match else dt.date(2024, 11, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (clamped to the month's end)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_of_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return dt.date(year, month + 1, min(day.day, (first_of_next - dt.timedelta(days=1)).day))


@dataclass(frozen=True)
class Span:
    """A period as a half-open date range: ``start`` included, ``stop`` excluded."""

    start: dt.date
    stop: dt.date

    def months(self) -> list[str]:
        """The "YYYY-MM" months the period touches."""
        first = self.start.year * 12 + self.start.month - 1
        last_day = self.stop - dt.timedelta(days=1)
        last = last_day.year * 12 + last_day.month - 1
        return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]


def _month_span(year: int, month: int, count: int) -> Span:
    first = dt.date(year, month, 1)
    return Span(first, add_months(first, count))


def period(prompt: str, now: dt.date) -> Span | None:
    """The period a question names, following the org's definitions (quarters, seasons, past N months...)."""
    text = prompt.lower()
    month_names = "|".join(m.lower() for m in MONTH_NAMES)
    if m := re.search(rf"\b({month_names}) (\d{{4}})\b", text):
        return _month_span(int(m[2]), MONTH_NAMES.index(m[1].title()) + 1, 1)
    if m := re.search(r"\bq([1-4]) (\d{4})\b", text):
        return _month_span(int(m[2]), 3 * int(m[1]) - 2, 3)
    if m := re.search(r"\b(first|second|third|fourth) quarter of (\d{4})\b", text):
        return _month_span(int(m[2]), 3 * _ORDINALS[m[1]] - 2, 3)
    if m := re.search(r"\b(spring|summer|autumn|fall|winter)(?: of)? (\d{4})\b", text):
        return _month_span(int(m[2]), _SEASONS[m[1]], 3)
    stop = now + dt.timedelta(days=1)
    if m := re.search(r"\b(?:past|last) (\d+ )?(week|month|quarter)s?\b", text):
        n = int(m[1]) if m[1] else 1
        if m[2] == "week":
            return Span(now - dt.timedelta(days=7 * n), stop)
        return Span(add_months(now, -n * (3 if m[2] == "quarter" else 1)), stop)
    if m := re.search(r"\b(?:in|during) (\d{4})\b", text):
        return _month_span(int(m[1]), 1, 12)
    return None


def mentions(text: str, *words: str) -> bool:
    """True when the text contains any of the words (case-insensitive)."""
    low = text.lower()
    return any(w in low for w in words)
