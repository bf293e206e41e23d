"""DriftedApi: schema drift applied for real at the API boundary, while the store keeps its canonical names."""

from __future__ import annotations

import gc
import json
import re
import weakref
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crm_gym
from crm_gym import CrmError, MockCrmApi
from crm_gym.api.soql import relationship_name
from crm_gym.entropy.drift import DriftMap, draw_drift, is_identifier_like
from crm_gym.entropy.drift_query import query_out
from crm_gym.entropy.drift_view import CACHED_VIEWS, DriftView
from crm_gym.entropy.drifted_api import DriftedApi, drift_public_view
from crm_gym.tasks.model import PublicTask, RequiredContext
from crm_gym.world.world import World

LEVELS = ("low", "medium", "high")
PROFILES = ("arc", "crmarena_pro_b2b")
SEED = 3

# A record each profile can create through the generic tools, a change to it, and the word to search it by.
CREATE = {
    "arc": ("Client", {"name": "Driftwood Works", "status": "Active", "industry": "Retail"}, {"industry": "Energy"}),
    "crmarena_pro_b2b": ("Account", {"Name": "Driftwood Works", "Industry": "Retail"}, {"Industry": "Energy"}),
}
NAME_FIELD = {"arc": "name", "crmarena_pro_b2b": "Name"}

QUERIES = {
    "arc": [
        "SELECT client_id, name, status FROM Client ORDER BY client_id",
        "SELECT o.opportunity_id, o.name, c.name AS client_name FROM Opportunity o "
        "JOIN Client c ON c.client_id = o.client_id WHERE o.amount > 1000 ORDER BY o.opportunity_id",
        "SELECT opportunity_id, name, client.name, client.industry FROM Opportunity "
        "WHERE stage != 'Closed-Lost' ORDER BY opportunity_id",
        "SELECT q.quote_id, q.amount, opportunity.client.name FROM Quote q ORDER BY q.quote_id",
        "SELECT stage, COUNT(*) AS n, SUM(amount) FROM Opportunity GROUP BY stage ORDER BY stage",
        "SELECT * FROM Contact ORDER BY contact_id LIMIT 5",
        "SELECT name FROM Client WHERE client_id IN (SELECT client_id FROM Opportunity WHERE amount > 50000) "
        "ORDER BY name",
        "SELECT COUNT() FROM Opportunity WHERE close_date > 2024-01-01",
        "SELECT entity_type, COUNT(*) FROM Note WHERE entity_type != 'Client' GROUP BY entity_type",
        "SELECT name FROM Client WHERE EXISTS (SELECT 1 FROM Opportunity WHERE Opportunity.client_id = "
        "Client.client_id) ORDER BY name",
        "WITH big AS (SELECT client_id, SUM(amount) AS total FROM Opportunity GROUP BY client_id) "
        "SELECT c.name, big.total FROM Client c JOIN big ON big.client_id = c.client_id ORDER BY big.total DESC",
        "SELECT SUM(amount) AS amount, stage AS status FROM Opportunity WHERE amount > 10 GROUP BY stage "
        "ORDER BY status",
        "SELECT name FROM Client UNION SELECT name FROM Company ORDER BY name",
        "SELECT e.name FROM (SELECT * FROM Client) e ORDER BY e.name",
    ],
    "crmarena_pro_b2b": [
        "SELECT Id, Subject, Account.Name, Owner.LastName FROM Case ORDER BY Id LIMIT 30",
        "SELECT c.Id, a.Name FROM Case c JOIN Account a ON a.Id = c.AccountId ORDER BY c.Id LIMIT 30",
        "SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName ORDER BY StageName",
        "SELECT Id, OrderItemId__r.Product2Id FROM Case WHERE OrderItemId__c != null ORDER BY Id LIMIT 20",
        "SELECT * FROM Account ORDER BY Id LIMIT 3",
        "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity WHERE Amount > 10000) ORDER BY Name",
        "SELECT a.Name, COUNT(c.Id) AS total FROM Account a JOIN Case c ON c.AccountId = a.Id GROUP BY a.Name "
        "ORDER BY total DESC, a.Name LIMIT 5",
        "SELECT Account.Owner.LastName, COUNT(Id) FROM Opportunity GROUP BY Account.Owner.LastName "
        "ORDER BY Account.Owner.LastName",
    ],
}


