"""The menu view of the env: SB3's check_env (with drift), masks, vector envs, the gold, the suites it supports."""

from __future__ import annotations

import re

import gymnasium as gym
import numpy as np
import pytest
from sb3_contrib.common.maskable.utils import get_action_masks
from stable_baselines3.common.env_checker import check_env
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

from crm_gym.envs.menu import ANSWER_NONE_SLOT, FIRST_ENTITY_SLOT, ToolMenu, make_menu_env
from crm_gym.errors import CrmGymError
from crm_gym.runner.train import MIXED_CATEGORIES, split_tasks

TWO_HOP_ORDER_LINES = "OrderItem.OrderId -> Order.BillToContactId"
# Purchase days the menu's evidence reads: ISO dates and "N days ago" (not "on June 13" or "a week ago").
_DATED = re.compile(r"\d{4}-\d{2}-\d{2}|\b\d+ days ago")


@pytest.fixture(scope="module")
def tasks():
    train, _ = split_tasks(MIXED_CATEGORIES)
    few = [t for c in MIXED_CATEGORIES for t in [t for t in train if t.category == c][:3]]
    answered = next(t for t in train if t.category == "quote_approval" and t.oracle.answer != "None")
    none_ned = next(t for t in train if t.category == "named_entity_disambiguation" and t.oracle.answer == "None")
    dated_ned = [t for t in train if t.category == "named_entity_disambiguation" and _DATED.search(t.prompt)][:3]
    return few + [t for t in (answered, none_ned, *dated_ned) if t not in few]


def _make(tasks, **kwargs):
    return lambda: make_menu_env(tasks=tasks, **kwargs)


def _slot(env: ToolMenu, prefix: str) -> int:
    return next(i for i, label in enumerate(env.menu_labels()) if label and label.startswith(prefix))


def _lookups(env: ToolMenu) -> list[int]:
    return [int(i) for i in np.flatnonzero(env.action_masks()) if "tool" in env._menu[i].action]


@pytest.mark.parametrize("drift_level", ["none", "high"])
def test_sb3_check_env_passes(tasks, drift_level):
    check_env(make_menu_env(tasks=tasks, drift_level=drift_level), warn=True)


def test_gym_make_builds_the_menu_env(tasks):
    env = gym.make("CrmArena-Menu-v0", tasks=tasks)
    observation, _ = env.reset(seed=1)
    assert env.observation_space.contains(observation)
    assert isinstance(env.unwrapped, gym.Env)


@pytest.mark.parametrize("drift_level", ["none", "medium"])
def test_masks_always_offer_a_valid_action_and_observations_stay_in_space(tasks, drift_level):
    env = make_menu_env(tasks=tasks, drift_level=drift_level)
    rng = np.random.default_rng(0)
    for seed in range(12):
        observation, _ = env.reset(seed=seed)
        done = False
        while not done:
            mask = env.action_masks()
            assert mask.shape == (env.action_space.n,) and mask.dtype == bool
            assert mask[ANSWER_NONE_SLOT]
            assert env.observation_space.contains(observation)
            observation, reward, terminated, truncated, _ = env.step(int(rng.choice(np.flatnonzero(mask))))
            done = terminated or truncated


@pytest.mark.parametrize("drift_level", ["none", "high"])
def test_two_hop_lookup_ranks_the_purchase_the_prompt_means_first(tasks, drift_level):
    """Named entity disambiguation: the contact's order lines, then the best supported product.

    Only purchases the prompt dates in a form the menu reads; a None question (the other edition of a product bought
    that day) is beyond its evidence: the edition's name differs by one word, which overlap scores cannot weigh.
    """
    env = make_menu_env(tasks=tasks, drift_level=drift_level)
    dated = [
        t
        for t in tasks
        if t.category == "named_entity_disambiguation" and t.oracle.answer != "None" and _DATED.search(t.prompt)
    ]
    assert dated
    for task in dated:
        env.reset(seed=3, options={"task_id": task.id})
        _, _, _, _, info = env.step(_slot(env, TWO_HOP_ORDER_LINES))
        assert info["tool_error"] is None, info["tool_error"]
        best = env._ranked()[0]
        assert best.date_match and best.obj == "Product2", task.id
        _, reward, terminated, _, info = env.step(FIRST_ENTITY_SLOT)
        assert terminated and info["functional"] == 1.0 and reward > 0.5, (task.id, task.oracle.answer)


