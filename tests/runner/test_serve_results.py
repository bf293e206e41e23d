"""The results document's aggregation: infrastructure failures are counted but never averaged, and a dimension is
averaged over the episodes that have it."""

from __future__ import annotations

from typing import Any

from crm_gym.runner.records import EpisodeKey, EpisodeResult
from crm_gym.runner.results_document import results_document, summary_text


def episode(task: str, category: str, drift: str, score: dict[str, Any] | None, passed: bool | None) -> EpisodeResult:
    return EpisodeResult(
        key=EpisodeKey(task_id=task, trial=0, drift_level=drift, rot_level="none"),
        suite="crmarena_pro",
        split="test",
        category=category,
        seed=1,
        max_steps=5,
        policy={"kind": "a2a"},
        status="infra_error" if score is None else "completed",
        error="PolicyInfrastructureError: down" if score is None else None,
        observation={"prompt": f"prompt of {task}"},
        answer=None if score is None else "42",
        functional=None if score is None else float(passed),
        passed=passed,
        score=score,
        measures=None if score is None else {"tool_calls": 2, "queries": 1},
        wall_seconds=1.0,
    )


DRIFTED_PASS = {"total": 80.0, "dimensions": {"FUNCTIONAL": 100.0, "DRIFT_ADAPTATION": 60.0}}
EPISODES = [
    episode("a/1", "handle_time", "low", DRIFTED_PASS, True),
    episode("b/1", "knowledge_qa", "none", {"total": 20.0, "dimensions": {"FUNCTIONAL": 0.0}}, False),
    episode("a/2", "handle_time", "none", None, None),
]


def test_infrastructure_failures_are_counted_never_averaged() -> None:
    document = results_document(EPISODES, "http://agent/", {"suite": "crmarena_pro"}, total_seconds=6.0, version="1")
    assert document["summary"] == {
        "pass_rate": 0.5, "total_tasks": 2, "total_passed": 1, "avg_score": 50.0, "infra_errors": 1, "episodes": 3,
    }  # fmt: skip
    assert document["dimension_averages"] == {"FUNCTIONAL": 50.0, "DRIFT_ADAPTATION": 60.0}
    assert list(document["by_category"]) == ["handle_time", "knowledge_qa"]
    assert document["by_category"]["handle_time"] == {
        "count": 1, "passed": 1, "total_score": 80.0, "pass_rate": 1.0, "avg_score": 80.0, "infra_errors": 1,
    }  # fmt: skip
    failed = document["results"][2]
    assert failed["status"] == "infra_error" and failed["total_score"] is None and failed["dimension_scores"] == {}
    assert document["results"][0]["metrics"] == {"turns": 0, "tokens_estimate": None, "tool_calls": 2, "queries": 1}
    assert document["timing"] == {"total_seconds": 6.0, "avg_seconds_per_task": 2.0}
    assert "Pass rate: 0.5" in summary_text(document) and "DRIFT_ADAPTATION: 60.0" in summary_text(document)


def test_a_document_over_no_episode_has_null_rates() -> None:
    document = results_document([], "http://agent/", {}, total_seconds=0.0, version="1")
    assert document["summary"]["pass_rate"] is None and document["summary"]["avg_score"] is None
    assert document["timing"]["avg_seconds_per_task"] is None
    assert "n/a (nothing scored)" in summary_text(document)
