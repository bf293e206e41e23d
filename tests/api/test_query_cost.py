"""The query accounting pass: it returns the rows the query would return without it, and charges what it should."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from crm_gym import MockCrmApi, build_org
from crm_gym.api import budget, sql_functions
from crm_gym.api.budget import WorkBudget, WorkMeter, metered
from crm_gym.api.query_cost import bound_work
from crm_gym.api.soql import DEFAULT_PIPELINE, Pipeline, QueryContext
from crm_gym.api.tools.query import world_today
from crm_gym.tasks.suites import load_suite
from crm_gym.world.world import World

UNACCOUNTED = dataclasses.replace(
    DEFAULT_PIPELINE, passes=tuple(p for p in DEFAULT_PIPELINE.passes if p is not bound_work)
)
EDGE_QUERIES = [
    "SELECT a.Name, c.LastName FROM Account a LEFT JOIN Contact c ON c.AccountId = a.Id WHERE c.Id IS NULL",
    "SELECT a.Name FROM Account a LEFT JOIN Case c ON c.AccountId = a.Id AND c.Status = 'New' ORDER BY a.Name",
    "SELECT Name FROM Account UNION SELECT LastName FROM Contact ORDER BY 1",
    "SELECT Name FROM Account UNION ALL SELECT Name FROM Account WHERE Name LIKE 'A%'",
    "SELECT Subject FROM Case INTERSECT SELECT Subject FROM Case WHERE Priority = 'High'",
    "WITH t AS (SELECT AccountId, count(*) AS n FROM Case GROUP BY AccountId) "
    "SELECT a.Name, t.n FROM Account a JOIN t ON t.AccountId = a.Id ORDER BY t.n DESC, a.Name",
    "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 50) SELECT sum(i), max(i) FROM r",
    "WITH RECURSIVE r(i, s) AS (SELECT 1, 'a' UNION SELECT i + 1, s || 'a' FROM r WHERE i < 20) SELECT * FROM r",
    "SELECT Status, count(*), group_concat(Subject, '|') FROM Case GROUP BY Status HAVING count(*) > 1 ORDER BY 2",
    "SELECT DISTINCT Status FROM Case ORDER BY Status",
    "SELECT count(DISTINCT AccountId) FROM Case",
    "SELECT Name, (SELECT count(*) FROM Contact c WHERE c.AccountId = a.Id) AS n FROM Account a ORDER BY n DESC, Name",
    "SELECT Name, (SELECT max(Subject) FROM Case) FROM Account ORDER BY Name LIMIT 5",
    "SELECT * FROM (SELECT Name, Industry FROM Account WHERE Industry IS NOT NULL) t ORDER BY 1",
    "SELECT * FROM (SELECT * FROM Account) ORDER BY Id",
    "SELECT Subject, row_number() OVER (PARTITION BY Status ORDER BY CreatedDate) AS n FROM Case ORDER BY Subject, n",
    "SELECT Subject, group_concat(Status) OVER (ORDER BY Id) FROM Case ORDER BY Id LIMIT 20",
    "SELECT printf('%s-%05d', Name, NumberOfEmployees), replace(Name, 'a', 'A'), hex(Name), quote(Name) FROM Account",
    "SELECT length(zeroblob(10)), printf('%.*c', 5, 'x'), format('%d', 42)",
    "SELECT Name FROM Account WHERE Name LIKE '%a%' AND Id IN (SELECT AccountId FROM Case) ORDER BY Name",
    "SELECT Name FROM Account a WHERE EXISTS (SELECT 1 FROM Opportunity o WHERE o.AccountId = a.Id) ORDER BY 1",
    "SELECT c.Subject, a.Name FROM Case c, Account a WHERE c.AccountId = a.Id AND a.Name LIKE '%o%' ORDER BY 1, 2",
    "SELECT Account.Name, count(*) FROM Contact GROUP BY Account.Name ORDER BY 2 DESC, 1",
    "SELECT strftime('%Y-%m', CreatedDate) AS m, count(*) FROM Case GROUP BY m ORDER BY m",
    "SELECT Description FROM Case WHERE Description LIKE '%' ORDER BY Id LIMIT 10",
]


@pytest.fixture(scope="module")
def org() -> World:
    return build_org("crmarena_pro_b2b", seed=0, scale="small")


def _rows(org: World, pipeline: Pipeline, query: str) -> list[tuple[Any, ...]]:
    sql = pipeline.translate(query, QueryContext(org.schema, world_today(org))).sql
    sql_functions.install(org.conn)
    with metered(org.conn, WorkBudget(), hint=""):
        return org.conn.execute(sql).fetchall()


def _oracle_queries() -> list[str]:
    tasks = load_suite("crmarena_pro", "test", scale="small")
    queries = {c.args["sql"] for t in tasks if t.oracle for c in t.oracle.calls if c.tool == "query"}
    return sorted(queries)[::4]


@pytest.mark.parametrize("query", [*EDGE_QUERIES, *_oracle_queries()])
def test_the_accounted_query_returns_the_rows_of_the_query(org: World, query: str) -> None:
    assert _rows(org, DEFAULT_PIPELINE, query) == _rows(org, UNACCOUNTED, query)


def _sql(org: World, query: str) -> str:
    return DEFAULT_PIPELINE.translate(query, QueryContext(org.schema, world_today(org))).sql


def test_one_tables_short_values_get_no_term_sorted_or_not(org: World) -> None:
    assert "CRM_" not in _sql(org, "SELECT Id, Name, Amount FROM Opportunity WHERE StageName = 'Closed Won'")
    assert "CRM_" not in _sql(org, "SELECT count(*) FROM Case")
    assert "CRM_" not in _sql(org, "SELECT StageName, count(*) FROM Opportunity GROUP BY StageName ORDER BY 2")


def test_a_sort_of_joined_rows_counts_them_against_temporary_storage(org: World) -> None:
    sql = _sql(org, "SELECT a.Name FROM Account a, Contact c ORDER BY a.Name")
    # feeds temporary storage; the 255-character Name is read twice (result and sort key); 64 bytes a row
    assert 'WHERE CRM_ROW(1, 510, 574, 2, TYPEOF("a"."Id"), TYPEOF("c"."Id")) ORDER BY' in sql


def test_like_reads_its_subject_once_per_pattern_character(org: World) -> None:
    sql = _sql(org, "SELECT count(*) FROM Case WHERE Description LIKE '%refund%'")
    # the 8-character pattern is read once, the description 8 times; no temporary storage: 64 bytes a row only
    assert 'CRM_ROW(0, 8, 72, 1, TYPEOF("Case"."Id"), 8, "Case"."Description")' in sql


def test_costly_functions_run_through_the_accounting(org: World) -> None:
    sql = _sql(org, "SELECT upper(printf('%.*c', 9, 'x')), hex(Name), zeroblob(3) FROM Account")
    # printf's output is read twice (by upper, then as upper's output); the names of the columns stay as written
    assert "UPPER(CRM_CALL(2, 0, 'printf', '%.*c', 9, 'x')) AS \"UPPER(PRINTF('%.*c', 9, 'x'))\"" in sql
    assert 'CRM_CALL(1, 0, \'hex\', "Account"."Name")' in sql and "CRM_CALL(1, 0, 'zeroblob', 3)" in sql


def test_an_uncorrelated_scalar_subquery_is_measured_in_every_row_a_correlated_one_by_itself(org: World) -> None:
    once = _sql(org, "SELECT Name, (SELECT group_concat(Subject) FROM Case) FROM Account")
    assert '1, (SELECT GROUP_CONCAT("Case"."Subject") FROM "Case"' in once.split('FROM "Account"')[1]
    each = _sql(org, "SELECT Name, (SELECT count(*) FROM Case c WHERE c.AccountId = a.Id) FROM Account a")
    assert "CRM_ROW" not in each.split('FROM "Account"')[1]


def test_the_same_query_on_the_same_org_does_the_same_counted_work(org: World, monkeypatch: pytest.MonkeyPatch) -> None:
    meters: list[WorkMeter] = []

    class Recorded(WorkMeter):
        def __init__(self, work: WorkBudget) -> None:
            super().__init__(work)
            meters.append(self)

    monkeypatch.setattr(budget, "WorkMeter", Recorded)
    query = "SELECT c.Subject, a.Name FROM Case c, Account a WHERE c.Description LIKE '%e%' ORDER BY a.Name, c.Id"
    first, second = MockCrmApi(org.copy()), MockCrmApi(org.copy())
    assert first.execute("query", {"sql": query}) == second.execute("query", {"sql": query})
    assert (meters[0].steps, meters[0].temp_bytes) == (meters[1].steps, meters[1].temp_bytes)
    assert meters[0].steps > 0 and meters[0].temp_bytes > 0
