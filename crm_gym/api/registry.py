"""The tool registry: a decorator that turns a typed, documented function into an agent-facing tool.

A tool's signature and Google-style docstring are its single definition: the argument model used to
validate calls, the JSON schema given to OpenAI and Anthropic models, and the ``describe`` text all come
from it. Arguments annotated with `FieldRef` take their JSON schema (enum values, formats) from the org's
schema file, so the enum values a model sees are exactly the ones the database accepts.

Tools belong to one or more *tool profiles*: ``default`` (crm_gym's own tools) and ``arc_compat`` (the same
tools as an agent written for the Arc CRM sandbox calls them: Arc's searches, its three extra tools, its
positional argument orders; see docs/arc_compat.md). A tool that differs between profiles is registered once
per profile under the same name.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

import docstring_parser
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from crm_gym.errors import CrmGymError
from crm_gym.world.schema import FieldSpec, Schema

ToolGroup = Literal["generic", "arc"]
ToolProfile = Literal["default", "arc_compat"]
TOOL_PROFILES: tuple[ToolProfile, ...] = ("default", "arc_compat")
UPDATES_ARGUMENT = "updates"


@dataclass(frozen=True)
class FieldRef:
    """Marks a tool argument as carrying the value of a schema field, e.g. ``FieldRef("Opportunity", "stage")``."""

    object: str
    field: str


@dataclass(frozen=True)
class ToolDef:
    """One registered tool: its function, whether it writes, its docs and its argument model.

    ``takes_updates``: the tool also takes its optional arguments as one ``updates`` object (Arc's
    ``modify_*(id, updates={...})``). ``arc_positional``: the order of Arc's own positional arguments, used for
    positional calls under the ``arc_compat`` profile.
    """

    name: str
    func: Callable[..., Any]
    writes: bool
    group: ToolGroup
    summary: str
    arg_docs: dict[str, str] = field(default_factory=dict)
    field_refs: dict[str, FieldRef] = field(default_factory=dict)
    profiles: tuple[ToolProfile, ...] = TOOL_PROFILES
    takes_updates: bool = False
    arc_positional: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        """The docstring without its Args section: what the model reads about the tool."""
        return self.summary

    def args_model(self) -> type[BaseModel]:
        """A pydantic model of the arguments (unknown arguments are rejected)."""
        return _args_model(self)

    def parameters_schema(self, schema: Schema) -> dict[str, Any]:
        """The JSON schema of the arguments, with enum values and formats taken from the org's schema."""
        return schema.derived(("tool-params", self.name, self.profiles), lambda: _parameters_schema(self, schema))

    def updatable_arguments(self) -> list[str]:
        """The arguments an ``updates`` object may carry: every argument but the record's id and ``updates``."""
        names = list(self.args_model().model_fields)
        return [n for n in names[1:] if n != UPDATES_ARGUMENT] if self.takes_updates else []


_REGISTRY: dict[tuple[ToolProfile, str], ToolDef] = {}


def argument_hints(func: Callable[..., Any]) -> dict[str, Any]:
    """Resolved type hints of a tool's arguments, skipping the first (the api, often imported only for typing)."""
    names = list(inspect.signature(func).parameters)[1:]
    shim = types.FunctionType(func.__code__, func.__globals__, closure=func.__closure__)
    shim.__annotations__ = {k: v for k, v in func.__annotations__.items() if k in names}
    return get_type_hints(shim, include_extras=True)


