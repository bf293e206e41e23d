"""The Arc half of the heuristic baseline: recognising the org, classifying requests, and solving the cases by
driving the real env with plans that read only the observation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from crm_gym import CrmArenaEnv, load_suite
from crm_gym.agents.baseline.arc import PLANS, arc_plan, classify_arc_request, is_arc_schema
from crm_gym.agents.baseline.arc_steps import corrected
from crm_gym.agents.baseline.plan import PlanContext
from crm_gym.entropy.drift import DRIFT_LEVELS, draw_drift
from crm_gym.envs.spaces import tool_parameters
from crm_gym.scoring.refusals import is_refusal
from crm_gym.world.schema import load_schema

# Measured: 175 of 175 test cases functional without drift (seed 0); the floor leaves room for harmless changes.
TEST_SPLIT_FLOOR = 0.9
# Requests worded unlike any suite case, on the suite's seed states: (case whose org and gold are reused, prompt).
PARAPHRASES = (
    (
        "arc-create_opportunity-018",
        'For Kestrel Energy Storage, open "Kestrel Energy Storage - Mobile App Rebuild", '
        "$120,000, expected to close 3/30/2025.",
    ),
    ("arc-modify_opportunity-011", 'Reassign "Quillon Health Partners - Analytics Rollout" to Tomas Lindgren.'),
    (
        "arc-modify_opportunity-004",
        "Update the probability of the Field Service App deal with Marigold Hotel Group to 65 percent.",
    ),
    ("arc-opportunity_search-004", "What prospecting deals does Priya Raman own?"),
    ("arc-opportunity_search-005", "Which opportunities of Bright Water Labs have an amount above $78,000?"),
    ("arc-upload_document-006", "Put Halvorsen_Mutual_NDA.pdf on the Halvorsen Marine client record."),
    ("arc-view_opportunity_details-002", 'What is the latest quote on "Quillon Health - Security Review"?'),
    (
        "arc-clone_opportunity-001",
        'Duplicate "Quillon Health - Security Review" as "Quillon Health - Security '
        'Review 2026" in prospecting with close date 2025-11-21.',
    ),
    ("arc-summarize_opportunities-002", "Which stage holds the most money in the Tesseract Robotics pipeline?"),
    ("arc-modify_opportunity-020", 'Make the probability of "Marigold Hotels - Analytics Rollout" 125%.'),
)
SEARCH_RESULT_EMPTY = '{"total": 0, "returned": 0, "results": []}'


class IdentityNames:
    """A resolver for an episode without drift: every name is its canonical name."""

    def object(self, canonical: str) -> str:
        return canonical

    def field(self, canonical_object: str, canonical_field: str) -> str:
        return canonical_field

    def argument(self, tool: str, canonical_argument: str) -> str:
        return canonical_argument


@pytest.fixture(scope="module")
def env() -> Iterator[CrmArenaEnv]:
    arena = CrmArenaEnv(suite="arc", split="test")
    yield arena
    arena.close()


def play(env: CrmArenaEnv, task_id: str, drift_level: str = "none", seed: int = 0) -> tuple[list[Any], dict]:
    """Run the Arc plan on one case; returns the actions taken and the final info."""
    observation, _ = env.reset(seed=seed, options={"task_id": task_id, "drift_level": drift_level})
    context = PlanContext(
        prompt=observation["prompt"],
        persona=observation["persona"],
        context=observation["context"],
        schema=observation["schema"],
        tools=tool_parameters(env.tool_specs()),
        names=IdentityNames(),
    )
    plan = arc_plan(context)
    actions = [next(plan)]
    while True:
        observation, _, terminated, truncated, info = env.step(actions[-1])
        if terminated or truncated:
            return actions, info
        actions.append(plan.send(observation["last_result"]))


def first_case(env: CrmArenaEnv, category: str) -> str:
    return next(t.id for t in env.tasks.values() if t.category == category and not t.metadata.get("negative"))


def schema_summary(profile: str, drift_level: str, seed: int) -> str:
    """The observation's schema text for a profile under a drift draw (the env's format)."""
    schema = load_schema(profile)
    drift = draw_drift(schema, drift_level, seed)
    lines = [
        f"{drift.object_name(name)}({', '.join(sorted(drift.field_name(name, f) for f in obj.fields))})"
        for name, obj in schema.objects.items()
    ]
    return "\n".join(sorted(lines))


def test_every_arc_request_is_classified_as_its_workflow() -> None:
    tasks = load_suite("arc", None)
    wrong = [(t.id, classify_arc_request(t.prompt)) for t in tasks if classify_arc_request(t.prompt) != t.category]
    assert not wrong
    assert {t.category for t in tasks} == set(PLANS)


@pytest.mark.parametrize("level", DRIFT_LEVELS)
def test_the_arc_schema_is_recognised_under_drift_and_crmarena_is_not(level: str) -> None:
    for seed in range(5):
        assert is_arc_schema(schema_summary("arc", level, seed))
        assert not is_arc_schema(schema_summary("crmarena_pro_b2b", level, seed))
    assert not is_arc_schema("")


@pytest.mark.parametrize("category", sorted(PLANS))
def test_each_workflow_solves_its_first_case(env: CrmArenaEnv, category: str) -> None:
    _, info = play(env, first_case(env, category))
    assert info["functional"] == 1.0, info["outcome"]


def test_a_rejected_value_is_corrected_from_the_error_and_retried_once(env: CrmArenaEnv) -> None:
    task_id = "arc-upload_document-005"  # "...Questionnaire.PDF": the API wants a lower-case extension
    actions, info = play(env, task_id)
    uploads = [a["args"]["file_name"] for a in actions if a.get("tool") == "upload_document"]
    assert uploads == [
        "Lindqvist_Construction_Security_Questionnaire.PDF",
        "Lindqvist_Construction_Security_Questionnaire.pdf",
    ]
    assert info["functional"] == 1.0, info["outcome"]


@pytest.mark.parametrize(
    ("error", "args", "expected"),
    [
        (
            "Opportunity.stage: 'Negotiations' is not allowed; expected one of 'Proposal', 'Negotiation'.",
            {"stage": "Negotiations"},
            {"stage": "Negotiation"},
        ),
        (
            "Quote.valid_until: '8/8/2025' is not allowed; expected an ISO date YYYY-MM-DD.",
            {"valid_until": "8/8/2025"},
            {"valid_until": "2025-08-08"},
        ),
        (
            "modify_opportunity argument 'probability': 'fifty' is invalid (Input should be a valid integer, unable to "
            "parse string as an integer).",
            {"probability": "fifty"},
            {"probability": 50},
        ),
        (
            "Opportunity.amount: -15000.0 is not allowed; expected a number > 0, <= 10000000.",
            {"amount": -15000.0},
            None,
        ),
        (
            "Document.file_name: 'a.exe' is not allowed; use only letters (the name must match "
            "^[A-Za-z0-9._-]+\\.(pdf|doc)$).",
            {"file_name": "a.exe"},
            None,
        ),
    ],
)
def test_errors_are_corrected_only_when_the_intent_is_clear(error: str, args: dict, expected: dict | None) -> None:
    assert corrected(error, args) == expected


@pytest.mark.parametrize(
    "task_id",
    ["arc-modify_opportunity-010", "arc-create_opportunity-012", "arc-upload_document-010", "arc-create_client-002"],
)
def test_a_request_that_breaks_a_rule_is_declined_without_a_change(env: CrmArenaEnv, task_id: str) -> None:
    actions, info = play(env, task_id)
    assert "answer" in actions[-1] and is_refusal(actions[-1]["answer"])
    assert info["functional"] == 1.0, info["outcome"]


def test_requests_worded_unlike_the_suite_are_solved_too() -> None:
    cases = {t.id: t for t in load_suite("arc", None)}
    tasks = [cases[task_id].model_copy(update={"prompt": prompt}) for task_id, prompt in PARAPHRASES]
    arena = CrmArenaEnv(tasks=tasks)
    failed = [(t.prompt, info["outcome"]) for t in tasks if (info := play(arena, t.id)[1])["functional"] != 1.0]
    assert not failed


def test_the_share_solved_on_the_test_split_is_above_the_floor(env: CrmArenaEnv) -> None:
    solved = [play(env, task_id)[1]["functional"] == 1.0 for task_id in env.tasks]
    assert len(solved) == 175
    assert sum(solved) / len(solved) >= TEST_SPLIT_FLOOR


def test_the_same_case_gives_the_same_actions(env: CrmArenaEnv) -> None:
    ids = list(env.tasks)[::9]
    first = [json.dumps(play(env, task_id)[0], sort_keys=True) for task_id in ids]
    second = [json.dumps(play(env, task_id)[0], sort_keys=True) for task_id in ids]
    assert first == second


def test_high_drift_with_a_naive_resolver_never_raises(env: CrmArenaEnv) -> None:
    for task_id in list(env.tasks)[::3]:
        actions, info = play(env, task_id, drift_level="high", seed=1)
        assert info["status"] in ("completed", "truncated")
        assert all(isinstance(a, dict) for a in actions)


@pytest.mark.parametrize("reply", [SEARCH_RESULT_EMPTY, "Error: something failed", "not json", "[]"])
def test_garbled_requests_and_replies_still_end_in_an_answer(reply: str) -> None:
    prompts = [t.prompt for t in load_suite("arc", "dev")]
    prompts += [" ".join(reversed(p.split())) for p in prompts] + ["", '""', "Delete", "Quote Q- version"]
    for prompt in prompts:
        plan = arc_plan(PlanContext(prompt, "", "", "", {}, IdentityNames()))
        action = next(plan)
        for _ in range(20):
            if "answer" in action:
                break
            action = plan.send(reply)
        assert isinstance(action.get("answer"), str), prompt
