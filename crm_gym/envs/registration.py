"""Register the env ids with Gymnasium (done when `crm_gym` is imported)."""

from __future__ import annotations

import gymnasium as gym

ENV_IDS = ("CrmArena-v0", "CrmArena-Menu-v0")


def register_envs() -> None:
    """Register every crm_gym env id (idempotent)."""
    if "CrmArena-v0" not in gym.registry:
        gym.register(id="CrmArena-v0", entry_point="crm_gym.envs.crm_arena:CrmArenaEnv")
    if "CrmArena-Menu-v0" not in gym.registry:
        gym.register(id="CrmArena-Menu-v0", entry_point="crm_gym.envs.menu:make_menu_env")
