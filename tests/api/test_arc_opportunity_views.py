"""Arc opportunity read tools: opportunity_search, view_opportunity_details, summarize_opportunities."""

from __future__ import annotations

from crm_gym import MockCrmApi

MISSING = "00000000-0000-4000-8000-000000000000"


def test_opportunity_search_filters_by_client_stage_owner_name_and_amount(org_api: MockCrmApi) -> None:
    everything = org_api.world.rows("Opportunity")
    sample = everything[0]
    by_client = org_api.opportunity_search(client_id=sample["client_id"], limit=50)
    assert by_client["total"] == sum(o["client_id"] == sample["client_id"] for o in everything)
    won = org_api.opportunity_search(stage="closed-won", limit=50)
    assert won["total"] == sum(o["stage"] == "Closed-Won" for o in everything) > 0
    mine = org_api.opportunity_search(owner=sample["owner"].lower(), limit=50)
    assert mine["total"] == sum(o["owner"] == sample["owner"] for o in everything)
    word = sample["name"].split(" - ")[1].upper()
    named = org_api.opportunity_search(query=word, limit=50)
    assert named["total"] == sum(word.lower() in o["name"].lower() for o in everything)
    band = org_api.opportunity_search(min_amount=10_000, max_amount=50_000, limit=50)
    assert all(10_000 <= o["amount"] <= 50_000 for o in band["results"])
    assert band["total"] == sum(10_000 <= o["amount"] <= 50_000 for o in everything)


def test_opportunity_search_is_sorted_deterministic_and_bounded(org_api: MockCrmApi) -> None:
    first = org_api.opportunity_search(limit=5)
    assert first == org_api.opportunity_search(limit=5)
    assert (first["returned"], first["total"]) == (5, org_api.world.count("Opportunity"))
    keys = [(o["name"].casefold(), o["opportunity_id"]) for o in org_api.opportunity_search(limit=50)["results"]]
    assert keys == sorted(keys)


def test_opportunity_search_refusals(org_api: MockCrmApi, refused) -> None:
    refused(org_api, "opportunity_search", {"stage": "Won"}, r"Opportunity\.stage filter: 'Won' is not allowed")
    refused(org_api, "opportunity_search", {"client_id": "acme"}, "client_id must be the id of a Client")
    refused(org_api, "opportunity_search", {"limit": 0}, "limit")
    refused(org_api, "opportunity_search", {"assigned_to": "x"}, "no argument 'assigned_to'")


def test_view_opportunity_details_gathers_everything(api: MockCrmApi, deal) -> None:
    oid = deal["opportunity"]["opportunity_id"]
    second = api.create_quote(oid, 45_000)
    contract = api.create_contract(deal["client"]["client_id"], opportunity_id=oid, status="Pending")
    note = api.add_note("Opportunity", oid, "Budget approved")
    doc = api.upload_document("Opportunity", oid, "proposal.pdf")
    api.add_note("Client", deal["client"]["client_id"], "Not about the deal")
    details = api.view_opportunity_details(oid)
    assert details["opportunity"] == deal["opportunity"] and details["client"] == deal["client"]
    assert [q["quote_id"] for q in details["quotes"]] == [deal["quote"]["quote_id"], second["quote_id"]]
    assert details["contracts"] == [contract] and details["notes"] == [note] and details["documents"] == [doc]


def test_view_opportunity_details_refuses_unknown_ids(api: MockCrmApi, refused) -> None:
    refused(api, "view_opportunity_details", {"opportunity_id": MISSING}, "No Opportunity with id")
    refused(api, "view_opportunity_details", {"opportunity_id": "OPP-1"}, "a UUID like")


def test_summarize_opportunities_aggregates_by_stage(api: MockCrmApi, deal) -> None:
    cid = deal["client"]["client_id"]
    for stage, amount in (("Proposal", 10_000), ("Closed-Won", 30_000), ("Closed-Won", 20_001)):
        api.create_new_opportunity(cid, "Extra", stage=stage, amount=amount, owner="Dana Reyes")
    api.create_new_opportunity(deal["other"]["client_id"], "Elsewhere", stage="Proposal", amount=999)
    summary = api.summarize_opportunities(client_id=cid)
    assert (summary["count"], summary["total_amount"], summary["average_amount"]) == (4, 110_001.0, 27_500.25)
    assert summary["by_stage"] == [
        {"stage": "Proposal", "count": 2, "total_amount": 60_000.0, "average_amount": 30_000.0},
        {"stage": "Closed-Won", "count": 2, "total_amount": 50_001.0, "average_amount": 25_000.5},
    ]
    by_owner = api.summarize_opportunities(owner="dana reyes")
    assert (by_owner["count"], by_owner["total_amount"]) == (3, 60_001.0)
    both = api.summarize_opportunities(client_id=cid, owner="Dana Reyes")
    assert both["count"] == 3
    assert api.summarize_opportunities()["count"] == 5


def test_summarize_opportunities_refusals(api: MockCrmApi, deal, refused) -> None:
    refused(api, "summarize_opportunities", {"client_id": MISSING}, "No Client with id")
    refused(api, "summarize_opportunities", {"owner": "Nobody Here"}, "No opportunity is owned by 'Nobody Here'")
