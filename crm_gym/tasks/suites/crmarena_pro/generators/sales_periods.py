"""Generators of the sales categories that rank agents or states by a metric over a period (`rankings`).

- ``sales_amount_understanding``: the agent with the highest / lowest total amount of activated orders under
  contracts signed in the period, optionally of one product line.
- ``conversion_rate_comprehension``: the agent with the highest / lowest lead conversion or quote acceptance rate;
  agents sharing the rate are told apart by the stated rule (the most leads or quotes), and only questions that
  rule decides are kept.
- ``sales_cycle_understanding``: the agent with the shortest / longest average sales cycle of deals signed in the
  period (from the opportunity's creation day to its contract's company signed date, whatever its stage).
- ``best_region_identification``: the state with the quickest average case closing or the highest sales, optionally
  of one product line.

More than half the questions compare a described population rather than everyone (`scopes`): the reps (or states)
of a territory named by its name (the Great Lakes and the Great Plains, the Southwest and the Southeast...), of the
territory a named account belongs to (accounts share surnames: Martin Industries, Martin Technologies), or of a
named rep's territory (reps share first names).
"""

from __future__ import annotations

from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance, PhraseBook, category_generator
from crm_gym.tasks.suites.crmarena_pro.generators.common import balanced
from crm_gym.tasks.suites.crmarena_pro.generators.rankings import (
    Metric,
    Plan,
    Wording,
    declare_readings,
    ranking_instances,
)

# -- shared wording ----------------------------------------------------------------------------------------------

_OPENERS = PhraseBook(
    families={
        "bare": ("",),
        "review": (
            "I'm getting ready for the quarterly business review.",
            "I'm preparing slides for the pipeline review.",
            "Putting together numbers for the regional review.",
        ),
        "quick": ("Quick question.", "Quick one for you.", "A quick check, please."),
        "asked": (
            "My manager asked me to find this out.",
            "Leadership asked for this before Friday.",
            "The VP of sales wants to know something.",
        ),
        "report": ("For the monthly sales report:", "For this week's team report:", "For the board pack I'm drafting:"),
        "debate": (
            "We're debating this on the team.",
            "Two of us disagree on this one.",
            "There's an argument going on in the team channel.",
        ),
        "greeting": ("Hi!", "Hello.", "Hey there."),
        "verify": (
            "I'm double-checking a number from the dashboard.",
            "The dashboard looks off to me.",
            "I want to verify something in the CRM.",
        ),
        "planning": (
            "I'm planning next quarter's targets.",
            "We're setting up next year's territory plan.",
            "I'm working on the incentive plan.",
        ),
    }
)
_TERRITORY_RULE = (
    "- Territories: a territory covers the states listed in its description (Territory2.Description), and its reps "
    "are the users assigned to it (UserTerritory2Association). An account belongs to the territory that covers its "
    "billing state (Account.BillingState); a rep's team is everyone assigned to the rep's territory, the rep "
    "included."
)
_PRODUCT_LINE_RULE = (
    "- Product lines: a product line is a product family (Product2.Family); the product categories "
    "(ProductCategory) say what each line's products are."
)

# -- agents ----------------------------------------------------------------------------------------------------------

