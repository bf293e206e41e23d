"""Ranking plans: agents by sales amount, conversion rate or sales cycle, and states, over a period.

Each plan states its metric as the context's policy defines it and asks for the best row first.
"""

from __future__ import annotations

from crm_gym.agents.baseline.plan import Plan, PlanContext
from crm_gym.agents.baseline.reading import mentions, period, today
from crm_gym.agents.baseline.tools import query

_SALES = """
SELECT o.[Order.OwnerId] AS top, ROUND(SUM(oi.[OrderItem.Quantity] * oi.[OrderItem.UnitPrice]), 2) AS metric
FROM [Order] o JOIN [Contract] c ON c.[Contract.Id] = o.[Order.ContractId]
JOIN [OrderItem] oi ON oi.[OrderItem.OrderId] = o.[Order.Id]
WHERE c.[Contract.CompanySignedDate] >= '{start}' AND c.[Contract.CompanySignedDate] < '{stop}'
GROUP BY top ORDER BY metric {order}, top LIMIT 5
"""
_LEADS = """
SELECT l.[Lead.OwnerId] AS top,
  ROUND(100.0 * SUM(CASE WHEN l.[Lead.IsConverted] = 1 AND l.[Lead.ConvertedDate] >= '{start}'
    AND l.[Lead.ConvertedDate] < '{stop}' THEN 1 ELSE 0 END) / COUNT(*), 2) AS metric, COUNT(*) AS volume
FROM [Lead] l WHERE l.[Lead.CreatedDate] >= '{start}' AND l.[Lead.CreatedDate] < '{stop}'
  AND l.[Lead.OwnerId] IS NOT NULL
GROUP BY top ORDER BY metric {order}, volume DESC, top LIMIT 5
"""
_QUOTES = """
SELECT o.[Opportunity.OwnerId] AS top,
  ROUND(100.0 * SUM(CASE WHEN q.[Quote.Status] = 'Accepted' THEN 1 ELSE 0 END) / COUNT(*), 2) AS metric,
  COUNT(*) AS volume
FROM [Quote] q JOIN [Opportunity] o ON o.[Opportunity.Id] = q.[Quote.OpportunityId]
WHERE q.[Quote.CreatedDate] >= '{start}' AND q.[Quote.CreatedDate] < '{stop}' AND o.[Opportunity.OwnerId] IS NOT NULL
GROUP BY top ORDER BY metric {order}, volume DESC, top LIMIT 5
"""
_CYCLE = """
SELECT o.[Opportunity.OwnerId] AS top,
  ROUND(AVG(julianday(c.[Contract.CompanySignedDate]) - julianday(date(o.[Opportunity.CreatedDate]))), 2) AS metric
FROM [Opportunity] o JOIN [Contract] c ON c.[Contract.Id] = o.[Opportunity.ContractID__c]
WHERE c.[Contract.CompanySignedDate] >= '{start}' AND c.[Contract.CompanySignedDate] < '{stop}'
GROUP BY top ORDER BY metric {order}, top LIMIT 5
"""
_CLOSING = """
SELECT a.[Account.BillingState] AS top,
  ROUND(24 * AVG(julianday(c.[Case.ClosedDate]) - julianday(c.[Case.CreatedDate])), 2) AS metric
FROM [Case] c JOIN [Account] a ON a.[Account.Id] = c.[Case.AccountId]
WHERE c.[Case.Status] = 'Closed' AND c.[Case.CreatedDate] >= '{start}' AND c.[Case.CreatedDate] < '{stop}'
  AND a.[Account.BillingState] IS NOT NULL
GROUP BY top ORDER BY metric ASC, top LIMIT 5
"""
_STATE_SALES = """
SELECT a.[Account.BillingState] AS top, ROUND(SUM(oi.[OrderItem.Quantity] * oi.[OrderItem.UnitPrice]), 2) AS metric
FROM [Order] o JOIN [Account] a ON a.[Account.Id] = o.[Order.AccountId]
JOIN [OrderItem] oi ON oi.[OrderItem.OrderId] = o.[Order.Id]
WHERE o.[Order.Status] = 'Activated' AND o.[Order.EffectiveDate] >= '{start}' AND o.[Order.EffectiveDate] < '{stop}'
  AND a.[Account.BillingState] IS NOT NULL
GROUP BY top ORDER BY metric DESC, top LIMIT 5
"""


def _ranked(ctx: PlanContext, template: str, order: str) -> Plan:
    span = period(ctx.prompt, today(ctx.context))
    if span is None:
        yield {"answer": "None"}
        return
    sql = " ".join(template.format(start=span.start.isoformat(), stop=span.stop.isoformat(), order=order).split())
    rows = yield from query(ctx, sql)
    yield {"answer": str(rows[0]["top"]) if rows and rows[0].get("top") else "None"}


def sales_amount(ctx: PlanContext) -> Plan:
    """The agent with the highest or lowest sales amount of contracts signed in the period."""
    low = mentions(ctx.prompt, "lowest", "least", "smallest")
    return _ranked(ctx, _SALES, "ASC" if low else "DESC")


def conversion_rate(ctx: PlanContext) -> Plan:
    """The agent with the best or worst lead conversion or quote acceptance rate in the period."""
    low = mentions(ctx.prompt, "lowest", "weakest", "least often")
    quotes = mentions(ctx.prompt, "quote")
    return _ranked(ctx, _QUOTES if quotes else _LEADS, "ASC" if low else "DESC")


def sales_cycle(ctx: PlanContext) -> Plan:
    """The agent with the shortest or longest average sales cycle in the period."""
    long = mentions(ctx.prompt, "longest", "most time", "slowest")
    return _ranked(ctx, _CYCLE, "DESC" if long else "ASC")


def best_region(ctx: PlanContext) -> Plan:
    """The state with the fastest case closing or the highest sales in the period."""
    closing = mentions(ctx.prompt, "case", "closure", "closed", "resolved")
    return _ranked(ctx, _CLOSING if closing else _STATE_SALES, "")
