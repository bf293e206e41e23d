"""Arc opportunity tools that write: create, modify, clone and delete deals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from crm_gym.api.registry import FieldRef, tool
from crm_gym.api.tools.arc_common import (
    CLOSED_STAGES,
    Record,
    arc_id,
    attached,
    create_record,
    given,
    require_arc_record,
    update_record,
)
from crm_gym.errors import CrmError

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi

# How a copy is named when the caller gives no name: Arc's own word under its profile.
_CLONE_SUFFIX = {"default": "(Copy)", "arc_compat": "(Clone)"}
# What a closed deal keeps: its booked result. Name, owner, notes and client stay editable.
_LOCKED_WHEN_CLOSED = ("amount", "stage", "probability", "close_date")


def _closed_deal_guard(current: Record, changes: Record) -> None:
    if current["stage"] not in CLOSED_STAGES:
        return
    locked = [f for f in _LOCKED_WHEN_CLOSED if f in changes and changes[f] != current[f]]
    if locked:
        raise CrmError(
            f"Opportunity {current['opportunity_id']!r} is {current['stage']}, a closed deal: its "
            f"{', '.join(locked)} can no longer change (given {', '.join(repr(changes[f]) for f in locked)}; it keeps "
            f"{', '.join(repr(current[f]) for f in locked)}: {', '.join(_LOCKED_WHEN_CLOSED)} are locked once a deal "
            "closes). Use clone_opportunity to start a new deal from it."
        )


@tool(writes=True, group="arc", arc_positional=("name", "client_id", "amount", "stage"))
def create_new_opportunity(
    api: MockCrmApi,
    client_id: Annotated[str, FieldRef("Opportunity", "client_id")],
    name: Annotated[str, FieldRef("Opportunity", "name")],
    stage: Annotated[str | None, FieldRef("Opportunity", "stage")] = None,
    amount: Annotated[float | None, FieldRef("Opportunity", "amount")] = None,
    close_date: Annotated[str | None, FieldRef("Opportunity", "close_date")] = None,
    owner: Annotated[str | None, FieldRef("Opportunity", "owner")] = None,
    probability: Annotated[int | None, FieldRef("Opportunity", "probability")] = None,
    notes: Annotated[str | None, FieldRef("Opportunity", "notes")] = None,
) -> dict[str, Any]:
    """Create an opportunity (a potential deal) for a client and return it with its new opportunity_id.

    Rules, each failing the whole call with an error that names the field: client_id is the UUID of an
    existing client (find it with client_search); stage is case-sensitive ("Negotiation", not
    "negotiation") and is "Prospecting" when omitted; amount is more than 0 and at most 10,000,000;
    probability is a whole-number percentage from 1 to 99; close_date is an ISO date such as
    "2025-12-15" ("12/15/2025" is refused); no argument outside this list is accepted.

    Args:
        client_id: UUID of the client the deal is with.
        name: Deal name, e.g. "Acme Corp - Cloud Migration".
        stage: Pipeline stage, case-sensitive.
        amount: Expected deal value in dollars.
        close_date: Expected close date, YYYY-MM-DD.
        owner: Name of the sales rep who owns the deal.
        probability: Chance of winning, a whole number of percent (1-99).
        notes: Free-text notes.
    """
    values = given(name=name, amount=amount, close_date=close_date, owner=owner, probability=probability, notes=notes)
    values["stage"] = "Prospecting" if stage is None else stage
    values["client_id"] = arc_id(client_id, "Client", "client_id")
    return create_record(api, "Opportunity", values)


@tool(writes=True, group="arc", updates=True, arc_positional=("opportunity_id", "updates"))
def modify_opportunity(
    api: MockCrmApi,
    opportunity_id: str,
    name: Annotated[str | None, FieldRef("Opportunity", "name")] = None,
    stage: Annotated[str | None, FieldRef("Opportunity", "stage")] = None,
    amount: Annotated[float | None, FieldRef("Opportunity", "amount")] = None,
    close_date: Annotated[str | None, FieldRef("Opportunity", "close_date")] = None,
    owner: Annotated[str | None, FieldRef("Opportunity", "owner")] = None,
    probability: Annotated[int | None, FieldRef("Opportunity", "probability")] = None,
    notes: Annotated[str | None, FieldRef("Opportunity", "notes")] = None,
    client_id: Annotated[str | None, FieldRef("Opportunity", "client_id")] = None,
) -> dict[str, Any]:
    """Change some fields of an opportunity and return the updated opportunity; other fields keep their values.

    Give the new values as arguments or as one updates object ({"stage": "Proposal", "probability": 50}). The
    same rules as create_new_opportunity apply to each value given. A closed deal (stage Closed-Won
    or Closed-Lost) keeps its amount, stage, probability and close_date: changing them is refused; its
    name, owner, notes and client may still change. The opportunity_id never changes. An argument not
    listed here (e.g. "assigned_to") is refused. A failed call changes nothing.

    Args:
        opportunity_id: The opportunity's UUID; find it with opportunity_search.
        name: New deal name.
        stage: New stage, case-sensitive.
        amount: New amount, more than 0 and at most 10,000,000.
        close_date: New close date, YYYY-MM-DD.
        owner: New owning sales rep.
        probability: New win probability, a whole number from 1 to 99.
        notes: New notes (replaces the old text).
        client_id: UUID of the client the deal now belongs to.
    """
    current = require_arc_record(api, "Opportunity", opportunity_id, "opportunity_id")
    changes = given(
        name=name, stage=stage, amount=amount, close_date=close_date, owner=owner, probability=probability, notes=notes
    )
    if client_id is not None:
        changes["client_id"] = arc_id(client_id, "Client", "client_id")
    return update_record(api, "modify_opportunity", current, "Opportunity", changes, guard=_closed_deal_guard)


@tool(writes=True, group="arc")
def clone_opportunity(
    api: MockCrmApi,
    opportunity_id: str,
    name: Annotated[str | None, FieldRef("Opportunity", "name")] = None,
    stage: Annotated[str | None, FieldRef("Opportunity", "stage")] = None,
    amount: Annotated[float | None, FieldRef("Opportunity", "amount")] = None,
    close_date: Annotated[str | None, FieldRef("Opportunity", "close_date")] = None,
    owner: Annotated[str | None, FieldRef("Opportunity", "owner")] = None,
    probability: Annotated[int | None, FieldRef("Opportunity", "probability")] = None,
    client_id: Annotated[str | None, FieldRef("Opportunity", "client_id")] = None,
) -> dict[str, Any]:
    """Copy an opportunity into a new one (new opportunity_id) and return the copy.

    Every field of the source is copied (client, stage, amount, close date, owner, probability, notes)
    except its id; the name becomes "<source name> (Copy)" unless name is given ("<source name> (Clone)" in the
    arc_compat tool profile, as Arc names it). Any other argument given
    replaces the copied value and follows create_new_opportunity's rules. Quotes, contracts, documents
    and notes are not copied. The source is not changed.

    Args:
        opportunity_id: UUID of the opportunity to copy; find it with opportunity_search.
        name: Name of the copy.
        stage: Stage of the copy, case-sensitive.
        amount: Amount of the copy.
        close_date: Close date of the copy, YYYY-MM-DD.
        owner: Owner of the copy.
        probability: Win probability of the copy, 1-99.
        client_id: UUID of another client for the copy.
    """
    source = require_arc_record(api, "Opportunity", opportunity_id, "opportunity_id")
    values = {k: v for k, v in source.items() if k != "opportunity_id" and v is not None}
    values["name"] = f"{source['name']} {_CLONE_SUFFIX[api.tool_profile]}"
    values.update(
        given(name=name, stage=stage, amount=amount, close_date=close_date, owner=owner, probability=probability)
    )
    if client_id is not None:
        values["client_id"] = arc_id(client_id, "Client", "client_id")
    return create_record(api, "Opportunity", values)


@tool(writes=True, group="arc")
def delete_opportunity(api: MockCrmApi, opportunity_id: str) -> dict[str, Any]:
    """Delete an opportunity and everything that belongs to it; returns what was deleted.

    Its quotes are deleted, as are the documents and notes attached to it or to those quotes. Contracts
    signed for it are kept (they belong to the client) and lose their link to the deleted opportunity.
    This cannot be undone: confirm with the user before deleting. Fails when the id is not the UUID of
    an existing opportunity.

    Args:
        opportunity_id: UUID of the opportunity to delete; find it with opportunity_search.
    """
    record = require_arc_record(api, "Opportunity", opportunity_id, "opportunity_id")
    oid = record["opportunity_id"]
    quote_ids = [q["quote_id"] for q in api.world.rows("Quote", "opportunity_id = ?", (oid,))]
    contract_ids = [c["contract_id"] for c in api.world.rows("Contract", "opportunity_id = ?", (oid,))]
    gone = {
        kind: [r[pk] for r in attached(api, kind, "Opportunity", [oid]) + attached(api, kind, "Quote", quote_ids)]
        for kind, pk in (("Document", "document_id"), ("Note", "note_id"))
    }
    api.world.delete("Opportunity", oid)
    return {
        "deleted_opportunity": record,
        "deleted_quote_ids": quote_ids,
        "deleted_document_ids": gone["Document"],
        "deleted_note_ids": gone["Note"],
        "unlinked_contract_ids": contract_ids,
    }
