"""Arc plans for what hangs off a deal: quotes, documents, notes and contracts."""

from __future__ import annotations

import re

from crm_gym.agents.baseline.arc_deals import NAME, PERSON, client_of_request, target_deal
from crm_gym.agents.baseline.arc_steps import (
    Step,
    allowed_values,
    call,
    deal_quotes,
    decline,
    field,
    find_client,
    id_list,
    not_found,
    record_id,
    write,
)
from crm_gym.agents.baseline.arc_text import dates, file_names, iso_date, money, picklist_value, without_quoted
from crm_gym.agents.baseline.plan import Plan, PlanContext

_PREFIX = re.compile(r"\bprefix\s+(?P<prefix>[A-Z0-9][\w-]*)")
_QUOTE_CODE = re.compile(r"\b(?P<code>Q-[A-Z0-9-]+)\b")
_VERSION = re.compile(r"\bversion\s+(?P<n>\d+)", re.IGNORECASE)
_UPLOADER = re.compile(rf"\bThis is (?P<who>{PERSON})\b")
_ACCOUNT = re.compile(rf"\b(?:to|on) the (?P<client>{NAME}) (?:account|client)\b")
_NOTE = re.compile(r"\"[^\"]+\"\s*:\s*(?P<content>.+)$", re.DOTALL)


def _quote_of_deal(ctx: PlanContext, pick: str) -> Step:
    """A quote of the requested deal: ``pick`` is "latest", "sent" (the latest Sent or Draft) or "version N".

    Returns (quote or None, the deal's record or None, the deal name the user gave).
    """
    deal, label = yield from target_deal(ctx)
    if deal is None:
        return None, None, label
    quotes = yield from deal_quotes(ctx, deal)
    if pick.startswith("version"):
        quotes = [q for q in quotes if str(field(ctx, q, "Quote", "version")) == pick.split()[-1]]
    elif pick == "sent":
        open_quotes = [q for q in quotes if field(ctx, q, "Quote", "status") in ("Sent", "Draft")]
        sent = [q for q in open_quotes if field(ctx, q, "Quote", "status") == "Sent"]
        quotes = sent or open_quotes
    return (quotes[-1] if quotes else None), deal, label


def create_quote(ctx: PlanContext) -> Plan:
    """Find the deal, then create a quote with the amount, status, validity and prefix given."""
    deal, label = yield from target_deal(ctx)
    if deal is None:
        yield decline("create the quote", not_found("opportunity", label))
        return
    rest = without_quoted(ctx.prompt)
    prefix = _PREFIX.search(rest)
    reply = yield from write(
        ctx,
        "create_quote",
        opportunity_id=record_id(ctx, deal, "Opportunity"),
        amount=money(rest),
        status=picklist_value(rest, allowed_values(ctx, "create_quote", "status")),
        valid_until=iso_date(rest),
        quote_prefix=prefix["prefix"] if prefix else None,
    )
    if reply.error:
        yield decline("create the quote", reply.error)
        return
    yield {"answer": f"Created the quote for {label}."}


def change_quote(ctx: PlanContext) -> Plan:
    """Set the status (or amount) of the deal's latest quote."""
    quote, _, label = yield from _quote_of_deal(ctx, "latest")
    if quote is None:
        yield decline("update the quote", f"I found no quote on an opportunity named exactly {label}.")
        return
    rest = without_quoted(ctx.prompt)
    status = picklist_value(rest, allowed_values(ctx, "modify_quote", "status"))
    amount = money(rest) if re.search(r"\bamount\b", rest, re.I) else None
    reply = yield from write(ctx, "modify_quote", quote_id=record_id(ctx, quote, "Quote"), status=status, amount=amount)
    if reply.error:
        yield decline("update the quote", reply.error)
        return
    yield {"answer": f"The latest quote on {label} is now {status or amount}."}


def cancel_quote(ctx: PlanContext) -> Plan:
    """Cancel the deal's sent (or draft) quote."""
    quote, _, label = yield from _quote_of_deal(ctx, "sent")
    if quote is None:
        yield decline("cancel the quote", f"I found no open quote on an opportunity named exactly {label}.")
        return
    reply = yield from write(ctx, "cancel_quote", quote_id=record_id(ctx, quote, "Quote"))
    if reply.error:
        yield decline("cancel the quote", reply.error)
        return
    yield {"answer": f"Canceled the quote on {label}."}


def delete_quote(ctx: PlanContext) -> Plan:
    """Delete the quote version the request names."""
    version = _VERSION.search(ctx.prompt)
    quote, _, label = yield from _quote_of_deal(ctx, f"version {version['n']}" if version else "latest")
    if quote is None:
        yield decline("delete the quote", f"I found no such quote on an opportunity named exactly {label}.")
        return
    reply = yield from write(ctx, "delete_quote", quote_id=record_id(ctx, quote, "Quote"))
    if reply.error:
        yield decline("delete the quote", reply.error)
        return
    yield {"answer": f"Deleted the quote on {label}."}


def compare_quotes(ctx: PlanContext) -> Plan:
    """Compare the deal's quotes and answer with the cheaper (or dearer) one."""
    deal, label = yield from target_deal(ctx)
    quotes = (yield from deal_quotes(ctx, deal)) if deal else []
    if len(quotes) < 2:
        yield {"answer": f"I found fewer than two quotes on {label}."}
        return
    reply = yield from call(ctx, "compare_quotes", quote_ids=[record_id(ctx, q, "Quote") for q in quotes])
    data = reply.data if isinstance(reply.data, dict) else {}
    dearer = re.search(r"\b(?:expensive|dearer|highest|higher|most)\b", ctx.prompt, re.I)
    chosen = data.get("highest_amount_quote_id" if dearer else "lowest_amount_quote_id")
    yield {"answer": f"The {'dearer' if dearer else 'cheaper'} quote is {chosen}."}


