"""`MockCrmApi`: the agent-facing CRM tools over a `World`, with call counting and one error type."""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crm_gym.api.json_values import check
from crm_gym.api.registry import UPDATES_ARGUMENT, ToolDef, ToolProfile, allowed_phrase, registered_tools
from crm_gym.api.soql import DEFAULT_PIPELINE, Pipeline
from crm_gym.errors import CrmError, brief
from crm_gym.world.schema import Schema
from crm_gym.world.world import World

READ_ONLY_QUERY_TOOLS = frozenset({"query", "search"})


class ApiCounters(BaseModel):
    """What the API measured: every number the scorer uses comes from here, never from the agent."""

    calls: int = 0
    writes: int = 0
    queries: int = 0
    errors: int = 0
    by_tool: Counter[str] = Field(default_factory=Counter)
    errors_by_tool: Counter[str] = Field(default_factory=Counter)


class ToolResult(BaseModel):
    """The outcome of one tool call: its output, or the error message the agent sees."""

    model_config = ConfigDict(frozen=True)

    tool: str
    ok: bool
    output: Any = None
    error: str | None = None
    stale_names: tuple[str, ...] = ()
    """On a failed call under schema drift: the renamed canonical names it used (see `DriftedNameError`)."""

    def text(self) -> str:
        """The result as the agent reads it: JSON output, or ``Error: ...``."""
        if not self.ok:
            return f"Error: {self.error}"
        return json.dumps(self.output, ensure_ascii=False, default=str)


class MockCrmApi:
    """CRM tools over an org: Arc's workflow tools (on ``arc`` orgs) and generic schema-driven tools.

    Every call is validated against the tool's signature and the org's schema; a bad call raises
    `crm_gym.CrmError` naming the field, the bad value and what is allowed, and changes nothing.
    ``tool_profile="arc_compat"`` serves the tools as an agent written for the Arc CRM sandbox calls them
    (Arc's field searches returning lists, its extra tools and argument orders; docs/arc_compat.md).

    >>> api = MockCrmApi()
    >>> client = api.create("Client", {"name": "Acme Corp", "status": "Active"})
    >>> api.get("Client", client["client_id"])["status"]
    'Active'
    >>> api.counters.calls
    2
    """

    def __init__(self, org: World | None = None, tool_profile: ToolProfile = "default") -> None:
        """Serve the tools of ``tool_profile`` ("default" or "arc_compat") over ``org`` (an empty ``arc`` org when
        omitted)."""
        self.world = org if org is not None else World.empty("arc")
        self.counters = ApiCounters()
        self.query_pipeline: Pipeline = DEFAULT_PIPELINE
        self.tool_profile: ToolProfile = tool_profile
        has_arc_objects = {"Client", "Opportunity", "Quote"} <= set(self.world.schema.objects)
        self.tools: dict[str, ToolDef] = {
            name: t for name, t in registered_tools(tool_profile).items() if t.group == "generic" or has_arc_objects
        }

    @property
    def schema(self):  # noqa: ANN201 - the Schema, typed via World
        """The schema of the org the API serves."""
        return self.world.schema

    def reset_counters(self) -> None:
        """Zero every counter (at the start of an episode)."""
        self.counters = ApiCounters()

    def call(self, name: str, args: Mapping[str, Any] | None = None) -> Any:
        """Run one tool and return its output; raise `CrmError` on any agent mistake, changing nothing.

        The call holds the world's lock (`World.lock`): calls from several threads run one after another.
        """
        label = name if isinstance(name, str) else brief(name)
        with self.world.lock:
            self.counters.calls += 1
            self.counters.by_tool[label] += 1
            if label in READ_ONLY_QUERY_TOOLS:
                self.counters.queries += 1
            try:
                if isinstance(args, Mapping):
                    check(dict(args), where=f"{label} arguments")
                return self._dispatch(name, args)
            except CrmError:
                self.counters.errors += 1
                self.counters.errors_by_tool[label] += 1
                raise

    def _dispatch(self, name: str, args: Mapping[str, Any] | None) -> Any:
        """Validate and run one tool call (uncounted); subclasses translate calls here."""
        definition = self._tool(name)
        kwargs = self._validate_args(definition, args)
        if definition.writes:
            self.counters.writes += 1
            with self.world.atomic():
                return definition.func(self, **kwargs)
        return definition.func(self, **kwargs)

    def execute(self, name: str, args: Mapping[str, Any] | None = None) -> ToolResult:
        """Like `call`, but an agent mistake comes back as a failed `ToolResult` instead of raising."""
        try:
            return ToolResult(tool=name, ok=True, output=self.call(name, args))
        except CrmError as err:
            return ToolResult(tool=name, ok=False, error=str(err), stale_names=getattr(err, "stale_names", ()))

    def _tool(self, name: str) -> ToolDef:
        definition = self.tools.get(name) if isinstance(name, str) else None
        if definition is None:
            close = difflib.get_close_matches(name, list(self.tools), n=1) if isinstance(name, str) else []
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise CrmError(f"Unknown tool {brief(name)}.{hint} Tools: {', '.join(sorted(self.tools))}.")
        return definition

    def _validate_args(self, definition: ToolDef, args: Mapping[str, Any] | None) -> dict[str, Any]:
        if args is None:
            args = {}
        if not isinstance(args, Mapping):
            raise CrmError(f"Arguments of {definition.name} must be a JSON object, got {type(args).__name__}.")
        values = _validated(definition, args, self.schema)
        updates = values.pop(UPDATES_ARGUMENT, None)
        if updates:
            values = _validated(definition, _merge_updates(definition, args, updates), self.schema)
            values.pop(UPDATES_ARGUMENT, None)
        return values

    def __getattr__(self, name: str) -> Callable[..., Any]:
        tools = self.__dict__.get("tools", {})
        if name not in tools:
            raise AttributeError(f"{type(self).__name__} has no attribute or tool {name!r}")
        params = self._parameters(tools[name])

        def bound_tool(*args: Any, **kwargs: Any) -> Any:
            if len(args) > len(params):
                raise TypeError(f"{name}() takes {len(params)} arguments ({', '.join(params)}), got {len(args)}")
            return self.call(name, {**dict(zip(params, args, strict=False)), **kwargs})

        bound_tool.__doc__ = tools[name].description
        return bound_tool

    def _parameters(self, definition: ToolDef) -> list[str]:
        """A tool's argument names in positional order, as callers spell them: the signature's order, or Arc's
        order under the ``arc_compat`` profile (``create_new_opportunity(name, client_id, amount, stage)``)."""
        return self._positional_order(definition)

    def _positional_order(self, definition: ToolDef) -> list[str]:
        """A tool's canonical argument names in the order positional arguments fill them under this profile."""
        names = list(definition.args_model().model_fields)
        if self.tool_profile != "arc_compat" or not definition.arc_positional:
            return names
        return [*definition.arc_positional, *(n for n in names if n not in definition.arc_positional)]

    def tool_specs(self, flavor: Literal["openai_chat", "openai_responses", "anthropic"]) -> list[dict[str, Any]]:
        """Tool definitions in a provider's format (see `crm_gym.api.specs`)."""
        from crm_gym.api.specs import tool_specs

        return tool_specs(self.tools.values(), self.schema, flavor)


