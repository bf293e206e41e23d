"""Arc contract tools: create and search signed agreements with clients."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from crm_gym.api.registry import FieldRef, tool
from crm_gym.api.tools.arc_common import (
    Record,
    SearchLimit,
    arc_id,
    canonical_enum,
    create_record,
    given,
    require_arc_record,
    search_result,
)
from crm_gym.errors import CrmError

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi


# Arc files a contract without a status as Pending; crm_gym's own tool leaves it empty.
_DEFAULT_STATUS = {"default": None, "arc_compat": "Pending"}


def _check_period(values: Record) -> None:
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        raise CrmError(f"Contract.end_date {end!r} is before start_date {start!r}; it must be on or after it.")


@tool(writes=True, group="arc")
def create_contract(
    api: MockCrmApi,
    client_id: Annotated[str, FieldRef("Contract", "client_id")],
    opportunity_id: Annotated[str | None, FieldRef("Contract", "opportunity_id")] = None,
    start_date: Annotated[str | None, FieldRef("Contract", "start_date")] = None,
    end_date: Annotated[str | None, FieldRef("Contract", "end_date")] = None,
    value: Annotated[float | None, FieldRef("Contract", "value")] = None,
    status: Annotated[str | None, FieldRef("Contract", "status")] = None,
    document_url: Annotated[str | None, FieldRef("Contract", "document_url")] = None,
) -> dict[str, Any]:
    """Create a contract with a client, optionally for one of its opportunities; returns it with its contract_id.

    Fails and creates nothing when client_id (or opportunity_id) is not the UUID of an existing record,
    the opportunity belongs to another client, a date is not ISO YYYY-MM-DD, end_date is before
    start_date, value is negative, status is not exactly an allowed value (case-sensitive), or an
    unknown argument is given.

    Args:
        client_id: UUID of the client who signs; find it with client_search.
        opportunity_id: UUID of the client's opportunity the contract closes, if any.
        start_date: First day of the contract, YYYY-MM-DD.
        end_date: Last day of the contract, YYYY-MM-DD, not before start_date.
        value: Contract value in dollars, 0 or more.
        status: Contract status, case-sensitive; left empty when omitted ("Pending" in the arc_compat tool
            profile, as in Arc).
        document_url: Link to the signed document, http(s).
    """
    if status is None:
        status = _DEFAULT_STATUS[api.tool_profile]
    values = given(start_date=start_date, end_date=end_date, value=value, status=status, document_url=document_url)
    values["client_id"] = arc_id(client_id, "Client", "client_id")
    if opportunity_id is not None:
        opportunity = require_arc_record(api, "Opportunity", opportunity_id, "opportunity_id")
        if opportunity["client_id"] != values["client_id"]:
            raise CrmError(
                f"Opportunity {opportunity['opportunity_id']!r} belongs to client {opportunity['client_id']!r}, "
                f"not {values['client_id']!r}: a contract can only be for one of its own client's opportunities."
            )
        values["opportunity_id"] = opportunity["opportunity_id"]
    return create_record(api, "Contract", values, guard=_check_period)


@tool(writes=False, group="arc", profiles=("default",))  # arc_compat has Arc's field search (arc_compat.py)
def contract_search(
    api: MockCrmApi,
    client_id: str | None = None,
    opportunity_id: str | None = None,
    status: Annotated[str | None, FieldRef("Contract", "status")] = None,
    limit: SearchLimit = 20,
) -> dict[str, Any]:
    """Find contracts by client, opportunity and status; returns {"total", "returned", "results"} by start date.

    Contracts are sorted by start_date (those without one last), then id.

    Args:
        client_id: Only this client's contracts (its UUID; find it with client_search).
        opportunity_id: Only contracts for this opportunity (its UUID).
        status: Only contracts with this status (any case).
        limit: At most this many results (1-50).
    """
    wanted = canonical_enum(api, "Contract", "status", status)
    where, params = [], []
    for column, value, target in (
        ("client_id", client_id, "Client"),
        ("opportunity_id", opportunity_id, "Opportunity"),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(arc_id(value, target, column))
    if wanted is not None:
        where.append("status = ?")
        params.append(wanted)
    matches = api.world.rows("Contract", " AND ".join(where), params)
    matches.sort(key=lambda c: (c["start_date"] is None, c["start_date"] or "", c["contract_id"]))
    return search_result(matches, limit)
