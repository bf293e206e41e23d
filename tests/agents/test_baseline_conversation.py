"""The baseline in multi-turn episodes: it asks once for what its plan lacks, then solves the task from the reply,
whatever way the scripted user words it; it never reads info; in single-turn episodes it never asks."""

from __future__ import annotations

import pytest

from crm_gym.agents.baseline import BaselinePolicy
from crm_gym.agents.baseline.play import play
from crm_gym.envs.conversation import ASK_USER
from crm_gym.envs.crm_arena import CrmArenaEnv

ARC = CrmArenaEnv(suite="arc", split=None, interaction="multi")
PRO = CrmArenaEnv(suite="crmarena_pro", org_scale="small", interaction="multi")


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("env", [ARC, PRO], ids=["arc", "crmarena_pro"])
def test_the_baseline_asks_once_and_passes_every_conversation_its_plan_passes(env: CrmArenaEnv, seed: int) -> None:
    passed = 0
    for task_id in env.conversational_task_ids():
        episode = play(env, BaselinePolicy(), seed, {"task_id": task_id}, show_info=False)
        asks = [a for a in episode.actions if a.get("tool") == ASK_USER]
        assert len(asks) == 1 and episode.info["repeated_questions"] == 0, (task_id, episode.actions)
        if not episode.info["passed"]:  # then its single-turn plan fails too: the conversation lost nothing
            single = play(env, BaselinePolicy(), seed, {"task_id": task_id, "interaction": "single"}, show_info=False)
            assert not single.info["passed"], (task_id, episode.info["outcome"], episode.actions)
        passed += episode.info["passed"]
    assert passed >= (1.0 if env is ARC else 0.6) * len(env.conversational_task_ids())


def test_the_baseline_asks_nothing_in_a_single_turn_episode() -> None:
    for task_id in ARC.conversational_task_ids()[:20]:
        episode = play(ARC, BaselinePolicy(), 0, {"task_id": task_id, "interaction": "single"}, show_info=False)
        assert episode.info["passed"] and all(a.get("tool") != ASK_USER for a in episode.actions)
