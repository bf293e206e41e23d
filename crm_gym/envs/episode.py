"""One episode's record (calls, results, answer) and the measures the scorer takes from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from crm_gym.api.api import ToolResult
from crm_gym.entropy.drift import DriftMap
from crm_gym.scoring.claims import check_claims
from crm_gym.scoring.dimensions import ScoreResult, score_episode
from crm_gym.scoring.measures import EpisodeMeasures, count_recovered_errors
from crm_gym.scoring.outcome import Outcome, score_outcome
from crm_gym.tasks.model import Task, ToolCall
from crm_gym.world.world import World


@dataclass
class EpisodeRecord:
    """Everything that happened in an episode, in order: the basis of every measure."""

    shown: list[str] = field(default_factory=list)  # texts the agent was shown: the context, then each result
    calls: list[ToolCall] = field(default_factory=list)
    results: list[ToolResult] = field(default_factory=list)
    malformed: int = 0
    emitted_chars: int = 0
    answer: str | None = None
    tokens: int | None = None
    user_turns: int = 0  # questions the simulated user answered (multi-turn episodes)
    repeated_questions: int = 0
    optimal_user_turns: int = 0  # the oracle's questions: 1 in a multi-turn episode

    def record_usage(self, tokens: int) -> None:
        """Add tokens reported by the policy's API usage fields."""
        self.tokens = (self.tokens or 0) + tokens


def stale_name_errors(record: EpisodeRecord) -> tuple[int, int]:
    """Calls the drifted API refused because they used a canonical name the drift renamed (as the API reported
    it, see `DriftedNameError`), and how many were recovered by a later successful call of the same tool."""
    errors = recovered = 0
    pending: dict[str, int] = {}
    for call, result in zip(record.calls, record.results, strict=True):
        if result.ok:
            recovered += pending.pop(call.tool, 0)
        elif result.stale_names:
            errors += 1
            pending[call.tool] = pending.get(call.tool, 0) + 1
    return errors, recovered


def measure_episode(
    task: Task, world: World, record: EpisodeRecord, drift: DriftMap, queries: int, api_errors: int
) -> tuple[Outcome, EpisodeMeasures, ScoreResult]:
    """Score a finished episode: the functional verdict, the measures and the 7-dimension score."""
    outcome = score_outcome(task, world, record.answer, record.calls, record.results)
    claims = check_claims(record.answer, record.shown, world)
    drift_errors, drift_recovered = stale_name_errors(record)
    measures = EpisodeMeasures(
        functional=outcome.functional,
        drift_level=drift.level,
        tokens=record.tokens,
        emitted_chars=record.emitted_chars,
        tool_calls=len(record.calls) + record.malformed,
        queries=queries,
        invalid_calls=api_errors + record.malformed,
        recovered_errors=count_recovered_errors(record.results),
        drift_errors=drift_errors,
        drift_recovered=drift_recovered,
        steps=len(record.calls) + record.malformed + record.user_turns + (record.answer is not None),
        optimal_steps=(task.optimal_length or 1) + record.optimal_user_turns,
        claims=claims.claims,
        hallucinated=claims.hallucinated,
        user_turns=record.user_turns,
        optimal_user_turns=record.optimal_user_turns,
        repeated_questions=record.repeated_questions,
    )
    return outcome, measures, score_episode(measures)
