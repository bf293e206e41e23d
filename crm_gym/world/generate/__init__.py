"""Seeded org generators: `build_org(profile, seed, scale)` returns a realistic, deterministic `World`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from crm_gym.errors import UnknownProfileError
from crm_gym.world.schema import Schema
from crm_gym.world.world import World

Scale = Literal["tiny", "small", "default", "large"] | float

# Multipliers of the default org size; a float is taken as it is (e.g. 0.05 or 3.0).
SCALES: dict[str, float] = {"tiny": 0.01, "small": 0.1, "default": 1.0, "large": 4.0}


def scale_factor(scale: Scale) -> float:
    """The size multiplier for a named scale or a positive number."""
    if isinstance(scale, str):
        if scale not in SCALES:
            raise ValueError(f"Unknown scale {scale!r}; expected one of {', '.join(SCALES)} or a positive number.")
        return SCALES[scale]
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    return float(scale)


def parse_scale(text: str) -> Scale:
    """A scale given as text (a command-line option, a dataset column): a scale name, or a number."""
    try:
        return float(text)
    except ValueError:
        return text


def _generators() -> dict[str, Callable[[int, float], World]]:
    from crm_gym.world.generate.arc import generate_arc
    from crm_gym.world.generate.crmarena_pro_b2b import generate_crmarena_pro_b2b

    return {"arc": generate_arc, "crmarena_pro_b2b": generate_crmarena_pro_b2b}


# Pristine orgs already generated in this process: building one takes seconds, copying it milliseconds.
_PRISTINE: dict[tuple[str, int, float], tuple[Schema, bytes, int]] = {}
_PRISTINE_MAX = 8


def build_org(profile: str = "crmarena_pro_b2b", seed: int = 0, scale: Scale = "default") -> World:
    """Generate an org of a profile: the same (profile, seed, scale) gives the same database bytes.

    Each call returns an independent world; an org already generated in this process is copied from its
    pristine snapshot instead of being generated again.

    Args:
        profile: "arc" or "crmarena_pro_b2b".
        seed: Any integer; every random choice is drawn from generators seeded with it.
        scale: "tiny" (unit tests), "small", "default" (about the original's size), "large", or a multiplier.
    """
    generators = _generators()
    if profile not in generators:
        raise UnknownProfileError(f"No generator for profile {profile!r}. Profiles: {', '.join(sorted(generators))}.")
    key = (profile, seed, scale_factor(scale))
    if key not in _PRISTINE:
        world = generators[profile](seed, key[2])
        if len(_PRISTINE) >= _PRISTINE_MAX:
            _PRISTINE.pop(next(iter(_PRISTINE)))
        _PRISTINE[key] = (world.schema, world.snapshot(), world.seed)
        return world
    schema, snapshot, world_seed = _PRISTINE[key]
    return World.from_snapshot(schema, snapshot, world_seed)
