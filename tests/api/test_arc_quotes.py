"""Arc quote tools: create, modify, cancel, delete, search, details and comparison."""

from __future__ import annotations

import pytest

from crm_gym import MockCrmApi
from crm_gym.config import DEFAULT_TODAY

MISSING = "00000000-0000-4000-8000-000000000000"


def _set_status(api: MockCrmApi, quote_id: str, status: str) -> None:
    api.world.update("Quote", quote_id, {"status": status})


def test_create_quote_numbers_versions_per_opportunity_and_sets_defaults(api: MockCrmApi, deal) -> None:
    oid = deal["opportunity"]["opportunity_id"]
    assert (deal["quote"]["version"], deal["quote"]["status"]) == (1, "Draft")
    assert deal["quote"]["created_date"] == f"{DEFAULT_TODAY}T09:00:00"
    second = api.create_quote(oid, 0.01, status="Sent", valid_until="2025-03-01", quote_prefix="Q-ACME", version="v7")
    assert api.world.get("Quote", second["quote_id"]) == second
    assert (second["version"], second["amount"], second["status"]) == (2, 0.01, "Sent")
    assert (second["version_label"], deal["quote"]["version_label"]) == ("v7", None)
    other = api.create_new_opportunity(deal["client"]["client_id"], "Another deal")
    assert api.create_quote(other["opportunity_id"], 10)["version"] == 1


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"amount": -1}, r"Quote\.amount: -1.0 is not allowed; expected a number > 0, <= 10000000"),
        ({"amount": 0}, r"Quote\.amount: 0.0 is not allowed; expected a number > 0, <= 10000000"),
        ({"amount": 10_000_001}, r"Quote\.amount: 10000001.0 is not allowed; expected a number > 0, <= 10000000"),
        ({"amount": False}, r"'amount': False is invalid \(a boolean is not a number\); expected a number > 0"),
        ({"amount": 5, "status": "draft"}, r"Quote\.status: 'draft' is not allowed"),
        ({"amount": 5, "status": "InReview"}, "'Draft', 'Sent', 'Approved', 'Rejected', 'Canceled'"),
        ({"amount": 5, "valid_until": "12/15/2025"}, r"Quote\.valid_until: '12/15/2025'.*YYYY-MM-DD"),
        ({"amount": 5, "version": 7}, r"'version': 7 is invalid .*; expected text at most 40 characters"),
        ({"amount": 5, "version_label": "v2"}, r"no argument 'version_label' \(given 'v2'\)"),
        ({}, r"needs the argument 'amount': a number > 0, <= 10000000\."),
    ],
)
def test_create_quote_refusals(api: MockCrmApi, deal, refused, args: dict, match: str) -> None:
    refused(api, "create_quote", {"opportunity_id": deal["opportunity"]["opportunity_id"], **args}, match)


def test_create_quote_refuses_unknown_or_malformed_opportunities(api: MockCrmApi, refused) -> None:
    refused(api, "create_quote", {"opportunity_id": MISSING, "amount": 1}, "not the id of an existing Opportunity")
    refused(api, "create_quote", {"opportunity_id": "opp 1", "amount": 1}, "must be the id of an Opportunity")


def test_modify_quote_changes_only_the_given_fields(api: MockCrmApi, deal, refused) -> None:
    qid = deal["quote"]["quote_id"]
    changed = api.modify_quote(qid, amount=47_500, status="Sent")
    assert api.world.get("Quote", qid) == changed
    assert (changed["amount"], changed["status"], changed["version"]) == (47_500.0, "Sent", 1)
    refused(api, "modify_quote", {"quote_id": qid, "status": "sent"}, r"Quote\.status: 'sent'")
    refused(api, "modify_quote", {"quote_id": qid, "opportunity_id": MISSING}, "no argument 'opportunity_id'")
    refused(api, "modify_quote", {"quote_id": qid}, "modify_quote needs at least one field")


@pytest.mark.parametrize("status", ["Draft", "Sent"])
def test_cancel_quote_from_draft_or_sent(api: MockCrmApi, deal, status: str) -> None:
    qid = deal["quote"]["quote_id"]
    _set_status(api, qid, status)
    assert api.cancel_quote(qid)["status"] == "Canceled"
    assert api.world.get("Quote", qid)["status"] == "Canceled"


@pytest.mark.parametrize("status", ["Approved", "Rejected", "Canceled"])
def test_cancel_quote_refuses_closed_quotes(api: MockCrmApi, deal, refused, status: str) -> None:
    qid = deal["quote"]["quote_id"]
    _set_status(api, qid, status)
    refused(api, "cancel_quote", {"quote_id": qid}, f"is {status}: only Draft or Sent quotes can be canceled")


