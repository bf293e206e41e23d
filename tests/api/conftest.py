"""Fixtures of the API tests: an empty Arc org, a hand-made deal, a small generated org, a Salesforce-style org."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from crm_gym import CrmError, MockCrmApi
from crm_gym.world.generate.arc import generate_arc
from crm_gym.world.schema import Schema
from crm_gym.world.world import World

Refused = Callable[..., str]


@pytest.fixture
def api() -> MockCrmApi:
    """An API over an empty Arc org (no ``today`` in ``_meta``: the tools use the default date)."""
    return MockCrmApi()


@pytest.fixture
def deal(api: MockCrmApi) -> dict[str, Any]:
    """One client with a contact and an open opportunity with one Draft quote, made through the Arc tools."""
    client = api.create_new_client(name="Acme Corp", email="info@acme.com", status="Active", owner="Dana Reyes")
    other = api.create_new_client(name="Acme Corporation", email="hello@acmecorporation.com", status="Prospect")
    contact = api.create_new_contact(client["client_id"], "Maria", "Lopez", email="maria@acme.com")
    opportunity = api.create_new_opportunity(
        client["client_id"], "Acme Corp - Cloud Migration", stage="Proposal", amount=50_000, probability=40
    )
    quote = api.create_quote(opportunity["opportunity_id"], 48_000)
    api.world.mark_baseline()
    return {"client": client, "other": other, "contact": contact, "opportunity": opportunity, "quote": quote}


@pytest.fixture(scope="session")
def _small_org() -> World:
    return generate_arc(seed=11, factor=0.02)


@pytest.fixture
def org_api(_small_org: World) -> MockCrmApi:
    """An API over a private copy of a small generated Arc org (factor 0.02)."""
    return MockCrmApi(_small_org.copy())


@pytest.fixture
def refused() -> Refused:
    """``refused(api, tool, args, match)``: the call raises `CrmError` matching ``match`` and changes nothing."""

    def check(api: MockCrmApi, tool: str, args: Mapping[str, Any], match: str) -> str:
        before = api.world.state_hash()
        with pytest.raises(CrmError, match=match) as info:
            api.call(tool, args)
        assert api.world.state_hash() == before
        assert api.world.integrity_violations() == []
        return str(info.value)

    return check


# -- a small Salesforce-style org for the query and search tests ---------------------------------------------

SF_TODAY = "2024-03-15"


def _sf_schema() -> Schema:
    ref = {"type": "reference", "on_delete": "set_null"}
    return Schema.model_validate(
        {
            "profile": "sf_mini",
            "id_style": "salesforce",
            "objects": {
                "User": {
                    "primary_key": "Id",
                    "id_prefix": "005",
                    "search_fields": ["Name", "Email"],
                    "fields": {
                        "Id": {"type": "id"},
                        "Name": {"type": "string", "required": True},
                        "Email": {"type": "email"},
                    },
                },
                "Account": {
                    "primary_key": "Id",
                    "id_prefix": "001",
                    "search_fields": ["Name", "Industry", "Description"],
                    "fields": {
                        "Id": {"type": "id"},
                        "Name": {"type": "string", "required": True},
                        "Industry": {"type": "string"},
                        "Description": {"type": "text"},
                        "OwnerId": {**ref, "to": "User"},
                        "CreatedDate": {"type": "datetime"},
                    },
                },
                "Contact": {
                    "primary_key": "Id",
                    "id_prefix": "003",
                    "search_fields": ["FirstName", "LastName", "Email"],
                    "fields": {
                        "Id": {"type": "id"},
                        "FirstName": {"type": "string"},
                        "LastName": {"type": "string", "required": True},
                        "Email": {"type": "email"},
                        "AccountId": {**ref, "to": "Account"},
                    },
                },
                "Opportunity": {
                    "primary_key": "Id",
                    "id_prefix": "006",
                    "search_fields": ["Name"],
                    "fields": {
                        "Id": {"type": "id"},
                        "Name": {"type": "string", "required": True},
                        "AccountId": {**ref, "to": "Account"},
                        "OwnerId": {**ref, "to": "User"},
                        "StageName": {"type": "enum", "values": ["Prospecting", "Negotiation", "Closed Won"]},
                        "Amount": {"type": "number"},
                        "CloseDate": {"type": "date"},
                    },
                },
                "Product2": {
                    "primary_key": "Id",
                    "id_prefix": "01t",
                    "search_fields": ["Name"],
                    "fields": {"Id": {"type": "id"}, "Name": {"type": "string", "required": True}},
                },
                "OrderItem": {
                    "primary_key": "Id",
                    "id_prefix": "802",
                    "fields": {"Id": {"type": "id"}, "Product2Id": {**ref, "to": "Product2"}},
                },
                "Case": {
                    "primary_key": "Id",
                    "id_prefix": "500",
                    "search_fields": ["Subject", "Description"],
                    "fields": {
                        "Id": {"type": "id"},
                        "Subject": {"type": "string", "required": True},
                        "Description": {"type": "text"},
                        "Status": {"type": "enum", "values": ["New", "Closed"]},
                        "AccountId": {**ref, "to": "Account"},
                        "ContactId": {**ref, "to": "Contact"},
                        "OrderItemId__c": {**ref, "to": "OrderItem"},
                        "CreatedDate": {"type": "datetime"},
                    },
                },
                "Task": {
                    "primary_key": "Id",
                    "id_prefix": "00T",
                    "fields": {
                        "Id": {"type": "id"},
                        "Subject": {"type": "string", "required": True},
                        "WhatId": {"type": "polymorphic_reference", "targets": ["Account", "Opportunity"]},
                    },
                },
            },
        }
    )


def _sf_world() -> World:
    world = World.empty(_sf_schema(), seed=3)
    world.conn.execute("INSERT INTO _meta VALUES ('today', ?)", (SF_TODAY,))
    ada = world.insert("User", {"Name": "Ada Park", "Email": "ada@example.com"})
    ben = world.insert("User", {"Name": "Ben Ortiz", "Email": "ben@example.com"})
    accounts = [
        world.insert(
            "Account",
            {"Name": name, "Industry": industry, "OwnerId": owner, "CreatedDate": created, "Description": description},
        )
        for name, industry, owner, created, description in [
            ("Acme Corp", "Manufacturing", ada, "2024-03-15T09:30:00", "Acme makes anvils; acme anvils ship fast"),
            ("Globex", "Energy", ben, "2024-03-14T18:00:00", "Energy trading"),
            ("Initech", None, None, "2023-12-31T23:59:59", "Software and staplers"),
        ]
    ]
    for first, last, email, account in [
        ("Maria", "Lopez", "maria@acme.com", accounts[0]),
        ("John", "Acme", "john@acme.com", accounts[0]),
        ("Lee", "Chan", "lee@globex.com", accounts[1]),
        (None, "Nobody", None, None),
    ]:
        world.insert("Contact", {"FirstName": first, "LastName": last, "Email": email, "AccountId": account})
    for name, account, owner, stage, amount, close in [
        ("Acme Anvils", accounts[0], ada, "Prospecting", 1000.0, "2024-03-15"),
        ("Acme Rockets", accounts[0], ben, "Closed Won", 25000.0, "2024-03-14"),
        ("Globex Grid", accounts[1], ben, "Negotiation", 7000.5, "2024-02-20"),
        ("Globex Solar", accounts[1], ada, "Closed Won", 300.0, "2024-01-05"),
        ("Initech Upgrade", accounts[2], None, "Prospecting", None, "2024-04-02"),
        ("Initech Renewal", accounts[2], ben, "Negotiation", 4200.0, "2023-12-01"),
    ]:
        world.insert(
            "Opportunity",
            {
                "Name": name,
                "AccountId": account,
                "OwnerId": owner,
                "StageName": stage,
                "Amount": amount,
                "CloseDate": close,
            },
        )
    anvil = world.insert("Product2", {"Name": "Anvil Pro"})
    item = world.insert("OrderItem", {"Product2Id": anvil})
    world.insert(
        "Case",
        {
            "Subject": "Broken anvil",
            "Description": "The anvil cracked",
            "Status": "New",
            "AccountId": accounts[0],
            "OrderItemId__c": item,
            "CreatedDate": "2024-03-15T08:00:00",
        },
    )
    world.insert(
        "Case",
        {
            "Subject": "Late delivery",
            "Status": "Closed",
            "AccountId": accounts[1],
            "CreatedDate": "2024-03-01T12:00:00",
        },
    )
    world.insert("Task", {"Subject": "Call Acme", "WhatId": accounts[0]})
    world.mark_baseline()
    return world


@pytest.fixture(scope="session")
def _sf_org() -> World:
    return _sf_world()


@pytest.fixture
def sf_api(_sf_org: World) -> MockCrmApi:
    """An API over a private copy of a small Salesforce-style org whose today is ``SF_TODAY`` (2024-03-15)."""
    return MockCrmApi(_sf_org.copy())
