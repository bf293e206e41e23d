"""One evaluation episode: seed it, play a policy in an env, and turn what happened into an `EpisodeResult`.

The episode's reset seed comes from the run seed, the task and the trial alone (SHA-256), so an episode is the
same whatever order, worker or backend runs it, and the same task at another drift or rot level is played on
the same seed. Every env call runs in the slot's own thread (`EnvThread`): a slow step never stalls the other
episodes, and the episode's deadline always fires.

Who failed decides the status. A `PolicyInfrastructureError`, a timeout, a simulated user that could not reply
(`UserSimulatorError`, raised by the env in a multi-turn episode), or any other exception of the policy's own code
makes an ``infra_error`` record: never a score. An `AgentFailureError` (the agent failed its A2A task,
sent a reply that cannot be used), or an exception the env raised on the agent's action, is the agent's doing:
the episode ends there as if the agent had answered nothing (`FORFEIT`), is scored as it stands, and is recorded
as ``agent_error`` -- an agent cannot escape an episode it would fail by crashing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import Any

from crm_gym.agents.base import AgentFailureError, Policy, PolicyStep
from crm_gym.agents.registry import PolicyFactory
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError, UserSimulatorError, WallClockBackstopError
from crm_gym.runner.env_thread import EnvThread
from crm_gym.runner.records import EpisodeKey, EpisodeResult, StepRecord
from crm_gym.runner.storable import storable_action, storable_text
from crm_gym.scoring import GRADER_VERSION
from crm_gym.tasks.model import Task
from crm_gym.tasks.suites import SUITES, suite_version

log = logging.getLogger(__name__)

#: The action that ends the episode of an agent that failed: an empty final answer (no answer passes).
FORFEIT: dict[str, Any] = {"answer": ""}


def episode_seed(run_seed: int, task_id: str, trial: int) -> int:
    """The reset seed of one episode: the first 31 bits of SHA-256 over the run seed, the task id and the trial."""
    digest = hashlib.sha256(f"{run_seed}\x00{task_id}\x00{trial}".encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1


def reset_options(key: EpisodeKey) -> dict[str, Any]:
    """The env's reset options for the episode ``key`` names (task, levels and interaction)."""
    return {
        "task_id": key.task_id,
        "drift_level": key.drift_level,
        "rot_level": key.rot_level,
        "interaction": key.interaction,
    }


async def run_episode(
    slot: EnvThread,
    policy_factory: PolicyFactory,
    key: EpisodeKey,
    seed: int,
    split: str | None,
    timeout_s: float | None = None,
) -> EpisodeResult:
    """Play one episode of ``key`` in the slot's env (which must hold the task) and return its record.

    Args:
        slot: The env and its thread; after a timeout during a step it is no longer `EnvThread.idle` (replace it).
        policy_factory: Builds the episode's policy from the env and the seed.
        key: Task, trial and levels.
        seed: The reset seed (see `episode_seed`).
        split: The split recorded with the episode.
        timeout_s: Wall-clock limit for the whole episode (reset, policy calls and steps); exceeding it is an
            infrastructure error.
    """
    started = time.perf_counter()
    env = _env_of(slot)
    task = env.tasks[key.task_id]
    base: dict[str, Any] = {
        "key": key,
        "suite": task.suite,
        "split": split,
        "category": task.category,
        "seed": seed,
        "max_steps": env.max_steps,
        "suite_version": version_of(task.suite),
    }
    steps: list[StepRecord] = []
    policy: Policy | None = None
    deadline = asyncio.timeout(timeout_s)
    error = None
    try:
        try:
            async with deadline:
                observation, info = await slot.call(env.reset, seed=seed, options=reset_options(key))
                base["observation"] = observation
                base["user"] = await slot.call(user_config, env)
                policy = await slot.call(policy_factory, env, seed)
                final = await _play(slot, policy, observation, info, steps)
        except AgentFailureError as failure:  # the agent's doing: scored as it stands
            error = storable_text(f"{type(failure).__name__}: {failure}")
            final = await slot.call(forfeit, env)
    except Exception as err:  # a failure outside the agent's actions is never scored
        text = f"timeout: the episode took more than {timeout_s} s" if deadline.expired() else _describe(err)
        return _infra_error(base, policy, steps, storable_text(text), started)
    finally:
        if policy is not None:
            await _close(policy)
    last_action = steps[-1].action if steps else None
    answer = last_action.get("answer") if isinstance(last_action, dict) and error is None else None
    return EpisodeResult(
        **base,
        policy=policy.config() if policy is not None else {},
        status=final["status"],
        error=error,
        steps=steps,
        answer=None if answer is None else storable_text(str(answer)),
        functional=final["functional"],
        passed=final["passed"],
        outcome=final["outcome"],
        over_refused=final.get("over_refused"),
        score=final["score"],
        measures=final["measures"],
        episode_return=sum(s.reward for s in steps),
        grader_version=GRADER_VERSION,
        wall_seconds=time.perf_counter() - started,
    )


