"""Generators of the service-analytics categories: case trends, top issues, handle times and transfer counts.

Every question is about a period ending on or before the org's today: one of `periods.periods` (a month, a
quarter, a season, a year, the past N months or quarters) or, here, the past N weeks. A case belongs to a period
when it was created within it. Gold answers come from reference queries over the cases; a candidate is kept only
when its answer is unique and stays the same when the period's first or last day is left out, so an agent reading
"the past 4 months" with an exclusive start (or a stray time zone) still reaches the gold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from crm_gym.scoring.extract import MONTH_NAMES
from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance, category_generator
from crm_gym.tasks.suites.crmarena_pro.generators.common import balanced, today_line
from crm_gym.tasks.suites.crmarena_pro.generators.periods import Period, periods

# Two averages closer than this (in days, about a minute) are a tie: an agent may compute them in other units.
_AVERAGE_MARGIN = 1 / 1440
_DAY = dt.timedelta(days=1)


class _Tie:
    """Marks a question with no single answer."""


TIE = _Tie()
Answer = str | None | _Tie


def where(period: Period, column: str) -> str:
    """SQL condition: ``column`` (an ISO date or datetime) falls within the period."""
    return f"{column} >= '{period.start.isoformat()}' AND {column} < '{period.stop.isoformat()}'"


def variants(period: Period) -> tuple[Period, ...]:
    """The period, without its first day and without its last day: a robust answer holds for all three."""
    if period.start >= period.end:
        return (period,)
    return period, replace(period, start=period.start + _DAY), replace(period, end=period.end - _DAY)


def months(period: Period) -> list[str]:
    """The calendar months ("YYYY-MM") the period touches, in order."""
    first = period.start.year * 12 + period.start.month - 1
    last = period.end.year * 12 + period.end.month - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]


def period_metadata(period: Period) -> dict[str, str]:
    """The period as task metadata: its key and first and last days."""
    return {"period": period.key, "start": period.start.isoformat(), "end": period.end.isoformat()}


def weeks(today: dt.date) -> list[Period]:
    """Short periods: the past N weeks, which end on ``today`` and start 7 N days earlier."""
    return [
        Period(
            f"past-{n}-weeks",
            f"over the past {n} weeks" if n > 1 else "over the past week",
            today - 7 * _DAY * n,
            today,
        )
        for n in (1, 2, 3)
    ]


def stable_answer(period: Period, answer_of: Callable[[Period], Answer]) -> Answer:
    """The answer over ``period`` when each of its variants gives that same answer, else `TIE`."""
    answers = [answer_of(p) for p in variants(period)]
    return answers[0] if all(a == answers[0] for a in answers) else TIE


def unique_top(rows: Sequence[Sequence[Any]], margin: float = 0) -> Answer:
    """The first column of the first row when its second column beats the next row's by more than ``margin``.

    ``rows`` are sorted best first; no rows give None.
    """
    if not rows:
        return None
    if len(rows) > 1 and abs(rows[0][1] - rows[1][1]) <= margin:
        return TIE
    return rows[0][0]


def _shuffled(ctx: GenerationContext, items: Sequence[Any]) -> list[Any]:
    return [items[int(i)] for i in ctx.rng.permutation(len(items))]


# -- monthly_trend_analysis ------------------------------------------------------------------------------------

_TREND_PROMPTS = (
    "Was there a single month {period} in which {name} had significantly more cases than in every other month?",
    "Did we receive significantly more cases for {name} in one particular month {period} than in the others?",
    "Did any one month {period} bring significantly more {name} cases than the rest?",
)
_TREND_TARGETS = (
    ("Product2", "product", 'FROM "Case" c JOIN OrderItem oi ON oi.Id = c.OrderItemId__c WHERE oi.Product2Id'),
    ("Account", "account", 'FROM "Case" c WHERE c.AccountId'),
)
# A "significant" month has at least this many cases (candidates below it are skipped, not answered).
_TREND_MIN_CASES = 3
_TREND_PERIODS_PER_TARGET = 3
# Targets with fewer cases in the whole history cannot have a significant month in enough periods.
_TREND_MIN_TARGET_CASES = 6


def _trend_sql(source: str, record_id: str, period: Period) -> str:
    return (
        f"SELECT substr(c.CreatedDate, 1, 7) AS month, COUNT(*) AS cases {source} = '{record_id}' "
        f"AND {where(period, 'c.CreatedDate')} GROUP BY month ORDER BY cases DESC, month"
    )


def _peak_month(ctx: GenerationContext, source: str, record_id: str, period: Period) -> Answer:
    rows = ctx.sql(_trend_sql(source, record_id, period))
    month = unique_top(rows)
    if month is None or isinstance(month, _Tie) or rows[0][1] < _TREND_MIN_CASES:
        return TIE
    # A month name must name one month of the period.
    names = [MONTH_NAMES[int(m[5:]) - 1] for m in months(period)]
    name = MONTH_NAMES[int(month[5:]) - 1]
    return name if names.count(name) == 1 else TIE


@category_generator("monthly_trend_analysis")
def monthly_trend_analysis(ctx: GenerationContext) -> list[Instance]:
    """The month of a period in which a product's or an account's cases outnumber every other month's."""
    return balanced(ctx, _trend_instances(ctx))


