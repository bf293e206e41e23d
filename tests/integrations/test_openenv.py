"""The OpenEnv server under uvicorn on loopback: 16 concurrent WebSocket sessions driven by an OpenAI client
against a fake model server that replays the oracle (reward ~1) and random calls (reward ~0); sessions never
see each other's state; OpenEnv's own validators pass on the manifest and the running server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("openenv")
import openai  # noqa: E402
import requests  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from crm_gym.integrations.openenv import CrmAction, CrmGymClient, OpenEnvSettings, build_app  # noqa: E402
from tests.integrations.examples import load_example  # noqa: E402
from tests.integrations.fake_openai import fake_openai_app, free_port, serve  # noqa: E402

SESSIONS = 16
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def servers() -> Any:
    settings = OpenEnvSettings(suite="arc", drift_level="high", stable_tools=True, max_sessions=SESSIONS)
    with serve(build_app(settings)) as env_url, serve(fake_openai_app()) as model_url:
        yield env_url, model_url


async def play(env_url: str, model_url: str, model: str, reset: dict[str, Any]) -> tuple[float, Any]:
    """One agent loop (the OpenEnv example's): the model's tool calls go to the env server until the episode ends."""
    llm = openai.AsyncOpenAI(base_url=f"{model_url}/v1", api_key="none", max_retries=0)
    async with CrmGymClient(base_url=env_url) as env:
        outcome = await load_example("openenv_client").play(env, llm, model, reset)
    await llm.close()
    return outcome["reward"], outcome["state"]


def test_sixteen_concurrent_sessions_score_oracle_and_random_apart(servers: tuple[str, str]) -> None:
    env_url, model_url = servers
    tasks = [f"arc-client_search-00{i}" for i in (1, 2)] + ["arc-create_opportunity-012", "arc-create_quote-020"]
    runs = []
    for i in range(SESSIONS):
        task, group = tasks[i % len(tasks)], f"s{i}"
        model = f"oracle|{task}|{group}|high" if i % 2 == 0 else f"random|{i}"
        runs.append((model, {"task_id": task, "group": group}))

    async def all_sessions() -> list[tuple[float, Any]]:
        return await asyncio.gather(*(play(env_url, model_url, model, reset) for model, reset in runs))

    results = asyncio.run(all_sessions())
    for (model, reset), (total, state) in zip(runs, results, strict=True):
        assert state.task_id == reset["task_id"] and state.group == reset["group"] and state.done
        if model.startswith("oracle"):
            assert total > 0.99, model  # workflow oracles write: a shared org would break NoOtherChanges
        else:
            assert total < 0.2, model


def test_a_write_in_one_session_is_invisible_to_the_others(servers: tuple[str, str]) -> None:
    env_url, _ = servers

    async def write_then_search(i: int) -> list[str]:
        async with CrmGymClient(base_url=env_url) as env:
            await env.reset(task_id="arc-client_search-001", group="iso")
            name = f"Isolation Probe {i}"
            created = await env.step(CrmAction(tool="create_new_client", arguments={"name": name}))
            assert "error" not in created.observation.result.lower()[:40], created.observation.result
            await asyncio.sleep(0.05)  # let the other sessions write too
            found = await env.step(CrmAction(tool="client_search", arguments={"query": "Isolation Probe"}))
            return [json.dumps(r) for r in json.loads(found.observation.result)["results"]]

    async def all_sessions() -> list[list[str]]:
        return await asyncio.gather(*(write_then_search(i) for i in range(SESSIONS)))

    for i, hits in enumerate(asyncio.run(all_sessions())):
        assert len(hits) == 1 and f"Isolation Probe {i}" in hits[0]


def test_health_schema_and_a_bad_action_answer_clearly(servers: tuple[str, str]) -> None:
    env_url, _ = servers
    assert requests.get(f"{env_url}/health", timeout=10).json()["status"] == "healthy"
    schema = requests.get(f"{env_url}/schema", timeout=10).json()
    assert {"tool", "arguments", "answer", "stop"} <= set(schema["action"]["properties"])
    assert {"messages", "tools", "result"} <= set(schema["observation"]["properties"])
    bad = requests.post(f"{env_url}/step", json={"action": {"tool": "describe", "answer": "x"}}, timeout=10)
    assert bad.status_code == 422 and "exactly one of tool" in bad.text


def test_stop_scores_the_episode_as_it_stands(servers: tuple[str, str]) -> None:
    env_url, _ = servers

    async def stopped() -> Any:
        async with CrmGymClient(base_url=env_url) as env:
            first = await env.reset(task_id="arc-client_search-001", group="stop")
            assert first.observation.tools and first.observation.messages[0]["role"] == "system"
            result = await env.step(CrmAction(stop=True))
            again = await env.step(CrmAction(tool="describe", arguments={}))
            return result, again

    result, again = asyncio.run(stopped())
    assert result.done and result.reward is not None
    assert again.done and again.reward == 0.0 and "episode is over" in again.observation.result


def test_openenv_validators_pass_on_the_manifest_and_the_running_server(servers: tuple[str, str]) -> None:
    from openenv.cli._validation import validate_running_environment
    from openenv.validation import Level, Verdict, run_validation

    env_url, _ = servers
    report = validate_running_environment(env_url)
    assert report["passed"], [c for c in report["criteria"] if not c["passed"]]
    static = run_validation(ROOT, max_level=Level.STATIC, skip_build=True)
    assert static.verdict == Verdict.PASS and static.manifest.name == "crm_gym", static.results
    assert static.manifest.network.mode == "no-network"


def test_the_container_entry_point_serves_the_suite_its_variables_name(tmp_path: Path) -> None:
    """``uvicorn crm_gym.integrations.openenv.app:app`` (the Dockerfile's command), configured by CRM_GYM_*."""
    port = free_port()
    env = {**os.environ, "CRM_GYM_SUITE": "arc", "CRM_GYM_MAX_SESSIONS": "3", "CRM_GYM_DRIFT_LEVEL": "high"}
    command = [sys.executable, "-m", "uvicorn", "crm_gym.integrations.openenv.app:app", "--port", str(port)]
    log = tmp_path / "server.log"
    with log.open("w") as stderr:
        server = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=stderr)
    try:
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 120
        while True:
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            try:
                if requests.get(f"{url}/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert "(arc, test)" in requests.get(f"{url}/metadata", timeout=10).json()["description"]
        reset = requests.post(f"{url}/reset", json={"task_id": "arc-client_search-001"}, timeout=30).json()
        assert reset["observation"]["metadata"]["drift_level"] == "high"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_settings_from_the_environment_name_a_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_GYM_SUITE", "arc")
    monkeypatch.delenv("CRM_GYM_SPLIT", raising=False)
    assert OpenEnvSettings.from_environ() == OpenEnvSettings(suite="arc")
    monkeypatch.setenv("CRM_GYM_DRIFT_LEVEL", "extreme")
    with pytest.raises(ValidationError, match="drift_level"):
        OpenEnvSettings.from_environ()
