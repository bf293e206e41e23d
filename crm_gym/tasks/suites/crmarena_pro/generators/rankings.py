"""Questions that rank agents or states by a metric over a period, within a population the question may describe.

A question ranks the keys of a `Metric` (agents or states) over a period, best or worst first, within a `Scope`:
everyone, or a population described by a territory, an account or a rep it names (`scopes`). Some metrics may also
be limited to a product line, named by what its products are. The gold is computed from the metric's per-key
figures, read with one reference query per date range and kept while the category is built, so each reading of
the question is cheap to recompute:

- the period as the domain definitions say, as the query tool's ``LAST_N_*`` literal, as whole calendar months
  (`Period.readings`), and without its first or its last day (a time zone, an exclusive bound);
- any metric variant the rule text does not exclude (`Metric.variants`).

A question is kept only when every reading gives the same single answer. A scoped question whose population has
nothing to rank while others do has the answer None: its near miss says what a careful agent finds.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crm_gym.tasks.suites.crmarena_pro.framework import (
    GenerationContext,
    Instance,
    PhraseBook,
    category_readings,
    golds_under_readings,
)
from crm_gym.tasks.suites.crmarena_pro.generators.common import sql_literal, today_line
from crm_gym.tasks.suites.crmarena_pro.generators.periods import Period, periods
from crm_gym.tasks.suites.crmarena_pro.generators.scopes import SCOPED_KINDS, Entity, OrgScopes, Scope
from crm_gym.world.generate.b2b_text import CATEGORIES as PRODUCT_LINES

_DAY = dt.timedelta(days=1)
# Readings of a period beyond its definition: the tool's literal and calendar months (`Period.readings`), and the
# period without its first or last day.
_BOUNDARY_READINGS = ("first day excluded", "last day excluded")
_PERIOD_READINGS = ("SOQL literal", "calendar months", *_BOUNDARY_READINGS)
# A population with nothing to rank is a None question only when at least this many others have something.
_NEAR_MISS_OTHERS = 3
# What a product line is called in a question ("storage arrays"), by its family name.
PRODUCT_LINE_PHRASE = {line.name: line.phrase for line in PRODUCT_LINES}


@dataclass(frozen=True)
class Figure:
    """One key's figure over a period: the value ranked, and how many records it is computed from."""

    value: float
    count: int


@dataclass(frozen=True)
class Metric:
    """One way of ranking agents or states.

    Attributes:
        name: Identifies the metric in task metadata.
        entity: What is ranked.
        sql: Reference query, formatted with ``start`` and ``stop`` (ISO dates, stop excluded), ``family_join`` and
            ``family`` (the product-line restriction, or empty), ``population`` (an ``AND key IN (...)`` condition or
            empty) and ``order`` (ASC or DESC). Its rows start with the key and the count of records behind its
            figure, then the numbers ``value`` reads and any shown to a reader; best first in ``order``.
        value: The ranked value of a row (exact for equal rationals: an average is one division).
        margin: Values closer than this are a tie.
        tie_break: Ties on the value go to the key with the larger count (the rule says so); else a tie has no
            answer and the question is dropped.
        key_column: The column the population restricts (``o.OwnerId``, ``a.BillingState``).
        family_join: The join that gives the query a product ``p`` to restrict to a product line, if it may be.
        variants: Readings of the metric's rule the text does not exclude: name -> a query like ``sql``.
        basis: What the metric is computed from, for a near miss ("activated orders under contracts signed").
    """

    name: str
    entity: Entity
    sql: str
    value: Callable[[Sequence[Any]], float]
    margin: float
    key_column: str
    basis: str
    tie_break: bool = False
    family_join: str = ""
    variants: Mapping[str, str] = field(default_factory=dict)

    def query(
        self,
        start: dt.date,
        stop: dt.date,
        *,
        family: str | None,
        population: Sequence[str] | None,
        lowest: bool,
        variant: str | None = None,
    ) -> str:
        """The metric's query over ``[start, stop)``, for a product line and a population when given."""
        template = self.variants[variant] if variant else self.sql
        keys = ", ".join(sql_literal(k) for k in population or ())
        return " ".join(
            template.format(
                start=start.isoformat(),
                stop=stop.isoformat(),
                family_join=self.family_join if family else "",
                family=f"AND p.Family = {sql_literal(family)}" if family else "",
                population=f"AND {self.key_column} IN ({keys})" if population is not None else "",
                order="ASC" if lowest else "DESC",
            ).split()
        )


# -- figures and golds --------------------------------------------------------------------------------------------

# Per generation context (one category's build over one org), so a world changed later is never read stale.
_FIGURES: weakref.WeakKeyDictionary[GenerationContext, dict[tuple[Any, ...], dict[str, Figure]]] = (
    weakref.WeakKeyDictionary()
)


