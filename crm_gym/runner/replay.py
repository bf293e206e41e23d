"""Replay a stored episode: a fresh env reset with the record's seed, task and levels, then its saved actions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.runner.eval_config import EvalConfig
from crm_gym.runner.plan import select_tasks
from crm_gym.runner.records import EpisodeResult


class Replayer:
    """Resets and replays records of one run; envs over the run's tasks are built once per step limit."""

    def __init__(self, config: EvalConfig) -> None:
        """``config``: the run's config (from its ``run.json``), which names the tasks and the org scale."""
        self._tasks = select_tasks(config)
        self._envs: dict[int, CrmArenaEnv] = {}

    def env(self, record: EpisodeResult) -> CrmArenaEnv:
        """An env reset for the record's episode (same seed, task and levels, so the same drift and rot)."""
        env = self._envs.get(record.max_steps)
        if env is None:
            env = self._envs[record.max_steps] = CrmArenaEnv(tasks=self._tasks, max_steps=record.max_steps)
        key = record.key
        options = {"task_id": key.task_id, "drift_level": key.drift_level, "rot_level": key.rot_level}
        env.reset(seed=record.seed, options=options)
        return env

    def replay(self, record: EpisodeResult) -> Iterator[tuple[dict[str, Any], float, dict[str, Any]]]:
        """Reset for the record and step its saved actions (re-recording their usage first, as the run did).

        Yields each step's observation, reward and info.
        """
        env = self.env(record)
        for step in record.steps:
            if step.usage is not None:
                env.record_usage(step.usage.total)
            observation, reward, terminated, truncated, info = env.step(step.action)
            yield observation, reward, info
            if terminated or truncated:
                return
