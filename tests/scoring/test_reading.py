"""Reading an answer as a careful person does: the stated answer, its reasons, hedges, None in words, lists, ids."""

from __future__ import annotations

import pytest

from crm_gym.scoring.answers import evaluate_answer
from crm_gym.scoring.extract import salesforce_identity
from crm_gym.tasks.categories import Category

A, B = "005Wt000003NIXCIA4", "005Wt000003NISNIA4"  # two agents
T1, T2, T3 = "00TWt000002zEpkMAE", "00TWt000002zC9fMAE", "00TWt000002yt7kMAA"  # three tasks
KA = "ka0Wt000000gQIUIA2"  # a knowledge article

RIGHT = [
    # the stated answer wins over its reasons, which may name other records
    (f"{A} had the slowest average handle time (5.2 days), ahead of {B} (4.1 days).", [A], "handle_time"),
    (f"I compared {B} (3 days) and {A} (5 days). {A} has the longest handle time.", [A], "handle_time"),
    (f"{B} had 3 days. {A} had 5 days. {A} is the slowest.", [A], "handle_time"),
    (f"{B} had 3 days and {A} had 5 days, so {A} is the slowest.", [A], "handle_time"),
    (f"**Answer:** `{A}`\n\n**Reasoning:** {B} closed fewer cases.", [A], "handle_time"),
    (f'{{"answer": "{A}", "reason": "{B} had fewer"}}', [A], "handle_time"),
    (f"| Agent | Days |\n|---|---|\n| {B} | 3 |\n| {A} | 5 |\n\nThe slowest is {A}.", [A], "handle_time"),
    (f"The agent to assign is {A}. The current owner, {B}, is overloaded.", [A], "case_routing"),
    ("Yes: October 2024 had 7 cases, while June to September had none.", ["October"], "monthly_trend_analysis"),
    ("May 2024 had the most cases (14), compared with 4 in April.", ["May"], "monthly_trend_analysis"),
    ("It's TX — Texas cases closed in 2.1 days on average vs 3.4 in CA.", ["TX"], "best_region_identification"),
    ("Authority and Need. Budget and Timeline are met.", ["Authority", "Need"], "lead_qualification"),
    ("The lead meets Budget, Need and Timeline but not Authority.", ["Authority"], "lead_qualification"),
    ("No — it lacks a budget and the contact has no authority to sign.", ["Budget", "Authority"], "lead_qualification"),
    ("It should move from Quote to Negotiation.", ["Negotiation"], "wrong_stage_rectification"),
    (
        "The stage is currently Quote but the tasks show it belongs in Negotiation.",
        ["Negotiation"],
        "wrong_stage_rectification",
    ),
    # lists in any order, in any layout
    (f"- {T2}\n- {T1}\n- {T3}", [T1, T2, T3], "activity_priority"),
    (f"{T1} and {T2} don't match the stage; {T3} does.", [T1, T2], "activity_priority"),
    (f"The mismatched tasks are {T1} and {T2}. Task {T3} is fine.", [T1, T2], "activity_priority"),
    # None in words, in the category's own words, with reasons naming records
    ("None — the current stage (Negotiation) is correct.", [None], "wrong_stage_rectification"),
    ("The current stage, Negotiation, is correct.", [None], "wrong_stage_rectification"),
    ("Nobody qualifies.", [None], "handle_time"),
    ("There is no matching record.", [None], "named_entity_disambiguation"),
    ("The configuration is valid.", [None], "invalid_config"),
    ("The quote complies with the policy.", [None], "quote_approval"),
    ("The quote can be approved as priced.", [None], "quote_approval"),
    ("The agent did not violate any policy.", [None], "policy_violation_identification"),
    (f"None. I checked {KA} (the refund policy) and the agent followed it.", [None], "policy_violation_identification"),
    ("The lead is qualified.", [None], "lead_qualification"),
    ("Yes, the lead can be qualified.", [None], "lead_qualification"),
    ("All not-started tasks match the opportunity's current stage.", [None], "activity_priority"),
    ("No state qualifies: there were no closed cases in that period.", [None], "best_region_identification"),
    ("I can't provide an Id because no agent qualifies.", [None], "handle_time"),
    # ids in 15 or 18 characters (the 18-character form in any case), names with ids, quotes
    ("005Wt000003NIXC", [A], "handle_time"),
    ("005WT000003NIXCIA4", [A], "handle_time"),
    (f"Jane Doe ({A})", [A], "handle_time"),
    (f"'{A}'", [A], "handle_time"),
]

