"""The numbers of a run report: pure functions from `EpisodeResult` lists to pydantic result models.

Success rates carry Wilson 95% intervals over episodes; means (the total, the 7 dimensions) and pass^k carry
percentile intervals from a bootstrap over task conditions (a task under one drift and rot level and in one
interaction mode, with all its trials), seeded so the same records always give the same report. Infrastructure
failures are counted apart and left out of every score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from math import comb, sqrt
from statistics import NormalDist
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from crm_gym.entropy.drift import DRIFT_LEVELS
from crm_gym.entropy.rot import ROT_LEVELS
from crm_gym.errors import CrmGymError
from crm_gym.runner.records import EpisodeResult
from crm_gym.scoring.dimensions import WEIGHTS

CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 1000
_BOOTSTRAP_CELLS = 2_000_000  # resample indices drawn per chunk: bounds memory on large runs
TOTAL = "TOTAL"


class SuccessRate(BaseModel):
    """The share of scored episodes that passed, with its Wilson interval (None when nothing was scored)."""

    model_config = ConfigDict(frozen=True)

    passed: int
    n: int
    rate: float | None
    low: float | None
    high: float | None


class OverRefusal(BaseModel):
    """How often the agent declined a request it should have served, over the scored episodes that expected to be
    served (privacy tasks, where declining is the job, are left out), with its Wilson interval."""

    model_config = ConfigDict(frozen=True)

    name: str
    refused: int
    n: int
    rate: float | None
    low: float | None
    high: float | None


class MeanEstimate(BaseModel):
    """A mean over scored episodes (0-100 points) with its bootstrap interval over task conditions."""

    model_config = ConfigDict(frozen=True)

    n: int
    mean: float | None
    low: float | None
    high: float | None


class GroupStats(BaseModel):
    """Success and total of one slice of the run (a suite, a category, a drift or rot level)."""

    model_config = ConfigDict(frozen=True)

    name: str
    infra_errors: int
    success: SuccessRate
    total: MeanEstimate


class DimensionStats(BaseModel):
    """The mean of one score dimension (or of the total, named ``TOTAL``) and its base weight."""

    model_config = ConfigDict(frozen=True)

    name: str
    weight: float | None
    score: MeanEstimate


class PassK(BaseModel):
    """pass^k: the chance that k trials of a task condition all pass, averaged over the conditions with >= k
    scored trials (``conditions``), with its bootstrap interval."""

    model_config = ConfigDict(frozen=True)

    k: int
    conditions: int
    value: float | None
    low: float | None
    high: float | None


class UsageStats(BaseModel):
    """Per-episode means of what scored episodes consumed."""

    model_config = ConfigDict(frozen=True)

    steps: float | None
    tool_calls: float | None
    invalid_calls: float | None
    tokens_scored: float | None
    reported_token_share: float | None  # share of episodes whose tokens came from provider usage
    wall_seconds: float  # summed over every episode, infrastructure failures included (timing only)


class FailedEpisode(BaseModel):
    """One episode lost to the infrastructure, or ended by the agent's own failure (scored)."""

    model_config = ConfigDict(frozen=True)

    key: str
    suite: str
    category: str
    error: str


class InteractionRow(BaseModel):
    """One suite or category played single- and multi-turn, side by side.

    ``single_same_tasks`` is single-turn success on the tasks that also ran multi-turn (the fair comparison: only
    tasks with a user scenario run multi-turn); the means are per multi-turn episode."""

    model_config = ConfigDict(frozen=True)

    suite: str
    category: str | None  # None: the whole suite
    single: SuccessRate
    multi: SuccessRate
    single_same_tasks: SuccessRate
    user_turns: float | None
    repeated_questions: float | None


