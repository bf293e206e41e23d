"""The search tool: SOSL-like full-text search over FTS5, ranked, bounded, and safe for any text."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_gym import CrmError, MockCrmApi, config
from crm_gym.api.registry import registered_tools
from crm_gym.api.sosl import fts_expression, parse_sosl


def _hits(result: dict) -> list[tuple[str, str]]:
    return [(hit["object"], hit["fields"].get("Name") or hit["fields"].get("LastName")) for hit in result["results"]]


def test_plain_words_find_records_across_objects_best_first(sf_api: MockCrmApi) -> None:
    result = sf_api.search("acme")
    assert set(_hits(result)) == {
        ("Account", "Acme Corp"),
        ("Contact", "Acme"),
        ("Contact", "Lopez"),  # maria@acme.com
        ("Opportunity", "Acme Anvils"),
        ("Opportunity", "Acme Rockets"),
    }
    assert result["count"] == 5 and result["truncated"] is False
    assert result == sf_api.search("acme")  # deterministic


def test_ties_are_broken_by_object_then_id(sf_api: MockCrmApi) -> None:
    for words in ("globex", "anvil"):
        hits = sf_api.search(words)["results"]
        keys = [(h["object"], h["id"]) for h in hits]
        ranks = [
            sf_api.world.conn.execute(
                "SELECT bm25(_search) FROM _search WHERE _search MATCH ? AND record_id = ?", (f'"{words}"', h["id"])
            ).fetchone()[0]
            for h in hits
        ]
        assert ranks == sorted(ranks)
        for i in range(len(hits) - 1):
            if ranks[i] == ranks[i + 1]:
                assert keys[i] < keys[i + 1]


def test_a_hit_has_object_id_default_fields_and_a_snippet(sf_api: MockCrmApi) -> None:
    hit = sf_api.search("globex", objects=["Account"])["results"][0]
    assert set(hit) == {"object", "id", "fields", "snippet"}
    assert hit["object"] == "Account" and hit["id"].startswith("001")
    assert hit["fields"] == {"Name": "Globex", "Industry": "Energy", "Description": "Energy trading"}
    assert "[Globex]" in hit["snippet"]


def test_objects_and_limit_narrow_the_hits(sf_api: MockCrmApi) -> None:
    only = sf_api.search("acme", objects=["opportunity"])
    assert {h["object"] for h in only["results"]} == {"Opportunity"} and only["count"] == 2
    one = sf_api.search("acme", limit=1)
    assert one["count"] == 1 and one["truncated"] is True
    assert one["results"][0] == sf_api.search("acme")["results"][0]


def test_limit_is_capped_and_must_be_positive(sf_api: MockCrmApi) -> None:
    for i in range(config.SEARCH_MAX_RESULTS + 5):
        sf_api.create("Product2", {"Name": f"Widget {i}"})
    result = sf_api.search("widget", limit=1000)
    assert result["count"] == config.SEARCH_MAX_RESULTS and result["truncated"] is True
    with pytest.raises(CrmError, match="limit must be at least 1, got 0"):
        sf_api.search("widget", limit=0)


def test_the_tool_is_read_only_and_its_docstring_states_the_configured_bound() -> None:
    definition = registered_tools()["search"]
    assert definition.writes is False and definition.group == "generic"
    assert f"At most {config.SEARCH_MAX_RESULTS} hits" in definition.description


def test_the_index_follows_writes(sf_api: MockCrmApi) -> None:
    assert sf_api.search("zyxwv")["count"] == 0
    created = sf_api.create("Account", {"Name": "Zyxwv Holdings"})
    assert [h["id"] for h in sf_api.search("zyxwv")["results"]] == [created["Id"]]
    sf_api.update("Account", created["Id"], {"Name": "Other Holdings"})
    assert sf_api.search("zyxwv")["count"] == 0


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("acm*", {"Acme Corp", "Acme", "Lopez", "Acme Anvils", "Acme Rockets"}),
        ('"acme rockets"', {"Acme Rockets"}),
        ("acme rockets", {"Acme Rockets"}),
        ("acme AND rockets", {"Acme Rockets"}),
        ("rockets OR grid", {"Acme Rockets", "Globex Grid"}),
        ("globex NOT grid", {"Globex", "Globex Solar", "Chan"}),
        ("globex AND NOT (grid OR solar)", {"Globex", "Chan"}),
        ("ACME", {"Acme Corp", "Acme", "Lopez", "Acme Anvils", "Acme Rockets"}),
        ("john@acme.com", {"Acme"}),
    ],
)
def test_search_syntax(sf_api: MockCrmApi, text: str, names: set[str]) -> None:
    assert {name for _, name in _hits(sf_api.search(text))} == names


def test_sosl_returning_fields_and_limits(sf_api: MockCrmApi) -> None:
    result = sf_api.search("FIND {Acme} IN ALL FIELDS RETURNING Opportunity(Name, Amount), Contact(Email LIMIT 1)")
    assert {h["object"] for h in result["results"]} == {"Opportunity", "Contact"}
    contacts = [h for h in result["results"] if h["object"] == "Contact"]
    assert len(contacts) == 1 and set(contacts[0]["fields"]) == {"Email"}
    opportunities = {
        h["fields"]["Name"]: h["fields"]["Amount"] for h in result["results"] if h["object"] == "Opportunity"
    }
    assert opportunities == {"Acme Anvils": 1000.0, "Acme Rockets": 25000.0}
    limited = sf_api.search("find 'acme' returning Account, Opportunity limit 2")
    assert limited["count"] == 2 and limited["truncated"] is True


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (
            {"text": "FIND {acme} RETURNING Acount"},
            r"Unknown object 'Acount'. Did you mean 'Account'\?.*Objects in this org",
        ),
        ({"text": "FIND {acme} RETURNING Account(Nmae)"}, r"Account has no field 'Nmae'. Did you mean 'Name'\?"),
        ({"text": "FIND {acme} RETURNING OrderItem"}, "OrderItem has no text fields to search. Searchable objects:"),
        ({"text": "acme", "objects": ["Widgets"]}, "Unknown object 'Widgets'"),
        ({"text": "FIND {acme} RETURNING Account", "objects": ["Contact"]}, "either in RETURNING or in 'objects'"),
        ({"text": "FIND {acme} RETURNING Account(Name WHERE Industry = 'Energy')"}, "WHERE and ORDER BY"),
        ({"text": "FIND acme"}, "Could not read the SOSL search"),
        ({"text": '()*"" AND OR'}, "has no words to search for"),
        ({"text": "x" * (config.SEARCH_MAX_CHARS + 1)}, "at most 1000 characters"),
    ],
)
def test_bad_searches_name_what_is_wrong(sf_api: MockCrmApi, args: dict, match: str) -> None:
    before = sf_api.world.state_hash()
    with pytest.raises(CrmError, match=match):
        sf_api.call("search", args)
    assert sf_api.world.state_hash() == before


def test_sosl_parse() -> None:
    request = parse_sosl(r"FIND {Acme\} Corp*} IN NAME FIELDS RETURNING Account(Id, Name LIMIT 5), Contact LIMIT 10")
    assert request.text == "Acme} Corp*" and request.limit == 10
    assert [(r.object, r.fields, r.limit) for r in request.returning] == [
        ("Account", ("Id", "Name"), 5),
        ("Contact", (), None),
    ]


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("acme", '"acme"'),
        ("acm*", '"acm" *'),
        ('"big deal"* lost', '("big deal" * AND "lost")'),
        ("a OR b NOT c", '("a" OR ("b" NOT "c"))'),
        ("a AND NOT b", '("a" NOT "b")'),
        ("a b NOT c d", '((("a" AND "b") NOT "c") AND "d")'),
        (") a ( b", '("a" AND "b")'),
        ("NEAR(a b) col:x ^y", '("NEAR" AND ("a" AND "b") AND "col:x" AND "^y")'),
        ('"quo""te', '("quo" AND "te")'),
        ("nul\x00* byte", '("nul" AND "byte")'),
        ("OR AND NOT", None),
        ("((((((((((((((((((((deep", '"deep"'),
    ],
)
def test_fts_expression_quotes_every_word(text: str, expression: str | None) -> None:
    assert fts_expression(text) == expression


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('acme anvils and rockets'), ('Çafé naïve résumé')")
    return conn


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=120)
    | st.lists(
        st.sampled_from(['"', "(", ")", "*", "AND", "OR", "NOT", "a", "é", ":", "^", "-", "+", "NEAR", "{", "}", "\\"]),
        max_size=20,
    ).map(" ".join)
)
def test_fts_expression_is_always_valid_fts5(fts: sqlite3.Connection, text: str) -> None:
    expression = fts_expression(text)
    if expression is not None:
        fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchone()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=150) | st.text(alphabet="FIND{}'()RETURNING,LIMIT 0123acme*\"ORNOTAccount", max_size=80))
def test_any_search_text_gives_hits_or_a_crm_error(sf_api: MockCrmApi, text: str) -> None:
    before = sf_api.world.state_hash()
    try:
        result = sf_api.search(text)
    except CrmError:
        pass
    else:
        assert result["count"] == len(result["results"]) <= 20
    assert sf_api.world.state_hash() == before


def test_a_repeated_term_counts_once_and_too_many_terms_are_refused(sf_api: MockCrmApi) -> None:
    assert fts_expression("acme* " * 300) == '"acme" *'
    assert fts_expression("(a OR b) " * 50) == '("a" OR "b")'
    assert sf_api.search("acm* " * 200) == sf_api.search("acm*")
    many = " ".join(f"word{i}" for i in range(config.SEARCH_MAX_TERMS + 1))
    with pytest.raises(CrmError, match=f"names {config.SEARCH_MAX_TERMS + 1} distinct words or phrases"):
        sf_api.search(many)
    prefixes = " OR ".join(f"p{i}*" for i in range(config.SEARCH_MAX_PREFIX_TERMS + 1))
    with pytest.raises(CrmError, match=f"at most {config.SEARCH_MAX_TERMS} are allowed, 4 of them prefix"):
        sf_api.search(prefixes)


def test_snippets_are_made_for_the_hits_returned_only(sf_api: MockCrmApi, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(30):
        sf_api.create("Product2", {"Name": f"Gadget gadget {i}"})
    statements: list[str] = []
    sf_api.world.conn.set_trace_callback(statements.append)
    result = sf_api.search("gadget", limit=3)
    sf_api.world.conn.set_trace_callback(None)
    assert result["count"] == 3 and all(
        "[Gadget]" in hit["snippet"] or "[gadget]" in hit["snippet"] for hit in result["results"]
    )
    snippet_queries = [s for s in statements if "snippet(" in s]
    assert len(snippet_queries) == 1 and snippet_queries[0].count("?") == 0  # run once, for the 3 ids chosen
    assert "rowid IN (" in snippet_queries[0] and "bm25" not in snippet_queries[0]
