"""Helpers every category generator may use: SQL literals, the today line, and balancing a generator's answers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance


def sql_literal(value: str) -> str:
    """A SQL string literal for ``value`` (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def today_line(ctx: GenerationContext) -> str:
    """The required-context line stating today's date."""
    return f"- Today's date: {ctx.today.isoformat()}"


def balanced(ctx: GenerationContext, instances: Iterable[Instance], share: float = 0.2) -> list[Instance]:
    """Drop candidates so that no single answer makes up more than about ``share`` of the non-None ones kept.

    Busy agents and busy months would otherwise answer most questions, and a constant guess would score well.
    With few possible answers (a small org's handful of agents) each may keep twice its even share instead.
    Which candidates of a frequent answer stay is a seeded choice; the others keep their order.
    """
    instances = list(instances)
    counts = Counter(i.answers for i in instances if not i.is_none)
    share = max(share, 2 / max(len(counts), 1))
    limit = max(counts.values(), default=0)
    while limit > 3 and limit > share * sum(min(c, limit) for c in counts.values()):
        limit -= 1
    kept: Counter[tuple[str | None, ...]] = Counter()
    keep = [False] * len(instances)
    for i in ctx.rng.permutation(len(instances)):
        answer = instances[int(i)].answers
        if answer == (None,) or kept[answer] < limit:
            kept[answer] += 1
            keep[int(i)] = True
    return [inst for inst, k in zip(instances, keep, strict=True) if k]