def _trend_instances(ctx: GenerationContext) -> Iterator[Instance]:
    candidates = [p for p in periods(ctx.today, ctx.rng) if 3 <= len(months(p)) <= 12]
    for obj, label, source in _TREND_TARGETS:
        targets = ctx.sql(f'SELECT t.Id, t.Name, (SELECT COUNT(*) {source} = t.Id) AS n FROM "{obj}" t ORDER BY t.Id')
        for record_id, name, n_cases in targets:
            if n_cases < _TREND_MIN_TARGET_CASES:
                continue
            found = 0
            for period in _shuffled(ctx, candidates):
                month = stable_answer(period, lambda p, r=record_id, s=source: _peak_month(ctx, s, r, p))
                if isinstance(month, _Tie) or month is None:
                    continue
                prompt = ctx.choice(_TREND_PROMPTS).format(period=period.phrase, name=name)
                yield Instance(
                    key=f"{record_id}:{period.key}",
                    prompt=f"{prompt} The associated {label} Id is {record_id}. Return only the month name.",
                    policy=today_line(ctx),
                    answers=(month,),
                    calls=(ctx.query_call(_trend_sql(source, record_id, period)),),
                    oracle_answer=month,
                    record_id=record_id,
                    metadata=period_metadata(period),
                )
                found += 1
                if found == _TREND_PERIODS_PER_TARGET:
                    break


# -- top_issue_identification ------------------------------------------------------------------------------------

_ISSUE_PROMPTS = (
    "What has been the most frequently reported problem with {name} {period}?",
    "Which issue was reported most often for {name} {period}?",
    "What was the most common problem customers had with {name} {period}?",
)


def _issue_sql(product: str, period: Period) -> str:
    return (
        'SELECT c.IssueId__c, i.Name, COUNT(*) AS cases FROM "Case" c '
        "JOIN OrderItem oi ON oi.Id = c.OrderItemId__c JOIN Issue__c i ON i.Id = c.IssueId__c "
        f"WHERE oi.Product2Id = '{product}' AND {where(period, 'c.CreatedDate')} "
        "GROUP BY c.IssueId__c, i.Name ORDER BY cases DESC, c.IssueId__c"
    )


def _top_issue(ctx: GenerationContext, product: str, period: Period) -> Answer:
    return unique_top([(row[0], row[2]) for row in ctx.sql(_issue_sql(product, period))])


