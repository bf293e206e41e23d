"""Arc contract and company tools: create_contract, contract_search, company_search."""

from __future__ import annotations

from crm_gym import MockCrmApi

MISSING = "00000000-0000-4000-8000-000000000000"


def test_create_contract_for_the_clients_own_opportunity(api: MockCrmApi, deal) -> None:
    contract = api.create_contract(
        deal["client"]["client_id"],
        opportunity_id=deal["opportunity"]["opportunity_id"],
        start_date="2025-02-01",
        end_date="2026-01-31",
        value=50_000,
        status="Pending",
        document_url="https://files.example.com/acme.pdf",
    )
    assert api.world.get("Contract", contract["contract_id"]) == contract
    assert api.create_contract(deal["other"]["client_id"])["opportunity_id"] is None


def test_create_contract_refusals(api: MockCrmApi, deal, refused) -> None:
    cid, oid = deal["client"]["client_id"], deal["opportunity"]["opportunity_id"]
    refused(
        api,
        "create_contract",
        {"client_id": deal["other"]["client_id"], "opportunity_id": oid},
        "a contract can only be for one of its own client's opportunities",
    )
    refused(
        api,
        "create_contract",
        {"client_id": cid, "start_date": "2025-02-01", "end_date": "2025-01-31"},
        "end_date '2025-01-31' is before start_date '2025-02-01'",
    )
    refused(api, "create_contract", {"client_id": cid, "start_date": "02/01/2025"}, r"Contract\.start_date")
    refused(api, "create_contract", {"client_id": cid, "status": "active"}, r"Contract\.status: 'active'")
    refused(api, "create_contract", {"client_id": cid, "value": -1}, r"Contract\.value")
    refused(api, "create_contract", {"client_id": cid, "document_url": "acme.pdf"}, r"Contract\.document_url")
    refused(api, "create_contract", {"client_id": MISSING}, "not the id of an existing Client")
    refused(api, "create_contract", {"client_id": cid, "opportunity_id": MISSING}, "No Opportunity with id")


def test_contract_search_filters_and_sorts_by_start_date(org_api: MockCrmApi, refused) -> None:
    contracts = org_api.world.rows("Contract")
    for status in ("Active", "Pending", "Expired"):
        found = org_api.contract_search(status=status.lower(), limit=50)
        assert found["total"] == sum(c["status"] == status for c in contracts) > 0
    everything = org_api.contract_search(limit=50)["results"]
    assert [c["start_date"] for c in everything] == sorted(c["start_date"] for c in contracts)
    linked = next(c for c in contracts if c["opportunity_id"])
    assert org_api.contract_search(opportunity_id=linked["opportunity_id"])["results"][0] == linked
    assert org_api.contract_search(client_id=linked["client_id"], limit=50)["total"] == sum(
        c["client_id"] == linked["client_id"] for c in contracts
    )
    refused(org_api, "contract_search", {"status": "Signed"}, r"Contract\.status filter: 'Signed'")


def test_company_search_by_name_contact_and_type(org_api: MockCrmApi, refused) -> None:
    companies = org_api.world.rows("Company")
    first = companies[0]
    by_name = org_api.company_search(query=first["name"].upper(), limit=50)
    assert first["company_id"] in [c["company_id"] for c in by_name["results"]]
    by_contact = org_api.company_search(query=first["contacts"][0].lower(), limit=50)
    assert first["company_id"] in [c["company_id"] for c in by_contact["results"]]
    rivals = org_api.company_search(type="competitor", limit=50)
    assert rivals["total"] == sum(c["type"] == "Competitor" for c in companies) > 0
    names = [c["name"].casefold() for c in org_api.company_search(limit=50)["results"]]
    assert names == sorted(names)
    refused(org_api, "company_search", {"type": "Customer"}, r"Company\.type filter: 'Customer'")