def figures(
    ctx: GenerationContext, metric: Metric, start: dt.date, stop: dt.date, family: str | None, variant: str | None
) -> dict[str, Figure]:
    """Every key's figure over ``[start, stop)`` (cached: readings recompute them often)."""
    cache = _FIGURES.setdefault(ctx, {})
    key = (metric.name, start, stop, family, variant)
    if key not in cache:
        sql = metric.query(start, stop, family=family, population=None, lowest=False, variant=variant)
        cache[key] = {row[0]: Figure(metric.value(row), int(row[1])) for row in ctx.sql(sql)}
    return cache[key]


def decide(metric: Metric, found: Mapping[str, Figure], lowest: bool) -> tuple[str | None, ...]:
    """The gold over ``found``: the best key, (None,) when there is none, or every tied key when the rule cannot
    tell them apart (a question to drop)."""
    if not found:
        return (None,)
    sign = 1 if lowest else -1
    ranked = sorted(found.items(), key=lambda kv: (sign * kv[1].value, kv[0]))
    best = ranked[0][1].value
    tied = [(k, f) for k, f in ranked if abs(f.value - best) <= metric.margin]
    if len(tied) > 1 and metric.tie_break:
        most = max(f.count for _, f in tied)
        tied = [(k, f) for k, f in tied if f.count == most]
    return tuple(sorted(k for k, _ in tied))


@dataclass(frozen=True)
class Question:
    """What a ranking question asks, as stored in task metadata (everything a reading needs)."""

    metric: str
    lowest: bool
    period: Period
    population: tuple[str, ...] | None
    family: str | None

    def metadata(self) -> dict[str, Any]:
        """The question as task metadata."""
        return {
            "metric": self.metric,
            "lowest": self.lowest,
            "period": self.period.key,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "literal": list(self.period.literal) if self.period.literal else None,
            "population": list(self.population) if self.population is not None else None,
            "family": self.family,
        }

    @staticmethod
    def from_metadata(metadata: Mapping[str, Any]) -> Question:
        """The question stored by `metadata`."""
        literal = metadata["literal"]
        period = Period(
            metadata["period"],
            "",
            dt.date.fromisoformat(metadata["start"]),
            dt.date.fromisoformat(metadata["end"]),
            (literal[0], int(literal[1])) if literal else None,
        )
        population = metadata["population"]
        return Question(
            metadata["metric"],
            metadata["lowest"],
            period,
            tuple(population) if population is not None else None,
            metadata["family"],
        )


def gold(
    ctx: GenerationContext, metric: Metric, question: Question, reading: str | None = None, variant: str | None = None
) -> tuple[str | None, ...]:
    """The question's gold under a reading of its period (None: as defined) and a variant of its metric."""
    start, stop = period_range(question.period, ctx.today, reading)
    found = figures(ctx, metric, start, stop, question.family, variant)
    if question.population is not None:
        found = {k: f for k, f in found.items() if k in question.population}
    return decide(metric, found, question.lowest)


def period_range(period: Period, today: dt.date, reading: str | None) -> tuple[dt.date, dt.date]:
    """The ``[start, stop)`` range a reader takes the period to be under ``reading`` (None: as defined)."""
    if reading == "first day excluded":
        return period.start + _DAY, period.stop
    if reading == "last day excluded":
        return period.start, period.end
    return period.readings(today).get(reading or "as defined", (period.start, period.stop))


def declare_readings(category: str, metrics: Mapping[str, Metric]) -> None:
    """Declare the category's readings: each period reading, and each variant of its metrics."""

    def by_period(reading: str) -> Callable[[GenerationContext, Mapping[str, Any]], tuple[str | None, ...]]:
        def read(ctx: GenerationContext, metadata: Mapping[str, Any]) -> tuple[str | None, ...]:
            question = Question.from_metadata(metadata)
            return gold(ctx, metrics[question.metric], question, reading=reading)

        return read

    def by_variant(variant: str) -> Callable[[GenerationContext, Mapping[str, Any]], tuple[str | None, ...]]:
        def read(ctx: GenerationContext, metadata: Mapping[str, Any]) -> tuple[str | None, ...]:
            question = Question.from_metadata(metadata)
            metric = metrics[question.metric]
            return gold(ctx, metric, question, variant=variant if variant in metric.variants else None)

        return read

    variants = sorted({v for m in metrics.values() for v in m.variants})
    category_readings(category, **{r: by_period(r) for r in _PERIOD_READINGS}, **{v: by_variant(v) for v in variants})


