"""The 7-dimension episode score: Entropic's names and weights, computed only from measured facts and gated on success.

Every dimension is 0-100. The efficiency, recovery and drift dimensions are multiplied by the functional score, so
a policy that fails cannot collect points by being cheap, quick or error-free; DRIFT_ADAPTATION exists only on
drift episodes, and elsewhere the other weights are renormalised. The formulas are written out in
``docs/scoring.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict

from crm_gym.config import CHARS_PER_TOKEN, QUERY_BUDGET, TOKEN_BUDGET
from crm_gym.scoring.measures import EpisodeMeasures

TokenSource = Literal["usage", "emitted_chars"]


class Dimension(StrEnum):
    """The seven dimensions of the score, named as in Entropic's CRMArena."""

    FUNCTIONAL = "FUNCTIONAL"
    DRIFT_ADAPTATION = "DRIFT_ADAPTATION"
    TOKEN_EFFICIENCY = "TOKEN_EFFICIENCY"
    QUERY_EFFICIENCY = "QUERY_EFFICIENCY"
    ERROR_RECOVERY = "ERROR_RECOVERY"
    TRAJECTORY_EFFICIENCY = "TRAJECTORY_EFFICIENCY"
    HALLUCINATION_RATE = "HALLUCINATION_RATE"


WEIGHTS: Mapping[Dimension, float] = MappingProxyType(
    {
        Dimension.FUNCTIONAL: 0.30,
        Dimension.DRIFT_ADAPTATION: 0.20,
        Dimension.TOKEN_EFFICIENCY: 0.12,
        Dimension.QUERY_EFFICIENCY: 0.12,
        Dimension.ERROR_RECOVERY: 0.08,
        Dimension.TRAJECTORY_EFFICIENCY: 0.10,
        Dimension.HALLUCINATION_RATE: 0.08,
    }
)
"""Base weights (sum 1). On an episode without drift, DRIFT_ADAPTATION is left out and the rest renormalised."""


class ScoreResult(BaseModel):
    """The score of one episode: each included dimension, the weights used, the total and the measures behind them.

    >>> result = score_episode(EpisodeMeasures(functional=1.0, tokens=2_500, queries=2, tool_calls=2,
    ...                                        steps=3, optimal_steps=3, claims=1))
    >>> result.dimensions[Dimension.TOKEN_EFFICIENCY], round(result.total, 2)
    (90.0, 98.05)
    >>> Dimension.DRIFT_ADAPTATION in result.dimensions  # not a drift episode
    False
    """

    model_config = ConfigDict(frozen=True)

    dimensions: dict[Dimension, float]
    """Score of each included dimension, 0-100, in the order of `WEIGHTS`."""
    weights: dict[Dimension, float]
    """Weight of each included dimension after renormalisation; they sum to 1."""
    total: float
    """Weighted sum of the dimensions, 0-100."""
    tokens_scored: int
    """The token count TOKEN_EFFICIENCY used: reported usage, or emitted characters / 4 when none was reported."""
    token_source: TokenSource
    """Where ``tokens_scored`` came from."""
    measures: EpisodeMeasures
    """The measures the score was computed from, echoed for reports and re-scoring."""


def score_episode(measures: EpisodeMeasures) -> ScoreResult:
    """Score one episode on the seven dimensions from what the environment measured.

    Args:
        measures: The episode's measured facts.

    Returns:
        The dimensions (each clamped to 0-100), the weights used, the total (0-100) and the echoed measures.
    """
    success = measures.functional
    tokens, source = _scored_tokens(measures)
    # a repeated question to the user costs one step more than it took: the agent asked for what it was told
    trajectory = _trajectory_ratio(measures.steps + measures.repeated_questions, measures.optimal_steps)
    raw = {
        Dimension.FUNCTIONAL: 100.0 * success,
        Dimension.TOKEN_EFFICIENCY: success * _token_curve(tokens),
        Dimension.QUERY_EFFICIENCY: success * _query_curve(measures.queries + measures.extra_user_turns),
        Dimension.ERROR_RECOVERY: 100.0 * success * _recovery_factor(measures.invalid_calls, measures.recovered_errors),
        Dimension.TRAJECTORY_EFFICIENCY: 100.0 * success * trajectory,
        Dimension.HALLUCINATION_RATE: _grounded_share(measures),
    }
    if measures.is_drift_episode:
        raw[Dimension.DRIFT_ADAPTATION] = (
            100.0 * success * _recovery_factor(measures.drift_errors, measures.drift_recovered)
        )
    dimensions = {d: _clamp(raw[d]) for d in WEIGHTS if d in raw}
    included = sum(WEIGHTS[d] for d in dimensions)
    weights = {d: WEIGHTS[d] / included for d in dimensions}
    total = _clamp(sum(weights[d] * dimensions[d] for d in dimensions))
    return ScoreResult(
        dimensions=dimensions,
        weights=weights,
        total=total,
        tokens_scored=tokens,
        token_source=source,
        measures=measures,
    )


def _scored_tokens(measures: EpisodeMeasures) -> tuple[int, TokenSource]:
    # An offline policy has no provider usage; its output is measured instead, never taken from the agent.
    if measures.tokens is not None:
        return measures.tokens, "usage"
    return -(-measures.emitted_chars // CHARS_PER_TOKEN), "emitted_chars"


def _token_curve(tokens: int) -> float:
    budget = TOKEN_BUDGET
    if tokens <= budget:
        return 100.0 - 40.0 * tokens / budget
    return max(30.0, 60.0 - 30.0 * (tokens - budget) / budget)


def _query_curve(queries: int) -> float:
    budget = QUERY_BUDGET
    if queries <= budget:
        return 100.0 - 30.0 * queries / budget
    return max(30.0, 70.0 - 5.0 * (queries - budget))


def _recovery_factor(errors: int, recovered: int) -> float:
    # Recovered errors earn full credit, unrecovered ones half: the episode's success (the gate applied by the
    # caller) shows the agent found another way, but it never fixed the call that failed.
    if errors == 0:
        return 1.0
    return 0.5 + 0.5 * recovered / errors


def _trajectory_ratio(steps: int, optimal_steps: int) -> float:
    if steps <= optimal_steps:
        return 1.0
    return optimal_steps / steps


def _grounded_share(measures: EpisodeMeasures) -> float:
    # An answer with nothing checkable has hallucinated nothing, but it earns that credit only by succeeding:
    # otherwise an empty reply would collect the whole dimension.
    if measures.claims == 0:
        return 100.0 * measures.functional
    return 100.0 * (1.0 - measures.hallucinated / measures.claims)


def _clamp(value: float) -> float:
    return min(100.0, max(0.0, value))
