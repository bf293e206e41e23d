"""The trainer examples (``examples/``) run as documented, in small CPU modes: the verifiers and OpenEnv scripts
against a local fake OpenAI-compatible model that replays the oracle, the TRL script trains one GRPO step on a
tiny in-process model; each prints its commands with ``--help``."""

from __future__ import annotations

import functools
import json
import os
import pickle
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest

pytest.importorskip("trl")
pytest.importorskip("verifiers")
pytest.importorskip("openenv")

from crm_gym.integrations.openenv import OpenEnvSettings, build_app  # noqa: E402
from crm_gym.integrations.tools import episode_rows  # noqa: E402
from crm_gym.integrations.trl import ArcToolEnv  # noqa: E402
from tests.integrations.examples import load_example  # noqa: E402
from tests.integrations.fake_openai import fake_openai_app, register, serve  # noqa: E402

TASK = "arc-create_opportunity-012"


@pytest.mark.parametrize("name", ["train_grpo_trl", "verifiers_eval", "openenv_client"])
def test_help_shows_the_gpu_commands(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        load_example(name).parse_args(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "vllm" in out and "--model" in out


def test_verifiers_example_scores_the_oracle_through_verifiers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_GYM_FAKE_KEY", "none")
    register(episode_rows("arc", drift_level="high", seed=4, limit=2))
    example = load_example("verifiers_eval")
    out = tmp_path / "summary.json"
    with serve(fake_openai_app()) as url:
        args = ["--base-url", f"{url}/v1", "--model", "oracle", "--api-key-var", "CRM_GYM_FAKE_KEY", "--suite", "arc"]
        summary = example.main([*args, "--drift", "high", "--seed", "4", "--limit", "2", "--out", str(out)])
    assert summary["rollouts"] == 2 and summary["mean_reward"] > 0.99
    assert summary["metrics"]["functional_verdict"] == 1.0 and summary["metrics"]["drift_adaptation"] is not None
    assert json.loads(out.read_text()) == summary


@pytest.fixture(scope="module")
def openenv_servers() -> Any:
    settings = OpenEnvSettings(suite="arc", drift_level="high", stable_tools=True, max_sessions=4)
    with serve(build_app(settings)) as env_url, serve(fake_openai_app()) as model_url:
        yield env_url, f"{model_url}/v1"


def test_openenv_example_plays_concurrent_episodes_of_the_oracle(openenv_servers: tuple[str, str]) -> None:
    env_url, model_url = openenv_servers
    example = load_example("openenv_client")
    args = ["--env-url", env_url, "--base-url", model_url, "--task-id", TASK, "--group", "g1", "--drift", "high"]
    summary = example.main([*args, "--model", f"oracle|{TASK}|g1|high", "--episodes", "4", "--concurrency", "2"])
    assert summary["episodes"] == 4 and summary["passed"] == 4 and summary["mean_reward"] > 0.99


def test_openenv_example_stops_an_episode_at_the_turn_limit(openenv_servers: tuple[str, str]) -> None:
    env_url, model_url = openenv_servers
    example = load_example("openenv_client")
    args = ["--env-url", env_url, "--base-url", model_url, "--task-id", TASK, "--model", "random|3"]
    summary = example.main([*args, "--episodes", "2", "--concurrency", "2", "--max-turns", "1"])
    assert summary["episodes"] == 2 and summary["passed"] == 0 and summary["mean_reward"] < 0.2


def test_trl_example_configures_vllm_and_a_picklable_factory() -> None:
    # the options only: a GPU config (bf16) cannot be built on a CPU machine; the CPU test below builds one
    example = load_example("train_grpo_trl")
    server = example.config_options(example.parse_args(["--vllm", "server", "--vllm-url", "http://gpu0:8000"]))
    assert (
        server["use_vllm"] and server["vllm_mode"] == "server" and server["vllm_server_base_url"] == "http://gpu0:8000"
    )
    colocated = example.config_options(example.parse_args(["--max-model-len", "8192"]))
    assert colocated["vllm_mode"] == "colocate" and colocated["vllm_max_model_length"] == 8192
    assert "use_cpu" not in colocated and colocated["beta"] == 0.0
    args = example.parse_args(["--trainer", "async", "--suite", "arc", "--max-tool-calls", "7"])
    assert example.config_options(args)["vllm_server_base_url"] == "http://localhost:8000"
    env = pickle.loads(pickle.dumps(example.environment_factory(args)))()
    assert type(env) is ArcToolEnv and env.max_steps == 7
    with pytest.raises(SystemExit):
        example.parse_args(["--cpu", "--vllm", "colocate"])


@patch.dict(os.environ, {"TRL_EXPERIMENTAL_SILENCE": "1", "HF_HUB_OFFLINE": "1"})
def test_trl_example_trains_a_step_on_the_cpu(tmp_path: Path) -> None:
    from tests.integrations.tiny_lm import corpus, tiny_model, tiny_tokenizer

    example = load_example("train_grpo_trl")
    options = ["--cpu", "--vllm", "none", "--suite", "arc", "--limit", "1", "--num-generations", "2"]
    options += ["--batch-size", "2", "--max-steps", "1", "--max-completion-length", "8", "--max-tool-calls", "1"]
    args = example.parse_args([*options, "--learning-rate", "0.1", "--output-dir", str(tmp_path)])
    tokenizer = tiny_tokenizer(corpus("arc", episodes=2))
    trainer = example.build_trainer(args, model=tiny_model(tokenizer), processing_class=tokenizer)
    assert isinstance(trainer.environment_factories[None], functools.partial)
    trainer.train()
    rewards = [env.get_reward() for env in trainer.environments]
    assert len(rewards) == 2 and all(env.episode.done for env in trainer.environments)
    assert trainer.state.log_history[0]["rewards/ArcToolEnv/mean"] == pytest.approx(sum(rewards) / 2)
