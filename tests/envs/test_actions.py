"""Reading actions: every format the env accepts, the size of each (for the verbosity measure), and refusals."""

from __future__ import annotations

import json

import pytest

from crm_gym import config
from crm_gym.envs.actions import ActionError, AnswerAction, ToolAction, parse_action


@pytest.mark.parametrize(
    "action",
    [
        {"tool": "get", "args": {"object": "Account", "id": "001"}},
        {"tool": "get", "args": '{"object": "Account", "id": "001"}'},
        {"answer": "Acme Corp"},
        {"answer": None, "tool": ""},
    ],
)
def test_dicts_and_their_json_text_read_the_same_and_count_their_json_length(action: dict) -> None:
    as_dict, as_text = parse_action(action), parse_action(json.dumps(action))
    assert as_dict == as_text and not isinstance(as_dict, ActionError)
    assert as_dict.chars == len(json.dumps(action))


def test_kinds() -> None:
    assert parse_action({"tool": "get"}) == ToolAction(tool="get", args={}, chars=len('{"tool": "get"}'))
    assert parse_action({"answer": "x"}) == AnswerAction(answer="x", chars=len('{"answer": "x"}'))


@pytest.mark.parametrize(
    ("action", "match", "chars"),
    [
        ("x" * (config.ACTION_MAX_CHARS + 1), "The action is 100,001 characters", 100_001),
        ({"answer": "x" * (config.ANSWER_MAX_CHARS + 1)}, "The answer is 10,001 characters", None),
        ({"answer": "y" * 10**7}, "more than 100,000 characters", config.ACTION_MAX_CHARS),
        ({"tool": "get", "args": "{1: 2}"}, "'args' of get is not a JSON object", None),
        ({"tool": "get", "args": '{"id": "\\ud800"}'}, "lone surrogate", None),
        (b"\xff", "not valid JSON", 1),
    ],
)
def test_refusals_say_why_and_count_what_was_sent(action: object, match: str, chars: int | None) -> None:
    parsed = parse_action(action)
    assert isinstance(parsed, ActionError) and match in parsed.message
    assert parsed.chars == (len(json.dumps(action)) if chars is None else chars)
