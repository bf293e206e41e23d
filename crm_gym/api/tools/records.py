"""Generic record tools for any org profile: describe, get, create, update, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm_gym.api.registry import tool
from crm_gym.errors import CrmError
from crm_gym.world.models import validate_values

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi


def require_record(api: MockCrmApi, object_name: str, record_id: Any) -> dict[str, Any]:
    """Return a record, or raise `CrmError` saying no such record exists and how to find ids."""
    if not isinstance(record_id, str) or not record_id.strip():
        raise CrmError(f"{object_name} id must be a non-empty string, got {record_id!r}.")
    record = api.world.get(object_name, record_id.strip())
    if record is None:
        raise CrmError(f"No {object_name} with id {record_id!r}. Use query or search to find valid ids.")
    return record


def check_references(api: MockCrmApi, object_name: str, values: dict[str, Any]) -> None:
    """Raise `CrmError` naming the field when a reference in ``values`` points at no existing record."""
    obj = api.schema.object(object_name)
    for name, spec in obj.references().items():
        value = values.get(name)
        if value is None:
            continue
        if spec.type == "reference":
            targets: tuple[str, ...] = (spec.to or "",)
        elif spec.type_field:
            targets = (values[spec.type_field],) if values.get(spec.type_field) else ()
        else:
            targets = api.schema.polymorphic_targets(object_name, name)
        if targets and not any(api.world.exists(t, value) for t in targets):
            raise CrmError(
                f"{object_name}.{name}: {value!r} is not the id of an existing {' or '.join(targets)}. "
                "Use query or search to find valid ids."
            )


@tool(writes=False)
def describe(api: MockCrmApi, object: str | None = None) -> dict[str, Any]:
    """List the CRM's objects, or one object's fields with their types, rules and allowed values.

    Call this first to learn the names to use in query, get, create and update.

    Args:
        object: An object name such as "Account"; omit it to list every object.
    """
    schema = api.schema
    if object is None:
        return {
            "objects": [
                {"name": name, "description": spec.description, "id_field": spec.primary_key}
                for name, spec in schema.objects.items()
            ]
        }
    spec = schema.object(object)
    fields = []
    for name, field in spec.fields.items():
        entry: dict[str, Any] = {"name": name, "type": field.type, "allowed": field.allowed()}
        if field.required or name == spec.primary_key:
            entry["required"] = True
        if field.unique:
            entry["unique"] = True
        if field.values:
            entry["values"] = list(field.values)
        if field.to:
            entry["references"] = field.to
        if field.description:
            entry["description"] = field.description
        fields.append(entry)
    return {"object": object, "description": spec.description, "id_field": spec.primary_key, "fields": fields}


@tool(writes=False)
def get(api: MockCrmApi, object: str, id: str) -> dict[str, Any]:
    """Fetch one record by id with all its fields.

    Args:
        object: The object name, e.g. "Case".
        id: The record id.
    """
    api.schema.object(object)
    return require_record(api, object, id)


@tool(writes=True)
def create(api: MockCrmApi, object: str, values: dict[str, Any]) -> dict[str, Any]:
    """Create one record. Required fields must be given; the id is assigned by the CRM.

    Fails when a value breaks a rule (wrong enum value, bad date, duplicate unique value, unknown
    reference); the error names the field and what is allowed, and nothing is created.

    Args:
        object: The object name, e.g. "Contact".
        values: Field names and values; call describe to see the fields and their rules.
    """
    api.schema.object(object)
    clean = validate_values(api.schema, object, values)
    check_references(api, object, clean)
    record_id = api.world.insert(object, clean)
    return require_record(api, object, record_id)


@tool(writes=True)
def update(api: MockCrmApi, object: str, id: str, values: dict[str, Any]) -> dict[str, Any]:
    """Change some fields of one record; fields not named keep their values. Ids never change.

    Args:
        object: The object name.
        id: The id of the record to change.
        values: The fields to change and their new values.
    """
    api.schema.object(object)
    require_record(api, object, id)
    if not values:
        raise CrmError("update needs at least one field in 'values'.")
    clean = validate_values(api.schema, object, values, for_update=True)
    check_references(api, object, {**require_record(api, object, id), **clean})
    api.world.update(object, id.strip(), clean)
    return require_record(api, object, id)


@tool(writes=True)
def delete(api: MockCrmApi, object: str, id: str) -> dict[str, Any]:
    """Delete one record. Records that depend on it are deleted too or the delete is refused, per the schema.

    Args:
        object: The object name.
        id: The id of the record to delete.
    """
    api.schema.object(object)
    require_record(api, object, id)
    api.world.delete(object, id.strip())
    return {"deleted": id.strip(), "object": object}
