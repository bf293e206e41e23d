"""Replay a stored episode: a fresh env reset with the record's seed, task, levels and interaction, then its saved
actions, ended as the run ended it (an agent that failed forfeits, see `crm_gym.runner.episodes`).

A multi-turn episode's scripted user is replayed as it is (deterministic: a replay checks it); an LLM user is
replaced by `RecordedUser`, which gives back the replies the record holds, so a replay needs no model and no key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from crm_gym.envs.conversation import ASK_USER
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import UserSimulatorError
from crm_gym.runner.episodes import forfeit, reset_options
from crm_gym.runner.eval_config import EvalConfig
from crm_gym.runner.plan import select_tasks
from crm_gym.runner.records import EpisodeResult


class RecordedUser:
    """A simulated user that gives back a record's replies, in order (the record of an LLM user's episode)."""

    def __init__(self, record: EpisodeResult) -> None:
        """The replies are the results of the record's ``ask_user`` steps that the user answered."""
        self._replies = [s.result for s in record.steps if s.tool == ASK_USER and s.tool_error is None]
        self._config = record.user or {}

    def reply(self, message: str) -> str:
        """The next recorded reply.

        Raises:
            UserSimulatorError: the record holds no more replies.
        """
        if not self._replies:
            raise UserSimulatorError("The record holds no more replies of its user.")
        return self._replies.pop(0)

    def config(self) -> dict[str, Any]:
        """The recorded user's config."""
        return dict(self._config)


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
        options = reset_options(record.key)
        if record.key.interaction == "multi" and str((record.user or {}).get("kind", "")).startswith("llm"):
            options["user"] = RecordedUser(record)
        env.reset(seed=record.seed, options=options)
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
