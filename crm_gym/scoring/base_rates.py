"""Base rates: how degenerate answers score on a suite, to show that the score cannot be gamed.

Five degenerate policies answer at once, without any tool call: an empty answer, "None", a refusal, a dump
of every word of the prompt and context, and a random value of the right type (a record id of the category's
object drawn from the org, or a random month, state, BANT factor or stage). Each is scored as the environment
scores it (``functional``, ``total``) and by the answer evaluator alone, as if the answer had been grounded
(``evaluator``), which shows what the grounding rule adds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from crm_gym.api.api import ToolResult
from crm_gym.scoring.claims import check_claims
from crm_gym.scoring.dimensions import score_episode
from crm_gym.scoring.extract import MONTH_NAMES, STATE_CODES
from crm_gym.scoring.measures import EpisodeMeasures
from crm_gym.scoring.outcome import score_outcome
from crm_gym.tasks.categories import CATEGORIES
from crm_gym.tasks.model import AnswerExpectation, Task
from crm_gym.world.generate.policies import BANT_FACTORS, STAGES
from crm_gym.world.world import World

DEGENERATE = ("empty", "none", "refusal", "prompt_dump", "random_value")
_REFUSAL = "I'm sorry, but I can't help with that request."
# A successful read, so that the evaluator-only rate ignores the grounding rule.
_GROUNDED = (ToolResult(tool="get", ok=True, output={}),)


class BaseRate(BaseModel):
    """Mean scores of one degenerate answer over some tasks."""

    model_config = ConfigDict(frozen=True)

    tasks: int
    functional: float
    evaluator: float
    total: float


class BaseRateReport(BaseModel):
    """Base rates per degenerate answer, overall and per category."""

    model_config = ConfigDict(frozen=True)

    overall: dict[str, BaseRate]
    by_category: dict[str, dict[str, BaseRate]]


def _random_value(task: Task, world: World, rng: np.random.Generator) -> str:
    """A value of the task's answer kind that is not a gold value: an id of the category's object, a month ..."""
    expected = task.expected
    kind = expected.answer_kind if isinstance(expected, AnswerExpectation) else "refusal"
    # each gold value, and its first word: "October" is the gold "October 2024" said without its year
    gold = {w for a in getattr(expected, "answers", ()) if a for v in a.split(",") for w in (v.strip(), v.split()[0])}
    category = CATEGORIES.get(task.category)
    if kind == "record_id" and category is not None and category.id_object:
        pool = [r[0] for r in world.conn.execute(f'SELECT Id FROM "{category.id_object}" ORDER BY Id')]
    else:
        pool = list({"month": MONTH_NAMES, "state": STATE_CODES, "bant": BANT_FACTORS, "stage": STAGES}.get(kind, ()))
    pool = [v for v in pool if v not in gold and v[:15] not in {g[:15] for g in gold}]
    return str(pool[int(rng.integers(len(pool)))]) if pool else "unknown"


def degenerate_answers(task: Task, world: World, rng: np.random.Generator) -> dict[str, str]:
    """The five degenerate answers for one task."""
    context = " ".join([task.prompt, task.required_context.policy, task.optional_context])
    return {
        "empty": "",
        "none": "None",
        "refusal": _REFUSAL,
        "prompt_dump": " ".join(context.split()),
        "random_value": _random_value(task, world, rng),
    }


def base_rates(tasks: Sequence[Task], world: World | None = None, seed: int = 0) -> BaseRateReport:
    """Score every degenerate answer on every task, in ``world`` or else in each task's own org."""
    rng = np.random.default_rng(seed)
    worlds: dict[str, World] = {}

    def world_of(task: Task) -> World:
        if world is not None:
            return world
        key = task.org.model_dump_json()
        if key not in worlds:
            worlds[key] = task.build_world()
        return worlds[key]

    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0.0, 0.0]))
    for task in tasks:
        public = [task.prompt, task.required_context.policy, task.optional_context]
        task_world = world_of(task)
        for name, answer in degenerate_answers(task, task_world, rng).items():
            outcome = score_outcome(task, task_world, answer)
            evaluator = score_outcome(task, task_world, answer, results=_GROUNDED)
            claims = check_claims(answer, public, task_world)
            measures = EpisodeMeasures(
                functional=outcome.functional,
                emitted_chars=len(answer),
                steps=1,
                optimal_steps=task.optimal_length or 1,
                claims=claims.claims,
                hallucinated=claims.hallucinated,
            )
            for key in (task.category, "__all__"):
                acc = sums[key][name]
                acc[0] += 1
                acc[1] += outcome.functional
                acc[2] += evaluator.functional
                acc[3] += score_episode(measures).total

    def rate(acc: list[float]) -> BaseRate:
        n = int(acc[0])
        return BaseRate(tasks=n, functional=acc[1] / n, evaluator=acc[2] / n, total=acc[3] / n)

    overall = {name: rate(sums["__all__"][name]) for name in DEGENERATE}
    by_category = {c: {name: rate(sums[c][name]) for name in DEGENERATE} for c in sorted(sums) if c != "__all__"}
    return BaseRateReport(overall=overall, by_category=by_category)
