"""UUID record ids (Arc) in answers, and declined changes read as refusals."""

from __future__ import annotations

import pytest

from crm_gym.scoring.answers import evaluate_answer
from crm_gym.scoring.none_statements import says_none
from crm_gym.scoring.refusals import is_refusal
from crm_gym.tasks.categories import Category

IDS = Category(name="arc_search", metric="exact_match", answer_kind="record_id")
A = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"
B = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
C = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"


@pytest.mark.parametrize(
    "answer",
    [
        f"The deals are {A} and {B}.",
        f"- {B.upper()}\n- {A}",
        f"Found 2: `{A}` (Fleet Tracking), `{B}` (Cloud Migration).",
        f"The answer is {B}, {A}",
    ],
)
def test_uuid_answers_match_in_any_order_and_case(answer: str) -> None:
    assert evaluate_answer(answer, [A, B], IDS).passed


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (f"{A}, {B} and {C}", "1 not expected"),
        (f"Only {A}.", f"missing {B}"),
        ("Two deals: Fleet Tracking and Cloud Migration.", "states no record id"),
        (f"{A[:-1]}", "states no record id"),
    ],
)
def test_uuid_answers_fail_on_superset_subset_or_no_id(answer: str, why: str) -> None:
    score = evaluate_answer(answer, [A, B], IDS)
    assert not score.passed
    assert why in score.reason


def test_uuid_inside_a_longer_token_is_not_an_id() -> None:
    assert not evaluate_answer(f"x{A}", [A], IDS).passed


@pytest.mark.parametrize(
    "text",
    [
        "I can't set the probability to 125%: it must be between 1 and 99.",
        "Sorry, I can't make that change.",
        "I'm unable to update a closed deal.",
        "I won't upload the .exe file: executables are not allowed.",
        "I couldn't find a client named Zephyrine Textiles, so I can't create the opportunity.",
    ],
)
def test_declining_a_change_is_a_refusal(text: str) -> None:
    assert is_refusal(text)


@pytest.mark.parametrize(
    "text",
    ["Done: I updated the stage to Negotiation.", "I couldn't find any such deal.", "I created the quote."],
)
def test_doing_the_change_or_not_finding_is_not_a_refusal(text: str) -> None:
    assert not is_refusal(text)


def test_not_finding_still_says_none() -> None:
    assert says_none("I couldn't find any such deal: none exists.")
