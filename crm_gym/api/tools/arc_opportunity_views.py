"""Arc opportunity tools that read: search, full details and pipeline summaries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from crm_gym.api.registry import FieldRef, tool
from crm_gym.api.tools.arc_common import (
    Record,
    SearchLimit,
    arc_id,
    attached,
    canonical_enum,
    contains,
    require_arc_record,
    same_text,
    search_result,
    within,
)
from crm_gym.errors import CrmError

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi


def _client_filter(client_id: str | None) -> tuple[str, tuple[str, ...]]:
    if client_id is None:
        return "", ()
    return "client_id = ?", (arc_id(client_id, "Client", "client_id"),)


@tool(writes=False, group="arc", profiles=("default",))  # arc_compat has Arc's field search (arc_compat.py)
def opportunity_search(
    api: MockCrmApi,
    query: str | None = None,
    client_id: str | None = None,
    stage: Annotated[str | None, FieldRef("Opportunity", "stage")] = None,
    owner: str | None = None,
    min_amount: float | None = None,
    max_amount: float | None = None,
    limit: SearchLimit = 20,
) -> dict[str, Any]:
    """Find opportunities; returns {"total", "returned", "results"} sorted by name, then id.

    Every filter given must match: query is a case-insensitive substring of the name, client_id the
    client's UUID, stage one of the stages (any case), owner the owner's name (any case), and the amount
    lies within [min_amount, max_amount].

    Args:
        query: Text to look for in the opportunity name.
        client_id: Only this client's opportunities (its UUID; find it with client_search).
        stage: Only opportunities in this stage.
        owner: Only opportunities owned by this sales rep.
        min_amount: Only amounts of at least this much.
        max_amount: Only amounts of at most this much.
        limit: At most this many results (1-50).
    """
    wanted = canonical_enum(api, "Opportunity", "stage", stage)
    matches = [
        o
        for o in api.world.rows("Opportunity", *_client_filter(client_id))
        if contains((o["name"],), query)
        and (wanted is None or o["stage"] == wanted)
        and same_text(o["owner"], owner)
        and within(o["amount"], min_amount, max_amount)
    ]
    matches.sort(key=lambda o: (o["name"].casefold(), o["opportunity_id"]))
    return search_result(matches, limit)


@tool(writes=False, group="arc")
def view_opportunity_details(api: MockCrmApi, opportunity_id: str) -> dict[str, Any]:
    """Everything about one opportunity: the deal, its client, quotes (by version), contracts, notes and documents.

    Fails when opportunity_id is not the UUID of an existing opportunity (find it with opportunity_search).

    Args:
        opportunity_id: The opportunity's UUID.
    """
    opportunity = require_arc_record(api, "Opportunity", opportunity_id, "opportunity_id")
    oid = opportunity["opportunity_id"]
    quotes = sorted(
        api.world.rows("Quote", "opportunity_id = ?", (oid,)), key=lambda q: (q["version"] or 0, q["quote_id"])
    )
    return {
        "opportunity": opportunity,
        "client": api.world.get("Client", opportunity["client_id"]),
        "quotes": quotes,
        "contracts": api.world.rows("Contract", "opportunity_id = ?", (oid,)),
        "notes": attached(api, "Note", "Opportunity", [oid]),
        "documents": attached(api, "Document", "Opportunity", [oid]),
    }


def _aggregate(rows: list[Record]) -> dict[str, Any]:
    amounts = [r["amount"] for r in rows if r["amount"] is not None]
    total = round(sum(amounts), 2)
    return {
        "count": len(rows),
        "total_amount": total,
        "average_amount": round(total / len(amounts), 2) if amounts else None,
    }


@tool(writes=False, group="arc", profiles=("default",))  # arc_compat summarises Arc's way (arc_compat.py)
def summarize_opportunities(api: MockCrmApi, client_id: str | None = None, owner: str | None = None) -> dict[str, Any]:
    """Pipeline summary: count, total and average amount overall and per stage, for a client and/or an owner.

    Give client_id, owner (any case) or both; with neither the whole CRM is summarised. Stages appear in
    pipeline order and only when they have opportunities; averages skip opportunities without an amount.

    Args:
        client_id: Summarise this client's opportunities (its UUID; find it with client_search).
        owner: Summarise the opportunities owned by this sales rep.
    """
    cid = require_arc_record(api, "Client", client_id, "client_id")["client_id"] if client_id is not None else None
    if owner is not None and not any(same_text(o["owner"], owner) for o in api.world.rows("Opportunity")):
        raise CrmError(f"No opportunity is owned by {owner!r}. Check the owner's name with opportunity_search.")
    rows = [o for o in api.world.rows("Opportunity", *_client_filter(cid)) if same_text(o["owner"], owner)]
    stages = [*api.schema.object("Opportunity").fields["stage"].values, None]
    by_stage = [
        {"stage": stage, **_aggregate(group)} for stage in stages if (group := [o for o in rows if o["stage"] == stage])
    ]
    return {
        "client_id": cid,
        "owner": owner,
        **_aggregate(rows),
        "by_stage": by_stage,
    }
