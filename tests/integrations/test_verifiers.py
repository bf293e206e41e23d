"""verifiers' own rollout loop over `load_environment`, with a fake OpenAI-compatible model server that replays
the oracle (reward ~1) or random calls (reward ~0); the rubric's reward is the env's score, dimensions are metrics."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

vf = pytest.importorskip("verifiers")
from verifiers.legacy.types import ClientConfig  # noqa: E402

from crm_gym.integrations.tools import episode_rows  # noqa: E402
from crm_gym.integrations.verifiers import CrmGymToolEnv, load_environment  # noqa: E402
from crm_gym.scoring.dimensions import Dimension  # noqa: E402
from tests.integrations.fake_openai import fake_openai_app, register, serve  # noqa: E402

ROWS = 4
PACKAGE = Path(__file__).resolve().parents[2] / "environments" / "crm_gym_env"


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


@pytest.fixture(scope="module")
def installed_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``environments/crm_gym_env`` installed by pip (offline, into a folder of its own)."""
    target = tmp_path_factory.mktemp("site")
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index"]
    subprocess.run([*pip, "--target", str(target), str(PACKAGE)], check=True)
    return target


def test_the_installed_package_loads_through_verifiers_and_scores_without_drift(
    installed_package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    metadata = next(installed_package.glob("crm_gym_env-*.dist-info")) / "METADATA"
    assert "Requires-Dist: crm-gym[verifiers]" in metadata.read_text()  # normalised name
    monkeypatch.syspath_prepend(str(installed_package))
    sys.modules.pop("crm_gym_env", None)
    try:
        environment = vf.load_environment("crm-gym-env", suite="arc", limit=1, seed=2)
        assert Path(sys.modules["crm_gym_env"].__file__).parent == installed_package
    finally:
        sys.modules.pop("crm_gym_env", None)
    assert isinstance(environment, CrmGymToolEnv) and environment.env_id == "crm-gym-env"
    register([{**row["info"], "prompt": row["prompt"]} for row in environment.dataset])
    monkeypatch.setenv("CRM_GYM_FAKE_KEY", "none")
    with serve(fake_openai_app()) as url:
        client = ClientConfig(api_base_url=f"{url}/v1", api_key_var="CRM_GYM_FAKE_KEY")
        results = environment.evaluate_sync(client=client, model="oracle", num_examples=1, rollouts_per_example=1)
    outputs = results["outputs"] if isinstance(results, dict) else results.outputs
    # no drift, so no drift adaptation metric: verifiers adds metrics into the reward, and a NaN one made it NaN
    metrics = outputs[0]["metrics"]
    assert "drift_adaptation" not in metrics and metrics["functional_verdict"] == 1.0
    assert outputs[0]["reward"] == pytest.approx(metrics["crm_score"]) and outputs[0]["reward"] > 0.9


def test_vf_eval_runs_the_installed_package(installed_package: Path, tmp_path: Path) -> None:
    register(episode_rows("arc", seed=2, limit=1))
    env = {**os.environ, "PYTHONPATH": str(installed_package), "CRM_GYM_FAKE_KEY": "none"}
    vf_eval = Path(sys.executable).parent / "vf-eval"
    with serve(fake_openai_app()) as url:
        args = ["crm-gym-env", "-a", json.dumps({"suite": "arc", "limit": 1, "seed": 2}), "-m", "oracle"]
        args += ["-b", f"{url}/v1", "-k", "CRM_GYM_FAKE_KEY", "-n", "1", "-r", "1"]
        result = subprocess.run([str(vf_eval), *args], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    reward = re.search(r"^reward: avg - ([0-9.]+)", result.stdout, re.M)
    assert reward and float(reward.group(1)) > 0.9, result.stdout[-3000:]
    assert re.search(r"^functional_verdict: avg - 1\.000", result.stdout, re.M)
