"""Re-score a run from its saved trajectories and compare with the stored scores.

Every scored episode is replayed in a fresh env (`crm_gym.runner.replay`); the recomputed record is written to
``rescored.jsonl`` next to ``episodes.jsonl``, which is never modified. Any difference (status, functional
verdict, score, measures, return, or a step's reward or result text) is reported as a mismatch, and an episode
recorded more than once (two writers on one folder, a hand-merged file) as a duplicate: either fails the check.
A step whose action was cut to fit its record (`StepRecord.cut`) is replayed cut, so its result text is not
compared, and its episode's measures may differ (a mismatch that says the record could not keep the action).

An episode graded by another answer grader (`EpisodeResult.grader_version` differs from
`crm_gym.scoring.GRADER_VERSION`) is regraded, not mismatched: its verdict, score and final reward are expected to
move, and every verdict that changed is reported with the grader's reasons then and now.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from crm_gym.runner.records import EpisodeResult, StepRecord
from crm_gym.runner.replay import Replayer
from crm_gym.runner.store import read_episodes, read_run, write_episodes
from crm_gym.scoring import GRADER_VERSION

RESCORED_FILE = "rescored.jsonl"
SCORED_FIELDS = ("status", "functional", "passed", "outcome", "score", "measures", "episode_return")


class Mismatch(BaseModel):
    """One stored value the replay does not reproduce."""

    episode: str  # EpisodeKey.text()
    field: str  # a record field, or "steps[i].reward" / "steps[i].result"
    stored: Any
    rescored: Any


class VerdictChange(BaseModel):
    """An episode whose pass/fail verdict the current grader gives differently from the grader that scored it."""

    episode: str  # EpisodeKey.text()
    grader: str | None  # the version that gave the stored verdict (None: before version 2)
    stored: bool | None
    rescored: bool | None
    was: str | None  # the stored outcome: why it was decided so then
    now: str | None  # why it is decided so now


class RescoreReport(BaseModel):
    """What `rescore` did."""

    episodes: int  # scored episodes replayed
    skipped: int  # infrastructure failures (never scored)
    mismatches: list[Mismatch]
    regraded: int = 0  # episodes scored by another grader version, so compared on their actions only
    verdict_changes: list[VerdictChange] = []
    duplicates: dict[str, int]  # EpisodeKey.text() -> lines holding it, for keys on more than one line
    output: Path

    @property
    def ok(self) -> bool:
        """Whether every stored score was reproduced and every episode is recorded once."""
        return not self.mismatches and not self.duplicates


def rescore(out_dir: Path) -> RescoreReport:
    """Replay every scored episode of the run in ``out_dir``, write ``rescored.jsonl`` and list the mismatches."""
    out_dir = Path(out_dir)
    replayer = Replayer(read_run(out_dir).eval_config())
    records = read_episodes(out_dir)
    scored = [r for r in records if r.scored]
    rescored = [rescore_episode(replayer, r) for r in scored]
    output = out_dir / RESCORED_FILE
    write_episodes(output, rescored)
    mismatches = [m for stored, new in zip(scored, rescored, strict=True) for m in compare(stored, new)]
    regraded = [(old, new) for old, new in zip(scored, rescored, strict=True) if old.grader_version != GRADER_VERSION]
    changes = [
        VerdictChange(
            episode=old.key.text(),
            grader=old.grader_version,
            stored=old.passed,
            rescored=new.passed,
            was=old.outcome,
            now=new.outcome,
        )
        for old, new in regraded
        if old.passed != new.passed
    ]
    counts = Counter(r.key.text() for r in records)
    return RescoreReport(
        episodes=len(scored),
        skipped=len(records) - len(scored),
        mismatches=mismatches,
        regraded=len(regraded),
        verdict_changes=changes,
        duplicates={key: n for key, n in sorted(counts.items()) if n > 1},
        output=output,
    )


def rescore_episode(replayer: Replayer, record: EpisodeResult) -> EpisodeResult:
    """The record with every score recomputed by replaying its actions."""
    steps: list[StepRecord] = []
    info: dict[str, Any] = {}
    for index, (result, reward, step_info) in enumerate(replayer.replay(record)):
        if index < len(record.steps):  # past them: the forfeit of an agent_error record
            steps.append(record.steps[index].model_copy(update={"reward": reward, "result": result}))
        info = step_info
    return record.model_copy(
        update={
            "steps": steps,
            "status": info.get("status", "truncated"),
            "functional": info.get("functional"),
            "passed": info.get("passed"),
            "outcome": info.get("outcome"),
            "over_refused": info.get("over_refused"),
            "score": info.get("score"),
            "measures": info.get("measures"),
            "episode_return": sum(s.reward for s in steps),
            "grader_version": GRADER_VERSION,
        }
    )


def compare(stored: EpisodeResult, rescored: EpisodeResult) -> list[Mismatch]:
    """The scored fields and step outcomes on which two records of one episode differ.

    When another grader version scored ``stored``, what the grader decides (the verdict, the score, the measures
    it feeds, the final step's reward and the return) is left out: those are verdict changes, not mismatches.
    """
    episode = stored.key.text()
    regraded = stored.grader_version != rescored.grader_version
    fields = ("status",) if regraded else SCORED_FIELDS
    found = [
        Mismatch(episode=episode, field=name, stored=getattr(stored, name), rescored=getattr(rescored, name))
        for name in fields
        if getattr(stored, name) != getattr(rescored, name)
    ]
    if len(stored.steps) != len(rescored.steps):
        found.append(Mismatch(episode=episode, field="steps", stored=len(stored.steps), rescored=len(rescored.steps)))
    last = len(stored.steps) - 1
    for i, (old, new) in enumerate(zip(stored.steps, rescored.steps, strict=False)):
        # a cut action was replayed cut: the text the env answered may differ (its scores are still compared)
        names = ("reward",) if old.cut else ("reward", "result")
        if regraded and i == last:  # the final reward carries the terminal score
            names = tuple(n for n in names if n != "reward")
        for name in names:
            if getattr(old, name) != getattr(new, name):
                found.append(
                    Mismatch(
                        episode=episode,
                        field=f"steps[{i}].{name}",
                        stored=getattr(old, name),
                        rescored=getattr(new, name),
                    )
                )
    return found