class RunStats(BaseModel):
    """Everything a run report shows."""

    model_config = ConfigDict(frozen=True)

    episodes: int
    trials: int
    overall: GroupStats
    suites: list[GroupStats]
    categories: dict[str, list[GroupStats]]  # suite -> categories, best success first
    dimensions: list[DimensionStats]  # the 7 dimensions in WEIGHTS order, then TOTAL
    pass_k: list[PassK]
    by_drift: list[GroupStats]
    by_rot: list[GroupStats]
    usage: UsageStats
    infra_failures: list[FailedEpisode]
    agent_failures: list[FailedEpisode]  # status agent_error: scored as failures, listed for their errors
    policies: list[dict[str, Any]]  # every distinct policy config, in first-seen order of the sorted records
    suite_versions: dict[str, int | None] = {}  # suite -> the one version its episodes come from
    interactions: list[InteractionRow] = []  # suites, then their categories; empty without multi-turn episodes
    pass_k_by_interaction: dict[str, list[PassK]] = {}  # "single", "multi" -> pass^k (with multi-turn episodes)
    over_refusal: list[OverRefusal] = []  # all, then every category with a declined request


def wilson_interval(passed: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """The Wilson score interval of a binomial share; None when ``n`` is 0.

    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
    """
    if n == 0:
        return None
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = passed / n
    denominator = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denominator
    half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, center - half), min(1.0, center + half)


def pass_hat_k(passes: int, trials: int, k: int) -> float:
    """tau-bench's unbiased pass^k of one task: C(passes, k) / C(trials, k), for 1 <= k <= trials.

    >>> pass_hat_k(2, 3, 2)
    0.3333333333333333
    """
    return comb(passes, k) / comb(trials, k)


def success_rate(episodes: Sequence[EpisodeResult]) -> SuccessRate:
    """The passed share of the scored episodes with its Wilson interval."""
    scored = [e for e in episodes if e.scored]
    passed = sum(bool(e.passed) for e in scored)
    rate, low, high = _share_with_interval(passed, len(scored))
    return SuccessRate(passed=passed, n=len(scored), rate=rate, low=low, high=high)


def _share_with_interval(count: int, n: int) -> tuple[float | None, float | None, float | None]:
    """``count / n`` with its Wilson interval; all None when ``n`` is 0."""
    interval = wilson_interval(count, n)
    low, high = interval if interval else (None, None)
    return (count / n if n else None), low, high


def over_refusal(name: str, episodes: Sequence[EpisodeResult]) -> OverRefusal:
    """The share of ``episodes`` (scored, expecting to be served) in which the agent declined."""
    served = [e for e in episodes if e.scored and e.over_refused is not None]
    refused = sum(bool(e.over_refused) for e in served)
    rate, low, high = _share_with_interval(refused, len(served))
    return OverRefusal(name=name, refused=refused, n=len(served), rate=rate, low=low, high=high)


def _over_refusal_rows(episodes: Sequence[EpisodeResult]) -> list[OverRefusal]:
    by_category = [over_refusal(name, rows) for name, rows in _split(episodes, lambda e: e.category).items()]
    return [over_refusal("all", episodes), *sorted((r for r in by_category if r.refused), key=lambda r: r.name)]


def mean_estimate(
    episodes: Sequence[EpisodeResult], value: Callable[[EpisodeResult], float | None], seed: int = 0
) -> MeanEstimate:
    """The mean of ``value`` over scored episodes where it is not None, with a bootstrap interval over conditions."""
    by_condition: dict[tuple[str, str, str, str], list[float]] = defaultdict(list)
    for episode in episodes:
        if episode.scored and (x := value(episode)) is not None:
            by_condition[_condition(episode)].append(x)
    groups = [by_condition[c] for c in sorted(by_condition)]
    n = sum(len(g) for g in groups)
    if n == 0:
        return MeanEstimate(n=0, mean=None, low=None, high=None)
    sums = np.array([sum(g) for g in groups])
    counts = np.array([len(g) for g in groups], dtype=float)
    low, high = _bootstrap_ratio(sums, counts, seed)
    return MeanEstimate(n=n, mean=float(sums.sum() / counts.sum()), low=low, high=high)


def pass_k_curve(episodes: Sequence[EpisodeResult], max_k: int, seed: int = 0) -> list[PassK]:
    """pass^k for k = 1..max_k over task conditions (a condition with fewer than k scored trials is left out)."""
    outcomes: dict[tuple[str, str, str, str], list[bool]] = defaultdict(list)
    for episode in episodes:
        if episode.scored:
            outcomes[_condition(episode)].append(bool(episode.passed))
    curve = []
    for k in range(1, max_k + 1):
        values = np.array([pass_hat_k(sum(o), len(o), k) for _, o in sorted(outcomes.items()) if len(o) >= k])
        if len(values) == 0:
            curve.append(PassK(k=k, conditions=0, value=None, low=None, high=None))
            continue
        low, high = _bootstrap_ratio(values, np.ones(len(values)), seed)
        curve.append(PassK(k=k, conditions=len(values), value=float(values.mean()), low=low, high=high))
    return curve


