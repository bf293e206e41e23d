"""The fact check of LLM users' replies: invented amounts, dates, ids, files and names are caught; stated ones pass."""

from __future__ import annotations

import pytest

from crm_gym.conversation.facts import facts, invented_facts

ALLOWED = [
    'New deal for Okafor Foods International: "Okafor Foods International - IoT Sensors", $162,500, closing '
    "March 9, 2025, probability 10%. Upload Okafor_Foods_Pricing_Sheet.docx. Owner Dana Whitfield.",
    "It's about AstraSwitch X400 (the product Id is 01tWt000000fzW3IAI), in July 2021.",
]


@pytest.mark.parametrize(
    "reply",
    [
        "The amount is $162,500.",
        "About $162.5k, closing 3/9/2025.",
        "It should close on 9 March 2025, with a 10% probability.",
        "Dana Whitfield owns it. The client is Okafor Foods International.",
        "The file is okafor_foods_pricing_sheet.docx.",
        "I mean July 2021, the product Id is 01tWt000000fzW3IAI.",
        "Yes, that's right. I don't know the stage.",
        "2025 is the year.",
    ],
)
def test_facts_the_scenario_holds_pass(reply: str) -> None:
    assert invented_facts(reply, ALLOWED) == []


@pytest.mark.parametrize(
    ("reply", "invented"),
    [
        ("The amount is $75,000.", ["$75,000"]),
        ("It closes April 2, 2025.", ["April 2, 2025"]),
        ("I mean August 2021.", ["August 2021"]),
        ("Marcus Oyelaran should own it.", ["Marcus Oyelaran"]),
        ("The file is Okafor_Contract.pdf.", ["Okafor_Contract.pdf"]),
        ("Its Id is 01tWt000000zzzzIAI.", ["01tWt000000zzzzIAI"]),
        ("Email bob@okafor.com, quarter Q3 2021.", ["bob@okafor.com", "Q3 2021"]),
        ("The probability is 35%.", ["35%"]),
    ],
)
def test_invented_facts_are_caught(reply: str, invented: list[str]) -> None:
    assert invented_facts(reply, ALLOWED) == invented


def test_a_date_is_read_once_not_also_as_its_numbers() -> None:
    found = facts("Closing March 9, 2025 for $1.2M")
    assert set(found) == {"March 9, 2025", "$1.2M"}
    assert "number:1.2e+06" in found["$1.2M"]