def test_the_gold_is_offered_only_once_it_was_seen(tasks):
    """The menu is built from what the agent saw: an "answer <gold>" slot only after the gold was shown."""
    env = make_menu_env(tasks=tasks)
    rng = np.random.default_rng(1)
    offered_after_seeing = 0
    for task in tasks:
        gold = task.oracle.answer
        env.reset(seed=0, options={"task_id": task.id})
        base = env.unwrapped
        seen = f"{base._static_observation['prompt']}\n{base._static_observation['context']}"
        done, step = False, 0
        while not done:
            if f"answer {gold}" in env.menu_labels():
                assert gold in seen
                offered_after_seeing += 1
            slot = _slot(env, TWO_HOP_ORDER_LINES) if step == 0 and task.category.startswith("named") else None
            _, _, terminated, truncated, _ = env.step(slot if slot is not None else int(rng.choice(_lookups(env))))
            seen += "\n" + base._last_result
            done, step = terminated or truncated, step + 1
    assert offered_after_seeing > 0  # the check above did run on reachable golds


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
    env.step(_lookups(env)[0])
    _, reward, terminated, _, info = env.step(ANSWER_NONE_SLOT)
    assert terminated and info["functional"] == 1.0 and reward > 0.5


def test_same_seed_same_observations(tasks):
    a, b = make_menu_env(tasks=tasks, drift_level="low"), make_menu_env(tasks=tasks, drift_level="low")
    assert np.array_equal(a.reset(seed=7)[0], b.reset(seed=7)[0])
    slot = _lookups(a)[0]
    assert np.array_equal(a.step(slot)[0], b.step(slot)[0])


def test_arc_suite_is_refused_with_what_is_supported():
    with pytest.raises(CrmGymError, match="crmarena_pro.*arc workflow tasks"):
        make_menu_env(suite="arc", split="test")


def _step_masked(vec_step, masks: np.ndarray, rng: np.random.Generator):
    return vec_step(np.array([rng.choice(np.flatnonzero(m)) for m in masks]))


@pytest.mark.parametrize("vec_cls", [DummyVecEnv, SubprocVecEnv])
def test_sb3_vector_envs_step_with_masks(tasks, vec_cls):
    vec = vec_cls([_make(tasks, drift_level="medium"), _make(tasks)])
    rng = np.random.default_rng(0)
    try:
        vec.seed(3)
        observations = vec.reset()
        assert observations.shape == (2, *vec.observation_space.shape)
        for _ in range(6):
            masks = get_action_masks(vec)
            assert masks.shape == (2, vec.action_space.n) and masks[:, ANSWER_NONE_SLOT].all()
            observations, rewards, _, _ = _step_masked(vec.step, masks, rng)
            assert observations.shape[0] == 2 and rewards.shape == (2,)
    finally:
        vec.close()


@pytest.mark.parametrize("vec_cls", [gym.vector.SyncVectorEnv, gym.vector.AsyncVectorEnv])
def test_gymnasium_vector_envs_step_with_masks(tasks, vec_cls):
    vec = vec_cls([_make(tasks, drift_level="medium"), _make(tasks)])
    rng = np.random.default_rng(0)
    try:
        observations, _ = vec.reset(seed=[1, 2])
        assert observations.shape == (2, *vec.single_observation_space.shape)
        for _ in range(6):
            masks = np.stack(vec.call("action_masks"))
            assert masks.shape == (2, vec.single_action_space.n) and masks[:, ANSWER_NONE_SLOT].all()
            observations, rewards, _, _, _ = _step_masked(vec.step, masks, rng)
            assert rewards.shape == (2,)
    finally:
        vec.close()
