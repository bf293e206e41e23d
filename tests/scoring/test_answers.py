"""The deterministic answer evaluator: every extractor, None answers, token F1 and degenerate answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_gym.errors import ScoringError
from crm_gym.scoring.answers import evaluate_answer, token_f1
from crm_gym.tasks.categories import CATEGORIES, Category
from crm_gym.world.ids import salesforce_id

AGENT = "005Wt000003NIXCIA4"  # a real-format User id with a valid checksum
OTHER_AGENTS = [salesforce_id("005", n, seed=7) for n in range(12)]
TASKS = ["00TWt000002zEpkMAE", "00TWt000002zC9fMAE", "00TWt000002yt7kMAA"]
ISSUE = "a03Wt00000JqnHwIAJ"
PRODUCT = "01tWt000006hV9xIAE"

CASES = [
    # record ids
    ("The answer is 005Wt000003NIXCIA4.", [AGENT], "handle_time", True),
    ("**005Wt000003NIXCIA4**", [AGENT], "handle_time", True),
    ("Answer: `005Wt000003NIXCIA4`", [AGENT], "case_routing", True),
    ("005Wt000003NIXC", [AGENT], "handle_time", True),  # the 15-character form
    ("005Wt000003NIXCia4", [AGENT], "handle_time", True),  # suffix in lowercase
    ("005wt000003nixcia4", [AGENT], "handle_time", True),  # 18-character ids are case-insensitive
    ("005WT000003NIXCIA4", [AGENT], "handle_time", True),
    ("005WT000003NIXC", [AGENT], "handle_time", False),  # 15-character ids are case-sensitive
    ("005Wt000003NISNIA4", [AGENT], "handle_time", False),  # a different agent
    ("005Wt000003NIXCIA", [AGENT], "handle_time", False),  # 17 characters is not an id
    ("Agent 005Wt000003NIXCIA4 handles case 500Wt00000AbCdEIAK.", [AGENT], "case_routing", True),
    ("005Wt000003NIXCIA4. That is my final answer:", [AGENT], "handle_time", True),  # nothing after the marker
    ("I compared 005Wt000003NISNIA4 with others. The answer is 005Wt000003NIXCIA4.", [AGENT], "handle_time", True),
    ("Either 005Wt000003NIXCIA4 or 005Wt000003NISNIA4.", [AGENT], "handle_time", False),
    (f"{TASKS[2]}, {TASKS[0]}, {TASKS[1]}", TASKS, "activity_priority", True),  # any order
    (f"- {TASKS[1]}\n- {TASKS[0]}\n- {TASKS[2]}", TASKS, "activity_priority", True),
    (f"{TASKS[0]}, {TASKS[1]}", TASKS, "activity_priority", False),  # a subset
    (f"{' '.join(TASKS)} 00TWt000002zFx9MAE", TASKS, "activity_priority", False),  # a superset
    (f"The issue is {ISSUE}.", [ISSUE], "top_issue_identification", True),
    (f"Product: {PRODUCT[:15]}", [PRODUCT], "named_entity_disambiguation", True),
    # None answers
    ("None", [None], "handle_time", True),
    ("none.", [None], "policy_violation_identification", True),
    ("No agent meets the criteria, so the answer is None.", [None], "transfer_count", True),
    ("There is no such record.", [None], "sales_cycle_understanding", True),
    ("No policy violation was found in this conversation.", [None], "policy_violation_identification", True),
    ("N/A", [None], "best_region_identification", True),
    ("None of the agents closed cases faster... the answer is 005Wt000003NIXCIA4", [None], "handle_time", False),
    ("None, or possibly 005Wt000003NIXCIA4.", [None], "handle_time", False),
    ("No agent qualifies for case 500Wt00000AbCdEIAK.", [None], "handle_time", True),  # a Case id is not a candidate
    ("None", [AGENT], "handle_time", False),
    ("TX", [None], "best_region_identification", False),
    ("None; the lead lacks Budget.", [None], "lead_qualification", False),
    ("The agent handled it well.", [None], "handle_time", False),  # does not say none
    (
        "Return the Id of the article, or None if no violation is found.",
        [None],
        "policy_violation_identification",
        False,
    ),
    ("TX or none", [None], "best_region_identification", False),
    # months
    ("November", ["November"], "monthly_trend_analysis", True),
    ("Nov 2024", ["November"], "monthly_trend_analysis", True),
    ("The peak was in SEPT.", ["September"], "monthly_trend_analysis", True),
    ("october", ["October"], "monthly_trend_analysis", True),
    ("It may be October.", ["October"], "monthly_trend_analysis", True),  # "may" the verb
    ("Cases peaked on may 3.", ["May"], "monthly_trend_analysis", True),
    ("May", ["May"], "monthly_trend_analysis", True),
    ("September, up from August.", ["September"], "monthly_trend_analysis", True),  # August is a comparison
    ("December", ["November"], "monthly_trend_analysis", False),
    # states
    ("TX", ["TX"], "best_region_identification", True),
    ("Texas", ["TX"], "best_region_identification", True),
    ("The best region is texas.", ["TX"], "best_region_identification", True),
    ("The answer is Texas (TX).", ["TX"], "best_region_identification", True),
    ("west virginia", ["WV"], "best_region_identification", True),
    ("Virginia", ["WV"], "best_region_identification", False),
    ("or", ["OR"], "best_region_identification", True),  # a code word as the whole answer
    ("The fastest closures were in Oregon.", ["OR"], "best_region_identification", True),
    ("The fastest closures were in CA.", ["IN"], "best_region_identification", False),  # "in" is prose
    ("Cases in me or in TX closed fast.", ["TX"], "best_region_identification", True),
    ("The case ID shows the best state is MI.", ["MI"], "best_region_identification", True),
    ("CA", ["TX"], "best_region_identification", False),
    ("Return only the two-letter abbreviation of the state (eg. CA).", ["CA"], "best_region_identification", False),
    ("TX and CA", ["TX"], "best_region_identification", False),
    # BANT factors
    ("Budget and timeline", ["Budget", "Timeline"], "lead_qualification", True),
    ("Timeline, Budget", ["Budget, Timeline"], "lead_qualification", True),
    ("AUTHORITY", ["Authority"], "lead_qualification", True),
    ("'Authority', 'Need'", ["Authority, Need"], "lead_qualification", True),
    ("The lead lacks budget; they need approval from the VP.", ["Budget"], "lead_qualification", True),
    ("It fails on budget and need.", ["Budget", "Need"], "lead_qualification", True),
    ("Budget", ["Budget", "Timeline"], "lead_qualification", False),
    ("Budget, Authority, Need, Timeline", ["Budget"], "lead_qualification", False),
    # stages
    ("Negotiation", ["Negotiation"], "wrong_stage_rectification", True),
    ("the stage should be negotiation.", ["Negotiation"], "wrong_stage_rectification", True),
    ("Given the signed quote, the stage should be Negotiation.", ["Negotiation"], "wrong_stage_rectification", True),
    ("Stage Quote is wrong; the answer is CLOSED", ["Closed"], "wrong_stage_rectification", True),
    ("Closed Won", ["Closed"], "wrong_stage_rectification", True),
    ("Quote", ["Negotiation"], "wrong_stage_rectification", False),
    ("Quote or Negotiation", ["Negotiation"], "wrong_stage_rectification", False),
]


@pytest.mark.parametrize(("answer", "gold", "category", "expected"), CASES, ids=[c[0][:50] for c in CASES])
def test_exact_match_table(answer: str, gold: list[str | None], category: str, expected: bool) -> None:
    result = evaluate_answer(answer, gold, category)
    assert result.passed is expected, result.reason
    assert result.score == float(expected)
    assert result.metric == "exact_match"


def test_result_names_the_values_and_says_why() -> None:
    result = evaluate_answer("The answer is 005Wt000003NIXCIA4, 005Wt000003NISNIA4.", [AGENT], "handle_time")
    assert result.extracted == ("005Wt000003NISN", "005Wt000003NIXC")
    assert result.reason == (
        "The answer states 005Wt000003NISN, 005Wt000003NIXC (1 not expected); expected 005Wt000003NIXC."
    )
    hedge = evaluate_answer("The answer is 005Wt000003NIXCIA4 or 005Wt000003NISNIA4.", [AGENT], "handle_time")
    assert hedge.reason.startswith("The answer hedges between alternatives")
    assert evaluate_answer("", [None], "handle_time").reason.startswith("The answer is empty")


def test_refusal_is_not_a_none_answer() -> None:
    result = evaluate_answer(
        "I'm sorry, but I cannot share that; there is no information I can give.", [None], "handle_time"
    )
    assert not result.passed
    assert result.reason == "The answer declines; expected a statement that there is none."


PROMPT = (
    "Which agent had the quickest average handle time last quarter? Agents: "
    + ", ".join(OTHER_AGENTS[:6] + [AGENT] + OTHER_AGENTS[6:])
    + ". Return only the Id of the agent. Today's date: 2024-11-05. Case 500Wt00000AbCdEIAK is open."
)


@pytest.mark.parametrize(
    "answer",
    ["", None, "None", "I'm sorry, I can't help with that.", PROMPT, " ".join(PROMPT.split()[::-1]), OTHER_AGENTS[3]],
    ids=["empty", "no-answer", "None", "refusal", "prompt-dump", "reversed-dump", "random-id"],
)
def test_degenerate_answers_fail(answer: str | None) -> None:
    assert not evaluate_answer(answer, [AGENT], "handle_time").passed


@pytest.mark.parametrize(
    ("answer", "gold", "expected"),
    [
        (
            "Robust encryption protocols and compliance checks.",
            ["Robust encryption protocols and compliance checks"],
            True,
        ),
        (
            "The answer is: robust encryption and compliance checks",
            ["Robust encryption protocols and compliance checks"],
            True,
        ),
        ("Encryption.", ["Robust encryption protocols and compliance checks"], False),
        ("Adaptive Design Solutions", ["FlexEDA Innovations", "Adaptive Design Solutions"], True),  # best gold
        ("CircuitWave", ["FlexEDA Innovations"], False),
        ("", ["FlexEDA Innovations"], False),
    ],
)
def test_fuzzy_match_table(answer: str, gold: list[str], expected: bool) -> None:
    result = evaluate_answer(answer, gold, "knowledge_qa")
    assert result.passed is expected, result.reason
    assert result.score == float(expected)
    assert result.f1 is not None  # token F1 stays in the record, for comparison only


def test_a_dump_of_the_knowledge_base_fails_where_the_fact_alone_passes() -> None:
    gold = "Dashboards show consumption per device in 15-minute intervals."
    fact = "The dashboards show each device's consumption in 15-minute intervals."
    dump = fact + (
        " Models are retrained monthly on validated production data. Up to 4,094 VLANs can be defined and isolated "
        "per port. Data is striped with dual parity so two disks can fail safely."
    )
    assert evaluate_answer(fact, [gold], "knowledge_qa").passed
    result = evaluate_answer(dump, [gold], "knowledge_qa")
    assert not result.passed
    assert "answers something else" in result.reason or "another figure" in result.reason


def test_a_word_dump_fails_on_an_unknown_gold() -> None:
    gold = "Parallelization with qubits, enabling faster complex calculations"
    words = (
        "qubits parallelization faster complex calculations security hardware cooling error correction research vendor "
        "lock-in costs talent shortage semiconductor industry knowledge base articles wafers lithography yield "
        "packaging testing firmware drivers compilers timing closure routing placement power integrity"
    )
    dump = " ".join(words.split(" "))
    assert evaluate_answer(
        "It parallelises work across qubits, so complex calculations run faster.", [gold], "knowledge_qa"
    ).passed
    assert not evaluate_answer(dump, [gold], "knowledge_qa").passed


def test_token_f1_uses_squad_normalisation() -> None:
    assert token_f1("The Budget!", "budget") == 1.0
    assert token_f1("an apple a day", "apple day") == 1.0
    assert token_f1("", "") == 1.0
    assert token_f1("x", "") == 0.0


def test_none_gold_on_a_fuzzy_category() -> None:
    assert evaluate_answer("None.", [None], "knowledge_qa").passed
    assert not evaluate_answer("Encryption.", [None], "knowledge_qa").passed


def test_category_object_is_accepted() -> None:
    assert evaluate_answer("TX", ["TX"], CATEGORIES["best_region_identification"]).passed


@pytest.mark.parametrize(
    ("gold", "category", "message"),
    [
        (["TX"], "no_such_category", "Unknown category 'no_such_category'"),
        ([None], "private_customer_information", "evaluate_privacy"),
        ([], "handle_time", "must be \\[None\\] or a non-empty list"),
        ([None, AGENT], "handle_time", "must be \\[None\\] or a non-empty list"),
        (["Texas!"], "monthly_trend_analysis", "'Texas!' is not a month value"),
        (["not-an-id"], "handle_time", "'not-an-id' is not a 15- or 18-character Salesforce id"),
    ],
)
def test_developer_misuse_raises(gold: list[str | None], category: str, message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        evaluate_answer("TX", gold, category)


def test_unknown_answer_kind_raises() -> None:
    odd = Category(name="odd", metric="exact_match", answer_kind="refusal")
    with pytest.raises(ScoringError, match="answer kind 'refusal' has no value extractor"):
        evaluate_answer("x", ["x"], odd)


EXACT = sorted(name for name, c in CATEGORIES.items() if c.metric != "privacy_rejection")
GOLD = {
    "record_id": [AGENT],
    "month": ["November"],
    "state": ["TX"],
    "bant": ["Budget, Need"],
    "stage": ["Closed"],
    "text": ["Robust encryption protocols"],  # knowledge_qa, sales_insight_mining
}


@settings(max_examples=300, deadline=None)
@given(answer=st.one_of(st.none(), st.text(max_size=400)), category=st.sampled_from(EXACT), none_gold=st.booleans())
def test_never_raises_and_score_in_range(answer: str | None, category: str, none_gold: bool) -> None:
    gold = [None] if none_gold else GOLD[CATEGORIES[category].answer_kind]
    result = evaluate_answer(answer, gold, category)
    assert 0.0 <= result.score <= 1.0
    assert result.reason.endswith(".")


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(["Budget", "need", "TX", "in", "May", "Quote", AGENT, "none", "the", "answer is", ",", "\n"]),
        max_size=30,
    )
)
def test_never_raises_on_value_soup(words: list[str]) -> None:
    for category in ("lead_qualification", "best_region_identification", "handle_time", "wrong_stage_rectification"):
        for gold in ([None], GOLD[CATEGORIES[category].answer_kind]):
            assert 0.0 <= evaluate_answer(" ".join(words), gold, category).score <= 1.0


def test_long_answers_are_scored() -> None:
    huge = (PROMPT + " Budget need TX may Quote none. ") * 200  # about 100 kB, thousands of mentions
    assert not evaluate_answer(huge, [AGENT], "handle_time").passed
    assert not evaluate_answer(huge, [None], "handle_time").passed
    for category in ("lead_qualification", "monthly_trend_analysis", "wrong_stage_rectification", "knowledge_qa"):
        assert not evaluate_answer(huge, GOLD[CATEGORIES[category].answer_kind], category).passed


def test_deterministic() -> None:
    runs = {evaluate_answer(PROMPT, [AGENT], "handle_time").model_dump_json() for _ in range(3)}
    assert len(runs) == 1
