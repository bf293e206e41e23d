"""No model reply can stop a run or its resume: `crm-gym eval` over the real OpenAI SDK and a local fake server
whose model sends a lone surrogate and a 300-deep argument scores the episode, records it, resumes and replays it
from the cache, and rescores it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "agents"))

from llm_fakes import TASKS, Calls, FakeLlm, Text, local_server  # noqa: E402

from crm_gym.cli import app  # noqa: E402
from crm_gym.runner.store import read_episodes  # noqa: E402


def deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": "x"}
    for _ in range(levels):
        value = {"down": value}
    return value


DEEP = deep(300)
SURROGATE_ARGS = '{"object": "Account", "id": "001\ud800"}'  # a lone surrogate in the reply itself, not escaped
SCRIPT = [
    Calls([("query", {"sql": DEEP})]),
    Calls([("query", {"sql": "SELECT COUNT(*) AS n FROM Account"})]),
    Calls([("get", SURROGATE_ARGS)]),
    Text("None \ud800"),
]


def eval_args(run: Path, *options: str) -> list[str]:
    args = ["eval", "--policy", "openai:gpt-fake", "--suite", "crmarena_pro", "--org-scale", "small"]
    args += ["--task-id", TASKS[0].id, "--max-steps", "8", "--out", str(run)]
    for option in options:
        args += ["--option", option]
    return args


def test_a_reply_with_a_lone_surrogate_and_a_300_deep_argument_is_scored_and_resumed_from_the_cache(
    tmp_path: Path,
) -> None:
    run, cache = tmp_path / "run", tmp_path / "cache"
    fake = FakeLlm("chat", list(SCRIPT))
    with local_server(fake) as url:
        args = eval_args(run, f"base_url={url}/v1", "api_key=local", f"cache_dir={cache}")
        live = CliRunner().invoke(app, args)
        assert live.exit_code == 0, live.output
        assert "1 episodes: 1 scored" in live.output
        (record,) = read_episodes(run)
        assert record.scored and record.status in ("completed", "agent_error"), record.error
        assert record.score is not None and record.functional is not None
        deep_step, _, surrogate_step, *_ = record.steps
        assert json.loads(deep_step.action) == {"tool": "query", "args": {"sql": DEEP}}  # kept exactly, as JSON text
        assert deep_step.tool_error  # the env refused it as an argument, and the episode went on
        assert json.loads(surrogate_step.action)["args"]["id"] == "001\ud800"

        # killed before its record was written: the same command plays the episode again, every reply cached
        sent = len(fake.requests)
        (run / "episodes.jsonl").write_text("")
        resumed = CliRunner().invoke(app, args)
        assert resumed.exit_code == 0 and "1 episodes: 1 scored" in resumed.output, resumed.output
        assert len(fake.requests) == sent
    (again,) = read_episodes(run)
    assert again.model_dump(exclude={"wall_seconds"}) == record.model_dump(exclude={"wall_seconds"})
    rescored = CliRunner().invoke(app, ["rescore", str(run)])
    assert rescored.exit_code == 0 and "0 mismatches" in rescored.output, rescored.output
