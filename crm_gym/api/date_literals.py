"""SOQL date literals: unquoted dates (``2024-01-31``) and relative ones (``LAST_N_DAYS:30``, ``THIS_QUARTER``).

Before parsing, `mark_date_literals` turns each literal outside strings and comments into a marker call
``SOQL_DATE('2024-01-31')`` or ``SOQL_DATE('LAST_N_DAYS', 30)`` that sqlglot parses as an ordinary function;
the query pipeline then replaces each marker by a date range computed with `date_range` from the world's
'today' (never the wall clock). Ranges are half-open ``[start, end)``, so they work on ISO dates and
date-times alike. Weeks start on Sunday and fiscal periods equal calendar periods, as in a default org.
"""

from __future__ import annotations

import datetime as dt
import re

from crm_gym.errors import CrmError

MARKER = "SOQL_DATE"

_UNITS = ("DAY", "WEEK", "MONTH", "QUARTER", "YEAR")
_UNIT_ALIASES = {"FISCAL_QUARTER": "QUARTER", "FISCAL_YEAR": "YEAR"}
_PLURAL = {f"{u}S": u for u in (*_UNITS, *_UNIT_ALIASES)}

_SIMPLE = {"TODAY": ("THIS", "DAY"), "YESTERDAY": ("LAST", "DAY"), "TOMORROW": ("NEXT", "DAY")}
_SIMPLE |= {f"{w}_{u}": (w, u) for w in ("THIS", "LAST", "NEXT") for u in (*_UNITS[1:], *_UNIT_ALIASES)}
_NINETY = {"LAST_90_DAYS": "LAST_N_DAYS", "NEXT_90_DAYS": "NEXT_N_DAYS"}
_WITH_N = {f"{w}_N_{p}": (w, p) for w in ("LAST", "NEXT") for p in _PLURAL} | {
    f"N_{p}_AGO": ("AGO", p) for p in _PLURAL
}

_RELATIVE = "|".join(sorted([*_SIMPLE, *_NINETY], key=len, reverse=True))
_RELATIVE_N = "|".join(sorted(_WITH_N, key=len, reverse=True))
# Strings, quoted identifiers, comments and "AS name" are matched first so that nothing inside them changes.
_LEXEME = re.compile(
    r"""
    '(?:[^']|'')*' | "(?:[^"]|"")*" | `[^`]*` | \[[^\]]*\] | --[^\n]* | /\*.*?(?:\*/|$)
    | \bAS\s+\w+
    | (?P<datetime>\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)
    | (?P<date>\b\d{4}-\d{2}-\d{2})(?![\w:.-])
    | \b(?P<relative_n>"""
    + _RELATIVE_N
    + r""")\s*:\s*(?P<n>\d{1,6})\b
    | \b(?P<relative>"""
    + _RELATIVE
    + r""")\b(?!\s*:)
    """,
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)


def mark_date_literals(text: str) -> str:
    """Replace SOQL date literals outside strings and comments by ``SOQL_DATE(...)`` marker calls.

    >>> mark_date_literals("SELECT Id FROM Opportunity WHERE CloseDate > 2024-01-31 AND CreatedDate = LAST_N_DAYS:7")
    "SELECT Id FROM Opportunity WHERE CloseDate > SOQL_DATE('2024-01-31') AND CreatedDate = SOQL_DATE('LAST_N_DAYS', 7)"
    """

    def replace(match: re.Match[str]) -> str:
        if match["date"]:
            return f"{MARKER}('{match['date']}')"
        if match["datetime"]:
            # Stored date-times are ISO text; compare on their first 19 characters' format.
            return f"'{match['datetime'][:19]}'"
        if match["relative_n"]:
            return f"{MARKER}('{match['relative_n'].upper()}', {int(match['n'])})"
        if match["relative"]:
            return f"{MARKER}('{match['relative'].upper()}')"
        return match.group(0)

    return _LEXEME.sub(replace, text)


def date_range(literal: str, n: int | None, today: dt.date | None) -> tuple[dt.date, dt.date]:
    """The half-open range ``[start, end)`` of days a date literal stands for.

    Args:
        literal: An ISO date such as "2024-01-31", or a relative literal such as "THIS_MONTH" or "LAST_N_DAYS".
        n: The number after the colon of an ``_N_`` literal (``LAST_N_DAYS:30`` -> 30), else None.
        today: The world's today; relative literals need it.

    >>> date_range("LAST_N_DAYS", 2, dt.date(2024, 3, 10))
    (datetime.date(2024, 3, 8), datetime.date(2024, 3, 11))
    """
    name = literal.upper()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", name):
        try:
            day = dt.date.fromisoformat(name)
        except ValueError as err:
            raise CrmError(f"{literal!r} is not a valid date: {err}.") from err
        return day, day + dt.timedelta(days=1)
    if today is None:
        raise CrmError(
            f"The date literal {literal} is relative to today, and this org has no 'today' set. "
            "Use explicit dates such as 2024-01-31."
        )
    name = _NINETY.get(name, name)
    if name in ("LAST_N_DAYS", "NEXT_N_DAYS") and n is None:
        n = 90
    try:
        if name in _SIMPLE:
            which, unit = _SIMPLE[name]
            unit = _UNIT_ALIASES.get(unit, unit)
            start = _period_start(today, unit)
            shift = {"THIS": 0, "LAST": -1, "NEXT": 1}[which]
            return _add(start, unit, shift), _add(start, unit, shift + 1)
        if name in _WITH_N and n is not None:
            which, plural = _WITH_N[name]
            unit = _UNIT_ALIASES.get(_PLURAL[plural], _PLURAL[plural])
            start = _period_start(today, unit)
            if which == "LAST" and unit == "DAY":  # LAST_N_DAYS:n includes today
                return _add(start, unit, -n), _add(start, unit, 1)
            if which == "LAST":
                return _add(start, unit, -n), start
            if which == "NEXT":
                return _add(start, unit, 1), _add(start, unit, 1 + n)
            return _add(start, unit, -n), _add(start, unit, 1 - n)
    except (OverflowError, ValueError) as err:
        raise CrmError(f"The date literal {literal}:{n} reaches outside the calendar; use a smaller number.") from err
    raise CrmError(f"Unknown date literal {literal!r}.")


def _period_start(day: dt.date, unit: str) -> dt.date:
    if unit == "DAY":
        return day
    if unit == "WEEK":
        return day - dt.timedelta(days=(day.weekday() + 1) % 7)
    if unit == "MONTH":
        return day.replace(day=1)
    if unit == "QUARTER":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _add(start: dt.date, unit: str, count: int) -> dt.date:
    """``start`` (the first day of a period) moved by ``count`` periods."""
    if unit in ("DAY", "WEEK"):
        return start + dt.timedelta(days=count * (7 if unit == "WEEK" else 1))
    months = count * {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[unit]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
