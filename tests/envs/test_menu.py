"""The menu view of the env: SB3's check_env, masks, vector envs and a MaskablePPO smoke run."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from sb3_contrib import MaskablePPO
from stable_baselines3.common.env_checker import check_env
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

from crm_gym.envs.menu import ANSWER_NONE_SLOT, ToolMenu, make_menu_env
from crm_gym.runner.train import TRAIN_CATEGORIES, split_tasks


@pytest.fixture(scope="module")
def tasks():
    train, _ = split_tasks(TRAIN_CATEGORIES)
    few = train[::8]  # a few of each category keeps the module fast
    flagged = next(t for t in train if t.category == "quote_approval" and t.oracle.answer != "None")
    return few + [flagged] if flagged not in few else few


def _make(tasks):
    return lambda: make_menu_env(tasks=tasks)


def test_sb3_check_env_passes(tasks):
    check_env(make_menu_env(tasks=tasks), warn=True)


def test_gym_make_builds_the_menu_env(tasks):
    env = gym.make("CrmArena-Menu-v0", tasks=tasks)
    observation, _ = env.reset(seed=1)
    assert env.observation_space.contains(observation)
    assert isinstance(env.unwrapped, gym.Env)


def test_masks_always_offer_a_valid_action_and_observations_stay_in_space(tasks):
    env = make_menu_env(tasks=tasks)
    rng = np.random.default_rng(0)
    for seed in range(15):
        observation, _ = env.reset(seed=seed)
        done = False
        while not done:
            mask = env.action_masks()
            assert mask.shape == (env.action_space.n,) and mask.dtype == bool
            assert mask[ANSWER_NONE_SLOT]
            assert env.observation_space.contains(observation)
            observation, reward, terminated, truncated, _ = env.step(int(rng.choice(np.flatnonzero(mask))))
            done = terminated or truncated


def test_menu_offers_context_lookups_and_reaches_the_gold_answer(tasks):
    task = next(t for t in tasks if t.category == "quote_approval" and t.oracle.answer != "None")
    env = make_menu_env(tasks=tasks)
    env.reset(seed=0, options={"task_id": task.id})
    labels = [label for label in env.menu_labels() if label]
    assert "list Knowledge__kav" in labels
    assert any(label.startswith("QuoteLineItem.QuoteId = ") for label in labels)
    assert f"answer {task.oracle.answer}" not in labels
    env.step(labels_index(env, "list Knowledge__kav"))
    assert f"answer {task.oracle.answer}" in env.menu_labels()


def labels_index(env: ToolMenu, label: str) -> int:
    return env.menu_labels().index(label)


def test_a_masked_slot_is_an_invalid_call_not_an_exception(tasks):
    env = make_menu_env(tasks=tasks)
    env.reset(seed=0)
    empty = int(np.flatnonzero(~env.action_masks())[0])
    _, reward, terminated, _, info = env.step(empty)
    assert reward < 0 and not terminated
    assert info["invalid_calls"] == 1 and "neither 'tool' nor 'answer'" in info["tool_error"]


def test_answer_none_counts_only_after_reading_the_org(tasks):
    task = next(t for t in tasks if t.oracle.answer == "None")
    env = make_menu_env(tasks=tasks)
    env.reset(seed=0, options={"task_id": task.id})
    _, _, terminated, _, info = env.step(ANSWER_NONE_SLOT)
    assert terminated and info["functional"] == 0.0 and "ungrounded guess" in info["outcome"]
    env.reset(seed=0, options={"task_id": task.id})
    env.step(int(np.flatnonzero(env.action_masks())[-1]))
    _, reward, terminated, _, info = env.step(ANSWER_NONE_SLOT)
    assert terminated and info["functional"] == 1.0 and reward > 0.5


def test_same_seed_same_observations(tasks):
    a, b = make_menu_env(tasks=tasks), make_menu_env(tasks=tasks)
    assert np.array_equal(a.reset(seed=7)[0], b.reset(seed=7)[0])
    slot = int(np.flatnonzero(a.action_masks())[-1])
    assert np.array_equal(a.step(slot)[0], b.step(slot)[0])


@pytest.mark.parametrize("vec_cls", [DummyVecEnv, SubprocVecEnv])
def test_sb3_vector_envs_step(tasks, vec_cls):
    vec = vec_cls([_make(tasks), _make(tasks)])
    try:
        vec.seed(3)
        observations = vec.reset()
        assert observations.shape == (2, *vec.observation_space.shape)
        for _ in range(4):
            masks = np.stack(vec.env_method("action_masks"))
            actions = np.array([np.flatnonzero(m)[-1] for m in masks])
            observations, rewards, _, _ = vec.step(actions)
            assert observations.shape[0] == 2 and rewards.shape == (2,)
    finally:
        vec.close()


def test_gymnasium_sync_vector_env_steps(tasks):
    vec = gym.vector.SyncVectorEnv([_make(tasks), _make(tasks)])
    observations, _ = vec.reset(seed=[1, 2])
    assert observations.shape == (2, *vec.single_observation_space.shape)
    for _ in range(4):
        observations, rewards, _, _, _ = vec.step(np.array([ANSWER_NONE_SLOT, ANSWER_NONE_SLOT]))
        assert rewards.shape == (2,)
    vec.close()


def test_maskable_ppo_smoke_run(tasks):
    torch.set_num_threads(1)  # the default thread pool thrashes on a small shared CPU
    vec = DummyVecEnv([_make(tasks), _make(tasks)])
    model = MaskablePPO("MlpPolicy", vec, n_steps=256, batch_size=128, n_epochs=2, seed=0)
    model.learn(total_timesteps=2_048)
    env = make_menu_env(tasks=tasks)
    observation, _ = env.reset(seed=5)
    action, _ = model.predict(observation, action_masks=env.action_masks(), deterministic=True)
    assert env.action_masks()[int(action)]