_AGENT_QUESTIONS = PhraseBook(
    families={
        "which-of": (
            "which of {population} had {measure} {period}?",
            "which of {population} showed {measure} {period}?",
        ),
        "of-who": (
            "of {population}, who had {measure} {period}?",
            "of {population}, who came out with {measure} {period}?",
        ),
        "among": (
            "among {population}, who had {measure} {period}?",
            "among {population}, which one had {measure} {period}?",
        ),
        "find": (
            "find the agent among {population} with {measure} {period}.",
            "find out which of {population} had {measure} {period}.",
        ),
        "need-to-know": (
            "I need to know who among {population} had {measure} {period}.",
            "I'd like to know which of {population} had {measure} {period}.",
        ),
        "period-first": (
            "{period}, which of {population} had {measure}?",
            "{period}, who among {population} had {measure}?",
        ),
        "looking-at": (
            "looking at {population} {period}, who had {measure}?",
            "looking across {population}, who had {measure} {period}?",
        ),
        "tell-me": (
            "tell me who had {measure} {period} among {population}.",
            "tell me which of {population} had {measure} {period}.",
        ),
        "can-you": (
            "can you check which of {population} had {measure} {period}?",
            "could you look up who among {population} had {measure} {period}?",
        ),
        "who-out-of": (
            "who, out of {population}, had {measure} {period}?",
            "who was the agent with {measure} {period}, out of {population}?",
        ),
        "identify": (
            "identify the agent with {measure} {period} among {population}.",
            "please identify which of {population} had {measure} {period}.",
        ),
        "compare": (
            "compare {population} {period}: who had {measure}?",
            "comparing {population} {period}, who ended up with {measure}?",
        ),
    }
)
_AGENT_ANSWERS = PhraseBook(
    families={
        "return-only": (
            "Return only the Id of the agent, or None if no agent qualifies.",
            "Return only the agent's User Id, or None if none of them qualifies.",
        ),
        "reply-with": (
            "Reply with just that agent's User Id (None if nobody qualifies).",
            "Reply with the agent's Id alone, or None if there is no such agent.",
        ),
        "just-id": (
            "Just the Id, please, or None if no one fits.",
            "Just their User Id is enough; None if nobody qualifies.",
        ),
        "answer-only": (
            "Answer with the agent's Id only; if no agent qualifies, answer None.",
            "Answer only with a User Id, or with None if no agent qualifies.",
        ),
        "give-me": (
            "Give me only the agent's Id, or None if no one qualifies.",
            "Give me the User Id and nothing else (None if no agent qualifies).",
        ),
        "only-need": (
            "I only need the User Id, or None if no one qualifies.",
            "All I need is the agent's Id, or None if nobody qualifies.",
        ),
    }
)
_AGENT_POPULATIONS = {
    "all": ("our agents", "all our sales agents", "the sales reps", "our account executives", "our reps"),
    "territory": (
        "the reps of the {territory} Territory",
        "the {territory} reps",
        "the agents on the {territory} team",
        "the {territory} Territory team",
        "the reps assigned to the {territory} Territory",
    ),
    "account": (
        "the reps in {possessive} territory",
        "the agents covering {possessive} territory",
        "the reps of the territory {account} belongs to",
        "the team that covers {account}",
        "{possessive} territory reps",
    ),
    "rep": (
        "the reps on {possessive} team",
        "{possessive} team",
        "{rep} and the other reps of that territory",
        "the members of {possessive} territory team",
        "the people on {possessive} team",
    ),
}


def _agent_wording(measures: dict[tuple[str, bool, bool], tuple[str, ...]]) -> Wording:
    return Wording(_OPENERS, _AGENT_QUESTIONS, _AGENT_ANSWERS, measures, _AGENT_POPULATIONS)


def _policy(*lines: str) -> str:
    return "\n".join(lines)


# -- sales amount ---------------------------------------------------------------------------------------------------

