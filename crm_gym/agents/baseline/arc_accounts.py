"""Arc plans for clients, contacts and companies: create, modify and search them."""

from __future__ import annotations

import re

from crm_gym.agents.baseline.arc_deals import NAME, client_of_request
from crm_gym.agents.baseline.arc_steps import (
    Step,
    allowed_values,
    call,
    decline,
    field,
    find_client,
    id_list,
    not_found,
    record_id,
    write,
)
from crm_gym.agents.baseline.arc_text import emails, picklist_value, same_name, without_quoted
from crm_gym.agents.baseline.plan import Plan, PlanContext

_NEW_CLIENT = re.compile(rf"\bclient,? (?P<name>{NAME})")
_INDUSTRY = re.compile(r"\bin (?P<industry>[a-z][a-z &-]*?)(?=[,.;]|$)")
_NEW_CONTACT = re.compile(
    rf"\bAdd (?P<first>[A-Z][\w'-]+) (?P<last>[A-Z][\w'-]+), (?P<title>[^,]+?) at (?P<client>{NAME})"
)
_PERSON_AT = re.compile(rf"\b(?P<first>[A-Z][\w'-]+) (?P<last>[A-Z][\w'-]+) at (?P<client>{NAME})")
_NEW_TITLE = re.compile(r"\b(?:promoted to|new title is|title to) (?P<title>[^.,;]+)")
_LEADING_NAME = re.compile(rf"(?P<name>{NAME})")
_GROUP = re.compile(r"\bthe (?P<word>[A-Z][\w-]*) (?:companies|clients|accounts)\b")


def create_client(ctx: PlanContext) -> Plan:
    """Create a client with the status, industry and email given, unless a client of that name already exists."""
    rest = without_quoted(ctx.prompt)
    found = _NEW_CLIENT.search(rest)
    if found is None:
        yield decline("create the client", "the request does not give the client's name.")
        return
    name = found["name"]
    existing = yield from find_client(ctx, name)
    if existing is not None:
        reason = f"{name} already exists (client {record_id(ctx, existing, 'Client')})."
        yield decline("create that client", reason)
        return
    industry = _INDUSTRY.search(rest)
    mail = emails(rest)
    reply = yield from write(
        ctx,
        "create_new_client",
        name=name,
        status=picklist_value(rest, allowed_values(ctx, "create_new_client", "status")),
        industry=industry["industry"].strip().title() if industry else None,
        email=mail[0] if mail else None,
    )
    if reply.error:
        yield decline("create the client", reply.error)
        return
    yield {"answer": f"Created the client {name}."}


def modify_client(ctx: PlanContext) -> Plan:
    """Find the client exactly, then set the status the request names."""
    found = _LEADING_NAME.search(without_quoted(ctx.prompt))
    client = (yield from find_client(ctx, found["name"])) if found else None
    if client is None:
        yield decline("update the client", not_found("client", found["name"] if found else "you mention"))
        return
    status = picklist_value(ctx.prompt, allowed_values(ctx, "modify_client", "status"))
    reply = yield from write(ctx, "modify_client", client_id=record_id(ctx, client, "Client"), status=status)
    if reply.error:
        yield decline("update the client", reply.error)
        return
    yield {"answer": f"{found['name']} is now {status}."}


def create_contact(ctx: PlanContext) -> Plan:
    """Find the client exactly, then add the person as its contact."""
    found = _NEW_CONTACT.search(ctx.prompt)
    if found is None:
        yield decline("add the contact", "the request does not give the person's name, title and client.")
        return
    client = yield from find_client(ctx, found["client"])
    if client is None:
        yield decline("add the contact", not_found("client", found["client"]))
        return
    mail = emails(ctx.prompt)
    reply = yield from write(
        ctx,
        "create_new_contact",
        client_id=record_id(ctx, client, "Client"),
        first_name=found["first"],
        last_name=found["last"],
        title=found["title"].strip(),
        email=mail[0] if mail else None,
    )
    if reply.error:
        yield decline("add the contact", reply.error)
        return
    yield {"answer": f"Added {found['first']} {found['last']} as a contact at {found['client']}."}


def _person(ctx: PlanContext, first: str, last: str, client_name: str) -> Step:
    """The contact ``first last`` at the client named exactly ``client_name``, or None."""
    client = yield from find_client(ctx, client_name)
    if client is None:
        return None
    reply = yield from call(ctx, "contact_search", query=last, client_id=record_id(ctx, client, "Client"))
    return next(
        (
            c
            for c in reply.results
            if same_name(field(ctx, c, "Contact", "first_name"), first)
            and same_name(field(ctx, c, "Contact", "last_name"), last)
        ),
        None,
    )


def modify_contact(ctx: PlanContext) -> Plan:
    """Find the contact at its client, then set the new title."""
    who, title = _PERSON_AT.search(ctx.prompt), _NEW_TITLE.search(ctx.prompt)
    if who is None or title is None:
        yield decline("update the contact", "the request does not give the person, their client and the change.")
        return
    contact = yield from _person(ctx, who["first"], who["last"], who["client"])
    if contact is None:
        yield decline("update the contact", not_found("contact", f"{who['first']} {who['last']}"))
        return
    reply = yield from write(
        ctx, "modify_contact", contact_id=record_id(ctx, contact, "Contact"), title=title["title"].strip()
    )
    if reply.error:
        yield decline("update the contact", reply.error)
        return
    yield {"answer": f"{who['first']} {who['last']}'s title is now {title['title'].strip()}."}


def search_contacts(ctx: PlanContext) -> Plan:
    """List one named person at a client, or all of the client's contacts."""
    person = _PERSON_AT.search(ctx.prompt)
    if person and "contacts at" not in ctx.prompt.lower():
        contact = yield from _person(ctx, person["first"], person["last"], person["client"])
        yield id_list(ctx, [contact] if contact else [], "Contact", label="last_name")
        return
    who = client_of_request(ctx.prompt)
    client = (yield from find_client(ctx, who)) if who else None
    if client is None:
        yield {"answer": f"I found no client named exactly {who}."}
        return
    reply = yield from call(ctx, "contact_search", client_id=record_id(ctx, client, "Client"), limit=50)
    yield id_list(ctx, reply.results, "Contact", label="last_name")


def search_clients(ctx: PlanContext) -> Plan:
    """Find clients by email, or a group of look-alike clients filtered by status."""
    mail = emails(ctx.prompt)
    if mail:
        reply = yield from call(ctx, "client_search", query=mail[0])
        yield id_list(ctx, [c for c in reply.results if same_name(field(ctx, c, "Client", "email"), mail[0])], "Client")
        return
    group = _GROUP.search(ctx.prompt)
    status = picklist_value(ctx.prompt, allowed_values(ctx, "client_search", "status"))
    reply = yield from call(ctx, "client_search", query=group["word"] if group else None, status=status, limit=50)
    yield id_list(ctx, reply.results, "Client")


def search_companies(ctx: PlanContext) -> Plan:
    """Find partner, vendor or competitor companies by name and type."""
    group = _GROUP.search(ctx.prompt)
    kind = picklist_value(ctx.prompt, allowed_values(ctx, "company_search", "type"))
    reply = yield from call(ctx, "company_search", query=group["word"] if group else None, type=kind, limit=50)
    yield id_list(ctx, reply.results, "Company")
