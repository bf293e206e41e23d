"""Arc plans for opportunities: create, modify, clone, delete, search, view and summarize deals."""

from __future__ import annotations

import re
from typing import Any

from crm_gym.agents.baseline.arc_steps import (
    Step,
    allowed_values,
    amount_of,
    by_version,
    call,
    client_deals,
    decline,
    field,
    find_client,
    find_client_deal,
    find_deal,
    id_list,
    named,
    not_found,
    record_id,
    write,
)
from crm_gym.agents.baseline.arc_text import iso_date, money, picklist_value, probability, quoted, without_quoted
from crm_gym.agents.baseline.plan import Plan, PlanContext

# A proper name: capitalised words, not starting with a sentence's command word.
_COMMAND = r"(?:Summarize|Summarise|Show|List|Find|Which|What|Who|Update|Change|Set|Add|Create|Please|Can|The)\b"
NAME = rf"\b(?!{_COMMAND})[A-Z][\w&'-]*(?: [A-Z][\w&'-]*)*"
PERSON = r"[A-Z][\w'-]+ [A-Z][\w'-]+"
_DEAL_OF_CLIENT = re.compile(rf"\bthe (?P<theme>{NAME}) (?:deal|opportunity) (?:with|for) (?P<client>{NAME})")
_FOR_CLIENT = re.compile(rf"\b(?:for|with|at|given|of)(?: (?:our |the )?client)? (?P<name>{NAME})")
_POSSESSIVE = re.compile(rf"(?P<name>{NAME})'s? (?:deals|opportunities|pipeline)\b")
_PIPELINE = re.compile(rf"\bthe (?P<name>{NAME}) pipeline\b")
_WHICH_DEALS = re.compile(rf"\bWhich (?P<name>{NAME}) (?:deals|opportunities)\b")
_OWNED = re.compile(rf"\b(?:does (?P<name>{PERSON}) own|owned by (?P<by>{PERSON}))")
_OWNER = re.compile(
    rf"\b(?:make (?P<a>{PERSON}) the owner|over to (?P<b>{PERSON})|owner (?:to|is) (?P<c>{PERSON})"
    rf"|(?:[Rr]e)?[Aa]ssign\b[^.]*?\bto (?P<d>{PERSON}))"
)
_MORE_THAN = re.compile(r"\b(?:(?:more|greater|larger|bigger) than|above|over|exceeding)\b", re.IGNORECASE)
_OPEN = re.compile(r"\b(?:still open|open deals|not closed)\b", re.IGNORECASE)
_THEME = re.compile(rf"\bthe (?P<theme>{NAME}) opportunity for\b")


def owner_in(text: str) -> str | None:
    """The sales rep the text makes the owner ("make X the owner", "hand ... over to X")."""
    found = _OWNER.search(text)
    return next((name for name in found.groups() if name), None) if found else None


def deal_values(ctx: PlanContext, tool: str, text: str, *, amount_needs_word: bool) -> dict[str, Any]:
    """The opportunity fields the request gives (stage, amount, close date, probability, owner), canonical names.

    ``amount_needs_word``: read an amount only when the text says "amount" (a change request), not any "$".
    """
    rest = without_quoted(text)
    values = {
        "stage": picklist_value(rest, allowed_values(ctx, tool, "stage")),
        "amount": money(rest) if not amount_needs_word or re.search(r"\bamount\b", rest, re.I) else None,
        "close_date": iso_date(rest),
        "probability": probability(rest),
        "owner": owner_in(rest),
    }
    return {k: v for k, v in values.items() if v is not None}


def target_deal(ctx: PlanContext) -> Step:
    """The opportunity the request names: a quoted deal name, or "the <theme> deal with <client>".

    Returns (record or None, the name the user gave).
    """
    names = quoted(ctx.prompt)
    if names:
        return (yield from find_deal(ctx, names[0])), names[0]
    found = _DEAL_OF_CLIENT.search(ctx.prompt)
    if found:
        deal = yield from find_client_deal(ctx, found["client"], found["theme"])
        return deal, f"{found['client']} - {found['theme']}"
    return None, "that opportunity"


def client_of_request(text: str) -> str | None:
    """The client (or owner) a request is about: "for X", "X's deals", "Which X deals"."""
    rest = without_quoted(text)
    for pattern in (_POSSESSIVE, _PIPELINE, _WHICH_DEALS, _OWNED, _FOR_CLIENT):
        found = pattern.search(rest)
        if found:
            return found["name"] or found.groupdict().get("by")
    names = quoted(text)
    return names[0].split(" - ")[0] if names else None


def create_opportunity(ctx: PlanContext) -> Plan:
    """Find the client exactly, then create the deal with only the values given."""
    names = quoted(ctx.prompt)
    client_name = client_of_request(ctx.prompt)
    if not names or not client_name:
        yield decline("create the opportunity", "the request does not give both the deal name and the client.")
        return
    client = yield from find_client(ctx, client_name)
    if client is None:
        yield decline("create the opportunity", not_found("client", client_name))
        return
    values = deal_values(ctx, "create_new_opportunity", ctx.prompt, amount_needs_word=False)
    reply = yield from write(
        ctx, "create_new_opportunity", client_id=record_id(ctx, client, "Client"), name=names[0], **values
    )
    if reply.error:
        yield decline("create the opportunity", reply.error)
        return
    yield {"answer": f'Created the opportunity "{names[0]}" for {client_name}.'}


