"""Arc contact tools: create, modify and search the people who work at clients."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from crm_gym.api.registry import FieldRef, tool
from crm_gym.api.tools.arc_common import (
    SearchLimit,
    arc_id,
    contains,
    create_record,
    given,
    require_arc_record,
    search_result,
    update_record,
)

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi


@tool(writes=True, group="arc", arc_positional=("first_name", "last_name", "client_id"))
def create_new_contact(
    api: MockCrmApi,
    client_id: Annotated[str, FieldRef("Contact", "client_id")],
    first_name: Annotated[str, FieldRef("Contact", "first_name")],
    last_name: Annotated[str, FieldRef("Contact", "last_name")],
    title: Annotated[str | None, FieldRef("Contact", "title")] = None,
    email: Annotated[str | None, FieldRef("Contact", "email")] = None,
    phone: Annotated[str | None, FieldRef("Contact", "phone")] = None,
    notes: Annotated[str | None, FieldRef("Contact", "notes")] = None,
) -> dict[str, Any]:
    """Create a contact (a person at a client) and return it with its new contact_id, a UUID.

    Fails and creates nothing when client_id is not the UUID of an existing client (find it with
    client_search), first or last name is missing, the email is malformed or already used by another
    contact (ignoring case and spaces), or an argument not listed here is given.

    Args:
        client_id: UUID of the client the person works at.
        first_name: Given name, e.g. "Maria".
        last_name: Family name, e.g. "Lopez".
        title: Job title, e.g. "VP Procurement".
        email: Work email, unique among contacts.
        phone: Phone number.
        notes: Free-text notes about the person.
    """
    values = given(first_name=first_name, last_name=last_name, title=title, email=email, phone=phone, notes=notes)
    return create_record(api, "Contact", {**values, "client_id": arc_id(client_id, "Client", "client_id")})


@tool(writes=True, group="arc", updates=True, arc_positional=("contact_id", "updates"))
def modify_contact(
    api: MockCrmApi,
    contact_id: str,
    first_name: Annotated[str | None, FieldRef("Contact", "first_name")] = None,
    last_name: Annotated[str | None, FieldRef("Contact", "last_name")] = None,
    title: Annotated[str | None, FieldRef("Contact", "title")] = None,
    email: Annotated[str | None, FieldRef("Contact", "email")] = None,
    phone: Annotated[str | None, FieldRef("Contact", "phone")] = None,
    notes: Annotated[str | None, FieldRef("Contact", "notes")] = None,
    client_id: Annotated[str | None, FieldRef("Contact", "client_id")] = None,
) -> dict[str, Any]:
    """Change some fields of a contact and return the updated contact; fields not given keep their values.

    Give the new values as arguments or as one updates object ({"title": "CFO"}). The contact_id never
    changes. Fails, changing nothing, when contact_id (or a new client_id) is not the UUID of an existing
    record, no field to change is given, the email is malformed or taken, or an unknown argument is given.

    Args:
        contact_id: The contact's UUID; find it with contact_search.
        first_name: New given name.
        last_name: New family name.
        title: New job title.
        email: New work email, unique among contacts.
        phone: New phone number.
        notes: New notes (replaces the old text).
        client_id: UUID of the client the person now works at.
    """
    current = require_arc_record(api, "Contact", contact_id, "contact_id")
    changes = given(first_name=first_name, last_name=last_name, title=title, email=email, phone=phone, notes=notes)
    if client_id is not None:
        changes["client_id"] = arc_id(client_id, "Client", "client_id")
    return update_record(api, "modify_contact", current, "Contact", changes)


@tool(writes=False, group="arc", profiles=("default",))  # arc_compat has Arc's field search (arc_compat.py)
def contact_search(
    api: MockCrmApi,
    query: str | None = None,
    client_id: str | None = None,
    title: str | None = None,
    limit: SearchLimit = 20,
) -> dict[str, Any]:
    """Find contacts by name or email; returns {"total", "returned", "results"} sorted by last then first name.

    Matching ignores case: query is a substring of the first name, last name, full name ("maria lopez")
    or email; title a substring of the job title. Many contacts share a last name: narrow by client_id.

    Args:
        query: Text to look for in the name or email.
        client_id: Only contacts of this client (its UUID).
        title: Only contacts whose title contains this text.
        limit: At most this many results (1-50).
    """
    where, params = ("client_id = ?", (arc_id(client_id, "Client", "client_id"),)) if client_id else ("", ())
    matches = [
        c
        for c in api.world.rows("Contact", where, params)
        if contains((c["first_name"], c["last_name"], f"{c['first_name']} {c['last_name']}", c["email"]), query)
        and contains((c["title"],), title)
    ]
    matches.sort(key=lambda c: (c["last_name"].casefold(), c["first_name"].casefold(), c["contact_id"]))
    return search_result(matches, limit)
