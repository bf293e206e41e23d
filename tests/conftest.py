"""Shared fixtures: a small Arc org built through the generic tools, with one record of every kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crm_gym import MockCrmApi, World


def populate_arc(api: MockCrmApi, clients: int = 3) -> None:
    """Create a small, fully linked Arc org through ``api.create``.

    Every client has two contacts, two opportunities (each with a quote), a contract, and notes and
    documents on each kind of record they may be attached to, so cascades and polymorphic references
    have something to act on. The baseline is marked afterwards.
    """

    def create(obj: str, values: dict[str, Any]) -> str:
        return api.create(obj, values)[api.schema.objects[obj].primary_key]

    for c in range(clients):
        client = create(
            "Client",
            {"name": f"Client {c}", "status": "Active", "email": f"owner{c}@client{c}.com", "industry": "Retail"},
        )
        contact = create(
            "Contact",
            {"first_name": "Ann", "last_name": f"Lee{c}", "client_id": client, "email": f"ann{c}@client{c}.com"},
        )
        create("Contact", {"first_name": "Bob", "last_name": f"Ray{c}", "client_id": client})
        for o in range(2):
            opp = create(
                "Opportunity",
                {"name": f"Deal {c}-{o}", "client_id": client, "stage": "Proposal", "amount": 1000.5 * (o + 1)},
            )
            quote = create("Quote", {"opportunity_id": opp, "version": 1, "amount": 900.0, "status": "Draft"})
        contract = create("Contract", {"client_id": client, "opportunity_id": opp, "status": "Active", "value": 5.0})
        for entity_type, entity_id in (
            ("Client", client),
            ("Contact", contact),
            ("Opportunity", opp),
            ("Quote", quote),
            ("Contract", contract),
        ):
            create("Note", {"entity_type": entity_type, "entity_id": entity_id, "content": f"Note on {entity_type}"})
        for entity_type, entity_id in (("Client", client), ("Opportunity", opp), ("Quote", quote)):
            create("Document", {"entity_type": entity_type, "entity_id": entity_id, "file_name": "offer.pdf"})
    create("Company", {"name": "Rival Inc", "type": "Competitor", "contacts": ["Zoe"]})
    api.world.mark_baseline()


@pytest.fixture(scope="session")
def arc_snapshot() -> bytes:
    """The bytes of a populated Arc org (see `populate_arc`), built once per test session."""
    api = MockCrmApi()
    populate_arc(api)
    return api.world.snapshot()


@pytest.fixture(scope="session")
def make_arc_api(arc_snapshot: bytes) -> Callable[[], MockCrmApi]:
    """A factory of fresh APIs, each over its own copy of the populated Arc org (for hypothesis tests)."""

    def make() -> MockCrmApi:
        world = World.empty("arc")
        world.restore(arc_snapshot)
        return MockCrmApi(world)

    return make


@pytest.fixture
def arc_api(make_arc_api: Callable[[], MockCrmApi]) -> MockCrmApi:
    """An API over a fresh copy of the populated Arc org."""
    return make_arc_api()
