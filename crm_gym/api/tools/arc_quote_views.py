"""Arc quote tools that read: search, details and a field-by-field comparison."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from crm_gym.api.registry import FieldRef, tool
from crm_gym.api.tools.arc_common import (
    SearchLimit,
    arc_id,
    attached,
    canonical_enum,
    contains,
    refuse_repeated_ids,
    require_arc_record,
    search_result,
    within,
)

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi

_MAX_COMPARED = 10


@tool(writes=False, group="arc", profiles=("default",))  # arc_compat has Arc's field search (arc_compat.py)
def quote_search(
    api: MockCrmApi,
    opportunity_id: str | None = None,
    client_id: str | None = None,
    status: Annotated[str | None, FieldRef("Quote", "status")] = None,
    query: str | None = None,
    min_amount: float | None = None,
    max_amount: float | None = None,
    limit: SearchLimit = 20,
) -> dict[str, Any]:
    """Find quotes; returns {"total", "returned", "results"} sorted by opportunity, then version.

    Every filter given must match: the opportunity's UUID, the client's UUID (quotes of any of its
    opportunities), the status (any case), query as a case-insensitive substring of the quote prefix,
    and the amount within [min_amount, max_amount].

    Args:
        opportunity_id: Only quotes of this opportunity (its UUID).
        client_id: Only quotes of this client's opportunities (its UUID).
        status: Only quotes with this status.
        query: Text to look for in the quote prefix.
        min_amount: Only amounts of at least this much.
        max_amount: Only amounts of at most this much.
        limit: At most this many results (1-50).
    """
    wanted = canonical_enum(api, "Quote", "status", status)
    where, params = [], []
    if opportunity_id is not None:
        where.append("opportunity_id = ?")
        params.append(arc_id(opportunity_id, "Opportunity", "opportunity_id"))
    if client_id is not None:
        where.append("opportunity_id IN (SELECT opportunity_id FROM Opportunity WHERE client_id = ?)")
        params.append(arc_id(client_id, "Client", "client_id"))
    matches = [
        q
        for q in api.world.rows("Quote", " AND ".join(where), params)
        if (wanted is None or q["status"] == wanted)
        and contains((q["quote_prefix"],), query)
        and within(q["amount"], min_amount, max_amount)
    ]
    matches.sort(key=lambda q: (q["opportunity_id"], q["version"] or 0, q["quote_id"]))
    return search_result(matches, limit)


@tool(writes=False, group="arc")
def quote_details(api: MockCrmApi, quote_id: str) -> dict[str, Any]:
    """One quote with its opportunity, client, the opportunity's other quote versions, documents and notes.

    Fails when quote_id is not the UUID of an existing quote (find it with quote_search).

    Args:
        quote_id: The quote's UUID.
    """
    quote = require_arc_record(api, "Quote", quote_id, "quote_id")
    opportunity = api.world.get("Opportunity", quote["opportunity_id"])
    siblings = api.world.rows(
        "Quote", "opportunity_id = ? AND quote_id != ?", (quote["opportunity_id"], quote["quote_id"])
    )
    return {
        "quote": quote,
        "opportunity": opportunity,
        "client": api.world.get("Client", opportunity["client_id"]) if opportunity else None,
        "other_versions": sorted(siblings, key=lambda q: (q["version"] or 0, q["quote_id"])),
        "documents": attached(api, "Document", "Quote", [quote["quote_id"]]),
        "notes": attached(api, "Note", "Quote", [quote["quote_id"]]),
    }


@tool(writes=False, group="arc")
def compare_quotes(
    api: MockCrmApi, quote_ids: Annotated[list[str], Field(min_length=2, max_length=_MAX_COMPARED)]
) -> dict[str, Any]:
    """Compare two or more quotes field by field: which fields differ, which agree, and the cheapest and dearest.

    Returns {"quotes": the records in the order given, "differences": {field: [value per quote]},
    "same": {field: shared value}, "lowest_amount_quote_id", "highest_amount_quote_id", "amount_spread"}.
    Fails when an id is repeated or is not the UUID of an existing quote.

    Args:
        quote_ids: The UUIDs of 2 to 10 different quotes; find them with quote_search.
    """
    quotes = [require_arc_record(api, "Quote", q, f"quote_ids[{i}]") for i, q in enumerate(quote_ids)]
    refuse_repeated_ids("compare_quotes", [q["quote_id"] for q in quotes])
    fields = [f for f in api.schema.object("Quote").fields if f != "quote_id"]
    values = {f: [q[f] for q in quotes] for f in fields}
    priced = [q for q in quotes if q["amount"] is not None]
    lowest = min(priced, key=lambda q: (q["amount"], q["quote_id"])) if priced else None
    highest = max(priced, key=lambda q: (q["amount"], q["quote_id"])) if priced else None
    return {
        "quotes": quotes,
        "differences": {f: v for f, v in values.items() if len(set(map(repr, v))) > 1},
        "same": {f: v[0] for f, v in values.items() if len(set(map(repr, v))) == 1},
        "lowest_amount_quote_id": lowest["quote_id"] if lowest else None,
        "highest_amount_quote_id": highest["quote_id"] if highest else None,
        "amount_spread": round(highest["amount"] - lowest["amount"], 2) if priced else None,
    }