def test_modify_quote_follows_the_cancel_rules(api: MockCrmApi, deal, refused) -> None:
    qid = deal["quote"]["quote_id"]
    _set_status(api, qid, "Approved")
    refused(api, "modify_quote", {"quote_id": qid, "status": "Canceled"}, "only Draft or Sent quotes can be canceled")
    _set_status(api, qid, "Canceled")
    refused(api, "modify_quote", {"quote_id": qid, "amount": 1}, "is Canceled and can no longer change")


def test_delete_quote_removes_its_attachments_and_keeps_the_rest(api: MockCrmApi, deal, refused) -> None:
    qid = deal["quote"]["quote_id"]
    doc = api.upload_document("Quote", qid, "quote_v1.pdf")
    note = api.add_note("Quote", qid, "Sent to procurement")
    kept = api.create_quote(deal["opportunity"]["opportunity_id"], 1)
    report = api.delete_quote(qid)
    assert report == {
        "deleted_quote": deal["quote"],
        "deleted_document_ids": [doc["document_id"]],
        "deleted_note_ids": [note["note_id"]],
    }
    assert [q["quote_id"] for q in api.world.rows("Quote")] == [kept["quote_id"]]
    assert api.world.count("Document") == api.world.count("Note") == 0
    refused(api, "delete_quote", {"quote_id": qid}, "No Quote with id")


def test_quote_search_filters_and_sorts(org_api: MockCrmApi, refused) -> None:
    quotes = org_api.world.rows("Quote")
    approved = org_api.quote_search(status="APPROVED", limit=50)
    assert approved["total"] == sum(q["status"] == "Approved" for q in quotes) > 0
    oid = quotes[0]["opportunity_id"]
    mine = org_api.quote_search(opportunity_id=oid, limit=50)["results"]
    assert [q["version"] for q in mine] == list(range(1, len(mine) + 1))
    client_id = org_api.world.get("Opportunity", oid)["client_id"]
    of_client = org_api.quote_search(client_id=client_id, limit=50)
    deals = {o["opportunity_id"] for o in org_api.world.rows("Opportunity", "client_id = ?", (client_id,))}
    assert of_client["total"] == sum(q["opportunity_id"] in deals for q in quotes)
    keys = [(q["opportunity_id"], q["version"]) for q in org_api.quote_search(limit=50)["results"]]
    assert keys == sorted(keys)
    refused(org_api, "quote_search", {"status": "Pending"}, r"Quote\.status filter: 'Pending'")


def test_quote_details_shows_the_context_and_other_versions(api: MockCrmApi, deal, refused) -> None:
    second = api.create_quote(deal["opportunity"]["opportunity_id"], 1_000)
    details = api.quote_details(second["quote_id"])
    assert details["quote"] == second and details["opportunity"] == deal["opportunity"]
    assert details["client"] == deal["client"] and details["other_versions"] == [deal["quote"]]
    refused(api, "quote_details", {"quote_id": MISSING}, "No Quote with id")


def test_compare_quotes_field_by_field(api: MockCrmApi, deal) -> None:
    oid = deal["opportunity"]["opportunity_id"]
    second = api.create_quote(oid, 45_000, status="Sent")
    third = api.create_quote(oid, 52_000)
    result = api.compare_quotes([deal["quote"]["quote_id"], second["quote_id"], third["quote_id"]])
    assert result["differences"] == {
        "version": [1, 2, 3],
        "amount": [48_000.0, 45_000.0, 52_000.0],
        "status": ["Draft", "Sent", "Draft"],
    }
    assert result["same"]["opportunity_id"] == oid
    assert (result["lowest_amount_quote_id"], result["highest_amount_quote_id"]) == (
        second["quote_id"],
        third["quote_id"],
    )
    assert result["amount_spread"] == 7_000.0


def test_compare_quotes_refusals(api: MockCrmApi, deal, refused) -> None:
    qid = deal["quote"]["quote_id"]
    refused(api, "compare_quotes", {"quote_ids": [qid]}, "quote_ids")
    refused(api, "compare_quotes", {"quote_ids": [qid, qid.upper()]}, "is given twice; expected different quotes")
    refused(api, "compare_quotes", {"quote_ids": [qid, MISSING]}, "No Quote with id")
    refused(api, "compare_quotes", {"quote_ids": [qid, "q-2"]}, r"quote_ids\[1\] must be the id of a Quote")
