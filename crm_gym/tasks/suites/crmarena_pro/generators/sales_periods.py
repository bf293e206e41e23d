"""Generators of the sales categories that rank agents or states by a metric over a period.

- ``sales_amount_understanding``: the agent with the highest / lowest total order amount of contracts signed
  in the period.
- ``conversion_rate_comprehension``: the agent with the highest / lowest lead conversion rate or quote
  acceptance rate in the period.
- ``sales_cycle_understanding``: the agent with the shortest / longest average sales cycle of deals signed in
  the period.
- ``best_region_identification``: the state with the fastest average case closing or the highest sales in the
  period.

Periods (months, quarters, seasons, years, "the past N months/quarters") follow the suite's domain definitions
and end on or before the org's today. A period with nothing to rank has the answer None; a period whose top two
values are equal (as the oracle query shows them) is left out, as no stated rule could break the tie.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance, category_generator
from crm_gym.tasks.suites.crmarena_pro.generators.periods import Period, periods


@dataclass(frozen=True)
class _Ranking:
    """One way of ranking agents or states over a period.

    ``sql`` has ``{start}`` and ``{stop}`` placeholders (ISO dates, ``stop`` excluded) and returns the ranked
    key first, then the ``deciding`` columns that rank it (the rounded metric, then any stated tie-break), best
    first.
    """

    name: str
    sql: str
    questions: tuple[str, ...]
    deciding: int = 1


def _ranked(ctx: GenerationContext, ranking: _Ranking, period: Period) -> tuple[str, tuple[str | None, ...]] | None:
    """(the oracle's SQL, the gold answers) for one period, or None when the top two values tie."""
    sql = " ".join(ranking.sql.format(start=period.start.isoformat(), stop=period.stop.isoformat()).split())
    rows = ctx.sql(sql)
    if not rows:
        return sql, (None,)
    if len(rows) > 1 and rows[0][1 : 1 + ranking.deciding] == rows[1][1 : 1 + ranking.deciding]:
        return None
    return sql, (rows[0][0],)


def _ranking_instances(
    ctx: GenerationContext, rankings: tuple[_Ranking, ...], policy: dict[str, str], answer_hint: str
) -> Iterator[Instance]:
    """One instance per (ranking, period) without a tie; ``policy`` maps a ranking name to its context text."""
    today = f"- Today's date: {ctx.today.isoformat()}"
    for period in periods(ctx.today, ctx.rng):
        for ranking in rankings:
            ranked = _ranked(ctx, ranking, period)
            if ranked is None:
                continue
            sql, answers = ranked
            question = ranking.questions[int(ctx.rng.integers(len(ranking.questions)))].format(period=period.phrase)
            yield Instance(
                key=f"{ranking.name}:{period.key}",
                prompt=f"{question[0].upper()}{question[1:]} {answer_hint}",
                policy=f"{policy[ranking.name]}\n{today}",
                answers=answers,
                calls=(ctx.query_call(sql),),
                oracle_answer=answers[0] or "None",
                metadata={"ranking": ranking.name, "start": period.start.isoformat(), "end": period.end.isoformat()},
            )


_AGENT_HINT = "Return only the Id of the agent, or None if no agent qualifies for that period."

# -- sales amount -------------------------------------------------------------------------------------------------

_SALES_SQL = """
SELECT o.OwnerId, ROUND(SUM(oi.Quantity * oi.UnitPrice), 2) AS sales_amount, COUNT(DISTINCT o.Id) AS orders
FROM "Order" o JOIN Contract c ON c.Id = o.ContractId JOIN OrderItem oi ON oi.OrderId = o.Id
WHERE c.CompanySignedDate >= '{start}' AND c.CompanySignedDate < '{stop}'
GROUP BY o.OwnerId ORDER BY sales_amount {order}, o.OwnerId
"""
_SALES_POLICY = (
    "## Sales amount policy\n"
    "- Definition: the sales amount of an order is the sum of Quantity * UnitPrice over its order items "
    "(OrderItem). An order counts for a period when the contract it belongs to was signed by the company "
    "(Contract.CompanySignedDate) within that period; it counts for the agent who owns the order.\n"
    "- Comparison: an agent's sales amount is the total over the orders that count for them; only agents with at "
    "least one such order are compared."
)
_SALES_RANKINGS = (
    _Ranking(
        "highest",
        _SALES_SQL.replace("{order}", "DESC"),
        (
            "which agent had the highest total sales amount {period}?",
            "who was the top-selling agent by total sales {period}?",
            "identify the agent with the greatest sales total {period}.",
        ),
    ),
    _Ranking(
        "lowest",
        _SALES_SQL.replace("{order}", "ASC"),
        (
            "which agent had the lowest total sales amount {period}?",
            "who sold the least, by total sales amount, {period}?",
            "identify the agent with the smallest sales total {period}.",
        ),
    ),
)


@category_generator("sales_amount_understanding")
def sales_amount_understanding(ctx: GenerationContext) -> Iterator[Instance]:
    """The agent with the highest or lowest total order amount of contracts signed in a period."""
    policy = {r.name: _SALES_POLICY for r in _SALES_RANKINGS}
    yield from _ranking_instances(ctx, _SALES_RANKINGS, policy, _AGENT_HINT)


# -- conversion rates ----------------------------------------------------------------------------------------------

_LEAD_SQL = """
SELECT OwnerId,
  ROUND(100.0 * SUM(CASE WHEN IsConverted = 1 AND ConvertedDate >= '{start}' AND ConvertedDate < '{stop}'
    THEN 1 ELSE 0 END) / COUNT(*), 2) AS conversion_rate,
  COUNT(*) AS leads
FROM Lead WHERE CreatedDate >= '{start}' AND CreatedDate < '{stop}' AND OwnerId IS NOT NULL
GROUP BY OwnerId ORDER BY conversion_rate {order}, leads DESC, OwnerId
"""
_QUOTE_SQL = """
SELECT o.OwnerId,
  ROUND(100.0 * SUM(CASE WHEN q.Status = 'Accepted' THEN 1 ELSE 0 END) / COUNT(*), 2) AS acceptance_rate,
  COUNT(*) AS quotes
FROM Quote q JOIN Opportunity o ON o.Id = q.OpportunityId
WHERE q.CreatedDate >= '{start}' AND q.CreatedDate < '{stop}' AND o.OwnerId IS NOT NULL
GROUP BY o.OwnerId ORDER BY acceptance_rate {order}, quotes DESC, o.OwnerId
"""
_LEAD_POLICY = (
    "## Conversion rate policy\n"
    "- Definition: an agent's lead conversion rate for a period is the share of the leads they own that were "
    "created within the period and converted (IsConverted, ConvertedDate) within that same period.\n"
    "- Formula: conversion rate = converted leads / leads created in the period x 100%.\n"
    "- Comparison: only agents owning at least one lead created in the period are compared; a higher rate is "
    "better. Agents with the same rate are ranked by the number of leads created in the period, more leads first."
)
_QUOTE_POLICY = (
    "## Quote conversion policy\n"
    "- Definition: an agent's quote acceptance rate for a period is the share of the quotes created within the "
    "period, on opportunities the agent owns, whose status is 'Accepted'.\n"
    "- Formula: acceptance rate = accepted quotes / quotes created in the period x 100%.\n"
    "- Comparison: only agents with at least one quote created in the period are compared; a higher rate is "
    "better. Agents with the same rate are ranked by the number of quotes created in the period, more quotes "
    "first."
)
_CONVERSION_RANKINGS = (
    _Ranking(
        "lead-highest",
        _LEAD_SQL.replace("{order}", "DESC"),
        (
            "which agent had the highest lead conversion rate {period}?",
            "who converted leads best among the agents {period}?",
        ),
        deciding=2,
    ),
    _Ranking(
        "lead-lowest",
        _LEAD_SQL.replace("{order}", "ASC"),
        (
            "which agent had the lowest lead conversion rate {period}?",
            "who had the weakest rate of converting leads among the agents {period}?",
        ),
        deciding=2,
    ),
    _Ranking(
        "quote-highest",
        _QUOTE_SQL.replace("{order}", "DESC"),
        (
            "which agent had the highest quote acceptance rate {period}?",
            "whose quotes were accepted most often, as a share of their quotes, {period}?",
        ),
        deciding=2,
    ),
    _Ranking(
        "quote-lowest",
        _QUOTE_SQL.replace("{order}", "ASC"),
        (
            "which agent had the lowest quote acceptance rate {period}?",
            "whose quotes were accepted least often, as a share of their quotes, {period}?",
        ),
        deciding=2,
    ),
)


@category_generator("conversion_rate_comprehension")
def conversion_rate_comprehension(ctx: GenerationContext) -> Iterator[Instance]:
    """The agent with the best or worst lead conversion or quote acceptance rate in a period."""
    policy = {r.name: _LEAD_POLICY if r.name.startswith("lead") else _QUOTE_POLICY for r in _CONVERSION_RANKINGS}
    yield from _ranking_instances(ctx, _CONVERSION_RANKINGS, policy, _AGENT_HINT)


# -- sales cycle ------------------------------------------------------------------------------------------------------

_CYCLE_SQL = """
SELECT o.OwnerId,
  ROUND(AVG(julianday(c.CompanySignedDate) - julianday(date(o.CreatedDate))), 2) AS avg_cycle_days,
  COUNT(*) AS deals
FROM Opportunity o JOIN Contract c ON c.Id = o.ContractID__c
WHERE c.CompanySignedDate >= '{start}' AND c.CompanySignedDate < '{stop}'
GROUP BY o.OwnerId ORDER BY avg_cycle_days {order}, o.OwnerId
"""
_CYCLE_POLICY = (
    "## Sales cycle policy\n"
    "- Definition: the sales cycle of an opportunity is the number of days from its creation date to the company "
    "signed date (CompanySignedDate) of its contract (Opportunity.ContractID__c). An opportunity counts for a "
    "period when its contract was signed by the company within that period; it counts for its owner.\n"
    "- Comparison: an agent's average sales cycle is the mean over the opportunities that count for them; only "
    "agents with at least one such opportunity are compared."
)
_CYCLE_RANKINGS = (
    _Ranking(
        "shortest",
        _CYCLE_SQL.replace("{order}", "ASC"),
        (
            "which agent had the shortest average sales cycle {period}?",
            "who closed opportunities fastest on average, from creation to signature, {period}?",
            "determine the agent with the quickest average time to close deals {period}.",
        ),
    ),
    _Ranking(
        "longest",
        _CYCLE_SQL.replace("{order}", "DESC"),
        (
            "which agent had the longest average sales cycle {period}?",
            "who took the most time on average to move opportunities from creation to signature {period}?",
            "determine the agent with the slowest average time to close deals {period}.",
        ),
    ),
)


@category_generator("sales_cycle_understanding")
def sales_cycle_understanding(ctx: GenerationContext) -> Iterator[Instance]:
    """The agent with the shortest or longest average sales cycle of deals signed in a period."""
    policy = {r.name: _CYCLE_POLICY for r in _CYCLE_RANKINGS}
    yield from _ranking_instances(ctx, _CYCLE_RANKINGS, policy, _AGENT_HINT)


# -- best region -------------------------------------------------------------------------------------------------

_REGION_RANKINGS = (
    _Ranking(
        "closing",
        """
        SELECT a.BillingState,
          ROUND(24 * AVG(julianday(c.ClosedDate) - julianday(c.CreatedDate)), 2) AS avg_hours_to_close,
          COUNT(*) AS cases
        FROM "Case" c JOIN Account a ON a.Id = c.AccountId
        WHERE c.Status = 'Closed' AND c.CreatedDate >= '{start}' AND c.CreatedDate < '{stop}'
        GROUP BY a.BillingState ORDER BY avg_hours_to_close ASC, a.BillingState
        """,
        (
            "which state had the quickest case closures {period}?",
            "in which state were cases closed fastest on average {period}?",
            "which state resolved its cases most quickly {period}?",
        ),
    ),
    _Ranking(
        "sales",
        """
        SELECT a.BillingState, ROUND(SUM(oi.Quantity * oi.UnitPrice), 2) AS sales_amount, COUNT(DISTINCT o.Id) AS orders
        FROM "Order" o JOIN Account a ON a.Id = o.AccountId JOIN OrderItem oi ON oi.OrderId = o.Id
        WHERE o.Status = 'Activated' AND o.EffectiveDate >= '{start}' AND o.EffectiveDate < '{stop}'
        GROUP BY a.BillingState ORDER BY sales_amount DESC, a.BillingState
        """,
        (
            "which state brought in the highest sales {period}?",
            "where did we sell the most, by state, {period}?",
            "which state had the largest total sales amount {period}?",
        ),
    ),
)
_REGION_POLICY = {
    "closing": "## Case closing time\n"
    "- A case's closing time is the time from its CreatedDate to its ClosedDate. Only closed cases (Status "
    "'Closed') created within the period count. A case belongs to the state of its account's billing address "
    "(Account.BillingState); states are compared by the average closing time of their cases, lower is better.",
    "sales": "## Sales by state\n"
    "- The sales amount of an order is the sum of Quantity * UnitPrice over its order items. Only activated orders "
    "(Status 'Activated') whose EffectiveDate falls within the period count. An order belongs to the state of its "
    "account's billing address (Account.BillingState); states are compared by their total sales amount, higher "
    "is better.",
}


@category_generator("best_region_identification")
def best_region_identification(ctx: GenerationContext) -> Iterator[Instance]:
    """The state with the fastest average case closing or the highest sales in a period."""
    hint = "Return only the two-letter abbreviation of the state, or None if no state qualifies for that period."
    yield from _ranking_instances(ctx, _REGION_RANKINGS, _REGION_POLICY, hint)
