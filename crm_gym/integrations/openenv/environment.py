"""`CrmGymEnvironment`: an OpenEnv ``Environment`` over one `CrmArenaEnv`, and the app that serves it."""

from __future__ import annotations

import os
from typing import Any, Literal

from fastapi import FastAPI
from openenv.core.env_server.http_server import create_app
from openenv.core.env_server.interfaces import Environment
from openenv.core.env_server.types import EnvironmentMetadata
from pydantic import BaseModel, ConfigDict, Field

from crm_gym.entropy.drift import DriftLevel
from crm_gym.entropy.rot import RotLevel
from crm_gym.envs.chat import ChatEpisode
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.integrations.openenv.models import CrmAction, CrmObservation, CrmState
from crm_gym.world.generate import parse_scale


class OpenEnvSettings(BaseModel):
    """What every session of a server plays (a reset may still name the task, group and levels)."""

    model_config = ConfigDict(frozen=True)

    suite: str = "crmarena_pro"
    split: str = "test"
    org_scale: str = "default"
    drift_level: DriftLevel = "none"
    rot_level: RotLevel = "none"
    max_steps: int = Field(default=20, ge=1)
    stable_tools: bool = False
    interaction: Literal["single", "multi"] = "single"
    max_sessions: int = Field(default=64, ge=1)

    @classmethod
    def from_environ(cls) -> OpenEnvSettings:
        """Settings from ``CRM_GYM_<FIELD>`` environment variables (the container's way to configure)."""
        values = {name: os.environ.get(f"CRM_GYM_{name.upper()}") for name in cls.model_fields}
        return cls.model_validate({k: v for k, v in values.items() if v})

    def env(self) -> CrmArenaEnv:
        """A fresh env with these settings."""
        return CrmArenaEnv(
            suite=self.suite,
            split=self.split,
            org_scale=parse_scale(self.org_scale),
            drift_level=self.drift_level,
            rot_level=self.rot_level,
            max_steps=self.max_steps,
            stable_tools=self.stable_tools,
            interaction=self.interaction,
        )


class CrmGymEnvironment(Environment[CrmAction, CrmObservation, CrmState]):
    """One session's episode. ``reset(seed, episode_id, task_id, group, drift_level, rot_level)`` starts one
    (as `CrmArenaEnv.reset`; ``interaction`` too, and a multi-turn episode's tools include ``ask_user``); ``step``
    plays a `CrmAction`; a step after the end returns the final observation again with a note, never an
    exception."""

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self, settings: OpenEnvSettings | None = None) -> None:
        """A session over a fresh `CrmArenaEnv` (its own live org)."""
        super().__init__()
        self.settings = settings or OpenEnvSettings()
        self._episode = ChatEpisode(self.settings.env())
        self._state = CrmState()

    def reset(
        self,
        seed: int | None = None,
        episode_id: str | None = None,
        task_id: str | None = None,
        group: str | int | None = None,
        drift_level: str | None = None,
        rot_level: str | None = None,
        **kwargs: Any,
    ) -> CrmObservation:
        """Start an episode; the observation carries the opening messages and the episode's tools."""
        options: dict[str, Any] = {
            k: v
            for k, v in {"task_id": task_id, "group": group, "drift_level": drift_level, "rot_level": rot_level}.items()
            if v is not None
        }
        messages = self._episode.reset(seed=seed, options={**options, **kwargs})
        info = self._episode.info
        self._state = CrmState(
            episode_id=episode_id,
            step_count=0,
            task_id=info["task_id"],
            group=None if group is None else str(group),
            drift_level=info["drift_level"],
            rot_level=info["rot_level"],
        )
        return CrmObservation(messages=messages, tools=self._episode.tools, metadata=info, reward=None, done=False)

    def step(self, action: CrmAction, timeout_s: float | None = None, **kwargs: Any) -> CrmObservation:
        """Play one move: a tool call, the final answer, or stop (score the episode as it stands)."""
        episode = self._episode
        before = len(episode.messages)
        was_done, step_total = episode.done, episode.step_rewards
        if action.stop:
            episode.finish()
            result = ""
        elif action.answer is not None:
            result = episode.answer(action.answer)
        else:
            result = episode.call(str(action.tool), action.arguments)
        reward = 0.0 if was_done else episode.step_rewards - step_total
        if episode.done and not was_done:
            reward += episode.terminal_reward
        self._state.step_count += 1
        self._state.done = episode.done
        return CrmObservation(
            messages=episode.messages[before:],
            result=result,
            metadata=episode.info,
            reward=reward,
            done=episode.done,
        )

    @property
    def state(self) -> CrmState:
        """The session's episode id, step count, task, levels and whether it is over."""
        return self._state

    def get_metadata(self) -> EnvironmentMetadata:
        """Name, description and version shown by ``/metadata``."""
        from crm_gym import __version__

        return EnvironmentMetadata(
            name="crm_gym",
            description=f"CRM agent tasks over a real SQLite org ({self.settings.suite}, {self.settings.split}).",
            version=__version__,
        )


def build_app(settings: OpenEnvSettings) -> FastAPI:
    """The OpenEnv FastAPI app (HTTP ``/reset``, ``/step``, ``/state``, ``/schema``, ``/health``; WebSocket ``/ws``)
    with up to ``settings.max_sessions`` concurrent sessions. The suite and its org are loaded once here, so the
    first sessions do not each build them."""
    settings.env().reset(seed=0)

    def factory() -> CrmGymEnvironment:
        return CrmGymEnvironment(settings)

    return create_app(
        factory,
        CrmAction,
        CrmObservation,
        env_name="crm_gym",
        max_concurrent_envs=settings.max_sessions,
        state_cls=CrmState,
    )
