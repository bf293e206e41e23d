"""SQL functions crm_gym adds to an org's connection for agent queries: work accounting and the org's clock.

The query pass `crm_gym.api.query_cost` and the clock pass `crm_gym.api.clock` write calls to these into the
agent's query; they charge the running call's `WorkMeter` (see `crm_gym.api.budget`):

- ``crm_row(feeds_temp, weighted_bytes, temp_bytes, pins, p1.., w1, v1, ...)``: once per row a SELECT visits;
  charges ``weighted_bytes`` plus each value ``v`` times its weight ``w`` as steps and, when the row can go to
  temporary storage, its bytes as memory; always 1. The ``pins`` arguments after it only tie the call to every
  table of the SELECT, so that SQLite calls it for each combination of rows.
- ``crm_call(weight, feeds_temp, name, args...)``: SQLite's own function ``name`` (one of `COSTLY_FUNCTIONS`:
  those whose output can be much bigger than their input) computed on a bare connection with the same value
  limit, its input and output charged.
- ``crm_value(weight, feeds_temp, value)``: charges a value made elsewhere (a group_concat window) and returns it.
- ``crm_time_value(value, now)``: the org's ``now`` when ``value`` is 'now' (SQLite's wall clock), else ``value``.
- ``crm_modifier(value)``: the no-op modifier '+0 days' for 'localtime' and 'utc': the org has no time zone.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from crm_gym import config
from crm_gym.api.budget import BYTES_PER_STEP, CALL_STEPS, DELEGATED_CALL_STEPS, METER_KEY, WorkMeter

COSTLY_FUNCTIONS = frozenset({"printf", "format", "zeroblob", "replace", "hex", "quote"})
NO_OP_MODIFIER = "+0 days"
VALUE_LIMIT_KEY = "value_limit"  # `OrgConnection.extensions` key: the SQLITE_LIMIT_LENGTH a running query has
_INSTALLED_KEY = "sql_functions"
_CALCULATOR_KEY = "calculator"
_PRINTF_SPEC = re.compile(r"%([-+ #0!,]*)(\*|\d*)(?:\.(\*|\d*))?(?:ll|l)?(.)", re.DOTALL)


def install(conn: sqlite3.Connection) -> None:
    """Add the functions to a World's connection (once; `sqlite3.Connection.deserialize` keeps them)."""
    extensions: dict[str, Any] = conn.extensions  # type: ignore[attr-defined]
    if extensions.get(_INSTALLED_KEY):
        return

    # The closures hold the extensions dict, not the connection: no reference cycle through SQLite.
    # crm_row runs once per row of a costly query: it is kept to the arithmetic.
    def crm_row(feeds_temp: int, weighted: int, temp: int, pins: int, *args: Any) -> int:
        meter = extensions.get(METER_KEY)
        if meter is None:
            return 1
        for index in range(pins, len(args) - 1, 2):
            measured = size(args[index + 1])
            weighted += args[index] * measured
            temp += measured
        meter.steps += CALL_STEPS + weighted // BYTES_PER_STEP  # WorkMeter.charge, inlined: called per row
        if feeds_temp:
            meter.temp_bytes += temp
        if meter.steps > meter.max_steps or meter.temp_bytes > meter.max_temp_bytes:
            meter.charge(0)
        return 1

    conn.create_function("crm_row", -1, crm_row)
    conn.create_function("crm_call", -1, lambda *args: _call(extensions, args))
    conn.create_function("crm_value", 3, lambda weight, temp, value: _value(extensions, weight, temp, value))
    conn.create_function("crm_time_value", 2, _time_value, deterministic=True)
    conn.create_function("crm_modifier", 1, _modifier, deterministic=True)
    extensions[_INSTALLED_KEY] = True


def size(value: Any) -> int:
    """Bytes a SQLite value occupies, near enough: text by characters, numbers as 8."""
    if value.__class__ is str or value.__class__ is bytes:
        return len(value)
    return 0 if value is None else 8


