"""One evaluation episode: seed it, play a policy in an env, and turn what happened into an `EpisodeResult`.

The episode's reset seed comes from the run seed, the task and the trial alone (SHA-256), so an episode is the
same whatever order, worker or backend runs it, and the same task at another drift or rot level is played on
the same seed. Anything the policy raises, or a timeout, makes an ``infra_error`` record: never a score.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import Any

from crm_gym.agents.base import Policy, PolicyStep
from crm_gym.agents.registry import PolicyFactory
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError
from crm_gym.runner.records import EpisodeKey, EpisodeResult, StepRecord
from crm_gym.tasks.model import Task

log = logging.getLogger(__name__)


def episode_seed(run_seed: int, task_id: str, trial: int) -> int:
    """The reset seed of one episode: the first 31 bits of SHA-256 over the run seed, the task id and the trial."""
    digest = hashlib.sha256(f"{run_seed}\x00{task_id}\x00{trial}".encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1


async def run_episode(
    env: CrmArenaEnv,
    policy_factory: PolicyFactory,
    key: EpisodeKey,
    seed: int,
    split: str | None,
    timeout_s: float | None = None,
) -> EpisodeResult:
    """Play one episode of ``key`` in ``env`` (which must hold the task) and return its record.

    Args:
        env: An env holding the task; its max_steps is the episode's.
        policy_factory: Builds the episode's policy from the env and the seed.
        key: Task, trial and levels.
        seed: The reset seed (see `episode_seed`).
        split: The split recorded with the episode.
        timeout_s: Wall-clock limit for the policy's whole episode; exceeding it is an infrastructure error.
    """
    started = time.perf_counter()
    task = env.tasks[key.task_id]
    base: dict[str, Any] = {
        "key": key,
        "suite": task.suite,
        "split": split,
        "category": task.category,
        "seed": seed,
        "max_steps": env.max_steps,
    }
    steps: list[StepRecord] = []
    policy: Policy | None = None
    deadline = asyncio.timeout(timeout_s)
    try:
        observation, info = env.reset(
            seed=seed, options={"task_id": key.task_id, "drift_level": key.drift_level, "rot_level": key.rot_level}
        )
        base["observation"] = observation
        policy = policy_factory(env, seed)
        async with deadline:
            final = await _play(env, policy, observation, info, steps)
    except Exception as err:  # a failure outside the agent's actions is never scored
        error = (
            f"timeout: the episode took more than {timeout_s} s"
            if deadline.expired()
            else f"{type(err).__name__}: {err}"
        )
        return _infra_error(base, policy, steps, error, started)
    finally:
        if policy is not None:
            await _close(policy)
    last_action = steps[-1].action
    return EpisodeResult(
        **base,
        policy=policy.config(),
        status=final["status"],
        steps=steps,
        answer=str(last_action["answer"]) if isinstance(last_action, dict) and "answer" in last_action else None,
        functional=final["functional"],
        passed=final["passed"],
        outcome=final["outcome"],
        score=final["score"],
        measures=final["measures"],
        episode_return=sum(s.reward for s in steps),
        wall_seconds=time.perf_counter() - started,
    )


async def _play(
    env: CrmArenaEnv, policy: Policy, observation: dict[str, Any], info: dict[str, Any], steps: list[StepRecord]
) -> dict[str, Any]:
    """Step until the episode ends; returns the final info."""
    policy.reset(observation, info, env.tool_specs("openai_chat"))
    while True:
        decision: PolicyStep = await policy.aact(observation, info)
        if decision.usage is not None:
            env.record_usage(decision.usage.total)
        observation, reward, terminated, truncated, info = env.step(decision.action)
        steps.append(
            StepRecord(
                action=decision.action,
                tool=info["tool"],
                tool_error=info["tool_error"],
                result=observation["last_result"],
                reward=reward,
                usage=decision.usage,
            )
        )
        if terminated or truncated:
            return info


async def check_policy(env: CrmArenaEnv, policy_factory: PolicyFactory, key: EpisodeKey, seed: int) -> None:
    """Build (and close) the policy of one episode before a run starts, so a policy that cannot be built at all
    (a missing API key, an unknown option) stops the run at once instead of failing every episode.

    Raises:
        CrmGymError: the factory raised; the message carries its error.
    """
    env.reset(seed=seed, options={"task_id": key.task_id, "drift_level": key.drift_level, "rot_level": key.rot_level})
    try:
        policy = policy_factory(env, seed)
    except Exception as err:
        raise CrmGymError(f"The policy cannot be built: {type(err).__name__}: {err}") from err
    await _close(policy)


def lost_episode(
    task: Task, key: EpisodeKey, seed: int, split: str | None, max_steps: int, error: str
) -> EpisodeResult:
    """The ``infra_error`` record of an episode that failed before it could report anything itself."""
    return EpisodeResult(
        key=key,
        suite=task.suite,
        split=split,
        category=task.category,
        seed=seed,
        max_steps=max_steps,
        policy={},
        status="infra_error",
        error=error,
    )


def _infra_error(
    base: dict[str, Any], policy: Policy | None, steps: list[StepRecord], error: str, started: float
) -> EpisodeResult:
    return EpisodeResult(
        **base,
        policy=policy.config() if policy is not None else {},
        status="infra_error",
        error=error,
        steps=steps,
        wall_seconds=time.perf_counter() - started,
    )


async def _close(policy: Policy) -> None:
    try:
        await policy.aclose()
    except Exception:  # closing must not turn a finished episode into a failure
        log.warning("Closing %s failed", type(policy).__name__, exc_info=True)
