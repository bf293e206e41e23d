"""Helpers shared by the Arc tools: the world's "today", UUID checks, validated writes and bounded searches.

Nothing here reads the wall clock: "now" is the org's own date, stored in the world's ``_meta`` table under
``config.TODAY_META_KEY`` by the org generator (or a task's seed state), and ``config.DEFAULT_TODAY`` when the
org has none. So a tool call gives the same record in any process on any day.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from crm_gym.api.tools.records import check_references, require_record
from crm_gym.config import DEFAULT_TODAY, SEARCH_MAX_RESULTS
from crm_gym.errors import CrmError
from crm_gym.world.models import validate_values

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi
    from crm_gym.world.world import World

Record = dict[str, Any]

CLOSED_STAGES = ("Closed-Won", "Closed-Lost")
SEARCH_TOOLS = {
    "Client": "client_search",
    "Contact": "contact_search",
    "Opportunity": "opportunity_search",
    "Quote": "quote_search",
    "Contract": "contract_search",
    "Company": "company_search",
}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_EXAMPLE_UUID = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"

# The ``limit`` argument of every Arc search: results are bounded whatever the agent asks for.
SearchLimit = Annotated[int, Field(ge=1, le=SEARCH_MAX_RESULTS)]


def world_today(world: World) -> str:
    """The org's current date as ``YYYY-MM-DD``: ``_meta['today']``, or ``config.DEFAULT_TODAY`` when unset."""
    return world.today() or DEFAULT_TODAY


def world_now(world: World) -> str:
    """The org's current date-time, 09:00 on `world_today`: the timestamp of records the tools create."""
    return f"{world_today(world)}T09:00:00"


