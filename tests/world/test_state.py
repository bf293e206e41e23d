"""Snapshot, restore, copy, state hash and diff of a `World`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from crm_gym import CrmError, MockCrmApi, World
from crm_gym.world.ddl import SEARCH_TABLE


def _client(name: str = "Acme Corp", **values: object) -> dict[str, object]:
    return {"name": name, "status": "Active", **values}


# -- snapshot / restore / copy ---------------------------------------------------------------------------


def test_restore_returns_the_exact_state_and_change_log(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    client_id = world.rows("Client")[0]["client_id"]
    arc_api.update("Client", client_id, {"status": "Inactive"})
    snap, hash_before, diff_before = world.snapshot(), world.state_hash(), world.diff()

    arc_api.create("Client", _client("Later Ltd"))
    arc_api.delete("Client", client_id)
    assert world.state_hash() != hash_before

    world.restore(snap)
    assert world.state_hash() == hash_before
    assert world.diff() == diff_before
    assert [c.changed_fields for c in world.diff().changed] == [{"status": ("Active", "Inactive")}]


def test_restore_continues_the_id_sequence_of_the_snapshot() -> None:
    world = World.empty("arc")
    snap = world.snapshot()
    first = world.insert("Client", _client())
    world.restore(snap)
    assert world.insert("Client", _client()) == first


def test_restore_keeps_foreign_keys_enforced(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    world.restore(world.snapshot())
    assert world.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        world.conn.execute(
            'INSERT INTO "Contact" (contact_id, first_name, last_name, client_id) VALUES (?, ?, ?, ?)',
            ("c-1", "Ann", "Lee", "no-such-client"),
        )


def test_restore_keeps_triggers_active(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    world.restore(world.snapshot())
    client_id = world.rows("Client")[0]["client_id"]
    with pytest.raises(sqlite3.IntegrityError, match="primary key Client.client_id cannot change"):
        world.conn.execute('UPDATE "Client" SET client_id = ? WHERE client_id = ?', ("new-id", client_id))
    new_id = world.insert("Client", _client("Zephyr Traders"))
    assert [c.record_id for c in world.diff().created] == [new_id]  # change-log triggers
    hits = world.conn.execute(f"SELECT record_id FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH 'zephyr'").fetchall()
    assert hits == [(new_id,)]  # full-text triggers


def test_restore_restores_the_search_index(arc_api: MockCrmApi) -> None:
    world = arc_api.world

    def index() -> list[tuple[str, str, str]]:
        return world.conn.execute(f"SELECT object, record_id, body FROM {SEARCH_TABLE} ORDER BY 1, 2").fetchall()

    snap, before = world.snapshot(), index()
    client_id = world.rows("Client")[0]["client_id"]
    arc_api.update("Client", client_id, {"name": "Renamed Holdings"})
    arc_api.create("Client", _client("Zephyr Traders"))
    assert index() != before
    world.restore(snap)
    assert index() == before
    assert (
        world.conn.execute(f"SELECT count(*) FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH 'zephyr'").fetchone()[0]
        == 0
    )


def test_copy_is_independent(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    twin = world.copy()
    assert twin.state_hash() == world.state_hash()
    twin.insert("Client", _client("Only In Copy"))
    assert twin.state_hash() != world.state_hash()
    assert not world.rows("Client", "name = ?", ["Only In Copy"])
    assert twin.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)


# -- state hash ------------------------------------------------------------------------------------------


def test_state_hash_ignores_insertion_order() -> None:
    rows = [_client(f"Client {i}", client_id=f"id-{i}", email=f"c{i}@x.com") for i in range(5)]
    forward, backward = World.empty("arc"), World.empty("arc")
    forward.insert_many("Client", rows)
    backward.insert_many("Client", list(reversed(rows)))
    assert forward.state_hash() == backward.state_hash()
    backward.update("Client", "id-3", {"industry": "Mining"})
    assert forward.state_hash() != backward.state_hash()


def test_state_hash_sees_every_value_type(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    opp = world.rows("Opportunity")[0]
    company = world.rows("Company")[0]
    seen = {world.state_hash()}
    for obj, record_id, values in [
        ("Opportunity", opp["opportunity_id"], {"amount": opp["amount"] + 0.01}),
        ("Opportunity", opp["opportunity_id"], {"probability": 10}),
        ("Opportunity", opp["opportunity_id"], {"close_date": "2026-01-31"}),
        ("Company", company["company_id"], {"contacts": ["Zoe", "Max"]}),
    ]:
        world.update(obj, record_id, values)
        seen.add(world.state_hash())
    assert len(seen) == 5


def test_state_hash_is_the_same_in_another_process(arc_api: MockCrmApi, tmp_path) -> None:
    path = tmp_path / "org.sqlite"
    path.write_bytes(arc_api.world.snapshot())
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from crm_gym import World
        world = World.empty("arc")
        world.restore(Path({str(path)!r}).read_bytes())
        print(world.state_hash())
        """
    )
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == arc_api.world.state_hash()


# -- diff --------------------------------------------------------------------------------------------------


