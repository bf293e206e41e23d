"""`MockCrmApi`: the agent-facing CRM tools over a `World`, with call counting and one error type."""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crm_gym.api.json_values import check
from crm_gym.api.registry import ToolDef, registered_tools
from crm_gym.api.soql import DEFAULT_PIPELINE, Pipeline
from crm_gym.errors import CrmError, brief
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

    >>> api = MockCrmApi()
    >>> client = api.create("Client", {"name": "Acme Corp", "status": "Active"})
    >>> api.get("Client", client["client_id"])["status"]
    'Active'
    >>> api.counters.calls
    2
    """

    def __init__(self, org: World | None = None) -> None:
        """Serve the tools over ``org`` (an empty ``arc`` org when omitted)."""
        self.world = org if org is not None else World.empty("arc")
        self.counters = ApiCounters()
        self.query_pipeline: Pipeline = DEFAULT_PIPELINE
        has_arc_objects = {"Client", "Opportunity", "Quote"} <= set(self.world.schema.objects)
        self.tools: dict[str, ToolDef] = {
            name: t for name, t in registered_tools().items() if t.group == "generic" or has_arc_objects
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
        model = definition.args_model()
        try:
            parsed = model.model_validate(dict(args))
        except ValidationError as err:
            raise CrmError(_argument_message(definition, model, err)) from err
        return {name: getattr(parsed, name) for name in model.model_fields}

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
        """A tool's argument names in signature order, as callers spell them."""
        return list(definition.args_model().model_fields)

    def tool_specs(self, flavor: Literal["openai_chat", "openai_responses", "anthropic"]) -> list[dict[str, Any]]:
        """Tool definitions in a provider's format (see `crm_gym.api.specs`)."""
        from crm_gym.api.specs import tool_specs

        return tool_specs(self.tools.values(), self.schema, flavor)


def _argument_message(definition: ToolDef, model: type[BaseModel], err: ValidationError) -> str:
    problems = []
    allowed = ", ".join(model.model_fields) or "none"
    for item in err.errors():
        arg = ".".join(str(p) for p in item["loc"]) or "?"
        if item["type"] == "extra_forbidden":
            problems.append(f"{definition.name} has no argument {arg!r}. Arguments: {allowed}.")
        elif item["type"] == "missing":
            problems.append(f"{definition.name} needs the argument {arg!r}.")
        else:
            problems.append(f"{definition.name} argument {arg!r}: {brief(item['input'])} is invalid ({item['msg']}).")
    return " ".join(problems)