def _meter(extensions: dict[str, Any]) -> WorkMeter | None:
    return extensions.get(METER_KEY)


def _value(extensions: dict[str, Any], weight: int, feeds_temp: int, value: Any) -> Any:
    meter = _meter(extensions)
    if meter is not None:
        meter.charge(CALL_STEPS + weight * size(value) // BYTES_PER_STEP, size(value) if feeds_temp else 0)
    return value


def _call(extensions: dict[str, Any], args: tuple[Any, ...]) -> Any:
    weight, feeds_temp, name, *values = args
    meter = _meter(extensions)
    if not isinstance(name, str) or name.lower() not in COSTLY_FUNCTIONS:
        message = f"crm_call() runs only {', '.join(sorted(COSTLY_FUNCTIONS))}, not {name!r}."
        if meter is not None:
            meter.refuse(message)
        raise ValueError(message)
    limit = extensions.get(VALUE_LIMIT_KEY, config.QUERY_MAX_VALUE_BYTES)
    if name.lower() in ("printf", "format") and meter is not None and values and isinstance(values[0], str):
        # SQLite writes %c's precision one character at a time, past the value limit too: charge it first
        repeats = sum(precision for kind, precision in _printf_precisions(values[0], values[1:]) if kind == "c")
        meter.charge(repeats // BYTES_PER_STEP)
    if name.lower() == "zeroblob" and len(values) == 1 and isinstance(values[0], int):
        made = max(0, values[0])
        if made > limit:
            message = f"zeroblob({made}) is refused: a value may hold at most {limit:,} bytes."
            if meter is None:
                raise ValueError(message)
            meter.refuse(message)
        if meter is not None:
            meter.charge(CALL_STEPS + weight * made // BYTES_PER_STEP, made if feeds_temp else 0)
        return bytes(made)
    calculator = _calculator(extensions, limit)
    try:
        result = calculator.execute(f"SELECT {name}({', '.join('?' * len(values))})", values).fetchone()[0]
    except (sqlite3.Error, OverflowError, ValueError) as err:
        if meter is None:
            raise
        meter.refuse(f"{name}() failed: {err}.")
    if meter is not None:
        # printf gives NULL once its output passes the value limit, after writing up to the limit
        made = limit if result is None and name.lower() in ("printf", "format") else size(result)
        read = sum(size(v) for v in values)
        meter.charge(DELEGATED_CALL_STEPS + (read + weight * made) // BYTES_PER_STEP, made if feeds_temp else 0)
    return result


def _printf_precisions(form: str, args: Sequence[Any]) -> Iterator[tuple[str, int]]:
    """(conversion, precision) of each conversion of a printf format, taking ``*`` from ``args`` as SQLite does."""
    position = 0

    def number(text: str | None) -> int:
        nonlocal position
        if text == "*":
            value = args[position] if position < len(args) else 0
            position += 1
            return abs(value) if isinstance(value, int) else 0
        return int(text) if text else 0

    for match in _PRINTF_SPEC.finditer(form):
        number(match[2])
        precision = number(match[3])
        if match[4] != "%":
            position += 1
            yield match[4], precision


def _calculator(extensions: dict[str, Any], limit: int) -> sqlite3.Connection:
    """A bare connection (no tables, no handlers) that computes `COSTLY_FUNCTIONS` for ``crm_call``."""
    calculator = extensions.get(_CALCULATOR_KEY)
    if calculator is None:
        calculator = extensions[_CALCULATOR_KEY] = sqlite3.connect(":memory:", check_same_thread=False)
    calculator.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)
    return calculator


def _time_value(value: Any, now: str) -> Any:
    return now if isinstance(value, str) and value.lower() == "now" else value


def _modifier(value: Any) -> Any:
    return NO_OP_MODIFIER if isinstance(value, str) and value.strip().lower() in ("localtime", "utc") else value