def group_stats(name: str, episodes: Sequence[EpisodeResult], seed: int = 0) -> GroupStats:
    """Success, mean total and infrastructure failures of one slice of the run."""
    return GroupStats(
        name=name,
        infra_errors=sum(not e.scored for e in episodes),
        success=success_rate(episodes),
        total=mean_estimate(episodes, _total, seed),
    )


def dimension_stats(episodes: Sequence[EpisodeResult], seed: int = 0) -> list[DimensionStats]:
    """The mean of each of the 7 dimensions (over the episodes that include it) and of the total."""
    rows = [
        DimensionStats(name=str(d), weight=w, score=mean_estimate(episodes, _dimension(str(d)), seed))
        for d, w in WEIGHTS.items()
    ]
    return [*rows, DimensionStats(name=TOTAL, weight=None, score=mean_estimate(episodes, _total, seed))]


def usage_stats(episodes: Sequence[EpisodeResult]) -> UsageStats:
    """Per-episode means of steps, tool calls, invalid calls and scored tokens over the scored episodes."""
    measured = [e for e in episodes if e.scored and e.score is not None]

    def mean(values: Iterable[float]) -> float | None:
        values = list(values)
        return float(np.mean(values)) if values else None

    return UsageStats(
        steps=mean(e.score["measures"]["steps"] for e in measured),
        tool_calls=mean(e.score["measures"]["tool_calls"] for e in measured),
        invalid_calls=mean(e.score["measures"]["invalid_calls"] for e in measured),
        tokens_scored=mean(e.score["tokens_scored"] for e in measured),
        reported_token_share=mean(float(e.score["token_source"] == "usage") for e in measured),
        wall_seconds=float(sum(e.wall_seconds for e in episodes)),
    )


def interaction_rows(episodes: Sequence[EpisodeResult]) -> list[InteractionRow]:
    """Single- and multi-turn results of every suite and category that ran multi-turn (see `InteractionRow`)."""
    rows = []
    for suite, in_suite in _split(episodes, lambda e: e.suite).items():
        groups = [(None, in_suite), *_split(in_suite, lambda e: e.category).items()]
        for category, part in groups:
            multi = [e for e in part if e.key.interaction == "multi"]
            if not multi:
                continue
            conversational = {e.key.task_id for e in multi}
            single = [e for e in part if e.key.interaction == "single"]
            measured = [e.measures for e in multi if e.scored and e.measures is not None]
            rows.append(
                InteractionRow(
                    suite=suite,
                    category=category,
                    single=success_rate(single),
                    multi=success_rate(multi),
                    single_same_tasks=success_rate([e for e in single if e.key.task_id in conversational]),
                    user_turns=float(np.mean([m.get("user_turns", 0) for m in measured])) if measured else None,
                    repeated_questions=float(np.mean([m.get("repeated_questions", 0) for m in measured]))
                    if measured
                    else None,
                )
            )
    return rows