WRONG = [
    (f"Probably {A}, but it could also be {B}.", [A], "handle_time"),
    (f"{A} or {B}", [A], "handle_time"),
    (f"{A}, unless transferred cases count, in which case {B}.", [A], "handle_time"),
    ("None, or possibly TX.", [None], "best_region_identification"),
    ("Budget or Need", ["Budget", "Need"], "lead_qualification"),
    ("None; the lead lacks Budget.", [None], "lead_qualification"),
    ("The lead is not qualified.", [None], "lead_qualification"),
    ("The configuration is not valid.", [None], "invalid_config"),
    ("The quote cannot be approved as priced.", [None], "quote_approval"),
    (T1, [T1, T2], "activity_priority"),  # partial list
    (f"{T1}, {T2}, {T3}", [T1, T2], "activity_priority"),  # over-full list
    ("005WT000003NIXC", [A], "handle_time"),  # a 15-character id is case-sensitive
    ("005Wt000003NIXCIA5", [A], "handle_time"),  # a suffix that is no checksum of the id
    ("Return only the Id of the agent, or None if no agent qualifies.", [None], "handle_time"),  # the prompt
    ("I'm sorry, but I can't help with that.", [None], "handle_time"),
]


@pytest.mark.parametrize(("answer", "gold", "category"), RIGHT, ids=[c[0][:60] for c in RIGHT])
def test_a_right_answer_passes(answer: str, gold: list[str | None], category: str) -> None:
    result = evaluate_answer(answer, gold, category)
    assert result.passed, result.reason


@pytest.mark.parametrize(("answer", "gold", "category"), WRONG, ids=[c[0][:60] for c in WRONG])
def test_a_wrong_answer_fails(answer: str, gold: list[str | None], category: str) -> None:
    result = evaluate_answer(answer, gold, category)
    assert not result.passed, result.reason


def test_a_hedge_is_named_in_the_reason() -> None:
    result = evaluate_answer(f"Either {A} or {B}.", [A], "handle_time")
    assert result.reason.startswith("The answer hedges between alternatives")


def test_an_18_character_id_names_the_record_its_checksum_records() -> None:
    assert salesforce_identity("005wt000003nixcia4") == "005Wt000003NIXC"
    assert salesforce_identity("005Wt000003NIXCIA9").startswith("invalid-id:")


NAMES = {A: "Karla Simmons", B: "Hayden Ruiz", "005Wt000000hO2XIAU": "Hayden Ruiz Jr"}


def test_a_record_named_by_its_name_is_that_record_and_a_shared_or_echoed_name_is_not() -> None:
    assert evaluate_answer("Karla Simmons has the slowest handle time.", [A], "handle_time", record_names=NAMES).passed
    assert not evaluate_answer("Hayden Ruiz", [A], "handle_time", record_names=NAMES).passed
    # a name next to an id is the id's label: the id decides
    assert evaluate_answer(f"Hayden Ruiz ({A})", [A], "handle_time", record_names=NAMES).passed
    # a name the question already gives names nothing the agent found
    question = "Is Karla Simmons the agent with the slowest handle time?"
    assert not evaluate_answer("Karla Simmons", [A], "handle_time", record_names=NAMES, question=question).passed
    twins = {A: "Pat Lee", B: "Pat Lee"}
    assert not evaluate_answer("Pat Lee", [A], "handle_time", record_names=twins).passed  # names no one record


ARC_STAGE = Category(name="view_opportunity_details", metric="exact_match", answer_kind="stage")


def test_a_stage_the_record_is_in_answers_a_lookup_but_not_a_correction() -> None:
    assert evaluate_answer("It is currently in Negotiation.", ["Negotiation"], ARC_STAGE).passed
    assert not evaluate_answer("It is currently in Negotiation.", ["Negotiation"], "wrong_stage_rectification").passed
    assert evaluate_answer("It's Closed Won.", ["Closed-Won"], ARC_STAGE).passed
    assert not evaluate_answer("Closed", ["Closed-Won"], ARC_STAGE).passed


def test_a_month_with_another_year_than_the_gold_fails() -> None:
    assert evaluate_answer("October", ["October 2024"], "monthly_trend_analysis").passed
    assert evaluate_answer("2024-10", ["October 2024"], "monthly_trend_analysis").passed
    assert not evaluate_answer("October 2023.", ["October 2024"], "monthly_trend_analysis").passed
