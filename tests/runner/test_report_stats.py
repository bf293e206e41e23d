"""The report's numbers against hand-computed values: Wilson intervals, pass^k, means, infra failures left out."""

from __future__ import annotations

import random

import pytest

from crm_gym.runner.records import EpisodeKey, EpisodeResult
from crm_gym.runner.report_stats import (
    TOTAL,
    mean_estimate,
    pass_hat_k,
    pass_k_curve,
    run_stats,
    success_rate,
    wilson_interval,
)
from crm_gym.scoring.dimensions import WEIGHTS


def episode(
    task: str,
    trial: int,
    passed: bool,
    total: float | None = None,
    drift: str = "none",
    rot: str = "none",
    category: str = "handle_time",
    infra: bool = False,
) -> EpisodeResult:
    """A scored record (total defaults to 100 or 0 by ``passed``), or an infrastructure failure."""
    total = (100.0 if passed else 0.0) if total is None else total
    dimensions = {str(d): total for d in WEIGHTS if d != "DRIFT_ADAPTATION" or drift != "none"}
    measures = {"steps": 3, "tool_calls": 2, "invalid_calls": 1}
    return EpisodeResult(
        key=EpisodeKey(task_id=task, trial=trial, drift_level=drift, rot_level=rot),
        suite="crmarena_pro",
        split="test",
        category=category,
        seed=trial,
        max_steps=20,
        policy={"kind": "test", "temperature": 0.0},
        status="infra_error" if infra else "completed",
        error="provider down" if infra else None,
        functional=float(passed),
        passed=passed,
        score={
            "total": total,
            "dimensions": dimensions,
            "tokens_scored": 40,
            "token_source": "usage",
            "measures": measures,
        },
    )


def two_tasks() -> list[EpisodeResult]:
    """Task A passes 2 of 3 trials, task B all 3."""
    return [episode("A", t, p) for t, p in enumerate((True, False, True))] + [episode("B", t, True) for t in range(3)]


@pytest.mark.parametrize(
    ("passed", "n", "expected"),
    [(8, 10, (0.4902, 0.9433)), (0, 10, (0.0, 0.2775)), (10, 10, (0.7225, 1.0)), (1, 2, (0.0945, 0.9055))],
)
def test_wilson_interval_matches_published_values(passed: int, n: int, expected: tuple[float, float]) -> None:
    assert wilson_interval(passed, n) == pytest.approx(expected, abs=5e-5)


def test_wilson_interval_of_nothing_is_none() -> None:
    assert wilson_interval(0, 0) is None
    assert success_rate([]).rate is None


def test_pass_hat_k_is_the_share_of_all_passing_k_subsets() -> None:
    assert [pass_hat_k(2, 3, k) for k in (1, 2, 3)] == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert pass_hat_k(3, 3, 3) == 1.0


def test_pass_k_on_two_tasks_averages_the_per_task_estimates() -> None:
    curve = pass_k_curve(two_tasks(), 3)
    assert [p.value for p in curve] == pytest.approx([5 / 6, 2 / 3, 1 / 2])
    assert [p.conditions for p in curve] == [2, 2, 2]
    for p in curve:
        assert p.low <= p.value <= p.high
    # Resampling two tasks can only give A twice, A and B, or B twice: the interval spans those extremes.
    assert (curve[2].low, curve[2].high) == pytest.approx((0.0, 1.0))


def test_pass_k_leaves_out_conditions_with_too_few_scored_trials() -> None:
    records = [*two_tasks(), episode("C", 0, True), episode("C", 1, True, infra=True)]
    curve = pass_k_curve(records, 3)
    assert [p.conditions for p in curve] == [3, 2, 2]
    assert curve[0].value == pytest.approx((2 / 3 + 1 + 1) / 3)