def run_stats(episodes: Iterable[EpisodeResult], seed: int = 0) -> RunStats:
    """Every number of the report, computed from a run's episodes in a fixed order (input order is irrelevant)."""
    ordered = sorted(episodes, key=_sort_key)
    repeated = [a.key.text() for a, b in zip(ordered, ordered[1:], strict=False) if _sort_key(a) == _sort_key(b)]
    if repeated:
        raise CrmGymError(f"Episode {repeated[0]} appears more than once; each key must be reported once.")
    versions = _split(ordered, lambda e: e.suite)
    for suite, rows in versions.items():
        seen = sorted({e.suite_version for e in rows}, key=str)
        if len(seen) > 1:
            raise CrmGymError(
                f"The run mixes versions {', '.join(str(v) for v in seen)} of suite {suite!r}: scores of different "
                "task sets cannot be pooled. Report each version's run on its own."
            )
    by_suite = _split(ordered, lambda e: e.suite)
    categories = {
        suite: sorted(
            (group_stats(name, part, seed) for name, part in _split(rows, lambda e: e.category).items()),
            key=lambda g: (-(g.success.rate if g.success.rate is not None else -1.0), g.name),
        )
        for suite, rows in by_suite.items()
    }
    policies: list[dict[str, Any]] = []
    for episode in ordered:
        if episode.policy not in policies:
            policies.append(episode.policy)
    trials = max((len({e.key.trial for e in rows}) for rows in _split(ordered, _condition).values()), default=0)
    return RunStats(
        episodes=len(ordered),
        trials=trials,
        overall=group_stats("all", ordered, seed),
        suites=[group_stats(name, rows, seed) for name, rows in by_suite.items()],
        categories=categories,
        dimensions=dimension_stats(ordered, seed),
        pass_k=pass_k_curve(ordered, trials, seed),
        by_drift=_by_level(ordered, DRIFT_LEVELS, lambda e: e.key.drift_level, seed),
        by_rot=_by_level(ordered, ROT_LEVELS, lambda e: e.key.rot_level, seed),
        usage=usage_stats(ordered),
        infra_failures=[_failed(e) for e in ordered if not e.scored],
        agent_failures=[_failed(e) for e in ordered if e.status == "agent_error"],
        policies=policies,
        suite_versions={suite: rows[0].suite_version for suite, rows in versions.items()},
        interactions=interaction_rows(ordered),
        pass_k_by_interaction=(
            {
                mode: pass_k_curve(part, trials, seed)
                for mode, part in _split(ordered, lambda e: e.key.interaction).items()
            }
            if any(e.key.interaction == "multi" for e in ordered)
            else {}
        ),
        over_refusal=_over_refusal_rows(ordered),
    )


def _failed(episode: EpisodeResult) -> FailedEpisode:
    return FailedEpisode(
        key=episode.key.text(), suite=episode.suite, category=episode.category, error=episode.error or ""
    )


def _by_level(
    episodes: Sequence[EpisodeResult], levels: Sequence[str], level: Callable[[EpisodeResult], str], seed: int
) -> list[GroupStats]:
    parts = _split(episodes, level)
    order = {name: i for i, name in enumerate(levels)}
    return [group_stats(name, parts[name], seed) for name in sorted(parts, key=lambda n: (order.get(n, len(order)), n))]


def _split(episodes: Iterable[EpisodeResult], key: Callable[[EpisodeResult], Any]) -> dict[Any, list[EpisodeResult]]:
    parts: dict[Any, list[EpisodeResult]] = defaultdict(list)
    for episode in episodes:
        parts[key(episode)].append(episode)
    return {name: parts[name] for name in sorted(parts)}


def _bootstrap_ratio(sums: np.ndarray, counts: np.ndarray, seed: int) -> tuple[float, float]:
    """Percentile interval of sum(sums) / sum(counts) when the clusters are resampled with replacement."""
    rng = np.random.default_rng(seed)
    clusters = len(sums)
    chunk = max(1, _BOOTSTRAP_CELLS // clusters)
    estimates = []
    for start in range(0, BOOTSTRAP_RESAMPLES, chunk):
        picks = rng.integers(0, clusters, size=(min(chunk, BOOTSTRAP_RESAMPLES - start), clusters))
        estimates.append(sums[picks].sum(axis=1) / counts[picks].sum(axis=1))
    tail = 100 * (1 - CONFIDENCE) / 2
    low, high = np.percentile(np.concatenate(estimates), [tail, 100 - tail])
    return float(low), float(high)


def _condition(episode: EpisodeResult) -> tuple[str, str, str, str]:
    key = episode.key
    return key.task_id, key.drift_level, key.rot_level, key.interaction


def _sort_key(episode: EpisodeResult) -> tuple[str, str, str, str, str, int]:
    key = episode.key
    return episode.suite, key.task_id, key.drift_level, key.rot_level, key.interaction, key.trial


def _total(episode: EpisodeResult) -> float | None:
    return None if episode.score is None else float(episode.score["total"])


def _dimension(name: str) -> Callable[[EpisodeResult], float | None]:
    def value(episode: EpisodeResult) -> float | None:
        dimensions = (episode.score or {}).get("dimensions", {})
        return float(dimensions[name]) if name in dimensions else None

    return value
