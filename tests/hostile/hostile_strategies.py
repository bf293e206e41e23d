"""Hypothesis strategies of hostile input: SQL and SOQL, SOSL and search text, tool arguments and whole actions.

They favour what broke crm_gym before (issue 13): values made bigger than their input (printf widths, zeroblob,
replace, hex, concatenation), recursion, cross joins that feed sorts and temporary tables, LIKE patterns that scan,
date functions that read the clock, many prefix terms, and arguments that are not plain JSON (cycles, depth,
non-string keys, lone surrogates, integers past 64 bits, NaN, bytes, sets). `benchmarks/bench_hostile.py` runs the
same strategies longer against the real budgets.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Objects of the crmarena_pro_b2b profile with their id, a short field and a long text field.
TABLES = {
    "Account": ("Id", "Name", "Description"),
    "Case": ("Id", "Subject", "Description"),
    "Contact": ("Id", "LastName", "Email"),
    "Opportunity": ("Id", "Name", "Description"),
    "EmailMessage": ("Id", "Subject", "TextBody"),
    "Knowledge__kav": ("Id", "Title", "FAQ_Answer__c"),
}
_WIDTHS = st.sampled_from([0, 10, 1000, 60_000, 200_000, 1_000_000, 2**31 - 1])
_LITERALS = st.one_of(
    st.integers(0, 20_000).map(lambda n: "'" + "x" * n + "'"),
    st.sampled_from(["NULL", "1", "-1", "1e308", "9223372036854775807", "0x7fffffffffffffff", "x'00ff'", "''"]),
    st.integers(1, 4_000).map(lambda n: "0x" + "f" * n),
    st.integers(1, 5_000).map(lambda n: "9" * n),
)
_CLOCK = st.sampled_from(
    [
        "date()",
        "datetime()",
        "time()",
        "julianday()",
        "unixepoch()",
        "strftime('%Y-%m-%d %H:%M:%f')",
        "strftime('%s', 'now')",
        "date('now', 'localtime')",
        "datetime('2024-01-01 10:00', 'utc')",
        "date('n' || 'ow')",
        "CURRENT_DATE",
        "CURRENT_TIMESTAMP",
        "CURRENT_TIME",
    ]
)
_BIG = st.one_of(
    _WIDTHS.map(lambda n: f"printf('%.*c', {n}, 'x')"),
    _WIDTHS.map(lambda n: f"printf('%{n}d', 1)"),
    _WIDTHS.map(lambda n: f"zeroblob({n})"),
    _WIDTHS.map(lambda n: f"replace(printf('%.*c', {n}, 'a'), 'a', 'bbbbbbbbbb')"),
    _WIDTHS.map(lambda n: f"hex(zeroblob({n}))"),
    _WIDTHS.map(lambda n: f"quote(zeroblob({n}))"),
    st.sampled_from(["randomblob(100)", "random()", "json_array(1, 2)", "load_extension('x')", "char(65, 66)"]),
)


def _column(alias: str, table: str) -> st.SearchStrategy[str]:
    return st.sampled_from([f"{alias}.{field}" for field in TABLES[table]])


def _expression(leaves: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def wrap(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(
                st.sampled_from(["upper", "lower", "hex", "quote", "length", "trim", "typeof", "soundex"]), inner
            ).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"({t[0]} || {t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"replace({t[0]}, 'a', {t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"printf('%s%s', {t[0]}, {t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"instr({t[0]}, {t[1]})"),
            st.tuples(inner, st.integers(0, 400)).map(lambda t: f"({t[0]} LIKE '%" + "a%" * t[1] + "b')"),
            st.tuples(inner, inner).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
            inner.map(lambda e: f"date({e}, 'localtime')"),
        )

    return st.recursive(leaves, wrap, max_leaves=6)


@st.composite
def sql_queries(draw: st.DrawFn) -> str:
    """A SELECT (SQL or SOQL-like) shaped to do a lot of work, or plain hostile text."""
    tables = draw(st.lists(st.sampled_from(sorted(TABLES)), min_size=1, max_size=3))
    aliases = [f"t{i}" for i in range(len(tables))]
    from_clause = ", ".join(f'"{t}" {a}' for t, a in zip(tables, aliases, strict=True))
    columns = st.one_of(*(_column(a, t) for a, t in zip(aliases, tables, strict=True)))
    expression = _expression(st.one_of(columns, _LITERALS, _BIG, _CLOCK))
    select = ", ".join(draw(st.lists(expression, min_size=1, max_size=3)))
    order = draw(st.sampled_from(["", " ORDER BY 1", " ORDER BY 1 DESC LIMIT 3", " GROUP BY 1", " LIMIT 5"]))
    distinct = draw(st.sampled_from(["", "DISTINCT "]))
    where = draw(st.one_of(st.just(""), expression.map(lambda e: f" WHERE {e}")))
    plain = f"SELECT {distinct}{select} FROM {from_clause}{where}{order}"
    big = draw(_BIG)
    union = draw(st.sampled_from(["UNION", "UNION ALL"]))
    stop = draw(st.sampled_from(["", " WHERE i < 1000", " WHERE i < 100000", " LIMIT 50"]))
    carried = draw(st.sampled_from(["s", "s || s", big]))
    result = draw(st.sampled_from(["count(*)", "sum(length(s))", "max(i)", "s"]))
    recursive = (
        f"WITH RECURSIVE r(i, s) AS (SELECT 1, {big} {union} SELECT i + 1, {carried} FROM r{stop}) "
        f"SELECT {result} FROM r" + draw(st.sampled_from(["", f", {from_clause}", " ORDER BY s"]))
    )
    materialized = (
        f"WITH c AS MATERIALIZED (SELECT {big} AS s) SELECT {aliases[0]}.Id, c.s FROM {from_clause}, c "
        f"ORDER BY {draw(columns)}"
    )
    everything = f"(SELECT group_concat({draw(columns)}) FROM {from_clause})"
    scalar = f"SELECT count(*) FROM {from_clause} WHERE length({everything}) > 0"
    window = (
        f"SELECT max(length(g)) FROM (SELECT group_concat({draw(columns)}) OVER (ORDER BY 1) AS g FROM {from_clause})"
    )
    compound = f" {union} ".join([plain] * draw(st.integers(1, 6)))
    return draw(
        st.one_of(
            st.just(plain),
            st.just(recursive),
            st.just(materialized),
            st.just(scalar),
            st.just(window),
            st.just(compound),
            st.text(max_size=300),
        )
    )


_WORDS = st.sampled_from(
    ["acme", "the", "and", "a", "b", "refund", "case", "order", "ab", "xyz", "é", "\ud800", "\x00", "NEAR", "AND"]
)
_TERMS = st.one_of(
    _WORDS,
    _WORDS.map(lambda w: w + "*"),
    st.lists(_WORDS, min_size=1, max_size=4).map(lambda ws: '"' + " ".join(ws) + '"'),
    st.text(max_size=8),
)


@st.composite
def search_texts(draw: st.DrawFn) -> str:
    """Search text: many (prefix) terms, operators, parentheses and quotes, plain or as a SOSL FIND statement."""
    terms = draw(st.lists(_TERMS, min_size=1, max_size=300))
    operators = st.sampled_from([" ", " OR ", " AND ", " NOT ", " AND NOT ", " (", ") ", '"'])
    text = "".join(t + draw(operators) for t in terms)[: draw(st.sampled_from([30, 300, 1000, 5000]))]
    returning = draw(
        st.sampled_from(["", " RETURNING Account(Id, Name LIMIT 5), Case", " RETURNING Nope(x)", " LIMIT 0"])
    )
    return draw(st.sampled_from([text, f"FIND {{{text}}} IN ALL FIELDS{returning}", f"FIND '{text}'{returning}"]))


def _circular_list() -> list[Any]:
    value: list[Any] = [1]
    value.append(value)
    return value


def _circular_dict() -> dict[str, Any]:
    value: dict[str, Any] = {"a": 1}
    value["self"] = value
    return value


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"x": [value]}
    return value


HOSTILE_VALUES = st.one_of(
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "x" * 200_000, "", " ", "now", "NOW", "localtime"]),
    st.sampled_from([2**63, -(2**63) - 1, 2**200, 10**4000, float("nan"), float("inf"), -0.0, True]),
    st.sampled_from([b"bytes", {1, 2}, frozenset(), object(), 1j, Ellipsis]),
    st.builds(_circular_list),
    st.builds(_circular_dict),
    st.integers(1, 400).map(_nested),
    st.dictionaries(
        st.one_of(st.integers(), st.none(), st.tuples(st.integers())), st.integers(), min_size=1, max_size=3
    ),
)
JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
JSON_VALUES = st.recursive(
    JSON_LEAVES | HOSTILE_VALUES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def tool_arguments(tools: list[str], argument_names: list[str]) -> st.SearchStrategy[tuple[str, Any]]:
    """(tool, arguments): a real tool (or not) with arguments of real names (or not) holding hostile values."""
    keys = st.one_of(st.sampled_from(argument_names), st.text(max_size=12))
    arguments = st.one_of(
        st.dictionaries(keys, JSON_VALUES, max_size=5),
        HOSTILE_VALUES,
        st.sampled_from(["{", "[]", '{"sql": "SELECT 1"}', "null"]),
    )
    return st.tuples(st.sampled_from([*tools, "", "nope", "__init__", "\ud800"]), arguments)


def actions(tools: list[str], argument_names: list[str]) -> st.SearchStrategy[Any]:
    """Whole env actions: dicts, their JSON text, answers, and values that are not actions at all."""
    calls = tool_arguments(tools, argument_names).map(lambda t: {"tool": t[0], "args": t[1]})
    answers = st.one_of(
        st.text(max_size=100),
        st.sampled_from(["x" * 10_001, "\ud800", None, 42, ["a"]]),
        st.just(50_000_000).map(lambda n: "x" * n),  # made when drawn: 50 MB
    ).map(lambda a: {"answer": a})
    text = st.one_of(
        st.text(max_size=200),
        st.sampled_from(['{"answer": "\\ud800"}', '{"tool": "query", "args": {"sql": 1' + "0" * 5000 + "}}"]),
        st.integers(0, 300).map(lambda n: "[" * n + "]" * n),
        st.integers(0, 250_000).map(lambda n: "x" * n),
    )
    return st.one_of(
        calls,
        answers,
        text,
        calls.map(lambda a: repr(a)),
        st.builds(lambda sql: {"tool": "query", "args": {"sql": sql}}, sql_queries()),
        st.builds(lambda text: {"tool": "search", "args": {"text": text}}, search_texts()),
        HOSTILE_VALUES,
        st.sampled_from([b'{"answer": "x"}', b"\xff\xfe", {"tool": "query"}, {"answer": "a", "extra": 1}]),
    )
