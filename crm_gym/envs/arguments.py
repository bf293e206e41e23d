"""Checks of what `gym.make("CrmArena-v0", ...)` and `reset(...)` are given: each bad argument raises
`EnvArgumentError` (a `CrmGymError`) naming the argument, what arrived and what is allowed, before anything is
built, instead of a TypeError, ValueError or pydantic error from deep inside."""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from crm_gym.conversation.users import check_user_spec
from crm_gym.errors import EnvArgumentError, brief
from crm_gym.tasks.model import Task

SCALES = ("tiny", "small", "default", "large")
CRMARENA_SPLITS = ("test", "train")
MAX_STEPS_LIMIT = 100_000
RESET_OPTIONS = ("task_id", "drift_level", "rot_level", "group", "interaction", "user")


def check_keywords(given: Collection[str], allowed: Sequence[str], what: str) -> None:
    """Refuse a keyword that is not in ``allowed``, suggesting the closest one."""
    for name in given:
        if name not in allowed:
            close = difflib.get_close_matches(str(name), allowed, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise EnvArgumentError(f"Unknown {what} {name!r}.{hint} Allowed: {', '.join(allowed)}.")


def check_choice(name: str, value: Any, allowed: Sequence[str]) -> None:
    """A named choice (a drift or rot level, a tool profile): one of ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise EnvArgumentError(f"{name} {brief(value)} is not one of the choices; use one of {', '.join(allowed)}.")


def check_group(group: Any) -> None:
    """A reset's ``group`` key: text or an int."""
    if isinstance(group, bool) or not isinstance(group, str | int):
        raise EnvArgumentError(
            f"The reset option group must be text or an int, got {type(group).__name__}: {brief(group)}."
        )


def check_env_arguments(
    *,
    suite: Any,
    split: Any,
    categories: Any,
    max_steps: Any,
    org_scale: Any,
    render_mode: Any,
    render_modes: Sequence[str],
    tasks: Any,
    stable_tools: Any,
) -> None:
    """The constructor's arguments other than the levels (see `CrmArenaEnv`)."""
    if tasks is None and not isinstance(suite, str):
        raise EnvArgumentError(f"suite must be a suite name such as 'crmarena_pro' or 'arc', got {brief(suite)}.")
    if split is not None and not isinstance(split, str):
        raise EnvArgumentError(f"split must be a split name such as 'test', or None; got {brief(split)}.")
    if tasks is None and suite == "crmarena_pro" and split not in (None, *CRMARENA_SPLITS):
        raise EnvArgumentError(f"split {split!r} is not a split of crmarena_pro; use one of {CRMARENA_SPLITS}.")
    if categories is not None and (
        isinstance(categories, str | bytes)
        or not isinstance(categories, Sequence | Collection)
        or not all(isinstance(c, str) for c in categories)
    ):
        raise EnvArgumentError(
            f"categories must be a list of category names (or None), got {brief(categories)}; "
            "e.g. categories=['handle_time']."
        )
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or not 1 <= max_steps <= MAX_STEPS_LIMIT:
        raise EnvArgumentError(
            f"max_steps must be a whole number from 1 to {MAX_STEPS_LIMIT:,}, got {brief(max_steps)}."
        )
    named = isinstance(org_scale, str) and org_scale in SCALES
    number = isinstance(org_scale, int | float) and not isinstance(org_scale, bool)
    if not named and not (number and math.isfinite(org_scale) and org_scale > 0):
        raise EnvArgumentError(
            f"org_scale must be one of {', '.join(SCALES)} or a positive number, got {brief(org_scale)}."
        )
    if render_mode is not None and (not isinstance(render_mode, str) or render_mode not in render_modes):
        raise EnvArgumentError(f"render_mode {brief(render_mode)} is not supported; use one of {list(render_modes)}.")
    if tasks is not None and (
        isinstance(tasks, str | bytes) or not isinstance(tasks, Sequence) or not all(isinstance(t, Task) for t in tasks)
    ):
        raise EnvArgumentError(f"tasks must be a list of crm_gym.Task (or None), got {brief(tasks)}.")
    if not isinstance(stable_tools, bool):
        raise EnvArgumentError(f"stable_tools must be True or False, got {brief(stable_tools)}.")


def check_user_arguments(user: Any, user_options: Any) -> None:
    """The simulated user's spec ("scripted", "llm:PROVIDER:MODEL") and its options (None or a dict by name)."""
    check_user_spec(user)
    if user_options is not None and (
        not isinstance(user_options, Mapping) or not all(isinstance(k, str) for k in user_options)
    ):
        raise EnvArgumentError(
            f"user_options must be a dict of option names to values (or None), got {brief(user_options)}; "
            "e.g. user_options={'cache_dir': 'runs/cache'}."
        )


def check_categories(wanted: Collection[str], available: Collection[str]) -> None:
    """Every category asked for exists among the suite's tasks."""
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        raise EnvArgumentError(f"Unknown categories {unknown}; this suite has: {', '.join(sorted(set(available)))}.")


def check_reset(seed: Any, options: Any) -> dict[str, Any]:
    """``reset``'s seed (None or a whole number >= 0) and options (None or a dict of `RESET_OPTIONS`); returns a
    copy of the options."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise EnvArgumentError(f"seed must be None or a whole number >= 0, got {brief(seed)}.")
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise EnvArgumentError(f"options must be a dict (or None), got {brief(options)}.")
    check_keywords(list(options), RESET_OPTIONS, "reset option")
    task_id = options.get("task_id")
    if task_id is not None and not isinstance(task_id, str):
        raise EnvArgumentError(f"options['task_id'] must be a task id (text), got {brief(task_id)}.")
    if "group" in options:
        check_group(options["group"])
    return dict(options)