# -- instances ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    """How one category asks: its phrase books and the words that fill them.

    ``measures`` maps (metric name, lowest, product line given) to noun phrases of the ranked measure with its
    direction ("the highest total sales", "the largest {line_one} sales"), formatted with the product line's name
    (``line``: "storage arrays", ``line_one``: "storage array"); ``populations`` maps a scope kind to noun phrases of
    the population, formatted with `Scope.names`. The question book's templates take ``population``, ``measure``
    and ``period``.
    """

    opener: PhraseBook
    question: PhraseBook
    answer: PhraseBook
    measures: Mapping[tuple[str, bool, bool], Sequence[str]]
    populations: Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Plan:
    """What to ask per period: the metrics and their directions (lowest first or not), the chance of a question
    per scoped kind (besides the one over everyone), and the chance a question is limited to a product line."""

    metrics: Mapping[str, Metric]
    directions: Mapping[str, tuple[bool, ...]]
    policy: Callable[[Metric], str]
    scoped: float = 0.55
    product_line: float = 0.0


def ranking_instances(ctx: GenerationContext, plan: Plan, wording: Wording) -> Iterator[Instance]:
    """Per period, metric and direction: a question over everyone, and some over described populations."""
    scopes = OrgScopes(ctx)
    lines = sorted(PRODUCT_LINE_PHRASE)
    for period in periods(ctx.today, ctx.rng):
        for name, metric in plan.metrics.items():
            for lowest in plan.directions[name]:
                kinds = ["all", *(k for k in SCOPED_KINDS if ctx.rng.random() < plan.scoped)]
                for kind in kinds:
                    scope = scopes.draw(ctx, kind)
                    line = ctx.choice(lines) if metric.family_join and ctx.rng.random() < plan.product_line else None
                    question = Question(name, lowest, period, scope.population(metric.entity), line)
                    instance = _instance(ctx, plan, wording, metric, question, scope)
                    if instance is not None:
                        yield instance


def _instance(
    ctx: GenerationContext, plan: Plan, wording: Wording, metric: Metric, question: Question, scope: Scope
) -> Instance | None:
    answers = gold(ctx, metric, question)
    if len(answers) != 1:
        return None  # a tie no stated rule breaks
    near_miss = None
    if answers == (None,):
        near_miss = _near_miss(ctx, metric, question, scope)
        if near_miss is None:
            return None  # nothing to rank at all in the period: not a question anyone asks
    metadata = question.metadata()
    if any(g != answers for g in golds_under_readings(ctx, metadata).values()):
        return None
    fields = _fields(ctx, wording, metric, question, scope)
    opener, asked, answer = (ctx.phrase(book, **fields) for book in (wording.opener, wording.question, wording.answer))
    period = question.period
    lookups = scope.lookups(metric.entity)
    if question.family:
        lookups += (ctx.query_call("SELECT Name, Description FROM ProductCategory"),)
    final = metric.query(
        period.start, period.stop, family=question.family, population=question.population, lowest=question.lowest
    )
    direction = "lowest" if question.lowest else "highest"
    return Instance(
        key=f"{metric.name}:{direction}:{period.key}:{scope.key}:{question.family}",
        prompt=" ".join(p.text for p in (opener, asked, answer) if p.text),
        policy=f"{plan.policy(metric)}\n{today_line(ctx)}",
        answers=answers,
        calls=(*lookups, ctx.query_call(final)),
        oracle_answer=answers[0] or "None",
        metadata={**metadata, **scope.metadata()},
        near_miss=near_miss,
        phrasing=f"{opener.family}+{asked.family}+{answer.family}",
    )


def _fields(ctx: GenerationContext, wording: Wording, metric: Metric, question: Question, scope: Scope) -> dict:
    line = question.family
    one = PRODUCT_LINE_PHRASE[line] if line else ""
    measure = ctx.choice(wording.measures[(metric.name, question.lowest, line is not None)])
    return {
        "period": ctx.choice(question.period.phrasings()),
        "population": ctx.choice(wording.populations[scope.kind]).format(**scope.names()),
        "measure": measure.format(line=f"{one}s", line_one=one),
    }


def _near_miss(ctx: GenerationContext, metric: Metric, question: Question, scope: Scope) -> str | None:
    """What a careful agent finds when the population has nothing to rank but others do (None when few others do:
    a period at the edge of the org's history is not a question anyone asks)."""
    period = question.period
    others = figures(ctx, metric, period.start, period.stop, question.family, None)
    if len(others) < _NEAR_MISS_OTHERS or question.population is None:
        return None
    territory = scope.territory[1]
    who = f"the {territory}'s reps" if metric.entity == "agent" else f"the {territory}'s states ({scope.territory[2]})"
    line = f" for the {question.family} line" if question.family else ""
    outside = "agents" if metric.entity == "agent" else "states"
    return f"{who} have no {metric.basis}{line} {period.phrase}, while {len(others)} other {outside} do"