def arc_id(value: Any, object_name: str, argument: str) -> str:
    """Return ``value`` as a normalised (trimmed, lower-case) UUID, or raise `CrmError` explaining the id format."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not _UUID.match(text):
        finder = SEARCH_TOOLS.get(object_name)
        hint = f" Use {finder} to find it." if finder else ""
        article = "an" if object_name[:1] in "AEIOU" else "a"
        raise CrmError(
            f"{argument} must be the id of {article} {object_name}: a UUID like {_EXAMPLE_UUID!r}, got {value!r}.{hint}"
        )
    return text


def require_arc_record(api: MockCrmApi, object_name: str, value: Any, argument: str) -> Record:
    """The record whose UUID is ``value``; raise `CrmError` for a malformed id or a missing record."""
    return require_record(api, object_name, arc_id(value, object_name, argument))


def given(**values: Any) -> dict[str, Any]:
    """The arguments the caller actually gave (None means "not given")."""
    return {k: v for k, v in values.items() if v is not None}


def display_name(record: Record) -> str:
    """A short human label for a record: its name, or first and last name."""
    if record.get("name"):
        return str(record["name"])
    return " ".join(str(record[k]) for k in ("first_name", "last_name") if record.get(k))


def _check_email_free(api: MockCrmApi, object_name: str, values: Record, own_id: str | None = None) -> None:
    # The database's UNIQUE ... COLLATE NOCASE is the last line of defence; this check names the holder.
    email = values.get("email")
    if email is None or "email" not in api.schema.object(object_name).fields:
        return
    pk = api.schema.object(object_name).primary_key
    for holder in api.world.rows(object_name, "email = ? COLLATE NOCASE", (email,)):
        if holder[pk] != own_id:
            raise CrmError(
                f"{object_name}.email {email!r} is already used by {object_name} {holder[pk]!r} "
                f"({display_name(holder)}); emails are unique, ignoring case and surrounding spaces. "
                f"Use another email, or change that {object_name} instead."
            )


def create_record(
    api: MockCrmApi, object_name: str, values: Record, guard: Callable[[Record], None] | None = None
) -> Record:
    """Validate ``values`` against the schema, check uniqueness and references, insert, return the new record.

    ``guard``, when given, is called with the validated values and raises `CrmError` when a business rule
    that spans fields forbids them.
    """
    clean = validate_values(api.schema, object_name, values)
    if guard is not None:
        guard(clean)
    _check_email_free(api, object_name, clean)
    check_references(api, object_name, clean)
    return require_record(api, object_name, api.world.insert(object_name, clean))


def update_record(
    api: MockCrmApi,
    tool_name: str,
    current: Record,
    object_name: str,
    changes: Record,
    guard: Callable[[Record, Record], None] | None = None,
) -> Record:
    """Apply ``changes`` to ``current`` (a record just read) after validation; return the changed record.

    Args:
        api: The API whose world is changed.
        tool_name: The calling tool, named in the error when nothing would change.
        current: The record as it is now.
        object_name: Its object.
        changes: Field -> new value, only the fields the caller gave.
        guard: Called with (current, validated changes); raises `CrmError` when a business rule forbids them.
    """
    if not changes:
        fields = api.tools[tool_name].updatable_arguments()
        raise CrmError(
            f"{tool_name} needs at least one field to change, as an argument or in updates: {', '.join(fields)}."
        )
    clean = validate_values(api.schema, object_name, changes, for_update=True)
    if guard is not None:
        guard(current, clean)
    pk = api.schema.object(object_name).primary_key
    _check_email_free(api, object_name, clean, current[pk])
    check_references(api, object_name, {**current, **clean})
    api.world.update(object_name, current[pk], clean)
    return require_record(api, object_name, current[pk])


def canonical_enum(api: MockCrmApi, object_name: str, field: str, value: str | None) -> str | None:
    """A search filter's enum value matched case-insensitively to the schema's spelling (None stays None)."""
    if value is None:
        return None
    spec = api.schema.object(object_name).fields[field]
    for allowed in spec.values:
        if allowed.casefold() == value.strip().casefold():
            return allowed
    raise CrmError(f"{object_name}.{field} filter: {value!r} is not allowed; expected {spec.allowed()}.")


def contains(haystack: Iterable[Any], needle: str | None) -> bool:
    """True when ``needle`` is absent or a case-insensitive substring of one of the non-empty values."""
    if needle is None or not needle.strip():
        return True
    wanted = needle.strip().casefold()
    return any(wanted in str(v).casefold() for v in haystack if v is not None)


def same_text(value: Any, wanted: str | None) -> bool:
    """True when ``wanted`` is absent or equals ``value`` ignoring case and surrounding spaces."""
    return wanted is None or (value is not None and str(value).strip().casefold() == wanted.strip().casefold())


def within(value: float | None, low: float | None, high: float | None) -> bool:
    """True when ``value`` lies in [low, high]; an open bound always holds, a missing value never does."""
    if low is None and high is None:
        return True
    return value is not None and (low is None or value >= low) and (high is None or value <= high)


def search_result(matches: Sequence[Record], limit: int) -> dict[str, Any]:
    """The bounded answer of a search: how many matched and the first ``limit`` of them, in order."""
    return {"total": len(matches), "returned": min(limit, len(matches)), "results": list(matches[:limit])}


def refuse_repeated_ids(tool_name: str, ids: Sequence[str]) -> None:
    """Raise `CrmError` when a list of quote ids names one quote twice (a comparison needs different quotes)."""
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise CrmError(
            f"{tool_name} quote_ids: {', '.join(map(repr, repeated))} is given twice; expected different quotes."
        )


def attached(api: MockCrmApi, object_name: str, entity_type: str, entity_ids: Sequence[str]) -> list[Record]:
    """Documents or Notes (``object_name``) attached to any of the given records, sorted by time then id."""
    if not entity_ids:
        return []
    marks = ", ".join("?" for _ in entity_ids)
    rows = api.world.rows(object_name, f"entity_type = ? AND entity_id IN ({marks})", (entity_type, *entity_ids))
    stamp = "uploaded_at" if object_name == "Document" else "created_at"
    pk = api.schema.object(object_name).primary_key
    return sorted(rows, key=lambda r: (r[stamp] or "", r[pk]))