def test_diff_lists_created_deleted_and_changed_rows_with_fields(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    company = world.rows("Company")[0]
    opp = world.rows("Opportunity")[0]
    new = arc_api.create("Company", {"name": "Partner Co", "type": "Partner"})
    arc_api.update("Opportunity", opp["opportunity_id"], {"stage": "Negotiation", "amount": 1234.5})
    arc_api.delete("Company", company["company_id"])

    diff = world.diff()
    assert [(c.object, c.record_id, c.before) for c in diff.created] == [("Company", new["company_id"], None)]
    assert diff.created[0].after == new
    assert [(c.object, c.record_id, c.after) for c in diff.deleted] == [("Company", company["company_id"], None)]
    assert diff.deleted[0].before == company
    assert [(c.object, c.record_id) for c in diff.changed] == [("Opportunity", opp["opportunity_id"])]
    assert diff.changed[0].changed_fields == {
        "amount": (opp["amount"], 1234.5),
        "stage": ("Proposal", "Negotiation"),
    }


def test_diff_is_empty_after_baseline(arc_api: MockCrmApi) -> None:
    assert arc_api.world.diff().is_empty
    arc_api.create("Client", _client())
    assert not arc_api.world.diff().is_empty
    arc_api.world.mark_baseline()
    assert arc_api.world.diff().is_empty


def test_insert_then_delete_is_no_change(arc_api: MockCrmApi) -> None:
    record = arc_api.create("Client", _client())
    arc_api.delete("Client", record["client_id"])
    assert arc_api.world.diff().is_empty


def test_delete_then_reinsert_is_no_change_or_a_change(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    company = world.rows("Company")[0]
    world.delete("Company", company["company_id"])
    world.insert("Company", company)
    assert world.diff().is_empty
    world.delete("Company", company["company_id"])
    world.insert("Company", {**company, "name": "Rival Group"})
    diff = world.diff()
    assert not diff.created and not diff.deleted
    assert [c.changed_fields for c in diff.changed] == [{"name": ("Rival Inc", "Rival Group")}]


@pytest.mark.parametrize("amount", [0.30000000000000004, 1234567.891, 0.1, 9999999.999999998])
def test_update_then_revert_is_no_change(arc_api: MockCrmApi, amount: float) -> None:
    opp = arc_api.world.rows("Opportunity")[0]
    oid = opp["opportunity_id"]
    arc_api.update("Opportunity", oid, {"amount": amount})
    arc_api.world.mark_baseline()
    arc_api.update("Opportunity", oid, {"amount": 5.0, "stage": "Closed-Won", "notes": "won"})
    assert arc_api.world.diff().changed
    arc_api.update("Opportunity", oid, {"amount": amount, "stage": "Proposal"})
    arc_api.world.update("Opportunity", oid, {"notes": None})
    assert arc_api.world.diff().is_empty


def test_deleting_a_client_cascades_and_lists_every_dependant(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    client_id = world.rows("Client")[0]["client_id"]
    contacts = {r["contact_id"] for r in world.rows("Contact", "client_id = ?", [client_id])}
    opps = {r["opportunity_id"] for r in world.rows("Opportunity", "client_id = ?", [client_id])}
    marks = ", ".join("?" * len(opps))
    quotes = {r["quote_id"] for r in world.rows("Quote", f"opportunity_id IN ({marks})", sorted(opps))}
    contracts = {r["contract_id"] for r in world.rows("Contract", "client_id = ?", [client_id])}
    parents = {client_id} | contacts | opps | quotes | contracts
    notes = {r["note_id"] for r in world.rows("Note") if r["entity_id"] in parents}
    documents = {r["document_id"] for r in world.rows("Document") if r["entity_id"] in parents}
    assert contacts and opps and quotes and contracts and len(notes) == 5 and len(documents) == 3

    arc_api.delete("Client", client_id)

    deleted: dict[str, set[str]] = {}
    for change in world.diff().deleted:
        deleted.setdefault(change.object, set()).add(change.record_id)
        assert change.before is not None and change.after is None
    assert deleted == {
        "Client": {client_id},
        "Contact": contacts,
        "Opportunity": opps,
        "Quote": quotes,
        "Contract": contracts,
        "Note": notes,
        "Document": documents,
    }
    assert not world.diff().created and not world.diff().changed
    assert world.integrity_violations() == []
    assert world.count("Client") == 2


def test_set_null_reference_shows_as_a_change(arc_api: MockCrmApi) -> None:
    world = arc_api.world
    contract = world.rows("Contract")[0]
    world.delete("Opportunity", contract["opportunity_id"])
    changed = {c.record_id: c.changed_fields for c in world.diff().changed}
    assert changed[contract["contract_id"]] == {"opportunity_id": (contract["opportunity_id"], None)}


def test_failed_call_leaves_no_trace_in_the_diff(arc_api: MockCrmApi) -> None:
    hash_before = arc_api.world.state_hash()
    with pytest.raises(CrmError, match=r"Client\.status: 'active' is not allowed"):
        arc_api.create("Client", _client(status="active"))
    assert arc_api.world.diff().is_empty
    assert arc_api.world.state_hash() == hash_before
