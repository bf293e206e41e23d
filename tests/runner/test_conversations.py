"""Conversations through the runner: `crm-gym eval --interaction`, records that carry the user, rescore (the scripted
user replayed, an LLM user's replies read back from the record), the report's single- vs multi-turn section, the
export's ask_user turns, and a failing user recorded as an infrastructure failure."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "agents"))

from llm_fakes import FakeLlm, Text, local_server  # noqa: E402

from crm_gym.errors import CrmGymError  # noqa: E402
from crm_gym.runner.cli_eval import eval_command, export_command, rescore_command  # noqa: E402
from crm_gym.runner.evaluate import EvalConfig, run_eval  # noqa: E402
from crm_gym.runner.report import write_report  # noqa: E402
from crm_gym.runner.rescore import rescore  # noqa: E402
from crm_gym.runner.store import read_episodes  # noqa: E402

app = typer.Typer()
app.command("eval")(eval_command)
app.command("rescore")(rescore_command)
app.command("export")(export_command)
ARC_TASKS = ["arc-create_opportunity-002", "arc-upload_document-002", "arc-opportunity_search-001"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("conversations") / "run"
    args = ["eval", "--policy", "baseline", "--suite", "arc", "--interaction", "single", "--interaction", "multi"]
    args += ["--trials", "2", "--out", str(run), "--concurrency", "3"]
    for task_id in ARC_TASKS:
        args += ["--task-id", task_id]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return run


def test_both_modes_run_side_by_side_and_only_conversational_tasks_run_multi_turn(run_dir: Path) -> None:
    records = read_episodes(run_dir)
    modes = {(r.key.task_id, r.key.interaction) for r in records}
    assert modes == {(t, "single") for t in ARC_TASKS} | {(t, "multi") for t in ARC_TASKS[:2]}
    assert all(r.scored and r.passed for r in records)
    multi = [r for r in records if r.key.interaction == "multi"]
    assert all(r.user == {"kind": "scripted"} and r.measures["user_turns"] >= 1 for r in multi)
    assert all(r.user is None and "user_turns" not in r.measures for r in records if r.key.interaction == "single")
    asks = [s for r in multi for s in r.steps if s.tool == "ask_user"]
    assert asks and all(s.result and not s.tool_error for s in asks)
    single = {r.key.task_id: r for r in records if r.key.interaction == "single" and r.key.trial == 0}
    for record in multi:  # one seed per task and trial in both modes; the multi-turn prompt is the opening
        assert record.seed == next(
            r.seed for r in records if r.key == record.key.model_copy(update={"interaction": "single"})
        )
        assert record.observation["prompt"] != single[record.key.task_id].observation["prompt"]
        assert record.key.text().endswith(",interaction=multi")


def test_rescore_replays_the_scripted_user(run_dir: Path) -> None:
    result = CliRunner().invoke(app, ["rescore", str(run_dir)])
    assert result.exit_code == 0 and "0 mismatches" in result.output, result.output


def test_the_report_puts_single_and_multi_turn_side_by_side(run_dir: Path) -> None:
    markdown, _ = write_report(run_dir)
    text = markdown.read_text()
    section = text[text.index("## Single- vs multi-turn") :].split("\n## ")[0]
    assert "| arc / create_opportunity | 100.0%" in section and "| arc / upload_document | 100.0%" in section
    assert "opportunity_search" not in section  # no multi-turn episode there
    assert "| k | single-turn | multi-turn |" in section and "| 2 |" in section


def test_the_export_carries_the_conversation(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "sft.jsonl"
    result = CliRunner().invoke(app, ["export", str(run_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    multi = [r for r in rows if any(t["function"]["name"] == "ask_user" for t in r["tools"])]
    assert len(multi) == 4 and len(rows) == 10
    for row in multi:
        calls = [m for m in row["messages"] if m.get("tool_calls")]
        ask = next(m for m in calls if m["tool_calls"][0]["function"]["name"] == "ask_user")
        reply = row["messages"][row["messages"].index(ask) + 1]
        assert reply["role"] == "tool" and reply["name"] == "ask_user" and reply["content"]
        assert "?" in ask["tool_calls"][0]["function"]["arguments"]["message"]


def test_multi_turn_alone_picks_conversational_tasks_before_the_limit() -> None:
    config = EvalConfig(policy="oracle", suite="arc", interaction="multi", limit=6)
    records = run_eval(config)
    assert len(records) == 6 and all(r.passed and r.key.interaction == "multi" for r in records)
    with pytest.raises(CrmGymError, match="have no user scenario"):
        run_eval(EvalConfig(policy="oracle", suite="arc", interaction="multi", task_ids=[ARC_TASKS[2]]))
    with pytest.raises(ValueError, match="Unknown user spec"):
        EvalConfig(policy="oracle", user="llm:someone")


def test_an_llm_user_run_is_rescored_from_its_record_without_the_model(tmp_path: Path) -> None:
    replies = [
        "It's for Kestrel Energy Storage. Call it \"Kestrel Energy Storage - Mobile App Rebuild\". It's $160,000."
    ]
    fake = FakeLlm("chat", [Text(replies[0])] * 2)
    with local_server(fake) as url:
        config = EvalConfig(
            policy="oracle", suite="arc", task_ids=[ARC_TASKS[0]], interaction="multi", trials=2, out_dir=tmp_path,
            user="llm:openai:user-model", user_options={"base_url": f"{url}/v1", "api_key": "sk-test-user-key-123"},
        )  # fmt: skip
        records = run_eval(config)
    assert [r.passed for r in records] == [True, True] and len(fake.requests) == 2
    assert records[0].user["kind"] == "llm:openai" and records[0].user["model"] == "user-model"
    stored = (tmp_path / "run.json").read_text() + (tmp_path / "episodes.jsonl").read_text()
    assert "sk-test-user-key-123" not in stored
    report = rescore(tmp_path)  # the fake server is gone: the replies come from the records
    assert report.ok and report.episodes == 2, report.mismatches


def test_a_user_that_fails_makes_an_infrastructure_failure_never_a_score(tmp_path: Path) -> None:
    fake = FakeLlm("chat", [Text("It's $75,000.")] * 3)
    config = EvalConfig(
        policy="oracle", suite="arc", task_ids=[ARC_TASKS[0]], interaction="multi", user="llm:openai:user-model",
        user_options={"client": fake.sdk_client()},
    )  # fmt: skip
    [record] = run_eval(config)
    assert record.status == "infra_error" and not record.scored and record.functional is None
    assert "UserSimulatorError" in record.error and "$75,000" in record.error
    assert record.steps[-1].tool == "ask_user"


def test_an_assessment_may_ask_for_multi_turn_episodes_and_the_agent_is_told_about_ask_user() -> None:
    from crm_gym.agents.a2a_policy import USER_NOTE, A2APolicy
    from crm_gym.envs.crm_arena import CrmArenaEnv
    from crm_gym.runner.serve import AssessmentRequest, ServeSettings, eval_config

    request = AssessmentRequest.model_validate(
        {"participants": {"agent": "http://agent.test/"}, "config": {"interaction": "multi", "task_limit": 5}}
    )
    config = eval_config(request, ServeSettings(suite="arc"))
    assert config.interaction == ["multi"] and config.user == "scripted"
    env = CrmArenaEnv(suite="arc", interaction="multi")
    observation, info = env.reset(seed=0)
    policy = A2APolicy("http://agent.test/")
    policy.reset(observation, info, env.tool_specs())
    assert policy._task_document["user"] == USER_NOTE
    observation, info = env.reset(seed=0, options={"interaction": "single"})
    policy.reset(observation, info, env.tool_specs())
    assert "user" not in policy._task_document
