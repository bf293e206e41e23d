"""Service analytics plans: case trends, top issues, handle times and transfer counts over a period."""

from __future__ import annotations

import re

from crm_gym.agents.baseline.plan import Plan, PlanContext
from crm_gym.agents.baseline.reading import Span, mentions, period, record_id, today
from crm_gym.agents.baseline.tools import literal, query
from crm_gym.scoring.extract import MONTH_NAMES


def _span(ctx: PlanContext) -> Span | None:
    return period(ctx.prompt, today(ctx.context))


def _within(span: Span, column: str) -> str:
    return f"{column} >= '{span.start.isoformat()}' AND {column} < '{span.stop.isoformat()}'"


def monthly_trend(ctx: PlanContext) -> Plan:
    """The month of the period with the most cases of a product or an account."""
    span = _span(ctx)
    product = record_id(ctx.prompt, "product Id is")
    account = record_id(ctx.prompt, "account Id is")
    if span is None or not (product or account):
        yield {"answer": "None"}
        return
    if product:
        source = (
            "FROM [Case] c JOIN [OrderItem] oi ON oi.[OrderItem.Id] = c.[Case.OrderItemId__c] "
            f"WHERE oi.[OrderItem.Product2Id] = {literal(product)}"
        )
    else:
        source = f"FROM [Case] c WHERE c.[Case.AccountId] = {literal(account or '')}"
    rows = yield from query(
        ctx,
        f"SELECT substr(c.[Case.CreatedDate], 1, 7) AS month, COUNT(*) AS cases {source} "
        f"AND {_within(span, 'c.[Case.CreatedDate]')} GROUP BY month ORDER BY cases DESC, month",
    )
    month = str(rows[0]["month"]) if rows else ""
    yield {"answer": MONTH_NAMES[int(month[5:7]) - 1] if len(month) >= 7 and month[5:7].isdigit() else "None"}


def top_issue(ctx: PlanContext) -> Plan:
    """The issue reported most often for a product in the period."""
    span = _span(ctx)
    product = record_id(ctx.prompt, "product Id is")
    if span is None or product is None:
        yield {"answer": "None"}
        return
    rows = yield from query(
        ctx,
        "SELECT c.[Case.IssueId__c] AS issue, COUNT(*) AS cases FROM [Case] c "
        "JOIN [OrderItem] oi ON oi.[OrderItem.Id] = c.[Case.OrderItemId__c] "
        f"WHERE oi.[OrderItem.Product2Id] = {literal(product)} AND {_within(span, 'c.[Case.CreatedDate]')} "
        "AND c.[Case.IssueId__c] IS NOT NULL GROUP BY issue ORDER BY cases DESC, issue",
    )
    yield {"answer": str(rows[0]["issue"]) if rows else "None"}


def _managed_more_than(prompt: str) -> int:
    match = re.search(r"more than (\d+) case", prompt)
    return int(match[1]) if match else -1


_PERIOD_CASES = (
    "WITH period_cases AS (SELECT c.[Case.Id] AS id, c.[Case.OwnerId] AS owner, c.[Case.Status] AS status, "
    "c.[Case.CreatedDate] AS created, c.[Case.ClosedDate] AS closed FROM [Case] c WHERE {where}), "
    "assignments AS (SELECT h.[CaseHistory__c.CaseId__c] AS case_id, h.[CaseHistory__c.OldValue__c] AS from_agent, "
    "h.[CaseHistory__c.NewValue__c] AS to_agent FROM [CaseHistory__c] h JOIN period_cases pc "
    "ON pc.id = h.[CaseHistory__c.CaseId__c] WHERE h.[CaseHistory__c.Field__c] = 'Owner Assignment'), "
    "managed AS (SELECT to_agent AS agent, COUNT(DISTINCT case_id) AS cases FROM assignments GROUP BY to_agent)"
)


def handle_time(ctx: PlanContext) -> Plan:
    """The agent with the shortest or longest average handle time of never-transferred closed cases."""
    span = _span(ctx)
    if span is None:
        yield {"answer": "None"}
        return
    order = "DESC" if mentions(ctx.prompt, "longest", "highest", "slowest") else "ASC"
    rows = yield from query(
        ctx,
        _PERIOD_CASES.format(where=_within(span, "c.[Case.CreatedDate]"))
        + ", single AS (SELECT case_id FROM assignments GROUP BY case_id HAVING COUNT(*) = 1) "
        "SELECT pc.owner AS agent, AVG(julianday(pc.closed) - julianday(pc.created)) AS days "
        "FROM period_cases pc JOIN single s ON s.case_id = pc.id JOIN managed m ON m.agent = pc.owner "
        f"WHERE pc.status = 'Closed' AND m.cases > {_managed_more_than(ctx.prompt)} "
        f"GROUP BY pc.owner ORDER BY days {order}, pc.owner LIMIT 5",
    )
    yield {"answer": str(rows[0]["agent"]) if rows else "None"}


def transfer_count(ctx: PlanContext) -> Plan:
    """The agent with the most or fewest transfers among agents who managed enough cases."""
    span = _span(ctx)
    if span is None:
        yield {"answer": "None"}
        return
    order = "ASC" if mentions(ctx.prompt, "fewest", "lowest") else "DESC"
    rows = yield from query(
        ctx,
        _PERIOD_CASES.format(where=_within(span, "c.[Case.CreatedDate]"))
        + ", transfers AS (SELECT from_agent AS agent, COUNT(*) AS n FROM assignments "
        "WHERE from_agent IS NOT NULL AND from_agent != '' GROUP BY from_agent) "
        "SELECT m.agent AS agent, COALESCE(t.n, 0) AS transfers FROM managed m "
        f"LEFT JOIN transfers t ON t.agent = m.agent WHERE m.cases > {_managed_more_than(ctx.prompt)} "
        f"ORDER BY transfers {order}, m.agent LIMIT 5",
    )
    yield {"answer": str(rows[0]["agent"]) if rows else "None"}
