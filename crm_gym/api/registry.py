"""The tool registry: a decorator that turns a typed, documented function into an agent-facing tool.

A tool's signature and Google-style docstring are its single definition: the argument model used to
validate calls, the JSON schema given to OpenAI and Anthropic models, and the ``describe`` text all come
from it. Arguments annotated with `FieldRef` take their JSON schema (enum values, formats) from the org's
schema file, so the enum values a model sees are exactly the ones the database accepts.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

import docstring_parser
from pydantic import BaseModel, ConfigDict, Field, create_model

from crm_gym.world.schema import FieldSpec, Schema

ToolGroup = Literal["generic", "arc"]


@dataclass(frozen=True)
class FieldRef:
    """Marks a tool argument as carrying the value of a schema field, e.g. ``FieldRef("Opportunity", "stage")``."""

    object: str
    field: str


@dataclass(frozen=True)
class ToolDef:
    """One registered tool: its function, whether it writes, its docs and its argument model."""

    name: str
    func: Callable[..., Any]
    writes: bool
    group: ToolGroup
    summary: str
    arg_docs: dict[str, str] = field(default_factory=dict)
    field_refs: dict[str, FieldRef] = field(default_factory=dict)

    @property
    def description(self) -> str:
        """The docstring without its Args section: what the model reads about the tool."""
        return self.summary

    def args_model(self) -> type[BaseModel]:
        """A pydantic model of the arguments (unknown arguments are rejected)."""
        return _args_model(self)

    def parameters_schema(self, schema: Schema) -> dict[str, Any]:
        """The JSON schema of the arguments, with enum values and formats taken from the org's schema."""
        return schema.derived(("tool-params", self.name), lambda: _parameters_schema(self, schema))


_REGISTRY: dict[str, ToolDef] = {}


def argument_hints(func: Callable[..., Any]) -> dict[str, Any]:
    """Resolved type hints of a tool's arguments, skipping the first (the api, often imported only for typing)."""
    names = list(inspect.signature(func).parameters)[1:]
    shim = types.FunctionType(func.__code__, func.__globals__)
    shim.__annotations__ = {k: v for k, v in func.__annotations__.items() if k in names}
    return get_type_hints(shim, include_extras=True)


def tool(*, writes: bool, group: ToolGroup = "generic") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function ``f(api, **args)`` as a tool named after the function.

    Args:
        writes: Whether the tool can change the world (write tools run inside one atomic savepoint).
        group: "generic" tools work on any org profile; "arc" tools need the Arc objects.
    """

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        doc = docstring_parser.parse(inspect.getdoc(func) or "")
        summary = "\n\n".join(p for p in (doc.short_description, doc.long_description) if p)
        hints = argument_hints(func)
        refs = {}
        for name, hint in hints.items():
            if get_origin(hint) is Annotated:
                refs.update((name, m) for m in get_args(hint)[1:] if isinstance(m, FieldRef))
        definition = ToolDef(
            name=func.__name__,
            func=func,
            writes=writes,
            group=group,
            summary=summary,
            arg_docs={p.arg_name: p.description or "" for p in doc.params},
            field_refs=refs,
        )
        if definition.name in _REGISTRY:
            raise ValueError(f"tool {definition.name!r} is registered twice")
        _REGISTRY[definition.name] = definition
        return func

    return register


def registered_tools() -> dict[str, ToolDef]:
    """Every registered tool by name (importing `crm_gym.api` registers them all)."""
    return dict(_REGISTRY)


_ARGS_CONFIG = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
_MODELS: dict[str, type[BaseModel]] = {}


def _args_model(definition: ToolDef) -> type[BaseModel]:
    if definition.name not in _MODELS:
        signature = inspect.signature(definition.func)
        hints = argument_hints(definition.func)
        fields: dict[str, Any] = {}
        for index, (name, param) in enumerate(signature.parameters.items()):
            if index == 0:  # the api the tool runs against
                continue
            default = ... if param.default is inspect.Parameter.empty else param.default
            fields[name] = (hints[name], Field(default, description=definition.arg_docs.get(name, "")))
        _MODELS[definition.name] = create_model(f"{definition.name}_args", __config__=_ARGS_CONFIG, **fields)
    return _MODELS[definition.name]


def _field_json_schema(spec: FieldSpec) -> dict[str, Any]:
    """JSON schema of one schema field's value (enum, format, bounds)."""
    json_type = {"integer": "integer", "number": "number", "boolean": "boolean", "list": "array"}.get(
        spec.type, "string"
    )
    out: dict[str, Any] = {"type": json_type}
    if spec.type == "enum":
        out["enum"] = list(spec.values)
    if spec.type == "list":
        out["items"] = {"type": "string"}
    if spec.type == "date":
        out["format"] = "date"
    if spec.type == "datetime":
        out["format"] = "date-time"
    if spec.type == "email":
        out["format"] = "email"
    for key, value in (
        ("minimum", spec.min),
        ("maximum", spec.max),
        ("exclusiveMinimum", spec.exclusive_min),
    ):
        if value is not None:
            out[key] = int(value) if float(value).is_integer() else value
    if spec.max_length is not None:
        out["maxLength"] = spec.max_length
    if spec.pattern is not None:
        out["pattern"] = spec.pattern
    return out


def _strip(node: Any) -> Any:
    """Remove pydantic's titles and collapse ``X | None`` to ``X`` (optional = not required)."""
    if isinstance(node, list):
        return [_strip(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _strip(v) for k, v in node.items() if k != "title" or not isinstance(v, str)}  # keep fields named title
    options = node.get("anyOf")
    if options and any(o.get("type") == "null" for o in options):
        rest = [o for o in options if o.get("type") != "null"]
        node.pop("anyOf")
        if len(rest) == 1:
            node = {**rest[0], **node}
        else:
            node["anyOf"] = rest
    if node.get("default", 0) is None:
        node.pop("default")
    return node


def _parameters_schema(definition: ToolDef, schema: Schema) -> dict[str, Any]:
    params = _strip(definition.args_model().model_json_schema())
    params.setdefault("properties", {})
    params.pop("additionalProperties", None)
    for name, ref in definition.field_refs.items():
        obj = schema.objects.get(ref.object)
        if obj is None or ref.field not in obj.fields:
            continue
        prop = params["properties"][name]
        prop.update(_field_json_schema(obj.fields[ref.field]))
        prop["description"] = (prop.get("description") or "") + f" Allowed: {obj.fields[ref.field].allowed()}."
        prop["description"] = prop["description"].strip()
    params["additionalProperties"] = False
    return {"type": "object", **{k: v for k, v in params.items() if k != "type"}}
