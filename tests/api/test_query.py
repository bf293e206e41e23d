"""The query tool: read-only by construction, bounded in rows, bytes and time, with errors that name the fix."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_gym import CrmError, MockCrmApi, config
from crm_gym.api.budget import WorkBudget
from crm_gym.api.readonly import run_readonly
from crm_gym.api.registry import registered_tools

RUNAWAY = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r"


def _still_writable(api: MockCrmApi) -> None:
    """The connection has no authorizer or progress handler left: writes and internal reads work."""
    created = api.create("Account", {"Name": "After The Query"})
    assert api.world.get("Account", created["Id"])["Name"] == "After The Query"
    assert api.world.conn.execute("SELECT count(*) FROM _changelog").fetchone()[0] >= 1
    api.world.conn.execute(
        "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 30000) SELECT max(x) FROM r"
    )


@pytest.mark.parametrize(
    ("sql", "match"),
    [
        ("INSERT INTO Account (Id, Name) VALUES ('001x', 'Evil')", "only runs SELECT statements.*got INSERT"),
        ("UPDATE Account SET Name = 'Evil'", "got UPDATE"),
        ("DELETE FROM Account", "got DELETE"),
        ("DROP TABLE Account", "got DROP"),
        ("CREATE TABLE evil (x)", "got CREATE"),
        ("ATTACH DATABASE ':memory:' AS other", "got ATTACH"),
        ("PRAGMA foreign_keys = OFF", "got PRAGMA"),
        ("BEGIN", "got BEGIN|got TRANSACTION"),
        ("SELECT * FROM _changelog", "Unknown object '_changelog'"),
        ("SELECT value FROM _meta", "Unknown object '_meta'"),
        ("SELECT * FROM _search WHERE _search MATCH 'acme'", "Unknown object '_search'"),
        ("SELECT * FROM _search_data", "Unknown object '_search_data'"),
        ("SELECT name FROM sqlite_master", "Unknown object 'sqlite_master'"),
        ("SELECT * FROM main._changelog", "Unknown object '_changelog'"),
        ("WITH _changelog AS (SELECT 1 AS a) SELECT count(*) FROM _changelog", "'_changelog' is internal"),
        ("SELECT Name FROM Account; DELETE FROM Account", "one statement at a time"),
        ("SELECT Name FROM Account; SELECT 1", "one statement at a time"),
        ("SELECT load_extension('/tmp/evil.so')", r"load_extension\(\) is not available"),
        ("SELECT Name FROM Account ORDER BY random()", r"random\(\) is not available"),
        ("SELECT * FROM pragma_table_info('Account')", "FROM must name an object"),
        ("SELECT length(zeroblob(100000000))", re.escape("zeroblob(100000000) is refused: a value may hold at most")),
        (RUNAWAY, "would hold more than 32 MiB of rows in temporary storage"),
    ],
)
def test_refused_queries_change_nothing_and_leave_the_connection_writable(
    sf_api: MockCrmApi, sql: str, match: str
) -> None:
    before = sf_api.world.state_hash()
    with pytest.raises(CrmError, match=match):
        sf_api.query(sql)
    assert sf_api.world.state_hash() == before
    _still_writable(sf_api)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT Name FROM Account ORDER BY Name",
        "WITH big AS (SELECT Name FROM Account WHERE Name LIKE 'A%') SELECT Name FROM big",
        "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 5) SELECT count(*) FROM r",
        "SELECT upper(Name), length(Name), strftime('%Y', CreatedDate) FROM Account",
        "SELECT Name FROM Account a WHERE EXISTS (SELECT 1 FROM Contact c WHERE c.AccountId = a.Id)",
    ],
)
def test_reading_queries_run_and_change_nothing(sf_api: MockCrmApi, sql: str) -> None:
    before = sf_api.world.state_hash()
    result = sf_api.query(sql)
    assert result["row_count"] >= 1 and not result["truncated"]
    assert sf_api.world.state_hash() == before
    _still_writable(sf_api)


def _raw(api: MockCrmApi, sql: str, *, readable: tuple[str, ...] = ("Account",), steps: int = 50_000_000):
    return run_readonly(
        api.world.conn, sql, readable=readable, max_rows=50, max_bytes=10_000, budget=WorkBudget(steps=steps)
    )


@pytest.mark.parametrize(
    ("sql", "match"),
    [
        ("INSERT INTO Account (Id, Name) VALUES ('001x', 'Evil')", "INSERT is not allowed"),
        ("UPDATE Account SET Name = 'Evil'", "UPDATE is not allowed"),
        ("DELETE FROM Account", "DELETE is not allowed"),
        ("DROP TABLE Contact", "is not allowed: queries are read-only"),
        ("ATTACH DATABASE ':memory:' AS other", "ATTACH is not allowed"),
        ("PRAGMA foreign_keys = OFF", "PRAGMA is not allowed"),
        ("SAVEPOINT s", "savepoint is not allowed"),
        ("SELECT * FROM _changelog", "'_changelog' is internal"),
        ("SELECT count(*) FROM _search_data", "'_search_data' is internal"),
        ("SELECT name FROM sqlite_master", "'sqlite_master' is internal"),
        ("SELECT LastName FROM Contact", "'Contact' is internal"),
        ("SELECT load_extension('x')", "load_extension"),
        ("SELECT * FROM json_each('[1]')", "table-valued functions are not available"),
        ("SELECT 1; SELECT 2", "one statement at a time"),
    ],
)
def test_the_authorizer_refuses_raw_sql_that_bypasses_the_parser(sf_api: MockCrmApi, sql: str, match: str) -> None:
    before = sf_api.world.state_hash()
    with pytest.raises(CrmError, match=match):
        _raw(sf_api, sql)
    assert sf_api.world.state_hash() == before
    assert sf_api.world.integrity_violations() == []
    _still_writable(sf_api)


def test_a_statement_prepared_before_the_guard_is_authorized_again(sf_api: MockCrmApi) -> None:
    sql = "SELECT * FROM _changelog"
    sf_api.world.conn.execute(sql).fetchall()  # now in the connection's statement cache
    with pytest.raises(CrmError, match="'_changelog' is internal"):
        _raw(sf_api, sql)
    assert _raw(sf_api, "SELECT count(*) FROM Account").rows == [[3]]


def test_a_runaway_statement_is_stopped_and_the_handler_removed(sf_api: MockCrmApi) -> None:
    with pytest.raises(CrmError, match=re.escape("query exceeded its work budget of 100,000 steps")):
        _raw(sf_api, RUNAWAY, readable=("r",), steps=100_000)
    _still_writable(sf_api)


def test_rows_beyond_the_row_budget_are_cut_and_said_so(sf_api: MockCrmApi) -> None:
    sql = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 5000) SELECT x FROM r"
    result = sf_api.query(sql)
    assert result["row_count"] == config.QUERY_MAX_ROWS == len(result["rows"])
    assert result["rows"][-1] == [config.QUERY_MAX_ROWS]
    assert result["truncated"] is True
    assert f"first {config.QUERY_MAX_ROWS} rows" in result["notice"]
    exactly = sf_api.query(sql.replace("5000", str(config.QUERY_MAX_ROWS)))
    assert exactly["truncated"] is False and "notice" not in exactly


def test_output_beyond_the_byte_budget_is_cut_and_said_so(sf_api: MockCrmApi) -> None:
    rows = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 150)"
    sql = f"{rows} SELECT printf('%.*c', 1000, 'x') FROM r"
    result = sf_api.query(sql)
    assert result["truncated"] is True and 0 < result["row_count"] < 150
    assert len(json.dumps(result["rows"])) <= config.QUERY_MAX_BYTES
    assert f"limited to {config.QUERY_MAX_BYTES} bytes" in result["notice"]
    small = sf_api.query(sql.replace("1000", "10"))
    assert small["row_count"] == 150 and not small["truncated"]


def test_result_shape_is_json_and_follows_order_by(sf_api: MockCrmApi) -> None:
    result = sf_api.query("SELECT Name, Amount FROM Opportunity WHERE Amount IS NOT NULL ORDER BY Amount DESC")
    assert result == json.loads(json.dumps(result))
    assert set(result) == {"columns", "rows", "row_count", "truncated"}
    assert result["columns"] == ["Name", "Amount"]
    amounts = [row[1] for row in result["rows"]]
    assert amounts == sorted(amounts, reverse=True) and result["row_count"] == 5
    blob = sf_api.query("SELECT x'00ff' AS b, 1e999 AS big")
    assert blob["rows"] == [["00ff", "inf"]]


@pytest.mark.parametrize(
    ("sql", "match"),
    [
        ("", "The query is empty"),
        ("SELEKT Name FROM Account", "Could not parse the query"),
        ("SELECT Name FROM Acount", "Unknown object 'Acount'. Did you mean 'Account'?.*Objects in this org: Account"),
        ("SELECT Nmae FROM Account", "Account has no field 'Nmae'. Did you mean 'Name'?.*Fields of Account: Id, Name"),
        ("SELECT a.Nmae FROM Account a", "Account has no field 'Nmae'"),
        ("SELECT Name FROM Account a JOIN Opportunity o ON o.AccountId = a.Id", "'Name' is ambiguous"),
        ("SELECT nosuchfunc(Name) FROM Account", "Query failed: no such function"),
        ("RECURSIVE UNION SELECT 1", "Could not read the query: Cannot build a scope"),
        ("SELECT " + "(" * 3000 + "1" + ")" * 3000, "nested too deeply|Could not parse"),
        ("SELECT '" + "x" * config.QUERY_MAX_CHARS + "'", "at most 20000 are accepted"),
    ],
)
def test_bad_queries_name_what_is_wrong(sf_api: MockCrmApi, sql: str, match: str) -> None:
    before = sf_api.world.state_hash()
    with pytest.raises(CrmError, match=match):
        sf_api.query(sql)
    assert sf_api.world.state_hash() == before


def test_names_are_case_insensitive_and_double_quoted_text_is_a_string(sf_api: MockCrmApi) -> None:
    assert sf_api.query('select name from ACCOUNT where name = "Globex"')["rows"] == [["Globex"]]


def test_queries_are_counted_by_the_api(sf_api: MockCrmApi) -> None:
    sf_api.query("SELECT Name FROM Account")
    sf_api.execute("query", {"sql": "DELETE FROM Account"})
    assert sf_api.counters.queries == 2 and sf_api.counters.errors == 1


def test_the_tool_is_read_only_and_its_docstring_states_the_configured_bounds() -> None:
    definition = registered_tools()["query"]
    assert definition.writes is False and definition.group == "generic"
    assert f"{config.QUERY_MAX_ROWS} rows" in definition.description
    assert f"{config.QUERY_MAX_BYTES:,} bytes" in definition.description
    assert "too much work (about 1 s)" in definition.description


def test_the_arc_profile_is_queryable(api: MockCrmApi) -> None:
    client = api.create("Client", {"name": "Acme Corp", "status": "Active"})
    api.create("Contact", {"first_name": "Ann", "last_name": "Lee", "client_id": client["client_id"]})
    result = api.query("SELECT last_name, Client.name FROM Contact")
    assert result["columns"] == ["last_name", "Client.name"] and result["rows"] == [["Lee", "Acme Corp"]]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(max_size=200),
        st.lists(
            st.sampled_from(
                [
                    "SELECT",
                    "Name",
                    "Account.Name",
                    "FROM",
                    "Account",
                    "Contact",
                    "WHERE",
                    "=",
                    "'x'",
                    "(",
                    ")",
                    ",",
                    "*",
                    "COUNT()",
                    "GROUP BY",
                    "ORDER BY",
                    "LIMIT",
                    "1",
                    "TODAY",
                    "LAST_N_DAYS:3",
                    "2024-01-01",
                    "IN",
                    "LIKE",
                    ";",
                    "DELETE",
                    "_changelog",
                    "JOIN",
                    "ON",
                    "UNION",
                    "WITH",
                    "AS",
                    "null",
                    '"q"',
                ]
            ),
            max_size=14,
        ).map(" ".join),
    )
)
def test_any_text_gives_rows_or_a_crm_error_and_changes_nothing(sf_api: MockCrmApi, text: str) -> None:
    before = sf_api.world.state_hash()
    try:
        result = sf_api.query(text)
    except CrmError:
        pass
    else:
        json.dumps(result)
    assert sf_api.world.state_hash() == before
