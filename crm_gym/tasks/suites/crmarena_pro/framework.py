"""How a CRMArena-Pro category generator is written and how the suite is assembled from them.

A generator is a function ``f(ctx) -> Iterable[Instance]`` registered with `category_generator`. It picks its
target records in the generated org, computes the gold answer with a reference query over the database (or
the planted facts when the answer is a policy fact), and writes the prompt and required context. It yields
candidates in a deterministic order; `build_suite` draws the suite's instances from them with a seeded
generator, keeping the original's share of None answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np

from crm_gym.tasks.categories import CATEGORIES, Category
from crm_gym.tasks.model import (
    AnswerExpectation,
    GeneratedOrg,
    OracleSolution,
    RefusalExpectation,
    RequiredContext,
    Task,
    ToolCall,
)
from crm_gym.tasks.suites.crmarena_pro.domain import DOMAIN_DETAILS, PERSONAS
from crm_gym.world.generate.policies import OrgPolicies, PlantedFacts, org_planted, org_policies, org_today
from crm_gym.world.world import World

SUITE = "crmarena_pro"
PROFILE = "crmarena_pro_b2b"
# Each split has its own org, so the splits share no record and no instance.
SPLIT_SEEDS: dict[str, int] = {"test": 0, "train": 1}
# Share of instances whose gold answer is None, in the categories that have such answers (the original's
# shares: about 20%, and about 77% for policy violations, where most conversations break no policy).
NONE_SHARE: dict[str, float] = {"policy_violation_identification": 0.75}
DEFAULT_NONE_SHARE = 0.2


@dataclass(frozen=True)
class Instance:
    """One candidate task of a category, before it becomes a `Task`.

    Attributes:
        key: Identifies the instance within its category (e.g. the target record and window); no duplicates.
        prompt: The user's question.
        policy: The required context text (policy, the record id, today's date as the original words it).
        answers: Gold answers; ``(None,)`` when the answer is None; empty for privacy categories.
        calls: The oracle's tool calls (queries an agent could run to find the answer).
        oracle_answer: The oracle's final answer text.
        record_id: The record the task is about, when there is one.
        private_values: Privacy categories: the concrete values that must never appear in the trajectory.
        persona: Who asks, when the category fixes it (e.g. a customer on the portal); else one is drawn.
    """

    key: str
    prompt: str
    policy: str
    answers: tuple[str | None, ...]
    calls: tuple[ToolCall, ...]
    oracle_answer: str
    record_id: str | None = None
    private_values: tuple[str, ...] = ()
    persona: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def is_none(self) -> bool:
        """True when the gold answer is None."""
        return self.answers == (None,)


class GenerationContext:
    """What a generator may use: the org (read with reference SQL), its policies, planted facts and today."""

    def __init__(self, world: World, category: str, seed: int) -> None:
        """Wrap a generated org for one category; ``seed`` drives every random choice of the generator."""
        self.world = world
        self.category: Category = CATEGORIES[category]
        self.rng = np.random.default_rng([seed, sorted(CATEGORIES).index(category), 0xC4A])

    @cached_property
    def policies(self) -> OrgPolicies:
        """The org's policies, with the ids of the knowledge articles stating them."""
        return org_policies(self.world)

    @cached_property
    def planted(self) -> PlantedFacts:
        """The structures the generator planted on purpose."""
        return org_planted(self.world)

    @cached_property
    def today(self) -> date:
        """The org's fixed today."""
        return date.fromisoformat(org_today(self.world))

    def choice(self, options: Sequence[str]) -> str:
        """One of ``options`` (a phrasing, say), drawn with the category's generator."""
        return options[int(self.rng.integers(len(options)))]

    def sql(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a reference query on the canonical database (generator side; never shown to agents)."""
        return self.world.conn.execute(sql, tuple(params)).fetchall()

    @staticmethod
    def query_call(sql: str) -> ToolCall:
        """An oracle step: the `query` tool with this SQL."""
        return ToolCall(tool="query", args={"sql": " ".join(sql.split())})


Generator = Callable[[GenerationContext], Iterable[Instance]]
GENERATORS: dict[str, Generator] = {}


def category_generator(category: str) -> Callable[[Generator], Generator]:
    """Register the generator of one CRMArena-Pro category."""
    if category not in CATEGORIES:
        raise ValueError(f"{category!r} is not a CRMArena-Pro category; expected one of {sorted(CATEGORIES)}")

    def register(func: Generator) -> Generator:
        if category in GENERATORS:
            raise ValueError(f"category {category!r} has two generators")
        GENERATORS[category] = func
        return func

    return register


def _draw(instances: list[Instance], n: int, category: Category, rng: np.random.Generator) -> list[Instance]:
    keys = [i.key for i in instances]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{category.name}: the generator yielded duplicate instance keys")
    none = [i for i in instances if i.is_none]
    some = [i for i in instances if not i.is_none]
    share = NONE_SHARE.get(category.name, DEFAULT_NONE_SHARE) if category.has_none_answers else 0.0
    n_none = min(len(none), round(n * share))
    n_some = min(len(some), n - n_none)
    n_none = min(len(none), n - n_some)  # top up with None instances if there are too few others
    picked = [none[int(i)] for i in rng.permutation(len(none))[:n_none]]
    picked += [some[int(i)] for i in rng.permutation(len(some))[:n_some]]
    return sorted(picked, key=lambda i: i.key)


def instance_to_task(instance: Instance, ctx: GenerationContext, split: str, index: int, org: GeneratedOrg) -> Task:
    """Turn an instance into a `Task` of the suite."""
    category = ctx.category
    if category.metric == "privacy_rejection":
        expected: Any = RefusalExpectation(private_values=instance.private_values)
    else:
        expected = AnswerExpectation(answers=instance.answers, metric=category.metric, answer_kind=category.answer_kind)
    persona = instance.persona or ctx.choice(PERSONAS)
    return Task(
        id=f"{SUITE}-{split}-{category.name}-{index:04d}",
        suite=SUITE,
        split=split,
        org=org,
        category=category.name,
        prompt=instance.prompt,
        persona=persona,
        required_context=RequiredContext(policy=instance.policy, record_id=instance.record_id),
        optional_context=DOMAIN_DETAILS,
        today=ctx.today,
        expected=expected,
        oracle=OracleSolution(calls=instance.calls, answer=instance.oracle_answer),
        metadata={"key": instance.key, **instance.metadata},
    )


def build_suite(
    split: str = "test",
    *,
    seed: int | None = None,
    per_category: int = 100,
    scale: str | float = "default",
    categories: Iterable[str] | None = None,
    world: World | None = None,
) -> list[Task]:
    """Generate the CRMArena-Pro suite: ``per_category`` instances of each category over one generated org.

    Args:
        split: "test" (org seed 0) or "train" (org seed 1); any other name needs ``seed``.
        seed: Org seed for fresh instances (defaults to the split's seed).
        per_category: Instances per category (fewer when the org offers fewer candidates, e.g. tiny orgs).
        scale: Org scale (see `crm_gym.world.generate.build_org`).
        categories: Restrict to these categories (default: all 22).
        world: A world already built for (seed, scale), to avoid building it again.
    """
    from crm_gym.tasks.suites.crmarena_pro import generators  # noqa: F401  (registers every generator)
    from crm_gym.world.generate import build_org

    if seed is None:
        if split not in SPLIT_SEEDS:
            raise ValueError(f"split {split!r} has no fixed seed; pass seed= (fixed splits: {sorted(SPLIT_SEEDS)})")
        seed = SPLIT_SEEDS[split]
    org = GeneratedOrg(profile=PROFILE, seed=seed, scale=scale)
    world = world if world is not None else build_org(PROFILE, seed=seed, scale=scale)
    wanted = sorted(categories) if categories is not None else sorted(CATEGORIES)
    unknown = [c for c in wanted if c not in GENERATORS]
    if unknown:
        raise ValueError(f"no generator for {unknown}; categories with generators: {sorted(GENERATORS)}")
    tasks: list[Task] = []
    for name in wanted:
        ctx = GenerationContext(world, name, seed)
        picked = _draw(list(GENERATORS[name](ctx)), per_category, ctx.category, ctx.rng)
        tasks += [instance_to_task(inst, ctx, split, i, org) for i, inst in enumerate(picked)]
    return tasks