@category_generator("top_issue_identification")
def top_issue_identification(ctx: GenerationContext) -> Iterator[Instance]:
    """The issue reported most for a product in a period; None when the product had no case in it."""
    candidates = periods(ctx.today, ctx.rng)
    for product, name in ctx.sql("SELECT Id, Name FROM Product2 ORDER BY Id"):
        wanted = {"some": 2, "none": 1}
        for period in _shuffled(ctx, candidates):
            issue = stable_answer(period, lambda p, r=product: _top_issue(ctx, r, p))
            kind = "none" if issue is None else "some"
            if isinstance(issue, _Tie) or not wanted[kind]:
                continue
            wanted[kind] -= 1
            prompt = ctx.choice(_ISSUE_PROMPTS).format(name=name, period=period.phrase)
            yield Instance(
                key=f"{product}:{period.key}",
                prompt=f"{prompt} The associated product Id is {product}. Return only the Id of the most reported "
                "issue for this product, or None if it had no cases in that period.",
                policy=today_line(ctx),
                answers=(issue,),
                calls=(ctx.query_call(_issue_sql(product, period)),),
                oracle_answer=issue or "None",
                record_id=product,
                metadata=period_metadata(period),
            )
            if not any(wanted.values()):
                break


# -- handle_time and transfer_count --------------------------------------------------------------------------------

_AGENT_SCOPE = """- A case belongs to a period when it was created (CreatedDate) within the period.
- Every assignment of a case to an agent is a CaseHistory__c row with Field__c 'Owner Assignment': NewValue__c is
  the agent who received the case, OldValue__c the agent who passed it on (empty for the first assignment).
- The past N weeks end on today's date and start 7 x N days earlier.
- "Agents who managed more than N cases": count each case of the period once for every agent it was ever assigned
  to, whether as its first agent or after a transfer."""

HANDLE_TIME_POLICY = f"""## Handle Time Policy
- Handle time: the time from a case's creation (CreatedDate) to its closing (ClosedDate); only closed cases have one.
- Handle time is measured only on cases never transferred: such a case has exactly one 'Owner Assignment' row, and
  its time counts for that agent. An agent's average handle time is the mean over those cases; agents without such
  a case have none.
{_AGENT_SCOPE}"""

TRANSFER_COUNT_POLICY = f"""## Transfer Count Policy
- Transfer count: how many times an agent passed a case on to another agent. Each 'Owner Assignment' row whose
  OldValue__c is agent A adds one transfer to agent A (none to the receiving agent).
- An agent who managed cases but passed none on has a transfer count of 0.
{_AGENT_SCOPE}"""

_PERIOD_CASES = (
    'WITH period_cases AS (SELECT Id, OwnerId, Status, CreatedDate, ClosedDate FROM "Case" WHERE {where}), '
    "assignments AS (SELECT h.CaseId__c AS case_id, h.OldValue__c AS from_agent, h.NewValue__c AS to_agent "
    "FROM CaseHistory__c h JOIN period_cases pc ON pc.Id = h.CaseId__c WHERE h.Field__c = 'Owner Assignment'), "
    "managed AS (SELECT to_agent AS agent, COUNT(DISTINCT case_id) AS cases FROM assignments GROUP BY to_agent)"
)
_MANAGED_MORE_THAN = (0, 1, 2, 3, 5, 8, 12, 20)


def _handle_time_sql(period: Period, more_than: int, order: str) -> str:
    return (
        _PERIOD_CASES.format(where=where(period, "CreatedDate"))
        + ", single AS (SELECT case_id FROM assignments GROUP BY case_id HAVING COUNT(*) = 1) "
        "SELECT pc.OwnerId AS agent, AVG(julianday(pc.ClosedDate) - julianday(pc.CreatedDate)) AS avg_handle_days, "
        "COUNT(*) AS timed_cases, m.cases AS managed FROM period_cases pc JOIN single s ON s.case_id = pc.Id "
        f"JOIN managed m ON m.agent = pc.OwnerId WHERE pc.Status = 'Closed' AND m.cases > {more_than} "
        f"GROUP BY pc.OwnerId, m.cases ORDER BY avg_handle_days {order}, pc.OwnerId"
    )


