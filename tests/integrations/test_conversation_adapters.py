"""Multi-turn episodes through the trainer adapters: TRL's conversation env classes and rows, verifiers'
environment and the OpenEnv environment offer ask_user, start from the opening request and score the episode."""

from __future__ import annotations

from typing import Any

import pytest

from crm_gym.envs.chat import ANSWER_TOOL_INSTRUCTIONS, ChatEpisode
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError
from crm_gym.integrations.tools import episode_rows

ROWS = episode_rows("arc", "test", interaction="multi", limit=3, seed=2)


def _oracle(row: dict[str, Any]) -> list[dict[str, Any]]:
    env = CrmArenaEnv(suite="arc", stable_tools=True)
    env.reset(options={k: row[k] for k in ("task_id", "group", "drift_level", "rot_level", "interaction")})
    return env.oracle_actions()


def test_multi_turn_rows_open_with_the_scenarios_request() -> None:
    env = CrmArenaEnv(suite="arc", interaction="multi")
    assert len(ROWS) == 3 and all(r["interaction"] == "multi" for r in ROWS)
    for row in ROWS:
        assert row["prompt"][1]["content"] == env.scenario(row["task_id"]).opening
    with pytest.raises(CrmGymError, match="interaction must be"):
        episode_rows("arc", "test", interaction="both", limit=1)


def test_trl_conversation_env_asks_the_user_and_scores_the_episode() -> None:
    pytest.importorskip("trl")
    from crm_gym.integrations.trl import ArcConversationToolEnv, ArcToolEnv

    assert "ask_user" in ArcConversationToolEnv.__dict__ and "ask_user" not in ArcToolEnv.__dict__
    assert "Ask the user" in ArcConversationToolEnv.ask_user.__doc__
    for row in ROWS:
        env = ArcConversationToolEnv()
        env.reset(**row)
        for action in _oracle(row):
            if "answer" in action:
                env.submit_answer(answer=action["answer"])
            else:
                result = getattr(env, action["tool"])(**action["args"])
                assert not result.startswith("Error"), result
        assert env.get_reward() > 0.9 and env.episode.info["user_turns"] == 1
    with pytest.raises(CrmGymError, match="conversation class"):
        ArcToolEnv().reset(**ROWS[0])


def test_verifiers_environment_offers_ask_user_for_multi_turn_rows() -> None:
    pytest.importorskip("verifiers")
    from crm_gym.integrations.verifiers import load_environment

    environment = load_environment(suite="arc", split="test", interaction="multi", limit=2, seed=2)
    assert "ask_user" in environment.tool_map
    info = environment.dataset[0]["info"]
    assert info["interaction"] == "multi"
    episode = ChatEpisode(CrmArenaEnv(suite="arc", stable_tools=True), ANSWER_TOOL_INSTRUCTIONS)
    episode.reset(options=info)
    reply = environment.tool_map["ask_user"](episode=episode, message="What should it be called?")
    assert reply and not reply.startswith("Error") and episode.info["user_turns"] == 1


def test_openenv_sessions_play_multi_turn_episodes() -> None:
    pytest.importorskip("openenv")
    from crm_gym.integrations.openenv import CrmAction, OpenEnvSettings
    from crm_gym.integrations.openenv.environment import CrmGymEnvironment

    session = CrmGymEnvironment(OpenEnvSettings(suite="arc", interaction="multi"))
    observation = session.reset(seed=1, task_id=ROWS[0]["task_id"])
    assert "ask_user" in [t["function"]["name"] for t in observation.tools]
    question = _oracle(ROWS[0])[0]["args"]["message"]
    observation = session.step(CrmAction(tool="ask_user", arguments={"message": question}))
    assert observation.result and not observation.result.startswith("Error")
