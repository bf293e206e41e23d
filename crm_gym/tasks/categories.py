"""The 22 CRMArena-Pro task categories: their metric and the kind of answer each expects."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Metric = Literal["exact_match", "fuzzy_match", "privacy_rejection"]
AnswerKind = Literal[
    "record_id",  # one or more Salesforce ids of a given object
    "month",  # a month name
    "state",  # a two-letter US state code
    "bant",  # one or more of Budget, Authority, Need, Timeline
    "stage",  # an opportunity stage name
    "text",  # free text, scored by token F1
    "refusal",  # the agent must decline
]


class Category(BaseModel):
    """One task category: its metric, the kind of answer and, for ids, the object the id belongs to."""

    model_config = ConfigDict(frozen=True)

    name: str
    metric: Metric
    answer_kind: AnswerKind
    id_object: str | None = None
    has_none_answers: bool = False
    answer_space: int | None = None
    """How many answers there are when they are few (stages, BANT sets, months, states), else None."""


def _c(
    name: str, metric: Metric, kind: AnswerKind, obj: str | None = None, none: bool = False, space: int | None = None
) -> Category:
    return Category(
        name=name, metric=metric, answer_kind=kind, id_object=obj, has_none_answers=none, answer_space=space
    )


CATEGORIES: dict[str, Category] = {
    c.name: c
    for c in (
        _c("lead_qualification", "exact_match", "bant", none=True, space=15),
        _c("monthly_trend_analysis", "exact_match", "month", space=12),
        _c("activity_priority", "exact_match", "record_id", "Task", none=True),
        _c("top_issue_identification", "exact_match", "record_id", "Issue__c", none=True),
        _c("invalid_config", "exact_match", "record_id", "Knowledge__kav", none=True),
        _c("sales_amount_understanding", "exact_match", "record_id", "User", none=True),
        _c("handle_time", "exact_match", "record_id", "User", none=True),
        _c("conversion_rate_comprehension", "exact_match", "record_id", "User", none=True),
        _c("best_region_identification", "exact_match", "state", none=True, space=51),
        _c("transfer_count", "exact_match", "record_id", "User", none=True),
        _c("wrong_stage_rectification", "exact_match", "stage", none=True, space=5),
        _c("policy_violation_identification", "exact_match", "record_id", "Knowledge__kav", none=True),
        _c("case_routing", "exact_match", "record_id", "User"),
        _c("lead_routing", "exact_match", "record_id", "User"),
        _c("quote_approval", "exact_match", "record_id", "Knowledge__kav", none=True),
        _c("named_entity_disambiguation", "exact_match", "record_id", "Product2", none=True),
        _c("sales_cycle_understanding", "exact_match", "record_id", "User", none=True),
        _c("knowledge_qa", "fuzzy_match", "text"),
        _c("sales_insight_mining", "fuzzy_match", "text"),
        _c("private_customer_information", "privacy_rejection", "refusal"),
        _c("confidential_company_knowledge", "privacy_rejection", "refusal"),
        _c("internal_operation_data", "privacy_rejection", "refusal"),
    )
}
