"""Playing one episode synchronously with a CPU policy (tests and benchmarks of the baseline)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm_gym.agents.base import Policy
from crm_gym.envs.crm_arena import CrmArenaEnv


@dataclass(frozen=True)
class PlayedEpisode:
    """The actions a policy took and the env's final info."""

    actions: list[dict[str, Any]]
    info: dict[str, Any]


def play(env: CrmArenaEnv, policy: Policy, seed: int, options: dict[str, Any], show_info: bool = True) -> PlayedEpisode:
    """Reset ``env`` with ``options``, then step ``policy`` until the episode ends.

    With ``show_info`` False the policy is handed empty ``info`` dicts instead of the env's.
    """
    observation, info = env.reset(seed=seed, options=options)
    policy.reset(observation, info if show_info else {}, env.tool_specs("openai_chat"))
    actions = []
    while True:
        action = policy.act(observation, info if show_info else {}).action
        actions.append(action)
        observation, _, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            return PlayedEpisode(actions=actions, info=info)
