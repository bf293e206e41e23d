"""Schema as data: one JSON file per org profile describes every object, field, type and rule.

The same `Schema` drives the SQLite DDL (`world.ddl`), the pydantic record models (`world.models`), the
tool argument schemas and the ``describe`` tool, so a rule is written once.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from crm_gym import config
from crm_gym.config import SCHEMA_DIR_NAME, data_dir
from crm_gym.errors import SchemaError, UnknownProfileError

FieldType = Literal[
    "id",
    "string",
    "text",
    "enum",
    "integer",
    "number",
    "boolean",
    "date",
    "datetime",
    "email",
    "phone",
    "url",
    "reference",
    "polymorphic_reference",
    "list",
]
OnDelete = Literal["cascade", "set_null", "restrict"]


class FieldSpec(BaseModel):
    """One field of a CRM object: its type and every rule a value must satisfy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: FieldType
    required: bool = False
    unique: bool = False
    description: str = ""
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    exclusive_min: float | None = None
    max_length: int | None = None
    pattern: str | None = None
    to: str | None = None
    type_field: str | None = None
    targets: tuple[str, ...] = ()
    on_delete: OnDelete = "restrict"

    @model_validator(mode="after")
    def _check_consistency(self) -> FieldSpec:
        if self.type == "enum" and not self.values:
            raise ValueError("an enum field needs 'values'")
        if self.type == "reference" and not self.to:
            raise ValueError("a reference field needs 'to'")
        if self.type == "polymorphic_reference" and bool(self.type_field) == bool(self.targets):
            raise ValueError(
                "a polymorphic_reference field needs either 'type_field' (an enum naming the object) "
                "or 'targets' (the objects an id may point at, told apart by id prefix)"
            )
        return self

    def allowed(self) -> str:
        """Describe the allowed values in one phrase, for error messages and ``describe``."""
        if self.type == "enum":
            return "one of " + ", ".join(repr(v) for v in self.values) + " (case-sensitive)"
        parts = {
            "id": "an existing record id",
            "string": "text",
            "text": "text",
            "integer": "a whole number",
            "number": "a number",
            "boolean": "true or false",
            "date": "an ISO date YYYY-MM-DD",
            "datetime": "an ISO date-time YYYY-MM-DDTHH:MM:SS",
            "email": "an email address like name@example.com",
            "phone": "a phone number of digits, spaces and + ( ) - .",
            "url": "an http(s) URL",
            "reference": f"the id of an existing {self.to}",
            "polymorphic_reference": (
                f"the id of an existing record of the type named by {self.type_field!r}"
                if self.type_field
                else f"the id of an existing {' or '.join(self.targets)}"
            ),
            "list": "a list of strings",
        }
        text = parts[self.type]
        bounds = []
        if self.exclusive_min is not None:
            bounds.append(f"> {_fmt(self.exclusive_min)}")
        if self.min is not None:
            bounds.append(f">= {_fmt(self.min)}")
        if self.max is not None:
            bounds.append(f"<= {_fmt(self.max)}")
        if self.max_length is not None:
            bounds.append(f"at most {self.max_length} characters")
        elif self.type in ("string", "text", "email", "phone", "url"):
            bounds.append(f"at most {config.TEXT_MAX_CHARS:,} characters")
        elif self.type == "list":
            bounds.append(f"at most {config.LIST_MAX_ITEMS} items of at most 255 characters")
        if self.pattern is not None:
            bounds.append(f"matching {self.pattern}")
        return text + (" " + ", ".join(bounds) if bounds else "")


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


