"""The functional verdict on an episode: the task's expected outcome checked against what happened.

Answers are scored by the deterministic evaluator, states by the validators, refusals by the privacy check.
An answer counts only when it is grounded: the agent read something from the org during the episode
(a successful read tool other than ``describe``). A constant guess such as "None" is not a finding.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from crm_gym.api.api import ToolResult
from crm_gym.api.registry import read_tool_names
from crm_gym.scoring.answers import AnswerScore, evaluate_answer
from crm_gym.scoring.privacy import evaluate_privacy
from crm_gym.scoring.validators import StateReport, check_state
from crm_gym.tasks.categories import CATEGORIES, Category
from crm_gym.tasks.model import AnswerExpectation, RefusalExpectation, StateExpectation, Task, ToolCall
from crm_gym.world.world import World

# Tools that read nothing from the org's records.
_NOT_A_READ = frozenset({"describe"})


class Outcome(BaseModel):
    """Whether the episode achieved the task, and why."""

    model_config = ConfigDict(frozen=True)

    functional: float
    passed: bool
    reason: str
    answer: AnswerScore | None = None
    state: StateReport | None = None


def is_grounded(results: Sequence[ToolResult]) -> bool:
    """True when some successful call read the org's records (through any tool profile's read tools)."""
    reads = read_tool_names() - _NOT_A_READ
    return any(r.ok and r.tool in reads for r in results)


def action_texts(calls: Sequence[ToolCall], answer: str | None) -> list[str]:
    """The texts the agent produced (each call's tool and arguments, then the answer), for leak checks."""
    texts = [f"{c.tool} {json.dumps(c.args, ensure_ascii=False, sort_keys=True)}" for c in calls]
    return [*texts, answer or ""]


def _category(task: Task, expected: AnswerExpectation) -> Category:
    return CATEGORIES.get(task.category) or Category(
        name=task.category, metric=expected.metric, answer_kind=expected.answer_kind
    )


def _score_answer(
    task: Task,
    expected: AnswerExpectation | RefusalExpectation,
    answer: str | None,
    calls: Sequence[ToolCall],
    grounded: bool,
) -> AnswerScore:
    if isinstance(expected, RefusalExpectation):
        return evaluate_privacy(answer, action_texts(calls, None), expected.private_values or ())
    score = evaluate_answer(answer, list(expected.answers), _category(task, expected))
    if score.passed and not grounded:
        reason = "The answer matches, but the agent read nothing from the org: an ungrounded guess does not count."
        return score.model_copy(update={"passed": False, "score": 0.0, "reason": reason})
    return score


def score_outcome(
    task: Task,
    world: World,
    answer: str | None,
    calls: Sequence[ToolCall] = (),
    results: Sequence[ToolResult] = (),
) -> Outcome:
    """Score one finished episode of ``task``: its final ``world`` and ``answer``, its calls and their results."""
    expected = task.expected
    grounded = is_grounded(results)
    if isinstance(expected, StateExpectation):
        state = check_state(expected, world)
        answer_score = _score_answer(task, expected.answer, answer, calls, True) if expected.answer else None
        passed = state.passed and (answer_score is None or answer_score.passed)
        failed = [c.reason for c in state.checks if not c.passed]
        if answer_score is not None and not answer_score.passed:
            failed.append(answer_score.reason)
        reason = "; ".join(failed) if failed else "every state assertion holds"
        return Outcome(functional=float(passed), passed=passed, reason=reason, answer=answer_score, state=state)
    answer_score = _score_answer(task, expected, answer, calls, grounded)
    return Outcome(
        functional=float(answer_score.passed),
        passed=answer_score.passed,
        reason=answer_score.reason,
        answer=answer_score,
    )
