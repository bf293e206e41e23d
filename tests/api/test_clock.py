"""SQL date and time functions read the org's today and no time zone, never the machine's clock."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_gym import CrmError
from crm_gym.api.soql import DEFAULT_PIPELINE, QueryContext
from crm_gym.world.schema import load_schema

SCHEMA = load_schema("crmarena_pro_b2b")
TODAY = QueryContext(SCHEMA, dt.date(2024, 3, 9))


def _select(expression: str, ctx: QueryContext = TODAY) -> str:
    sql = DEFAULT_PIPELINE.translate(f"SELECT {expression} AS x FROM Case", ctx).sql
    return sql.split(" AS ")[0].removeprefix("SELECT ")


@pytest.mark.parametrize(
    ("expression", "pinned"),
    [
        ("date()", "DATE('2024-03-09T00:00:00')"),
        ("time()", "TIME('2024-03-09T00:00:00')"),
        ("datetime()", "DATETIME('2024-03-09T00:00:00')"),
        ("julianday()", "JULIANDAY('2024-03-09T00:00:00')"),
        ("unixepoch()", "UNIXEPOCH('2024-03-09T00:00:00')"),
        ("strftime('%s')", "STRFTIME('%s', '2024-03-09T00:00:00')"),
        ("date('NOW', '-1 day')", "DATE('2024-03-09T00:00:00', '-1 day')"),
        ("CURRENT_DATE", "'2024-03-09'"),
        ("CURRENT_TIMESTAMP", "'2024-03-09T00:00:00'"),
        ("CURRENT_TIME", "'00:00:00'"),
        ("datetime('2024-01-01 10:00', 'localtime')", "DATETIME('2024-01-01 10:00', '+0 days')"),
        ("date(CreatedDate, ' UTC ')", 'DATE("Case"."CreatedDate", \'+0 days\')'),
        ("date('n' || 'ow')", "DATE(CRM_TIME_VALUE('n' || 'ow', '2024-03-09T00:00:00'))"),
        (
            "date(Subject, Status)",
            'DATE(CRM_TIME_VALUE("Case"."Subject", \'2024-03-09T00:00:00\'), CRM_MODIFIER("Case"."Status"))',
        ),
        ("strftime('%Y', CreatedDate)", 'STRFTIME(\'%Y\', "Case"."CreatedDate")'),  # a date field never holds 'now'
    ],
)
def test_every_reading_of_the_clock_is_pinned_to_the_orgs_today(expression: str, pinned: str) -> None:
    assert _select(expression) == pinned


def test_an_org_without_a_today_refuses_the_clock_and_computed_now_means_null() -> None:
    no_today = QueryContext(SCHEMA, None)
    with pytest.raises(CrmError, match="no 'today' set"):
        _select("date()", no_today)
    assert _select("date(Subject)", no_today) == 'DATE(CRM_TIME_VALUE("Case"."Subject", NULL))'
