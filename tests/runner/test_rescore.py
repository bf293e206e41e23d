"""Re-scoring a run from its saved trajectories reproduces every stored score, and a tampered score is caught."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from crm_gym.agents.base import PolicyStep, Usage
from crm_gym.agents.reference import OraclePolicy
from crm_gym.runner.cli_eval import rescore_command
from crm_gym.runner.evaluate import EvalConfig, run_eval
from crm_gym.runner.records import EpisodeResult
from crm_gym.runner.rescore import rescore
from crm_gym.runner.store import read_episodes


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run of the random policy (failed calls, truncations) over both suites, drift and rot grids."""
    out = tmp_path_factory.mktemp("run")
    config = EvalConfig(
        policy="random",
        suite=["arc", "crmarena_pro"],
        org_scale="small",
        limit=3,
        drift_level=["none", "high"],
        rot_level=["none", "medium"],
        max_steps=6,
        out_dir=out,
    )
    run_eval(config)
    run_eval(config.model_copy(update={"policy": "oracle", "out_dir": out / "oracle"}))
    return out


def test_rescoring_reproduces_every_stored_score(run_dir: Path) -> None:
    for folder in (run_dir, run_dir / "oracle"):
        report = rescore(folder)
        assert report.ok, report.mismatches[:3]
        assert report.episodes == 24 and report.skipped == 0
        stored = [r.model_dump(exclude={"wall_seconds"}) for r in read_episodes(folder)]
        lines = report.output.read_text().splitlines()
        rescored = [EpisodeResult.model_validate_json(line).model_dump(exclude={"wall_seconds"}) for line in lines]
        assert stored == rescored


class MeteredOracle(OraclePolicy):
    """The oracle, reporting token usage per call (the token dimension depends on it)."""

    def act(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        step = super().act(observation, info)
        return PolicyStep(action=step.action, usage=Usage(input_tokens=900 * info["step"] + 50, output_tokens=30))


def test_rescoring_replays_the_saved_usage(tmp_path: Path) -> None:
    config = EvalConfig(policy="metered", suite="arc", limit=3, out_dir=tmp_path)
    records = run_eval(config, lambda env, seed: MeteredOracle(env))
    assert all(r.measures["tokens"] > 0 for r in records)
    assert rescore(tmp_path).ok


def test_a_tampered_score_is_detected(tmp_path: Path, run_dir: Path) -> None:
    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "run.json").write_text((run_dir / "oracle" / "run.json").read_text())
    lines = (run_dir / "oracle" / "episodes.jsonl").read_text().splitlines()
    record = json.loads(lines[5])
    record["score"]["total"] += 1.0
    record["steps"][0]["reward"] = 0.5
    lines[5] = json.dumps(record)
    (folder / "episodes.jsonl").write_text("\n".join(lines) + "\n")

    report = rescore(folder)
    episode = read_episodes(folder)[5].key.text()
    assert [(m.episode, m.field) for m in report.mismatches] == [(episode, "score"), (episode, "steps[0].reward")]
    assert report.mismatches[0].stored["total"] == report.mismatches[0].rescored["total"] + 1.0
    result = CliRunner().invoke(_app(), [str(folder)])
    assert result.exit_code == 1 and "mismatch" in result.output


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(rescore_command)
    return app


def test_an_episode_recorded_twice_is_reported(tmp_path: Path, run_dir: Path) -> None:
    folder = tmp_path / "twice"
    folder.mkdir()
    (folder / "run.json").write_text((run_dir / "oracle" / "run.json").read_text())
    lines = (run_dir / "oracle" / "episodes.jsonl").read_text().splitlines()
    (folder / "episodes.jsonl").write_text("\n".join([*lines, lines[2], lines[2]]) + "\n")
    report = rescore(folder)
    key = read_episodes(folder)[2].key.text()
    assert not report.ok and report.mismatches == [] and report.duplicates == {key: 3}
    result = CliRunner().invoke(_app(), [str(folder)])
    output = " ".join(result.output.split())  # as printed, without the terminal's line breaks
    assert result.exit_code == 1 and f"duplicate {key} is recorded 3 times" in output
    assert "0 mismatches, 1 episodes recorded more than once" in output


def test_a_run_graded_by_an_earlier_grader_reports_each_changed_verdict_and_why(run_dir: Path, tmp_path: Path) -> None:
    """A run made before grader version 2 (no grader_version in its records) is regraded, not mismatched: every
    verdict the grader now gives differently is listed with both reasons, and the check still passes."""
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "run.json").write_text((run_dir / "oracle" / "run.json").read_text())
    old = []
    for index, record in enumerate(read_episodes(run_dir / "oracle")):
        data = json.loads(record.model_dump_json())
        data.pop("grader_version")  # records written before the field existed
        if record.passed and index % 5 == 0:  # verdicts the earlier grader got wrong
            data.update(passed=False, functional=0.0, outcome="Token F1 0.31 is below the pass mark 0.5.")
        old.append(json.dumps(data))
    (folder / "episodes.jsonl").write_text("\n".join(old) + "\n")
    flipped = sum('"Token F1' in line for line in old)
    assert flipped

    report = rescore(folder)
    assert report.ok, report.mismatches[:3]
    assert report.regraded == 24
    assert len(report.verdict_changes) == flipped
    change = report.verdict_changes[0]
    assert (change.grader, change.stored, change.rescored) == (None, False, True)
    assert change.was == "Token F1 0.31 is below the pass mark 0.5." and change.now

    result = CliRunner().invoke(_app(), [str(folder)])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # the console wraps long lines
    assert "verdict changed" in output and f"{flipped} verdicts changed" in output


def test_a_tampered_verdict_of_the_current_grader_is_still_a_mismatch(run_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "tampered"
    folder.mkdir()
    (folder / "run.json").write_text((run_dir / "oracle" / "run.json").read_text())
    lines = (run_dir / "oracle" / "episodes.jsonl").read_text().splitlines()
    data = json.loads(lines[0])
    data.update(passed=not data["passed"])
    (folder / "episodes.jsonl").write_text("\n".join([json.dumps(data), *lines[1:]]) + "\n")
    report = rescore(folder)
    assert not report.ok
    assert [m.field for m in report.mismatches] == ["passed"]
    assert report.regraded == 0 and report.verdict_changes == []
