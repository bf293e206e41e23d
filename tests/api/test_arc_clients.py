"""Arc client tools: create_new_client, modify_client, client_search, and the world's "today"."""

from __future__ import annotations

import re

import pytest

from crm_gym import MockCrmApi
from crm_gym.api.tools.arc_common import world_today
from crm_gym.config import DEFAULT_TODAY, TODAY_META_KEY


def test_create_new_client_stores_the_row_with_the_worlds_date(api: MockCrmApi) -> None:
    client = api.create_new_client(name="Acme Corp", email="Info@Acme.com", status="Active", industry="Retail")
    assert api.world.get("Client", client["client_id"]) == client
    assert client["created_date"] == f"{DEFAULT_TODAY}T09:00:00"
    assert re.fullmatch(r"[0-9a-f-]{36}", client["client_id"])


def test_today_comes_from_the_world_meta_not_the_clock(api: MockCrmApi) -> None:
    assert world_today(api.world) == DEFAULT_TODAY
    api.world.conn.execute("INSERT OR REPLACE INTO _meta VALUES (?, ?)", (TODAY_META_KEY, "2031-07-04"))
    assert api.create_new_client(name="Later Inc")["created_date"] == "2031-07-04T09:00:00"


@pytest.mark.parametrize("status", ["active", "ACTIVE", "Actived", "InReview", ""])
def test_create_new_client_refuses_an_enum_in_the_wrong_case(api: MockCrmApi, refused, status: str) -> None:
    message = refused(api, "create_new_client", {"name": "Acme", "status": status}, r"Client\.status")
    assert "'Active', 'Prospect', 'Inactive' (case-sensitive)" in message
    assert api.world.count("Client") == 0


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "two words@acme.com", "@acme.com"])
def test_create_new_client_refuses_a_malformed_email(api: MockCrmApi, refused, email: str) -> None:
    refused(api, "create_new_client", {"name": "Acme", "email": email}, re.escape(f"Client.email: {email!r}"))


@pytest.mark.parametrize("email", ["info@acme.com", " info@acme.com", "INFO@ACME.COM ", "\tInfo@Acme.Com"])
def test_duplicate_email_is_caught_whatever_the_spacing_or_case(api: MockCrmApi, refused, email: str) -> None:
    first = api.create_new_client(name="Acme Corp", email="info@acme.com")
    message = refused(api, "create_new_client", {"name": "Acme Corporation", "email": email}, "already used by Client")
    assert first["client_id"] in message and "(Acme Corp)" in message


def test_create_new_client_needs_a_name_and_refuses_unknown_arguments(api: MockCrmApi, refused) -> None:
    refused(api, "create_new_client", {"email": "a@acme.com"}, "create_new_client needs the argument 'name'")
    refused(api, "create_new_client", {"name": "   "}, r"Client\.name")
    refused(api, "create_new_client", {"name": "Acme", "assigned_to": "Bob"}, "has no argument 'assigned_to'")


def test_modify_client_changes_only_the_given_fields(api: MockCrmApi, deal) -> None:
    client_id = deal["client"]["client_id"]
    changed = api.modify_client(client_id, status="Inactive", phone="+1 415 555 0100")
    assert api.world.get("Client", client_id) == changed
    assert (changed["status"], changed["email"], changed["name"]) == ("Inactive", "info@acme.com", "Acme Corp")
    assert api.modify_client(client_id.upper(), email="INFO@acme.com")["email"] == "INFO@acme.com"  # its own email


def test_modify_client_refusals(api: MockCrmApi, deal, refused) -> None:
    client_id = deal["client"]["client_id"]
    refused(api, "modify_client", {"client_id": "acme-1", "status": "Active"}, "client_id must be the id of a Client")
    missing = "00000000-0000-4000-8000-000000000000"
    refused(api, "modify_client", {"client_id": missing, "status": "Active"}, f"No Client with id '{missing}'")
    refused(api, "modify_client", {"client_id": client_id}, "modify_client needs at least one field to change")
    refused(api, "modify_client", {"client_id": client_id, "status": "prospect"}, r"Client\.status: 'prospect'")
    taken = deal["other"]["email"]
    refused(api, "modify_client", {"client_id": client_id, "email": f" {taken.upper()}"}, "already used by Client")
    refused(api, "modify_client", {"client_id": client_id, "created_date": "2020-01-01"}, "no argument 'created_date'")


def test_client_search_is_case_insensitive_sorted_and_bounded(org_api: MockCrmApi, refused) -> None:
    everyone = org_api.client_search(limit=50)
    names = [c["name"] for c in everyone["results"]]
    assert names == sorted(names, key=str.casefold) and everyone["total"] == org_api.world.count("Client")
    acme = org_api.client_search(query="aCmE")
    assert acme["total"] >= 2 and all("acme" in c["name"].lower() for c in acme["results"])
    by_email = org_api.client_search(query=everyone["results"][0]["email"] or everyone["results"][1]["email"])
    assert by_email["total"] == 1
    page = org_api.client_search(limit=3)
    assert (page["returned"], len(page["results"]), page["total"]) == (3, 3, everyone["total"])
    refused(org_api, "client_search", {"limit": 51}, "limit")


def test_client_search_filters(org_api: MockCrmApi, refused) -> None:
    active = org_api.client_search(status="active", limit=50)
    assert active["total"] == len(org_api.world.rows("Client", "status = 'Active'"))
    assert all(c["status"] == "Active" for c in active["results"])
    owner = org_api.world.rows("Client")[0]["owner"]
    assert all(c["owner"] == owner for c in org_api.client_search(owner=owner.upper())["results"])
    refused(org_api, "client_search", {"status": "Actve"}, r"Client\.status filter: 'Actve' is not allowed")
