"""Arc contact tools: create_new_contact, modify_contact, contact_search."""

from __future__ import annotations

from crm_gym import MockCrmApi

MISSING = "00000000-0000-4000-8000-000000000000"


def test_create_new_contact_stores_the_row(api: MockCrmApi, deal) -> None:
    contact = api.create_new_contact(deal["client"]["client_id"], "Ann", "Lee", title="CFO", email="ann@acme.com")
    assert api.world.get("Contact", contact["contact_id"]) == contact
    assert (contact["client_id"], contact["title"]) == (deal["client"]["client_id"], "CFO")


def test_create_new_contact_refusals(api: MockCrmApi, deal, refused) -> None:
    cid = deal["client"]["client_id"]
    person = {"first_name": "Ann", "last_name": "Lee"}
    refused(api, "create_new_contact", {"client_id": MISSING, **person}, "not the id of an existing Client")
    refused(api, "create_new_contact", {"client_id": "acme", **person}, "client_id must be the id of a Client")
    refused(api, "create_new_contact", {"client_id": cid, "first_name": "Ann"}, "needs the argument 'last_name'")
    refused(api, "create_new_contact", {"client_id": cid, **person, "email": "ann@"}, r"Contact\.email: 'ann@'")
    refused(
        api, "create_new_contact", {"client_id": cid, **person, "email": " MARIA@acme.com"}, "already used by Contact"
    )
    refused(api, "create_new_contact", {"client_id": cid, **person, "role": "CFO"}, "no argument 'role'")


def test_modify_contact_moves_and_edits(api: MockCrmApi, deal, refused) -> None:
    contact_id = deal["contact"]["contact_id"]
    changed = api.modify_contact(contact_id, title="COO", client_id=deal["other"]["client_id"])
    assert api.world.get("Contact", contact_id) == changed
    assert (changed["title"], changed["client_id"], changed["last_name"]) == (
        "COO",
        deal["other"]["client_id"],
        "Lopez",
    )
    refused(api, "modify_contact", {"contact_id": contact_id, "client_id": MISSING}, "not the id of an existing Client")
    refused(api, "modify_contact", {"contact_id": MISSING, "title": "CEO"}, "No Contact with id")
    refused(api, "modify_contact", {"contact_id": contact_id, "last_name": ""}, r"Contact\.last_name")
    refused(api, "modify_contact", {"contact_id": contact_id}, "modify_contact needs at least one field")


def test_contact_search_matches_names_and_emails_case_insensitively(org_api: MockCrmApi, refused) -> None:
    contacts = org_api.world.rows("Contact")
    person = contacts[0]
    full = org_api.contact_search(query=f"{person['first_name']} {person['last_name']}".upper(), limit=50)
    assert person["contact_id"] in [c["contact_id"] for c in full["results"]]
    family = org_api.contact_search(query=person["last_name"].lower(), limit=50)
    keys = [(c["last_name"].casefold(), c["first_name"].casefold(), c["contact_id"]) for c in family["results"]]
    assert keys == sorted(keys)
    shared = [c["last_name"] for c in contacts]
    assert max(shared.count(n) for n in shared) >= 2  # the generator plants shared last names
    with_email = next(c for c in contacts if c["email"])
    assert (
        org_api.contact_search(query=with_email["email"].upper())["results"][0]["contact_id"]
        == with_email["contact_id"]
    )
    at_client = org_api.contact_search(client_id=person["client_id"], limit=50)
    assert at_client["total"] == sum(c["client_id"] == person["client_id"] for c in contacts)
    refused(org_api, "contact_search", {"client_id": "nope"}, "client_id must be the id of a Client")
