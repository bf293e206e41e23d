"""The optional LLM judge hook and its verdict cache, exercised with a fake judge (no provider, no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crm_gym.errors import ScoringError
from crm_gym.scoring.answers import evaluate_answer
from crm_gym.scoring.judge import CachedJudge, JudgeVerdict, cache_key, judge_prompt


class FakeJudge:
    """Passes answers containing "encryption"; counts the prompts it was asked."""

    def __init__(self, model: str = "fake-judge-1") -> None:
        self.model = model
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> JudgeVerdict:
        self.prompts.append(prompt)
        answer = prompt.rsplit("Candidate answer:\n", 1)[1]
        passed = "encryption" in answer.lower()
        return JudgeVerdict(passed=passed, reason="same facts" if passed else "different facts")


GOLD = ["Robust encryption protocols and compliance checks"]


def test_judge_decides_fuzzy_match_and_f1_is_still_reported() -> None:
    judge = FakeJudge()
    result = evaluate_answer("Encryption.", GOLD, "knowledge_qa", judge=judge)
    assert result.passed
    assert result.score == 1.0
    assert result.judge_model == "fake-judge-1"
    assert result.f1 == pytest.approx(2 / 7)
    assert result.reason == "Judge fake-judge-1: same facts (token F1 0.29)."
    assert judge.prompts == [judge_prompt("Encryption.", GOLD)]
    assert not evaluate_answer("Firewalls.", GOLD, "knowledge_qa", judge=judge).passed


def test_judge_is_not_used_for_exact_match_or_none_answers() -> None:
    judge = FakeJudge()
    assert evaluate_answer("TX", ["TX"], "best_region_identification", judge=judge).passed
    assert evaluate_answer("None", [None], "knowledge_qa", judge=judge).passed
    assert judge.prompts == []


def test_cache_asks_once_per_model_and_prompt(tmp_path: Path) -> None:
    path = tmp_path / "judge" / "verdicts.json"
    inner = FakeJudge()
    cached = CachedJudge(inner, path)
    first = evaluate_answer("Encryption.", GOLD, "knowledge_qa", judge=cached)
    again = evaluate_answer("Encryption.", GOLD, "knowledge_qa", judge=cached)
    evaluate_answer("Firewalls.", GOLD, "knowledge_qa", judge=cached)
    assert first == again
    assert len(inner.prompts) == 2

    stored = json.loads(path.read_text())
    key = cache_key("fake-judge-1", judge_prompt("Encryption.", GOLD))
    assert stored[key] == {"passed": True, "reason": "same facts"}
    assert list(stored) == sorted(stored)

    # A new process reads the file and asks nothing.
    fresh_inner = FakeJudge()
    assert evaluate_answer("Encryption.", GOLD, "knowledge_qa", judge=CachedJudge(fresh_inner, path)) == first
    assert fresh_inner.prompts == []

    # Another model is another key.
    other = FakeJudge("fake-judge-2")
    evaluate_answer("Encryption.", GOLD, "knowledge_qa", judge=CachedJudge(other, path))
    assert len(other.prompts) == 1
    assert len(json.loads(path.read_text())) == 3


def test_cache_key_is_sha256_of_model_and_prompt() -> None:
    assert cache_key("m", "p") == cache_key("m", "p")
    assert cache_key("m", "p") != cache_key("m2", "p")
    assert len(cache_key("m", "p")) == 64


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"k": {"passed": "maybe"}}'])
def test_corrupt_cache_is_reported(tmp_path: Path, content: str) -> None:
    path = tmp_path / "verdicts.json"
    path.write_text(content)
    with pytest.raises(ScoringError, match="is not a JSON object of verdicts"):
        CachedJudge(FakeJudge(), path)("prompt")
