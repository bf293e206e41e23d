"""Arc opportunity write tools: create_new_opportunity, modify_opportunity, clone_opportunity, delete_opportunity."""

from __future__ import annotations

import re

import pytest

from crm_gym import MockCrmApi

MISSING = "00000000-0000-4000-8000-000000000000"


def _create_args(deal, **extra) -> dict:
    return {"client_id": deal["client"]["client_id"], "name": "Acme Corp - Renewal", **extra}


def test_create_new_opportunity_stores_the_row(api: MockCrmApi, deal) -> None:
    created = api.create_new_opportunity(
        **_create_args(deal, stage="Negotiation", amount="12500.50", close_date="2025-12-15", probability=60)
    )
    assert api.world.get("Opportunity", created["opportunity_id"]) == created
    assert (created["amount"], created["probability"], created["close_date"]) == (12500.5, 60, "2025-12-15")
    assert api.create_new_opportunity(**_create_args(deal))["stage"] == "Prospecting"  # the default stage


@pytest.mark.parametrize("stage", ["negotiation", "Negotiations", "Closed Won", "closed-won", "Won"])
def test_stage_must_be_an_exact_enum_value(api: MockCrmApi, deal, refused, stage: str) -> None:
    message = refused(api, "create_new_opportunity", _create_args(deal, stage=stage), r"Opportunity\.stage")
    assert "'Prospecting', 'Qualification', 'Proposal', 'Negotiation', 'Closed-Won', 'Closed-Lost'" in message


@pytest.mark.parametrize("probability", [1, 50, 99, "75", 30.0])
def test_probability_whole_number_from_1_to_99_passes(api: MockCrmApi, deal, probability) -> None:
    assert api.create_new_opportunity(**_create_args(deal, probability=probability))["probability"] == int(probability)


@pytest.mark.parametrize(
    ("probability", "match"),
    [
        ("fifty", "argument 'probability': 'fifty' is invalid"),
        (50.5, "argument 'probability': 50.5 is invalid"),
        (125, r"Opportunity\.probability: 125 is not allowed; expected a whole number >= 1, <= 99"),
        (-10, r"Opportunity\.probability: -10 is not allowed"),
        (0, r"Opportunity\.probability: 0 is not allowed"),
        (100, r"Opportunity\.probability: 100 is not allowed"),
    ],
)
def test_probability_out_of_range_or_not_a_number_is_refused(
    api: MockCrmApi, deal, refused, probability, match: str
) -> None:
    refused(api, "create_new_opportunity", _create_args(deal, probability=probability), match)


@pytest.mark.parametrize("amount", [0.01, 10_000_000])
def test_amount_within_bounds_passes(api: MockCrmApi, deal, amount: float) -> None:
    assert api.create_new_opportunity(**_create_args(deal, amount=amount))["amount"] == amount


@pytest.mark.parametrize("amount", [0, -5, 10_000_000.01, "lots"])
def test_amount_must_be_positive_and_at_most_ten_million(api: MockCrmApi, deal, refused, amount) -> None:
    refused(api, "create_new_opportunity", _create_args(deal, amount=amount), "amount")


@pytest.mark.parametrize("close_date", ["12/15/2025", "15-12-2025", "2025-02-30", "2025-12-15T00:00:00", "next week"])
def test_close_date_must_be_an_iso_date(api: MockCrmApi, deal, refused, close_date: str) -> None:
    message = refused(api, "create_new_opportunity", _create_args(deal, close_date=close_date), r"close_date")
    assert "YYYY-MM-DD" in message


def test_create_new_opportunity_refuses_bad_clients_missing_fields_and_unknown_arguments(
    api: MockCrmApi, deal, refused
) -> None:
    refused(api, "create_new_opportunity", {"client_id": "acme", "name": "X"}, "must be the id of a Client: a UUID")
    refused(api, "create_new_opportunity", {"client_id": MISSING, "name": "X"}, "not the id of an existing Client")
    refused(api, "create_new_opportunity", {"client_id": deal["client"]["client_id"]}, "needs the argument 'name'")
    refused(api, "create_new_opportunity", _create_args(deal, assigned_to="Bob"), "no argument 'assigned_to'")


def test_modify_opportunity_changes_only_the_given_fields(api: MockCrmApi, deal) -> None:
    oid = deal["opportunity"]["opportunity_id"]
    changed = api.modify_opportunity(oid, stage="Negotiation", probability=70)
    assert api.world.get("Opportunity", oid) == changed
    assert (changed["stage"], changed["probability"], changed["amount"]) == ("Negotiation", 70, 50_000.0)
    moved = api.modify_opportunity(oid, client_id=deal["other"]["client_id"].upper())
    assert moved["client_id"] == deal["other"]["client_id"]