def forfeit(env: CrmArenaEnv) -> dict[str, Any]:
    """End the episode of an agent that failed with the `FORFEIT` action; returns the final info (scored), its
    status ``agent_error``."""
    *_, info = env.step(FORFEIT)
    return {**info, "status": "agent_error"}


async def _play(
    slot: EnvThread, policy: Policy, observation: dict[str, Any], info: dict[str, Any], steps: list[StepRecord]
) -> dict[str, Any]:
    """Step until the episode ends; returns the final info.

    Raises:
        AgentFailureError: the policy's, or the env raised on the agent's action (that step is recorded).
        UserSimulatorError: the simulated user could not reply (an infrastructure failure; the step is recorded).
        WallClockBackstopError: a call outran the wall-clock backstop (an infrastructure failure).
    """
    env = _env_of(slot)
    tools = await slot.call(env.tool_specs, "openai_chat")
    await slot.call(policy.reset, observation, info, tools)
    while True:
        decision: PolicyStep = await policy.aact(observation, info)
        action, cut = storable_action(decision.action)
        try:
            observation, reward, terminated, truncated, info = await slot.call(_step, env, decision)
        except UserSimulatorError:  # the simulated user failed, not the agent: never scored
            steps.append(StepRecord(action=action, tool=decision.action.get("tool"), usage=decision.usage, cut=cut))
            raise
        except WallClockBackstopError:  # the machine, not the agent: the budget should have stopped the call
            raise
        except Exception as err:  # the env promises not to raise on an action: this one made it
            problem = storable_text(f"The env raised {_describe(err)} on the agent's action.")
            steps.append(StepRecord(action=action, tool_error=problem, usage=decision.usage, cut=cut))
            raise AgentFailureError(problem) from err
        steps.append(
            StepRecord(
                action=action,
                tool=info["tool"],
                tool_error=None if info["tool_error"] is None else storable_text(info["tool_error"]),
                result=observation["last_result"],
                reward=reward,
                usage=decision.usage,
                cut=cut,
            )
        )
        if terminated or truncated:
            return info


def _step(env: CrmArenaEnv, decision: PolicyStep) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
    """Record the decision's usage (the token measure), then step its action: one call in the env's thread."""
    if decision.usage is not None:
        env.record_usage(decision.usage.total)
    return env.step(decision.action)


def user_config(env: CrmArenaEnv) -> dict[str, Any] | None:
    """The config of the episode's simulated user (None in a single-turn episode)."""
    conversation = env.conversation
    return None if conversation is None else conversation.user.config()


def _env_of(slot: EnvThread) -> CrmArenaEnv:
    if slot.env is None:
        raise CrmGymError("The EnvThread has no env: build it with `await EnvThread.start(make_env)`.")
    return slot.env


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


async def check_policy(slot: EnvThread, policy_factory: PolicyFactory, key: EpisodeKey, seed: int) -> None:
    """Build (and close) the policy of one episode before a run starts, so a policy that cannot be built at all
    (a missing API key, an unknown option) stops the run at once instead of failing every episode.

    Raises:
        CrmGymError: the factory raised; the message carries its error.
    """
    env = _env_of(slot)
    await slot.call(env.reset, seed=seed, options=reset_options(key))
    try:
        policy = await slot.call(policy_factory, env, seed)
    except Exception as err:
        raise CrmGymError(f"The policy cannot be built: {_describe(err)}") from err
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
        suite_version=version_of(task.suite),
        policy={},
        status="infra_error",
        error=error,
    )


def version_of(suite: str) -> int | None:
    """The version of a built-in suite, None for tasks of no built-in suite."""
    return suite_version(suite) if suite in SUITES else None


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
