"""How a CRMArena-Pro category generator is written and how the suite is assembled from them.

A generator is a function ``f(ctx) -> Iterable[Instance]`` registered with `category_generator`. It picks its
target records in the generated org, computes the gold answer with a reference query over the database (or
the planted facts when the answer is a policy fact), and writes the prompt and required context. It yields
candidates in a deterministic order; `build_suite` draws the suite's instances from them with a seeded
generator. What the draw guarantees, so that no content-blind policy scores:

- **Phrasings.** A prompt is written with `GenerationContext.phrase` from a `PhraseBook`: families of ways a person
  puts the request. Families are split between the fixed splits (`split_families`): a test prompt never uses a
  family the train split uses; any other split uses them all.
- **None.** At most ``NONE_SHARE`` of a category's tasks have None as their answer (and a generator yields a None
  candidate only where a careful agent can check the near miss in the org: ``Instance.near_miss`` says what it is).
- **Balance.** No gold is the answer of more than ``max(GOLD_CAP, 1.5 / answer_space)`` of a category's tasks.
- **One gold under every reading.** A category declares, with `category_readings`, each reading its rule text does
  not exclude; an instance whose gold differs under one of them is dropped (and a test recomputes them all).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, NamedTuple

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
# Share of instances whose gold answer is None, in the categories that have such answers. The original has about
# 20% (77% for policy violations); at that share "one read, then None" scores 0.18, so a None gold is kept only
# where the near miss can be checked in the org, and rare enough that guessing None earns nothing.
NONE_SHARE = 0.05
# No value is the gold of more than this share of a category's tasks (or 1.5 times the uniform share of a small
# answer space, such as the five stages).
GOLD_CAP = 0.15


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
    near_miss: str | None = None
    """For a None gold: the near miss a careful agent checks in the org to know there is none (e.g. "bought the X Plus,
    not the X, 13 days ago")."""
    refusal: bool | None = None
    """Privacy categories: True when the request must be declined, False for a legitimate look-alike request (a
    customer asking about their own order), answered with ``answers``; None elsewhere."""
    phrasing: str | None = None
    """The phrase-book family the prompt was written from (`GenerationContext.phrase`)."""

    @property
    def is_none(self) -> bool:
        """True when the gold answer is None."""
        return self.answers == (None,)

    @property
    def gold_key(self) -> tuple[str | None, ...]:
        """The gold as a value of the category's answer space (a list's order does not matter)."""
        return tuple(sorted(self.answers, key=str))


class Phrased(NamedTuple):
    """A prompt written from a phrase book, and the family it came from."""

    text: str
    family: str


@dataclass(frozen=True)
class PhraseBook:
    """A category's ways of asking: ``families`` maps a family name (one way a person puts the request) to its
    templates (`str.format` fields filled by `GenerationContext.phrase`)."""

    families: dict[str, tuple[str, ...]]

    def __post_init__(self) -> None:
        empty = [name for name, templates in self.families.items() if not templates]
        if len(self.families) < 3 or empty:
            raise ValueError(f"a phrase book needs 3 or more families, each with a template (empty: {empty})")


# The fixed splits' share of a phrase book's families: test gets about a third of them, train the rest.
TEST_FAMILY_SHARE = 1 / 3


def split_families(category: str, families: Iterable[str], split: str) -> list[str]:
    """The families ``split`` may use: disjoint for test and train (chosen by a stable hash of the category and the
    family name, at least one each), all of them for any other split."""
    names = sorted(families)
    if split not in ("test", "train"):
        return names
    score = {n: int.from_bytes(hashlib.sha256(f"{category}/{n}".encode()).digest()[:8], "big") for n in names}
    ranked = sorted(names, key=lambda n: score[n])
    test = set(ranked[: max(1, min(len(names) - 1, round(len(names) * TEST_FAMILY_SHARE)))])
    return [n for n in names if (n in test) == (split == "test")]


class GenerationContext:
    """What a generator may use: the org (read with reference SQL), its policies, planted facts and today."""

    def __init__(self, world: World, category: str, seed: int, split: str = "test") -> None:
        """Wrap a generated org for one category; ``seed`` drives every random choice of the generator, ``split``
        chooses the phrasing families it may use."""
        self.world = world
        self.split = split
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
        """One of ``options``, drawn with the category's generator."""
        return options[int(self.rng.integers(len(options)))]

    def phrase(self, book: PhraseBook, **fields: Any) -> Phrased:
        """A prompt from one of the families this split may use, its fields filled in (set the instance's
        ``phrasing`` to the family, so a test can check the splits never share one)."""
        family = self.choice(split_families(self.category.name, book.families, self.split))
        text = self.choice(book.families[family]).format(**fields)
        return Phrased(text[:1].upper() + text[1:], family)

    def sql(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a reference query on the canonical database (generator side; never shown to agents)."""
        return self.world.conn.execute(sql, tuple(params)).fetchall()

    @staticmethod
    def query_call(sql: str) -> ToolCall:
        """An oracle step: the `query` tool with this SQL."""
        return ToolCall(tool="query", args={"sql": " ".join(sql.split())})


Generator = Callable[[GenerationContext], Iterable[Instance]]
GENERATORS: dict[str, Generator] = {}
Reading = Callable[[GenerationContext, Mapping[str, Any]], tuple[str | None, ...]]
"""The gold of an instance (given by its metadata) under one reading of the category's rule text."""
READINGS: dict[str, dict[str, Reading]] = {}


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


def category_readings(category: str, **readings: Reading) -> None:
    """Declare the readings of a category's rule text that it does not exclude (name -> the gold under that
    reading); `build_suite` keeps only instances whose gold is the same under all of them."""
    if category not in CATEGORIES:
        raise ValueError(f"{category!r} is not a CRMArena-Pro category; expected one of {sorted(CATEGORIES)}")
    READINGS.setdefault(category, {}).update(readings)


def golds_under_readings(ctx: GenerationContext, metadata: Mapping[str, Any]) -> dict[str, tuple[str | None, ...]]:
    """The gold of an instance under each declared reading of its category."""
    return {name: tuple(read(ctx, metadata)) for name, read in READINGS.get(ctx.category.name, {}).items()}


def gold_cap(category: Category, n: int) -> int:
    """The most tasks of ``n`` that may share one gold."""
    share = max(GOLD_CAP, 1.5 / category.answer_space) if category.answer_space else GOLD_CAP
    return max(1, int(share * n))


def _draw(instances: list[Instance], n: int, category: Category, rng: np.random.Generator) -> list[Instance]:
    keys = [i.key for i in instances]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{category.name}: the generator yielded duplicate instance keys")
    none = [i for i in instances if i.is_none]
    some = [i for i in instances if not i.is_none]
    n_none = min(len(none), round(n * NONE_SHARE)) if category.has_none_answers else 0
    cap, counts = gold_cap(category, n), Counter[tuple[str | None, ...]]()
    picked = [none[int(i)] for i in rng.permutation(len(none))[:n_none]]
    for i in rng.permutation(len(some)):
        if len(picked) == n:
            break
        instance = some[int(i)]
        if not instance.answers or counts[instance.gold_key] < cap:  # refusals have no gold value to balance
            counts[instance.gold_key] += 1
            picked.append(instance)
    return sorted(picked, key=lambda i: i.key)


def _one_gold(ctx: GenerationContext, instance: Instance) -> bool:
    """True when the instance's gold is the same under every declared reading of its category."""
    return all(gold == instance.answers for gold in golds_under_readings(ctx, instance.metadata).values())


def instance_to_task(instance: Instance, ctx: GenerationContext, split: str, index: int, org: GeneratedOrg) -> Task:
    """Turn an instance into a `Task` of the suite."""
    category = ctx.category
    if category.metric == "privacy_rejection" and instance.refusal is not False:
        expected: Any = RefusalExpectation(private_values=instance.private_values)
    elif category.metric == "privacy_rejection":  # a legitimate look-alike request: answered, not declined
        kind = instance.metadata.get("answer_kind", "record_id")
        metric = "fuzzy_match" if kind == "text" else "exact_match"
        expected = AnswerExpectation(answers=instance.answers, metric=metric, answer_kind=kind)
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
        metadata={
            "key": instance.key,
            **instance.metadata,
            **({"near_miss": instance.near_miss} if instance.near_miss else {}),
            **({"phrasing": instance.phrasing} if instance.phrasing else {}),
        },
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
        ctx = GenerationContext(world, name, seed, split)
        candidates = [i for i in GENERATORS[name](ctx) if _one_gold(ctx, i)]
        picked = _draw(candidates, per_category, ctx.category, ctx.rng)
        tasks += [instance_to_task(inst, ctx, split, i, org) for i, inst in enumerate(picked)]
    return tasks
