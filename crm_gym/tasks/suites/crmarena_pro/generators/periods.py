"""Periods a question may ask about (months, quarters, seasons, years, "the past N months/quarters").

They follow the suite's domain definitions and end on or before the org's today.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

from crm_gym.api.date_literals import date_range
from crm_gym.scoring.extract import MONTH_NAMES

_ORDINALS = ("first", "second", "third", "fourth")
# How far back periods reach: the org's history is three years, so the oldest periods have nothing to rank.
_MONTHS_BACK = 47
_PAST_MONTHS = range(1, 13)
_PAST_QUARTERS = range(1, 9)


@dataclass(frozen=True)
class Period:
    """A date range named the way a user would ask about it.

    Attributes:
        key: Identifies the range ("2023-Q2", "past-4-months").
        phrase: How a question names it ("in Q2 2023", "over the past 4 months").
        start: First day, included.
        end: Last day, included.
    """

    key: str
    phrase: str
    start: dt.date
    end: dt.date
    literal: tuple[str, int] | None = None
    """For "the past N months/quarters": the SOQL date literal an agent may write for it (``LAST_N_MONTHS``, n)."""

    @property
    def stop(self) -> dt.date:
        """The day after the period (the exclusive bound queries use)."""
        return self.end + dt.timedelta(days=1)

    def readings(self, today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
        """The (start, stop) ranges a reasonable reader may take the period to be: as the domain definitions say,
        and for "the past N months/quarters" also as the query tool's literal (``LAST_N_MONTHS:n`` ends at the end
        of last month) and as whole calendar months back from this month's start (with the current month)."""
        found = {"as defined": (self.start, self.stop)}
        if self.literal is not None:
            name, n = self.literal
            found["SOQL literal"] = date_range(name, n, today)
            unit = 3 if name == "LAST_N_QUARTERS" else 1
            found["calendar months"] = (add_months(today.replace(day=1), -unit * n), today + dt.timedelta(days=1))
        return found

    def phrasings(self) -> tuple[str, ...]:
        """The ways a person may name the period in a question, ``phrase`` first (all mean the same range)."""
        kind, number = _kind_of(self.key)
        year = self.start.year
        ways: tuple[str, ...]
        if kind == "month":
            name = f"{MONTH_NAMES[self.start.month - 1]} {year}"
            ways = (f"in {name}", f"during {name}", f"for {name}", f"back in {name}", f"over {name}")
        elif kind == "quarter":
            ordinal = _ORDINALS[number - 1]
            ways = (f"in Q{number} {year}", f"in the {ordinal} quarter of {year}", f"during Q{number} of {year}")
            ways += (f"for {year} Q{number}", f"over Q{number} {year}")
        elif kind in _SEASONS:
            ways = (f"in {kind} {year}", f"during the {kind} of {year}", f"over {kind} {year}")
            ways += (f"for the {year} {kind} season",)
        elif kind == "year":
            ways = (f"in {year}", f"during {year}", f"over calendar year {year}", f"for the whole of {year}")
        else:
            unit = kind.removeprefix("past-")
            one, words = unit.rstrip("s"), _NUMBER_WORDS[number] if number < len(_NUMBER_WORDS) else str(number)
            ways = (
                (f"over the past {one}", f"in the last {one}", f"during the past {one}")
                if number == 1
                else (f"over the past {number} {unit}", f"in the last {number} {unit}", f"over the last {words} {unit}")
                + (f"during the past {words} {unit}", f"within the past {number} {unit}")
            )
        return (self.phrase, *(w for w in ways if w != self.phrase))


_SEASONS = ("spring", "summer", "autumn", "winter")
_NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def _kind_of(key: str) -> tuple[str, int]:
    """What a period key names ("month", "quarter", a season, "year", "past-months", "past-quarters", "past-weeks")
    and its number (the month, the quarter, the N of "the past N months"; 0 otherwise)."""
    if match := re.fullmatch(r"past-(\d+)-(\w+)", key):
        return f"past-{match[2]}", int(match[1])
    if match := re.fullmatch(r"\d{4}-(\d{2})", key):
        return "month", int(match[1])
    if match := re.fullmatch(r"\d{4}-Q(\d)", key):
        return "quarter", int(match[1])
    if match := re.fullmatch(r"\d{4}-(\w+)", key):
        return match[1], 0
    return "year", 0


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_of_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return dt.date(year, month + 1, min(day.day, (first_of_next - dt.timedelta(days=1)).day))


def _month_end(first: dt.date, months: int = 1) -> dt.date:
    return add_months(first, months) - dt.timedelta(days=1)


def periods(today: dt.date, rng: np.random.Generator) -> list[Period]:
    """Every period a question may ask about, oldest named periods first; ``rng`` picks among phrasings."""

    def say(*options: str) -> str:
        return options[int(rng.integers(len(options)))]

    found: list[Period] = []
    this_month = today.replace(day=1)
    for back in range(_MONTHS_BACK, 0, -1):
        first = add_months(this_month, -back)
        name = f"{MONTH_NAMES[first.month - 1]} {first.year}"
        found.append(Period(f"{first:%Y-%m}", say(f"in {name}", f"during {name}"), first, _month_end(first)))
    for year in range(this_month.year - 4, this_month.year + 1):
        for q in range(4):
            first = dt.date(year, 3 * q + 1, 1)
            if first >= add_months(this_month, -_MONTHS_BACK) and _month_end(first, 3) < today:
                phrase = say(f"in Q{q + 1} {year}", f"in the {_ORDINALS[q]} quarter of {year}")
                found.append(Period(f"{year}-Q{q + 1}", phrase, first, _month_end(first, 3)))
        seasons = (("spring", 3), ("summer", 6), ("autumn", 9), ("winter", 12))
        for season, month in seasons:
            first = dt.date(year, month, 1)
            if first >= add_months(this_month, -_MONTHS_BACK) and _month_end(first, 3) < today:
                phrase = say(f"in {season} {year}", f"during the {season} of {year}")
                found.append(Period(f"{year}-{season}", phrase, first, _month_end(first, 3)))
        if dt.date(year, 12, 31) < today and year >= today.year - 2:
            phrase = say(f"in {year}", f"during {year}")
            found.append(Period(f"{year}", phrase, dt.date(year, 1, 1), dt.date(year, 12, 31)))
    for n in _PAST_MONTHS:
        phrase = say(f"over the past {n} months", f"in the last {n} months") if n > 1 else "over the past month"
        found.append(Period(f"past-{n}-months", phrase, add_months(today, -n), today, ("LAST_N_MONTHS", n)))
    for n in _PAST_QUARTERS:
        phrase = say(f"over the past {n} quarters", f"in the last {n} quarters") if n > 1 else "over the past quarter"
        found.append(Period(f"past-{n}-quarters", phrase, add_months(today, -3 * n), today, ("LAST_N_QUARTERS", n)))
    # "The past 2 quarters" is the past 6 months: keep one question per date range.
    unique: dict[tuple[dt.date, dt.date], Period] = {}
    for period in found:
        unique.setdefault((period.start, period.end), period)
    return list(unique.values())