_ORDER_LINE_PRODUCT = "JOIN Product2 p ON p.Id = oi.Product2Id"
_SALES = Metric(
    name="sales",
    entity="agent",
    sql="""
    SELECT o.OwnerId AS agent, COUNT(DISTINCT o.Id) AS orders, ROUND(SUM(oi.Quantity * oi.UnitPrice), 2) AS sales_amount
    FROM "Order" o JOIN Contract c ON c.Id = o.ContractId JOIN OrderItem oi ON oi.OrderId = o.Id {family_join}
    WHERE o.Status = 'Activated' AND c.CompanySignedDate >= '{start}' AND c.CompanySignedDate < '{stop}'
      {family} {population}
    GROUP BY o.OwnerId ORDER BY sales_amount {order}, o.OwnerId
    """,
    value=lambda row: row[2],
    margin=0.01,
    key_column="o.OwnerId",
    basis="activated orders under contracts signed",
    family_join=_ORDER_LINE_PRODUCT,
)
_SALES_POLICY = _policy(
    "## Sales amount policy",
    "- Definition: the sales amount of an order is the sum of Quantity * UnitPrice over its order items "
    "(OrderItem). Only activated orders (Status 'Activated') are sales; a draft order does not count.",
    "- Period: an order counts for a period when the contract it belongs to (Order.ContractId) was signed by the "
    "company (Contract.CompanySignedDate) within that period; it counts for the agent who owns the order.",
    "- Comparison: an agent's sales amount is the total over the orders that count for them (for a product line, "
    "over those orders' items of that line); only agents with at least one such order are compared.",
    _TERRITORY_RULE,
    _PRODUCT_LINE_RULE,
)
_SALES_WORDING = _agent_wording(
    {
        ("sales", False, False): (
            "the highest total sales",
            "the largest sales amount",
            "the biggest total sales amount",
            "the most sales by amount",
        ),
        ("sales", True, False): (
            "the lowest total sales",
            "the smallest sales amount",
            "the lowest sales amount",
            "the least sales by amount",
        ),
        ("sales", False, True): (
            "the highest sales of our {line}",
            "the largest {line_one} sales",
            "the most sales, by amount, of {line}",
        ),
        ("sales", True, True): (
            "the lowest sales of our {line}",
            "the smallest {line_one} sales",
            "the least sales, by amount, of {line}",
        ),
    }
)
_SALES_PLAN = Plan(
    metrics={"sales": _SALES},
    directions={"sales": (False, True)},
    policy=lambda metric: _SALES_POLICY,
    product_line=0.35,
)
declare_readings("sales_amount_understanding", _SALES_PLAN.metrics)


@category_generator("sales_amount_understanding")
def sales_amount_understanding(ctx: GenerationContext) -> list[Instance]:
    """The agent with the highest or lowest sales amount of contracts signed in a period, among a population."""
    return balanced(ctx, ranking_instances(ctx, _SALES_PLAN, _SALES_WORDING), share=0.1)


# -- conversion rates ---------------------------------------------------------------------------------------------

_CONVERTED = "CASE WHEN IsConverted = 1 AND ConvertedDate >= '{start}' AND ConvertedDate < '{stop}' THEN 1 ELSE 0 END"
_LEADS = Metric(
    name="lead-conversion",
    entity="agent",
    sql=f"""
    SELECT OwnerId AS agent, COUNT(*) AS leads, SUM({_CONVERTED}) AS converted,
      ROUND(100.0 * SUM({_CONVERTED}) / COUNT(*), 2) AS conversion_rate
    FROM Lead WHERE CreatedDate >= '{{start}}' AND CreatedDate < '{{stop}}' AND OwnerId IS NOT NULL {{population}}
    GROUP BY OwnerId ORDER BY conversion_rate {{order}}, leads DESC, OwnerId
    """,
    value=lambda row: row[2] / row[1],
    margin=0,
    key_column="OwnerId",
    basis="leads created",
    tie_break=True,
)
_ACCEPTED = "CASE WHEN q.Status = 'Accepted' THEN 1 ELSE 0 END"
_QUOTES = Metric(
    name="quote-acceptance",
    entity="agent",
    sql=f"""
    SELECT o.OwnerId AS agent, COUNT(*) AS quotes, SUM({_ACCEPTED}) AS accepted,
      ROUND(100.0 * SUM({_ACCEPTED}) / COUNT(*), 2) AS acceptance_rate
    FROM Quote q JOIN Opportunity o ON o.Id = q.OpportunityId
    WHERE q.CreatedDate >= '{{start}}' AND q.CreatedDate < '{{stop}}' AND o.OwnerId IS NOT NULL {{population}}
    GROUP BY o.OwnerId ORDER BY acceptance_rate {{order}}, quotes DESC, o.OwnerId
    """,
    value=lambda row: row[2] / row[1],
    margin=0,
    key_column="o.OwnerId",
    basis="quotes created",
    tie_break=True,
)
_LEAD_POLICY = _policy(
    "## Conversion rate policy",
    "- Definition: an agent's lead conversion rate for a period is the share of the leads they own that were "
    "created within the period and converted (IsConverted, ConvertedDate) within that same period.",
    "- Formula: conversion rate = converted leads / leads created in the period x 100%.",
    "- Comparison: only agents owning at least one lead created in the period are compared. When several agents "
    "share the rate asked for (the highest, or the lowest), the answer is the one of them with the most leads "
    "created in the period.",
    _TERRITORY_RULE,
)
_QUOTE_POLICY = _policy(
    "## Quote conversion policy",
    "- Definition: an agent's quote acceptance rate for a period is the share of the quotes created within the "
    "period, on opportunities the agent owns, whose status is 'Accepted'.",
    "- Formula: acceptance rate = accepted quotes / quotes created in the period x 100%.",
    "- Comparison: only agents with at least one quote created in the period are compared. When several agents "
    "share the rate asked for (the highest, or the lowest), the answer is the one of them with the most quotes "
    "created in the period.",
    _TERRITORY_RULE,
)
_CONVERSION_WORDING = _agent_wording(
    {
        ("lead-conversion", False, False): (
            "the highest lead conversion rate",
            "the best rate of converting leads",
            "the strongest lead conversion rate",
        ),
        ("lead-conversion", True, False): (
            "the lowest lead conversion rate",
            "the worst rate of converting leads",
            "the weakest lead conversion rate",
        ),
        ("quote-acceptance", False, False): (
            "the highest quote acceptance rate",
            "the best rate of accepted quotes",
            "the largest share of quotes accepted",
        ),
        ("quote-acceptance", True, False): (
            "the lowest quote acceptance rate",
            "the worst rate of accepted quotes",
            "the smallest share of quotes accepted",
        ),
    }
)
_CONVERSION_PLAN = Plan(
    metrics={"lead-conversion": _LEADS, "quote-acceptance": _QUOTES},
    directions={"lead-conversion": (False, True), "quote-acceptance": (False, True)},
    policy=lambda metric: _LEAD_POLICY if metric is _LEADS else _QUOTE_POLICY,
)
declare_readings("conversion_rate_comprehension", _CONVERSION_PLAN.metrics)


