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

import numpy as np

from crm_gym.api.api import MockCrmApi
from crm_gym.conversation import scenario_for
from crm_gym.entropy.drift import DriftMap
from crm_gym.entropy.drifted_api import DriftedApi
from crm_gym.envs.chat import ANSWER_TOOL_INSTRUCTIONS, ChatEpisode
from crm_gym.envs.conversation import ask_user_spec
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError, UnknownTaskError
from crm_gym.tasks.suites import load_suite
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


ANSWER_SPEC: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "submit_answer",
        "description": "Give the final answer to the user's request; this ends the task.",
        "parameters": {
            "type": "object",
            "properties": {
                "answer": {
                    "type": "string",
                    "description": "The answer, as short as the question allows (a name, an id, a number, or None "
                    "when the CRM holds no such record); for a task that only changes records, a short confirmation.",
                }
            },
            "required": ["answer"],
        },
    },
}
"""The answer tool every trainer adapter adds: the final answer ends the episode."""


def adapter_tool_specs(suite: str, interaction: str = "single") -> list[dict[str, Any]]:
    """The tools a trainer adapter offers: the suite's stable specs, ``ask_user`` for multi-turn episodes, and
    ``submit_answer``."""
    if interaction not in ("single", "multi"):
        raise CrmGymError(f"interaction must be 'single' or 'multi', got {interaction!r}.")
    asks = [ask_user_spec("openai_chat")] if interaction == "multi" else []
    return [*suite_tool_specs(suite), *asks, ANSWER_SPEC]


def episode_rows(
    suite: str,
    split: str = "test",
    *,
    seed: int = 0,
    drift_level: str = "none",
    rot_level: str = "none",
    org_scale: str | float = "default",
    categories: list[str] | None = None,
    limit: int | None = None,
    groups_per_task: int = 1,
    interaction: str = "single",
) -> list[dict[str, Any]]:
    """One row per task (times ``groups_per_task``), seeded: the opening messages and the episode key.

    Args:
        suite: "arc" or "crmarena_pro".
        split: The suite's split.
        seed: Draws the task order and each row's group key (its drift and rot).
        drift_level: Schema drift of every episode ("none", "low", "medium", "high").
        rot_level: Context rot of every episode.
        org_scale: crmarena_pro org scale ("default", "small", "tiny" or a number).
        categories: Only these categories.
        limit: At most this many tasks (after a seeded shuffle).
        groups_per_task: Rows per task, each with its own group key (other drift and rot draws).
        interaction: "single", or "multi": the tasks with a user scenario, opening with their incomplete request
            (the model asks the user with ``ask_user``, see docs/conversations.md).

    Returns:
        Rows with ``prompt`` (system and user messages, the answer tool named in the system text), ``task_id``,
        ``group``, ``suite``, ``split``, ``org_scale``, ``drift_level``, ``rot_level``, ``interaction``; each
        row's episode is reset once to write its prompt (about 5 ms a row).
    """
    if groups_per_task < 1:
        raise CrmGymError(f"groups_per_task must be at least 1, got {groups_per_task!r}.")
    adapter_tool_specs(suite, interaction)  # checks the interaction
    tasks = load_suite(suite, split, scale=org_scale)
    if categories is not None:
        tasks = [t for t in tasks if t.category in set(categories)]
    if interaction == "multi":
        tasks = [t for t in tasks if scenario_for(t) is not None]
    if not tasks:
        raise CrmGymError(f"No tasks in suite {suite!r}, split {split!r}, categories {categories!r}.")
    order = np.random.default_rng(seed).permutation(len(tasks))
    chosen = [tasks[int(i)] for i in order][:limit]
    env = CrmArenaEnv(suite=suite, split=split, org_scale=org_scale, tasks=chosen, stable_tools=True)
    episode = ChatEpisode(env, ANSWER_TOOL_INSTRUCTIONS)
    rows = []
    for task in chosen:
        for repeat in range(groups_per_task):
            group = f"{seed}:{task.id}:{repeat}"
            options = {
                "task_id": task.id,
                "group": group,
                "drift_level": drift_level,
                "rot_level": rot_level,
                "interaction": interaction,
            }
            rows.append(
                {
                    "prompt": [{"role": m["role"], "content": m["content"]} for m in episode.reset(options=options)],
                    "task_id": task.id,
                    "group": group,
                    "suite": suite,
                    "split": split,
                    "org_scale": str(org_scale),
                    "drift_level": drift_level,
                    "rot_level": rot_level,
                    "interaction": interaction,
                }
            )
    return rows


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

    def call(*target: Any, **arguments: Any) -> str:
        # bound as a method the receiver comes first; verifiers injects it by name (update_tool_args)
        owner = target[0] if target else arguments.pop(receiver)
        return dispatch(owner, name, {k: v for k, v in arguments.items() if v is not None})

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


def env_call(episode: ChatEpisode, name: str, arguments: dict[str, Any]) -> str:
    """Play a tool call on ``episode``; ``submit_answer`` gives the final answer."""
    if name == ANSWER_SPEC["function"]["name"]:
        return episode.answer(str(arguments.get("answer", "")))
    return episode.call(name, arguments)
