"""Agent-facing name lookup: objects and fields by name, case-insensitively, with a suggestion when wrong.

Salesforce treats object and field names case-insensitively, and so does SQLite, so ``account.name`` finds
``Account.Name``. An unknown name raises `CrmError` that suggests the closest name (difflib) and lists the
names that exist.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from crm_gym.errors import CrmError
from crm_gym.world.schema import ObjectSpec, Schema


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """A sentence suggesting the option closest to ``name`` (case-insensitive), or "" when none is close."""
    by_lower = {o.lower(): o for o in options}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" Did you mean {by_lower[close[0]]!r}?" if close else ""


def find_object(schema: Schema, name: str) -> ObjectSpec | None:
    """The object called ``name`` in any letter case, or None."""
    spec = schema.objects.get(name)
    if spec is not None:
        return spec
    lowered = name.lower()
    return next((o for n, o in schema.objects.items() if n.lower() == lowered), None)


def resolve_object(schema: Schema, name: str) -> ObjectSpec:
    """The object called ``name`` in any letter case; `CrmError` listing the objects when there is none."""
    spec = find_object(schema, name)
    if spec is None:
        raise CrmError(
            f"Unknown object {name!r}.{did_you_mean(name, schema.objects)} "
            f"Objects in this org: {', '.join(sorted(schema.objects))}."
        )
    return spec


def find_field(obj: ObjectSpec, name: str) -> str | None:
    """The canonical name of ``obj``'s field called ``name`` in any letter case, or None."""
    if name in obj.fields:
        return name
    lowered = name.lower()
    return next((f for f in obj.fields if f.lower() == lowered), None)


def resolve_field(obj: ObjectSpec, name: str) -> str:
    """The canonical name of ``obj``'s field ``name``; `CrmError` listing its fields when there is none."""
    field = find_field(obj, name)
    if field is None:
        raise CrmError(unknown_field_message(obj, name))
    return field


def unknown_field_message(obj: ObjectSpec, name: str) -> str:
    """The error text for a field that ``obj`` does not have."""
    return f"{obj.name} has no field {name!r}.{did_you_mean(name, obj.fields)} Fields of {obj.name}: " + (
        ", ".join(obj.fields) + "."
    )
