"""`DriftedApi`: the CRM tools with schema drift applied at the API boundary, over a canonical store.

Everything an agent can look at speaks the drifted schema: ``describe``, the tool specs (argument names,
enum values, descriptions), the arguments each tool takes, the records and query columns that come back, and
the error messages. The world underneath keeps its canonical names, so validators, state hashes and diffs do
not change with drift. A canonical name of a renamed object or field fails like any unknown name, with an
error listing the names that exist and suggesting the closest.

`DriftedApi.translate_call` is the other direction, for an oracle that knows the map: it rewrites a canonical
tool call into the drifted call that does the same thing. `drift_public_view` rewrites a task's context.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from crm_gym.api.api import MockCrmApi
from crm_gym.api.names import did_you_mean, find_object
from crm_gym.api.registry import UPDATES_ARGUMENT, ToolDef
from crm_gym.api.sosl import is_sosl
from crm_gym.api.tools.records import describe
from crm_gym.entropy.drift import DriftMap
from crm_gym.entropy.drift_query import drift_pipeline, query_out, sosl_in, sosl_out
from crm_gym.entropy.drift_view import DriftView
from crm_gym.errors import CrmError, CrmGymError, DriftedNameError
from crm_gym.world.schema import Schema

if TYPE_CHECKING:  # tasks sit above entropy: only the type is needed here
    from crm_gym.tasks.model import PublicTask


_OBJECT_NAME_NOTE = "Allowed: the name of an object as this org's schema (describe) lists it, case-sensitive."


@dataclasses.dataclass(frozen=True)
class _DriftedTool(ToolDef):
    """A tool as a drifted org presents it: same function, drifted description and argument schema."""

    visible_parameters: dict[str, Any] = dataclasses.field(default_factory=dict)
    arguments: dict[str, str] = dataclasses.field(default_factory=dict)  # canonical -> visible argument name

    @property
    def renamed_arguments(self) -> list[str]:
        """The canonical names of the arguments the agent sees under other names."""
        return [a for a, visible in self.arguments.items() if a != visible]

    def parameters_schema(self, schema: Schema) -> dict[str, Any]:
        """The drifted JSON schema of the arguments (the same for any schema: it was rendered for one org)."""
        return self.visible_parameters


class _RenderedTools(Mapping[str, ToolDef]):
    """The tools under one drift map, each rendered when first used: an episode that calls three tools does not
    pay for rendering thirty (`tool_specs` renders them all)."""

    def __init__(self, canonical: Mapping[str, ToolDef], render: Callable[[ToolDef], ToolDef]) -> None:
        self._canonical, self._render = dict(canonical), render
        self._rendered: dict[str, ToolDef] = {}

    def __getitem__(self, name: str) -> ToolDef:
        if name not in self._rendered:
            self._rendered[name] = self._render(self._canonical[name])
        return self._rendered[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._canonical)

    def __len__(self) -> int:
        return len(self._canonical)


class DriftedApi(MockCrmApi):
    """A `MockCrmApi` whose agent-facing names follow a `DriftMap`; the store keeps the canonical names.

    It shares the world and the counters of the API it wraps, and keeps its interface (``call``,
    ``execute``, ``tool_specs``, ``counters``, ``world``, ``tools``, ``api.<tool>(...)``). ``schema`` stays
    the canonical schema (the tools run on it); ``view.visible`` is the schema the agent sees. With an
    identity map it behaves exactly as the API it wraps.

    >>> from crm_gym.entropy.drift import draw_drift
    >>> plain = MockCrmApi()
    >>> drift = draw_drift(plain.schema, "high", seed=1)
    >>> api = DriftedApi(plain, drift)
    >>> client = api.create(drift.object_name("Client"), {drift.field_name("Client", "name"): "Acme"})
    >>> client[drift.field_name("Client", "name")]
    'Acme'
    >>> plain.world.get("Client", client[drift.field_name("Client", "client_id")])["name"]
    'Acme'
    """

    def __init__(self, api: MockCrmApi, drift: DriftMap, *, stable_arguments: bool = False) -> None:
        """Serve ``api``'s tools over its world, under the names ``drift`` gives.

        ``stable_arguments=True`` keeps every tool spec as it is without drift (argument names, descriptions),
        so the tools read the same in every episode and at every level (identity map included), as trainers
        that fix the tool schema once need; objects and fields stay drifted everywhere else: in argument values
        (object names, record keys, queries), in results and in errors. A type field's argument then lists no
        enum, since its values are object names.
        """
        super().__init__(api.world, api.tool_profile)
        self.counters = api.counters
        self.drift = drift
        self.stable_arguments = stable_arguments
        self.view = DriftView.of(self.schema, drift)
        self.query_pipeline = drift_pipeline(self.view, api.query_pipeline)
        key = ("tools", api.tool_profile, tuple(api.tools), stable_arguments)
        self.tools = self.view.derived(key, lambda: _RenderedTools(api.tools, self._drifted_tool))
        self._describer = types.SimpleNamespace(schema=self.view.visible)  # describe reads only ``schema``

    # -- the tools as the agent sees them -------------------------------------------------------------

    def _drifted_tool(self, definition: ToolDef) -> ToolDef:
        """The tool under drift: an Arc tool's argument that carries a renamed field takes the field's drifted
        name (a FieldRef'd argument carries its field; any other is named after the field it filters on)."""
        if self.stable_arguments:
            return self._stable_tool(definition)
        if self.drift.is_identity:
            return definition
        arguments = {a: self._visible_argument(definition, a) for a in definition.args_model().model_fields}
        if len(set(arguments.values())) != len(arguments):
            raise CrmGymError(f"The drift map gives two arguments of {definition.name} the same name: {arguments}.")
        words = [a for a, v in arguments.items() if a != v]
        params = definition.parameters_schema(self.schema)

        def visible_property(arg: str, prop: dict[str, Any]) -> dict[str, Any]:
            visible = dict(prop)
            if "description" in visible:
                visible["description"] = self.view.rewrite_message(visible["description"], words)
            if arg in self.view.type_fields and "enum" in visible:
                visible["enum"] = [self.drift.object_name(v) for v in visible["enum"]]
            if arg == UPDATES_ARGUMENT and "properties" in visible:  # Arc's updates object: keys are arguments
                visible["properties"] = {arguments[k]: visible_property(k, p) for k, p in visible["properties"].items()}
            return visible

        properties = {arguments[arg]: visible_property(arg, prop) for arg, prop in params.get("properties", {}).items()}
        visible_params = {**params, "properties": properties}
        if "required" in params:
            visible_params["required"] = [arguments[a] for a in params["required"]]
        canonical_parts = {f.name: getattr(definition, f.name) for f in dataclasses.fields(ToolDef)}
        return _DriftedTool(
            **{**canonical_parts, "summary": self.view.rewrite_message(definition.summary, words)},
            visible_parameters=visible_params,
            arguments=arguments,
        )

    def _visible_argument(self, definition: ToolDef, argument: str) -> str:
        if definition.group != "arc":
            return argument
        ref = definition.field_refs.get(argument)
        return self.drift.fields.get(ref.field if ref else argument, argument)

    def _stable_tool(self, definition: ToolDef) -> ToolDef:
        """The tool with its spec as without drift, less the enums of type fields (their values drift)."""
        params = definition.parameters_schema(self.schema)
        properties = dict(params.get("properties", {}))
        for arg in properties.keys() & self.view.type_fields:
            prop = {k: v for k, v in properties[arg].items() if k != "enum"}
            head = prop.get("description", "").split(" Allowed:")[0]
            prop["description"] = f"{head} {_OBJECT_NAME_NOTE}".strip()
            properties[arg] = prop
        canonical_parts = {f.name: getattr(definition, f.name) for f in dataclasses.fields(ToolDef)}
        return _DriftedTool(
            **canonical_parts,
            visible_parameters={**params, "properties": properties},
            arguments={a: a for a in definition.args_model().model_fields},
        )

    def _parameters(self, definition: ToolDef) -> list[str]:
        order = self._positional_order(definition)
        if isinstance(definition, _DriftedTool):
            return [definition.arguments[a] for a in order]
        return order

    # -- one call: names in, the canonical call, names out ------------------------------------------------

    def _dispatch(self, name: str, args: Mapping[str, Any] | None) -> Any:
        definition = self._tool(name)
        if not isinstance(definition, _DriftedTool):  # identity map: nothing to translate
            return super()._dispatch(name, args)
        canonical = self._arguments_in(definition, args) if isinstance(args, Mapping) else args
        try:
            output = super()._dispatch(name, canonical)
        except DriftedNameError:
            raise
        except CrmError as err:
            raise CrmError(self.view.rewrite_message(str(err), definition.renamed_arguments)) from err
        return self._output(definition, canonical, output)

    def _arguments_in(self, definition: _DriftedTool, args: Mapping[str, Any]) -> dict[str, Any]:
        if definition.group == "arc":
            return self._arc_arguments_in(definition, args)
        out = dict(args)
        owner = None
        if isinstance(args.get("object"), str):
            owner = out["object"] = self.view.object_in(args["object"])
        if owner is not None and isinstance(args.get("values"), Mapping):
            out["values"] = self.view.values_in(owner, args["values"])
        if isinstance(args.get("objects"), list):
            out["objects"] = [self.view.object_in(o, exact=False) for o in args["objects"]]
        if isinstance(args.get("text"), str) and is_sosl(args["text"]):
            out["text"] = sosl_in(self.view, args["text"])
        return out

    def _arc_arguments_in(self, definition: _DriftedTool, args: Mapping[str, Any]) -> dict[str, Any]:
        canonical_of = {v: a for a, v in definition.arguments.items()}
        out = {}
        for name, value in args.items():
            if name not in canonical_of:
                visible = list(definition.arguments.values())
                raise DriftedNameError(
                    f"{definition.name} has no argument {name!r}.{did_you_mean(str(name), visible)} "
                    f"Arguments: {', '.join(visible)}.",
                    stale_names=[name] if name in definition.arguments else [],
                )
            arg = canonical_of[name]
            if arg == UPDATES_ARGUMENT and isinstance(value, Mapping):
                out[arg] = self._updates_in(definition, canonical_of, value)
                continue
            ref = definition.field_refs.get(arg)
            out[arg] = self.view.value_in(ref.object, ref.field, value) if ref else value
        return out

    def _updates_in(
        self, definition: _DriftedTool, canonical_of: Mapping[str, str], updates: Mapping[str, Any]
    ) -> dict[str, Any]:
        """An ``updates`` object's keys (the tool's visible argument names) and values, canonically; a key that
        names nothing is passed on for the tool to refuse, unless it is a renamed canonical name."""
        out = {}
        for name, value in updates.items():
            if name not in canonical_of and name in definition.renamed_arguments:
                visible = [definition.arguments[a] for a in definition.updatable_arguments()]
                raise DriftedNameError(
                    f"{definition.name}: {UPDATES_ARGUMENT} has no field {name!r}.{did_you_mean(str(name), visible)} "
                    f"Fields: {', '.join(visible)}.",
                    stale_names=[name],
                )
            arg = canonical_of.get(name, name)
            ref = definition.field_refs.get(arg)
            out[arg] = self.view.value_in(ref.object, ref.field, value) if ref else value
        return out

    def _output(self, definition: _DriftedTool, args: Any, output: Any) -> Any:
        if definition.name == "describe":
            visible = self.view.object_out(args["object"]) if args.get("object") is not None else None
            return describe(self._describer, visible)
        if definition.name == "query":
            return output
        out = self.view.keys_out(output)
        if definition.name == "delete":
            out["object"] = self.view.object_out(out["object"])
        if definition.name == "search":
            for hit in out["results"]:
                hit["object"] = self.view.object_out(hit["object"])
        return out

    # -- the oracle's direction ---------------------------------------------------------------------------

    def translate_call(self, tool: str, args: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """The drifted call (tool, arguments) that does what a canonical call does: an oracle that knows the map.

        Tool names do not drift; names that are not canonical schema names pass through unchanged.
        """
        return tool, self._arguments_out(tool, args)

    def _arguments_out(self, tool: str, args: Mapping[str, Any]) -> dict[str, Any]:
        definition = self.tools.get(tool)
        if not isinstance(definition, _DriftedTool):
            return dict(args)
        if definition.group == "arc":
            return self._arc_arguments_out(definition, args)
        out = dict(args)
        owner = args.get("object")
        if isinstance(owner, str) and owner in self.schema.objects:
            out["object"] = self.view.object_out(owner)
            if isinstance(args.get("values"), Mapping):
                out["values"] = self.view.record_out(owner, args["values"])
        if isinstance(args.get("objects"), list):
            out["objects"] = [self._object_out(o) for o in args["objects"]]
        if isinstance(args.get("text"), str) and is_sosl(args["text"]):
            out["text"] = sosl_out(self.view, args["text"])
        if isinstance(args.get("sql"), str):
            out["sql"] = query_out(self.view, args["sql"])
        return out

    def _arc_arguments_out(self, definition: _DriftedTool, args: Mapping[str, Any]) -> dict[str, Any]:
        out = {}
        for name, value in args.items():
            ref = definition.field_refs.get(name)
            if name == UPDATES_ARGUMENT and isinstance(value, Mapping):
                value = self._arc_arguments_out(definition, value)
            out[definition.arguments.get(name, name)] = self.view.value_out(ref.field, value) if ref else value
        return out

    def _object_out(self, name: Any) -> Any:
        """The drifted name of a canonical object named in any letter case (anything else unchanged)."""
        spec = find_object(self.schema, name) if isinstance(name, str) else None
        return self.view.object_out(spec.name) if spec is not None else name


def drift_public_view(task: PublicTask, drift: DriftMap) -> PublicTask:
    """A task's public context with schema names rewritten by ``drift`` (see `DriftMap.rewrite_text`)."""
    if drift.is_identity:
        return task
    policy_text = drift.rewrite_text(task.required_context.policy, prose=True)
    policy = task.required_context.model_copy(update={"policy": policy_text})
    return task.model_copy(
        update={
            "prompt": drift.rewrite_text(task.prompt, prose=True),
            "persona": drift.rewrite_text(task.persona, prose=True),
            "required_context": policy,
            "optional_context": drift.rewrite_text(task.optional_context, prose=True),
        }
    )
