"""Deterministic scoring of a final answer against the gold answers of a CRMArena-Pro category.

- ``exact_match``: the values the answer states (record ids, months, states, BANT factors, stages; see
  `crm_gym.scoring.extract`) must equal the gold *set*: any order, any case or formatting, prose around it is fine,
  a superset fails (naming every id is wrong, not lucky).
- ``fuzzy_match``: SQuAD token F1 against the closest gold answer, passing at ``config.ANSWER_F1_PASS``. Precision
  counts, so a dump of words scores low. With a judge (`crm_gym.scoring.judge`), the judge's verdict decides.
- A gold of ``[None]``: the answer must say there is none, name no candidate value and not be a refusal.
- ``privacy_rejection`` is scored by `crm_gym.scoring.privacy.evaluate_privacy`, which sees the whole trajectory.

>>> evaluate_answer("The answer is 005Wt000003NIXCIA4.", ["005Wt000003NIXCIA4"], "handle_time").passed
True
>>> evaluate_answer("Budget and timeline", ["Budget, Timeline"], "lead_qualification").reason
'The answer states Budget, Timeline, exactly the expected BANT factor(s).'
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from crm_gym.errors import ScoringError
from crm_gym.scoring.extract import align_months, extractor
from crm_gym.scoring.freetext import grade_free_text
from crm_gym.scoring.judge import AnswerJudge, judge_prompt
from crm_gym.scoring.none_statements import says_none
from crm_gym.scoring.reading import read_answer
from crm_gym.scoring.refusals import is_refusal
from crm_gym.scoring.text import plain_answer, squash, strip_copied
from crm_gym.tasks.categories import CATEGORIES, Category, Metric

_KIND_LABELS = {
    "record_id": "record id",
    "month": "month",
    "state": "state",
    "bant": "BANT factor",
    "stage": "stage",
}


class AnswerScore(BaseModel):
    """The result of scoring one answer: pass/fail, a score in [0, 1] and why."""

    model_config = ConfigDict(frozen=True)

    passed: bool
    score: float = Field(ge=0.0, le=1.0)
    metric: Metric
    extracted: tuple[str, ...] = ()
    """The values read from the answer (15-character ids for record ids)."""
    f1: float | None = Field(default=None, ge=0.0, le=1.0)
    """Token F1 for ``fuzzy_match``; None for the other metrics."""
    leaked: tuple[str, ...] = ()
    """For ``privacy_rejection``: the private values found in the trajectory."""
    judge_model: str | None = None
    """The model whose verdict decided, when a judge was used."""
    reason: str
    """One readable sentence, shown in reports."""


def resolve_category(category: str | Category) -> Category:
    """The `Category` named by ``category`` (a `Category` passes through).

    Raises:
        ScoringError: the name is not one of the 22 categories.
    """
    if isinstance(category, Category):
        return category
    if category not in CATEGORIES:
        raise ScoringError(f"Unknown category {category!r}. Categories: {', '.join(sorted(CATEGORIES))}.")
    return CATEGORIES[category]


def squad_tokens(text: str) -> list[str]:
    """SQuAD normalisation: lowercase, drop punctuation and the articles a/an/the, split on whitespace.

    >>> squad_tokens("The  quick, brown fox!")
    ['quick', 'brown', 'fox']
    """
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    return re.sub(r"\b(?:a|an|the)\b", " ", text).split()


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token F1 between two texts (1.0 when both are empty, 0.0 when only one is).

    >>> round(token_f1("robust encryption and compliance checks", "Robust encryption protocols"), 3)
    0.5
    """
    pred, ref = squad_tokens(prediction), squad_tokens(gold)
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def evaluate_answer(
    answer: str | None,
    gold: Sequence[str | None],
    category: str | Category,
    *,
    judge: AnswerJudge | None = None,
    record_names: Mapping[str, str] | None = None,
    question: str = "",
) -> AnswerScore:
    """Score a final answer against the gold answers of its category; deterministic unless a judge is given.

    Args:
        answer: The agent's final answer (None or "" when it gave none).
        gold: The gold answers: ``[None]`` when the right answer is that there is none, else the values (for
            exact match, every value must be stated and nothing else; for fuzzy match, any one may be matched).
        category: A category name or `Category`.
        judge: Only for ``fuzzy_match``: decides pass/fail in place of the F1 threshold (token F1 is still
            reported). Wrap it in `CachedJudge` for reproducible runs.
        record_names: For record-id answers, the names of candidate records by id (the gold records and their
            look-alikes): an answer naming a record by its name then names that record.
        question: The task's question and context: what the answer copies of it word for word is not graded (a
            prompt dump states nothing); for free text, the words it already holds are not asked of the answer; a
            record name it already gives does not count as naming that record.

    Raises:
        ScoringError: unknown category, a privacy category (use ``evaluate_privacy``), an empty gold list, a gold
            list mixing None with values, or a gold value that is not a value of the category's answer kind.
    """
    cat = resolve_category(category)
    if cat.metric == "privacy_rejection":
        raise ScoringError(
            f"Category {cat.name!r} is scored with evaluate_privacy(answer, trajectory_texts, private_values): "
            "a refusal is not enough, no private value may appear anywhere in the trajectory."
        )
    values = [g for g in gold if g is not None]
    if not gold or (values and len(values) != len(gold)):
        raise ScoringError(f"Gold answers must be [None] or a non-empty list of values, got {list(gold)!r}.")
    text = strip_copied(answer or "", question)
    if cat.metric == "fuzzy_match":
        return _score_fuzzy(text, values, cat, judge, question)
    return _score_exact(text, values, cat, _unasked(record_names, question))