def test_modify_opportunity_refusals(api: MockCrmApi, deal, refused) -> None:
    oid = deal["opportunity"]["opportunity_id"]
    refused(api, "modify_opportunity", {"opportunity_id": oid, "assigned_to": "Bob"}, "no argument 'assigned_to'")
    refused(api, "modify_opportunity", {"opportunity_id": oid, "stage": "won"}, r"Opportunity\.stage: 'won'")
    refused(api, "modify_opportunity", {"opportunity_id": oid, "client_id": MISSING}, "not the id of an existing")
    refused(api, "modify_opportunity", {"opportunity_id": "opp-42", "stage": "Proposal"}, "a UUID like")
    refused(api, "modify_opportunity", {"opportunity_id": MISSING, "stage": "Proposal"}, "No Opportunity with id")
    refused(api, "modify_opportunity", {"opportunity_id": oid}, "needs at least one field to change")
    refused(api, "modify_opportunity", {"opportunity_id": oid, "opportunity_id_new": MISSING}, "no argument")


@pytest.mark.parametrize("closed", ["Closed-Won", "Closed-Lost"])
@pytest.mark.parametrize(
    "change", [{"amount": 1.0}, {"stage": "Negotiation"}, {"probability": 50}, {"close_date": "2030-01-01"}]
)
def test_a_closed_deal_keeps_amount_stage_probability_and_close_date(
    api: MockCrmApi, deal, refused, closed: str, change: dict
) -> None:
    oid = deal["opportunity"]["opportunity_id"]
    api.modify_opportunity(oid, stage=closed, close_date="2025-01-10", probability=99 if closed == "Closed-Won" else 1)
    field = next(iter(change))
    message = refused(api, "modify_opportunity", {"opportunity_id": oid, **change}, f"is {closed}, a closed deal")
    assert f"its {field} can no longer change" in message


def test_a_closed_deal_may_still_change_name_owner_notes_and_repeat_its_values(api: MockCrmApi, deal) -> None:
    oid = deal["opportunity"]["opportunity_id"]
    api.modify_opportunity(oid, stage="Closed-Won")
    changed = api.modify_opportunity(oid, name="Won: Cloud Migration", owner="Sam", notes="Signed", stage="Closed-Won")
    assert (changed["name"], changed["owner"], changed["stage"], changed["amount"]) == (
        "Won: Cloud Migration",
        "Sam",
        "Closed-Won",
        50_000.0,
    )


def test_clone_opportunity_copies_every_field_but_the_id(api: MockCrmApi, deal) -> None:
    source = api.modify_opportunity(deal["opportunity"]["opportunity_id"], close_date="2025-06-30", notes="Hot lead")
    clone = api.clone_opportunity(source["opportunity_id"])
    assert clone["opportunity_id"] != source["opportunity_id"]
    assert clone["name"] == f"{source['name']} (Copy)"
    same = ("client_id", "stage", "amount", "close_date", "owner", "probability", "notes")
    assert {k: clone[k] for k in same} == {k: source[k] for k in same}
    assert api.world.get("Opportunity", source["opportunity_id"]) == source
    assert api.world.rows("Quote", "opportunity_id = ?", (clone["opportunity_id"],)) == []


def test_clone_opportunity_overrides_follow_the_create_rules(api: MockCrmApi, deal, refused) -> None:
    oid = deal["opportunity"]["opportunity_id"]
    clone = api.clone_opportunity(oid, name="Renewal 2026", amount=60_000, client_id=deal["other"]["client_id"])
    assert (clone["name"], clone["amount"], clone["client_id"]) == (
        "Renewal 2026",
        60_000.0,
        deal["other"]["client_id"],
    )
    refused(api, "clone_opportunity", {"opportunity_id": oid, "stage": "proposal"}, r"Opportunity\.stage")
    refused(api, "clone_opportunity", {"opportunity_id": oid, "probability": 100}, r"Opportunity\.probability")
    refused(api, "clone_opportunity", {"opportunity_id": MISSING}, "No Opportunity with id")


def test_delete_opportunity_cascades_and_reports_what_went(api: MockCrmApi, deal) -> None:
    oid = deal["opportunity"]["opportunity_id"]
    second = api.create_quote(oid, 47_000)
    doc = api.upload_document("Quote", second["quote_id"], "pricing_v2.xlsx")
    note = api.add_note("Opportunity", oid, "Call went well")
    contract = api.create_contract(deal["client"]["client_id"], opportunity_id=oid, status="Pending")
    report = api.delete_opportunity(oid)
    assert report["deleted_opportunity"] == deal["opportunity"]
    assert report["deleted_quote_ids"] == sorted([deal["quote"]["quote_id"], second["quote_id"]])
    assert (report["deleted_document_ids"], report["deleted_note_ids"]) == ([doc["document_id"]], [note["note_id"]])
    assert report["unlinked_contract_ids"] == [contract["contract_id"]]
    assert api.world.count("Opportunity") == api.world.count("Quote") == 0
    assert api.world.count("Document") == api.world.count("Note") == 0
    assert api.world.get("Contract", contract["contract_id"])["opportunity_id"] is None
    assert api.world.integrity_violations() == []


def test_delete_opportunity_refuses_a_bad_id(api: MockCrmApi, deal, refused) -> None:
    refused(api, "delete_opportunity", {"opportunity_id": "123"}, re.escape("got '123'"))
    refused(api, "delete_opportunity", {"opportunity_id": MISSING}, "No Opportunity with id")