def _merge_updates(definition: ToolDef, given: Mapping[str, Any], updates: Mapping[str, Any]) -> dict[str, Any]:
    """The call's arguments with an ``updates`` object folded in (Arc's ``modify_*(id, updates={...})``).

    The object's keys are the tool's own optional arguments, validated like them afterwards; a field given
    both ways must have the same value; the record's id is never one of them.
    """
    record_id, updatable = next(iter(definition.args_model().model_fields)), definition.updatable_arguments()
    for key, value in updates.items():
        if key == record_id:
            raise CrmError(
                f"{definition.name}: {UPDATES_ARGUMENT} cannot change {key!r} (given {value!r}): it identifies the "
                f"record and never changes. Fields: {', '.join(updatable)}."
            )
        if key not in updatable:
            raise CrmError(
                f"{definition.name}: {UPDATES_ARGUMENT} has no field {key!r} (given {value!r}). "
                f"Fields: {', '.join(updatable)}."
            )
        if key in given and given[key] != value:
            raise CrmError(
                f"{definition.name}: {key!r} is given twice with different values, {given[key]!r} as an argument "
                f"and {value!r} in {UPDATES_ARGUMENT}; give it once."
            )
    return {k: v for k, v in given.items() if k != UPDATES_ARGUMENT} | dict(updates)


def _validated(definition: ToolDef, args: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    model = definition.args_model()
    try:
        parsed = model.model_validate(dict(args))
    except ValidationError as err:
        raise CrmError(_argument_message(definition, schema, err)) from err
    return {name: getattr(parsed, name) for name in model.model_fields}


def _argument_message(definition: ToolDef, schema: Schema, err: ValidationError) -> str:
    """One sentence per bad argument: the argument, the value given and what the argument accepts."""
    problems = []
    names = ", ".join(definition.args_model().model_fields) or "none"
    # The canonical argument schema: errors here name canonical arguments (a drifted API rewrites the message).
    properties = ToolDef.parameters_schema(definition, schema).get("properties", {})
    for item in err.errors():
        arg = ".".join(str(p) for p in item["loc"]) or "?"
        if item["type"] == "extra_forbidden":
            problems.append(
                f"{definition.name} has no argument {arg!r} (given {brief(item['input'])}). Arguments: {names}."
            )
            continue
        allowed = _allowed(definition, schema, arg, properties.get(arg, {}))
        if item["type"] == "missing":
            problems.append(f"{definition.name} needs the argument {arg!r}: {allowed}.")
            continue
        reason = item["msg"].removeprefix("Value error, ")
        problems.append(
            f"{definition.name} argument {arg!r}: {brief(item['input'])} is invalid ({reason}); expected {allowed}."
        )
    return " ".join(problems)


def _allowed(definition: ToolDef, schema: Schema, arg: str, prop: dict[str, Any]) -> str:
    """What an argument accepts: the schema field's rule for a field argument, else its JSON schema's."""
    ref = definition.field_refs.get(arg)
    spec = schema.objects[ref.object].fields.get(ref.field) if ref and ref.object in schema.objects else None
    return spec.allowed() if spec is not None else allowed_phrase(prop)
