"""The ``arc_compat`` tool profile: the tools as an agent written for the Arc CRM sandbox calls them.

Arc searches by field (``client_search(name="acme")``, every criterion a field of the record) and gets a list
back; it has three tools crm_gym's default profile folds into others (``opportunity_details``,
``compare_quote_details``, ``quote_prefixes``). This module registers those shapes for the ``arc_compat``
profile only, so the default tools stay as they are. The rules are crm_gym's everywhere: the searches keep
the default tools' own filters too, and results stay bounded. docs/arc_compat.md lists every difference.

The field searches are generated from the Arc schema (one argument per field), as the other tools take their
argument rules from it: a field added to ``data/schemas/arc.json`` becomes a search criterion.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from crm_gym.api.registry import ToolDef, argument_hints, registered_tools, tool
from crm_gym.api.tools import (  # noqa: F401  (the default searches these tools extend must be registered)
    arc_clients,
    arc_companies,
    arc_contacts,
    arc_contracts,
    arc_opportunity_views,
    arc_quote_views,
)
from crm_gym.api.tools.arc_common import Record, refuse_repeated_ids, require_arc_record
from crm_gym.config import SEARCH_MAX_RESULTS
from crm_gym.world.schema import FieldSpec, ObjectSpec, load_schema

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi

_PROFILE = ("arc_compat",)
_MAX_COMPARED = 10
# Arc kept a quote's version as free text; here the label is its own field and the number is the CRM's.
_ALSO_MATCHES = {("Quote", "version"): "version_label"}
_WORD_START = re.compile(r"(?:^|[\s\-_/])(\w)")


def _matches(spec: FieldSpec, value: Any, wanted: Any) -> bool:
    """Whether a record's field value meets one Arc criterion (see `_CRITERIA_RULES`)."""
    if value is None:
        return False
    if spec.type in ("integer", "number"):
        if isinstance(wanted, str):
            return wanted.strip() == (str(int(value)) if float(value).is_integer() else str(value))
        return float(value) == float(wanted)
    needle = str(wanted).strip().casefold()
    if spec.type == "enum":
        # Arc matched a substring, so "Active" found "Inactive" clients too; a whole word keeps "closed" finding
        # both closed stages (a criterion equal to the value is the first word of it).
        text = str(value).casefold()
        return any(text.startswith(needle, m.start(1)) for m in _WORD_START.finditer(text))
    haystack = value if isinstance(value, list) else [value]
    return any(needle in str(item).casefold() for item in haystack)


_CRITERIA_RULES = (
    'Every criterion given must match. Text matches any part of the value, ignoring case ("acme" finds "ACME '
    'Holdings"); a picklist value matches a whole word of it, ignoring case ("closed" finds Closed-Won and '
    'Closed-Lost, "Active" does not find "Inactive"); numbers match exactly.'
)


def _criterion_doc(object_name: str, name: str, spec: FieldSpec) -> str:
    if spec.type == "enum":
        return f"A word of the {name} (any case); values: {', '.join(spec.values)}."
    if spec.type in ("integer", "number"):
        also = _ALSO_MATCHES.get((object_name, name))
        return f"Exactly this {name}" + (f", or text found in the {also}." if also else ".")
    if spec.type in ("id", "reference", "polymorphic_reference"):
        return f"The {name}, a UUID (or part of one)."
    if spec.type == "list":
        return f"Text found in one of the {name}."
    if spec.type in ("date", "datetime"):
        return f'Text found in the {name}, e.g. "2025-11" for November 2025.'
    return f"Text found in the {name}."


def _criterion_hint(object_name: str, name: str, spec: FieldSpec) -> Any:
    if (object_name, name) in _ALSO_MATCHES:
        return int | str | None
    return {"integer": int | None, "number": float | None}.get(spec.type, str | None)


