"""The grader against the labelled corpus of natural answers: no wrong answer accepted, at most 2% of right ones
rejected, per answer kind and overall, on the answers read while writing it and on the held-out ones."""

from __future__ import annotations

from collections import Counter

import pytest
from typer.testing import CliRunner

from crm_gym.cli import app
from crm_gym.scoring.corpus import Confusion, grade_corpus, load_corpus
from crm_gym.tasks.categories import CATEGORIES
from crm_gym.tasks.suites import load_suite

CORPUS = load_corpus()
MAX_FALSE_REJECTS = 0.02


def test_the_corpus_covers_every_category_and_answer_kind_of_both_suites() -> None:
    assert len(CORPUS) >= 1500
    assert {e.category for e in CORPUS if e.suite == "crmarena_pro"} == set(CATEGORIES)
    arc_kinds = {t.expected.answer_kind for t in load_suite("arc") if t.expected.kind == "answer"} | {"decline"}
    assert arc_kinds <= {e.kind for e in CORPUS if e.suite == "arc"}
    labels = Counter(e.label for e in CORPUS)
    assert min(labels.values()) >= 0.4 * len(CORPUS)  # right and wrong in about equal numbers
    assert len({e.style for e in CORPUS}) >= 15
    assert Counter(e.set for e in CORPUS)["held_out"] >= 700


def _check(confusion: Confusion, where: str) -> None:
    assert confusion.false_accepts == 0, f"{where}: {confusion}"
    assert confusion.false_reject_rate <= MAX_FALSE_REJECTS, f"{where}: {confusion}"


@pytest.mark.parametrize("part", ["dev", "held_out"])
def test_no_false_accept_and_at_most_two_percent_false_rejects_per_answer_kind(part: str) -> None:
    report = grade_corpus(e for e in CORPUS if e.set == part)
    for kind, confusion in report.by_kind.items():
        _check(confusion, f"{part}/{kind}")
    _check(report.overall, part)
    assert not report.mistakes or report.overall.false_rejects, report.mistakes[:3]


def test_suite_grading_prints_the_confusion_table_and_passes() -> None:
    result = CliRunner().invoke(app, ["suite", "grading", "--set", "held_out"], terminal_width=200)
    assert result.exit_code == 0, result.output
    held_out = sum(e.set == "held_out" for e in CORPUS)
    assert "ALL" in result.output and str(held_out) in result.output


def test_suite_grading_fails_when_the_grader_accepts_a_wrong_answer(tmp_path) -> None:  # noqa: ANN001
    wrong = CORPUS[0].model_copy(update={"answer": CORPUS[0].gold[0] or "None", "label": "wrong", "id": "flipped"})
    path = tmp_path / "answers.jsonl"
    path.write_text(wrong.model_dump_json() + "\n")
    result = CliRunner().invoke(app, ["suite", "grading", "--corpus", str(path), "--mistakes"], terminal_width=200)
    assert result.exit_code == 1
    assert "flipped (labelled wrong)" in result.output
