"""Resuming a run: a run killed half-way (SIGKILL, or cancelled as Ctrl-C does) and resumed gives the records
of an uninterrupted run; infrastructure failures are run again; another config is refused."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from crm_gym.agents.base import PolicyInfrastructureError
from crm_gym.agents.reference import OraclePolicy
from crm_gym.errors import CrmGymError
from crm_gym.runner.evaluate import EvalConfig, arun_eval, run_eval
from crm_gym.runner.records import EpisodeResult
from crm_gym.runner.store import read_episodes

CHILD = """
import asyncio, sys
from crm_gym.agents.reference import OraclePolicy
from crm_gym.runner.evaluate import EvalConfig, arun_eval, run_eval

class SlowOracle(OraclePolicy):
    async def aact(self, observation, info):
        await asyncio.sleep(0.1)
        return self.act(observation, info)

run_eval(EvalConfig.model_validate_json(sys.argv[1]), lambda env, seed: SlowOracle(env))
"""


def without_timing(records: list[EpisodeResult]) -> list[dict[str, Any]]:
    return sorted(
        (r.model_dump(mode="json", exclude={"wall_seconds"}) for r in records), key=lambda r: json.dumps(r["key"])
    )


def lines(out_dir: Path) -> list[str]:
    return (out_dir / "episodes.jsonl").read_text().splitlines()


def test_a_run_killed_with_sigkill_resumes_to_the_uninterrupted_records(tmp_path: Path) -> None:
    config = EvalConfig(policy="oracle", suite="arc", limit=12, drift_level=["none", "low"], concurrency=2)
    killed = config.model_copy(update={"out_dir": tmp_path})
    child = subprocess.Popen([sys.executable, "-c", CHILD, killed.model_dump_json()])
    deadline = time.monotonic() + 120
    while child.poll() is None and time.monotonic() < deadline:
        if (tmp_path / "episodes.jsonl").is_file() and len(lines(tmp_path)) >= 4:
            os.kill(child.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    child.wait()
    assert child.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    written = len(lines(tmp_path))
    assert 4 <= written < 24
    with (tmp_path / "episodes.jsonl").open("a") as file:
        file.write('{"key": {"task_id": "arc-')  # the torn line a kill during a write leaves

    resumed = run_eval(killed)
    assert without_timing(resumed) == without_timing(run_eval(config))
    assert without_timing(read_episodes(tmp_path)) == without_timing(resumed)
    assert len(lines(tmp_path)) == 24


def test_a_cancelled_run_resumes(tmp_path: Path) -> None:
    config = EvalConfig(policy="oracle", suite="arc", limit=10, concurrency=3, out_dir=tmp_path)
    started: list[str] = []

    async def cancel_after_five() -> None:
        run = asyncio.current_task()

        class CancellingOracle(OraclePolicy):
            def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
                started.append(info["task_id"])
                if len(started) == 6 and run is not None:
                    run.cancel()  # what Ctrl-C does to asyncio.run's main task
                super().reset(observation, info, tools)

        await arun_eval(config, lambda env, seed: CancellingOracle(env))

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancel_after_five())
    assert 0 < len(lines(tmp_path)) < 10
    resumed = run_eval(config)
    assert without_timing(resumed) == without_timing(run_eval(config.model_copy(update={"out_dir": None})))


def test_infrastructure_errors_are_run_again_on_resume(tmp_path: Path) -> None:
    config = EvalConfig(policy="oracle", suite="arc", limit=4, out_dir=tmp_path)

    class Down(OraclePolicy):
        def act(self, observation: dict[str, Any], info: dict[str, Any]) -> Any:
            if info["task_id"] == first:
                raise PolicyInfrastructureError("rate limited")
            return super().act(observation, info)

    first = run_eval(config.model_copy(update={"out_dir": None}))[0].key.task_id
    records = run_eval(config, lambda env, seed: Down(env))
    assert [r.status for r in records].count("infra_error") == 1
    resumed = run_eval(config)
    assert all(r.status == "completed" for r in resumed)
    assert len(lines(tmp_path)) == 4 and len({json.loads(line)["key"]["task_id"] for line in lines(tmp_path)}) == 4


def test_resuming_with_another_config_is_refused(tmp_path: Path) -> None:
    config = EvalConfig(policy="oracle", suite="arc", limit=2, out_dir=tmp_path)
    run_eval(config)
    with pytest.raises(CrmGymError, match="seed: 0 there, 1 now"):
        run_eval(config.model_copy(update={"seed": 1}))
    # how the run executes may change
    assert len(run_eval(config.model_copy(update={"concurrency": 7, "timeout_s": 9.0}))) == 2


def test_no_resume_starts_over(tmp_path: Path) -> None:
    config = EvalConfig(policy="oracle", suite="arc", limit=2, out_dir=tmp_path)
    run_eval(config)
    run_eval(config.model_copy(update={"limit": 1, "resume": False}))
    assert len(lines(tmp_path)) == 1


def test_a_torn_line_before_the_last_is_an_error(tmp_path: Path) -> None:
    config = EvalConfig(policy="oracle", suite="arc", limit=2, out_dir=tmp_path)
    run_eval(config)
    text = (tmp_path / "episodes.jsonl").read_text()
    (tmp_path / "episodes.jsonl").write_text("{broken\n" + text)
    with pytest.raises(CrmGymError, match="line 1"):
        run_eval(config)


def test_a_second_writer_on_one_folder_is_refused_until_the_first_ends(tmp_path: Path) -> None:
    config = EvalConfig(policy="oracle", suite="arc", limit=2, out_dir=tmp_path)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, config.model_copy(update={"limit": 12}).model_dump_json()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        while not (tmp_path / "episodes.jsonl").exists() or not lines(tmp_path):
            assert child.poll() is None, child.communicate()
            time.sleep(0.05)
        before = (tmp_path / "episodes.jsonl").read_text()
        with pytest.raises(CrmGymError, match=r"Another crm-gym eval is writing to .*use another --out"):
            run_eval(config.model_copy(update={"limit": 12, "resume": False}))
        assert (tmp_path / "episodes.jsonl").read_text().startswith(before)  # nothing was touched
    finally:
        child.kill()
        child.communicate()
    # the lock dies with its process (even by SIGKILL): the run resumes
    assert len(run_eval(config.model_copy(update={"limit": 12}))) == 12