def modify_opportunity(ctx: PlanContext) -> Plan:
    """Find the deal, then change only the fields the request names."""
    deal, label = yield from target_deal(ctx)
    if deal is None:
        yield decline("update the opportunity", not_found("opportunity", label))
        return
    changes = deal_values(ctx, "modify_opportunity", ctx.prompt, amount_needs_word=True)
    if not changes:
        yield decline("update the opportunity", "the request does not say which field to change.")
        return
    reply = yield from write(ctx, "modify_opportunity", opportunity_id=record_id(ctx, deal, "Opportunity"), **changes)
    if reply.error:
        yield decline("update the opportunity", reply.error)
        return
    done = ", ".join(f"{k} is now {v}" for k, v in changes.items())
    yield {"answer": f"Updated {label}: {done}."}


def clone_opportunity(ctx: PlanContext) -> Plan:
    """Find the source deal, then clone it under the new name with the values given."""
    names = quoted(ctx.prompt)
    if len(names) < 2:
        yield decline("clone the opportunity", "the request does not name both the deal and its copy.")
        return
    source = yield from find_deal(ctx, names[0])
    if source is None:
        yield decline("clone the opportunity", not_found("opportunity", names[0]))
        return
    values = deal_values(ctx, "clone_opportunity", ctx.prompt, amount_needs_word=True)
    reply = yield from write(
        ctx, "clone_opportunity", opportunity_id=record_id(ctx, source, "Opportunity"), name=names[1], **values
    )
    if reply.error:
        yield decline("clone the opportunity", reply.error)
        return
    yield {"answer": f"Cloned {names[0]} as {names[1]}."}


def delete_opportunity(ctx: PlanContext) -> Plan:
    """Find the deal exactly, then delete it."""
    deal, label = yield from target_deal(ctx)
    if deal is None:
        yield decline("delete the opportunity", not_found("opportunity", label))
        return
    reply = yield from write(ctx, "delete_opportunity", opportunity_id=record_id(ctx, deal, "Opportunity"))
    if reply.error:
        yield decline("delete the opportunity", reply.error)
        return
    yield {"answer": f"Deleted {label} and its quotes."}


def search_opportunities(ctx: PlanContext) -> Plan:
    """Answer with the ids of exactly the deals asked for: one named deal, a client's deals (open, above an
    amount, of a theme) or an owner's deals in a stage."""
    names = quoted(ctx.prompt)
    if names:
        deal = yield from find_deal(ctx, names[0])
        yield id_list(ctx, [deal] if deal else [], "Opportunity")
        return
    who = client_of_request(ctx.prompt)
    if who is None:
        yield {"answer": "I could not tell whose opportunities to look for."}
        return
    rest = without_quoted(ctx.prompt)
    stage = None if _OPEN.search(rest) else picklist_value(rest, allowed_values(ctx, "opportunity_search", "stage"))
    client = yield from find_client(ctx, who)
    if client is None:
        reply = yield from call(ctx, "opportunity_search", owner=who, stage=stage, limit=50)
        yield id_list(ctx, reply.results, "Opportunity")
        return
    deals = yield from client_deals(ctx, client, stage=stage)
    yield id_list(ctx, _filtered(ctx, deals, rest, client), "Opportunity")


def _filtered(ctx: PlanContext, deals: list[dict[str, Any]], rest: str, client: dict[str, Any]) -> list[dict]:
    if _OPEN.search(rest):
        deals = [d for d in deals if not str(field(ctx, d, "Opportunity", "stage") or "").startswith("Closed")]
    floor = money(rest) if _MORE_THAN.search(rest) else None
    if floor is not None:
        deals = [d for d in deals if amount_of(ctx, d, "Opportunity") > floor]
    theme = _THEME.search(rest)
    if theme:
        full = f"{field(ctx, client, 'Client', 'name')} - {theme['theme']}"
        deals = [d] if (d := named(ctx, deals, "Opportunity", full)) else []
    return deals


def view_opportunity(ctx: PlanContext) -> Plan:
    """Open the deal's details and answer the question asked: its stage, latest quote or contract."""
    deal, label = yield from target_deal(ctx)
    if deal is None:
        yield {"answer": f"I found no opportunity named exactly {label}."}
        return
    reply = yield from call(ctx, "view_opportunity_details", opportunity_id=record_id(ctx, deal, "Opportunity"))
    details = reply.data if isinstance(reply.data, dict) else {}
    question = ctx.prompt.lower()
    if "contract" in question:
        contracts = [c for c in details.get("contracts", []) if isinstance(c, dict)]
        yield id_list(ctx, contracts, "Contract", label="status")
    elif "quote" in question:
        yield id_list(ctx, by_version(ctx, details.get("quotes", []))[-1:], "Quote", label="version")
    else:
        stage = field(ctx, details.get("opportunity", deal), "Opportunity", "stage")
        yield {"answer": f"It is in {stage}."}


def summarize_pipeline(ctx: PlanContext) -> Plan:
    """Summarize a client's or an owner's pipeline and name the stage that holds the most money."""
    who = client_of_request(ctx.prompt)
    client = (yield from find_client(ctx, who)) if who else None
    if client is not None:
        reply = yield from call(ctx, "summarize_opportunities", client_id=record_id(ctx, client, "Client"))
    else:
        reply = yield from call(ctx, "summarize_opportunities", owner=who)
    stages = reply.data.get("by_stage", []) if isinstance(reply.data, dict) else []
    stages = [s for s in stages if isinstance(s, dict)]
    if not stages:
        yield {"answer": f"I found no opportunities for {who}."}
        return
    top = max(stages, key=lambda s: (s.get("total_amount") or 0, str(field(ctx, s, "Opportunity", "stage"))))
    yield {"answer": f"{field(ctx, top, 'Opportunity', 'stage')}, with ${top.get('total_amount') or 0:,.0f}."}
