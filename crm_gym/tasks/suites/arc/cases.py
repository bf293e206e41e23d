"""Shared pieces of the `arc` case builders: the task shell, expectations, calls and the production mix.

A builder describes a case (what the user asks, the seed state, the expected outcome, the oracle's calls and
answer); `case` wraps it into a `Task` with the suite's id scheme, policy, persona and "today".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from typing import Any, Literal

from crm_gym.config import data_dir
from crm_gym.tasks.model import (
    AnswerExpectation,
    NoOtherChanges,
    OracleSolution,
    RecordChanged,
    RecordCreated,
    RecordDeleted,
    RecordUnchanged,
    RefusalExpectation,
    RequiredContext,
    SeedStateOrg,
    StateExpectation,
    Task,
    ToolCall,
)
from crm_gym.tasks.suites.arc.book import TODAY, Family

SUITE = "arc"
Negative = Literal["correct", "decline"]
# A builder of one kind of case: (the family the case runs in, the case number) -> the task.
CaseBuilder = Callable[[Family, int], Task]

# Production task counts of the customer behind Arc (SEEDS.md section 1), by workflow: the suite's target mix.
PRODUCTION_COUNTS: dict[str, float] = {
    "create_opportunity": 3683,
    "modify_opportunity": 2939,
    "opportunity_search": 2279,
    "upload_document": 2190,
    "create_quote": 1804,
    "view_opportunity_details": 878,
    "contact_search": 375,
    "clone_opportunity": 267,
    "summarize_opportunities": 194,
    "client_search": 192,
    "create_client": 142,
    "create_contact": 111,
    "contract_search": 40,
    "quote_search": 32,
    "create_contract": 24,
    "company_search": 8,
    "modify_client": 1.5,  # "modify client/quote 3"
    "modify_quote": 1.5,
    "cancel_quote": 1,  # "cancel quote, modify contact 2"
    "modify_contact": 1,
    "add_note": 1,
    "compare_quotes": 1,
    "delete_opportunity": 0.5,  # "delete opportunity/quote 1"
    "delete_quote": 0.5,
    "quote_details": 1,
}

_PERSONAS = (
    "An account executive who manages mid-market deals and keeps the CRM up to date between calls.",
    "A sales manager reviewing the team's pipeline before the weekly forecast meeting.",
    "A sales operations analyst who cleans up records and files paperwork for the reps.",
    "A busy enterprise rep typing quick requests between customer meetings.",
)


@cache
def policy_text() -> str:
    """The suite's policy, shown to agents as required context (``data/suites/arc/policy.md``)."""
    return (data_dir() / "suites" / SUITE / "policy.md").read_text(encoding="utf-8")


def call(tool: str, **args: Any) -> ToolCall:
    """One tool call of an oracle solution."""
    return ToolCall(tool=tool, args=args)


def case(
    workflow: str,
    n: int,
    prompt: str,
    org: SeedStateOrg,
    expected: StateExpectation | AnswerExpectation,
    calls: Sequence[ToolCall],
    answer: str,
    *,
    negative: Negative | None = None,
    invalid_call: ToolCall | None = None,
    dev: bool = False,
) -> Task:
    """A task of the suite: id ``arc-<workflow>-<nnn>``, the suite policy, a persona and the book's today.

    Args:
        workflow: The production workflow the case belongs to (the task's category).
        n: The case's number within its workflow (1-based).
        prompt: What the user says.
        org: The seed state.
        expected: The state assertions (with a decline answer for negative cases) or the answer.
        calls: The oracle's tool calls.
        answer: The oracle's final answer.
        negative: "correct" when the user's value must be corrected after the API's error, "decline" when the
            request must be declined; None for an ordinary case.
        invalid_call: For a negative case, the call that passes the user's invalid value straight through.
        dev: Put the case in the "dev" split instead of "test".
    """
    metadata: dict[str, Any] = {}
    if negative is not None:
        metadata["negative"] = negative
        if invalid_call is not None:
            metadata["invalid_call"] = invalid_call.model_dump()
    return Task(
        id=f"{SUITE}-{workflow}-{n:03d}",
        suite=SUITE,
        split="dev" if dev else "test",
        org=org,
        category=workflow,
        prompt=prompt,
        persona=_PERSONAS[n % len(_PERSONAS)],
        required_context=RequiredContext(policy=policy_text()),
        today=TODAY,
        expected=expected,
        oracle=OracleSolution(calls=tuple(calls), answer=answer),
        metadata=metadata,
    )


def created(obj: str, match: dict[str, Any], fields: dict[str, Any]) -> StateExpectation:
    """Exactly this record was created (matched by ``match``, with ``fields``) and nothing else changed."""
    return StateExpectation(assertions=(RecordCreated(object=obj, match=match, fields=fields), NoOtherChanges()))


def changed(obj: str, record_id: str, fields: dict[str, Any]) -> StateExpectation:
    """Only these fields of this record changed, to these values."""
    return StateExpectation(
        assertions=(RecordChanged(object=obj, record_id=record_id, fields=fields), NoOtherChanges())
    )


def deleted(obj: str, record_id: str) -> StateExpectation:
    """This record (and what the database cascades from it) was deleted, nothing else."""
    return StateExpectation(assertions=(RecordDeleted(object=obj, record_id=record_id), NoOtherChanges()))


def declined(obj: str, record_id: str) -> StateExpectation:
    """Nothing changed (the record named stays as it was) and the final answer declines the request."""
    return StateExpectation(
        assertions=(RecordUnchanged(object=obj, record_id=record_id), NoOtherChanges()),
        answer=RefusalExpectation(private_values=()),
    )


def ids_answer(record_ids: Sequence[str]) -> AnswerExpectation:
    """The answer must name exactly these record ids (any order, any case)."""
    return AnswerExpectation(answers=tuple(record_ids), metric="exact_match", answer_kind="record_id")


def stage_answer(stage: str) -> AnswerExpectation:
    """The answer must name exactly this stage."""
    return AnswerExpectation(answers=(stage,), metric="exact_match", answer_kind="stage")


def listing(records: Sequence[dict[str, Any]], pk: str, label: str = "name") -> str:
    """An oracle answer listing records as "<id> (<label>)", one per line."""
    return "\n".join(f"- {r[pk]} ({r[label]})" for r in records)


def money(amount: float) -> str:
    """A dollar amount as a user writes it: "$125,000"."""
    return f"${amount:,.0f}"


def spoken_date(iso: str) -> str:
    """An ISO date as a user writes it: "March 31, 2025"."""
    d = date.fromisoformat(iso)
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def us_date(iso: str) -> str:
    """An ISO date in the US form the API refuses: "12/15/2025"."""
    d = date.fromisoformat(iso)
    return f"{d.month}/{d.day}/{d.year}"


def stage_words(stage: str) -> str:
    """A stage as a user says it, never in the API's spelling: "closed won", "negotiation"."""
    return stage.lower().replace("-", " ")


def possessive(name: str) -> str:
    """A name in the possessive: "Priya Raman's", "Kestrel Power Systems'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def pick(options: Sequence[Any], n: int) -> Any:
    """The option for case ``n``: cycles deterministically through the options."""
    return options[n % len(options)]