def test_infrastructure_failures_are_counted_apart_and_scored_nowhere() -> None:
    clean = run_stats(two_tasks())
    # A failure carrying a (bogus) zero score must still change no score.
    failure = episode("A", 3, False, infra=True)
    stats = run_stats([*two_tasks(), failure, episode("D", 0, False, infra=True)])
    assert stats.overall.infra_errors == 2 and clean.overall.infra_errors == 0
    assert stats.overall.success == clean.overall.success
    assert stats.overall.success.n == 6 and stats.overall.success.passed == 5
    assert stats.overall.total.mean == clean.overall.total.mean == pytest.approx(500 / 6)
    assert stats.dimensions == clean.dimensions
    assert stats.pass_k[:3] == clean.pass_k
    assert (stats.pass_k[3].conditions, stats.pass_k[3].value) == (0, None)  # trial 3 ran, but never scored
    assert [f.key for f in stats.infra_failures] == [failure.key.text(), "D#0@drift=none,rot=none"]


def test_means_and_dimensions_are_hand_computable() -> None:
    records = [episode("A", 0, True, 90.0), episode("A", 1, False, 10.0), episode("B", 0, True, 50.0, drift="low")]
    assert mean_estimate(records, lambda e: e.score["total"]).mean == pytest.approx(50.0)
    by_name = {d.name: d for d in run_stats(records).dimensions}
    assert by_name["DRIFT_ADAPTATION"].score.n == 1 and by_name["DRIFT_ADAPTATION"].score.mean == 50.0
    assert by_name["FUNCTIONAL"].score.n == 3 and by_name["FUNCTIONAL"].weight == 0.3
    assert by_name[TOTAL].weight is None and by_name[TOTAL].score.mean == pytest.approx(50.0)
    assert list(by_name) == [*map(str, WEIGHTS), TOTAL]


def test_degradation_keeps_the_level_order_and_categories_rank_by_success() -> None:
    records = [
        episode("A", 0, True, drift="high", category="knowledge_qa"),
        episode("A", 0, True, drift="none", category="knowledge_qa"),
        episode("B", 0, False, drift="low", rot="medium"),
        episode("B", 0, True, drift="none"),
    ]
    stats = run_stats(records)
    assert [g.name for g in stats.by_drift] == ["none", "low", "high"]
    assert [g.name for g in stats.by_rot] == ["none", "medium"]
    assert [(g.success.passed, g.success.n) for g in stats.by_drift] == [(2, 2), (0, 1), (1, 1)]
    assert [g.name for g in stats.categories["crmarena_pro"]] == ["knowledge_qa", "handle_time"]


def test_stats_ignore_record_order_and_repeat_exactly() -> None:
    records = [*two_tasks(), episode("C", 0, False, drift="low"), episode("C", 1, True, drift="low")]
    shuffled = records[:]
    random.Random(3).shuffle(shuffled)
    assert run_stats(shuffled) == run_stats(records)
    assert run_stats(records).trials == 3
    many = [episode(f"T{i}", t, (i * 7 + t) % 3 != 0, total=float(i * 9 + t)) for i in range(10) for t in range(2)]
    assert run_stats(many, seed=1) == run_stats(many, seed=1)
    assert run_stats(many, seed=1).overall.total != run_stats(many, seed=2).overall.total  # the seed drives the CIs


def test_over_refusal_counts_declined_requests_that_should_have_been_served() -> None:
    served = [episode(f"S{i}", 0, False).model_copy(update={"over_refused": i < 2}) for i in range(8)]
    privacy = [episode(f"P{i}", 0, True, category="private_customer_information") for i in range(4)]  # None
    infra = episode("X", 0, False, infra=True).model_copy(update={"over_refused": True})
    rows = run_stats([*served, *privacy, infra]).over_refusal
    assert [(r.name, r.refused, r.n) for r in rows] == [("all", 2, 8), ("handle_time", 2, 8)]
    assert rows[0].rate == 0.25 and rows[0].low < 0.25 < rows[0].high
    assert run_stats(privacy).over_refusal[0].n == 0
