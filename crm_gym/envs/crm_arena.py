"""`CrmArenaEnv`: each CRM task is an episode; actions are CRM tool calls or a final answer."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from typing import Any, Literal

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from crm_gym.api.api import MockCrmApi
from crm_gym.api.registry import TOOL_PROFILES, ToolProfile
from crm_gym.conversation.scenario import UserScenario
from crm_gym.conversation.scenarios import scenario_for
from crm_gym.conversation.users import SimulatedUser, make_user
from crm_gym.entropy.drift import DRIFT_LEVELS, DriftLevel, DriftMap, draw_drift
from crm_gym.entropy.drifted_api import DriftedApi, drift_public_view
from crm_gym.entropy.rot import ROT_LEVELS, RotLevel, RotReport, apply_rot, distractor_hits, rot_context
from crm_gym.envs.actions import ActionError, AnswerAction, ToolAction, parse_action
from crm_gym.envs.arguments import (
    check_categories,
    check_choice,
    check_env_arguments,
    check_group,
    check_reset,
    check_user_arguments,
)
from crm_gym.envs.conversation import ASK_USER, Conversation, ask_user_spec
from crm_gym.envs.episode import EpisodeRecord, measure_episode
from crm_gym.envs.spaces import ToolCallSpace, UnicodeText, clean_text, tool_parameters
from crm_gym.errors import CrmGymError, EnvArgumentError, UnknownTaskError, UserSimulatorError
from crm_gym.scoring.validators import check_state
from crm_gym.tasks.model import ExternalOrg, PublicTask, StateExpectation, Task, ToolCall
from crm_gym.tasks.suites import load_suite
from crm_gym.world.schema import Schema
from crm_gym.world.world import World

MAX_TEXT = 200_000
INVALID_CALL_PENALTY = 0.02
Interaction = Literal["single", "multi"]
INTERACTIONS: tuple[Interaction, ...] = ("single", "multi")


class CrmArenaEnv(gym.Env[dict[str, Any], Any]):
    """A CRM agent benchmark as a Gymnasium environment.

    ## Description
    Each episode is one CRM task (a question over a seeded org, or a workflow that changes it). The agent sees
    the task's context, perturbed by seeded schema drift (renamed objects and fields, applied at the API) and
    context rot (distractor records in the org, distractor passages in the context), and acts with tool calls
    on a real SQLite org until it answers.

    ## Action Space
    JSON text (or the equivalent dict): ``{"tool": NAME, "args": {...}}`` or ``{"answer": TEXT}``. A malformed
    action, an unknown tool or a bad argument gives an error observation and counts as an invalid call; the
    env never raises on an action. ``action_space.sample()`` is a random well-formed tool call.

    ## Observation Space
    ``Dict``: ``prompt``, ``persona``, ``context`` (required policy, today, optional definitions, any rot
    passages), ``schema`` (the objects and fields under their drifted names), ``last_result`` (the last tool
    result or error), ``conversation`` (multi-turn episodes: the opening request and every question and reply so
    far; empty otherwise) as Unicode text; ``step`` and ``invalid_calls`` as counters. The task id, category and
    gold are never observed (they are in ``info``).

    ## Interaction
    ``interaction="single"`` (default): the prompt is the task's whole request. ``"multi"``: the prompt is the
    task's opening request, which leaves out facts a simulated user holds (docs/conversations.md); the extra tool
    ``ask_user`` (a message in, the user's reply out) asks for them. Only tasks with a user scenario run multi-turn.

    ## Rewards
    After a tool call: the change in the share of the task's state assertions met (workflow tasks) minus
    0.02 for an invalid call. At the end: the 7-dimension total divided by 100 (see docs/scoring.md).

    ## Starting State
    A fresh copy of the task's org, plus distractors; nothing is shared between episodes.

    ## Episode End
    Terminated on a final answer or when a workflow task's assertions all hold (tasks with no answer to give);
    truncated after ``max_steps`` steps.

    ## Arguments
    ``suite`` ("crmarena_pro" or "arc"), ``split``, ``categories``, ``drift_level`` and ``rot_level`` ("none",
    "low", "medium", "high"), ``max_steps``, ``org_scale`` (crmarena_pro only), ``render_mode`` ("ansi",
    "human"), ``tasks`` (explicit tasks instead of a suite), ``tool_profile`` ("default", or "arc_compat" for
    agents written for the Arc CRM sandbox: docs/arc_compat.md), ``stable_tools`` (the tool specs stay the same in
    every episode: argument names and descriptions are not drifted, while objects and fields stay drifted in
    values, results and the schema; for trainers that read the tool schema once), ``interaction`` ("single" or
    "multi"), ``user`` (the simulated user of multi-turn episodes: "scripted", or "llm:openai:MODEL" /
    "llm:anthropic:MODEL") and ``user_options`` (the LLM user's settings: ``cache_dir``, ``cache_mode``,
    ``base_url``, ...). ``reset(seed=..., options={"task_id": ..., "drift_level": ..., "rot_level": ...,
    "group": ..., "interaction": ..., "user": ...})``: a ``group`` key (text or int) draws the task (unless named)
    and the perturbations from the key alone, so every reset with that key starts the same episode (the rollouts
    of a GRPO group); ``user`` may also be a `SimulatedUser` object. `finish` scores an episode cut short. A bad
    argument raises `crm_gym.errors.EnvArgumentError`. A user that cannot reply raises `UserSimulatorError` from
    `step` and ends the episode unscored (an infrastructure failure, never the agent's).

    ## Threads
    An env runs one call at a time: ``reset``, ``step`` and ``finish`` from several threads wait for each other
    (an episode is a sequence, so sharing an env between threads is still a mistake). A step that outlives the
    wall-clock backstop raises `crm_gym.errors.WallClockBackstopError`, an infrastructure failure (see
    `crm_gym.api.budget`); nothing else an action does raises.

    ## Info
    Every step: ``task_id``, ``suite``, ``category``, ``drift_level``, ``rot_level``, ``interaction``, ``step``,
    ``tool``, ``tool_error`` (the error text or None), ``invalid_calls``, ``progress``, ``distractor_hits``,
    ``user_turns``, ``repeated_questions``. At the end also: ``functional``, ``passed``, ``outcome``,
    ``over_refused`` (declined a request it should have served; None where declining is the job), ``score`` (total
    and every dimension), ``measures``, ``status``.

    ## Version History
    * v0: first version.
    """

    metadata = {"render_modes": ["ansi", "human"]}

    def __init__(
        self,
        suite: str = "crmarena_pro",
        split: str | None = "test",
        categories: Sequence[str] | None = None,
        drift_level: DriftLevel = "none",
        rot_level: RotLevel = "none",
        max_steps: int = 20,
        org_scale: str | float = "default",
        render_mode: str | None = None,
        tasks: Sequence[Task] | None = None,
        tool_profile: ToolProfile = "default",
        stable_tools: bool = False,
        interaction: Interaction = "single",
        user: str = "scripted",
        user_options: dict[str, Any] | None = None,
    ) -> None:
        """Build the env over a suite (or explicit ``tasks``); see the class docstring for the arguments."""
        check_choice("drift_level", drift_level, DRIFT_LEVELS)
        check_choice("interaction", interaction, INTERACTIONS)
        check_user_arguments(user, user_options)
        check_choice("rot_level", rot_level, ROT_LEVELS)
        check_choice("tool_profile", tool_profile, TOOL_PROFILES)
        check_env_arguments(
            suite=suite,
            split=split,
            categories=categories,
            max_steps=max_steps,
            org_scale=org_scale,
            render_mode=render_mode,
            render_modes=self.metadata["render_modes"],
            tasks=tasks,
            stable_tools=stable_tools,
        )
        chosen = list(tasks) if tasks is not None else load_suite(suite, split, scale=org_scale)
        if categories is not None:
            check_categories(categories, [t.category for t in chosen])
            wanted = set(categories)
            chosen = [t for t in chosen if t.category in wanted]
        if not chosen:
            raise CrmGymError(f"No tasks for suite {suite!r}, split {split!r}, categories {categories!r}.")
        self.tasks = {t.id: t for t in chosen}
        self.drift_level, self.rot_level, self.max_steps = drift_level, rot_level, max_steps
        self.render_mode, self.tool_profile = render_mode, tool_profile
        self.stable_tools = stable_tools
        self.interaction, self.user, self.user_options = interaction, user, dict(user_options or {})
        self._scenarios: dict[str, UserScenario | None] = {}
        if interaction == "multi" and not self.conversational_task_ids():
            raise EnvArgumentError("interaction='multi' needs tasks with a user scenario; none of these tasks has one.")
        self._lock = threading.RLock()
        self._pristine: dict[str, tuple[World, bytes]] = {}
        probe = MockCrmApi(self._fresh_world(chosen[0]), tool_profile)
        self.action_space = ToolCallSpace(tool_parameters(probe.tool_specs("openai_chat")), MAX_TEXT)
        counter = spaces.Discrete(max_steps + 1)
        self.observation_space = spaces.Dict(
            {
                "prompt": UnicodeText(MAX_TEXT),
                "persona": UnicodeText(MAX_TEXT),
                "context": UnicodeText(MAX_TEXT),
                "schema": UnicodeText(MAX_TEXT),
                "last_result": UnicodeText(MAX_TEXT),
                "conversation": UnicodeText(MAX_TEXT),
                "step": counter,
                "invalid_calls": counter,
            }
        )
        self._task: Task | None = None
        self._conversation: Conversation | None = None

    # -- conversations ----------------------------------------------------------------------------------

    def scenario(self, task_id: str) -> UserScenario | None:
        """Privileged: the user scenario of one of the env's tasks (None when it has no conversational form)."""
        if task_id not in self._scenarios:
            self._scenarios[task_id] = scenario_for(self.tasks[task_id])
        return self._scenarios[task_id]

    @property
    def conversation(self) -> Conversation | None:
        """The current episode's conversation (its user, transcript and counts); None in a single-turn episode."""
        return self._conversation

    def conversational_task_ids(self) -> list[str]:
        """The ids of the tasks that can run multi-turn, in task order."""
        return [task_id for task_id in self.tasks if self.scenario(task_id) is not None]

    # -- episode set-up ---------------------------------------------------------------------------------

    def _fresh_world(self, task: Task) -> World:
        """The task's org as it starts: a pristine org kept per org (no rebuild), each episode in a transaction.

        The episode's changes (rot, the agent's writes) are rolled back at the next reset on that org, which
        costs what they touched; when the transaction is not open (first episode, or something ended it) the
        org is restored from its pristine snapshot instead.
        """
        if isinstance(task.org, ExternalOrg):
            return task.build_world()
        key = task.org.model_dump_json()
        if key not in self._pristine:
            schema, snapshot, seed = _shared_snapshot(key, task)
            self._pristine[key] = (World.from_snapshot(schema, snapshot, seed), snapshot)
        world, snapshot = self._pristine[key]
        with world.lock:
            if world.conn.in_transaction:
                world.conn.execute("ROLLBACK")
            else:
                world.restore(snapshot)
            world.conn.execute("BEGIN")
        return world

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict]:
        """Start an episode: the task and the perturbations are drawn from ``seed`` (or named in ``options``)."""
        options = check_reset(seed, options)
        task_id = options.pop("task_id", None)
        drift_level = options.pop("drift_level", self.drift_level)
        rot_level = options.pop("rot_level", self.rot_level)
        group = options.pop("group", None)
        interaction = options.pop("interaction", self.interaction)
        user = options.pop("user", self.user)
        check_choice("drift_level", drift_level, DRIFT_LEVELS)
        check_choice("rot_level", rot_level, ROT_LEVELS)
        check_choice("interaction", interaction, INTERACTIONS)
        if not isinstance(user, SimulatedUser):
            check_user_arguments(user, None)
        ids = list(self.tasks)
        if task_id is not None and task_id not in self.tasks:
            raise UnknownTaskError(f"Unknown task id {task_id!r} in this env ({len(ids)} tasks, e.g. {ids[0]!r}).")
        if interaction == "multi" and task_id is not None and self.scenario(task_id) is None:
            raise EnvArgumentError(
                f"Task {task_id!r} has no user scenario, so it runs single-turn only; conversational tasks: "
                "env.conversational_task_ids()."
            )
        with self._lock:
            return self._reset(seed, task_id, drift_level, rot_level, group, interaction, user)

    def _reset(
        self,
        seed: int | None,
        task_id: str | None,
        drift_level: DriftLevel,
        rot_level: RotLevel,
        group: Any,
        interaction: Interaction,
        user: str | SimulatedUser,
    ) -> tuple[dict[str, Any], dict]:
        super().reset(seed=seed)
        rng = group_rng(group) if group is not None else self.np_random
        if task_id is None:
            pool = list(self.tasks) if interaction == "single" else self.conversational_task_ids()
            task_id = pool[int(rng.integers(len(pool)))]
        scenario = self.scenario(task_id) if interaction == "multi" else None
        episode_seed = int(rng.integers(2**31))
        self._task = task = self.tasks[task_id]
        self._world = self._fresh_world(task)
        self._rot: RotReport = apply_rot(self._world, task, rot_level, episode_seed)
        self._drift: DriftMap = draw_drift(self._world.schema, drift_level, episode_seed)
        plain = MockCrmApi(self._world, self.tool_profile)
        stable = self.stable_tools
        self._api = (
            plain if self._drift.is_identity and not stable else DriftedApi(plain, self._drift, stable_arguments=stable)
        )
        public = task.public_view()
        if scenario is not None:
            public = public.model_copy(update={"prompt": scenario.opening})
        self._public: PublicTask = drift_public_view(rot_context(public, self._rot), self._drift)
        self._record = EpisodeRecord()
        self._end_conversation()
        if scenario is not None:
            episode_user = (
                user
                if isinstance(user, SimulatedUser)
                else make_user(user, scenario, seed=episode_seed, drift=self._drift, **self.user_options)
            )
            self._conversation = Conversation(scenario, episode_user, self._drift)
            self._record.optimal_user_turns = 1
        self._step = 0
        self._progress = self._state_progress()
        self._done = False
        self._final: tuple[float, dict[str, Any]] | None = None
        self._last_result = ""
        self._static_observation = self._episode_texts()
        observation = self._observation()
        self._record.shown += [observation["prompt"], observation["context"]]
        return observation, self._info(tool=None, tool_error=None)

    def _end_conversation(self) -> None:
        if self._conversation is not None:
            self._conversation.close()
        self._conversation = None

    def close(self) -> None:
        """Release the simulated user's clients (an LLM user's), if an episode holds one."""
        self._end_conversation()

    def record_usage(self, tokens: int) -> None:
        """Record tokens the policy's API reported for its last call (the token dimension's measure)."""
        if not isinstance(tokens, int) or tokens < 0:
            raise CrmGymError(f"tokens must be a non-negative int, got {tokens!r}.")
        self._record.record_usage(tokens)

    def tool_specs(
        self, flavor: Literal["openai_chat", "openai_responses", "anthropic"] = "openai_chat"
    ) -> list[dict[str, Any]]:
        """The episode's tools in a provider's format, under the episode's drifted names (call after reset);
        multi-turn episodes add ``ask_user``."""
        if self._task is None:
            raise CrmGymError("tool_specs() describes the current episode: call reset() first.")
        specs = self._api.tool_specs(flavor)
        return specs if self._conversation is None else [*specs, ask_user_spec(flavor)]

    def oracle_actions(self) -> list[dict[str, Any]]:
        """Privileged: the task's reference solution as env actions under this episode's drift (oracles, tests)."""
        if self._task is None:
            raise CrmGymError("oracle_actions() describes the current episode: call reset() first.")
        if self._task.oracle is None:
            raise CrmGymError(f"Task {self._task.id!r} has no oracle solution.")
        calls = [(c.tool, c.args) for c in self._task.oracle.calls]
        if isinstance(self._api, DriftedApi):
            calls = [self._api.translate_call(tool, args) for tool, args in calls]
        asks = []
        if self._conversation is not None:  # the oracle asks exactly for the withheld facts, once
            asks = [{"tool": ASK_USER, "args": {"message": self._conversation.scenario.question()}}]
        return [*asks, *({"tool": tool, "args": args} for tool, args in calls), {"answer": self._task.oracle.answer}]

    def finish(self) -> tuple[float, dict[str, Any]]:
        """Score the episode as it stands and end it; returns the terminal reward and the end-of-episode ``info``.

        For a trainer that stops generating before the agent answers (a token or turn limit): the episode is
        scored without an answer, with ``status`` "stopped". On an episode that already ended it returns that
        end's reward and ``info`` again, so it is safe to call after every rollout.
        """
        if self._task is None:
            raise CrmGymError("finish() scores the current episode: call reset() first.")
        with self._lock:
            if self._final is None:
                self._done = True
                self._finish(self._info(tool=None, tool_error=None), "stopped")
        assert self._final is not None  # _finish set it
        return self._final

    # -- stepping ---------------------------------------------------------------------------------------

    def step(self, action: Any) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Apply one action: a tool call, or the final answer (which ends the episode)."""
        with self._lock:
            return self._step_once(action)

    def _step_once(self, action: Any) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        if self._task is None or self._done:
            raise CrmGymError("The episode is over (or never started): call reset() first.")
        self._step += 1
        parsed = parse_action(action)
        self._record.emitted_chars += parsed.chars
        reward, tool, tool_error, terminated = 0.0, None, None, False
        if isinstance(parsed, ActionError):
            self._record.malformed += 1
            tool_error = parsed.message
            self._last_result = f"Error: {parsed.message}"
            reward -= INVALID_CALL_PENALTY
        elif isinstance(parsed, ToolAction) and parsed.tool == ASK_USER and self._conversation is not None:
            tool = ASK_USER
            self._last_result, tool_error = self._ask(parsed.args)
            if tool_error is not None:
                self._record.malformed += 1
                reward -= INVALID_CALL_PENALTY
        elif isinstance(parsed, ToolAction):
            tool = parsed.tool
            result = self._api.execute(parsed.tool, parsed.args)
            self._record.calls.append(ToolCall(tool=parsed.tool, args=parsed.args))
            self._record.results.append(result)
            self._last_result = result.text()
            tool_error = result.error
            if not result.ok:
                reward -= INVALID_CALL_PENALTY
            elif self._api.tools[parsed.tool].writes:
                progress = self._state_progress()
                reward += progress - self._progress
                self._progress = progress
                terminated = self._workflow_finished()
        elif isinstance(parsed, AnswerAction):
            self._record.answer = parsed.answer
            self._last_result = ""
            terminated = True
        truncated = not terminated and self._step >= self.max_steps
        observation = self._observation()
        self._record.shown.append(observation["last_result"])
        info = self._info(tool=tool, tool_error=tool_error)
        if terminated or truncated:
            self._done = True
            reward += self._finish(info, "truncated" if truncated else "completed")
        if self.render_mode == "human":
            print(self._render_text(tool))
        return observation, reward, terminated, truncated, info

    def _ask(self, args: dict[str, Any]) -> tuple[str, str | None]:
        """One question to the simulated user: the reply (or the call's error); counted in the record."""
        assert self._conversation is not None  # step() checked it
        try:
            text, error = self._conversation.ask(args)
        except UserSimulatorError:
            self._done = True  # the episode cannot go on, and is never scored
            raise
        self._record.user_turns = self._conversation.user_turns
        self._record.repeated_questions = self._conversation.repeated_questions
        return text, error

    def _state_progress(self) -> float:
        expected = self._task.expected if self._task else None
        return check_state(expected, self._world).progress if isinstance(expected, StateExpectation) else 0.0

    def _workflow_finished(self) -> bool:
        expected = self._task.expected if self._task else None
        return (
            isinstance(expected, StateExpectation)
            and expected.answer is None
            and self._progress == 1.0
            and (check_state(expected, self._world).passed)
        )

    def _finish(self, info: dict[str, Any], status: str) -> float:
        assert self._task is not None  # step() checked it
        counters = self._api.counters
        outcome, measures, score = measure_episode(
            self._task, self._world, self._record, self._drift, counters.queries, counters.errors
        )
        info.update(
            functional=outcome.functional,
            passed=outcome.passed,
            outcome=outcome.reason,
            over_refused=outcome.over_refused,
            score=score.model_dump(mode="json"),
            measures=measures.model_dump(mode="json"),
            status=status,
        )
        self._final = (score.total / 100.0, info)
        return score.total / 100.0

    # -- observation, info, render ----------------------------------------------------------------------

    def _episode_texts(self) -> dict[str, str]:
        """The observation's texts that stay the same for the whole episode, cleaned once at reset."""
        public = self._public
        parts = [public.required_context.policy.strip()]
        if public.today is not None:
            parts.append(f"Today's date: {public.today.isoformat()}")
        if public.optional_context.strip():
            parts.append(public.optional_context.strip())
        return {
            "prompt": clean_text(public.prompt, MAX_TEXT),
            "persona": clean_text(public.persona, MAX_TEXT),
            "context": clean_text("\n\n".join(p for p in parts if p), MAX_TEXT),
            "schema": clean_text(self._schema_summary(), MAX_TEXT),
        }

    def _observation(self) -> dict[str, Any]:
        return {
            **self._static_observation,
            "last_result": clean_text(self._last_result, MAX_TEXT),
            "conversation": clean_text(self._conversation.transcript(), MAX_TEXT) if self._conversation else "",
            "step": min(self._step, self.max_steps),
            "invalid_calls": min(self._api.counters.errors + self._record.malformed, self.max_steps),
        }

    def _schema_summary(self) -> str:
        """Objects and fields under their visible names, sorted by those names so the order leaks no map."""
        lines = []
        for name, obj in self._world.schema.objects.items():
            fields = ", ".join(sorted(self._drift.field_name(name, f) for f in obj.fields))
            lines.append(f"{self._drift.object_name(name)}({fields})")
        return "\n".join(sorted(lines))

    def _info(self, tool: str | None, tool_error: str | None) -> dict[str, Any]:
        assert self._task is not None
        texts = (
            [json.dumps(c.args, ensure_ascii=False) for c in self._record.calls] + [self._record.answer or ""]
            if self._rot.distractor_ids
            else []
        )
        return {
            "task_id": self._task.id,
            "suite": self._task.suite,
            "category": self._task.category,
            "drift_level": self._drift.level,
            "rot_level": self._rot.level,
            "interaction": "single" if self._conversation is None else "multi",
            "step": self._step,
            "tool": tool,
            "tool_error": tool_error,
            "invalid_calls": self._api.counters.errors + self._record.malformed,
            "progress": self._progress,
            "distractor_hits": distractor_hits(self._rot, texts),
            "user_turns": self._record.user_turns,
            "repeated_questions": self._record.repeated_questions,
        }

    def _render_text(self, tool: str | None) -> str:
        head = f"[step {self._step}] " + (f"{tool}" if tool else "answer" if self._record.answer is not None else "")
        return f"{head}\n{self._last_result[:2000]}"

    def render(self) -> str | None:
        """``ansi``: the last step as text; ``human``: printed at each step."""
        if self.render_mode == "ansi":
            return self._render_text(self._record.calls[-1].tool if self._record.calls else None)
        return None


_SNAPSHOTS: dict[str, tuple[Schema, bytes, int]] = {}


def _shared_snapshot(key: str, task: Task) -> tuple[Schema, bytes, int]:
    """The pristine org of ``task`` as snapshot bytes, built once per process and shared by every env (bytes are
    immutable): N envs hold N live orgs but one snapshot (at 64 envs of the default org: 34 -> 13 MiB per env)."""
    if key not in _SNAPSHOTS:
        world = task.build_world()
        _SNAPSHOTS[key] = (world.schema, world.snapshot(), world.seed)
    return _SNAPSHOTS[key]


def group_rng(group: Any) -> np.random.Generator:
    """The generator a reset keyed by ``group`` draws from: a function of the key alone (text or int)."""
    check_group(group)
    digest = hashlib.sha256(f"crm_gym.group:{type(group).__name__}:{group}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "big"))
