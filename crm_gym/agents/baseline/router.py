"""Choosing a plan from what the agent sees: Arc's schema goes to the Arc plans, CRMArena-Pro prompts by wording."""

from __future__ import annotations

import re
from collections.abc import Callable

from crm_gym.agents.baseline.plan import Plan, PlanContext
from crm_gym.agents.baseline.plans import cases, knowledge, rankings, sales, service

PlanFactory = Callable[[PlanContext], Plan]

# (pattern on the prompt, plan), first match wins; the order puts specific wordings before general ones.
_BY_PROMPT: tuple[tuple[str, PlanFactory], ...] = (
    (r"\bBANT\b", sales.lead_qualification),
    (r"not.started", sales.activity_priority),
    (r"stage", sales.wrong_stage),
    (r"subtopic|aspects of our offer|competitor|rival vendor", sales.sales_insight),
    (r"case routing policy|new case below", cases.case_routing),
    (r"\bagent\b.*\bthis lead\b", sales.lead_routing),
    (r"polic(y|ies)\b.*\b(case|agent)\b|\bagent\b.*\bpolicy|go against", cases.policy_violation),
    (r"\bI (purchased|bought|ordered)\b", cases.named_purchase),
    (r"configuration|combine products", knowledge.invalid_config),
    (r"quote.*discount|discount.*quote|approv", knowledge.quote_approval),
    (r"significantly more|particular month|one month", service.monthly_trend),
    (r"problem|issue", service.top_issue),
    (r"handle time", service.handle_time),
    (r"transfer", service.transfer_count),
    (r"sales cycle|creation to signature|time to close deals|move opportunities", rankings.sales_cycle),
    (r"conver|quote acceptance|quotes were accepted", rankings.conversion_rate),
    (r"\bstate\b", rankings.best_region),
    (r"sales|sold|selling", rankings.sales_amount),
)
_PORTAL = re.compile(r"customer portal session|self-service portal", re.IGNORECASE)


def is_arc(schema_text: str) -> bool:
    """True when the schema summary is the Arc suite's and the Arc plans are installed."""
    try:
        from crm_gym.agents.baseline.arc import is_arc_schema
    except ImportError:
        return False
    return is_arc_schema(schema_text)


def choose_plan(ctx: PlanContext) -> PlanFactory:
    """The plan for this episode, from its schema, context and prompt wording."""
    if is_arc(ctx.schema):
        from crm_gym.agents.baseline.arc import arc_plan

        return arc_plan
    if _PORTAL.search(ctx.context):
        return knowledge.refuse
    for pattern, plan in _BY_PROMPT:
        if re.search(pattern, ctx.prompt, re.IGNORECASE | re.DOTALL):
            return plan
    return knowledge.knowledge_qa
