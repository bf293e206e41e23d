"""Run agent SQL on the org's connection, read-only by construction and bounded in rows, bytes and time.

Read-only is enforced by SQLite itself, not by inspecting the text: while the statement is prepared and
stepped, an authorizer allows only SELECT, reads of the org's object tables, functions (but not
``load_extension`` or the random ones, which would break determinism) and recursive CTEs. Every write,
ATTACH/DETACH, PRAGMA, schema change, transaction statement and any read of an internal table
(``_changelog``, ``_meta``, the ``_search`` index and its shadow tables, ``sqlite_master``) is denied.
A progress handler interrupts a statement that runs past its work budget (SQLite VM steps, so the
cut-off is deterministic whatever the machine's load). Both handlers and the length
limit are removed in a ``finally``: the same connection serves the world's writes.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel, ConfigDict

from crm_gym.errors import CrmError

_ALLOWED_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_RECURSIVE})
_DENIED_FUNCTIONS = {
    "load_extension": "load_extension() is not available",
    "fts3_tokenizer": "fts3_tokenizer() is not available",
    "random": "random() is not available: query results must be deterministic",
    "randomblob": "randomblob() is not available: query results must be deterministic",
}
_ACTION_NAMES = {
    sqlite3.SQLITE_INSERT: "INSERT",
    sqlite3.SQLITE_UPDATE: "UPDATE",
    sqlite3.SQLITE_DELETE: "DELETE",
    sqlite3.SQLITE_PRAGMA: "PRAGMA",
    sqlite3.SQLITE_ATTACH: "ATTACH",
    sqlite3.SQLITE_DETACH: "DETACH",
    sqlite3.SQLITE_TRANSACTION: "a transaction statement",
    sqlite3.SQLITE_SAVEPOINT: "a savepoint",
}
_QUERY_HINT = "Add filters or LIMIT, or avoid large joins and unbounded recursive CTEs."
_PROGRESS_STEPS = 1_000  # SQLite VM instructions between two calls of the progress handler
_VALUE_BYTES_PER_OUTPUT_BYTE = 16  # a single value may be this many times the output budget before SQLite refuses


class QueryResult(BaseModel):
    """Rows of one query, as the agent receives them.

    ``truncated`` is True when rows were left out (row or byte budget); ``notice`` then says why and how to
    narrow the query.
    """

    model_config = ConfigDict(frozen=True)

    columns: list[str]
    rows: list[list[Any]]
    row_count: int
    truncated: bool = False
    notice: str | None = None

    def to_output(self) -> dict[str, Any]:
        """The JSON-serialisable tool output (``notice`` only when there is one)."""
        return self.model_dump(exclude_none=True)


@contextmanager
def work_limit(conn: sqlite3.Connection, steps: int, *, hint: str = _QUERY_HINT) -> Iterator[None]:
    """Interrupt any statement on ``conn`` after ``steps`` SQLite VM steps; raise `CrmError` (ending in ``hint``)."""
    calls_allowed = max(1, steps // _PROGRESS_STEPS)
    calls = [0]
    expired = []

    def check() -> int:
        calls[0] += 1
        if calls[0] > calls_allowed:
            expired.append(True)
            return 1
        return 0

    conn.set_progress_handler(check, _PROGRESS_STEPS)
    try:
        yield
    except sqlite3.OperationalError as err:
        if expired:
            raise CrmError(f"The query exceeded its work budget of {steps:,} steps and was stopped. {hint}") from err
        raise
    finally:
        conn.set_progress_handler(None, 0)


@contextmanager
def read_only(conn: sqlite3.Connection, readable: Collection[str], *, max_value_bytes: int) -> Iterator[list[str]]:
    """Allow only reads of the tables in ``readable`` on ``conn`` inside the block.

    Yields the list of refusals (filled by the authorizer) so a caller can explain a denial; a denied
    statement fails with `sqlite3.DatabaseError` as usual. ``max_value_bytes`` bounds any one string or
    blob the statement makes (``zeroblob(10**9)`` fails instead of using a gigabyte).
    """
    refusals: list[str] = []
    allowed = frozenset(name.lower() for name in readable)  # SQLite names are case-insensitive

    def authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None) -> int:
        if action in _ALLOWED_ACTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ and (arg1 or "").lower() in allowed:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() not in _DENIED_FUNCTIONS:
            return sqlite3.SQLITE_OK
        refusals.append(_refusal(action, arg1, arg2))
        return sqlite3.SQLITE_DENY

    # Setting an authorizer expires every prepared statement, so a cached statement is authorized again.
    conn.set_authorizer(authorize)
    old_limit = conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_value_bytes)
    try:
        yield refusals
    finally:
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, old_limit)
        conn.set_authorizer(None)


def _refusal(action: int, arg1: str | None, arg2: str | None) -> str:
    if action == sqlite3.SQLITE_READ:
        return f"the table {arg1!r} is internal (not an object of the org) and cannot be queried"
    if action == sqlite3.SQLITE_FUNCTION:
        return _DENIED_FUNCTIONS.get((arg2 or "").lower(), f"{arg2}() is not available")
    if action in (sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_INSERT) and arg1 and arg1.startswith("sqlite_"):
        return "table-valued functions are not available"
    return f"{_ACTION_NAMES.get(action, 'a schema change')} is not allowed: queries are read-only"


def run_readonly(
    conn: sqlite3.Connection,
    sql: str,
    *,
    readable: Collection[str],
    max_rows: int,
    max_bytes: int,
    max_steps: int,
) -> QueryResult:
    """Run one SELECT under the read-only guard and the row, byte and work budgets.

    Args:
        conn: The world's connection (left exactly as it was: handlers removed, nothing written).
        sql: One SQLite statement.
        readable: The tables the statement may read.
        max_rows: Rows returned at most; more set ``truncated``.
        max_bytes: JSON bytes of rows returned at most; more set ``truncated``.
        max_steps: Work budget in SQLite VM steps; past it the statement is interrupted with `CrmError`.
    """
    value_cap = max_bytes * _VALUE_BYTES_PER_OUTPUT_BYTE
    cursor = conn.cursor()
    try:
        with read_only(conn, readable, max_value_bytes=value_cap) as refusals:
            try:
                with work_limit(conn, max_steps):
                    cursor.execute(sql)
                    columns = [d[0] for d in cursor.description or ()]
                    return _collect(cursor, columns, max_rows, max_bytes)
            except CrmError:
                raise
            except sqlite3.Error as err:
                if refusals:
                    raise CrmError(f"Query refused: {refusals[0]}.") from err
                if isinstance(err, sqlite3.DataError) or "too big" in str(err):
                    raise CrmError(f"A value in the query exceeds {value_cap} bytes; select less text.") from err
                raise CrmError(f"Query failed: {err}.") from err
            except (ValueError, OverflowError) as err:  # e.g. text that cannot be encoded for SQLite
                raise CrmError(f"Query failed: {err}.") from err
    finally:
        cursor.close()


def _collect(cursor: sqlite3.Cursor, columns: list[str], max_rows: int, max_bytes: int) -> QueryResult:
    rows: list[list[Any]] = []
    size = len(json.dumps(columns, ensure_ascii=False))
    notice = None
    for values in iter(lambda: cursor.fetchmany(64), []):
        for raw in values:
            if len(rows) == max_rows:
                notice = f"Only the first {max_rows} rows are shown; add filters, GROUP BY or LIMIT."
                break
            row = [_json_value(v) for v in raw]
            size += len(json.dumps(row, ensure_ascii=False)) + 1
            if size > max_bytes:
                notice = (
                    f"Only the first {len(rows)} rows are shown: the output is limited to {max_bytes} bytes. "
                    "Select fewer or shorter columns, or add LIMIT."
                )
                break
            rows.append(row)
        if notice:
            break
    return QueryResult(columns=columns, rows=rows, row_count=len(rows), truncated=notice is not None, notice=notice)


def _json_value(value: Any) -> Any:
    """A SQLite value as JSON: blobs as hex text, infinities and NaN as text."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value
