"""A suite's tools as typed Python functions with Google docstrings, for trainers that read tools from code.

TRL (``environment_factory``) and verifiers (``StatefulToolEnv``) build the tool schema from a function's
signature, type hints and docstring, once. The functions here are made from the suite's stable tool specs
(`CrmArenaEnv(stable_tools=True)`: the same in every episode and at every drift level), so the schema a trainer
renders is exactly the spec the env checks calls against. Each function forwards its arguments, as given, to a
dispatch callable with the receiver it is called on (a trainer's env instance, or a rollout's episode).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cache
from typing import Any, Literal

from crm_gym.api.api import MockCrmApi
from crm_gym.entropy.drift import DriftMap
from crm_gym.entropy.drifted_api import DriftedApi
from crm_gym.errors import UnknownTaskError
from crm_gym.tasks.suites.crmarena_pro.framework import PROFILE as CRMARENA_PROFILE
from crm_gym.world.world import World

Dispatch = Callable[[Any, str, dict[str, Any]], str]
_JSON_TYPES: dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool}


SUITE_PROFILES = {"arc": "arc", "crmarena_pro": CRMARENA_PROFILE}


@cache
def suite_tool_specs(suite: str) -> tuple[dict[str, Any], ...]:
    """The tool specs of every episode of ``suite`` with stable tools (OpenAI Chat Completions format): those of
    its org profile, read without loading the suite."""
    if suite not in SUITE_PROFILES:
        raise UnknownTaskError(f"Unknown suite {suite!r}. Suites: {', '.join(SUITE_PROFILES)}.")
    api = MockCrmApi(World.empty(SUITE_PROFILES[suite]))
    identity = DriftMap(level="none", seed=0)
    return tuple(DriftedApi(api, identity, stable_arguments=True).tool_specs("openai_chat"))


def python_type(prop: dict[str, Any]) -> Any:
    """The Python type hint of one JSON-schema property (enums become ``Literal``)."""
    if "enum" in prop:
        return Literal[tuple(prop["enum"])]
    kind = prop.get("type")
    if kind == "array":
        return list[python_type(prop.get("items", {}))] if prop.get("items") else list
    if kind == "object":
        return dict[str, Any]
    return _JSON_TYPES.get(kind, Any)


def tool_function(spec: dict[str, Any], dispatch: Dispatch, receiver: str = "self") -> Callable[..., str]:
    """A function ``name(receiver, **arguments)`` with the spec's typed signature and a Google docstring.

    Optional arguments default to None and are sent only when given, so the env applies its own defaults.
    """
    function = spec["function"]
    name, params = function["name"], function["parameters"]
    required = set(params.get("required", ()))
    parameters = [inspect.Parameter(receiver, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    annotations: dict[str, Any] = {}
    for arg, prop in params.get("properties", {}).items():
        hint = python_type(prop)
        if arg not in required:
            hint = hint | None
        default = inspect.Parameter.empty if arg in required else None
        parameters.append(inspect.Parameter(arg, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=hint))
        annotations[arg] = hint
    annotations["return"] = str

    def call(self: Any, /, **arguments: Any) -> str:
        return dispatch(self, name, {k: v for k, v in arguments.items() if v is not None})

    call.__name__ = call.__qualname__ = name
    call.__signature__ = inspect.Signature(parameters, return_annotation=str)  # type: ignore[attr-defined]
    call.__annotations__ = annotations
    call.__doc__ = _docstring(function)
    return call


def _docstring(function: dict[str, Any]) -> str:
    """The spec as a Google docstring: the description, one line per argument, and what comes back."""
    lines = [function.get("description", "").strip() or function["name"], "", "Args:"]
    for arg, prop in function["parameters"].get("properties", {}).items():
        text = " ".join(str(prop.get("description") or arg).split())
        lines.append(f"    {arg}: {text}")
    lines += ["", "Returns:", "    The tool's result as JSON text, or an error message naming what was wrong."]
    return "\n".join(lines)