class ObjectSpec(BaseModel):
    """One CRM object (a table): its fields, primary key and full-text fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    description: str = ""
    primary_key: str
    id_prefix: str | None = None
    search_fields: tuple[str, ...] = ()
    fields: dict[str, FieldSpec]

    @model_validator(mode="after")
    def _check_fields(self) -> ObjectSpec:
        if self.primary_key not in self.fields:
            raise ValueError(f"primary key {self.primary_key!r} is not a field")
        missing = [f for f in self.search_fields if f not in self.fields]
        if missing:
            raise ValueError(f"search_fields {missing} are not fields")
        return self

    @property
    def writable_fields(self) -> dict[str, FieldSpec]:
        """Fields a caller may set: everything but the primary key."""
        return {k: v for k, v in self.fields.items() if k != self.primary_key}

    def references(self) -> dict[str, FieldSpec]:
        """Fields that point at another record (plain or polymorphic)."""
        return {k: v for k, v in self.fields.items() if v.type in ("reference", "polymorphic_reference")}


class Schema(BaseModel):
    """An org profile: every object of the CRM and how its ids look."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    profile: str
    description: str = ""
    id_style: Literal["uuid", "salesforce"]
    objects: dict[str, ObjectSpec] = Field(default_factory=dict)
    # Per-schema memo for derived artefacts (record models, tool schemas): a schema never changes.
    _derived: dict[Any, Any] = PrivateAttr(default_factory=dict)

    def derived(self, key: Any, build: Any) -> Any:
        """Return ``build()`` computed once per schema and key (schemas are immutable)."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    @model_validator(mode="after")
    def _check_references(self) -> Schema:
        for name, obj in self.objects.items():
            object.__setattr__(obj, "name", name)
            for field_name, spec in obj.fields.items():
                if spec.type == "reference" and spec.to not in self.objects:
                    raise ValueError(f"{name}.{field_name} refers to unknown object {spec.to!r}")
                if spec.type == "polymorphic_reference" and spec.targets:
                    unknown = [t for t in spec.targets if t not in self.objects]
                    if unknown:
                        raise ValueError(f"{name}.{field_name}: targets {unknown} are not objects")
                elif spec.type == "polymorphic_reference":
                    type_spec = obj.fields.get(spec.type_field or "")
                    if type_spec is None or type_spec.type != "enum":
                        raise ValueError(f"{name}.{field_name}: type_field must be an enum field")
                    unknown = [v for v in type_spec.values if v not in self.objects]
                    if unknown:
                        raise ValueError(f"{name}.{field_name}: {unknown} are not objects")
            if self.id_style == "salesforce" and not obj.id_prefix:
                raise ValueError(f"{name} needs an id_prefix in a salesforce profile")
        return self

    def object(self, name: str) -> ObjectSpec:
        """Return one object's spec, or raise `CrmError` listing the objects that exist."""
        from crm_gym.errors import CrmError

        spec = self.objects.get(name)
        if spec is None:
            raise CrmError(f"Unknown object {name!r}. Objects in this org: {', '.join(sorted(self.objects))}.")
        return spec

    def polymorphic_targets(self, object_name: str, field_name: str) -> tuple[str, ...]:
        """The objects a polymorphic reference may point at."""
        spec = self.objects[object_name].fields[field_name]
        if spec.type_field:
            return self.objects[object_name].fields[spec.type_field].values
        return spec.targets

    def object_for_id_prefix(self, record_id: str) -> str | None:
        """Return the object whose Salesforce key prefix starts ``record_id`` (None if no match)."""
        for name, obj in self.objects.items():
            if obj.id_prefix and record_id.startswith(obj.id_prefix):
                return name
        return None


def list_profiles() -> list[str]:
    """Names of the org profiles shipped with crm_gym."""
    return sorted(p.stem for p in (data_dir() / SCHEMA_DIR_NAME).glob("*.json"))


@cache
def load_schema(profile: str) -> Schema:
    """Load and validate the schema of an org profile (cached: schemas are immutable)."""
    path = data_dir() / SCHEMA_DIR_NAME / f"{profile}.json"
    if not path.is_file():
        raise UnknownProfileError(f"Unknown org profile {profile!r}. Profiles: {', '.join(list_profiles())}.")
    try:
        return Schema.model_validate(json.loads(path.read_text()))
    except ValueError as err:
        raise SchemaError(f"Schema file {path} is invalid: {err}") from err
