"""The episodes a run plays, in a fixed order: tasks chosen from the suites, crossed with levels and trials."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from crm_gym.conversation import scenario_for
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError, UnknownTaskError
from crm_gym.runner.episodes import episode_seed
from crm_gym.runner.eval_config import EvalConfig
from crm_gym.runner.records import EpisodeKey
from crm_gym.tasks.model import Task
from crm_gym.tasks.suites import load_suite


class PlannedEpisode(BaseModel):
    """One episode to play: its key and its reset seed."""

    model_config = ConfigDict(frozen=True)

    key: EpisodeKey
    seed: int


def select_tasks(config: EvalConfig) -> list[Task]:
    """The run's tasks: every suite's split, filtered by category and id (and to the tasks with a user scenario
    when the run is multi-turn only), at most ``limit`` per suite.

    Raises:
        CrmGymError: a category or task id the suites do not have, or nothing left to run.
    """
    chosen: list[Task] = []
    for suite in config.suite:
        tasks = load_suite(suite, config.split, scale=config.org_scale)
        if config.categories is not None:
            tasks = [t for t in tasks if t.category in config.categories]
        if config.task_ids is not None:
            tasks = [t for t in tasks if t.id in config.task_ids]
        if config.interaction == ["multi"]:
            single_only = [t.id for t in tasks if scenario_for(t) is None]
            if config.task_ids is not None and single_only:
                raise CrmGymError(
                    f"Tasks {single_only[:5]} have no user scenario: they run single-turn only (--interaction single)."
                )
            tasks = [t for t in tasks if t.id not in set(single_only)]
        chosen += _round_robin(tasks, config.limit)
    _check_found(config, chosen)
    return chosen


def _round_robin(tasks: list[Task], limit: int | None) -> list[Task]:
    """At most ``limit`` tasks, one category after another in turn (so a small limit still covers them all)."""
    if limit is None or limit >= len(tasks):
        return tasks
    by_category: dict[str, list[Task]] = {}
    for task in tasks:
        by_category.setdefault(task.category, []).append(task)
    taken: list[Task] = []
    for depth in range(max(len(group) for group in by_category.values())):
        taken += [group[depth] for group in by_category.values() if depth < len(group)]
    return taken[:limit]


def _check_found(config: EvalConfig, chosen: list[Task]) -> None:
    found_categories = {t.category for t in chosen}
    if config.categories is not None and (missing := sorted(set(config.categories) - found_categories)):
        raise CrmGymError(f"No task of categories {missing} in suites {config.suite} (split {config.split!r}).")
    if config.task_ids is not None and (missing := sorted(set(config.task_ids) - {t.id for t in chosen})):
        raise UnknownTaskError(f"Unknown task ids {missing[:5]} in suites {config.suite} (split {config.split!r}).")
    if not chosen:
        raise CrmGymError(f"No tasks to run in suites {config.suite} (split {config.split!r}).")


def plan_episodes(config: EvalConfig, tasks: list[Task]) -> list[PlannedEpisode]:
    """Every episode of the run: task by task, in each interaction mode it has (multi-turn only with a user
    scenario), at every drift and rot level, each trial. A task's trial has one seed in both modes."""
    if "multi" in config.interaction and not any(scenario_for(t) for t in tasks):
        raise CrmGymError(f"--interaction multi: no task of suites {config.suite} has a user scenario.")
    return [
        PlannedEpisode(
            key=EpisodeKey(task_id=task.id, trial=trial, drift_level=drift, rot_level=rot, interaction=mode),
            seed=episode_seed(config.seed, task.id, trial),
        )
        for task in tasks
        for mode in config.interaction
        if mode == "single" or scenario_for(task) is not None
        for drift in config.drift_level
        for rot in config.rot_level
        for trial in range(config.trials)
    ]


def make_env(config: EvalConfig, tasks: list[Task]) -> CrmArenaEnv:
    """An env over the run's tasks (any suite) with the run's step limit and simulated user."""
    return CrmArenaEnv(tasks=tasks, max_steps=config.max_steps, user=config.user, user_options=config.user_options)
