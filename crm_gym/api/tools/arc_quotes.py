"""Arc quote tools that write: create, modify, cancel and delete quotes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from crm_gym.api.registry import FieldRef, tool
from crm_gym.api.tools.arc_common import (
    Record,
    arc_id,
    attached,
    create_record,
    given,
    require_arc_record,
    update_record,
    world_now,
)
from crm_gym.errors import CrmError

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi

# A quote can be withdrawn while it is being prepared or awaits an answer; an Approved quote is the
# customer's accepted offer, and a Rejected or Canceled one is already closed.
_CANCELABLE = ("Draft", "Sent")


def _check_cancelable(quote: Record) -> None:
    if quote["status"] not in _CANCELABLE:
        raise CrmError(
            f"Quote {quote['quote_id']!r} is {quote['status']}: only {' or '.join(_CANCELABLE)} quotes can be "
            "canceled (an Approved quote was accepted; Rejected and Canceled quotes are already closed). "
            "Create a new quote with create_quote instead."
        )


def _quote_guard(current: Record, changes: Record) -> None:
    if current["status"] == "Canceled":
        raise CrmError(f"Quote {current['quote_id']!r} is Canceled and can no longer change; create a new quote.")
    if changes.get("status") == "Canceled":
        _check_cancelable(current)


@tool(writes=True, group="arc")
def create_quote(
    api: MockCrmApi,
    opportunity_id: Annotated[str, FieldRef("Quote", "opportunity_id")],
    amount: Annotated[float, FieldRef("Quote", "amount")],
    status: Annotated[str | None, FieldRef("Quote", "status")] = None,
    valid_until: Annotated[str | None, FieldRef("Quote", "valid_until")] = None,
    quote_prefix: Annotated[str | None, FieldRef("Quote", "quote_prefix")] = None,
    version: Annotated[str | None, FieldRef("Quote", "version_label")] = None,
) -> dict[str, Any]:
    """Create a quote (a priced offer) for an opportunity and return it with its new quote_id.

    The version number is set for you: one more than the opportunity's latest quote (1 for its first); a
    version label of your own ("v2", "1.1") may be given as version and is kept as version_label.
    created_date is the CRM's current date and status is "Draft" when omitted. Fails and creates nothing
    when opportunity_id is not the UUID of an existing opportunity (find it with opportunity_search),
    amount is not more than 0 or is above 10,000,000 (the rule of an opportunity's amount), status is not
    exactly an allowed value (case-sensitive), valid_until is not an ISO date YYYY-MM-DD, or an unknown
    argument is given.

    Args:
        opportunity_id: UUID of the opportunity the quote prices.
        amount: Quoted price in dollars, more than 0.
        status: Quote status, case-sensitive; "Draft" when omitted.
        valid_until: Last day the offer holds, YYYY-MM-DD.
        quote_prefix: Short label printed before the quote number, e.g. "Q-ACME".
        version: Your own label for this version, free text such as "v2" (stored as version_label).
    """
    oid = arc_id(opportunity_id, "Opportunity", "opportunity_id")
    latest = api.world.conn.execute("SELECT max(version) FROM Quote WHERE opportunity_id = ?", (oid,)).fetchone()[0]
    values = given(amount=amount, valid_until=valid_until, quote_prefix=quote_prefix, version_label=version)
    values.update(
        opportunity_id=oid,
        status="Draft" if status is None else status,
        version=(latest or 0) + 1,
        created_date=world_now(api.world),
    )
    return create_record(api, "Quote", values)


@tool(writes=True, group="arc", updates=True, arc_positional=("quote_id", "updates"))
def modify_quote(
    api: MockCrmApi,
    quote_id: str,
    amount: Annotated[float | None, FieldRef("Quote", "amount")] = None,
    status: Annotated[str | None, FieldRef("Quote", "status")] = None,
    valid_until: Annotated[str | None, FieldRef("Quote", "valid_until")] = None,
    quote_prefix: Annotated[str | None, FieldRef("Quote", "quote_prefix")] = None,
    version: Annotated[str | None, FieldRef("Quote", "version_label")] = None,
) -> dict[str, Any]:
    """Change some fields of a quote and return the updated quote; fields not given keep their values.

    Give the new values as arguments or as one updates object ({"status": "Sent"}). A Canceled quote can no
    longer change, and a quote can only become Canceled from Draft or Sent (as with cancel_quote). The
    quote_id, opportunity and version number never change. Fails, changing nothing, on an unknown quote id,
    a rule broken by a value (amount more than 0 and at most 10,000,000, case-sensitive status, ISO date)
    or an unknown argument.

    Args:
        quote_id: The quote's UUID; find it with quote_search.
        amount: New quoted price, more than 0.
        status: New status, case-sensitive.
        valid_until: New last valid day, YYYY-MM-DD.
        quote_prefix: New label printed before the quote number.
        version: New version label of your own, free text such as "v3" (stored as version_label).
    """
    current = require_arc_record(api, "Quote", quote_id, "quote_id")
    changes = given(
        amount=amount, status=status, valid_until=valid_until, quote_prefix=quote_prefix, version_label=version
    )
    return update_record(api, "modify_quote", current, "Quote", changes, guard=_quote_guard)


@tool(writes=True, group="arc")
def cancel_quote(api: MockCrmApi, quote_id: str) -> dict[str, Any]:
    """Cancel a Draft or Sent quote (its status becomes "Canceled") and return it.

    Approved, Rejected and already Canceled quotes cannot be canceled; the error says which status the
    quote has. Fails when quote_id is not the UUID of an existing quote (find it with quote_search).

    Args:
        quote_id: The quote's UUID.
    """
    current = require_arc_record(api, "Quote", quote_id, "quote_id")
    _check_cancelable(current)
    return update_record(api, "cancel_quote", current, "Quote", {"status": "Canceled"})


@tool(writes=True, group="arc")
def delete_quote(api: MockCrmApi, quote_id: str) -> dict[str, Any]:
    """Delete a quote and the documents and notes attached to it; returns what was deleted.

    The opportunity and its other quotes are kept (their version numbers do not change). This cannot be
    undone: confirm with the user first. Fails when quote_id is not the UUID of an existing quote.

    Args:
        quote_id: The quote's UUID; find it with quote_search.
    """
    record = require_arc_record(api, "Quote", quote_id, "quote_id")
    documents = [d["document_id"] for d in attached(api, "Document", "Quote", [record["quote_id"]])]
    notes = [n["note_id"] for n in attached(api, "Note", "Quote", [record["quote_id"]])]
    api.world.delete("Quote", record["quote_id"])
    return {"deleted_quote": record, "deleted_document_ids": documents, "deleted_note_ids": notes}
