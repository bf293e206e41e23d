"""The Ray backend: each episode is a Ray task; the driver writes the records as they come back.

A worker process builds the run's env once, in its own thread (from the config, so nothing large is shipped),
and plays one episode per task with the same `run_episode` as the asyncio backend, so records are identical. At most
``concurrency`` tasks are in flight. Ray is used as found: if it is not initialised, ``ray.init()`` starts a
local instance or joins the cluster ``RAY_ADDRESS`` names; call ``ray.init(address=...)`` first for another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

from crm_gym.agents.registry import PolicyFactory
from crm_gym.agents.registry import policy_factory as factory_for
from crm_gym.errors import CrmGymError
from crm_gym.runner.env_thread import EnvThread
from crm_gym.runner.episodes import lost_episode, run_episode
from crm_gym.runner.eval_config import EvalConfig
from crm_gym.runner.plan import PlannedEpisode, make_env, select_tasks
from crm_gym.runner.records import EpisodeResult
from crm_gym.tasks.model import Task


async def run_on_ray(
    config: EvalConfig,
    tasks: list[Task],
    todo: list[PlannedEpisode],
    policy_factory: PolicyFactory | None,
    on_result: Callable[[EpisodeResult], None],
) -> None:
    """Run ``todo`` (episodes of ``tasks``) as Ray tasks and pass each record to ``on_result`` as it arrives.

    ``policy_factory`` (None: built in each worker from the config's spec) is shipped with cloudpickle. A Ray
    task that fails (a worker lost, a factory that cannot be unpickled) gives an ``infra_error`` record.
    """
    try:
        import ray
    except ImportError as err:
        raise CrmGymError("The ray backend needs Ray: pip install 'crm_gym[ray]'.") from err
    if not ray.is_initialized():
        ray.init()
    remote = ray.remote(num_cpus=config.ray_cpus_per_episode, max_retries=0)(_play_remote)
    config_json = config.model_dump_json()
    factory_ref = ray.put(policy_factory) if policy_factory is not None else None
    slots = asyncio.Semaphore(config.concurrency)
    by_id = {task.id: task for task in tasks}

    async def one(episode: PlannedEpisode) -> None:
        async with slots:
            try:
                record = EpisodeResult.model_validate_json(
                    await remote.remote(config_json, factory_ref, episode.model_dump_json())
                )
            except Exception as err:  # the task failed outside the episode (the episode catches its own errors)
                task = by_id[episode.key.task_id]
                error = f"Ray task failed: {type(err).__name__}: {err}"
                record = lost_episode(task, episode.key, episode.seed, config.split, config.max_steps, error)
        on_result(record)

    async with asyncio.TaskGroup() as group:
        for episode in todo:
            group.create_task(one(episode))


def _play_remote(config_json: str, policy_factory: PolicyFactory | None, episode_json: str) -> str:
    """In a Ray worker: play one episode and return its record as JSON."""
    config = EvalConfig.model_validate_json(config_json)
    episode = PlannedEpisode.model_validate_json(episode_json)
    factory = policy_factory or factory_for(config.policy, **config.policy_options)

    async def play() -> EpisodeResult:
        slot = await _worker_slot(config_json, config)
        return await run_episode(slot, factory, episode.key, episode.seed, config.split, config.timeout_s)

    return asyncio.run(play()).model_dump_json()


_SLOTS: dict[str, EnvThread] = {}


async def _worker_slot(config_json: str, config: EvalConfig) -> EnvThread:
    """The worker's env thread over the run's tasks, kept between the run's tasks that land on this worker (a new
    one when a timed-out step left it busy)."""
    slot = _SLOTS.get(config_json)
    if slot is None or not slot.idle:
        for stale in _SLOTS.values():
            stale.close()
        _SLOTS.clear()
        slot = _SLOTS[config_json] = await EnvThread.start(partial(make_env, config, select_tasks(config)))
    return slot
