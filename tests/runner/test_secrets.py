"""No secret in any output: a key given with ``--option api_key=...``, and a provider error that echoes it, reach
neither the run folder (run.json, records, report.md, report.html), nor the cache, nor the command's output."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "agents"))

from llm_fakes import TASKS, Calls, Fail, FakeLlm, Text, local_server  # noqa: E402

from crm_gym.cli import app  # noqa: E402
from crm_gym.redaction import REDACTED  # noqa: E402
from crm_gym.runner.store import read_episodes, read_run  # noqa: E402

KEY = "sk-test-A1b2C3d4E5f6G7h8J9k0"
ROTATED = "sk-test-Z9y8X7w6V5u4T3s2R1q0"
ENV_KEY = "sk-env-Q1w2E3r4T5y6U7i8O9p0"
READ_AND_ANSWER = [Calls([("query", {"sql": "SELECT COUNT(*) AS n FROM Account"})]), Text("None")]


def eval_args(run: Path, url: str, cache: Path, key: str) -> list[str]:
    args = ["eval", "--policy", "openai:gpt-fake", "--suite", "crmarena_pro", "--org-scale", "small", "--out", str(run)]
    args += ["--task-id", TASKS[0].id, "--task-id", TASKS[1].id, "--concurrency", "1", "--max-steps", "4"]
    return args + ["--option", f"base_url={url}/v1", "--option", f"api_key={key}", "--option", f"cache_dir={cache}"]


def test_keys_reach_no_file_and_no_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)  # a key in the environment is cut out of records too
    echo = f"Incorrect API key provided: {KEY}. Header was 'Authorization: Bearer {KEY}', env {ENV_KEY}."
    fake = FakeLlm("chat", [Fail(401, echo), *READ_AND_ANSWER, *READ_AND_ANSWER])
    run, cache = tmp_path / "run", tmp_path / "cache"
    outputs = []
    with local_server(fake) as url:
        first = CliRunner().invoke(app, eval_args(run, url, cache, KEY))
        outputs.append(first.output)
        assert first.exit_code == 0 and "1 infrastructure errors" in first.output, first.output
        failed = next(r for r in read_episodes(run) if not r.scored)
        assert "Incorrect API key provided: [redacted]" in failed.error and KEY not in failed.error
        # a rotated key resumes the same run (run.json holds no key to differ on), retrying the failed episode
        second = CliRunner().invoke(app, eval_args(run, url, cache, ROTATED))
        outputs.append(second.output)
        assert second.exit_code == 0 and "2 episodes: 2 scored" in second.output, second.output
    assert read_run(run).config["policy_options"]["api_key"] == REDACTED
    report = CliRunner().invoke(app, ["report", str(run)])
    outputs.append(report.output)
    assert report.exit_code == 0, report.output
    written = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert {p.name for p in written} >= {"run.json", "episodes.jsonl", "report.md", "report.html"}
    assert any(p.is_relative_to(cache) for p in written)
    for secret in (KEY, ROTATED, ENV_KEY):
        assert all(secret.encode() not in content for content in written.values()), secret
        assert all(secret not in output for output in outputs), secret
