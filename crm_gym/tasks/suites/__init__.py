"""Task suites by name: `arc` (state-changing workflows) and `crmarena_pro` (the 22 CRMArena-Pro categories).

`load_suite` returns a suite's tasks for a split; suites generated from a seeded org are built once per
process and kept.
"""

from __future__ import annotations

import json
from functools import cache

from crm_gym.config import data_dir
from crm_gym.errors import UnknownTaskError
from crm_gym.tasks.model import Task

SUITES: dict[str, str] = {
    "arc": "Arc CRM workflows: state-changing tool calls checked against the expected final state.",
    "crmarena_pro": "The 22 CRMArena-Pro categories, generated over a seeded crmarena_pro_b2b org.",
}


def list_suites() -> list[str]:
    """Names of the built-in suites."""
    return sorted(SUITES)


@cache
def suite_version(name: str) -> int:
    """The suite's version (``data/suites/<name>/manifest.json``): bumped whenever its tasks change, recorded with
    every episode, so a report never mixes two versions of a suite.

    Raises:
        UnknownTaskError: the suite does not exist.
    """
    if name not in SUITES:
        raise UnknownTaskError(f"Unknown suite {name!r}. Suites: {', '.join(list_suites())}.")
    manifest = json.loads((data_dir() / "suites" / name / "manifest.json").read_text(encoding="utf-8"))
    return int(manifest["version"])


@cache
def _load(name: str, split: str | None, seed: int | None, scale: str | float) -> tuple[Task, ...]:
    if name == "arc":
        from crm_gym.tasks.suites.arc import load_arc_suite

        return tuple(load_arc_suite(split))
    from crm_gym.tasks.suites.crmarena_pro import build_suite

    return tuple(build_suite(split or "test", seed=seed, scale=scale))


def load_suite(
    name: str, split: str | None = None, *, seed: int | None = None, scale: str | float = "default"
) -> list[Task]:
    """The tasks of a suite.

    Args:
        name: "arc" or "crmarena_pro".
        split: "test" or "train" (arc: None for every split); crmarena_pro defaults to "test".
        seed: crmarena_pro only: the org seed of fresh instances (a split name other than test/train needs it).
        scale: crmarena_pro only: the org scale ("default" for the real suite; "small" or "tiny" for quick runs).
    """
    if name not in SUITES:
        raise UnknownTaskError(f"Unknown suite {name!r}. Suites: {', '.join(list_suites())}.")
    return list(_load(name, split, seed, scale))
