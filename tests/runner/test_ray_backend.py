"""The Ray backend on a local Ray instance: the same records as the asyncio backend, in the same run folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_gym.agents.reference import RandomPolicy
from crm_gym.runner.evaluate import EvalConfig, run_eval
from crm_gym.runner.store import read_episodes

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'crm_gym[ray]')")


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_ray_runs_the_same_episodes_as_asyncio(local_ray: None, tmp_path: Path) -> None:
    config = EvalConfig(policy="oracle", suite="arc", limit=3, drift_level=["none", "high"], concurrency=2)
    on_ray = run_eval(config.model_copy(update={"backend": "ray", "out_dir": tmp_path}))
    in_process = run_eval(config)
    assert [r.model_dump(exclude={"wall_seconds"}) for r in on_ray] == [
        r.model_dump(exclude={"wall_seconds"}) for r in in_process
    ]
    assert sorted(r.key.text() for r in read_episodes(tmp_path)) == sorted(r.key.text() for r in on_ray)


def test_ray_ships_a_custom_policy_factory(local_ray: None) -> None:
    config = EvalConfig(policy="custom", suite="arc", limit=2, max_steps=3, backend="ray")
    records = run_eval(config, lambda env, seed: RandomPolicy(seed=seed + 1, answer_probability=0.0))
    assert [r.policy["seed"] for r in records] == [r.seed + 1 for r in records]
    assert all(r.status == "truncated" and len(r.steps) == 3 for r in records)


class ImportedByName:
    """A factory pickled by reference to this test module, which Ray workers cannot import."""

    def __call__(self, env: object, seed: int) -> RandomPolicy:
        return RandomPolicy(seed)


def test_a_failed_ray_task_is_an_infrastructure_error(local_ray: None) -> None:
    config = EvalConfig(policy="custom", suite="arc", limit=2, backend="ray", ray_cpus_per_episode=0.5)
    records = run_eval(config, ImportedByName())
    assert [r.status for r in records] == ["infra_error", "infra_error"]
    assert all(r.error.startswith("Ray task failed") and r.category for r in records)
