"""The labelled answer corpus: natural final answers, each labelled right or wrong as a careful person decides.

`data/grading/answers.jsonl` holds answers to tasks of both suites, worded the way people and LLM agents word
them (bare, in a sentence, answer then reasons, Markdown, JSON, lists in any order, None in words, refusals,
hedges, near-miss ids, paraphrases, other records' answers...). Each line carries everything needed to grade it
(the gold, or the private values, or that a decline is expected), so the corpus stays valid when suites are
regenerated. `grade_corpus` runs the grader over it and counts, per category and per answer kind, the right answers
it accepts and rejects and the wrong answers it rejects and accepts; `crm-gym suite grading` prints that table.

>>> report = grade_corpus(load_corpus()[:40])
>>> report.overall.false_accepts
0
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_gym.config import data_dir
from crm_gym.scoring.answers import evaluate_answer
from crm_gym.scoring.judge import AnswerJudge
from crm_gym.scoring.privacy import evaluate_privacy
from crm_gym.scoring.refusals import is_refusal
from crm_gym.tasks.categories import CATEGORIES, AnswerKind, Category, Metric

CORPUS_FILE = "grading/answers.jsonl"


class LabelledAnswer(BaseModel):
    """One answer of the corpus and the verdict a careful grader gives it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    set: Literal["dev", "held_out"] = "dev"
    """``dev`` answers were read while the grader was written; ``held_out`` ones were written apart and only
    measured."""
    suite: str
    category: str
    metric: Metric | None = None
    answer_kind: AnswerKind | None = None
    question: str
    gold: tuple[str | None, ...] | None = None
    private_values: tuple[str, ...] | None = None
    expected: Literal["decline"] | None = None
    answer: str
    label: Literal["right", "wrong"]
    style: str
    why: str | None = None
    record_names: dict[str, str] | None = None
    doubt: bool = False

    @property
    def kind(self) -> str:
        """The answer kind it is reported under: the category's kind, "refusal" or "decline"."""
        if self.expected == "decline":
            return "decline"
        return self.answer_kind or "refusal"


class Confusion(BaseModel):
    """Counts of one slice of the corpus."""

    model_config = ConfigDict(frozen=True)

    right_accepted: int = 0
    false_rejects: int = 0
    wrong_rejected: int = 0
    false_accepts: int = 0

    @property
    def total(self) -> int:
        """Answers in the slice."""
        return self.right_accepted + self.false_rejects + self.wrong_rejected + self.false_accepts

    @property
    def false_reject_rate(self) -> float:
        """Share of the right answers the grader rejects."""
        right = self.right_accepted + self.false_rejects
        return self.false_rejects / right if right else 0.0

    def add(self, label: str, accepted: bool) -> Confusion:
        """The counts with one more verdict."""
        field = {
            ("right", True): "right_accepted",
            ("right", False): "false_rejects",
            ("wrong", False): "wrong_rejected",
            ("wrong", True): "false_accepts",
        }[label, accepted]
        return self.model_copy(update={field: getattr(self, field) + 1})


class Mistake(BaseModel):
    """An answer the grader decides differently from its label."""

    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    answer: str
    reason: str


class GradingReport(BaseModel):
    """The grader against the labels: overall, per category, per answer kind, and every disagreement."""

    model_config = ConfigDict(frozen=True)

    overall: Confusion
    by_category: dict[str, Confusion]
    by_kind: dict[str, Confusion]
    mistakes: tuple[Mistake, ...] = Field(default=())


def load_corpus(path: str | Path | None = None) -> list[LabelledAnswer]:
    """Read the corpus (default: the packaged ``data/grading/answers.jsonl``)."""
    path = Path(path) if path is not None else data_dir() / CORPUS_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    return [LabelledAnswer.model_validate(json.loads(line)) for line in lines if line.strip()]


def _category(entry: LabelledAnswer) -> Category:
    return CATEGORIES.get(entry.category) or Category(
        name=entry.category, metric=entry.metric or "exact_match", answer_kind=entry.answer_kind or "record_id"
    )


def grade_entry(entry: LabelledAnswer, judge: AnswerJudge | None = None) -> tuple[bool, str]:
    """The grader's verdict on one corpus answer (accepted or not) and its reason."""
    if entry.expected == "decline":
        declined = is_refusal(entry.answer)
        return declined, "declines" if declined else "does not decline"
    if entry.private_values is not None:
        result = evaluate_privacy(entry.answer, [], entry.private_values, [entry.question])
        return result.passed, result.reason
    if entry.gold is None:
        raise ValueError(f"corpus answer {entry.id!r} has no gold, private values or expected decline")
    result = evaluate_answer(
        entry.answer, list(entry.gold), _category(entry), judge=judge, record_names=entry.record_names
    )
    return result.passed, result.reason


def grade_corpus(entries: Iterable[LabelledAnswer], judge: AnswerJudge | None = None) -> GradingReport:
    """Grade every answer and compare with its label."""
    overall = Confusion()
    by_category: dict[str, Confusion] = {}
    by_kind: dict[str, Confusion] = {}
    mistakes: list[Mistake] = []
    for entry in entries:
        accepted, reason = grade_entry(entry, judge)
        overall = overall.add(entry.label, accepted)
        by_category[entry.category] = by_category.get(entry.category, Confusion()).add(entry.label, accepted)
        by_kind[entry.kind] = by_kind.get(entry.kind, Confusion()).add(entry.label, accepted)
        if accepted != (entry.label == "right"):
            mistakes.append(Mistake(id=entry.id, label=entry.label, answer=entry.answer, reason=reason))
    return GradingReport(
        overall=overall,
        by_category=dict(sorted(by_category.items())),
        by_kind=dict(sorted(by_kind.items())),
        mistakes=tuple(mistakes),
    )


def disagreements(entries: Sequence[LabelledAnswer], judge: AnswerJudge) -> list[tuple[str, bool, bool]]:
    """Free-text answers where the deterministic grader and ``judge`` decide differently: (id, grader, judge)."""
    found = []
    for entry in entries:
        if entry.metric != "fuzzy_match" or entry.gold is None:
            continue
        alone, _ = grade_entry(entry)
        judged, _ = grade_entry(entry, judge)
        if alone != judged:
            found.append((entry.id, alone, judged))
    return found
