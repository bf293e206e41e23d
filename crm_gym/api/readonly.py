"""Run agent SQL on the org's connection, read-only by construction and bounded in rows, bytes, work and memory.

Read-only is enforced by SQLite itself, not by inspecting the text: while the statement is prepared and
stepped, an authorizer allows only SELECT, reads of the org's object tables, functions (but not
``load_extension``, the random ones, which would break determinism, JSON builders, or the functions whose
output can dwarf their input unless the query tool's accounting runs them) and recursive CTEs. Every write,
ATTACH/DETACH, PRAGMA, schema change, transaction statement and any read of an internal table
(``_changelog``, ``_meta``, the ``_search`` index and its shadow tables, ``sqlite_master``) is denied.
SQLite's own limits bound each value, LIKE pattern, expression depth and program size, and the statement's
work and temporary memory are counted against a `WorkBudget` (`crm_gym.api.budget`: deterministic, whatever the
machine's load). Handlers and limits are restored in a ``finally``: the same connection serves the world's
writes.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel, ConfigDict

from crm_gym import config
from crm_gym.api import sql_functions
from crm_gym.api.budget import WorkBudget, metered
from crm_gym.api.query_cost import LIKE_PATTERN_MAX
from crm_gym.errors import CrmError

_ALLOWED_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_RECURSIVE})
_JSON_BUILDERS = (
    "json",
    "json_array",
    "json_object",
    "json_quote",
    "json_set",
    "json_insert",
    "json_replace",
    "json_patch",
    "json_remove",
    "json_group_array",
    "json_group_object",
)
_DENIED_FUNCTIONS = {
    "load_extension": "load_extension() is not available",
    "fts3_tokenizer": "fts3_tokenizer() is not available",
    "random": "random() is not available: query results must be deterministic",
    "randomblob": "randomblob() is not available: query results must be deterministic",
    **{
        name: f"{name}() is not available: the query tool returns rows as JSON already; read JSON with json_extract"
        for name in _JSON_BUILDERS
    },
    **{
        name: f"{name}() is available only through the query tool, which counts the size of what it makes"
        for name in sql_functions.COSTLY_FUNCTIONS
    },
}
# SQLite's limits on the connection from its first agent query on (the value length is set per call); the world's
# own statements stay far within them.
_LIMITED_KEY = "query_limits"
_LIMITS = {
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: LIKE_PATTERN_MAX,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 200,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 64,
    sqlite3.SQLITE_LIMIT_VDBE_OP: 200_000,
    sqlite3.SQLITE_LIMIT_COLUMN: 1_000,
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
_QUERY_HINT = "Add filters or LIMIT, select fewer or shorter columns, avoid large joins and unbounded recursion."


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
def read_only(conn: sqlite3.Connection, readable: Collection[str], *, max_value_bytes: int) -> Iterator[list[str]]:
    """Allow only reads of the tables in ``readable`` on ``conn`` inside the block, under `_LIMITS`.

    Yields the list of refusals (filled by the authorizer) so a caller can explain a denial; a denied
    statement fails with `sqlite3.DatabaseError` as usual. ``max_value_bytes`` bounds any one string or
    blob the statement makes or reads.
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
    extensions = conn.extensions  # type: ignore[attr-defined]
    if not extensions.get(_LIMITED_KEY):  # limits the world's own statements meet easily: set once, kept
        sql_functions.install(conn)
        for limit, value in _LIMITS.items():
            conn.setlimit(limit, value)
        extensions[_LIMITED_KEY] = True
    conn.set_authorizer(authorize)
    previous = conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_value_bytes)
    extensions[sql_functions.VALUE_LIMIT_KEY] = max_value_bytes
    try:
        yield refusals
    finally:
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, previous)
        conn.set_authorizer(None)
        extensions.pop(sql_functions.VALUE_LIMIT_KEY, None)


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
    budget: WorkBudget | None = None,
    max_value_bytes: int = config.QUERY_MAX_VALUE_BYTES,
) -> QueryResult:
    """Run one SELECT under the read-only guard and the row, byte, value, work and memory budgets.

    Args:
        conn: The world's connection (left exactly as it was: handlers removed, nothing written).
        sql: One SQLite statement.
        readable: The tables the statement may read.
        max_rows: Rows returned at most; more set ``truncated``.
        max_bytes: JSON bytes of rows returned at most; more set ``truncated``.
        budget: Work and temporary memory the statement may use (`WorkBudget()` by default); past it the
            statement is interrupted with `CrmError` (`WallClockBackstopError` past the backstop).
        max_value_bytes: Bytes of any one value the statement makes or reads.
    """
    cursor = conn.cursor()
    try:
        with read_only(conn, readable, max_value_bytes=max_value_bytes) as refusals:
            try:
                with metered(conn, budget or WorkBudget(), hint=_QUERY_HINT):
                    cursor.execute(sql)
                    columns = [d[0] for d in cursor.description or ()]
                    return _collect(cursor, columns, max_rows, max_bytes)
            except CrmError:
                raise
            except sqlite3.Error as err:
                if refusals:
                    raise CrmError(f"Query refused: {refusals[0]}.") from err
                if isinstance(err, sqlite3.DataError) or "too big" in str(err):
                    raise CrmError(
                        f"A value in the query exceeds {max_value_bytes:,} bytes; select less text."
                    ) from err
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