def tool(
    *,
    writes: bool,
    group: ToolGroup = "generic",
    profiles: tuple[ToolProfile, ...] = TOOL_PROFILES,
    name: str | None = None,
    updates: bool = False,
    arc_positional: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function ``f(api, **args)`` as a tool named after the function (or ``name``).

    Args:
        writes: Whether the tool can change the world (write tools run inside one atomic savepoint).
        group: "generic" tools work on any org profile; "arc" tools need the Arc objects.
        profiles: The tool profiles that offer this tool (a tool that differs by profile is registered per profile).
        name: The tool's name when it differs from the function's (a profile's variant of a tool).
        updates: Also take the optional arguments as one ``updates`` object, as Arc's modify tools do.
        arc_positional: Arc's positional argument order for this tool, when it differs from the signature's.
    """
    unknown = [p for p in profiles if p not in TOOL_PROFILES]
    if unknown or not profiles:
        raise CrmGymError(f"Unknown tool profiles {unknown or profiles!r}; use some of {', '.join(TOOL_PROFILES)}.")

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        doc = docstring_parser.parse(inspect.getdoc(func) or "")
        summary = "\n\n".join(p for p in (doc.short_description, doc.long_description) if p)
        hints = argument_hints(func)
        refs = {}
        for arg, hint in hints.items():
            if get_origin(hint) is Annotated:
                refs.update((arg, m) for m in get_args(hint)[1:] if isinstance(m, FieldRef))
        definition = ToolDef(
            name=name or func.__name__,
            func=func,
            writes=writes,
            group=group,
            summary=summary,
            arg_docs={p.arg_name: p.description or "" for p in doc.params},
            field_refs=refs,
            profiles=profiles,
            takes_updates=updates,
            arc_positional=arc_positional,
        )
        for profile in profiles:
            if (profile, definition.name) in _REGISTRY:
                raise ValueError(f"tool {definition.name!r} is registered twice in the {profile!r} profile")
            _REGISTRY[profile, definition.name] = definition
        return func

    return register


def registered_tools(profile: ToolProfile = "default") -> dict[str, ToolDef]:
    """Every tool a profile offers, by name (importing `crm_gym.api` registers them all)."""
    if profile not in TOOL_PROFILES:
        raise CrmGymError(f"Unknown tool profile {profile!r}; use one of {', '.join(TOOL_PROFILES)}.")
    return {name: definition for (owner, name), definition in _REGISTRY.items() if owner == profile}


def read_tool_names() -> frozenset[str]:
    """The names of the tools that only read, in any profile (a name never reads in one and writes in another)."""
    return _tool_names(writes=False)


def write_tool_names() -> frozenset[str]:
    """The names of the tools that write, in any profile."""
    return _tool_names(writes=True)


def _tool_names(writes: bool) -> frozenset[str]:
    return frozenset(name for (_, name), definition in _REGISTRY.items() if definition.writes == writes)


_ARGS_CONFIG = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
_MODELS: dict[tuple[str, tuple[ToolProfile, ...]], type[BaseModel]] = {}


def _refuse_bool(value: Any) -> Any:
    # JSON true/false would pass as 1/0 (pydantic's lax int and float accept them): a boolean is never a number.
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return value


def _is_numeric(hint: Any) -> bool:
    """True when a (possibly Annotated or optional) type hint takes an int or a float."""
    if get_origin(hint) is Annotated:
        return _is_numeric(get_args(hint)[0])
    if get_origin(hint) in (types.UnionType, Union):
        return any(_is_numeric(h) for h in get_args(hint))
    return hint in (int, float)


def _args_model(definition: ToolDef) -> type[BaseModel]:
    key = (definition.name, definition.profiles)
    if key not in _MODELS:
        signature = inspect.signature(definition.func)
        hints = argument_hints(definition.func)
        fields: dict[str, Any] = {}
        for index, (name, param) in enumerate(signature.parameters.items()):
            if index == 0:  # the api the tool runs against
                continue
            default = ... if param.default is inspect.Parameter.empty else param.default
            hint = Annotated[hints[name], BeforeValidator(_refuse_bool)] if _is_numeric(hints[name]) else hints[name]
            fields[name] = (hint, Field(default, description=definition.arg_docs.get(name, "")))
        if definition.takes_updates:
            fields[UPDATES_ARGUMENT] = (dict[str, Any] | None, Field(None, description=_UPDATES_DOC))
        _MODELS[key] = create_model(f"{definition.name}_args", __config__=_ARGS_CONFIG, **fields)
    return _MODELS[key]


_UPDATES_DOC = (
    'The fields to change as one object, e.g. {"stage": "Proposal"} (Arc\'s form); the same fields as the other '
    "arguments, which may be given instead or as well (a field given both ways must have the same value)."
)


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
    if definition.takes_updates:
        updatable = definition.updatable_arguments()
        params["properties"][UPDATES_ARGUMENT] = {
            "type": "object",
            "description": _UPDATES_DOC,
            "properties": {name: params["properties"][name] for name in updatable},
            "additionalProperties": False,
        }
    params["additionalProperties"] = False
    return {"type": "object", **{k: v for k, v in params.items() if k != "type"}}


def allowed_phrase(prop: dict[str, Any]) -> str:
    """What a JSON-schema property accepts, in the words of `FieldSpec.allowed` (for error messages).

    >>> allowed_phrase({"type": "integer", "minimum": 1, "maximum": 50})
    'a whole number >= 1, <= 50'
    >>> allowed_phrase({"anyOf": [{"type": "integer"}, {"type": "string"}]})
    'a whole number or text'
    """
    if "enum" in prop:
        return "one of " + ", ".join(repr(v) for v in prop["enum"]) + " (case-sensitive)"
    if "anyOf" in prop:
        return " or ".join(allowed_phrase(option) for option in prop["anyOf"])
    kinds = {"integer": "a whole number", "number": "a number", "boolean": "true or false", "object": "an object"}
    kinds["array"] = "a list"
    text = kinds.get(prop.get("type", ""), "text")
    bounds = [
        f"{sign} {prop[key]}"
        for key, sign in (("exclusiveMinimum", ">"), ("minimum", ">="), ("maximum", "<="))
        if key in prop
    ]
    if "minItems" in prop or "maxItems" in prop:
        bounds.append(f"{prop.get('minItems', 0)} to {prop.get('maxItems', 'any number of')} items")
    return text + (" " + ", ".join(bounds) if bounds else "")
