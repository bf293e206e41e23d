"""Reference policies: the oracle (the task's own solution, an upper bound), random (a floor), and the guesser of
multi-turn episodes (never asks the user: the guessing base rate)."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from crm_gym.agents.base import Policy, PolicyStep
from crm_gym.conversation.guessing import SlotPrior, replacements, substitute
from crm_gym.envs.conversation import ASK_USER
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.envs.spaces import ToolCallSpace, tool_parameters
from crm_gym.scoring.extract import MONTH_NAMES


class OraclePolicy(Policy):
    """Plays the task's reference solution, translated into the episode's drifted names (privileged: it reads
    the task through the env). Scores functional 1.0 on every task with an oracle; an upper bound, not an agent."""

    kind = "oracle"

    def __init__(self, env: CrmArenaEnv) -> None:
        """``env``: the env the episodes run in (its current episode's solution is played)."""
        self._env = env
        self._plan: list[dict[str, Any]] = []

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        """Read the current episode's solution."""
        self._plan = self._env.unwrapped.oracle_actions()

    def act(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        """The next call of the solution, then its answer."""
        return PolicyStep(action=self._plan.pop(0) if self._plan else {"answer": ""})


class RandomPolicy(Policy):
    """Random well-formed tool calls of the episode's tools; answers a random word from the last result with
    probability ``answer_probability`` per step. Seeded: the same seed gives the same actions."""

    kind = "random"

    def __init__(self, seed: int = 0, answer_probability: float = 0.2) -> None:
        """``seed`` fixes every draw; ``answer_probability`` is the chance of answering at each step."""
        self.seed, self.answer_probability = seed, answer_probability
        self._rng = np.random.default_rng(seed)
        self._space: ToolCallSpace | None = None

    def config(self) -> dict[str, Any]:
        """Kind, seed and answer probability."""
        return {"kind": self.kind, "seed": self.seed, "answer_probability": self.answer_probability}

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        """Sample from this episode's tools (drifted names included)."""
        self._space = ToolCallSpace(tool_parameters(tools), 10_000, seed=int(self._rng.integers(2**31)))

    def act(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        """A random tool call, or a random word of the last result as the answer."""
        if self._space is None:
            raise RuntimeError("RandomPolicy.act() before reset().")
        if self._rng.random() < self.answer_probability:
            words = str(observation.get("last_result", "")).split() or ["None"]
            return PolicyStep(action={"answer": words[int(self._rng.integers(len(words)))].strip(",.:;\"'{}[]")})
        return PolicyStep(action=json.loads(self._space.sample()))


class GuessingPolicy(Policy):
    """Plays a multi-turn episode without ever asking the user: every withheld fact is guessed as its most likely
    value, learned from the env's other tasks (`crm_gym.conversation.guessing`), then the task's solution is played
    with those values (privileged, like the oracle). Where every guess is right it is the oracle; where a guess is
    wrong it runs the solution's calls with the guessed values and answers the top row of the last result (a value
    it cannot play, such as another metric, makes it answer "None"). Its success rate is the guessing base rate of
    the conversational tasks. In a single-turn episode it is the oracle."""

    kind = "guess"

    def __init__(self, env: CrmArenaEnv) -> None:
        """``env``: the env the episodes run in."""
        self._env = env
        self._plan: list[dict[str, Any]] = []
        self._answer_from_result = False

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        """Make the episode's plan: the solution with the guessed values (no question to the user)."""
        env = self._env.unwrapped
        plan = [a for a in env.oracle_actions() if a.get("tool") != ASK_USER]
        scenario = env.scenario(info["task_id"]) if info.get("interaction") == "multi" else None
        self._answer_from_result = False
        if scenario is not None:
            category = env.tasks[info["task_id"]].category
            prior = SlotPrior((env.tasks[t].category, env.scenario(t)) for t in env.conversational_task_ids())
            found = replacements(scenario, prior.guesses(scenario, category))
            if found is None:
                plan = [{"answer": "None"}]
            elif found:
                plan = [substitute(a, found) if "tool" in a else a for a in plan]
                self._answer_from_result = env.tasks[info["task_id"]].expected.kind == "answer"
        self._plan = plan

    def act(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        """The next call of the plan, then its answer."""
        action = self._plan.pop(0) if self._plan else {"answer": ""}
        if "answer" in action and self._answer_from_result:
            action = {"answer": _top_cell(str(observation.get("last_result", "")))}
        return PolicyStep(action=action)


def _top_cell(result: str) -> str:
    """The first value of the first row of a query result ("2022-12" told as "December 2022", as a person answers a
    month), or "None" when there is none."""
    try:
        rows = json.loads(result).get("rows") or []
    except (ValueError, AttributeError):
        return "None"
    if not rows or not rows[0] or rows[0][0] is None:
        return "None"
    cell = str(rows[0][0])
    month = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", cell)
    return f"{MONTH_NAMES[int(month[2]) - 1]} {month[1]}" if month else cell
