"""Property tests: random sequences of tool calls over an Arc org keep the world sound.

Every registered tool is driven from its own argument schema. Arguments tied to a schema field (a ``FieldRef``,
or the ``values`` of create/update) get values of that field, valid four times in five; id arguments get
existing ids (mostly of the right object), ids of other objects, padded ids or junk; and now and then a
required argument is dropped, an unknown one added or one replaced by a value of the wrong type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from crm_gym import CrmError, MockCrmApi, World
from crm_gym.world.ddl import META_TABLE
from crm_gym.world.schema import FieldSpec

Ids = dict[str, list[str]]

NAMES = st.sampled_from(["Acme", "Beta Labs", "Ünïcode GmbH", "O'Brien & Sons", "Proposal", "42"])
BAD_TEXT = st.sampled_from(["", "   ", "x" * 600])
BAD_NUMBERS = st.sampled_from([-1, 0, 20_000_000, float("nan"), float("inf"), "lots", True])
DATES = st.dates(dt.date(2000, 1, 1), dt.date(2035, 12, 31)).map(dt.date.isoformat)
BAD_DATES = st.sampled_from(["2026-02-30", "31/01/2026", "2026-1-3", "soon", "2026-01-31T10:00:00"])
DATETIMES = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2035, 12, 31)).map(
    lambda d: d.isoformat(timespec="seconds")
)
BAD_DATETIMES = st.sampled_from(["2026-01-31T25:00", "2026-02-30T10:00:00", "2026-01-31T10:00:00+0200", "now"])
EMAILS = st.builds("{}{}@{}.com".format, st.sampled_from(["ann", "bo", "cy"]), st.integers(0, 30), st.just("ex"))
# near-duplicates of the seeded emails (case and spaces) and malformed ones
BAD_EMAILS = st.sampled_from([" OWNER0@client0.com", "Ann0@CLIENT0.com ", "not-an-email", "a b@c.io", "@x.com"])
JUNK = st.none() | st.integers() | st.lists(st.integers(), max_size=2) | st.dictionaries(st.text(max_size=3), st.none())
SQL = st.sampled_from(
    [
        "SELECT name, status FROM Client ORDER BY name",
        "SELECT COUNT(opportunity_id) FROM Opportunity WHERE stage = 'Proposal'",
        "SELECT Id FROM Client",
        "DELETE FROM Client",
        "UPDATE Opportunity SET amount = 1",
        "PRAGMA foreign_keys = OFF",
        "ATTACH DATABASE ':memory:' AS other",
        "SELECT * FROM _changelog",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n",
    ]
) | st.text(max_size=30)
SEARCH_TEXT = st.sampled_from(
    [
        "acme",
        "Client*",
        '"Deal 0"',
        "offer OR rival",
        "FIND {Rival*} IN ALL FIELDS RETURNING Company(name)",
        "(((",
        "NOT",
    ]
) | st.text(max_size=12)


def _mostly(valid: st.SearchStrategy[Any], broken: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Valid four times in five (``one_of(valid, valid, ...)`` would not do: it merges equal branches)."""
    return st.integers(0, 4).flatmap(lambda i: broken if i == 4 else valid)


def _full_state(world: World) -> tuple[Any, ...]:
    """Everything a call could touch: the records (hash), the change log (diff) and the id counters."""
    meta = world.conn.execute(f"SELECT key, value FROM {META_TABLE} ORDER BY key").fetchall()
    return world.state_hash(), world.diff(), meta


def _ids(world: World) -> Ids:
    return {
        name: [r[0] for r in world.conn.execute(f'SELECT "{obj.primary_key}" FROM "{name}" ORDER BY 1')]
        for name, obj in world.schema.objects.items()
    }


def _id_values(ids: Ids, objects: list[str]) -> st.SearchStrategy[Any]:
    """Ids of the given objects (mostly), then ids of any object, padded ids and ids of nothing."""
    own = [i for o in objects for i in ids.get(o, [])]
    anything = [i for values in ids.values() for i in values] or ["missing-id"]
    broken = st.sampled_from(anything) | st.sampled_from(own or anything).map(" {} ".format)
    broken |= st.sampled_from(["", "missing-id", "00000000-0000-0000-0000-000000000000"])
    return _mostly(st.sampled_from(own), broken) if own else broken


