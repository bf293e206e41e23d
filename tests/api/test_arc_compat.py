"""Arc's call shapes: updates objects on every modify tool, and the arc_compat profile's searches, tools and orders."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crm_gym import CrmError, MockCrmApi
from crm_gym.api.registry import registered_tools
from crm_gym.errors import CrmGymError

# tool -> (object, a valid change, an invalid change the tool refuses); the id argument is "<object>_id"
MODIFY_TOOLS = {
    "modify_client": ("Client", {"status": "Inactive", "owner": "Rosa Alves"}, {"status": "inactive"}),
    "modify_contact": ("Contact", {"title": "CFO", "phone": "+1 415 555 0199"}, {"email": "maria-at-acme"}),
    "modify_opportunity": ("Opportunity", {"stage": "Negotiation", "probability": 70}, {"probability": 100}),
    "modify_quote": ("Quote", {"status": "Sent", "version": "v1.1"}, {"amount": 0}),
}


@pytest.fixture(params=["default", "arc_compat"])
def profile_api(request: pytest.FixtureRequest) -> MockCrmApi:
    """An empty Arc org under each tool profile."""
    return MockCrmApi(tool_profile=request.param)


def _deal(api: MockCrmApi) -> dict[str, Any]:
    client = api.create("Client", {"name": "Acme Corp", "email": "info@acme.com", "status": "Active"})
    contact = api.create(
        "Contact",
        {"client_id": client["client_id"], "first_name": "Maria", "last_name": "Lopez", "email": "m@acme.com"},
    )
    opportunity = api.create(
        "Opportunity", {"client_id": client["client_id"], "name": "Acme - Cloud", "stage": "Proposal", "amount": 5e4}
    )
    quote = api.create(
        "Quote", {"opportunity_id": opportunity["opportunity_id"], "version": 1, "amount": 48_000, "status": "Draft"}
    )
    api.world.mark_baseline()
    return {"client": client, "contact": contact, "opportunity": opportunity, "quote": quote}


# -- updates objects, in every profile ---------------------------------------------------------------------------


@pytest.mark.parametrize("tool", sorted(MODIFY_TOOLS))
def test_an_updates_object_changes_what_keyword_arguments_change(profile_api: MockCrmApi, tool: str) -> None:
    obj, change, _ = MODIFY_TOOLS[tool]
    id_arg = f"{obj.lower()}_id"
    record = _deal(profile_api)[obj.lower()]
    snapshot = profile_api.world.snapshot()
    by_keywords = profile_api.call(tool, {id_arg: record[id_arg], **change})
    profile_api.world.restore(snapshot)
    by_updates = profile_api.call(tool, {id_arg: record[id_arg], "updates": change})
    assert by_updates == by_keywords == profile_api.world.get(obj, record[id_arg])
    stored = {"version": "version_label"}
    assert all(by_updates[stored.get(k, k)] == v for k, v in change.items())
    assert [c.record_id for c in profile_api.world.diff().touched()] == [record[id_arg]]


@pytest.mark.parametrize("tool", sorted(MODIFY_TOOLS))
def test_updates_and_keywords_combine_and_a_refused_field_changes_nothing(profile_api: MockCrmApi, tool: str) -> None:
    obj, change, bad = MODIFY_TOOLS[tool]
    id_arg = f"{obj.lower()}_id"
    record = _deal(profile_api)[obj.lower()]
    (first, first_value), *rest = change.items()
    both = profile_api.call(tool, {id_arg: record[id_arg], first: first_value, "updates": dict(rest)})
    assert both == profile_api.world.get(obj, record[id_arg])
    before = profile_api.world.state_hash()
    # Arc applied the fields of an update one by one and kept the first when a later one failed; here nothing.
    with pytest.raises(CrmError):
        profile_api.call(tool, {id_arg: record[id_arg], "updates": {**dict(rest), **bad}})
    assert profile_api.world.state_hash() == before


@pytest.mark.parametrize(
    ("updates", "extra", "message"),
    [
        (
            {"assigned_to": "Rosa"},
            {},
            "modify_opportunity: updates has no field 'assigned_to' (given 'Rosa'). Fields: name",
        ),
        ({"opportunity_id": "x"}, {}, "updates cannot change 'opportunity_id' (given 'x'): it identifies the record"),
        (
            {"stage": "Proposal"},
            {"stage": "Negotiation"},
            "'stage' is given twice with different values, 'Negotiation'",
        ),
        ("stage=Proposal", {}, "argument 'updates': 'stage=Proposal' is invalid (Input should be a valid dictionary)"),
        ({}, {}, "modify_opportunity needs at least one field to change, as an argument or in updates: name, stage"),
        ({"probability": True}, {}, "argument 'probability': True is invalid (a boolean is not a number); expected a"),
        ({"stage": "Negotiations"}, {}, "Opportunity.stage: 'Negotiations' is not allowed; expected one of"),
    ],
)
def test_bad_updates_objects_are_refused_by_name(
    profile_api: MockCrmApi, refused, updates: Any, extra: dict, message: str
) -> None:
    oid = _deal(profile_api)["opportunity"]["opportunity_id"]
    refused(profile_api, "modify_opportunity", {"opportunity_id": oid, "updates": updates, **extra}, re.escape(message))


def test_the_same_field_twice_with_the_same_value_is_fine(profile_api: MockCrmApi) -> None:
    oid = _deal(profile_api)["opportunity"]["opportunity_id"]
    changed = profile_api.modify_opportunity(opportunity_id=oid, stage="Negotiation", updates={"stage": "Negotiation"})
    assert changed["stage"] == "Negotiation"


def test_the_updates_argument_is_specified_with_the_tools_own_fields(profile_api: MockCrmApi) -> None:
    for tool, (obj, _, _) in MODIFY_TOOLS.items():
        params = profile_api.tools[tool].parameters_schema(profile_api.schema)
        updates = params["properties"]["updates"]
        assert updates["type"] == "object" and updates["additionalProperties"] is False
        assert set(updates["properties"]) == set(params["properties"]) - {f"{obj.lower()}_id", "updates"}
        assert all(prop["description"] for prop in updates["properties"].values())
    stage = profile_api.tools["modify_opportunity"].parameters_schema(profile_api.schema)["properties"]["updates"]
    assert stage["properties"]["stage"]["enum"][0] == "Prospecting"


# -- positional orders -----------------------------------------------------------------------------------------


def test_arc_compat_takes_arcs_positional_orders() -> None:
    api = MockCrmApi(tool_profile="arc_compat")
    client = api.create_new_client("Acme Corp", "info@acme.com", "Active")
    deal = api.create_new_opportunity("Acme - Cloud", client["client_id"], 50_000, "Proposal")
    assert (deal["name"], deal["client_id"], deal["amount"], deal["stage"]) == (
        "Acme - Cloud", client["client_id"], 50_000.0, "Proposal"
    )  # fmt: skip
    person = api.create_new_contact("Maria", "Lopez", client["client_id"])
    assert (person["first_name"], person["last_name"]) == ("Maria", "Lopez")
    assert api.modify_opportunity(deal["opportunity_id"], {"stage": "Negotiation"})["stage"] == "Negotiation"
    quote = api.create_quote(deal["opportunity_id"], 48_000, "Sent", version="v1")
    assert (quote["status"], quote["version"], quote["version_label"]) == ("Sent", 1, "v1")
    with pytest.raises(TypeError, match=r"takes 7 arguments \(first_name, last_name, client_id, title"):
        api.create_new_contact("Maria", "Lopez", client["client_id"], "CFO", "m@acme.com", "555", "notes", "extra")


def test_the_default_profile_keeps_its_own_positional_order() -> None:
    api = MockCrmApi()
    client = api.create_new_client("Acme Corp", "info@acme.com", "Active")
    deal = api.create_new_opportunity(client["client_id"], "Acme - Cloud", "Proposal", 50_000)
    assert (deal["name"], deal["stage"], deal["amount"]) == ("Acme - Cloud", "Proposal", 50_000.0)


# -- Arc's field searches --------------------------------------------------------------------------------------


@pytest.fixture
def compat(org_api: MockCrmApi) -> MockCrmApi:
    """The arc_compat profile over a small generated org."""
    return MockCrmApi(org_api.world, tool_profile="arc_compat")


def test_a_field_search_returns_a_list_matching_any_part_of_any_text_field(compat: MockCrmApi) -> None:
    everyone = compat.world.rows("Client")
    some = everyone[3]
    for field in ("name", "email", "phone", "address", "owner", "industry"):
        part = some[field][2:7].upper()
        found = compat.client_search(**{field: part})
        assert isinstance(found, list) and some in found
        assert all(part.casefold() in c[field].casefold() for c in found)
    assert compat.client_search(name=some["name"], email=some["email"]) == [some]
    assert compat.client_search(client_id=some["client_id"][:13]) == [some]


def test_closed_finds_both_closed_stages_and_active_does_not_find_inactive(compat: MockCrmApi) -> None:
    closed = compat.opportunity_search(stage="closed")
    everything = compat.world.rows("Opportunity")
    assert {o["stage"] for o in closed} == {"Closed-Won", "Closed-Lost"}
    assert len(closed) == sum(o["stage"].startswith("Closed") for o in everything)
    assert {o["stage"] for o in compat.opportunity_search(stage="won")} == {"Closed-Won"}
    assert {c["status"] for c in compat.client_search(status="active")} == {"Active"}
    assert {c["status"] for c in compat.client_search(status="Inactive")} == {"Inactive"}


def test_numbers_match_exactly_and_our_own_filters_still_apply(compat: MockCrmApi) -> None:
    deal = compat.world.rows("Opportunity")[0]
    assert deal in compat.opportunity_search(amount=deal["amount"])
    assert all(o["amount"] == deal["amount"] for o in compat.opportunity_search(amount=deal["amount"]))
    cheap = compat.opportunity_search(max_amount=20_000, stage="Prospecting")
    assert cheap and all(o["amount"] <= 20_000 and o["stage"] == "Prospecting" for o in cheap)
    assert compat.opportunity_search(query=deal["name"]) == compat.opportunity_search(name=deal["name"])
    assert len(compat.opportunity_search(limit=3)) == 3
    assert len(compat.opportunity_search()) == min(50, len(compat.world.rows("Opportunity")))


def test_a_quote_version_is_found_by_its_number_or_its_label(compat: MockCrmApi) -> None:
    deal = compat.world.rows("Opportunity")[0]
    labelled = compat.create_quote(deal["opportunity_id"], 1_000, "Draft", version="V3-final")
    assert labelled in compat.quote_search(version="v3")
    assert labelled in compat.quote_search(version=labelled["version"], opportunity_id=deal["opportunity_id"])
    assert all(q["version"] == 1 for q in compat.quote_search(version=1))


def test_company_contacts_match_any_of_the_names(compat: MockCrmApi) -> None:
    company = next(c for c in compat.world.rows("Company") if c["contacts"])
    assert company in compat.company_search(contacts=company["contacts"][-1][:4])


@pytest.mark.parametrize(
    ("tool", "args", "message"),
    [
        (
            "client_search",
            {"region": "EMEA"},
            "client_search has no argument 'region' (given 'EMEA'). Arguments: client_id, name",
        ),
        ("opportunity_search", {"amount": True}, "argument 'amount': True is invalid (a boolean is not a number)"),
        ("opportunity_search", {"limit": 51}, "argument 'limit': 51 is invalid"),
        ("quote_search", {"client_id": "acme"}, "client_id must be the id of a Client: a UUID like"),
    ],
)
def test_field_searches_refuse_what_they_cannot_read(
    compat: MockCrmApi, refused, tool: str, args: dict, message: str
) -> None:
    refused(compat, tool, args, re.escape(message))


def test_summaries_take_field_criteria_and_answer_in_arcs_shape(compat: MockCrmApi) -> None:
    rows = compat.world.rows("Opportunity")
    closed = [o for o in rows if o["stage"].startswith("Closed")]
    summary = compat.summarize_opportunities(stage="closed")
    assert summary == {
        "total_count": len(closed),
        "total_amount": round(sum(o["amount"] for o in closed), 2),
        "by_stage": {s: sum(o["stage"] == s for o in closed) for s in ("Closed-Won", "Closed-Lost")}
        | summary["by_stage"],
        "by_owner": summary["by_owner"],
    }
    assert sum(summary["by_owner"].values()) == len(closed)
    assert compat.summarize_opportunities()["total_count"] == len(rows)
    assert compat.summarize_opportunities(owner="nobody at all")["total_count"] == 0


# -- Arc's three extra tools and its clone naming ---------------------------------------------------------------


def test_arcs_three_extra_tools_exist_only_in_its_profile() -> None:
    extra = {"opportunity_details", "compare_quote_details", "quote_prefixes"}
    assert extra <= set(registered_tools("arc_compat")) and not extra & set(registered_tools("default"))
    with pytest.raises(CrmError, match=r"Unknown tool 'opportunity_details'\. Did you mean 'view_opportunity_details'"):
        MockCrmApi().call("opportunity_details", {"opportunity_id": "x"})
    with pytest.raises(CrmGymError, match="Unknown tool profile 'arc'; use one of default, arc_compat"):
        MockCrmApi(tool_profile="arc")  # type: ignore[arg-type]


def test_opportunity_details_is_the_record(compat: MockCrmApi, refused) -> None:
    deal = compat.world.rows("Opportunity")[5]
    assert compat.opportunity_details(deal["opportunity_id"]) == deal
    refused(
        compat, "opportunity_details", {"opportunity_id": "deal-5"}, "opportunity_id must be the id of an Opportunity"
    )


def test_compare_quote_details_lists_amounts_statuses_and_their_total(compat: MockCrmApi, refused) -> None:
    quotes = compat.world.rows("Quote")[:3]
    details = compat.compare_quote_details([q["quote_id"] for q in quotes])
    assert details == {
        "quotes": quotes,
        "amounts": [q["amount"] for q in quotes],
        "statuses": [q["status"] for q in quotes],
        "total_amount": round(sum(q["amount"] for q in quotes), 2),
    }
    qid = quotes[0]["quote_id"]
    refused(compat, "compare_quote_details", {"quote_ids": [qid, qid]}, "is given twice; expected different quotes")
    refused(compat, "compare_quote_details", {"quote_ids": []}, re.escape("'quote_ids': [] is invalid"))


def test_quote_prefixes_are_each_prefix_once_sorted(compat: MockCrmApi) -> None:
    deal = compat.world.rows("Opportunity")[0]
    compat.create_quote(deal["opportunity_id"], 10, quote_prefix="AAA-FIRST")
    prefixes = compat.quote_prefixes()
    stored = {q["quote_prefix"] for q in compat.world.rows("Quote") if q["quote_prefix"]}
    assert prefixes == sorted(stored) and prefixes[0] == "AAA-FIRST"


@pytest.mark.parametrize(("profile", "suffix"), [("default", "(Copy)"), ("arc_compat", "(Clone)")])
def test_a_clone_is_named_the_way_the_profile_names_it(profile: str, suffix: str) -> None:
    api = MockCrmApi(tool_profile=profile)  # type: ignore[arg-type]
    deal = _deal(api)["opportunity"]
    assert api.clone_opportunity(deal["opportunity_id"])["name"] == f"Acme - Cloud {suffix}"
    assert api.clone_opportunity(deal["opportunity_id"], name="Acme - Cloud 2")["name"] == "Acme - Cloud 2"


# -- the specs a policy sees follow the profile ------------------------------------------------------------------


def test_specs_follow_the_profile() -> None:
    default = {s["function"]["name"]: s["function"] for s in MockCrmApi().tool_specs("openai_chat")}
    compat = {
        s["function"]["name"]: s["function"] for s in MockCrmApi(tool_profile="arc_compat").tool_specs("openai_chat")
    }
    assert set(compat) - set(default) == {"opportunity_details", "compare_quote_details", "quote_prefixes"}
    assert set(default) <= set(compat)
    assert "name" not in default["client_search"]["parameters"]["properties"]
    props = compat["client_search"]["parameters"]["properties"]
    assert {"name", "email", "phone", "address", "status", "owner", "query", "limit"} <= set(props)
    assert "enum" not in compat["opportunity_search"]["parameters"]["properties"]["stage"]  # "closed" is allowed
    assert "Closed-Won" in compat["opportunity_search"]["parameters"]["properties"]["stage"]["description"]
    assert default["create_quote"] == compat["create_quote"]


@pytest.mark.parametrize(("profile", "status"), [("default", None), ("arc_compat", "Pending")])
def test_a_contract_without_a_status_gets_the_profiles_default(profile: str, status: str | None) -> None:
    api = MockCrmApi(tool_profile=profile)  # type: ignore[arg-type]
    client = _deal(api)["client"]
    assert api.create_contract(client["client_id"])["status"] == status
    assert api.create_contract(client["client_id"], status="Active")["status"] == "Active"