@category_generator("conversion_rate_comprehension")
def conversion_rate_comprehension(ctx: GenerationContext) -> list[Instance]:
    """The agent with the best or worst lead conversion or quote acceptance rate in a period, among a population."""
    return balanced(ctx, ranking_instances(ctx, _CONVERSION_PLAN, _CONVERSION_WORDING), share=0.1)


# -- sales cycle ------------------------------------------------------------------------------------------------------

_CYCLE_SQL = """
SELECT o.OwnerId AS agent, COUNT(*) AS deals, SUM({days}) AS total_days, ROUND(AVG({days}), 2) AS avg_cycle_days
FROM Opportunity o JOIN Contract c ON c.Id = o.ContractID__c
WHERE c.CompanySignedDate >= '{{start}}' AND c.CompanySignedDate < '{{stop}}' {{population}}
GROUP BY o.OwnerId ORDER BY avg_cycle_days {{order}}, o.OwnerId
"""
_CYCLE = Metric(
    name="cycle",
    entity="agent",
    sql=_CYCLE_SQL.format(days="julianday(c.CompanySignedDate) - julianday(date(o.CreatedDate))"),
    value=lambda row: row[2] / row[1],
    margin=1e-9,
    key_column="o.OwnerId",
    basis="opportunities with a contract signed",
    # "The number of days from its creation" may be counted from the creation moment rather than its day.
    variants={
        "days from the creation moment": _CYCLE_SQL.format(
            days="julianday(c.CompanySignedDate) - julianday(o.CreatedDate)"
        )
    },
)
_CYCLE_POLICY = _policy(
    "## Sales cycle policy",
    "- Definition: the sales cycle of an opportunity is the number of days from its creation date to the company "
    "signed date (Contract.CompanySignedDate) of its contract (Opportunity.ContractID__c). An opportunity counts for "
    "a period when its contract was signed by the company within that period, whatever stage it is recorded in; "
    "it counts for its owner.",
    "- Comparison: an agent's average sales cycle is the mean over the opportunities that count for them; only "
    "agents with at least one such opportunity are compared.",
    _TERRITORY_RULE,
)
_CYCLE_WORDING = _agent_wording(
    {
        ("cycle", True, False): (
            "the shortest average sales cycle",
            "the quickest average time from opportunity to signature",
            "the fastest average sales cycle",
        ),
        ("cycle", False, False): (
            "the longest average sales cycle",
            "the slowest average time from opportunity to signature",
            "the longest average time to a signed contract",
        ),
    }
)
_CYCLE_PLAN = Plan(metrics={"cycle": _CYCLE}, directions={"cycle": (True, False)}, policy=lambda metric: _CYCLE_POLICY)
declare_readings("sales_cycle_understanding", _CYCLE_PLAN.metrics)


