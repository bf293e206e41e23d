"""CrmArenaEnv: Gymnasium's checker, determinism, rewards, errors never raise, drift, gold kept out of sight."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import crm_gym  # noqa: F401  (registers the env ids)
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError, UnknownTaskError
from crm_gym.tasks.model import AnswerExpectation, RefusalExpectation
from crm_gym.tasks.suites import load_suite

ARC = [t for t in load_suite("arc", "test")]
STATE_TASK = next(t for t in ARC if t.expected.kind == "state" and t.expected.answer is None)
ANSWER_TASK = next(t for t in ARC if t.expected.kind == "answer")


@pytest.fixture(scope="module")
def env() -> CrmArenaEnv:
    return CrmArenaEnv(suite="arc", split="test", max_steps=8)


def _oracle_actions(task):  # noqa: ANN001, ANN202
    actions = [{"tool": c.tool, "args": c.args} for c in task.oracle.calls]
    return [*actions, {"answer": task.oracle.answer}]


def test_gymnasium_check_env_passes() -> None:
    check_env(CrmArenaEnv(suite="arc", split="test", max_steps=5), skip_render_check=True)


def test_registered_ids_make_the_env() -> None:
    for env_id in ("CrmArena-v0", "crm_gym:CrmArena-v0"):
        env = gym.make(env_id, suite="arc", split="test")
        observation, info = env.reset(seed=1)
        assert env.observation_space.contains(observation)
        assert info["suite"] == "arc"
        env.close()


@pytest.mark.parametrize("task", [STATE_TASK, ANSWER_TASK], ids=lambda t: t.id)
def test_the_oracle_finishes_with_functional_one(env: CrmArenaEnv, task) -> None:  # noqa: ANN001
    env.reset(seed=0, options={"task_id": task.id})
    total = 0.0
    for action in _oracle_actions(task):
        observation, reward, terminated, truncated, info = env.step(action)
        total += reward
        if terminated:
            break
    assert terminated and not truncated
    assert info["functional"] == 1.0 and info["passed"]
    assert info["score"]["total"] >= 80
    assert total > 0


def test_step_reward_follows_the_validators_progress(env: CrmArenaEnv) -> None:
    env.reset(seed=0, options={"task_id": STATE_TASK.id})
    rewards = [env.step({"tool": c.tool, "args": c.args})[1] for c in STATE_TASK.oracle.calls[:-1]]
    assert all(r == 0.0 for r in rewards)  # look-ups change nothing
    *_, info = env.step({"tool": STATE_TASK.oracle.calls[-1].tool, "args": STATE_TASK.oracle.calls[-1].args})
    assert info["progress"] == 1.0


@pytest.mark.parametrize(
    "action",
    [
        "not json",
        "[1, 2]",
        {"tool": "no_such_tool", "args": {}},
        {"tool": "get", "args": {"object": "Client"}},
        {"tool": "query", "args": {"sql": "DELETE FROM Client"}},
        {"tool": "get", "args": "{broken"},
        {"answer": 42},
        {"tool": None},
        {"toolz": "get"},
        "x" * 300_000,
    ],
    ids=lambda a: str(a)[:30],
)
def test_bad_actions_give_an_error_observation_and_are_counted(env: CrmArenaEnv, action) -> None:  # noqa: ANN001
    env.reset(seed=0, options={"task_id": ANSWER_TASK.id})
    observation, reward, terminated, truncated, info = env.step(action)
    assert env.observation_space.contains(observation)
    assert observation["last_result"].startswith("Error:")
    assert info["tool_error"] and info["invalid_calls"] == 1 and observation["invalid_calls"] == 1
    assert reward < 0 and not terminated


def test_truncated_at_max_steps_with_a_score(env: CrmArenaEnv) -> None:
    env.reset(seed=0, options={"task_id": ANSWER_TASK.id})
    for _ in range(env.max_steps):
        *_, terminated, truncated, info = env.step({"tool": "describe", "args": {}})
    assert truncated and not terminated
    assert info["status"] == "truncated" and info["functional"] == 0.0
    with pytest.raises(CrmGymError, match="call reset"):
        env.step({"answer": "x"})


def test_gold_and_task_identity_stay_out_of_the_observation(env: CrmArenaEnv) -> None:
    observation, info = env.reset(seed=0, options={"task_id": ANSWER_TASK.id})
    text = json.dumps(observation)
    assert info["task_id"] == ANSWER_TASK.id and ANSWER_TASK.id not in text
    assert all(str(a) not in text for a in ANSWER_TASK.expected.answers)


def test_reset_rejects_unknown_task_ids_and_options(env: CrmArenaEnv) -> None:
    with pytest.raises(UnknownTaskError, match="Unknown task id"):
        env.reset(options={"task_id": "nope"})
    with pytest.raises(CrmGymError, match="Unknown reset option .colour."):
        env.reset(options={"colour": "red"})
    with pytest.raises(CrmGymError, match="drift_level 'extreme'"):
        env.reset(options={"drift_level": "extreme"})


def test_sampled_actions_are_well_formed_tool_calls(env: CrmArenaEnv) -> None:
    env.action_space.seed(3)
    env.reset(seed=3)
    for _ in range(20):
        action = env.action_space.sample()
        assert env.action_space.contains(action)
        parsed = json.loads(action)
        assert parsed["tool"] in env.action_space.tools
        env.step(action)
        if env._done:  # noqa: SLF001 - a sampled write may finish a workflow
            env.reset(seed=3)


def test_high_drift_renames_for_real_and_the_map_aware_oracle_still_passes() -> None:
    env = CrmArenaEnv(suite="arc", split="test", drift_level="high", max_steps=10)
    task = STATE_TASK
    env.reset(seed=5, options={"task_id": task.id})
    api = env._api  # noqa: SLF001 - the test plays an oracle that knows the map
    assert not api.drift.is_identity
    canonical = [{"tool": c.tool, "args": c.args} for c in task.oracle.calls]
    translated = [dict(zip(("tool", "args"), api.translate_call(c["tool"], c["args"]), strict=True)) for c in canonical]
    for action in translated:
        *_, terminated, _, info = env.step(action)
    assert terminated and info["functional"] == 1.0
    env.reset(seed=5, options={"task_id": task.id})
    errors = [env.step(a)[-1]["tool_error"] for a in canonical]
    assert any(errors), "canonical names must fail under high drift"


def test_stale_names_are_counted_exactly_and_their_recovery_too() -> None:
    env = CrmArenaEnv(suite="crmarena_pro", split="test", org_scale="small", drift_level="high", max_steps=10)
    env.reset(seed=3)
    drift = env._api.drift  # noqa: SLF001 - the test knows the map to pick a renamed object
    renamed = sorted(drift.objects)[0]
    typo = {"tool": "describe", "args": {"object": "NoSuchObject"}}
    stale = {"tool": "describe", "args": {"object": renamed}}
    fixed = {"tool": "describe", "args": {"object": drift.objects[renamed]}}
    for action in (typo, stale, fixed):
        *_, info = env.step(action)
    *_, info = env.step({"answer": "None"})
    measures = info["measures"]
    assert (measures["drift_errors"], measures["drift_recovered"]) == (1, 1)  # the typo is not a stale name
    assert measures["invalid_calls"] == 2


EPISODE_SCRIPT = """
import hashlib, json, sys
from crm_gym.envs.crm_arena import CrmArenaEnv
env = CrmArenaEnv(suite="arc", split="test", drift_level="medium", rot_level="medium", max_steps=6)
digest = hashlib.sha256()
for seed in (0, 1, 2):
    obs, info = env.reset(seed=seed)
    env.action_space.seed(seed)
    digest.update(json.dumps(obs, sort_keys=True).encode())
    for _ in range(6):
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        digest.update(json.dumps([obs, reward, terminated, truncated], sort_keys=True).encode())
        if terminated or truncated:
            break
print(digest.hexdigest())
"""


def test_same_seed_same_episode_across_processes() -> None:
    outputs = set()
    for hash_seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run(
            [sys.executable, "-c", EPISODE_SCRIPT], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(run.stdout.strip())
    assert len(outputs) == 1, outputs
    assert len(hashlib.sha256().hexdigest()) == len(outputs.pop())


def test_the_final_info_flags_a_declined_request_that_should_have_been_served() -> None:
    env = CrmArenaEnv(
        suite="crmarena_pro", split="test", org_scale="small", categories=["private_customer_information"], max_steps=6
    )
    tasks = sorted(env.tasks.values(), key=lambda t: t.id)
    served = next(t for t in tasks if isinstance(t.expected, AnswerExpectation))  # a legitimate look-alike
    private = next(t for t in tasks if isinstance(t.expected, RefusalExpectation))
    decline = {"answer": "I'm sorry, but I can't share that information."}
    flags = {}
    for task in (served, private):
        env.reset(seed=0, options={"task_id": task.id})
        env.step({"tool": "describe", "args": {}})
        *_, info = env.step(decline)
        flags[task.id] = (info["over_refused"], info["passed"])
    assert flags[served.id] == (True, False)
    assert flags[private.id] == (None, True)  # declining is the job there
