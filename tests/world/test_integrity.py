"""Integrity rules of an Arc org, held by the database itself (raw SQL) and surfaced by the generic tools."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest

from crm_gym import CrmError, MockCrmApi, World


def _first(world: World, obj: str) -> dict[str, Any]:
    return world.rows(obj)[0]


def _raw_update(world: World, obj: str, field: str, value: Any, record_id: str | None = None) -> None:
    pk = world.schema.objects[obj].primary_key
    record_id = record_id or _first(world, obj)[pk]
    world.conn.execute(f'UPDATE "{obj}" SET "{field}" = ? WHERE "{pk}" = ?', (value, record_id))


def _raw_insert(world: World, obj: str, values: dict[str, Any]) -> None:
    cols = ", ".join(f'"{c}"' for c in values)
    world.conn.execute(f'INSERT INTO "{obj}" ({cols}) VALUES ({", ".join("?" * len(values))})', list(values.values()))


# -- unique email, whatever the spacing or case -----------------------------------------------------------


@pytest.mark.parametrize("email", ["owner0@client0.com", " OWNER0@Client0.COM ", "Owner0@client0.com\t"])
def test_duplicate_client_email_is_caught_through_the_tool(arc_api: MockCrmApi, email: str) -> None:
    before = arc_api.world.state_hash()
    with pytest.raises(CrmError, match=re.escape("Client.email must be unique")):
        arc_api.create("Client", {"name": "Copycat", "email": email})
    assert arc_api.world.state_hash() == before
    assert arc_api.create("Client", {"name": "Fresh", "email": " New@Client9.com "})["email"] == "New@Client9.com"


def test_duplicate_email_is_caught_on_update_and_for_contacts(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    second = world.rows("Client", "email = ?", ["owner1@client1.com"])[0]["client_id"]
    with pytest.raises(CrmError, match=re.escape("Client.email must be unique")):
        arc_api.update("Client", second, {"email": "OWNER0@CLIENT0.COM"})
    client_id = _first(world, "Client")["client_id"]
    with pytest.raises(CrmError, match=re.escape("Contact.email must be unique")):
        arc_api.create(
            "Contact", {"first_name": "A", "last_name": "B", "client_id": client_id, "email": "ANN0@client0.com"}
        )
    arc_api.update("Client", second, {"email": "owner1@client1.org"})


def test_duplicate_or_padded_email_is_refused_by_raw_sql(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE constraint failed: Client.email"):
        _raw_insert(world, "Client", {"client_id": "c-x", "name": "Copycat", "email": "OWNER0@CLIENT0.COM"})
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        _raw_insert(world, "Client", {"client_id": "c-x", "name": "Copycat", "email": " owner0@client0.com "})
    _raw_insert(world, "Client", {"client_id": "c-x", "name": "Copycat", "email": "other@client0.com"})


# -- primary keys never change ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "obj", ["Client", "Contact", "Opportunity", "Quote", "Contract", "Company", "Document", "Note"]
)
def test_primary_key_cannot_change_even_by_raw_sql(arc_api: MockCrmApi, obj: str) -> None:
    world = arc_api.world
    pk = world.schema.objects[obj].primary_key
    record_id = _first(world, obj)[pk]
    with pytest.raises(sqlite3.IntegrityError, match=re.escape(f"primary key {obj}.{pk} cannot change")):
        _raw_update(world, obj, pk, "brand-new-id", record_id)
    _raw_update(world, obj, pk, record_id, record_id)  # setting the same value is not a change
    assert world.exists(obj, record_id)


def test_primary_key_cannot_change_through_the_tool(arc_api: MockCrmApi) -> None:
    client_id = _first(arc_api.world, "Client")["client_id"]
    with pytest.raises(CrmError, match=re.escape("Client.client_id is the primary key")):
        arc_api.update("Client", client_id, {"client_id": "brand-new-id"})
    with pytest.raises(CrmError, match=re.escape("Client.client_id is the primary key")):
        arc_api.create("Client", {"client_id": "chosen-id", "name": "Acme"})
    assert arc_api.world.exists("Client", client_id)


# -- references never dangle --------------------------------------------------------------------------------


def test_raw_insert_with_a_missing_reference_fails(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    contact = {"contact_id": "k-1", "first_name": "Ann", "last_name": "Lee", "client_id": "no-such-client"}
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        _raw_insert(world, "Contact", contact)
    _raw_insert(world, "Contact", {**contact, "client_id": _first(world, "Client")["client_id"]})
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        _raw_update(world, "Quote", "opportunity_id", "no-such-opportunity")
    assert world.integrity_violations() == []


def test_missing_reference_is_named_by_the_tools(arc_api: MockCrmApi) -> None:
    before = arc_api.world.state_hash()
    with pytest.raises(CrmError, match=re.escape("Contact.client_id: 'nope' is not the id of an existing Client")):
        arc_api.create("Contact", {"first_name": "A", "last_name": "B", "client_id": "nope"})
    opp_id = _first(arc_api.world, "Opportunity")["opportunity_id"]
    with pytest.raises(CrmError, match=re.escape("Opportunity.client_id: 'nope' is not the id of an existing Client")):
        arc_api.update("Opportunity", opp_id, {"client_id": "nope"})
    assert arc_api.world.state_hash() == before


def test_raw_delete_of_a_parent_cascades_or_nulls(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    contract = _first(world, "Contract")
    world.conn.execute('DELETE FROM "Opportunity" WHERE opportunity_id = ?', (contract["opportunity_id"],))
    assert world.get("Contract", contract["contract_id"])["opportunity_id"] is None
    assert not world.rows("Quote", "opportunity_id = ?", [contract["opportunity_id"]])
    world.conn.execute('DELETE FROM "Client" WHERE client_id = ?', (contract["client_id"],))
    assert not world.exists("Contract", contract["contract_id"])
    assert world.integrity_violations() == []


# -- polymorphic references (Note, Document) ---------------------------------------------------------------


def test_polymorphic_reference_must_match_its_type(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    opp_id = _first(world, "Opportunity")["opportunity_id"]
    note = {"note_id": "n-x", "content": "hi", "entity_id": opp_id}
    with pytest.raises(sqlite3.IntegrityError, match=re.escape("Note.entity_id must be")):
        _raw_insert(world, "Note", {**note, "entity_type": "Client"})
    with pytest.raises(sqlite3.IntegrityError, match=re.escape("Document.entity_id must be")):
        _raw_insert(world, "Document", {"document_id": "d-x", "entity_type": "Quote", "entity_id": "nowhere"})
    with pytest.raises(sqlite3.IntegrityError, match=re.escape("Document.entity_id must be")):
        _raw_insert(world, "Document", {"document_id": "d-x", "entity_type": "Company", "entity_id": opp_id})
    _raw_insert(world, "Note", {**note, "entity_type": "Opportunity"})
    with pytest.raises(sqlite3.IntegrityError, match=re.escape("Note.entity_id must be")):
        _raw_update(world, "Note", "entity_type", "Contract", "n-x")


def test_polymorphic_reference_is_checked_by_the_tools(arc_api: MockCrmApi) -> None:
    opp_id = _first(arc_api.world, "Opportunity")["opportunity_id"]
    with pytest.raises(CrmError, match=re.escape(f"Note.entity_id: {opp_id!r} is not the id of an existing Client")):
        arc_api.create("Note", {"entity_type": "Client", "entity_id": opp_id, "content": "hi"})
    with pytest.raises(CrmError, match=re.escape("Note.entity_type: 'Company' is not allowed")):
        arc_api.create("Note", {"entity_type": "Company", "entity_id": opp_id, "content": "hi"})
    note = arc_api.create("Note", {"entity_type": "Opportunity", "entity_id": opp_id, "content": "hi"})
    with pytest.raises(CrmError, match=re.escape("is not the id of an existing Quote")):
        arc_api.update("Note", note["note_id"], {"entity_type": "Quote"})


@pytest.mark.parametrize("parent", ["Client", "Contact", "Opportunity", "Quote", "Contract"])
def test_deleting_a_parent_cascades_its_notes_and_documents(arc_api: MockCrmApi, parent: str) -> None:
    world = arc_api.world
    pk = world.schema.objects[parent].primary_key
    parent_id = world.rows("Note", "entity_type = ?", [parent])[0]["entity_id"]
    assert world.exists(parent, parent_id)
    world.conn.execute(f'DELETE FROM "{parent}" WHERE "{pk}" = ?', (parent_id,))
    for obj in ("Note", "Document"):
        assert not world.rows(obj, "entity_id = ?", [parent_id])
    assert world.rows("Note"), "notes on other records are kept"


# -- CHECK constraints hold against raw SQL ----------------------------------------------------------------

CHECKS = [
    # object, field, allowed value, refused value
    ("Client", "status", "Prospect", "active"),
    ("Client", "name", "A", "   "),
    ("Client", "name", "A", b"blob"),
    ("Client", "name", "x" * 255, "x" * 256),
    ("Client", "created_date", "2026-01-31T09:30:00", "2026-01-31 25:00:00"),
    ("Client", "created_date", "2026-01-31T23:30:00-02:00", "2026-01-31T23:30:00+0200"),
    ("Client", "email", "a.b@c.io", "not-an-email"),
    ("Client", "email", "a.b@c.io", "a b@c.io"),
    ("Opportunity", "stage", "Closed-Won", "Won"),
    ("Opportunity", "probability", 1, 0),
    ("Opportunity", "probability", 99, 100),
    ("Opportunity", "probability", 50, 50.5),
    ("Opportunity", "amount", 0.01, 0),
    ("Opportunity", "amount", 10_000_000, 10_000_000.01),
    ("Opportunity", "amount", 12.5, "a lot"),
    ("Opportunity", "close_date", "2024-02-29", "2026-02-30"),
    ("Opportunity", "close_date", "2026-02-28", "28/02/2026"),
    ("Opportunity", "close_date", "2026-02-28", "2460000.5"),
    ("Quote", "status", "Canceled", "Cancelled"),
    ("Quote", "version", 1, 0),
    ("Quote", "amount", 0.01, 0),
    ("Quote", "amount", 10_000_000, 10_000_000.01),
    ("Contract", "value", 0, -0.5),
    ("Company", "type", "Vendor", "Supplier"),
    ("Company", "contacts", '["Zoe"]', '{"a": 1}'),
    ("Company", "contacts", "[]", "not json"),
    ("Note", "content", "ok", ""),
    ("Client", "created_date", "2024-02-29T23:59:59", "2026-02-30T10:00:00"),
]


@pytest.mark.parametrize(("obj", "field", "good", "bad"), CHECKS, ids=lambda v: str(v)[:20])
def test_check_constraints_hold_against_raw_sql(arc_api: MockCrmApi, obj: str, field: str, good: Any, bad: Any) -> None:
    world = arc_api.world
    before = world.state_hash()
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        _raw_update(world, obj, field, bad)
    assert world.state_hash() == before
    _raw_update(world, obj, field, good)


# JSON arguments carry no bytes, and the list field takes a list, not its stored JSON text.
TOOL_CHECKS = [c for c in CHECKS if not isinstance(c[3], bytes) and c[1] != "contacts"]


@pytest.mark.parametrize(("obj", "field", "good", "bad"), TOOL_CHECKS, ids=str)
def test_tools_refuse_what_the_checks_refuse(arc_api: MockCrmApi, obj: str, field: str, good: Any, bad: Any) -> None:
    pk = arc_api.schema.objects[obj].primary_key
    record_id = _first(arc_api.world, obj)[pk]
    before = arc_api.world.state_hash()
    with pytest.raises(CrmError, match=re.escape(f"{obj}.{field}")):
        arc_api.update(obj, record_id, {field: bad})
    assert arc_api.world.state_hash() == before
    assert arc_api.update(obj, record_id, {field: good})[field] == good
