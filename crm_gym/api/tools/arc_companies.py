"""Arc company tool: search partners, vendors and competitors (organisations that are not clients)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from crm_gym.api.registry import FieldRef, tool
from crm_gym.api.tools.arc_common import SearchLimit, canonical_enum, contains, search_result

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi


@tool(writes=False, group="arc", profiles=("default",))  # arc_compat has Arc's field search (arc_compat.py)
def company_search(
    api: MockCrmApi,
    query: str | None = None,
    type: Annotated[str | None, FieldRef("Company", "type")] = None,
    industry: str | None = None,
    limit: SearchLimit = 20,
) -> dict[str, Any]:
    """Find partner, vendor and competitor companies; returns {"total", "returned", "results"} sorted by name.

    Matching ignores case: query is a substring of the company name or of one of its contacts' names,
    industry a substring of the industry. Customers are clients, not companies: use client_search for them.

    Args:
        query: Text to look for in the name or the contact names.
        type: Only companies of this type (any case).
        industry: Only companies whose industry contains this text.
        limit: At most this many results (1-50).
    """
    wanted = canonical_enum(api, "Company", "type", type)
    matches = [
        c
        for c in api.world.rows("Company")
        if contains((c["name"], *(c["contacts"] or ())), query)
        and (wanted is None or c["type"] == wanted)
        and contains((c["industry"],), industry)
    ]
    matches.sort(key=lambda c: (c["name"].casefold(), c["company_id"]))
    return search_result(matches, limit)