def _field_search(
    name: str,
    object_name: str,
    default: ToolDef,
    finish: Callable[[list[Record], int], Any],
    summary: str,
    *,
    with_limit: bool,
) -> None:
    """Register the ``arc_compat`` tool ``name``: Arc's field criteria on ``object_name`` plus the default
    search's own filters (those that are not fields); the matching records go to ``finish(records, limit)``."""
    obj: ObjectSpec = load_schema("arc").object(object_name)
    own = {n: h for n, h in argument_hints(default.func).items() if n not in obj.fields and n != "limit"}
    defaults = inspect.signature(default.func).parameters
    params, hints, docs = [inspect.Parameter("api", inspect.Parameter.POSITIONAL_OR_KEYWORD)], {}, []
    for field, spec in obj.fields.items():
        hints[field] = _criterion_hint(object_name, field, spec)
        docs.append(f"    {field}: {_criterion_doc(object_name, field, spec)}")
    for arg, hint in own.items():
        hints[arg] = hint
        docs.append(f"    {arg}: crm_gym's own filter. {default.arg_docs.get(arg, '')}")
    if with_limit:
        hints["limit"] = Annotated[int, Field(ge=1, le=SEARCH_MAX_RESULTS)]
        docs.append(f"    limit: At most this many records (1-{SEARCH_MAX_RESULTS}).")
    for arg in hints:
        default_value = SEARCH_MAX_RESULTS if arg == "limit" else defaults[arg].default if arg in own else None
        params.append(inspect.Parameter(arg, inspect.Parameter.KEYWORD_ONLY, default=default_value))

    def search(api: MockCrmApi, **arguments: Any) -> Any:
        limit = arguments.pop("limit", SEARCH_MAX_RESULTS)
        filters = {arg: value for arg in own if (value := arguments.pop(arg)) is not None}
        matches = default.func(api, **filters, limit=sys.maxsize)["results"]
        for field, wanted in arguments.items():
            if wanted is None:
                continue
            also = _ALSO_MATCHES.get((object_name, field)) if isinstance(wanted, str) else None
            matches = [
                r
                for r in matches
                if _matches(obj.fields[field], r[field], wanted)
                or (also is not None and _matches(obj.fields[also], r[also], wanted))
            ]
        return finish(matches, limit)

    search.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    search.__annotations__ = hints
    search.__doc__ = f"{summary}\n\n{_CRITERIA_RULES}\n\nArgs:\n" + "\n".join(docs)
    tool(writes=False, group="arc", profiles=_PROFILE, name=name)(search)


def _first(records: list[Record], limit: int) -> list[Record]:
    return records[:limit]


def _pipeline_summary(records: list[Record], _limit: int) -> dict[str, Any]:
    """Arc's summary shape: counts and total amount, counts by stage and by owner."""
    return {
        "total_count": len(records),
        "total_amount": round(sum(r["amount"] for r in records if r["amount"] is not None), 2),
        "by_stage": dict(Counter(r["stage"] for r in records if r["stage"])),
        "by_owner": dict(Counter(r["owner"] for r in records if r["owner"])),
    }


_DEFAULTS = registered_tools("default")
for _object, _tool, _order in (
    ("Client", "client_search", "name"),
    ("Contact", "contact_search", "last name, then first name"),
    ("Opportunity", "opportunity_search", "name"),
    ("Quote", "quote_search", "opportunity, then version"),
    ("Contract", "contract_search", "start date"),
    ("Company", "company_search", "name"),
):
    _noun = "companies" if _object == "Company" else f"{_object.lower()}s"
    _field_search(
        _tool,
        _object,
        _DEFAULTS[_tool],
        _first,
        f"Find {_noun} by any of their fields (Arc's search); returns a list of {_noun}, sorted by {_order}.",
        with_limit=True,
    )
_field_search(
    "summarize_opportunities",
    "Opportunity",
    _DEFAULTS["opportunity_search"],
    _pipeline_summary,
    "Summarise the opportunities that match (all of them when no criterion is given), Arc's way: "
    '{"total_count", "total_amount", "by_stage": {stage: count}, "by_owner": {owner: count}}.',
    with_limit=False,
)


@tool(writes=False, group="arc", profiles=_PROFILE)
def opportunity_details(api: MockCrmApi, opportunity_id: str) -> dict[str, Any]:
    """One opportunity's record (Arc's opportunity_details); view_opportunity_details also gives its quotes,
    contracts, notes and documents.

    Fails when opportunity_id is not the UUID of an existing opportunity (find it with opportunity_search).

    Args:
        opportunity_id: The opportunity's UUID.
    """
    return require_arc_record(api, "Opportunity", opportunity_id, "opportunity_id")


@tool(writes=False, group="arc", profiles=_PROFILE)
def compare_quote_details(
    api: MockCrmApi, quote_ids: Annotated[list[str], Field(min_length=1, max_length=_MAX_COMPARED)]
) -> dict[str, Any]:
    """Quotes side by side, Arc's way: {"quotes": the records in the order given, "amounts": their amounts,
    "statuses": their statuses, "total_amount": the sum of the amounts}.

    Fails when an id is repeated or is not the UUID of an existing quote (find them with quote_search).

    Args:
        quote_ids: The UUIDs of 1 to 10 different quotes.
    """
    quotes = [require_arc_record(api, "Quote", q, f"quote_ids[{i}]") for i, q in enumerate(quote_ids)]
    refuse_repeated_ids("compare_quote_details", [q["quote_id"] for q in quotes])
    return {
        "quotes": quotes,
        "amounts": [q["amount"] for q in quotes],
        "statuses": [q["status"] for q in quotes],
        "total_amount": round(sum(q["amount"] for q in quotes if q["amount"] is not None), 2),
    }


@tool(writes=False, group="arc", profiles=_PROFILE)
def quote_prefixes(api: MockCrmApi) -> list[str]:
    """Every quote prefix in use, each once, sorted (Arc's quote_prefixes); quotes without one are skipped.

    Use a prefix with quote_search(quote_prefix=...) to find its quotes.
    """
    rows = api.world.conn.execute(
        "SELECT DISTINCT quote_prefix FROM Quote WHERE quote_prefix IS NOT NULL AND trim(quote_prefix) != ''"
    )
    return sorted(row[0] for row in rows)
