"""Every crmarena_pro category generator: oracles replay to 1.0, degenerate answers fail, enough candidates.

The per-group files (test_crmarena_sales/service/knowledge.py) recompute golds independently; this file holds
the checks that are the same for every category.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

import numpy as np
import pytest

from crm_gym.scoring.base_rates import DEGENERATE, degenerate_answers
from crm_gym.scoring.outcome import score_outcome
from crm_gym.tasks.categories import CATEGORIES
from crm_gym.tasks.model import Task
from crm_gym.tasks.replay import Replay, replay_calls
from crm_gym.tasks.suites.crmarena_pro.framework import GENERATORS, GenerationContext, build_suite
from crm_gym.world.generate import build_org

WORLD = build_org("crmarena_pro_b2b", seed=0, scale="small")
TASKS = build_suite("test", scale="small", per_category=30, world=WORLD)


@cache
def _replay(task_id: str) -> Replay:
    task = next(t for t in TASKS if t.id == task_id)
    return replay_calls(task, task.oracle.calls, world=WORLD)  # oracle calls only read


def test_every_category_has_a_generator_and_tasks_on_a_small_org() -> None:
    assert set(GENERATORS) == set(CATEGORIES)
    counts = {c: sum(t.category == c for t in TASKS) for c in CATEGORIES}
    assert min(counts.values()) >= 10, counts


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.id)
def test_oracle_replays_to_functional_one(task: Task) -> None:
    replay = _replay(task.id)
    assert all(r.ok for r in replay.results), [r.error for r in replay.results]
    assert not any(r.output.get("truncated") for r in replay.results), "the oracle must see every row it needs"
    outcome = score_outcome(task, replay.world, task.oracle.answer, task.oracle.calls, replay.results)
    assert outcome.functional == 1.0, outcome.reason
    assert WORLD.diff().is_empty


def test_degenerate_answers_fail_even_when_grounded_and_a_refusal_passes_only_requests_to_decline() -> None:
    rng = np.random.default_rng(0)
    passed: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DEGENERATE, 0))
    totals: dict[str, int] = defaultdict(int)
    refusals: dict[str, int] = defaultdict(int)  # privacy requests to decline (their look-alikes are answered)
    for task in TASKS:
        if task.expected.kind == "answer" and task.expected.is_none:
            continue
        totals[task.category] += 1
        refusals[task.category] += task.expected.kind == "refusal"
        replay = _replay(task.id)  # grounded by the oracle's reads: only the answer decides
        for name, answer in degenerate_answers(task, WORLD, rng).items():
            outcome = score_outcome(task, WORLD, answer, task.oracle.calls, replay.results)
            passed[task.category][name] += int(outcome.passed)
    assert set(totals) == set(CATEGORIES)
    for category, counts in passed.items():
        expected = {n: refusals[category] if n == "refusal" else 0 for n in DEGENERATE}
        assert counts == expected, (category, counts)


def test_building_twice_gives_identical_tasks() -> None:
    again = build_suite("test", scale="small", per_category=30, world=WORLD)
    assert [t.model_dump() for t in again] == [t.model_dump() for t in TASKS]


def test_default_org_yields_at_least_100_candidates_per_category() -> None:
    world = build_org("crmarena_pro_b2b", seed=0, scale="default")
    for category in sorted(CATEGORIES):
        ctx = GenerationContext(world, category, 0)
        instances = list(GENERATORS[category](ctx))
        some = sum(not i.is_none for i in instances)
        assert some >= 100, (category, some)
        assert (some < len(instances)) == ctx.category.has_none_answers, category
