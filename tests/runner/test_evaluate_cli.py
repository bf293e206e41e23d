"""`crm-gym eval`, `rescore` and `export` as typer commands (registered here as the main CLI registers them)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from crm_gym.runner.cli_eval import eval_command, export_command, rescore_command
from crm_gym.runner.store import read_episodes, read_run

app = typer.Typer()
app.command("eval")(eval_command)
app.command("rescore")(rescore_command)
app.command("export")(export_command)


def test_eval_then_rescore_then_export(tmp_path: Path) -> None:
    run = tmp_path / "run"
    args = ["eval", "--policy", "random", "--out", str(run), "--suite", "arc", "--limit", "2", "--drift", "none"]
    args += ["--drift", "low", "--max-steps", "4", "--option", "answer_probability=0.5", "--concurrency", "2"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "4 episodes: 4 scored" in result.output
    config = read_run(run).eval_config()
    assert config.drift_level == ["none", "low"] and config.policy_options == {"answer_probability": 0.5}
    assert all(r.policy["answer_probability"] == 0.5 for r in read_episodes(run))

    result = CliRunner().invoke(app, ["rescore", str(run)])
    assert result.exit_code == 0 and "0 mismatches" in result.output, result.output

    result = CliRunner().invoke(app, ["export", str(run), "--out", str(tmp_path / "sft.jsonl")])
    assert result.exit_code == 0, result.output
    assert len([json.loads(line) for line in (tmp_path / "sft.jsonl").read_text().splitlines()]) == 4


def test_misuse_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--policy", "gpt", "--out", str(tmp_path), "--suite", "arc"])
    assert result.exit_code == 2 and "openai:MODEL" in result.output
    result = CliRunner().invoke(app, ["eval", "--policy", "oracle", "--out", str(tmp_path), "--drift", "huge"])
    assert result.exit_code == 2 and "huge" in result.output
    args = ["eval", "--policy", "random", "--out", str(tmp_path / "r"), "--suite", "arc", "--option", "bogus=1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "cannot be built" in result.output and "bogus" in result.output
    result = CliRunner().invoke(app, ["rescore", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "not a crm_gym run folder" in result.output
