"""Evaluate a policy: every planned episode, ``concurrency`` at a time, each written as soon as it ends.

The asyncio backend keeps a pool of up to ``concurrency`` envs in one process: each runs one episode at a time
in a thread of its own (`crm_gym.runner.env_thread`), and the policy's calls are awaited on the event loop, so
slow model calls overlap and a slow step holds up no other episode. The Ray backend
(`crm_gym.runner.ray_backend`) runs each episode as a Ray task instead. Either way an episode's record depends
only on the config and its key, never on the order episodes finish in, and a run killed half-way resumes
where it stopped (see `crm_gym.runner.store`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from functools import partial

from rich.progress import Progress

from crm_gym import __version__
from crm_gym.agents.registry import PolicyFactory
from crm_gym.agents.registry import policy_factory as factory_for
from crm_gym.redaction import known_secrets
from crm_gym.runner.env_thread import EnvThread
from crm_gym.runner.episodes import check_policy, run_episode
from crm_gym.runner.eval_config import EvalConfig
from crm_gym.runner.plan import PlannedEpisode, make_env, plan_episodes, select_tasks
from crm_gym.runner.records import EpisodeKey, EpisodeResult
from crm_gym.runner.store import RunStore
from crm_gym.tasks.model import Task

__all__ = ["EvalConfig", "arun_eval", "run_eval"]

OnResult = Callable[[EpisodeResult], None]


async def arun_eval(
    config: EvalConfig, policy_factory: PolicyFactory | None = None, progress: bool = False
) -> list[EpisodeResult]:
    """Run (or resume) an evaluation and return every episode's record, in plan order.

    Args:
        config: What to run and how.
        policy_factory: Builds each episode's policy (default: from ``config.policy`` and ``policy_options``).
        progress: Show a progress bar.

    Raises:
        CrmGymError: a bad policy spec, a policy that cannot be built, unknown tasks or categories, or a resumed
            folder of another config.
    """
    factory = policy_factory or factory_for(config.policy, **config.policy_options)
    secrets = known_secrets(config.policy_options) + known_secrets(config.user_options)
    tasks = select_tasks(config)
    plan = plan_episodes(config, tasks)
    store = RunStore(config.out_dir) if config.out_dir is not None else None
    results: dict[EpisodeKey, EpisodeResult] = store.open(config, __version__) if store is not None else {}
    todo = [episode for episode in plan if episode.key not in results]
    with _progress_bar(progress, len(plan), len(results)) as advance:

        def on_result(record: EpisodeResult) -> None:
            record = record.without_secrets(secrets)
            results[record.key] = record
            if store is not None:
                store.append(record)
            advance()

        try:
            if todo:
                first_slot = await EnvThread.start(partial(make_env, config, tasks))
                try:
                    await check_policy(first_slot, factory, todo[0].key, todo[0].seed)
                except BaseException:
                    first_slot.close()
                    raise
                if config.backend == "ray":
                    from crm_gym.runner.ray_backend import run_on_ray

                    first_slot.close()
                    await run_on_ray(config, tasks, todo, policy_factory, on_result)
                else:
                    await _run_in_process(config, tasks, todo, factory, on_result, first_slot)
        finally:
            if store is not None:
                store.close()
    return [results[episode.key] for episode in plan]


def run_eval(
    config: EvalConfig, policy_factory: PolicyFactory | None = None, progress: bool = False
) -> list[EpisodeResult]:
    """`arun_eval` for synchronous code (starts its own event loop)."""
    return asyncio.run(arun_eval(config, policy_factory, progress))


async def _run_in_process(
    config: EvalConfig,
    tasks: list[Task],
    todo: list[PlannedEpisode],
    factory: PolicyFactory,
    on_result: OnResult,
    first_slot: EnvThread,
) -> None:
    """Up to ``concurrency`` workers, each with its own env thread (``first_slot``, then new ones as needed), take
    the next episode until none is left. A slot left busy by a timed-out step is replaced by a new one."""
    pending: Iterator[PlannedEpisode] = iter(todo)
    spare = [first_slot]

    async def worker() -> None:
        slot: EnvThread | None = None
        try:
            for episode in pending:
                if slot is not None and not slot.idle:
                    slot.close()
                    slot = None
                slot = slot or (spare.pop() if spare else await EnvThread.start(partial(make_env, config, tasks)))
                record = await run_episode(slot, factory, episode.key, episode.seed, config.split, config.timeout_s)
                on_result(record)
        finally:
            if slot is not None:
                slot.close()

    try:
        async with asyncio.TaskGroup() as group:  # a failure cancels the other workers
            for _ in range(min(config.concurrency, len(todo))):
                group.create_task(worker())
    finally:
        for unused in spare:
            unused.close()


@contextlib.contextmanager
def _progress_bar(show: bool, total: int, done: int) -> Iterator[Callable[[], None]]:
    if not show:
        yield lambda: None
        return
    with Progress() as bar:
        task = bar.add_task("episodes", total=total, completed=done)
        yield lambda: bar.advance(task)