def quote_details(ctx: PlanContext) -> Plan:
    """Find a quote by its prefix and version, then name the opportunity it belongs to."""
    code, version = _QUOTE_CODE.search(ctx.prompt), _VERSION.search(ctx.prompt)
    if code is None:
        yield {"answer": "I could not tell which quote you mean."}
        return
    reply = yield from call(ctx, "quote_search", query=code["code"], limit=50)
    quotes = [
        q
        for q in reply.results
        if str(field(ctx, q, "Quote", "quote_prefix") or "").casefold() == code["code"].casefold()
        and (version is None or str(field(ctx, q, "Quote", "version")) == version["n"])
    ]
    if not quotes:
        yield {"answer": f"I found no quote {code['code']}."}
        return
    details = yield from call(ctx, "quote_details", quote_id=record_id(ctx, quotes[0], "Quote"))
    deal = details.data.get("opportunity") if isinstance(details.data, dict) else None
    deal_id = record_id(ctx, deal, "Opportunity") or field(ctx, quotes[0], "Quote", "opportunity_id")
    yield {"answer": f"It belongs to {field(ctx, deal, 'Opportunity', 'name')} ({deal_id})."}


def _upload_target(ctx: PlanContext) -> Step:
    """Where a document goes: (canonical object, record or None, the name the user gave)."""
    text = ctx.prompt
    account = _ACCOUNT.search(without_quoted(text))
    if account:
        return "Client", (yield from find_client(ctx, account["client"])), account["client"]
    if re.search(r"\bquote (?:on|for)\b", text, re.I):
        quote, _, label = yield from _quote_of_deal(ctx, "latest")
        return "Quote", quote, label
    deal, label = yield from target_deal(ctx)
    if re.search(r"\bcontract\b", text, re.I) and deal is not None:
        reply = yield from call(ctx, "contract_search", opportunity_id=record_id(ctx, deal, "Opportunity"))
        return "Contract", (reply.results[0] if reply.results else None), label
    return "Opportunity", deal, label


def upload_document(ctx: PlanContext) -> Plan:
    """Find the record the file belongs to (deal, its latest quote, its contract, or a client), then upload."""
    files = file_names(without_quoted(ctx.prompt))
    if not files:
        yield decline("upload the file", "the request does not name a file.")
        return
    kind, target, label = yield from _upload_target(ctx)
    if target is None:
        yield decline("upload the file", not_found(kind.lower(), label))
        return
    uploader = _UPLOADER.search(ctx.prompt) if "uploader" in ctx.prompt.lower() else None
    reply = yield from write(
        ctx,
        "upload_document",
        entity_type=ctx.names.object(kind),
        entity_id=record_id(ctx, target, kind),
        file_name=files[0],
        uploaded_by=uploader["who"] if uploader else None,
    )
    if reply.error:
        yield decline("upload the file", reply.error)
        return
    yield {"answer": f"Uploaded {files[0]} to the {kind.lower()}."}


def add_note(ctx: PlanContext) -> Plan:
    """Find the deal, then add the note text that follows its name."""
    content = _NOTE.search(ctx.prompt)
    deal, label = yield from target_deal(ctx)
    if deal is None or content is None:
        yield decline("add the note", not_found("opportunity", label))
        return
    reply = yield from write(
        ctx,
        "add_note",
        entity_type=ctx.names.object("Opportunity"),
        entity_id=record_id(ctx, deal, "Opportunity"),
        content=content["content"].strip(),
    )
    if reply.error:
        yield decline("add the note", reply.error)
        return
    yield {"answer": f"Added the note to {label}."}


def create_contract(ctx: PlanContext) -> Plan:
    """Find the deal, then create a contract with its client for the period, value and status given."""
    deal, label = yield from target_deal(ctx)
    if deal is None:
        yield decline("create the contract", not_found("opportunity", label))
        return
    rest = without_quoted(ctx.prompt)
    period = dates(rest)
    reply = yield from write(
        ctx,
        "create_contract",
        client_id=field(ctx, deal, "Opportunity", "client_id"),
        opportunity_id=record_id(ctx, deal, "Opportunity"),
        start_date=period[0] if period else None,
        end_date=period[1] if len(period) > 1 else None,
        value=money(rest),
        status=picklist_value(rest, allowed_values(ctx, "create_contract", "status")),
    )
    if reply.error:
        yield decline("create the contract", reply.error)
        return
    yield {"answer": f"Created the contract for {label}."}


def search_contracts(ctx: PlanContext) -> Plan:
    """List a client's contracts, filtered by the status the request names."""
    who = client_of_request(ctx.prompt)
    client = (yield from find_client(ctx, who)) if who else None
    if client is None:
        yield {"answer": f"I found no client named exactly {who}."}
        return
    status = picklist_value(without_quoted(ctx.prompt), allowed_values(ctx, "contract_search", "status"))
    reply = yield from call(ctx, "contract_search", client_id=record_id(ctx, client, "Client"), status=status, limit=50)
    yield id_list(ctx, reply.results, "Contract", label="status")


def search_quotes(ctx: PlanContext) -> Plan:
    """List a client's quotes, filtered by the status the request names."""
    who = client_of_request(ctx.prompt)
    client = (yield from find_client(ctx, who)) if who else None
    if client is None:
        yield {"answer": f"I found no client named exactly {who}."}
        return
    status = picklist_value(without_quoted(ctx.prompt), allowed_values(ctx, "quote_search", "status"))
    reply = yield from call(ctx, "quote_search", client_id=record_id(ctx, client, "Client"), status=status, limit=50)
    yield id_list(ctx, reply.results, "Quote", label="quote_prefix")
