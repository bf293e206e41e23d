"""User scenarios derived from the suites' tasks: what is withheld, that the opening leaks none of it, and that each
withheld value is what the task's solution uses."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from crm_gym.conversation import scenario_for
from crm_gym.conversation.scenarios.crmarena_pro import SCENARIOS
from crm_gym.tasks.suites import load_suite

ARC = load_suite("arc")
PRO = load_suite("crmarena_pro", "test", scale="small")
ARC_SCENARIOS = {t.id: s for t in ARC if (s := scenario_for(t))}
PRO_SCENARIOS = {t.id: s for t in PRO if (s := scenario_for(t))}


def test_arc_write_workflows_have_scenarios_and_nothing_else_does() -> None:
    by_category = Counter(t.category for t in ARC if t.id in ARC_SCENARIOS)
    assert set(by_category) == {"create_opportunity", "modify_opportunity", "create_quote", "upload_document"}
    assert by_category["create_opportunity"] >= 40 and by_category["upload_document"] >= 20
    assert sum(by_category.values()) >= 100


@pytest.mark.parametrize("task", [t for t in ARC if t.id in ARC_SCENARIOS], ids=lambda t: t.id)
def test_an_arc_opening_leaves_out_every_withheld_value_the_solution_uses(task) -> None:  # noqa: ANN001
    scenario = ARC_SCENARIOS[task.id]
    calls = json.dumps([c.args for c in task.oracle.calls])
    for slot in scenario.withheld:
        assert slot.value.text not in scenario.opening
        if slot.kind != "client":  # a look-alike client's family name is in the opening by design
            assert all(str(v) not in scenario.opening for v in slot.value.binding.values())
        for value in slot.value.binding.values():
            assert json.dumps(value) in calls or str(value) in calls, (slot.kind, value)
    assert not set(scenario.unknown) & {s.kind for s in scenario.slots}


def test_arc_skips_the_cases_whose_outcome_no_held_value_decides() -> None:
    skipped = {
        t.id for t in ARC if t.category in ("modify_opportunity", "create_opportunity") and t.id not in ARC_SCENARIOS
    }
    prompts = {t.id: t.prompt for t in ARC if t.id in skipped}
    # the unknown client, moves of stage or owner alone, and a closed deal's locked amount
    assert any("Zephyrine" in p or "Northgate" in p for p in prompts.values())
    assert any("move it to" in p for p in prompts.values())
    assert any("hand" in p for p in prompts.values())
    assert any("added seats" in p for p in prompts.values())


def test_an_ambiguous_client_is_named_by_its_family_and_settled_by_its_candidates() -> None:
    ambiguous = [s for s in ARC_SCENARIOS.values() if (c := s.slot("client")) is not None and c.withheld]
    assert len(ambiguous) >= 10
    for scenario in ambiguous:
        client = scenario.slot("client")
        family = client.value.text.split()[0]
        assert family in scenario.opening and client.value.text not in scenario.opening
        assert len(client.options) >= 2 and client.value in client.options
        assert all(o.text.lower().startswith(family.lower()) for o in client.options)


def test_negative_cases_keep_the_users_own_wording_for_the_agent_to_correct_or_decline() -> None:
    texts = {
        s.slot(k).value.text
        for s in ARC_SCENARIOS.values()
        for k in ("stage", "close_date", "probability", "amount", "file_name")
        if s.slot(k)
    }
    assert "negotiations" in texts  # corrected to Negotiation
    assert any(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", t) for t in texts)  # corrected to ISO
    assert "125%" in texts and "-$15,000" in texts  # declined
    assert any(t.endswith(".exe") for t in texts) and any(t.endswith(".PDF") for t in texts)


def test_crmarena_pro_scenarios_withhold_period_product_customer_and_metric() -> None:
    kinds = Counter(s.kind for sc in PRO_SCENARIOS.values() for s in sc.withheld)
    assert {"period", "product", "metric"} <= set(kinds)
    categories = {t.category for t in PRO if t.id in PRO_SCENARIOS}
    assert categories <= set(SCENARIOS) and len(categories) >= 3


@pytest.mark.parametrize("task", [t for t in PRO if t.id in PRO_SCENARIOS], ids=lambda t: t.id)
def test_a_crmarena_pro_opening_names_no_withheld_fact(task) -> None:  # noqa: ANN001
    scenario = PRO_SCENARIOS[task.id]
    period = scenario.slot("period")
    assert period.value.binding["start"] == task.metadata["start"]
    assert period.value.text in task.prompt and period.value.text not in scenario.opening
    for slot in scenario.withheld:
        if slot.kind in ("product", "account"):
            named = slot.value.text.partition(" (the ")[0]  # a name, with the id the prompt gives after it
            assert named in task.prompt and named not in scenario.opening
            assert slot.value.binding[slot.kind] == task.metadata["target"]
            assert task.metadata["target"] not in scenario.opening
    assert not task.expected.is_none  # a None gold is what many wrong periods give: never withheld
    last = re.split(r"(?<=[?.)])\s+", task.prompt)[-1]
    assert scenario.opening.endswith(last)  # the answer instructions stay


def test_a_subject_is_told_by_the_words_the_prompt_used_and_a_description_keeps_its_meaning() -> None:
    told = {t.metadata["named_by"] for t in PRO if (s := PRO_SCENARIOS.get(t.id)) and s.slot("product")}
    assert len(told) >= 2 and told <= {"id", "name", "description"}, told  # the small split holds two of three ways
    for task in PRO:
        scenario = PRO_SCENARIOS.get(task.id)
        subject = scenario and (scenario.slot("product") or scenario.slot("account"))
        if subject and task.metadata["named_by"] == "id":
            assert f"(the {subject.kind} Id is {task.metadata['target']})" in subject.value.text
        if subject and task.metadata["named_by"] == "description" and subject.kind == "product":
            for statement in subject.statements:  # every customer's cases count, it says, as the prompt did
                said = statement.partition("{value}.")[2].strip()
                assert said and said in task.prompt and said not in scenario.opening


def test_a_withheld_slot_decides_the_gold_among_the_tasks_siblings() -> None:
    # Among the small suite's ranking tasks, a sibling that differs only in the period never has the same gold.
    for task in PRO:
        scenario = PRO_SCENARIOS.get(task.id)
        if scenario is None or scenario.slot("metric") or scenario.slot("product") or scenario.slot("account"):
            continue
        for other in PRO:
            same_way = all(other.metadata.get(k) == task.metadata.get(k) for k in ("metric", "lowest", "order"))
            other_period = other.metadata.get("start") != task.metadata["start"]
            if other.category == task.category and other.id != task.id and same_way and other_period:
                assert other.expected != task.expected


def test_a_task_of_another_suite_has_no_scenario() -> None:
    task = ARC[0].model_copy(update={"suite": "custom"})
    assert scenario_for(task) is None


def test_scenarios_are_the_same_every_time() -> None:
    assert all(scenario_for(t) == ARC_SCENARIOS[t.id] for t in ARC if t.id in ARC_SCENARIOS)