def _field_values(world: World, spec: FieldSpec, ids: Ids, context: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Values for one schema field; ``context`` holds the arguments drawn so far (a polymorphic id's type)."""
    match spec.type:
        case "enum":
            return _mostly(st.sampled_from(spec.values), st.sampled_from([spec.values[0].lower(), "Bogus", ""]))
        case "reference":
            return _id_values(ids, [spec.to or ""])
        case "polymorphic_reference":
            named = context.get(spec.type_field or "")
            return _id_values(ids, [named] if named in ids else list(world.schema.objects))
        case "integer":
            low = int(spec.min if spec.min is not None else 0)
            high = int(spec.max if spec.max is not None else 1000)
            return _mostly(st.integers(low, high), st.sampled_from([low - 1, high + 1, 2.5, "seven", True]))
        case "number":
            return _mostly(st.floats(0.01, 9_999_999.99) | st.just(0.30000000000000004), BAD_NUMBERS)
        case "date":
            return _mostly(DATES, BAD_DATES)
        case "datetime":
            return _mostly(DATETIMES, BAD_DATETIMES)
        case "email":
            return _mostly(EMAILS, BAD_EMAILS)
        case "boolean":
            return _mostly(st.booleans(), st.sampled_from(["yes", 2]))
        case "list":
            return _mostly(st.lists(NAMES, max_size=3), st.just("Zoe") | st.lists(st.integers(), min_size=1))
        case "phone":
            return _mostly(st.just("+1 415 555 0100"), st.just("call me"))
        case "url":
            return _mostly(st.just("https://files.example.com/a.pdf"), st.sampled_from(["ftp://x", "example.com"]))
        case _ if spec.pattern:
            return _mostly(st.from_regex(spec.pattern, fullmatch=True).filter(lambda s: len(s) < 100), NAMES)
        case _:
            return _mostly(NAMES, BAD_TEXT)


@st.composite
def _record_values(draw: st.DrawFn, world: World, object_name: Any, ids: Ids) -> dict[str, Any]:
    """A values dict for create/update: some fields, the required ones (usually), sometimes a wrong one."""
    obj = world.schema.objects.get(object_name) if isinstance(object_name, str) else None
    if obj is None:
        return draw(st.dictionaries(st.sampled_from(["name", "status"]), NAMES, max_size=2))
    fields = obj.writable_fields
    chosen = set(draw(st.lists(st.sampled_from(sorted(fields)), max_size=4, unique=True)))
    chosen |= {n for n, spec in fields.items() if spec.required and draw(st.integers(0, 9)) < 9}
    values: dict[str, Any] = {}
    for name in fields:  # schema order puts a polymorphic id's type field first
        if name in chosen:
            values[name] = draw(_field_values(world, fields[name], ids, values))
    if draw(st.integers(0, 19)) == 0:
        values[draw(st.sampled_from(["no_such_field", obj.primary_key]))] = "x"
    return values


def _arg_values(
    api: MockCrmApi, tool: str, arg: str, prop: dict[str, Any], args: dict[str, Any], ids: Ids
) -> st.SearchStrategy[Any]:
    """A strategy for one argument of a tool, from its FieldRef, its name or its JSON schema."""
    world = api.world
    refs = api.tools[tool].field_refs
    if arg in refs:
        spec = world.schema.objects[refs[arg].object].fields[refs[arg].field]
        context = {refs[a].field: value for a, value in args.items() if a in refs}
        return _field_values(world, spec, ids, context)
    object_by_key = {obj.primary_key: name for name, obj in world.schema.objects.items()}
    if arg == "object":
        return _mostly(st.sampled_from(sorted(world.schema.objects)), st.sampled_from(["client", "Nope"]))
    if arg == "values":
        return _record_values(world, args.get("object"), ids)
    if arg == "id":
        return _id_values(ids, [args["object"]] if args.get("object") in ids else [])
    if arg == "sql":
        return SQL
    if arg in ("text", "query"):
        return SEARCH_TEXT
    if arg == "objects":
        return st.lists(_mostly(st.sampled_from(sorted(world.schema.objects)), st.just("Nope")), max_size=3)
    if arg in object_by_key:
        return _id_values(ids, [object_by_key[arg]])
    if prop.get("type") == "array" and arg.removesuffix("s") in object_by_key:
        return st.lists(_id_values(ids, [object_by_key[arg.removesuffix("s")]]), max_size=4)
    if "enum" in prop:
        return _mostly(st.sampled_from(prop["enum"]), st.just("Bogus"))
    by_type = {"integer": st.integers(-3, 300), "number": st.floats(-10, 2e7), "boolean": st.booleans()}
    return by_type.get(prop.get("type"), _mostly(NAMES, BAD_TEXT))


@st.composite
def tool_calls(draw: st.DrawFn, api: MockCrmApi) -> tuple[str, dict[str, Any]]:
    """One call of any registered tool, with arguments that are mostly plausible and sometimes wrong."""
    name = draw(st.sampled_from(sorted(api.tools)))
    params = api.tools[name].parameters_schema(api.schema)
    required = set(params.get("required", []))
    ids = _ids(api.world)
    args: dict[str, Any] = {}
    for arg, prop in params["properties"].items():
        if arg in required or draw(st.booleans()):
            args[arg] = draw(_arg_values(api, name, arg, prop, args, ids))
    mistake = draw(st.integers(0, 29))
    if mistake == 0 and args:
        args.pop(draw(st.sampled_from(sorted(args))))
    elif mistake == 1:
        args["unexpected"] = draw(JUNK)
    elif mistake == 2 and args:
        args[draw(st.sampled_from(sorted(args)))] = draw(JUNK)
    return name, args


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_random_call_sequences_keep_the_world_sound(
    make_arc_api: Callable[[], MockCrmApi], data: st.DataObject
) -> None:
    api = make_arc_api()
    world = api.world
    base_hash = world.state_hash()
    successes = errors = 0

    for _ in range(data.draw(st.integers(1, 12), label="calls")):
        name, args = data.draw(tool_calls(api), label="call")
        before = _full_state(world)
        try:
            api.call(name, args)  # anything but CrmError escaping fails the test
        except CrmError as err:
            errors += 1
            event(f"{name} refused")
            assert str(err).strip(), "an error message says what was wrong"
            assert _full_state(world) == before, f"a failed {name} changed the world"
        else:
            successes += 1
            event(f"{name} ran")
            if not api.tools[name].writes:
                assert _full_state(world) == before, f"the read tool {name} changed the world"
        assert world.integrity_violations() == []
        assert world.diff().is_empty == (world.state_hash() == base_hash), "the diff and the hash disagree"

    assert api.counters.calls == successes + errors
    assert api.counters.errors == errors
