"""The results document `crm-gym serve` answers an assessment with, in the shape of Entropic CRMArena's.

Top level: ``participants``, ``results`` (one entry per episode: ``task_idx``, ``task_category``,
``task_query``, ``crm_reward``, ``total_score``, ``dimension_scores``, ``agent_answer``, ``success``,
``metrics``, ``timing``), ``summary`` (``pass_rate``, ``total_tasks``, ``total_passed``, ``avg_score``),
``dimension_averages``, ``by_category`` (``count``, ``passed``, ``total_score``, ``pass_rate``, ``avg_score``),
``extension_metrics`` (the levels and suite), ``timing`` and ``version``, rounded as Entropic rounds them.

Unlike Entropic, an episode the infrastructure failed (agent unreachable, timeout) is not scored as 0: its entry
carries ``status`` "infra_error", its ``error`` and null scores; it counts in ``summary.infra_errors`` (and the
category's) but in no average, and averages over no scored episode are null. An episode the agent failed by its
own doing (``status`` "agent_error": a task it failed, a reply that could not be used) is scored like any other.
Gold answers are left out (the test split stays unseen).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from statistics import fmean
from typing import Any

from crm_gym.runner.records import EpisodeResult
from crm_gym.scoring.dimensions import WEIGHTS


def results_document(
    episodes: Sequence[EpisodeResult],
    participant: str,
    extension_metrics: dict[str, Any],
    total_seconds: float,
    version: str,
) -> dict[str, Any]:
    """Aggregate an assessment's episodes into the results document.

    Args:
        episodes: The episode records, in plan order.
        participant: The assessed agent's URL.
        extension_metrics: The run's settings shown with the results (suite, split, levels, max_steps, ...).
        total_seconds: Wall-clock time of the whole assessment (timing only).
        version: The crm_gym version that scored it.
    """
    scored = [e for e in episodes if e.scored]
    count = len(episodes)
    return {
        "participants": {"agent": participant},
        "results": [_entry(e) for e in episodes],
        "summary": {**_rates(scored), "infra_errors": count - len(scored), "episodes": count},
        "dimension_averages": _dimension_averages(scored),
        "by_category": _by_category(episodes),
        "extension_metrics": extension_metrics,
        "timing": {
            "total_seconds": round(total_seconds, 2),
            "avg_seconds_per_task": round(total_seconds / count, 2) if count else None,
        },
        "version": version,
    }


def summary_text(document: dict[str, Any]) -> str:
    """The document's headline numbers as a few lines of text (the artifact's text part)."""
    summary = document["summary"]
    lines = [
        "Assessment complete",
        f"Agent: {document['participants']['agent']}",
        f"Episodes: {summary['episodes']} ({summary['infra_errors']} infrastructure failures, never scored)",
        f"Passed: {summary['total_passed']} of {summary['total_tasks']} scored",
        f"Pass rate: {_fmt(summary['pass_rate'])}",
        f"Average score: {_fmt(summary['avg_score'])}",
        "Dimension averages:",
        *(f"  {name}: {value}" for name, value in document["dimension_averages"].items()),
    ]
    return "\n".join(lines)


def _entry(episode: EpisodeResult) -> dict[str, Any]:
    score = episode.score or {}
    measures = episode.measures or {}
    return {
        "task_idx": episode.key.task_id,
        "task_category": episode.category,
        "task_query": episode.observation.get("prompt", ""),
        "trial": episode.key.trial,
        "drift_level": episode.key.drift_level,
        "rot_level": episode.key.rot_level,
        "status": episode.status,
        "error": episode.error,
        "crm_reward": episode.functional,
        "total_score": score.get("total"),
        "dimension_scores": score.get("dimensions", {}),
        "agent_answer": episode.answer,
        "success": episode.passed,
        "metrics": {
            "turns": len(episode.steps),
            "tokens_estimate": score.get("tokens_scored"),
            "tool_calls": measures.get("tool_calls"),
            "queries": measures.get("queries"),
        },
        "timing": {"total_seconds": round(episode.wall_seconds, 2)},
    }


def _rates(scored: Sequence[EpisodeResult]) -> dict[str, Any]:
    passed = sum(1 for e in scored if e.passed)
    return {
        "pass_rate": round(passed / len(scored), 3) if scored else None,
        "total_tasks": len(scored),
        "total_passed": passed,
        "avg_score": round(fmean(_total(e) for e in scored), 1) if scored else None,
    }


def _dimension_averages(scored: Sequence[EpisodeResult]) -> dict[str, float]:
    values: dict[str, list[float]] = defaultdict(list)
    for episode in scored:
        for name, value in (episode.score or {}).get("dimensions", {}).items():
            values[name].append(value)
    return {str(name): round(fmean(values[name]), 1) for name in WEIGHTS if values.get(name)}


def _by_category(episodes: Sequence[EpisodeResult]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[EpisodeResult]] = defaultdict(list)
    for episode in episodes:
        groups[episode.category].append(episode)
    table = {}
    for category in sorted(groups):
        scored = [e for e in groups[category] if e.scored]
        rates = _rates(scored)
        table[category] = {
            "count": rates["total_tasks"],
            "passed": rates["total_passed"],
            "total_score": round(sum(_total(e) for e in scored), 1),
            "pass_rate": rates["pass_rate"],
            "avg_score": rates["avg_score"],
            "infra_errors": len(groups[category]) - len(scored),
        }
    return table


def _total(episode: EpisodeResult) -> float:
    return float((episode.score or {}).get("total", 0.0))


def _fmt(value: float | None) -> str:
    return "n/a (nothing scored)" if value is None else str(value)