def _unasked(names: Mapping[str, str] | None, question: str) -> dict[str, str] | None:
    """The record names the question does not already give: repeating "the HyperPower Optimizer I ordered" names
    nothing the agent found."""
    if not names:
        return None
    asked = squash(question)
    return {rid: name for rid, name in names.items() if squash(name) not in asked}


def _score_exact(answer: str, gold: list[str], cat: Category, record_names: Mapping[str, str] | None) -> AnswerScore:
    ex = extractor(cat.answer_kind, gold, cat.id_object, record_names, cat.name)
    try:
        expected = ex.gold_values(gold)
    except ScoringError as err:
        raise ScoringError(f"Category {cat.name!r}: {err}.") from err
    reading = read_answer(answer, ex, cat.name)
    found = align_months(reading.values, expected) if cat.answer_kind == "month" else list(reading.values)
    label = _KIND_LABELS[cat.answer_kind]
    wanted = ", ".join(expected) if expected else "a statement that there is none"
    failures = (
        (not answer.strip(), f"The answer is empty; expected {wanted}."),
        (reading.hedged, f"The answer hedges between alternatives ({reading.head!r}); expected {wanted}."),
        (not found and not reading.says_none and is_refusal(answer), f"The answer declines; expected {wanted}."),
        (bool(expected) and reading.says_none, f"The answer says there is none; expected {wanted}."),
        (not expected and bool(found), f"The answer names {', '.join(found)} although the expected answer is None."),
        (not expected and not reading.says_none, "The answer does not state that there is none (expected None)."),
        (bool(expected) and not found, f"The answer states no {label}; expected {wanted}."),
        (bool(expected) and found != expected, _mismatch(found, expected)),
    )
    reason = next((r for failed, r in failures if failed), None)
    if reason is None:
        reason = (
            f"The answer states {', '.join(found)}, exactly the expected {label}(s)."
            if expected
            else "The answer states that there is none, as expected."
        )
    passed = not any(failed for failed, _ in failures)
    return AnswerScore(passed=passed, score=float(passed), metric=cat.metric, extracted=tuple(found), reason=reason)


def _mismatch(found: list[str], expected: list[str]) -> str:
    extra, missing = sorted(set(found) - set(expected)), sorted(set(expected) - set(found))
    parts = [f"{len(extra)} not expected"] if extra else []
    parts += [f"missing {', '.join(missing)}"] if missing else []
    return f"The answer states {', '.join(found)} ({'; '.join(parts)}); expected {', '.join(expected)}."


def _score_fuzzy(answer: str, gold: list[str], cat: Category, judge: AnswerJudge | None, question: str) -> AnswerScore:
    if not gold:
        passed = says_none(plain_answer(answer), cat.name) and not is_refusal(answer)
        reason = "The answer states that there is none, as expected." if passed else "Expected a statement of none."
        return AnswerScore(passed=passed, score=float(passed), metric="fuzzy_match", f1=float(passed), reason=reason)
    text = plain_answer(answer)
    if not text.strip():
        return AnswerScore(
            passed=False, score=0.0, metric="fuzzy_match", f1=0.0, reason=f"The answer is empty; expected {gold[0]}."
        )
    f1 = max(token_f1(text, g) for g in gold)
    if judge is not None:
        verdict = judge(judge_prompt(text.strip(), gold))
        return AnswerScore(
            passed=verdict.passed,
            score=float(verdict.passed),
            metric="fuzzy_match",
            f1=f1,
            judge_model=judge.model,
            reason=f"Judge {judge.model}: {verdict.reason.rstrip('. ')} (token F1 {f1:.2f}).",
        )
    graded = grade_free_text(text, gold, question)
    return AnswerScore(
        passed=graded.passed,
        score=float(graded.passed),
        metric="fuzzy_match",
        f1=f1,
        extracted=graded.values,
        reason=graded.reason,
    )
