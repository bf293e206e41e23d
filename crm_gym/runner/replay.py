"""Replay a stored episode: a fresh env reset with the record's seed, task and levels, then its saved actions,
ended as the run ended it (an agent that failed forfeits, see `crm_gym.runner.episodes`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.runner.episodes import forfeit, reset_options
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
        env.reset(seed=record.seed, options=reset_options(record.key))
        return env

    def replay(self, record: EpisodeResult) -> Iterator[tuple[str, float, dict[str, Any]]]:
        """Reset for the record and step its saved actions (re-recording their usage first, as the run did).

        Yields each step's result text, reward and info; a step on which the env raises gives ``("", 0.0, {})``
        and ends the actions, as it ended the run. An ``agent_error`` record then yields one more item: the
        forfeit that ended it (its info is the final one).
        """
        env = self.env(record)
        for step in record.steps:
            if step.usage is not None:
                env.record_usage(step.usage.total)
            try:
                observation, reward, terminated, truncated, info = env.step(step.action)
            except Exception:  # the run recorded this step as the agent's failure
                yield "", 0.0, {}
                break
            yield observation["last_result"], reward, info
            if terminated or truncated:
                return
        if record.status == "agent_error":
            yield "", 0.0, forfeit(env)
