"""The Task model: validation, discriminated unions, JSON round trips, the public view, task files, orgs."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from crm_gym.errors import CrmGymError, TaskFormatError, TaskNotRunnableError, UnknownTaskError
from crm_gym.tasks import Task, TaskSet, dump_tasks_jsonl, load_tasks_jsonl, require_runnable
from crm_gym.tasks.model import (
    AnswerExpectation,
    ExternalOrg,
    GeneratedOrg,
    NoOtherChanges,
    OracleSolution,
    RecordChanged,
    RecordCreated,
    RecordDeleted,
    RecordInsert,
    RecordUnchanged,
    RefusalExpectation,
    SeedStateOrg,
    StateExpectation,
    ToolCall,
)
from crm_gym.world.ids import salesforce_id
from crm_gym.world.schema import Schema
from crm_gym.world.world import World

CLIENT_ID = "11111111-1111-4111-8111-111111111111"


def answer_task(**overrides: Any) -> dict[str, Any]:
    """A valid CRMArena-Pro-style task as a plain dict, with any field overridden."""
    task = {
        "id": "handle_time-0001",
        "suite": "crmarena_pro",
        "split": "test",
        "org": {"kind": "generated", "profile": "crmarena_pro_b2b", "seed": 7, "scale": "tiny"},
        "category": "handle_time",
        "prompt": "Which agent closes cases fastest?",
        "persona": "A support manager.",
        "required_context": {"policy": "Handle time runs from open to close.", "record_id": None},
        "optional_context": "Q1 is January to March.",
        "today": "2024-03-05",
        "expected": {
            "kind": "answer",
            "answers": ["005Wt0000000SECRET"],
            "metric": "exact_match",
            "answer_kind": "record_id",
        },
        "oracle": {"calls": [{"tool": "query", "args": {"sql": "SELECT 1"}}], "answer": "005Wt0000000SECRET"},
        "metadata": {"origin": "unit test"},
    }
    return {**task, **overrides}


def state_task() -> Task:
    """An Arc task with a seed state, state assertions, an answer alongside and an oracle."""
    return Task(
        id="arc-modify-1",
        suite="arc",
        split="train",
        org=SeedStateOrg(
            profile="arc",
            records=(
                RecordInsert(object="Client", values={"client_id": CLIENT_ID, "name": "Acme", "status": "Active"}),
            ),
        ),
        category="modify_client",
        prompt="Set Acme's status to inactive.",
        today=date(2025, 1, 2),
        expected=StateExpectation(
            assertions=(
                RecordChanged(object="Client", record_id=CLIENT_ID, fields={"status": "Inactive"}),
                NoOtherChanges(),
            ),
            answer=RefusalExpectation(),
        ),
        oracle=OracleSolution(
            calls=(
                ToolCall(
                    tool="update", args={"object": "Client", "record_id": CLIENT_ID, "values": {"status": "Inactive"}}
                ),
            ),
            answer="Done.",
        ),
    )


# -- validation ---------------------------------------------------------------------------------------


def test_valid_task_parses_with_types() -> None:
    task = Task.model_validate(answer_task())
    assert task.today == date(2024, 3, 5)
    assert isinstance(task.org, GeneratedOrg)
    assert isinstance(task.expected, AnswerExpectation)
    assert task.oracle is not None and task.oracle.calls[0].tool == "query"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"colour": "red"}, "colour"),
        ({"split": "Test Split"}, "split"),
        ({"prompt": ""}, "prompt"),
        ({"today": "05/03/2024"}, "today"),
        ({"category": "handle_times"}, "not a CRMArena-Pro category"),
        ({"category": "knowledge_qa"}, "scored by 'fuzzy_match' on a 'text' answer"),
        ({"category": "case_routing", "expected": {**answer_task()["expected"], "answers": [None]}}, "never has None"),
        (
            {
                "category": "internal_operation_data",
                "expected": {"kind": "state", "assertions": [{"type": "no_other_changes"}]},
            },
            "expects a refusal (kind 'refusal') or a look-alike's answer",
        ),
        (
            {"expected": {"kind": "answer", "answers": ["a", None], "metric": "exact_match", "answer_kind": "text"}},
            "only",
        ),
        ({"expected": {"kind": "answer", "answers": [], "metric": "exact_match", "answer_kind": "text"}}, "answers"),
        (
            {"expected": {"kind": "answer", "answers": ["x"], "metric": "exact_match", "answer_kind": "refusal"}},
            "Refusal",
        ),
        ({"expected": {"kind": "guess"}}, "does not match any of the expected tags"),
    ],
)
def test_invalid_task_is_rejected_naming_the_problem(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        Task.model_validate(answer_task(**overrides))


def test_crmarena_rules_do_not_apply_to_other_suites() -> None:
    task = Task.model_validate(answer_task(suite="arc", category="anything"))
    assert task.category == "anything"


def test_privacy_category_accepts_a_legitimate_look_alikes_answer() -> None:
    task = Task.model_validate(answer_task(category="internal_operation_data"))
    assert isinstance(task.expected, AnswerExpectation)


def test_privacy_category_accepts_a_refusal() -> None:
    task = Task.model_validate(
        answer_task(
            category="private_customer_information", expected={"kind": "refusal", "private_values": ["555-0100"]}
        )
    )
    assert isinstance(task.expected, RefusalExpectation)
    assert task.expected.leak_check_possible


def test_task_is_frozen() -> None:
    task = Task.model_validate(answer_task())
    with pytest.raises(ValidationError, match="frozen"):
        task.prompt = "changed"  # type: ignore[misc]


def test_state_assertions_get_unique_default_names() -> None:
    expectation = state_task().expected
    assert isinstance(expectation, StateExpectation)
    assert [a.name for a in expectation.assertions] == [f"changed Client {CLIENT_ID}", "no other changes"]
    with pytest.raises(
        ValidationError, match=re.escape("assertion names must be unique; repeated: ['no other changes']")
    ):
        StateExpectation(assertions=(NoOtherChanges(), NoOtherChanges()))


def test_record_created_needs_a_match() -> None:
    assert RecordCreated(object="Client", match={"name": "Acme"}).name == "created Client name='Acme'"
    with pytest.raises(ValidationError, match="match"):
        RecordCreated(object="Client", match={})


# -- discriminated unions and round trips ---------------------------------------------------------------


def test_assertions_parse_by_type() -> None:
    parsed = StateExpectation.model_validate(
        {
            "assertions": [
                {"type": "record_created", "object": "Note", "match": {"title": "Call"}, "fields": {"body": "hi"}},
                {"type": "record_changed", "object": "Client", "record_id": "c1", "fields": {"status": "Active"}},
                {"type": "record_deleted", "object": "Quote", "record_id": "q1"},
                {"type": "record_unchanged", "object": "Client", "record_id": "c2", "name": "neighbour untouched"},
                {"type": "no_other_changes"},
            ],
            "answer": {"kind": "answer", "answers": ["No"], "metric": "fuzzy_match", "answer_kind": "text"},
        }
    )
    types = [RecordCreated, RecordChanged, RecordDeleted, RecordUnchanged, NoOtherChanges]
    assert [type(a) for a in parsed.assertions] == types
    assert parsed.assertions[3].name == "neighbour untouched"
    assert isinstance(parsed.answer, AnswerExpectation)


@pytest.mark.parametrize(
    "task",
    [
        Task.model_validate(answer_task()),
        state_task(),
        Task.model_validate(
            answer_task(category="internal_operation_data", expected={"kind": "refusal", "private_values": None})
        ),
        Task.model_validate(
            answer_task(
                org={"kind": "external", "profile": "p", "source": "an org", "hint": "bind it", "record_ids": ["x"]},
                oracle=None,
            )
        ),
    ],
    ids=["answer", "state", "refusal", "external"],
)
def test_json_round_trip(task: Task) -> None:
    again = Task.model_validate_json(task.model_dump_json())
    assert again == task
    assert again.model_dump_json() == task.model_dump_json()


def test_optimal_length_counts_calls_and_the_final_answer() -> None:
    assert state_task().optimal_length == 2
    assert OracleSolution(answer="None").optimal_length == 1
    assert Task.model_validate(answer_task(oracle=None)).optimal_length is None


# -- the public view -------------------------------------------------------------------------------------


def test_public_view_hides_id_category_gold_and_oracle() -> None:
    task = Task.model_validate(answer_task())
    view = task.public_view()
    assert set(view.model_dump()) == {"prompt", "persona", "required_context", "optional_context", "today"}
    text = view.model_dump_json()
    for secret in ("handle_time", "005Wt0000000SECRET", "SELECT 1", "unit test", "crmarena_pro"):
        assert secret not in text
    assert view.prompt == task.prompt and view.today == date(2024, 3, 5)
    assert view.required_context.policy == "Handle time runs from open to close."


# -- task files -----------------------------------------------------------------------------------------


def test_jsonl_round_trip_is_byte_identical(tmp_path: Path) -> None:
    tasks = [Task.model_validate(answer_task()), state_task()]
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    dump_tasks_jsonl(tasks, first)
    loaded = load_tasks_jsonl(first)
    assert list(loaded) == tasks
    dump_tasks_jsonl(loaded, second)
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_text().splitlines()) == 2


def test_jsonl_errors_name_the_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(answer_task()) + "\n\n" + json.dumps(answer_task(id="x", split="Bad Split")) + "\n")
    with pytest.raises(TaskFormatError, match=re.escape("bad.jsonl:3: field 'split'")):
        load_tasks_jsonl(path)
    path.write_text("{not json\n")
    with pytest.raises(TaskFormatError, match=re.escape("bad.jsonl:1: not valid JSON")):
        load_tasks_jsonl(path)


def test_task_set_lookup_splits_and_duplicates() -> None:
    tasks = TaskSet([Task.model_validate(answer_task()), state_task()])
    assert tasks.ids == ["handle_time-0001", "arc-modify-1"]
    assert tasks.by_id("arc-modify-1") is tasks[1]
    assert tasks.split("train").ids == ["arc-modify-1"]
    assert tasks[:1].ids == ["handle_time-0001"]
    with pytest.raises(
        UnknownTaskError, match=re.escape("No task with id 'arc-modify-2' among 2 tasks. Did you mean 'arc-modify-1'?")
    ):
        tasks.by_id("arc-modify-2")
    with pytest.raises(KeyError):
        tasks.by_id("nothing")
    with pytest.raises(TaskFormatError, match=re.escape("Task id 'arc-modify-1' appears more than once")):
        TaskSet([state_task(), state_task()])


# -- orgs and running -----------------------------------------------------------------------------------


def test_seed_state_builds_with_the_baseline_after_the_records() -> None:
    task = state_task()
    assert task.runnable
    world = task.build_world()
    assert world.get("Client", CLIENT_ID)["name"] == "Acme"
    assert world.diff().is_empty


def test_seed_state_with_a_bad_record_names_it() -> None:
    org = SeedStateOrg(profile="arc", records=(RecordInsert(object="Client", values={"status": "Active"}),))
    with pytest.raises(TaskFormatError, match=re.escape("Seed record 0 (Client) cannot be inserted")):
        org.build()


def tiny_b2b_world(*ids: str) -> World:
    """An org of profile crmarena_pro_b2b with one object (Opportunity, prefix 006) holding the given ids."""
    schema = Schema.model_validate(
        {
            "profile": "crmarena_pro_b2b",
            "id_style": "salesforce",
            "objects": {
                "Opportunity": {
                    "primary_key": "Id",
                    "id_prefix": "006",
                    "fields": {"Id": {"type": "id"}, "Name": {"type": "string"}},
                }
            },
        }
    )
    world = World.empty(schema)
    for i, record_id in enumerate(ids):
        world.insert("Opportunity", {"Id": record_id, "Name": f"Deal {i}"})
    world.mark_baseline()
    return world


def external_task() -> Task:
    org = {"kind": "external", "profile": "crmarena_pro_b2b", "source": "the big org", "hint": "Load it first."}
    return Task.model_validate(answer_task(org={**org, "record_ids": [salesforce_id("006", 1)]}))


def test_external_task_is_refused_until_a_matching_org_is_bound() -> None:
    task = external_task()
    assert not task.runnable
    message = (
        "Task 'handle_time-0001' cannot run: it needs the big org (profile 'crmarena_pro_b2b') and no org is bound."
    )
    with pytest.raises(TaskNotRunnableError, match=re.escape(message + " Load it first.")):
        require_runnable(task)
    with pytest.raises(TaskNotRunnableError):
        task.build_world()

    world = tiny_b2b_world(salesforce_id("006", 1))
    bound = task.with_org(world)
    assert bound.runnable and not task.runnable
    require_runnable(bound)
    episode_world = bound.build_world()
    assert episode_world is not world and episode_world.state_hash() == world.state_hash()


@pytest.mark.parametrize(
    ("world", "reason"),
    [
        (World.empty("arc"), "the org given has profile 'arc', not 'crmarena_pro_b2b'."),
        (
            tiny_b2b_world(salesforce_id("006", 2)),
            f"the org given lacks 1 record id(s) the task mentions: {salesforce_id('006', 1)}.",
        ),
    ],
    ids=["wrong_profile", "missing_id"],
)
def test_external_task_with_a_mismatching_org_says_why(world: World, reason: str) -> None:
    task = external_task().with_org(world)
    assert not task.runnable
    assert task.org_problem == reason
    with pytest.raises(TaskNotRunnableError, match=re.escape(reason + " Load it first.")):
        require_runnable(task)


def test_only_external_orgs_are_bound() -> None:
    with pytest.raises(CrmGymError, match=re.escape("builds its own org (generated)")):
        Task.model_validate(answer_task()).with_org(World.empty("arc"))


def test_external_org_kind_parses() -> None:
    assert isinstance(external_task().org, ExternalOrg)
