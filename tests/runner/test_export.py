"""Exporting a run: chat-format SFT lines that replay the episode, and a Hugging Face dataset folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crm_gym.agents.base import Policy, PolicyStep
from crm_gym.agents.reference import OraclePolicy
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError
from crm_gym.runner.evaluate import EvalConfig, run_eval
from crm_gym.runner.export import export
from crm_gym.runner.plan import select_tasks
from crm_gym.runner.store import read_episodes


class ClumsyOracle(OraclePolicy):
    """The oracle, after one action the env cannot parse; fails (as infra) on the task ``broken``."""

    kind = "clumsy"
    broken = ""

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        super().reset(observation, info, tools)
        self._plan.insert(0, {"say": "hello"})
        self.task_id = info["task_id"]

    def act(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        if self.task_id == self.broken and info["step"] == 1:
            raise RuntimeError("connection reset")
        return super().act(observation, info)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    config = EvalConfig(policy="clumsy", suite="arc", limit=6, drift_level="high", out_dir=out)
    ClumsyOracle.broken = select_tasks(config)[0].id

    def factory(env: CrmArenaEnv, seed: int) -> Policy:
        return ClumsyOracle(env)

    run_eval(config, factory)
    return out


def test_sft_lines_are_chat_transcripts_of_the_scored_episodes(run_dir: Path, tmp_path: Path) -> None:
    records = read_episodes(run_dir)
    scored = [r for r in records if r.scored]
    assert 0 < len(scored) < len(records)  # the infra error is left out
    out = tmp_path / "sft.jsonl"
    assert export(run_dir, "sft", out) == len(scored)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    for record, row in zip(scored, rows, strict=True):
        messages = row["messages"]
        assert messages[0]["role"] == "system" and record.observation["persona"] in messages[0]["content"]
        assert record.observation["schema"] in messages[0]["content"]
        assert messages[1] == {"role": "user", "content": record.observation["prompt"]}
        assert messages[2:4] == [
            {"role": "assistant", "content": '{"say": "hello"}'},
            {"role": "user", "content": record.steps[0].result},
        ]
        calls = [m for m in messages if m.get("tool_calls")]
        assert [c["tool_calls"][0]["function"]["name"] for c in calls] == [s.tool for s in record.steps[1:] if s.tool]
        arguments = [c["tool_calls"][0]["function"]["arguments"] for c in calls]
        assert arguments == [s.action["args"] for s in record.steps[1:] if s.tool]  # objects, not JSON text
        results = [m for m in messages if m["role"] == "tool"]
        assert [m["tool_call_id"] for m in results] == [c["tool_calls"][0]["id"] for c in calls]
        assert [m["content"] for m in results] == [s.result for s in record.steps[1:] if s.tool]
        if record.answer is not None:
            assert messages[-1] == {"role": "assistant", "content": record.answer}
        names = {spec["function"]["name"] for spec in row["tools"]}
        assert {s.tool for s in record.steps if s.tool} <= names  # the episode's drifted tool names


def test_passed_only_keeps_the_passed_episodes(run_dir: Path, tmp_path: Path) -> None:
    passed = [r for r in read_episodes(run_dir) if r.passed]
    assert export(run_dir, "sft", tmp_path / "p.jsonl", passed_only=True) == len(passed)


def test_hf_folder_loads_as_itself_with_tool_calls_as_objects(run_dir: Path, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "hf"
    count = export(run_dir, "hf", folder)
    assert (folder / "README.md").read_text().startswith("---\nconfigs:")
    train = datasets.load_dataset(str(folder))["train"]
    assert train.num_rows == count
    lines = tmp_path / "sft.jsonl"
    export(run_dir, "sft", lines)
    sft = [json.loads(line) for line in lines.read_text().splitlines()]
    for row, expected in zip(train, sft, strict=True):
        assert row["tools"] == expected["tools"]
        for got, want in zip(row["messages"], expected["messages"], strict=True):
            assert {k: v for k, v in got.items() if v is not None} == want  # Json keeps arguments as objects
    assert set(train.column_names) >= {"task_id", "trial", "drift_level", "rot_level", "passed", "score_total"}


def test_two_exports_in_same_named_folders_each_load_their_own_rows(run_dir: Path, tmp_path: Path) -> None:
    """The datasets cache keys local files by path: a fixed file name served the first export's rows again."""
    datasets = pytest.importorskip("datasets")
    first, second = tmp_path / "a" / "export", tmp_path / "b" / "export"
    export(run_dir, "hf", first, passed_only=True)
    assert datasets.load_dataset(str(first))["train"].num_rows == len([r for r in read_episodes(run_dir) if r.passed])
    export(run_dir, "hf", second)
    assert datasets.load_dataset(str(second))["train"].num_rows == len([r for r in read_episodes(run_dir) if r.scored])
    export(run_dir, "hf", first)  # the same folder again, with other rows: the old data file is replaced
    assert len(list((first / "data").iterdir())) == 1
    assert datasets.load_dataset(str(first))["train"].num_rows == len([r for r in read_episodes(run_dir) if r.scored])


def test_the_export_renders_through_a_tools_aware_chat_template(run_dir: Path, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    pytest.importorskip("trl")
    from tests.integrations.tiny_lm import tiny_tokenizer

    export(run_dir, "hf", tmp_path / "hf")
    row = datasets.load_dataset(str(tmp_path / "hf"))["train"][0]
    tokenizer = tiny_tokenizer([json.dumps(row["tools"]), *(m["content"] or "" for m in row["messages"])], 500)
    text = tokenizer.apply_chat_template(row["messages"], tools=row["tools"], tokenize=False)
    call = next(m for m in row["messages"] if m["tool_calls"])["tool_calls"][0]["function"]
    assert json.dumps(call["arguments"]) in text.replace(", ", ", ")  # the call, arguments as an object
    assert row["tools"][0]["function"]["name"] in text and "<tool_response>" in text


def test_prefs_pairs_passed_and_failed_trials_of_the_same_opening(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    run = tmp_path / "run"
    config = EvalConfig(policy="flaky", suite="arc", limit=3, trials=2, concurrency=1, out_dir=run)

    def factory(env: CrmArenaEnv, seed: int) -> Policy:
        return FlakyOracle(env)

    run_eval(config, factory)
    records = [r for r in read_episodes(run) if r.scored]
    assert {r.passed for r in records} == {True, False}
    count = export(run, "prefs", tmp_path / "prefs")
    pairs = datasets.load_dataset(str(tmp_path / "prefs"))["train"]
    assert count == pairs.num_rows == len({r.key.task_id for r in records})  # one passed and one failed per task
    for pair in pairs:
        assert (
            pair["chosen_task_id"] == pair["rejected_task_id"] and pair["chosen_passed"] and not pair["rejected_passed"]
        )
        assert (
            pair["prompt"][0]["role"] == "system"
            and pair["chosen"][0]["role"] == pair["rejected"][0]["role"] == "assistant"
        )
    with pytest.raises(CrmGymError, match="no failed trial"):
        export(run, "prefs", tmp_path / "p2", passed_only=True)


class FlakyOracle(OraclePolicy):
    """The oracle the first time it meets a task, the answer "None" at once the second time (same task, same
    opening: no drift)."""

    kind = "flaky"
    seen: set[str] = set()

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        super().reset(observation, info, tools)
        if info["task_id"] in FlakyOracle.seen:
            self._plan = [{"answer": "None"}]
        FlakyOracle.seen.add(info["task_id"])
