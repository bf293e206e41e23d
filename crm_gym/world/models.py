"""Pydantic record models generated from a `Schema`: one create model and one update model per object.

Tools validate arguments with these models before touching the database, so an agent gets an error that
names the field, the bad value and what is allowed, and a failed call changes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    create_model,
)

from crm_gym import config
from crm_gym.errors import CrmError, brief
from crm_gym.world.schema import FieldSpec, ObjectSpec, Schema

# SQLite stores integers in 64 bits; a bigger Python int fails at the database (OverflowError), not as a rule.
_INT64 = {"ge": -(2**63), "le": 2**63 - 1}

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ().-]{7,25}( ?(x|ext\.?) ?[0-9]{1,6})?$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Offsets need the colon: SQLite's date functions (the CHECK constraints) do not read "+0200".
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")


def _check_date(value: str) -> str:
    if not _DATE.match(value):
        raise ValueError("expected an ISO date YYYY-MM-DD")
    dt.date.fromisoformat(value)
    return value


def _check_datetime(value: str) -> str:
    if not _DATETIME.match(value):
        raise ValueError("expected an ISO date-time YYYY-MM-DDTHH:MM:SS")
    dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _matching(pattern: re.Pattern[str], what: str):  # noqa: ANN202 - a validator factory
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"expected {what}")
        return value

    return check


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value


def _not_bool(value: Any) -> Any:
    # pydantic's lax float takes true/false as 1.0/0.0: a boolean is never an amount.
    if isinstance(value, bool):
        raise ValueError("expected a number, not a boolean")
    return value


def _whole(value: Any) -> Any:
    # "50" and 50.0 are accepted as 50, but 50.5, "fifty" and True are not whole numbers.
    if isinstance(value, bool):
        raise ValueError("expected a whole number, not a boolean")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("expected a whole number")
    return value


def _python_type(spec: FieldSpec) -> Any:
    text_kw: dict[str, Any] = {"max_length": spec.max_length or config.TEXT_MAX_CHARS}
    if spec.pattern is not None:
        text_kw["pattern"] = spec.pattern
    if spec.required and spec.type in ("string", "text", "id", "reference", "polymorphic_reference"):
        text_kw["min_length"] = 1
    number_kw: dict[str, Any] = dict(_INT64) if spec.type == "integer" else {}
    if spec.min is not None:
        number_kw["ge"] = spec.min
    if spec.max is not None:
        number_kw["le"] = spec.max
    if spec.exclusive_min is not None:
        number_kw["gt"] = spec.exclusive_min
    match spec.type:
        case "enum":
            return Literal[spec.values]  # type: ignore[valid-type]
        case "integer":
            return Annotated[int, BeforeValidator(_whole), Field(**number_kw)]
        case "number":
            return Annotated[
                float, BeforeValidator(_not_bool), Field(allow_inf_nan=False, **number_kw), AfterValidator(_finite)
            ]
        case "boolean":
            return StrictBool
        case "date":
            return Annotated[str, AfterValidator(_check_date)]
        case "datetime":
            return Annotated[str, AfterValidator(_check_datetime)]
        case "email":
            return Annotated[str, Field(**text_kw), AfterValidator(_matching(_EMAIL, "an email like name@example.com"))]
        case "phone":
            return Annotated[str, Field(**text_kw), AfterValidator(_matching(_PHONE, "a phone number"))]
        case "url":
            return Annotated[str, Field(**text_kw), AfterValidator(_matching(_URL, "an http(s) URL"))]
        case "list":
            item = Annotated[str, Field(max_length=255)]
            return Annotated[list[item], Field(max_length=config.LIST_MAX_ITEMS)]  # type: ignore[valid-type]
        case _:
            return Annotated[str, Field(**text_kw)]


_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=False)


def _field_definitions(obj: ObjectSpec, *, for_update: bool) -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    for name, spec in obj.writable_fields.items():
        annotation = _python_type(spec)
        description = spec.description or f"{spec.type}: {spec.allowed()}"
        if spec.required and not for_update:
            definitions[name] = (annotation, Field(description=description))
        else:
            definitions[name] = (annotation | None, Field(default=None, description=description))
    return definitions


def create_model_for(schema: Schema, object_name: str) -> type[BaseModel]:
    """The pydantic model of the values needed to create one record (required fields required)."""
    obj = schema.object(object_name)
    return schema.derived(
        ("create", object_name),
        lambda: create_model(f"{object_name}Create", __config__=_CONFIG, **_field_definitions(obj, for_update=False)),
    )


def update_model_for(schema: Schema, object_name: str) -> type[BaseModel]:
    """The pydantic model of the values allowed in an update (every writable field optional)."""
    obj = schema.object(object_name)
    return schema.derived(
        ("update", object_name),
        lambda: create_model(f"{object_name}Update", __config__=_CONFIG, **_field_definitions(obj, for_update=True)),
    )


def validation_message(object_name: str, obj: ObjectSpec, err: ValidationError) -> str:
    """Turn a pydantic error into one sentence per problem: the field, the bad value, what is allowed."""
    problems = []
    for item in err.errors():
        field = str(item["loc"][0]) if item["loc"] else "?"
        if item["type"] == "extra_forbidden":
            allowed = ", ".join(obj.writable_fields)
            problems.append(f"{object_name} has no field {field!r}. Fields you can set: {allowed}.")
            continue
        if item["type"] == "missing":
            problems.append(f"{object_name}.{field} is required.")
            continue
        spec = obj.fields.get(field)
        if item["type"] == "string_too_short" and spec is not None and spec.required:
            problems.append(
                f"{object_name}.{field} is required and cannot be empty: {item['input']!r} is not allowed; "
                f"expected {spec.allowed()}, at least one character besides spaces."
            )
            continue
        allowed = spec.allowed() if spec else ""
        problems.append(f"{object_name}.{field}: {brief(item['input'])} is not allowed; expected {allowed}.")
    return " ".join(problems)


def validate_values(
    schema: Schema, object_name: str, values: dict[str, Any], *, for_update: bool = False
) -> dict[str, Any]:
    """Validate and normalise values for a create (or an update); raise `CrmError` naming each problem.

    Only the fields present in ``values`` are returned for an update, so an update never nulls a field
    by omission.
    """
    obj = schema.object(object_name)
    if obj.primary_key in values:
        raise CrmError(
            f"{object_name}.{obj.primary_key} is the primary key: it is assigned by the CRM and never changes."
        )
    model = update_model_for(schema, object_name) if for_update else create_model_for(schema, object_name)
    try:
        parsed = model.model_validate(values)
    except ValidationError as err:
        raise CrmError(validation_message(object_name, obj, err)) from err
    dumped = parsed.model_dump()
    return {k: dumped[k] for k in values} if for_update else {k: v for k, v in dumped.items() if v is not None}
