"""Exporting a run: chat-format SFT lines that replay the episode, and a Hugging Face dataset folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crm_gym.agents.base import Policy, PolicyStep
from crm_gym.agents.reference import OraclePolicy
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.runner.evaluate import EvalConfig, run_eval
from crm_gym.runner.export import HF_DATA_FILE, export
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


def test_hf_folder_loads_with_datasets(run_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "hf"
    count = export(run_dir, "hf", folder)
    assert (folder / "README.md").read_text().startswith("---\nconfigs:")
    assert len((folder / HF_DATA_FILE).read_text().splitlines()) == count
    datasets = pytest.importorskip("datasets", reason="the datasets package is not installed")
    train = datasets.load_dataset(str(folder))["train"]
    assert train.num_rows == count
    row = train[0]
    assert row["messages"][0]["role"] == "system" and json.loads(row["tools"])[0]["type"] == "function"
    assert set(train.column_names) >= {"task_id", "trial", "drift_level", "rot_level", "passed", "score_total"}
