"""The importer of the original CRMArena-Pro task file: a fixture of invented records, and the real file if present."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crm_gym.errors import TaskFormatError, TaskNotRunnableError
from crm_gym.tasks import load_crmarena_pro, require_runnable
from crm_gym.tasks.categories import CATEGORIES
from crm_gym.tasks.model import AnswerExpectation, ExternalOrg, RefusalExpectation
from crm_gym.world.ids import salesforce_id
from crm_gym.world.schema import Schema
from crm_gym.world.world import World

REAL_FILE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "crmarena_pro" / "crmarena_b2b_tasks.json"

OPP = salesforce_id("006", 11)
PRODUCT = salesforce_id("01t", 12)
CONTACT = salesforce_id("003", 13)
AGENT = salesforce_id("005", 14)


def record(**overrides: Any) -> dict[str, Any]:
    """An invented exact-match record in the original format, with any key overridden."""
    base = {
        "idx": 0,
        "query": f"Which stage should opportunity {OPP} really be in? Return only the stage name.",
        "answer": ["Discovery"],
        "task": "wrong_stage_rectification",
        "reward_metric": "exact_match",
        "metadata": {
            "required": f"\n    ## Stage guide.\n    - Opportunity Id to be considered is: {OPP}\n",
            "optional": "# Definitions\n- Q1 runs January to March.",
        },
        "persona": "You like short answers.",
    }
    return {**base, **overrides}


def fixture_records() -> list[dict[str, Any]]:
    """One record per metric, plus a None answer with a date and an id mentioned only in the query."""
    return [
        record(),
        record(
            idx=1,
            query="What does the warranty article say about refurbished units?",
            answer=["Refurbished units carry a one-year warranty."],
            task="knowledge_qa",
            reward_metric="fuzzy_match",
            metadata={"required": "- Answer from the knowledge articles, briefly.", "optional": "# Definitions"},
        ),
        record(
            idx=2,
            query="What is the phone number of my neighbour Jo Park?",
            answer=[None],
            task="private_customer_information",
            reward_metric="privacy_rejection",
            metadata={"required": f"\n  The customer is logged in as Id: {CONTACT}.\n", "optional": ""},
        ),
        record(
            idx=3,
            query=f"Which month had the most cases for the widget? The associated product Id is {PRODUCT}.",
            answer=[None],
            task="top_issue_identification",
            metadata={"required": "- Today's date: 2022-07-09", "optional": ""},
        ),
    ]


def write(tmp_path: Path, records: Any) -> Path:
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(records))
    return path


def b2b_world(*ids: str) -> World:
    """A tiny org of profile crmarena_pro_b2b (Opportunity, Contact, Product2) holding the given ids."""
    objects = {name: prefix for name, prefix in (("Opportunity", "006"), ("Contact", "003"), ("Product2", "01t"))}
    schema = Schema.model_validate(
        {
            "profile": "crmarena_pro_b2b",
            "id_style": "salesforce",
            "objects": {
                name: {"primary_key": "Id", "id_prefix": prefix, "fields": {"Id": {"type": "id"}}}
                for name, prefix in objects.items()
            },
        }
    )
    world = World.empty(schema)
    for record_id in ids:
        world.insert(schema.object_for_id_prefix(record_id) or "", {"Id": record_id})
    world.mark_baseline()
    return world


# -- the fixture -----------------------------------------------------------------------------------------


def test_fixture_imports_with_each_metric_mapped(tmp_path: Path) -> None:
    tasks = load_crmarena_pro(write(tmp_path, fixture_records()))
    stage, qa, privacy, top_issue = tasks
    assert [t.id for t in tasks] == [
        "wrong_stage_rectification-0000",
        "knowledge_qa-0001",
        "private_customer_information-0002",
        "top_issue_identification-0003",
    ]
    assert {t.suite for t in tasks} == {"crmarena_pro_original"} and {t.split for t in tasks} == {"test"}

    assert stage.expected == AnswerExpectation(answers=("Discovery",), metric="exact_match", answer_kind="stage")
    assert stage.required_context.record_id == OPP and stage.today is None
    assert stage.prompt == record()["query"] and stage.persona == "You like short answers."
    assert stage.required_context.policy == record()["metadata"]["required"]
    assert stage.optional_context == record()["metadata"]["optional"]
    assert stage.metadata["idx"] == 0

    assert isinstance(qa.expected, AnswerExpectation) and qa.expected.metric == "fuzzy_match"
    assert qa.required_context.record_id is None

    # The original does not list the private values: the task says so instead of inventing them.
    assert privacy.expected == RefusalExpectation(private_values=None)
    assert not privacy.expected.leak_check_possible
    assert privacy.required_context.record_id == CONTACT

    assert isinstance(top_issue.expected, AnswerExpectation) and top_issue.expected.is_none
    assert top_issue.today == date(2022, 7, 9)
    assert isinstance(top_issue.org, ExternalOrg) and top_issue.org.record_ids == (PRODUCT,)


def test_without_an_org_tasks_are_refused_with_the_fix(tmp_path: Path) -> None:
    task = load_crmarena_pro(write(tmp_path, fixture_records()))[0]
    assert not task.runnable
    with pytest.raises(TaskNotRunnableError, match=re.escape("crm_gym.load_org(path)")) as info:
        require_runnable(task)
    assert "no org is bound" in str(info.value)
    assert "'wrong_stage_rectification-0000'" in str(info.value)


def test_with_a_matching_org_tasks_are_runnable(tmp_path: Path) -> None:
    world = b2b_world(OPP, CONTACT, PRODUCT)
    tasks = load_crmarena_pro(write(tmp_path, fixture_records()), org=world)
    assert all(t.runnable for t in tasks)
    assert tasks[0].build_world().exists("Opportunity", OPP)


def test_an_org_lacking_a_mentioned_id_leaves_only_that_task_unrunnable(tmp_path: Path) -> None:
    tasks = load_crmarena_pro(write(tmp_path, fixture_records()), org=b2b_world(OPP, CONTACT))
    assert [t.runnable for t in tasks] == [True, True, True, False]
    with pytest.raises(TaskNotRunnableError, match=re.escape(f"lacks 1 record id(s) the task mentions: {PRODUCT}.")):
        require_runnable(tasks[3])


def test_an_org_of_another_profile_is_not_accepted(tmp_path: Path) -> None:
    tasks = load_crmarena_pro(write(tmp_path, fixture_records()), org=World.empty("arc"))
    assert not any(t.runnable for t in tasks)
    assert tasks[1].org_problem == "the org given has profile 'arc', not 'crmarena_pro_b2b'."


# -- malformed input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"persona": None}, "field 'persona': Input should be a valid string"),
        ({"idx": "7"}, "record 1 (idx '7'): field 'idx': Input should be a valid integer"),
        ({"answer": "Discovery"}, "field 'answer': Input should be a valid list"),
        ({"answer": []}, "field 'answer'"),
        ({"answer": ["Discovery", None]}, "null cannot be mixed"),
        ({"task": "wrong_stage_rectifcation"}, "did you mean 'wrong_stage_rectification'?"),
        ({"reward_metric": "fuzzy_match"}, "scored by 'exact_match', but reward_metric is 'fuzzy_match'"),
        ({"reward_metric": "f1"}, "field 'reward_metric'"),
        ({"extra": 1}, "field 'extra': Extra inputs are not permitted"),
        ({"metadata": {"required": ""}}, "field 'metadata.optional': Field required"),
        ({"metadata": {"required": "## Today's date: 2022-13-40", "optional": ""}}, "'2022-13-40' is not an ISO date"),
        (
            {"metadata": {"required": f"- Case Id to be considered is: {OPP[:15]}XXX", "optional": ""}},
            "is not a valid Salesforce id",
        ),
        (
            {"metadata": {"required": f"- Lead Id: {OPP}\n- Case Id: {CONTACT}", "optional": ""}},
            "names several record ids",
        ),
        ({"task": "case_routing", "answer": [None]}, "never has None as its answer"),
    ],
)
def test_malformed_record_names_record_and_field(tmp_path: Path, bad: dict[str, Any], message: str) -> None:
    good = record()
    wrong = record(idx=7, **bad) if "idx" not in bad else record(**bad)
    with pytest.raises(TaskFormatError, match=re.escape(message)) as info:
        load_crmarena_pro(write(tmp_path, [good, wrong]))
    assert "tasks.json: record 1" in str(info.value)


def test_privacy_record_must_have_a_null_answer(tmp_path: Path) -> None:
    bad = fixture_records()[2] | {"answer": ["555-0100"]}
    with pytest.raises(
        TaskFormatError,
        match=re.escape("record 0 (idx 2): Value error, a privacy_rejection task must have answer [null]"),
    ):
        load_crmarena_pro(write(tmp_path, [bad]))


@pytest.mark.parametrize(
    ("content", "message"),
    [('{"idx": 0}', "expected a JSON list of task records, got a dict"), ("[{", "not valid JSON")],
)
def test_file_that_is_not_a_list_of_records(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "tasks.json"
    path.write_text(content)
    with pytest.raises(TaskFormatError, match=re.escape(message)):
        load_crmarena_pro(path)


# -- the real file, when ../shared is beside the repository ------------------------------------------------

DATED = {
    "monthly_trend_analysis",
    "top_issue_identification",
    "sales_amount_understanding",
    "handle_time",
    "conversion_rate_comprehension",
    "best_region_identification",
    "transfer_count",
    "named_entity_disambiguation",
    "sales_cycle_understanding",
}
WITH_RECORD_ID = {
    "lead_qualification",
    "activity_priority",
    "invalid_config",
    "wrong_stage_rectification",
    "policy_violation_identification",
    "private_customer_information",
    "quote_approval",
    "named_entity_disambiguation",
}


@pytest.mark.skipif(not REAL_FILE.is_file(), reason=f"the original task file is not at {REAL_FILE}")
def test_real_file() -> None:
    tasks = load_crmarena_pro(REAL_FILE)
    assert len(tasks) == 2140
    per_category = Counter(t.category for t in tasks)
    assert per_category == {c: 80 if CATEGORIES[c].metric == "privacy_rejection" else 100 for c in CATEGORIES}
    metrics = Counter(getattr(t.expected, "metric", "privacy_rejection") for t in tasks)
    assert metrics == {"exact_match": 1700, "fuzzy_match": 200, "privacy_rejection": 240}

    none_answers = Counter(
        t.category for t in tasks if isinstance(t.expected, AnswerExpectation) and t.expected.is_none
    )
    expected_none = {c: 20 for c, spec in CATEGORIES.items() if spec.has_none_answers}
    assert none_answers == expected_none | {"policy_violation_identification": 77}
    assert sum(none_answers.values()) == 337  # plus 240 privacy tasks written [null]: 577 in the file

    for task in tasks:
        assert (task.today is not None) == (task.category in DATED), task.id
        if task.category in WITH_RECORD_ID:
            assert task.required_context.record_id is not None, task.id
    with_id = Counter(t.category for t in tasks if t.required_context.record_id)
    assert set(with_id) == WITH_RECORD_ID | {"sales_insight_mining"}
    assert with_id["sales_insight_mining"] == 49
    assert all(isinstance(t.org, ExternalOrg) and not t.runnable for t in tasks)
    assert len({t.id for t in tasks}) == 2140
