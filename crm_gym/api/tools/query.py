"""The generic ``query`` tool: read-only SQL or SOQL over the org's objects."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from crm_gym import config
from crm_gym.api.budget import WorkBudget
from crm_gym.api.readonly import run_readonly
from crm_gym.api.registry import tool
from crm_gym.api.soql import DEFAULT_PIPELINE, Pipeline, QueryContext

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi
    from crm_gym.world.world import World


def world_today(world: World) -> dt.date | None:
    """The org's 'today' (``_meta`` key ``config.TODAY_META_KEY``), or None when the org has none."""
    today = world.today()
    return dt.date.fromisoformat(today) if today else None


def run_query(world: World, text: str, pipeline: Pipeline = DEFAULT_PIPELINE) -> dict[str, Any]:
    """Translate ``text`` (SQL or SOQL) with ``pipeline`` and run it read-only within the configured bounds."""
    ctx = QueryContext(schema=world.schema, today=world_today(world))
    translation = pipeline.translate(text, ctx)
    # A CTE is read like a table; one named like an internal table (leading "_" or "sqlite_") stays unreadable.
    ctes = [name for name in translation.ctes if not name.startswith("_") and not name.lower().startswith("sqlite_")]
    result = run_readonly(
        world.conn,
        translation.sql,
        readable=[*world.schema.objects, *ctes],
        max_rows=config.QUERY_MAX_ROWS,
        max_bytes=config.QUERY_MAX_BYTES,
        budget=WorkBudget(),
    )
    columns = pipeline.output_columns(result.columns, ctx)
    return result.model_copy(update={"columns": columns}).to_output()


@tool(writes=False)
def query(api: MockCrmApi, sql: str) -> dict[str, Any]:
    """Run one read-only SELECT over the CRM's objects, in SQL (SQLite) or SOQL, and return the rows.

    Tables are the objects and columns their fields, as listed by describe (names are case-insensitive).
    SOQL works too: parent fields through relationships (Contact: Account.Name, Account.Owner.Name; custom
    references: OrderItemId__r.Product2Id), COUNT(), COUNT(Id), aggregates with GROUP BY, IN (...), LIKE, !=,
    unquoted dates (CloseDate > 2024-01-31) and date literals relative to the org's today (TODAY, YESTERDAY,
    THIS_MONTH, LAST_MONTH, THIS_QUARTER, THIS_YEAR, LAST_N_DAYS:30, NEXT_N_MONTHS:2 ...), CALENDAR_MONTH(),
    CALENDAR_YEAR(). Joins, subqueries and CTEs work as in SQLite.

    The result is {"columns": [...], "rows": [[...], ...], "row_count": n, "truncated": bool}; columns are
    named as the query wrote them (e.g. "Account.Name", "COUNT()"). At most 200 rows and 64,000 bytes come
    back ("truncated" is then true and "notice" says so); a query doing too much work (about 1 s) or holding
    too many rows in memory for sorting, grouping or subqueries is stopped.
    Nothing can be written: INSERT, UPDATE, DELETE, PRAGMA, ATTACH and internal tables are refused. An
    unknown object, field or relationship fails with the names that exist.

    Args:
        sql: One SELECT statement, e.g. "SELECT Id, Name, Account.Name FROM Contact WHERE Account.Name LIKE
            'Acme%' ORDER BY Name LIMIT 10".
    """
    return run_query(api.world, sql, api.query_pipeline)
