"""The 7-dimension scorer: weights, formulas, gating on success, degenerate policies, monotonicity and bounds."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from crm_gym.api.api import ToolResult
from crm_gym.scoring.dimensions import WEIGHTS, Dimension, ScoreResult, score_episode
from crm_gym.scoring.measures import EpisodeMeasures, count_recovered_errors

D = Dimension
DRIFT_LEVELS = ["none", "low", "medium", "high"]


def _measures(**values: Any) -> EpisodeMeasures:
    return EpisodeMeasures(**{"functional": 1.0, **values})


def _with(measures: EpisodeMeasures, **changes: Any) -> EpisodeMeasures:
    return EpisodeMeasures.model_validate({**measures.model_dump(), **changes})


def _dim(measures: EpisodeMeasures, dimension: Dimension) -> float:
    return score_episode(measures).dimensions[dimension]


@st.composite
def episode_measures(draw: st.DrawFn, functional: st.SearchStrategy[float] | None = None) -> EpisodeMeasures:
    """Any valid measures: counts mutually consistent, tokens reported or not, with or without drift."""
    tool_calls = draw(st.integers(0, 200))
    invalid = draw(st.integers(0, tool_calls))
    drift_level = draw(st.sampled_from(DRIFT_LEVELS))
    drift_errors = 0 if drift_level == "none" else draw(st.integers(0, invalid))
    claims = draw(st.integers(0, 40))
    user_turns = draw(st.integers(0, 20))
    return EpisodeMeasures(
        functional=draw(functional if functional is not None else st.floats(0.0, 1.0)),
        drift_level=drift_level,
        tokens=draw(st.none() | st.integers(0, 300_000)),
        emitted_chars=draw(st.integers(0, 2_000_000)),
        tool_calls=tool_calls,
        queries=draw(st.integers(0, tool_calls)),
        invalid_calls=invalid,
        recovered_errors=draw(st.integers(0, invalid)),
        drift_errors=drift_errors,
        drift_recovered=draw(st.integers(0, drift_errors)),
        steps=draw(st.integers(0, 300)),
        optimal_steps=draw(st.integers(0, 60)),
        claims=claims,
        hallucinated=draw(st.integers(0, claims)),
        user_turns=user_turns,
        optimal_user_turns=draw(st.integers(0, 1)),
        repeated_questions=draw(st.integers(0, user_turns)),
    )


# --- weights -------------------------------------------------------------------------------------------------


def test_weights_keep_entropics_names_and_values_and_sum_to_one() -> None:
    assert {d.value: w for d, w in WEIGHTS.items()} == {
        "FUNCTIONAL": 0.30,
        "DRIFT_ADAPTATION": 0.20,
        "TOKEN_EFFICIENCY": 0.12,
        "QUERY_EFFICIENCY": 0.12,
        "ERROR_RECOVERY": 0.08,
        "TRAJECTORY_EFFICIENCY": 0.10,
        "HALLUCINATION_RATE": 0.08,
    }
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_drift_adaptation_is_scored_on_drift_episodes_only_and_weights_renormalise() -> None:
    plain = score_episode(_measures(drift_level="none"))
    drifted = score_episode(_measures(drift_level="medium"))
    assert D.DRIFT_ADAPTATION not in plain.dimensions
    assert plain.weights[D.FUNCTIONAL] == pytest.approx(0.30 / 0.80)
    assert drifted.weights == pytest.approx(dict(WEIGHTS))
    assert sum(plain.weights.values()) == pytest.approx(1.0)
    # Comparable totals: a perfect episode is 100 either way.
    assert plain.total == pytest.approx(100.0)
    assert drifted.total == pytest.approx(100.0)


# --- headline properties ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("drift_level", ["none", "high"])
def test_correct_efficient_episode_scores_at_least_90(drift_level: str) -> None:
    measures = _measures(
        drift_level=drift_level, tokens=6_000, tool_calls=4, queries=4, steps=5, optimal_steps=4, claims=2
    )
    assert score_episode(measures).total >= 90


@given(episode_measures(functional=st.just(0.0)))
def test_any_failed_episode_totals_at_most_15(measures: EpisodeMeasures) -> None:
    assert score_episode(measures).total <= 15


DEGENERATE = {
    # Offline policy (no usage): the empty reply, a constant "None", a refusal, a dump of every prompt word.
    "empty": dict(tokens=None, emitted_chars=0, steps=1, optimal_steps=3),
    "none": dict(tokens=None, emitted_chars=4, steps=1, optimal_steps=3),
    "refuse_all": dict(tokens=None, emitted_chars=60, steps=1, optimal_steps=3),
    "word_dump": dict(tokens=None, emitted_chars=9_000, steps=1, optimal_steps=3, claims=1),
    # The same through an LLM API that reports usage; a random record id of the right type is a hallucination.
    "empty_usage": dict(tokens=1_200, steps=1, optimal_steps=3),
    "random_id": dict(tokens=1_250, steps=1, optimal_steps=3, claims=1, hallucinated=1),
}


@pytest.mark.parametrize("drift_level", ["none", "low"])
@pytest.mark.parametrize("case", DEGENERATE, ids=str)
def test_degenerate_policies_total_at_most_15(case: str, drift_level: str) -> None:
    result = score_episode(EpisodeMeasures(functional=0.0, drift_level=drift_level, **DEGENERATE[case]))
    assert result.total <= 15
    assert result.dimensions[D.TOKEN_EFFICIENCY] == 0.0  # cheap failure is not efficiency


def test_a_failed_reply_scores_zero_where_entropic_gave_about_60() -> None:
    empty = score_episode(EpisodeMeasures(functional=0.0, tokens=0, steps=1, optimal_steps=1))
    assert empty.total == 0.0
    assert set(empty.dimensions.values()) == {0.0}


# --- monotonicity and bounds -----------------------------------------------------------------------------------


@given(episode_measures(), st.integers(1, 50_000))
def test_more_tokens_never_raise_the_score(measures: EpisodeMeasures, extra: int) -> None:
    field = "tokens" if measures.tokens is not None else "emitted_chars"
    more = _with(measures, **{field: getattr(measures, field) + extra})
    assert score_episode(more).total <= score_episode(measures).total


@given(episode_measures(), st.integers(1, 30))
def test_more_invalid_calls_never_raise_the_score(measures: EpisodeMeasures, extra: int) -> None:
    more = _with(measures, invalid_calls=measures.invalid_calls + extra, tool_calls=measures.tool_calls + extra)
    assert score_episode(more).total <= score_episode(measures).total


@given(episode_measures(), st.integers(1, 30))
def test_more_steps_never_raise_the_score(measures: EpisodeMeasures, extra: int) -> None:
    more = _with(measures, steps=measures.steps + extra)
    assert score_episode(more).total <= score_episode(measures).total


@given(episode_measures(), st.integers(1, 30))
def test_more_queries_or_hallucinations_never_raise_the_score(measures: EpisodeMeasures, extra: int) -> None:
    queried = _with(measures, queries=measures.queries + extra, tool_calls=measures.tool_calls + extra)
    invented = _with(measures, hallucinated=measures.hallucinated + extra, claims=measures.claims + extra)
    assert score_episode(queried).total <= score_episode(measures).total
    assert score_episode(invented).total <= score_episode(measures).total


@given(episode_measures(), st.integers(1, 30))
def test_more_questions_to_the_user_or_repeated_ones_never_raise_the_score(
    measures: EpisodeMeasures, extra: int
) -> None:
    asked = _with(measures, user_turns=measures.user_turns + extra, steps=measures.steps + extra)
    repeated = _with(
        asked, repeated_questions=min(asked.user_turns, measures.repeated_questions + extra), steps=asked.steps
    )
    assert score_episode(asked).total <= score_episode(measures).total
    assert score_episode(repeated).total <= score_episode(asked).total


def test_a_conversation_costs_efficiency_only_beyond_the_oracles_question() -> None:
    oracle = EpisodeMeasures(functional=1.0, steps=4, optimal_steps=4, user_turns=1, optimal_user_turns=1, queries=2,
                             tool_calls=2)  # fmt: skip
    one_by_one = _with(oracle, user_turns=5, steps=8)
    repeating = _with(one_by_one, repeated_questions=2)
    scores = [score_episode(m).dimensions for m in (oracle, one_by_one, repeating)]
    assert scores[0][Dimension.TRAJECTORY_EFFICIENCY] == 100.0 and scores[0][Dimension.QUERY_EFFICIENCY] == 97.0
    assert scores[1][Dimension.TRAJECTORY_EFFICIENCY] == 50.0  # 4 of 8 steps
    assert scores[1][Dimension.QUERY_EFFICIENCY] == pytest.approx(100 - 30 * 6 / 20)  # 2 queries + 4 extra turns
    assert scores[2][Dimension.TRAJECTORY_EFFICIENCY] == 40.0  # 4 of 8 + 2 repeats
    assert scores[0][Dimension.FUNCTIONAL] == scores[2][Dimension.FUNCTIONAL] == 100.0


def test_single_turn_measures_serialise_as_before_conversations() -> None:
    single = EpisodeMeasures(functional=1.0, steps=2, optimal_steps=2)
    assert "user_turns" not in single.model_dump() and "user_turns" not in score_episode(single).model_dump_json()
    multi = _with(single, optimal_user_turns=1)
    assert multi.model_dump()["optimal_user_turns"] == 1
    assert EpisodeMeasures.model_validate(multi.model_dump()) == multi
    with pytest.raises(ValidationError, match="repeated_questions"):
        EpisodeMeasures(functional=1.0, user_turns=1, repeated_questions=2)


@given(episode_measures(), st.floats(0.0, 1.0))
def test_more_success_never_lowers_any_dimension(measures: EpisodeMeasures, gain: float) -> None:
    better = _with(measures, functional=min(1.0, measures.functional + gain))
    before, after = score_episode(measures), score_episode(better)
    assert all(after.dimensions[d] >= before.dimensions[d] for d in before.dimensions)


@given(episode_measures())
def test_every_dimension_and_the_total_stay_within_0_and_100(measures: EpisodeMeasures) -> None:
    result = score_episode(measures)
    assert all(0.0 <= value <= 100.0 for value in result.dimensions.values())
    assert 0.0 <= result.total <= 100.0
    assert list(result.dimensions) == list(result.weights)
    assert sum(result.weights.values()) == pytest.approx(1.0)
    assert result.total == pytest.approx(sum(result.weights[d] * v for d, v in result.dimensions.items()))


def test_efficiency_curves_are_clamped_at_their_floor_for_huge_usage() -> None:
    result = score_episode(_measures(tokens=10**9, tool_calls=10**6, queries=10**6, steps=10**6, optimal_steps=1))
    assert result.dimensions[D.TOKEN_EFFICIENCY] == 30.0
    assert result.dimensions[D.QUERY_EFFICIENCY] == 30.0
    assert 0.0 < result.dimensions[D.TRAJECTORY_EFFICIENCY] < 0.001


# --- each formula ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [(0, 100.0), (2_500, 90.0), (10_000, 60.0), (15_000, 45.0), (20_000, 30.0), (90_000, 30.0)],
)
def test_token_efficiency_follows_entropics_curve_times_success(tokens: int, expected: float) -> None:
    assert _dim(_measures(tokens=tokens), D.TOKEN_EFFICIENCY) == pytest.approx(expected)
    assert _dim(_measures(functional=0.5, tokens=tokens), D.TOKEN_EFFICIENCY) == pytest.approx(expected / 2)


@pytest.mark.parametrize(("queries", "expected"), [(0, 100.0), (10, 85.0), (20, 70.0), (22, 60.0), (28, 30.0)])
def test_query_efficiency_follows_entropics_curve_times_success(queries: int, expected: float) -> None:
    assert _dim(_measures(tool_calls=queries, queries=queries), D.QUERY_EFFICIENCY) == pytest.approx(expected)
    assert _dim(_measures(functional=0.0, tool_calls=queries, queries=queries), D.QUERY_EFFICIENCY) == 0.0


def test_tokens_fall_back_to_emitted_characters_over_four_when_usage_is_missing() -> None:
    offline = score_episode(_measures(tokens=None, emitted_chars=10_001))
    assert (offline.token_source, offline.tokens_scored) == ("emitted_chars", 2_501)
    reported = score_episode(_measures(tokens=0, emitted_chars=10_001))
    assert (reported.token_source, reported.tokens_scored) == ("usage", 0)
    assert reported.dimensions[D.TOKEN_EFFICIENCY] == 100.0


@pytest.mark.parametrize(
    ("steps", "optimal", "expected"), [(4, 4, 100.0), (8, 4, 50.0), (2, 4, 100.0), (0, 0, 100.0), (5, 0, 0.0)]
)
def test_trajectory_efficiency_is_optimal_over_actual_steps(steps: int, optimal: int, expected: float) -> None:
    assert _dim(_measures(steps=steps, optimal_steps=optimal), D.TRAJECTORY_EFFICIENCY) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("functional", "invalid", "recovered", "expected"),
    [(1.0, 0, 0, 100.0), (0.0, 0, 0, 0.0), (1.0, 2, 2, 100.0), (1.0, 2, 1, 75.0), (1.0, 2, 0, 50.0), (0.0, 3, 3, 0.0)],
)
def test_error_recovery_is_the_recovered_share_gated_on_success(
    functional: float, invalid: int, recovered: int, expected: float
) -> None:
    measures = _measures(functional=functional, tool_calls=invalid, invalid_calls=invalid, recovered_errors=recovered)
    assert _dim(measures, D.ERROR_RECOVERY) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("functional", "claims", "hallucinated", "expected"),
    [(1.0, 0, 0, 100.0), (0.0, 0, 0, 0.0), (0.5, 0, 0, 50.0), (1.0, 4, 1, 75.0), (0.0, 4, 0, 100.0), (1.0, 3, 3, 0.0)],
)
def test_hallucination_rate_is_the_grounded_share_of_claims(
    functional: float, claims: int, hallucinated: int, expected: float
) -> None:
    measures = _measures(functional=functional, claims=claims, hallucinated=hallucinated)
    assert _dim(measures, D.HALLUCINATION_RATE) == pytest.approx(expected)


def test_drift_adaptation_is_not_a_copy_of_functional() -> None:
    adapted = _measures(drift_level="high", tool_calls=1, invalid_calls=1, recovered_errors=1, drift_errors=1)
    stuck = _with(adapted, recovered_errors=0, drift_recovered=0)
    adapted = _with(adapted, drift_recovered=1)
    assert _dim(adapted, D.DRIFT_ADAPTATION) == 100.0
    assert _dim(stuck, D.DRIFT_ADAPTATION) == 50.0
    assert _dim(stuck, D.FUNCTIONAL) == 100.0
    assert _dim(_measures(functional=0.0, drift_level="low"), D.DRIFT_ADAPTATION) == 0.0


def test_score_result_round_trips_through_json_with_measures_echoed() -> None:
    result = score_episode(_measures(drift_level="low", tokens=300, tool_calls=2, queries=1, steps=3))
    assert ScoreResult.model_validate_json(result.model_dump_json()) == result
    assert result.measures.tokens == 300


# --- validation of the measures ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["tokens", "emitted_chars", "tool_calls", "queries", "invalid_calls", "steps", "optimal_steps", "claims"]
)
def test_negative_counts_are_rejected_so_entropics_negative_token_exploit_is_impossible(field: str) -> None:
    with pytest.raises(ValidationError, match=rf"{field}\n\s+Input should be greater than or equal to 0"):
        _measures(**{field: -1})


@pytest.mark.parametrize("functional", [-0.1, 1.5, float("nan")])
def test_functional_must_be_a_finite_fraction(functional: float) -> None:
    with pytest.raises(ValidationError, match="functional"):
        EpisodeMeasures(functional=functional)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (dict(tool_calls=1, queries=2), "queries=2 exceeds tool_calls=1; queries counts a subset of tool_calls."),
        (dict(tool_calls=3, invalid_calls=1, recovered_errors=2), "recovered_errors=2 exceeds invalid_calls=1"),
        (dict(claims=1, hallucinated=2), "hallucinated=2 exceeds claims=1"),
        (
            dict(tool_calls=1, invalid_calls=1, drift_errors=1),
            "drift_errors=1 on an episode with drift_level='none'; must be 0.",
        ),
    ],
)
def test_inconsistent_counts_are_rejected_with_the_offending_field_named(values: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        _measures(**values)


def test_consistent_counts_and_unknown_fields() -> None:
    assert _measures(tool_calls=2, queries=2, invalid_calls=2, recovered_errors=2, claims=1, hallucinated=1)
    with pytest.raises(ValidationError, match="self_reported_tokens"):
        _measures(self_reported_tokens=5)
    with pytest.raises(ValidationError, match="drift_level"):
        _measures(drift_level="extreme")


# --- measuring recoveries --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calls", "expected"),
    [
        ([("update", False), ("update", True)], 1),
        ([("update", False), ("update", False), ("update", True)], 2),
        ([("update", True), ("update", False)], 0),  # success before the error does not count
        ([("serch", False), ("search", True)], 0),  # a different tool is not a recovery of this one
        ([("get", False), ("update", False), ("get", True)], 1),
        ([], 0),
    ],
)
def test_count_recovered_errors(calls: list[tuple[str, bool]], expected: int) -> None:
    assert count_recovered_errors(ToolResult(tool=tool, ok=ok) for tool, ok in calls) == expected
