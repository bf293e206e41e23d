"""Arc client tools: create, modify and search clients (customer organisations)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from crm_gym.api.registry import FieldRef, tool
from crm_gym.api.tools.arc_common import (
    SearchLimit,
    canonical_enum,
    contains,
    create_record,
    given,
    require_arc_record,
    same_text,
    search_result,
    update_record,
    world_now,
)

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi


@tool(writes=True, group="arc")
def create_new_client(
    api: MockCrmApi,
    name: Annotated[str, FieldRef("Client", "name")],
    email: Annotated[str | None, FieldRef("Client", "email")] = None,
    status: Annotated[str | None, FieldRef("Client", "status")] = None,
    industry: Annotated[str | None, FieldRef("Client", "industry")] = None,
    phone: Annotated[str | None, FieldRef("Client", "phone")] = None,
    address: Annotated[str | None, FieldRef("Client", "address")] = None,
    owner: Annotated[str | None, FieldRef("Client", "owner")] = None,
) -> dict[str, Any]:
    """Create a client (a customer organisation) and return it with its new client_id, a UUID.

    created_date is set to the CRM's current date. The call fails and creates nothing when name is
    missing, status is not exactly one of the allowed values (case-sensitive: "Active", not "active"),
    the email is malformed or already used by another client (ignoring case and spaces), or an argument
    not listed here is given. Search first with client_search: similar names often belong to other clients.

    Args:
        name: The client's company name, e.g. "Acme Corp".
        email: The client's main email, unique among clients, e.g. "info@acme.com".
        status: Relationship status, case-sensitive.
        industry: Industry, e.g. "Manufacturing".
        phone: Phone number, e.g. "+1-415-555-0100".
        address: Postal address.
        owner: Name of the sales rep who owns the client.
    """
    values = given(name=name, email=email, status=status, industry=industry, phone=phone, address=address, owner=owner)
    return create_record(api, "Client", {**values, "created_date": world_now(api.world)})


@tool(writes=True, group="arc", updates=True, arc_positional=("client_id", "updates"))
def modify_client(
    api: MockCrmApi,
    client_id: str,
    name: Annotated[str | None, FieldRef("Client", "name")] = None,
    email: Annotated[str | None, FieldRef("Client", "email")] = None,
    status: Annotated[str | None, FieldRef("Client", "status")] = None,
    industry: Annotated[str | None, FieldRef("Client", "industry")] = None,
    phone: Annotated[str | None, FieldRef("Client", "phone")] = None,
    address: Annotated[str | None, FieldRef("Client", "address")] = None,
    owner: Annotated[str | None, FieldRef("Client", "owner")] = None,
) -> dict[str, Any]:
    """Change some fields of a client and return the updated client; fields not given keep their values.

    Give the new values as arguments or as one updates object ({"status": "Inactive"}). The client_id never
    changes. Fails, changing nothing, when the id is not the UUID of an existing
    client, no field to change is given, a value breaks a rule (case-sensitive status, malformed or
    duplicate email) or an unknown argument is given.

    Args:
        client_id: The client's UUID, e.g. "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"; find it with client_search.
        name: New company name.
        email: New email, unique among clients.
        status: New status, case-sensitive.
        industry: New industry.
        phone: New phone number.
        address: New postal address.
        owner: New owning sales rep.
    """
    current = require_arc_record(api, "Client", client_id, "client_id")
    changes = given(name=name, email=email, status=status, industry=industry, phone=phone, address=address, owner=owner)
    return update_record(api, "modify_client", current, "Client", changes)


@tool(writes=False, group="arc", profiles=("default",))  # arc_compat has Arc's field search (arc_compat.py)
def client_search(
    api: MockCrmApi,
    query: str | None = None,
    status: Annotated[str | None, FieldRef("Client", "status")] = None,
    industry: str | None = None,
    owner: str | None = None,
    limit: SearchLimit = 20,
) -> dict[str, Any]:
    """Find clients by name or email and filters; returns {"total", "returned", "results"} sorted by name.

    Matching ignores case: query is a substring of the name or email ("acme" finds "ACME Holdings" and
    "Acme Corp"), industry a substring of the industry, owner the exact owner name. Several clients
    often have similar names: check the email, industry or address before acting on one.

    Args:
        query: Text to look for in the client's name or email.
        status: Only clients with this status (any case).
        industry: Only clients whose industry contains this text.
        owner: Only clients owned by this sales rep.
        limit: At most this many results (1-50).
    """
    wanted = canonical_enum(api, "Client", "status", status)
    matches = [
        c
        for c in api.world.rows("Client")
        if contains((c["name"], c["email"]), query)
        and (wanted is None or c["status"] == wanted)
        and contains((c["industry"],), industry)
        and same_text(c["owner"], owner)
    ]
    matches.sort(key=lambda c: (c["name"].casefold(), c["client_id"]))
    return search_result(matches, limit)
