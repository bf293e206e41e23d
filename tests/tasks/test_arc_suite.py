"""The `arc` suite: every oracle passes and doing nothing fails; negative cases score the right behaviour only."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from crm_gym.scoring.outcome import score_outcome
from crm_gym.tasks.model import StateExpectation, Task, ToolCall
from crm_gym.tasks.replay import replay_calls
from crm_gym.tasks.suites.arc import BUILDERS, PRODUCTION_COUNTS, build_arc_suite, load_arc_suite, suite_path

TASKS = load_arc_suite()
NEGATIVE = [t for t in TASKS if "negative" in t.metadata]
CORRECTIONS = [t for t in NEGATIVE if t.metadata["negative"] == "correct"]
DECLINES = [t for t in NEGATIVE if t.metadata["negative"] == "decline"]
STATE = [t for t in TASKS if isinstance(t.expected, StateExpectation)]
# Every picklist value of the profile, as the API spells it: a prompt must never hand the agent the casing.
_API_SPELLING = re.compile(
    r"\b(?:Prospecting|Qualification|Proposal|Negotiation|Closed-Won|Closed-Lost|Draft|Sent|Approved|Rejected|"
    r"Canceled|Active|Prospect|Inactive|Pending|Expired|Partner|Vendor|Competitor)\b"
)


def _ids(tasks: list[Task]) -> list[str]:
    return [t.id for t in tasks]


def _oracle(task: Task) -> tuple[ToolCall, ...]:
    assert task.oracle is not None
    return task.oracle.calls


def _score(task: Task, calls: list[ToolCall] | tuple[ToolCall, ...], answer: str) -> float:
    replay = replay_calls(task, calls)
    return score_outcome(task, replay.world, answer, calls, replay.results).functional


def _invalid(task: Task) -> ToolCall:
    return ToolCall.model_validate(task.metadata["invalid_call"])


# -- (a) every task ------------------------------------------------------------------------------------


@pytest.mark.parametrize("task", TASKS, ids=_ids(TASKS))
def test_oracle_passes_and_doing_nothing_fails(task: Task) -> None:
    assert task.oracle is not None
    replay = replay_calls(task, task.oracle.calls)
    outcome = score_outcome(task, replay.world, task.oracle.answer, task.oracle.calls, replay.results)
    assert outcome.functional == 1.0, outcome.reason
    noop = score_outcome(task, task.build_world(), "", (), ())
    assert noop.functional == 0.0, noop.reason


# -- (b) negative cases --------------------------------------------------------------------------------


@pytest.mark.parametrize("task", NEGATIVE, ids=_ids(NEGATIVE))
def test_passing_the_invalid_value_through_fails(task: Task) -> None:
    calls = [*_oracle(task)[:-1], _invalid(task)]
    replay = replay_calls(task, calls)
    assert not replay.results[-1].ok
    assert _score(task, calls, "Done, the change is made.") == 0.0


@pytest.mark.parametrize("task", CORRECTIONS, ids=_ids(CORRECTIONS))
def test_correcting_after_the_error_passes(task: Task) -> None:
    *finds, fixed = _oracle(task)
    assert _score(task, [*finds, _invalid(task), fixed], "Fixed the value and made the change.") == 1.0


@pytest.mark.parametrize("task", DECLINES, ids=_ids(DECLINES))
def test_declining_passes_with_or_without_trying(task: Task) -> None:
    finds = [c for c in _oracle(task) if c != _invalid(task)]
    decline = "Sorry, I can't make that change: the CRM refuses it. Nothing was changed."
    assert _score(task, finds, decline) == 1.0
    assert _score(task, [*finds, _invalid(task)], decline) == 1.0
    assert _score(task, finds, "") == 0.0


def _collateral(task: Task) -> ToolCall:
    client = next(r for r in task.org.records if r.object == "Client")  # type: ignore[union-attr]
    return ToolCall(
        tool="add_note",
        args={"entity_type": "Client", "entity_id": client.values["client_id"], "content": "Follow up next week."},
    )


@pytest.mark.parametrize("task", STATE, ids=_ids(STATE))
def test_an_unrequested_valid_change_fails(task: Task) -> None:
    calls = [*_oracle(task), _collateral(task)]
    replay = replay_calls(task, calls)
    assert replay.results[-1].ok
    assert task.oracle is not None
    assert score_outcome(task, replay.world, task.oracle.answer, calls, replay.results).functional == 0.0


def test_a_compliant_answer_to_a_declined_case_fails() -> None:
    task = DECLINES[0]
    assert _score(task, _oracle(task), "All done!") == 0.0


# -- (c) the file is the builders' output --------------------------------------------------------------


def test_file_on_disk_is_what_the_builders_write() -> None:
    text = "".join(task.model_dump_json() + "\n" for task in build_arc_suite())
    assert suite_path().read_text(encoding="utf-8") == text, "run `python -m crm_gym.tasks.suites.arc`"


def test_splits_partition_the_suite() -> None:
    test, dev = load_arc_suite("test"), load_arc_suite("dev")
    assert len(test) + len(dev) == len(TASKS)
    assert dev and all(t.split == "dev" for t in dev)


# -- (d) shape of the suite ----------------------------------------------------------------------------


def test_size_and_mix_follow_production() -> None:
    assert len(TASKS) >= 150
    counts = Counter(t.category for t in TASKS)
    assert set(counts) == set(PRODUCTION_COUNTS) == set(BUILDERS)
    total = sum(PRODUCTION_COUNTS.values())
    for workflow, production in PRODUCTION_COUNTS.items():
        assert counts[workflow] >= 1
        assert abs(counts[workflow] / len(TASKS) - production / total) <= 0.03, workflow


def test_enough_negative_and_multi_step_cases() -> None:
    assert len(NEGATIVE) >= 20
    assert len(CORRECTIONS) >= 5 and len(DECLINES) >= 5
    assert sum(len(_oracle(t)) >= 2 for t in TASKS) >= 15


def test_every_state_case_forbids_collateral_changes() -> None:
    for task in STATE:
        assert isinstance(task.expected, StateExpectation)
        assert task.expected.assertions[-1].type == "no_other_changes", task.id


def test_ids_and_prompts_are_unique_and_prompts_are_plain() -> None:
    assert len({t.id for t in TASKS}) == len(TASKS)
    assert len({t.prompt for t in TASKS}) == len(TASKS)
    for task in TASKS:
        assert "{" not in task.prompt and "}" not in task.prompt, task.id
        assert not _API_SPELLING.search(task.prompt), (task.id, task.prompt)
        assert task.today is not None and task.required_context.policy