@category_generator("sales_cycle_understanding")
def sales_cycle_understanding(ctx: GenerationContext) -> list[Instance]:
    """The agent with the shortest or longest average sales cycle of deals signed in a period, among a population."""
    return balanced(ctx, ranking_instances(ctx, _CYCLE_PLAN, _CYCLE_WORDING), share=0.1)


# -- best region -------------------------------------------------------------------------------------------------

_CLOSING = Metric(
    name="closing",
    entity="state",
    sql="""
    SELECT a.BillingState AS state, COUNT(*) AS cases,
      24 * AVG(julianday(c.ClosedDate) - julianday(c.CreatedDate)) AS avg_hours_to_close
    FROM "Case" c JOIN Account a ON a.Id = c.AccountId {family_join}
    WHERE c.Status = 'Closed' AND c.CreatedDate >= '{start}' AND c.CreatedDate < '{stop}' {family} {population}
    GROUP BY a.BillingState ORDER BY avg_hours_to_close {order}, a.BillingState
    """,
    value=lambda row: row[2],
    margin=1 / 60,  # a minute: hours and days give the same order, rounding aside
    key_column="a.BillingState",
    basis="closed cases created",
    family_join="JOIN OrderItem oi ON oi.Id = c.OrderItemId__c JOIN Product2 p ON p.Id = oi.Product2Id",
)
_STATE_SALES = Metric(
    name="state-sales",
    entity="state",
    sql="""
    SELECT a.BillingState AS state, COUNT(DISTINCT o.Id) AS orders,
      ROUND(SUM(oi.Quantity * oi.UnitPrice), 2) AS sales_amount
    FROM "Order" o JOIN Account a ON a.Id = o.AccountId JOIN OrderItem oi ON oi.OrderId = o.Id {family_join}
    WHERE o.Status = 'Activated' AND o.EffectiveDate >= '{start}' AND o.EffectiveDate < '{stop}' {family} {population}
    GROUP BY a.BillingState ORDER BY sales_amount {order}, a.BillingState
    """,
    value=lambda row: row[2],
    margin=0.01,
    key_column="a.BillingState",
    basis="activated orders effective",
    family_join=_ORDER_LINE_PRODUCT,
)
_STATE_RULES = _policy(
    "- Territories: a territory covers the states listed in its description (Territory2.Description); an account "
    "belongs to the territory that covers its billing state, and a rep covers the states of the territory they are "
    "assigned to (UserTerritory2Association).",
    _PRODUCT_LINE_RULE,
)
_REGION_POLICY = {
    "closing": _policy(
        "## Case closing time",
        "- A case's closing time is the time from its CreatedDate to its ClosedDate. Only closed cases (Status "
        "'Closed') created within the period count; for a product line, only cases about an order item of that "
        "line (Case.OrderItemId__c). A case belongs to the state of its account's billing address "
        "(Account.BillingState); states are compared by the average closing time of their cases, lower is better.",
        _STATE_RULES,
    ),
    "state-sales": _policy(
        "## Sales by state",
        "- The sales amount of an order is the sum of Quantity * UnitPrice over its order items (for a product line, "
        "over its items of that line). Only activated orders (Status 'Activated') whose EffectiveDate falls within "
        "the period count. An order belongs to the state of its account's billing address (Account.BillingState); "
        "states are compared by their total sales amount, higher is better.",
        _STATE_RULES,
    ),
}
_REGION_WORDING = Wording(
    opener=_OPENERS,
    question=PhraseBook(
        families={
            "which-of": (
                "which of {population} had {measure} {period}?",
                "which of {population} saw {measure} {period}?",
            ),
            "which-state": (
                "which state among {population} had {measure} {period}?",
                "which single state, of {population}, had {measure} {period}?",
            ),
            "where": (
                "where, among {population}, did we see {measure} {period}?",
                "where did we see {measure} {period}, looking at {population}?",
            ),
            "find": (
                "find the state with {measure} {period} among {population}.",
                "find out which of {population} had {measure} {period}.",
            ),
            "period-first": (
                "{period}, which of {population} had {measure}?",
                "{period}, which state among {population} had {measure}?",
            ),
            "tell-me": (
                "tell me which state had {measure} {period}, among {population}.",
                "tell me which of {population} had {measure} {period}.",
            ),
            "can-you": (
                "can you check which of {population} had {measure} {period}?",
                "could you work out which state, among {population}, had {measure} {period}?",
            ),
            "identify": (
                "identify the state with {measure} {period}, out of {population}.",
                "please identify which of {population} had {measure} {period}.",
            ),
            "compare": (
                "compare {population} {period}: which had {measure}?",
                "comparing {population} {period}, which state had {measure}?",
            ),
            "need-to-know": (
                "I need to know which of {population} had {measure} {period}.",
                "I'd like to find out which state among {population} had {measure} {period}.",
            ),
        }
    ),
    answer=PhraseBook(
        families={
            "return-only": (
                "Return only the two-letter abbreviation of the state, or None if no state qualifies.",
                "Return only the state's two-letter code, or None if none qualifies.",
            ),
            "reply-with": (
                "Reply with the state's postal abbreviation alone, or None if no state qualifies.",
                "Reply with just the two-letter code of the state (None if there is none).",
            ),
            "just-code": (
                "Just the two-letter state code, please; None if there isn't one.",
                "Just the state abbreviation is fine, or None if no state fits.",
            ),
            "answer-only": (
                "Answer with the state abbreviation only, or None if no state qualifies.",
                "Answer only with a two-letter state code, or with None if no state qualifies.",
            ),
            "give-me": (
                "Give me only the state's two-letter code, or None if none qualifies.",
                "Give me the postal abbreviation of the state and nothing else (None if no state qualifies).",
            ),
        }
    ),
    measures={
        ("closing", True, False): (
            "the quickest case closures",
            "the shortest average case closing time",
            "the fastest average time to close cases",
            "the quickest average resolution of closed cases",
        ),
        ("closing", True, True): (
            "the quickest closures of cases about {line}",
            "the shortest average closing time for {line_one} cases",
            "the fastest average time to close cases on our {line}",
        ),
        ("state-sales", False, False): (
            "the highest sales",
            "the largest total sales amount",
            "the biggest sales by amount",
            "the most revenue from activated orders",
        ),
        ("state-sales", False, True): (
            "the highest sales of our {line}",
            "the largest {line_one} sales",
            "the most revenue from {line}",
        ),
    },
    populations={
        "all": (
            "our customers' states",
            "all the states we sell to",
            "the states our accounts are based in",
            "the US states we serve",
        ),
        "territory": (
            "the states of the {territory} Territory",
            "the {territory} Territory's states",
            "the states in the {territory} region",
            "the states covered by the {territory} Territory",
        ),
        "account": (
            "the states in {possessive} territory",
            "the states of the territory {account} belongs to",
            "the states covered by {possessive} territory",
        ),
        "rep": (
            "the states in {possessive} territory",
            "the states {rep} covers",
            "the states of {possessive} territory",
        ),
    },
)
_REGION_PLAN = Plan(
    metrics={"closing": _CLOSING, "state-sales": _STATE_SALES},
    directions={"closing": (True,), "state-sales": (False,)},
    policy=lambda metric: _REGION_POLICY[metric.name],
    scoped=0.8,
    product_line=0.45,
)
declare_readings("best_region_identification", _REGION_PLAN.metrics)


@category_generator("best_region_identification")
def best_region_identification(ctx: GenerationContext) -> list[Instance]:
    """The state with the quickest average case closing or the highest sales in a period, among a population."""
    return balanced(ctx, ranking_instances(ctx, _REGION_PLAN, _REGION_WORDING), share=0.05)
