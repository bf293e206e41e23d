"""The boundary check of agent values: plain, bounded JSON, or a CrmError that names the place and the rule."""

from __future__ import annotations

from typing import Any

import pytest

from crm_gym import CrmError
from crm_gym.api.json_values import check
from crm_gym.errors import brief


def _cycle() -> list[Any]:
    value: list[Any] = []
    value.append(value)
    return value


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ({"a": {"b": [1, "\ud800"]}}, r"args\.a\.b\[1\] is not valid Unicode text: '\\ud800' at position 0"),
        ({"k\udfff": 1}, "key 'k\\\\udfff' is not valid Unicode"),
        ({"a": 2**63}, r"args\.a: 9223372036854775808 is outside the 64-bit integers"),
        ({"a": -(2**63) - 1}, "outside the 64-bit integers"),
        ({"a": float("inf")}, r"args\.a: inf is not a JSON number"),
        ({"a": {1, 2}}, r"args\.a: a set is not a JSON value"),
        ({"a": _cycle()}, r"args\.a\[0\] contains itself"),
        ({3: "x"}, "has the key 3; JSON object keys must be strings"),
        ({"a": "x" * 101}, r"more than 100 characters of text \(args\.a alone has 101\)"),
        ({"a": [[[[["x"]]]]]}, r"args\.a\[0\]\[0\]\[0\] is nested more than 4 levels deep"),
        ({"a": list(range(50))}, "holds more than 20 values"),
    ],
)
def test_what_is_not_bounded_json_is_refused_by_name(value: Any, match: str) -> None:
    with pytest.raises(CrmError, match=match):
        check(value, where="args", max_chars=100, max_depth=4, max_values=20)


def test_plain_json_passes_and_its_text_is_counted() -> None:
    shared = ["ab", "cd"]
    value = {"x": shared, "y": shared, "n": [1, 2.5, None, True, -(2**63), 2**63 - 1], "t": ("é", "ü")}
    assert check(value, where="args") == len("xyntabcdabcdéü")


def test_a_huge_value_is_refused_after_reading_about_the_bound() -> None:
    with pytest.raises(CrmError, match="more than 100,000 characters"):
        check(["x" * 60_000, "y" * 60_000], where="action")
    with pytest.raises(CrmError, match="more than 10,000 values"):
        check([["z"] * 10**6], where="action")


def test_brief_cuts_long_deep_and_circular_values() -> None:
    assert len(brief("x" * 10**6)) < 100 and brief(2**500).count("...") == 1
    assert brief(_cycle()) == "[[[[...]]]]"
