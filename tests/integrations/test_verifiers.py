"""verifiers' own rollout loop over `load_environment`, with a fake OpenAI-compatible model server that replays
the oracle (reward ~1) or random calls (reward ~0); the rubric's reward is the env's score, dimensions are metrics."""

from __future__ import annotations

import math
from typing import Any

import pytest

pytest.importorskip("verifiers")
from verifiers.legacy.types import ClientConfig  # noqa: E402

from crm_gym.envs.chat import ChatEpisode  # noqa: E402
from crm_gym.envs.crm_arena import CrmArenaEnv  # noqa: E402
from crm_gym.integrations.verifiers import load_environment  # noqa: E402
from crm_gym.scoring.dimensions import Dimension  # noqa: E402
from tests.integrations.fake_openai import fake_openai_app, register, serve  # noqa: E402

ROWS = 4


@pytest.fixture(scope="module")
def environment() -> Any:
    env = load_environment(suite="arc", split="test", drift_level="high", rot_level="low", limit=ROWS, seed=1)
    register([{**row["info"], "prompt": row["prompt"]} for row in env.dataset])
    return env


def _run(environment: Any, model: str) -> Any:
    with serve(fake_openai_app()) as url:
        client = ClientConfig(api_base_url=f"{url}/v1", api_key_var="CRM_GYM_FAKE_KEY")
        return environment.evaluate_sync(client=client, model=model, num_examples=ROWS, rollouts_per_example=1)


def test_the_oracle_scores_one_and_the_rubric_reports_the_dimensions(environment: Any, monkeypatch) -> None:
    monkeypatch.setenv("CRM_GYM_FAKE_KEY", "none")
    results = _run(environment, "oracle")
    outputs = results["outputs"] if isinstance(results, dict) else results.outputs
    rewards = [o["reward"] for o in outputs]
    assert len(rewards) == ROWS and min(rewards) > 0.99, rewards
    metrics = outputs[0]["metrics"]
    assert {d.value.lower() for d in Dimension} <= set(metrics) and metrics["functional_verdict"] == 1.0
    assert not math.isnan(metrics["drift_adaptation"])  # high drift: the seventh dimension is scored


def test_random_calls_score_near_zero_and_equal_the_env_score(environment: Any, monkeypatch) -> None:
    monkeypatch.setenv("CRM_GYM_FAKE_KEY", "none")
    results = _run(environment, "random|7")
    outputs = results["outputs"] if isinstance(results, dict) else results.outputs
    rewards = [o["reward"] for o in outputs]
    assert max(rewards) < 0.2 and all(o["metrics"]["functional_verdict"] == 0.0 for o in outputs)


def test_the_environment_module_exposes_load_environment() -> None:
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "environments" / "crm_gym_env"
    assert (package / "pyproject.toml").read_text().count('name = "crm-gym-env"') == 1
    assert "load_environment" in (package / "crm_gym_env.py").read_text()
    episode = ChatEpisode(CrmArenaEnv(suite="arc"))
    assert episode.reset(seed=0)[0]["role"] == "system"
