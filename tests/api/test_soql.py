"""SOQL as CRMArena-Pro agents write it: each translation gives the rows of the equivalent hand-written SQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlglot import exp

from crm_gym import CrmError, MockCrmApi
from crm_gym.api.date_literals import date_range, mark_date_literals
from crm_gym.api.soql import DEFAULT_PIPELINE, QueryContext, resolve_names
from crm_gym.api.tools.query import run_query

# Each SOQL query and the SQL that means the same over the fixture org (today = 2024-03-15).
EQUIVALENT = {
    "parent field": (
        "SELECT Id, LastName, Account.Name FROM Contact ORDER BY Id",
        "SELECT c.Id, c.LastName, a.Name FROM Contact c LEFT JOIN Account a ON a.Id = c.AccountId ORDER BY c.Id",
    ),
    "two hops": (
        "SELECT LastName, Account.Owner.Name FROM Contact ORDER BY LastName",
        "SELECT c.LastName, u.Name FROM Contact c LEFT JOIN Account a ON a.Id = c.AccountId "
        "LEFT JOIN User u ON u.Id = a.OwnerId ORDER BY c.LastName",
    ),
    "spellings of one relationship share one join": (
        "SELECT LastName, Account.Name, accountid.Name, Account.OwnerId.Email FROM Contact ORDER BY Account.Name, Id",
        "SELECT c.LastName, a.Name, a.Name, u.Email FROM Contact c LEFT JOIN Account a ON a.Id = c.AccountId "
        "LEFT JOIN User u ON u.Id = a.OwnerId ORDER BY a.Name, c.Id",
    ),
    "custom relationship": (
        "SELECT Subject, OrderItemId__r.Product2Id, OrderItemId__r.Product2.Name FROM Case ORDER BY Subject",
        'SELECT c.Subject, oi.Product2Id, p.Name FROM "Case" c LEFT JOIN OrderItem oi ON oi.Id = c.OrderItemId__c '
        "LEFT JOIN Product2 p ON p.Id = oi.Product2Id ORDER BY c.Subject",
    ),
    "relationship in WHERE": (
        "SELECT Name FROM Opportunity WHERE Account.Industry = 'Energy' ORDER BY Name",
        "SELECT o.Name FROM Opportunity o JOIN Account a ON a.Id = o.AccountId WHERE a.Industry = 'Energy' "
        "ORDER BY o.Name",
    ),
    "COUNT()": (
        "SELECT COUNT() FROM Contact WHERE AccountId != null",
        "SELECT count(*) FROM Contact WHERE AccountId IS NOT NULL",
    ),
    "COUNT(Id)": ("SELECT COUNT(Id) FROM Opportunity", "SELECT count(Id) FROM Opportunity"),
    "aggregates with GROUP BY": (
        "SELECT StageName, COUNT(Id), SUM(Amount), AVG(Amount) FROM Opportunity GROUP BY StageName ORDER BY StageName",
        "SELECT StageName, count(*), sum(Amount), avg(Amount) FROM Opportunity GROUP BY StageName ORDER BY StageName",
    ),
    "GROUP BY a parent field": (
        "SELECT Account.Name, SUM(Amount) total FROM Opportunity GROUP BY Account.Name ORDER BY total DESC",
        "SELECT a.Name, sum(o.Amount) AS total FROM Opportunity o LEFT JOIN Account a ON a.Id = o.AccountId "
        "GROUP BY a.Name ORDER BY total DESC",
    ),
    "IN, LIKE, !=": (
        "SELECT Name FROM Opportunity WHERE StageName IN ('Prospecting', 'Negotiation') AND Name LIKE '%e%' "
        "AND Name != 'Globex Grid' ORDER BY Name",
        "SELECT Name FROM Opportunity WHERE StageName IN ('Prospecting', 'Negotiation') AND Name LIKE '%e%' "
        "AND Name <> 'Globex Grid' ORDER BY Name",
    ),
    "= null": ("SELECT Name FROM Account WHERE Industry = null", "SELECT Name FROM Account WHERE Industry IS NULL"),
    "semi-join": (
        "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact) ORDER BY Name",
        "SELECT DISTINCT a.Name FROM Account a JOIN Contact c ON c.AccountId = a.Id ORDER BY a.Name",
    ),
    "unquoted date": (
        "SELECT Name FROM Opportunity WHERE CloseDate > 2024-02-20 ORDER BY Name",
        "SELECT Name FROM Opportunity WHERE CloseDate > '2024-02-20' ORDER BY Name",
    ),
    "unquoted date, equal": (
        "SELECT Name FROM Opportunity WHERE CloseDate = 2024-02-20",
        "SELECT Name FROM Opportunity WHERE CloseDate = '2024-02-20'",
    ),
    "date on a datetime field": (
        "SELECT Name FROM Account WHERE CreatedDate = 2024-03-14",
        "SELECT Name FROM Account WHERE substr(CreatedDate, 1, 10) = '2024-03-14'",
    ),
    "unquoted datetime": (
        "SELECT Name FROM Account WHERE CreatedDate >= 2024-03-14T12:00:00Z ORDER BY Name",
        "SELECT Name FROM Account WHERE CreatedDate >= '2024-03-14T12:00:00' ORDER BY Name",
    ),
    "TODAY": (
        "SELECT Name FROM Opportunity WHERE CloseDate = TODAY",
        "SELECT Name FROM Opportunity WHERE CloseDate = '2024-03-15'",
    ),
    "TODAY on a datetime": (
        "SELECT Name FROM Account WHERE CreatedDate = TODAY",
        "SELECT Name FROM Account WHERE CreatedDate LIKE '2024-03-15%'",
    ),
    "YESTERDAY": (
        "SELECT Name FROM Opportunity WHERE CloseDate = YESTERDAY",
        "SELECT Name FROM Opportunity WHERE CloseDate = '2024-03-14'",
    ),
    "LAST_N_DAYS": (
        "SELECT Name FROM Opportunity WHERE CloseDate = LAST_N_DAYS:30 ORDER BY Name",
        "SELECT Name FROM Opportunity WHERE CloseDate BETWEEN '2024-02-14' AND '2024-03-15' ORDER BY Name",
    ),
    "THIS_MONTH": (
        "SELECT Name FROM Opportunity WHERE CloseDate = THIS_MONTH ORDER BY Name",
        "SELECT Name FROM Opportunity WHERE CloseDate LIKE '2024-03-%' ORDER BY Name",
    ),
    "LAST_MONTH": (
        "SELECT Name FROM Opportunity WHERE CloseDate = LAST_MONTH",
        "SELECT Name FROM Opportunity WHERE CloseDate LIKE '2024-02-%'",
    ),
    "before THIS_QUARTER": (
        "SELECT Name FROM Opportunity WHERE CloseDate < THIS_QUARTER ORDER BY Name",
        "SELECT Name FROM Opportunity WHERE CloseDate < '2024-01-01' ORDER BY Name",
    ),
    "after LAST_YEAR": (
        "SELECT Name FROM Opportunity WHERE CloseDate > LAST_YEAR ORDER BY Name",
        "SELECT Name FROM Opportunity WHERE CloseDate >= '2024-01-01' ORDER BY Name",
    ),
    "not THIS_YEAR": (
        "SELECT Name FROM Opportunity WHERE CloseDate != THIS_YEAR ORDER BY Name",
        "SELECT Name FROM Opportunity WHERE CloseDate NOT LIKE '2024-%' ORDER BY Name",
    ),
    "NEXT_N_DAYS, literal first": (
        "SELECT Name FROM Opportunity WHERE NEXT_N_DAYS:30 = CloseDate",
        "SELECT Name FROM Opportunity WHERE CloseDate BETWEEN '2024-03-16' AND '2024-04-14'",
    ),
    "CALENDAR_MONTH": (
        "SELECT CALENDAR_MONTH(CloseDate), COUNT(Id) FROM Opportunity WHERE CALENDAR_YEAR(CloseDate) = 2024 "
        "GROUP BY CALENDAR_MONTH(CloseDate) ORDER BY CALENDAR_MONTH(CloseDate)",
        "SELECT CAST(strftime('%m', CloseDate) AS INTEGER) m, count(*) FROM Opportunity "
        "WHERE strftime('%Y', CloseDate) = '2024' GROUP BY m ORDER BY m",
    ),
    "lower-case names": (
        "select lastname, account.name from contact where account.name like 'acme%' order by lastname",
        "SELECT c.LastName, a.Name FROM Contact c JOIN Account a ON a.Id = c.AccountId "
        "WHERE a.Name LIKE 'acme%' ORDER BY c.LastName",
    ),
    "CURRENT_DATE and 'now' are the org's today": (
        "SELECT CURRENT_DATE, date('now', '-1 day'), strftime('%Y', 'now')",
        "SELECT '2024-03-15', '2024-03-14', '2024'",
    ),
}


@pytest.mark.parametrize(("soql", "sql"), EQUIVALENT.values(), ids=EQUIVALENT.keys())
def test_soql_gives_the_rows_of_the_equivalent_sql(sf_api: MockCrmApi, soql: str, sql: str) -> None:
    expected = sf_api.world.conn.execute(sql).fetchall()
    got = sf_api.query(soql)
    assert [tuple(row) for row in got["rows"]] == expected
    assert expected, "the fixture should make every comparison non-trivial"


def test_result_columns_are_named_as_written(sf_api: MockCrmApi) -> None:
    result = sf_api.query("SELECT Id, account.Name, COUNT(Id), Account.Owner.Name FROM Contact GROUP BY Id")
    assert result["columns"] == ["Id", "account.Name", "COUNT(Id)", "Account.Owner.Name"]
    assert sf_api.query("SELECT COUNT() FROM Account")["columns"] == ["COUNT()"]
    star = sf_api.query("SELECT *, Account.Name FROM Contact LIMIT 1")["columns"]
    assert star == ["Id", "FirstName", "LastName", "Email", "AccountId", "Account.Name"]


@pytest.mark.parametrize(
    ("soql", "match"),
    [
        (
            "SELECT Acount.Name FROM Contact",
            r"Contact has no field or relationship 'Acount'. Did you mean 'Account'\? "
            r"Relationships of Contact: Account \(AccountId -> Account\)",
        ),
        ("SELECT Account.Nmae FROM Contact", r"Account has no field 'Nmae'. Did you mean 'Name'\?"),
        ("SELECT What.Name FROM Task", r"Task.WhatId may point at Account or Opportunity.*Select WhatId"),
        ("SELECT Account.Owner.Account.Owner.Name FROM Contact", "at most 3 relationships"),
        ("SELECT Name FROM Opportunity WHERE CloseDate IN (THIS_MONTH)", "IN .* takes exact dates"),
        ("SELECT Name FROM Opportunity WHERE CloseDate = 2024-02-30", "'2024-02-30' is not a valid date"),
        ("SELECT Name FROM Opportunity WHERE CloseDate = LAST_N_DAYS:999999", "reaches outside the calendar"),
        ("SELECT CALENDAR_MONTH(CloseDate, Id) FROM Opportunity", r"CALENDAR_MONTH\(\) takes exactly one field"),
        ("SELECT Name FROM Opportunity WHERE CloseDate = SOQL_DATE(Name)", "SOQL_DATE.* is internal"),
        ("SELECT Name FROM Opportunity WHERE CloseDate = SOQL_DATE('LAST_N_DAYS', 'x')", "SOQL_DATE.* is internal"),
        ("SELECT Name FROM Opportunity WHERE CloseDate = SOQL_DATE('SOMEDAY')", "Unknown date literal 'SOMEDAY'"),
    ],
)
def test_bad_soql_names_what_is_wrong(sf_api: MockCrmApi, soql: str, match: str) -> None:
    with pytest.raises(CrmError, match=match):
        sf_api.query(soql)


def test_relative_dates_need_the_orgs_today(sf_api: MockCrmApi) -> None:
    sf_api.world.conn.execute("DELETE FROM _meta WHERE key = 'today'")
    with pytest.raises(CrmError, match="relative to today, and this org has no 'today' set"):
        sf_api.query("SELECT Name FROM Opportunity WHERE CloseDate = THIS_MONTH")
    with pytest.raises(CrmError, match="no 'today' set, so 'now' and CURRENT_DATE are unknown"):
        sf_api.query("SELECT CURRENT_DATE")
    assert sf_api.query("SELECT Name FROM Opportunity WHERE CloseDate = 2024-03-15")["rows"] == [["Acme Anvils"]]


def test_date_literals_inside_strings_comments_and_aliases_are_left_alone() -> None:
    text = "SELECT 'TODAY 2024-01-01' AS today, \"THIS_MONTH\" -- LAST_N_DAYS:3\nFROM t WHERE d = TODAY"
    assert mark_date_literals(text) == (
        "SELECT 'TODAY 2024-01-01' AS today, \"THIS_MONTH\" -- LAST_N_DAYS:3\nFROM t WHERE d = SOQL_DATE('TODAY')"
    )


TODAY = dt.date(2024, 3, 15)  # a Friday


@pytest.mark.parametrize(
    ("literal", "n", "start", "end"),
    [
        ("TODAY", None, "2024-03-15", "2024-03-16"),
        ("TOMORROW", None, "2024-03-16", "2024-03-17"),
        ("THIS_WEEK", None, "2024-03-10", "2024-03-17"),  # weeks start on Sunday
        ("LAST_WEEK", None, "2024-03-03", "2024-03-10"),
        ("NEXT_MONTH", None, "2024-04-01", "2024-05-01"),
        ("THIS_QUARTER", None, "2024-01-01", "2024-04-01"),
        ("LAST_QUARTER", None, "2023-10-01", "2024-01-01"),
        ("NEXT_FISCAL_QUARTER", None, "2024-04-01", "2024-07-01"),
        ("LAST_YEAR", None, "2023-01-01", "2024-01-01"),
        ("LAST_90_DAYS", None, "2023-12-16", "2024-03-16"),
        ("LAST_N_DAYS", 1, "2024-03-14", "2024-03-16"),
        ("NEXT_N_DAYS", 1, "2024-03-16", "2024-03-17"),
        ("LAST_N_MONTHS", 2, "2024-01-01", "2024-03-01"),
        ("NEXT_N_QUARTERS", 1, "2024-04-01", "2024-07-01"),
        ("LAST_N_YEARS", 2, "2022-01-01", "2024-01-01"),
        ("N_DAYS_AGO", 3, "2024-03-12", "2024-03-13"),
        ("N_MONTHS_AGO", 3, "2023-12-01", "2024-01-01"),
        ("2024-02-29", None, "2024-02-29", "2024-03-01"),
    ],
)
def test_date_ranges(literal: str, n: int | None, start: str, end: str) -> None:
    assert date_range(literal, n, TODAY) == (dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def test_last_month_in_january_is_last_december() -> None:
    assert date_range("LAST_MONTH", None, dt.date(2024, 1, 31)) == (dt.date(2023, 12, 1), dt.date(2024, 1, 1))


def test_a_rename_pass_and_a_column_pass_plug_into_the_pipeline(sf_api: MockCrmApi) -> None:
    """The hook schema drift needs: visible names in, canonical names resolved, visible names out."""
    visible_to_canonical = {"customer": "Account", "customer_name": "Name"}

    def rename_in(tree: exp.Query, ctx: QueryContext) -> exp.Query:
        for node in tree.find_all(exp.Identifier):
            node.set("this", visible_to_canonical.get(node.name.lower(), node.name))
        return tree

    def rename_out(columns: list[str], ctx: QueryContext) -> list[str]:
        return ["customer_name" if c == "Name" else c for c in columns]

    pipeline = DEFAULT_PIPELINE.with_pass(rename_in, before=resolve_names).with_column_pass(rename_out)
    result = run_query(sf_api.world, "SELECT customer_name FROM customer WHERE customer_name LIKE 'G%'", pipeline)
    assert result["columns"] == ["customer_name"] and result["rows"] == [["Globex"]]
    with pytest.raises(CrmError, match="Unknown object 'customer'"):
        run_query(sf_api.world, "SELECT customer_name FROM customer")


def test_a_cached_translation_follows_the_orgs_today(sf_api: MockCrmApi) -> None:
    query = "SELECT Name FROM Opportunity WHERE CloseDate = TODAY"
    assert sf_api.query(query)["rows"] == [["Acme Anvils"]]
    assert sf_api.query(query)["rows"] == [["Acme Anvils"]]
    sf_api.world.conn.execute("UPDATE _meta SET value = '2024-03-14' WHERE key = 'today'")
    assert sf_api.query(query)["rows"] == [["Acme Rockets"]]
