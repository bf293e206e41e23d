"""ScriptedUser: one fact per question, several when asked for several, "I don't know" for the rest, robust to
business words, paraphrases and drifted field names, never the task's answer, seeded wording."""

from __future__ import annotations

import re

import pytest

from crm_gym.conversation import ScriptedUser, scenario_for
from crm_gym.conversation.facts import invented_facts
from crm_gym.conversation.matching import SlotMatcher
from crm_gym.conversation.vocabulary import DONT_KNOW, NOTHING_ASKED
from crm_gym.entropy.drift import DriftMap, draw_drift
from crm_gym.tasks.suites import load_suite
from crm_gym.world.generate import build_org

ARC = {t.id: t for t in load_suite("arc")}
PRO = [t for t in load_suite("crmarena_pro", "test", scale="small") if scenario_for(t)]
FULL = scenario_for(ARC["arc-create_opportunity-001"])  # name, stage, amount, close date, probability; owner unknown
DONT = tuple(p.split("{")[0] for p in (*DONT_KNOW, *NOTHING_ASKED))


def _user(scenario=FULL, seed: int = 0, drift=None) -> ScriptedUser:  # noqa: ANN001
    return ScriptedUser(scenario, seed=seed, drift=drift)


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("How much is the deal worth?", ["amount"]),
        ("What's the deal size in dollars?", ["amount"]),
        ("Which pipeline stage is it at?", ["stage"]),
        ("When do you expect it to close?", ["close_date"]),
        ("What's the expected closing date?", ["close_date"]),
        ("How likely are we to win it?", ["probability"]),
        ("What should I call the opportunity?", ["deal_name"]),
        ("What amount and what stage should it have?", ["stage", "amount"]),
        ("Could you tell me the opportunity name, stage, amount, expected close date and win probability?",
         ["deal_name", "stage", "amount", "close_date", "probability"]),
    ],
)  # fmt: skip
def test_business_words_and_paraphrases_find_the_slot(question: str, kinds: list[str]) -> None:
    assert SlotMatcher(FULL).asked(question) == kinds


def test_one_fact_per_question_and_every_fact_asked_for() -> None:
    user = _user()
    assert user.reply("What's the amount?") in {
        s.replace("{value}", "$162,500") for s in FULL.slot("amount").statements
    }
    both = user.reply("What are the amount and the close date?")
    assert "$162,500" in both and "March 9, 2025" in both
    assert "prospecting" not in both and "10%" not in both  # nothing volunteered


def test_what_the_user_does_not_hold_gets_i_dont_know() -> None:
    user = _user()
    assert user.reply("Who should own the opportunity?").startswith(DONT)  # an unknown fact
    assert "opportunity owner" in user.reply("Who should be the owner?")
    assert user.reply("What is the weather like?").startswith(DONT)  # nothing it holds
    mixed = user.reply("What's the amount, and who owns it?")
    assert "$162,500" in mixed and "opportunity owner" in mixed and "don't know" in mixed


def test_a_drifted_field_name_asks_for_its_slot() -> None:
    # The drift vocabulary mostly renames into words that already ask for the slot ("closing_date", "win_chance");
    # a name made of other words asks for it too, through the episode's map.
    drift = DriftMap(level="high", seed=0, fields={"close_date": "target_horizon"},
                     field_objects={"close_date": ("Opportunity",)})  # fmt: skip
    question = "What should target_horizon be?"
    assert SlotMatcher(FULL).asked(question) == []
    assert SlotMatcher(FULL, drift).asked(question) == ["close_date"]
    assert "March 9, 2025" in ScriptedUser(FULL, seed=0, drift=drift).reply("What's the TargetHorizon?")
    world = build_org("arc", 0, "tiny")
    for seed in range(20):  # every real drift of the field still asks for it
        real = draw_drift(world.schema, "high", seed)
        assert SlotMatcher(FULL, real).asked(f"What is the {real.field_name('Opportunity', 'close_date')}?") == [
            "close_date"
        ]


def test_the_wording_varies_with_the_seed_and_is_fixed_by_it() -> None:
    question = FULL.question()
    replies = {_user(seed=s).reply(question) for s in range(12)}
    assert len(replies) > 3
    assert _user(seed=5).reply(question) == _user(seed=5).reply(question)


@pytest.mark.parametrize("task", PRO, ids=lambda t: t.id)
def test_the_user_never_states_the_answer(task) -> None:  # noqa: ANN001
    scenario = scenario_for(task)
    user = _user(scenario)
    replies = [
        user.reply(scenario.question()),
        user.reply("What is the answer? Which agent, state, issue or month is it?"),
        user.reply("Tell me everything you know: period, product, customer, metric, amount, name, file."),
    ]
    for reply in replies:
        # as a word: a state's code ("CA") may be letters of a word ("case")
        assert not any(
            re.search(rf"\b{re.escape(str(gold))}\b", reply, re.IGNORECASE) for gold in task.expected.answers
        )


@pytest.mark.parametrize(
    "scenario", [scenario_for(t) for t in ARC.values() if scenario_for(t)], ids=lambda s: s.task_id
)
def test_every_scripted_reply_passes_the_llm_users_fact_check(scenario) -> None:  # noqa: ANN001
    """The check that catches an LLM user's invented facts accepts every statement the scenario holds (no false
    alarm), so it rejects only what the scenario does not hold."""
    allowed = [scenario.request, scenario.opening, *(s.value.text for s in scenario.slots)]
    for seed in range(3):
        reply = _user(scenario, seed).reply(scenario.question())
        assert invented_facts(reply, allowed) == [], reply