@pytest.fixture(scope="module")
def orgs() -> dict[str, World]:
    return {profile: crm_gym.build_org(profile, seed=0, scale="tiny") for profile in PROFILES}


def _pair(world: World, level: str, seed: int = SEED) -> tuple[MockCrmApi, DriftedApi]:
    """A plain API and a drifted one over two copies of the same org."""
    return MockCrmApi(world.copy()), DriftedApi(MockCrmApi(world.copy()), draw_drift(world.schema, level, seed))


def _renamed(drift: DriftMap, value: Any) -> Any:
    """A canonical tool output as the drifted API must return it: field keys and type-field values renamed."""
    if isinstance(value, dict):
        return {
            drift.fields.get(k, k): drift.object_name(v) if k == "entity_type" else _renamed(drift, v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_renamed(drift, v) for v in value]
    return value


def _expected(drift: DriftMap, tool: str, output: Any) -> Any:
    out = _renamed(drift, output)
    if tool == "delete":
        out["object"] = drift.object_name(out["object"])
    if tool == "search":
        for hit in out["results"]:
            hit["object"] = drift.object_name(hit["object"])
    return out


def _hidden(drift: DriftMap, api: DriftedApi) -> set[str]:
    """Canonical names that are renamed and not also the visible name of something else."""
    visible = set(api.view.visible.objects) | {f for o in api.view.visible.objects.values() for f in o.fields}
    return ({*drift.objects, *drift.fields}) - visible


def _names_and_texts(describe_output: dict[str, Any]) -> tuple[set[str], str]:
    """The schema names a ``describe`` output shows (objects, fields, references) and its prose, joined.

    Enum values are data ("Case Closed" is a history event), so they are not schema names; the values of a
    type field are, and they are checked in `test_arc_tools_take_drifted_argument_names_and_refuse_canonical_ones`.
    """
    entries = [*describe_output.get("objects", ()), *describe_output.get("fields", ())]
    names = {e["name"] for e in entries} | {e["references"] for e in entries if "references" in e}
    names |= {describe_output.get("object", ""), describe_output.get("id_field", "")}
    names |= {e.get("id_field", "") for e in entries}
    texts = [describe_output.get("description", "")]
    texts += [e.get("description", "") for e in entries]
    texts += [e.get("allowed", "") for e in entries if "values" not in e]  # an enum's allowed text lists values
    return names, " ".join(texts)


def _shows(text: str, names: set[str]) -> list[str]:
    return [n for n in names if re.search(rf"(?<![\w.]){re.escape(n)}\b", text)]


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("level", LEVELS)
def test_generic_tools_round_trip_with_drifted_names(orgs: dict[str, World], profile: str, level: str) -> None:
    plain, api = _pair(orgs[profile], level)
    drift = api.drift
    obj, values, changes = CREATE[profile]
    shown, pk = drift.object_name(obj), drift.field_name(obj, api.schema.objects[obj].primary_key)

    def visible(record: dict[str, Any]) -> dict[str, Any]:
        return {drift.field_name(obj, k): v for k, v in record.items()}

    created = api.create(shown, visible(values))
    assert created == visible(plain.create(obj, values))
    rid = created[pk]
    assert api.get(shown, rid) == visible(plain.get(obj, rid))
    assert api.update(shown, rid, visible(changes)) == visible(plain.update(obj, rid, changes))
    assert api.world.get(obj, rid) == plain.world.get(obj, rid)  # the store stays canonical
    found = api.search("Driftwood", objects=[shown])
    assert found == _expected(drift, "search", plain.search("Driftwood", objects=[obj]))
    assert [h["id"] for h in found["results"]] == [rid]
    name = NAME_FIELD[profile]
    sosl = api.search(f"FIND {{Driftwood*}} RETURNING {shown}({pk}, {drift.field_name(obj, name)})")
    assert sosl["results"][0]["fields"] == {pk: rid, drift.field_name(obj, name): "Driftwood Works"}
    assert [f["name"] for f in api.describe(shown)["fields"]] == list(api.view.visible.objects[shown].fields)
    assert shown in [o["name"] for o in api.describe()["objects"]]
    assert api.delete(shown, rid) == {"deleted": rid, "object": shown}
    plain.delete(obj, rid)
    assert api.world.state_hash() == plain.world.state_hash()
    assert api.counters.calls == 8 and api.counters.errors == 0 and api.counters.queries == 2


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("level", LEVELS)
def test_canonical_names_fail_and_list_the_drifted_names(orgs: dict[str, World], profile: str, level: str) -> None:
    _, api = _pair(orgs[profile], level)
    drift = api.drift
    obj, values, _ = CREATE[profile]
    shown = drift.object_name(obj)
    field = next(f for f in drift.renamed_fields(obj) if f != api.schema.objects[obj].primary_key)
    before = api.world.state_hash()
    with pytest.raises(CrmError, match=rf"{shown} has no field '{field}'\..* Fields of {shown}: ") as info:
        api.create(shown, {**{drift.field_name(obj, k): v for k, v in values.items()}, field: "x"})
    assert drift.field_name(obj, field) in str(info.value)
    with pytest.raises(CrmError, match=rf"has no field '{field}'"):
        api.query(f"SELECT {field} FROM {shown}")
    if drift.objects:
        renamed = next(iter(drift.objects))
        listing = re.escape(", ".join(sorted(api.view.visible.objects)))
        for call in (lambda: api.describe(renamed), lambda: api.get(renamed, "x"), lambda: api.search("a", [renamed])):
            with pytest.raises(CrmError, match=rf"Unknown object '{renamed}'\..*Objects in this org: {listing}\."):
                call()
        with pytest.raises(CrmError, match=rf"Unknown object '{renamed}'"):
            api.query(f"SELECT COUNT() FROM {renamed}")
    assert api.world.state_hash() == before
    assert api.counters.errors == api.counters.calls


@pytest.mark.parametrize("level", LEVELS)
def test_a_deeper_layers_error_speaks_the_drifted_names(orgs: dict[str, World], level: str) -> None:
    _, api = _pair(orgs["arc"], level)
    d = api.drift
    deal, stage = d.object_name("Opportunity"), d.field_name("Opportunity", "stage")
    client = api.world.rows("Client")[0]["client_id"]
    values = {d.field_name("Opportunity", "name"): "X", d.field_name("Opportunity", "client_id"): client}
    with pytest.raises(CrmError, match=rf"^{deal}\.{stage}: 'won' is not allowed; expected one of 'Prospecting'"):
        api.create(deal, {**values, stage: "won"})
    with pytest.raises(CrmError, match=rf"^{deal}\.{d.field_name('Opportunity', 'client_id')}: 'nope' is not the id"):
        api.create(deal, {**values, d.field_name("Opportunity", "client_id"): "nope"})
    with pytest.raises(CrmError, match=rf"^No {deal} with id 'nope'"):
        api.get(deal, "nope")


def test_a_misspelt_drifted_name_gets_the_closest_suggested(orgs: dict[str, World]) -> None:
    _, api = _pair(orgs["arc"], "high")
    shown = api.drift.object_name("Opportunity")
    with pytest.raises(CrmError, match=rf"Did you mean '{shown}'\?"):
        api.describe(shown[:-1])
    field = api.drift.field_name("Opportunity", "stage")
    with pytest.raises(CrmError, match=rf"Did you mean '{field}'\?"):
        api.query(f"SELECT {field[:-1]} FROM {shown}")


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("level", LEVELS)
def test_describe_and_tool_specs_show_no_renamed_canonical_name(
    orgs: dict[str, World], profile: str, level: str
) -> None:
    _, api = _pair(orgs[profile], level)
    hidden = _hidden(api.drift, api)
    worded = {n for n in hidden if n in api.drift.objects or is_identifier_like(n)}
    for out in [api.describe(), *(api.describe(o) for o in api.view.visible.objects)]:
        names, text = _names_and_texts(out)
        assert not names & hidden
        assert not _shows(text, worded)
    for flavor in ("openai_chat", "anthropic"):
        specs = api.tool_specs(flavor)
        assert not _shows(json.dumps(specs), worded)
        for spec in specs:
            params = spec.get("input_schema") or spec["function"]["parameters"]
            assert not set(params["properties"]) & hidden
            assert set(params.get("required", ())) <= set(params["properties"])


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("level", LEVELS)
def test_queries_with_drifted_names_return_the_canonical_rows(orgs: dict[str, World], profile: str, level: str) -> None:
    plain, api = _pair(orgs[profile], level)
    d = api.drift

    def hop(obj: str, reference: str) -> str:
        return relationship_name(d.field_name(obj, reference))

    if profile == "arc":
        o, c = d.object_name("Opportunity"), d.object_name("Client")
        pk, name, cid = (d.field_name("Opportunity", f) for f in ("opportunity_id", "name", "client_id"))
        sql = (
            f"SELECT x.{pk}, x.{name}, y.{d.field_name('Client', 'name')} FROM {o} x JOIN {c} y "
            f"ON y.{d.field_name('Client', 'client_id')} = x.{cid} ORDER BY x.{pk}"
        )
        soql = f"SELECT {pk}, {name}, {hop('Opportunity', 'client_id')}.{d.field_name('Client', 'name')} FROM {o} "
        soql += f"WHERE {d.field_name('Opportunity', 'stage')} != 'Closed-Lost' ORDER BY {pk}"
        canonical = (
            "SELECT o.opportunity_id, o.name, c.name FROM Opportunity o JOIN Client c ON c.client_id = o.client_id "
            "ORDER BY o.opportunity_id",
            "SELECT opportunity_id, name, client.name FROM Opportunity WHERE stage != 'Closed-Lost' "
            "ORDER BY opportunity_id",
        )
    else:
        case, pk = d.object_name("Case"), d.field_name("Case", "Id")
        sql = (
            f"SELECT x.{pk}, y.{d.field_name('Account', 'Name')} FROM {case} x JOIN {d.object_name('Account')} y "
            f"ON y.{d.field_name('Account', 'Id')} = x.{d.field_name('Case', 'AccountId')} ORDER BY x.{pk} LIMIT 30"
        )
        soql = (
            f"SELECT {pk}, {d.field_name('Case', 'Subject')}, "
            f"{hop('Case', 'AccountId')}.{d.field_name('Account', 'Name')}, "
            f"{hop('Case', 'OwnerId')}.{d.field_name('User', 'LastName')} FROM {case} ORDER BY {pk} LIMIT 30"
        )
        canonical = QUERIES[profile][1], QUERIES[profile][0]
    for drifted, original in zip((sql, soql), canonical, strict=True):
        got, want = api.query(drifted), plain.query(original)
        assert got["rows"] == want["rows"] and want["row_count"] > 0
        written = [p.strip().split(" ")[-1] for p in drifted.split(" FROM ")[0][len("SELECT ") :].split(", ")]
        assert got["columns"] == [w.split(".", 1)[1] if w.startswith(("x.", "y.")) else w for w in written]
    star = api.query(f"SELECT * FROM {api.drift.object_name(CREATE[profile][0])} LIMIT 2")
    assert star["columns"] == list(api.view.visible.objects[api.drift.object_name(CREATE[profile][0])].fields)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("level", LEVELS)
def test_an_oracle_that_knows_the_map_gets_the_plain_query_results(
    orgs: dict[str, World], profile: str, level: str
) -> None:
    plain, api = _pair(orgs[profile], level)
    for text in QUERIES[profile]:
        want = plain.query(text)
        got = api.call(*api.translate_call("query", {"sql": text}))
        rows = [[api.drift.object_name(v) if isinstance(v, str) else v for v in r] for r in want["rows"]]
        assert sorted(map(repr, got["rows"])) == sorted(map(repr, rows if "entity_type" in text else want["rows"]))
        aliased = set(re.findall(r"\bAS (\w+)", text))  # the query's own result names keep their spelling
        bare = [c if c in aliased else api.drift.fields.get(c, c) for c in want["columns"] if re.fullmatch(r"\w+", c)]
        assert [c for c in got["columns"] if re.fullmatch(r"\w+", c)] == bare
        assert len(got["columns"]) == len(want["columns"])
    hidden = {n for n in _hidden(api.drift, api) if is_identifier_like(n)}
    assert not _shows(" ".join(query_out(api.view, q) for q in QUERIES[profile]), hidden)
    assert api.translate_call("query", {"sql": "DELETE FROM x"}) == ("query", {"sql": "DELETE FROM x"})


def _arc_calls(plain: MockCrmApi) -> list[tuple[str, dict[str, Any]]]:
    """A workflow of canonical Arc calls; the ids come from running its first calls on ``plain`` (restore it after)."""
    client = plain.client_search(limit=1)["results"][0]["client_id"]
    deal = plain.create_new_opportunity(client, "Drift Deal", stage="Proposal", amount=1200.0, probability=40)
    oid = deal["opportunity_id"]
    quotes = [plain.create_quote(oid, amount) for amount in (900.0, 1100.0)]
    return [
        ("create_new_client", {"name": "Drift Client", "status": "Prospect", "industry": "Energy"}),
        (
            "create_new_opportunity",
            {"client_id": client, "name": "Drift Deal", "stage": "Proposal", "amount": 1200.0, "probability": 40},
        ),
        ("modify_opportunity", {"opportunity_id": oid, "stage": "Negotiation", "amount": 1500.0, "notes": "moved"}),
        ("create_quote", {"opportunity_id": oid, "amount": 900.0}),
        ("create_quote", {"opportunity_id": oid, "amount": 1100.0}),
        ("compare_quotes", {"quote_ids": [q["quote_id"] for q in quotes]}),
        ("upload_document", {"entity_type": "Opportunity", "entity_id": oid, "file_name": "deal.pdf"}),
        ("add_note", {"entity_type": "Quote", "entity_id": quotes[0]["quote_id"], "content": "Check pricing"}),
        ("opportunity_search", {"client_id": client, "stage": "negotiation"}),
        ("view_opportunity_details", {"opportunity_id": oid}),
        ("summarize_opportunities", {"client_id": client}),
        ("quote_search", {"opportunity_id": oid, "status": "Draft"}),
        ("clone_opportunity", {"opportunity_id": oid, "name": "Drift Deal II"}),
        ("modify_opportunity", {"opportunity_id": oid, "stage": "Closed-Won"}),
        ("modify_opportunity", {"opportunity_id": oid, "amount": 1.0}),  # refused: a closed deal keeps its amount
        ("delete_opportunity", {"opportunity_id": oid}),
    ]


@pytest.mark.parametrize("level", LEVELS)
def test_an_oracle_that_knows_the_map_gets_the_plain_arc_results(orgs: dict[str, World], level: str) -> None:
    plain, api = _pair(orgs["arc"], level)
    snapshot = plain.world.snapshot()
    calls = _arc_calls(plain)
    plain.world.restore(snapshot)
    worded = {n for n in _hidden(api.drift, api) if n in api.drift.objects or is_identifier_like(n)}
    for tool, args in calls:
        want, got = plain.execute(tool, args), api.execute(*api.translate_call(tool, args))
        assert got.ok == want.ok, (tool, got.error, want.error)
        if want.ok:
            assert got.output == _renamed(api.drift, want.output), tool
        else:
            assert got.error == api.view.rewrite_message(want.error, [a for a in args if a in api.drift.fields])
            assert not _shows(got.error, worded)
    assert api.world.state_hash() == plain.world.state_hash()


def test_arc_tools_take_drifted_argument_names_and_refuse_canonical_ones(orgs: dict[str, World]) -> None:
    schema = orgs["arc"].schema
    seed = next(
        s
        for s in range(100)
        if {"stage", "client_id"} <= set((drift := draw_drift(schema, "high", s)).fields)
        and "Opportunity" in drift.objects
    )
    plain, api = _pair(orgs["arc"], "high", seed)
    d = api.drift
    deals = d.objects["Opportunity"]
    stage, client_id = d.fields["stage"], d.fields["client_id"]
    client = plain.client_search(limit=1)["results"][0]["client_id"]
    deal = api.create_new_opportunity(**{client_id: client, d.fields.get("name", "name"): "Drift", stage: "Proposal"})
    oid = deal[d.field_name("Opportunity", "opportunity_id")]
    assert deal[stage] == "Proposal" and api.world.get("Opportunity", oid)["stage"] == "Proposal"
    assert api.modify_opportunity(oid, **{stage: "Closed-Won"})[stage] == "Closed-Won"
    before = api.world.state_hash()
    with pytest.raises(CrmError, match=rf"modify_opportunity has no argument 'stage'\..*Arguments: .*{stage}"):
        api.modify_opportunity(oid, stage="Proposal")
    with pytest.raises(CrmError) as info:  # a deeper layer's message, rewritten
        api.modify_opportunity(oid, **{stage: "Proposal"})
    assert stage in str(info.value) and not re.search(r"\bstage\b", str(info.value))
    kind, entity, file_name = (d.fields.get(f, f) for f in ("entity_type", "entity_id", "file_name"))
    with pytest.raises(CrmError, match=rf"\.{kind}: 'Opportunity' is not allowed; expected one of .*'{deals}'"):
        api.upload_document(**{kind: "Opportunity", entity: oid, file_name: "a.pdf"})
    assert api.world.state_hash() == before
    spec = next(s for s in api.tool_specs("anthropic") if s["name"] == "modify_opportunity")
    assert stage in spec["input_schema"]["properties"] and "stage" not in spec["input_schema"]["properties"]
    assert spec["input_schema"]["properties"][stage]["enum"][0] == "Prospecting"
    upload = next(s for s in api.tool_specs("anthropic") if s["name"] == "upload_document")["input_schema"]
    assert deals in upload["properties"][kind]["enum"] and "Opportunity" not in upload["properties"][kind]["enum"]


@pytest.mark.parametrize("profile", PROFILES)
def test_an_identity_map_behaves_exactly_as_the_plain_api(orgs: dict[str, World], profile: str) -> None:
    world = orgs[profile]
    plain, api = _pair(world, "none")
    assert api.tool_specs("openai_chat") == plain.tool_specs("openai_chat")
    obj, values, changes = CREATE[profile]
    calls = [
        ("describe", {}),
        ("describe", {"object": obj}),
        ("create", {"object": obj, "values": values}),
        ("create", {"object": obj, "values": {"nope": 1}}),
        ("get", {"object": "Nope", "id": "x"}),
        ("search", {"text": "Driftwood"}),
        *(("query", {"sql": q}) for q in QUERIES[profile]),
        ("query", {"sql": "SELECT nope FROM " + obj}),
    ]
    for tool, args in calls:
        assert api.execute(tool, args) == plain.execute(tool, args)
    assert api.world.state_hash() == plain.world.state_hash()


def test_drift_public_view_rewrites_schema_names_in_the_context() -> None:
    schema = crm_gym.build_org("crmarena_pro_b2b", seed=0, scale="tiny").schema
    drift = draw_drift(schema, "high", SEED)
    obj = next(iter(drift.objects))
    field = next(f for f in drift.fields if is_identifier_like(f))
    owner = drift.field_objects[field][0]
    task = PublicTask(
        prompt=f"Which {obj} has the most records?",
        persona="A sales manager.",
        required_context=RequiredContext(
            policy=f"Read {owner}.{field}; {field} is set on every record.", record_id="1"
        ),
        optional_context="Quarters start in January.",
        today=None,
    )
    view = drift_public_view(task, drift)
    assert view.prompt == f"Which {drift.object_name(obj)} has the most records?"
    policy = f"Read {drift.object_name(owner)}.{drift.fields[field]}; {drift.fields[field]} is set on every record."
    assert view.required_context.policy == policy and view.required_context.record_id == "1"
    assert view.persona == task.persona and view.optional_context == task.optional_context
    assert drift_public_view(task, draw_drift(schema, "none", SEED)) == task


# -- property: random drift maps, random generic calls ---------------------------------------------------

_ARC_QUERIES = [q for q in QUERIES["arc"] if "entity_type" not in q] + [
    "SELECT nope FROM Client",
    "SELECT name FROM Nowhere",
    "DELETE FROM Client",
]


@st.composite
def _generic_calls(draw: st.DrawFn, world: World) -> tuple[str, dict[str, Any]]:
    schema = world.schema
    obj = draw(st.sampled_from([*schema.objects, "Nope"]))
    tool = draw(st.sampled_from(["describe", "get", "create", "update", "delete", "search", "query"]))
    spec = schema.objects.get(obj)
    records = world.rows(obj)[:3] if spec else []
    ids = [r[spec.primary_key] for r in records] + ["not-an-id"] if spec else ["x"]
    if tool == "query":
        return tool, {"sql": draw(st.sampled_from(_ARC_QUERIES))}
    if tool == "search":
        objects = draw(st.none() | st.just([obj]))
        text = draw(st.sampled_from(["Acme", "Driftwood", "zzz", "FIND {a*} RETURNING Client(name, email) LIMIT 3"]))
        return tool, {"text": text} | ({"objects": objects} if objects and "FIND" not in text else {})
    if tool == "describe":
        return tool, draw(st.sampled_from([{}, {"object": obj}]))
    args: dict[str, Any] = {"object": obj}
    if tool in ("get", "update", "delete"):
        args["id"] = draw(st.sampled_from(ids))
    if tool in ("create", "update"):
        fields = [*(spec.writable_fields if spec else ()), "bogus"]
        source = records[0] if records else {}
        chosen = draw(st.lists(st.sampled_from(fields), max_size=4, unique=True))
        pool = st.sampled_from(["Driftwood Works", "Active", "Opportunity", 5, None])
        args["values"] = {f: draw(st.just(source.get(f)) | pool) for f in chosen}
    return tool, args


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(level=st.sampled_from(LEVELS), seed=st.integers(0, 10_000), data=st.data())
def test_random_generic_calls_match_the_plain_api_after_renaming(
    orgs: dict[str, World], level: str, seed: int, data: st.DataObject
) -> None:
    plain, api = _pair(orgs["arc"], level, seed)
    for tool, args in data.draw(st.lists(_generic_calls(plain.world), min_size=1, max_size=4)):
        before = api.world.state_hash()
        _, drifted = api.translate_call(tool, args)
        renamed_keys = set(args.get("values") or ()) - set(drifted.get("values") or ())
        if args.get("object") != drifted.get("object") or renamed_keys & set(api.drift.fields):
            assert not api.execute(tool, args).ok  # the canonical names of renamed items no longer exist
            assert api.world.state_hash() == before
        want, got = plain.execute(tool, args), api.execute(tool, drifted)
        assert got.ok == want.ok, (tool, args, got.error, want.error)
        if not got.ok:
            assert api.world.state_hash() == before
        elif tool == "query":
            rows = [[api.drift.object_name(v) if isinstance(v, str) else v for v in r] for r in want.output["rows"]]
            assert got.output["rows"] in (want.output["rows"], rows)
        elif tool != "describe":
            assert got.output == _expected(api.drift, tool, want.output), (tool, args)
        assert api.world.state_hash() == plain.world.state_hash()


def test_the_translations_of_past_drift_maps_go_with_their_views(orgs: dict[str, World]) -> None:
    plain = MockCrmApi(orgs["arc"].copy())
    views: list[weakref.ref[DriftView]] = []
    for seed in range(CACHED_VIEWS + 40):  # every episode draws a map: one view and a few queries each
        drift = draw_drift(plain.schema, "high", 10_000 + seed)
        api = DriftedApi(plain, drift)
        api.query(f"SELECT count(*) FROM {drift.object_name('Client')}")
        views.append(weakref.ref(api.view))
    del api
    gc.collect()
    assert sum(view() is not None for view in views) <= CACHED_VIEWS
