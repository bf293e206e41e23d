"""Register the env ids with Gymnasium (done when `crm_gym` is imported)."""

from __future__ import annotations

import inspect
from typing import Any

import gymnasium as gym

from crm_gym.envs.arguments import check_keywords
from crm_gym.envs.crm_arena import CrmArenaEnv

ENV_IDS = ("CrmArena-v0", "CrmArena-Menu-v0")
ENV_ARGUMENTS = tuple(inspect.signature(CrmArenaEnv.__init__).parameters)[1:]


def make_crm_arena(**kwargs: Any) -> CrmArenaEnv:
    """The ``CrmArena-v0`` entry point: `CrmArenaEnv` (``**kwargs``), an unknown argument refused with
    `crm_gym.errors.EnvArgumentError`. A function, not the class, so that Gymnasium hands ``render_mode`` to the
    env's own check instead of reading it first."""
    check_keywords(kwargs, ENV_ARGUMENTS, "CrmArena-v0 argument")
    return CrmArenaEnv(**kwargs)


def register_envs() -> None:
    """Register every crm_gym env id (idempotent)."""
    if "CrmArena-v0" not in gym.registry:
        gym.register(id="CrmArena-v0", entry_point="crm_gym.envs.registration:make_crm_arena")
    if "CrmArena-Menu-v0" not in gym.registry:
        gym.register(id="CrmArena-Menu-v0", entry_point="crm_gym.envs.menu:make_menu_env")