def _transfer_sql(period: Period, more_than: int, order: str) -> str:
    return (
        _PERIOD_CASES.format(where=where(period, "CreatedDate"))
        + ", transfers AS (SELECT from_agent AS agent, COUNT(*) AS n FROM assignments WHERE from_agent IS NOT NULL "
        "GROUP BY from_agent) SELECT m.agent, COALESCE(t.n, 0) AS transfers, m.cases AS managed FROM managed m "
        f"LEFT JOIN transfers t ON t.agent = m.agent WHERE m.cases > {more_than} "
        f"ORDER BY transfers {order}, m.agent"
    )


@dataclass(frozen=True)
class _AgentQuestion:
    """How one agent-ranking category asks, and how its reference query ranks agents."""

    policy: str
    sql: Callable[[Period, int, str], str]
    margin: float
    # (word, SQL order) per direction; the prompt templates take {extreme}, {period} and {filter}.
    directions: tuple[tuple[tuple[str, ...], str], ...]
    prompts: tuple[str, ...]


def _agent_instances(ctx: GenerationContext, question: _AgentQuestion) -> Iterator[Instance]:
    for period in periods(ctx.today, ctx.rng) + weeks(ctx.today):
        for words, order in question.directions:
            # Rows rank every agent who managed a case; the last column is how many cases each managed.
            ranked = [ctx.sql(question.sql(p, -1, order)) for p in variants(period)]
            for more_than in _MANAGED_MORE_THAN:
                answers = [unique_top([r for r in rows if r[-1] > more_than], question.margin) for rows in ranked]
                agent = answers[0]
                if isinstance(agent, _Tie) or any(a != agent for a in answers):
                    continue
                cases = "case" if more_than == 1 else "cases"
                prompt = ctx.choice(question.prompts).format(
                    extreme=ctx.choice(words), period=period.phrase, filter=f"more than {more_than} {cases}"
                )
                yield Instance(
                    key=f"{period.key}:{order}:{more_than}",
                    prompt=f"{prompt} Return only the Id of the agent, or None if no agent qualifies.",
                    policy=f"{question.policy}\n\n{today_line(ctx)}",
                    answers=(agent,),
                    calls=(ctx.query_call(question.sql(period, more_than, order)),),
                    oracle_answer=agent or "None",
                    metadata={**period_metadata(period), "order": order, "more_than": more_than},
                )


_HANDLE_TIME = _AgentQuestion(
    policy=HANDLE_TIME_POLICY,
    sql=_handle_time_sql,
    margin=_AVERAGE_MARGIN,
    directions=((("shortest", "lowest", "quickest"), "ASC"), (("longest", "highest", "slowest"), "DESC")),
    prompts=(
        "Which agent had the {extreme} average handle time {period}, among agents who managed {filter}?",
        "Considering only agents who managed {filter} {period}, who had the {extreme} average handle time?",
        "Find the agent with the {extreme} average case handle time {period} among those who managed {filter}.",
    ),
)
_TRANSFER_COUNT = _AgentQuestion(
    policy=TRANSFER_COUNT_POLICY,
    sql=_transfer_sql,
    margin=0,
    directions=((("most", "highest number of"), "DESC"), (("fewest", "lowest number of"), "ASC")),
    prompts=(
        "Which agent had the {extreme} case transfers {period}, among agents who managed {filter}?",
        "Considering only agents who managed {filter} {period}, who made the {extreme} transfers?",
        "Identify the agent with the {extreme} transfers {period} among those who managed {filter}.",
    ),
)


@category_generator("handle_time")
def handle_time(ctx: GenerationContext) -> list[Instance]:
    """The agent with the shortest or longest average handle time in a period; None when no agent qualifies."""
    return balanced(ctx, _agent_instances(ctx, _HANDLE_TIME))


@category_generator("transfer_count")
def transfer_count(ctx: GenerationContext) -> list[Instance]:
    """The agent with the most or fewest transfers in a period; None when no agent qualifies."""
    return balanced(ctx, _agent_instances(ctx, _TRANSFER_COUNT))
