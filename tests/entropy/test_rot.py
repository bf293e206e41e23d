"""Context rot: seeded, valid, inert near-duplicates, and a gold answer that provably does not change."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date

import pytest

from crm_gym.api.registry import registered_tools
from crm_gym.entropy.perturb import MIN_NAME_SIMILARITY, similarity
from crm_gym.entropy.rot import (
    DISTRACTORS_PER_TARGET,
    MAX_TARGETS,
    PASSAGES_PER_LEVEL,
    RECIPES,
    ROT_LEVELS,
    RotReport,
    apply_rot,
    distractor_hits,
    rot_context,
    rot_targets,
)
from crm_gym.scoring.outcome import score_outcome
from crm_gym.tasks.categories import CATEGORIES
from crm_gym.tasks.model import AnswerExpectation, GeneratedOrg, RequiredContext, Task
from crm_gym.tasks.replay import replay_calls
from crm_gym.tasks.suites.arc import load_arc_suite
from crm_gym.tasks.suites.crmarena_pro import generators  # noqa: F401  (registers every generator written so far)
from crm_gym.tasks.suites.crmarena_pro.framework import GENERATORS, PROFILE, GenerationContext, instance_to_task
from crm_gym.world.models import validate_values
from crm_gym.world.world import World

ORGS = {
    "arc": GeneratedOrg(profile="arc", seed=3, scale="tiny"),
    "crmarena_pro_b2b": GeneratedOrg(profile="crmarena_pro_b2b", seed=0, scale="small"),
}


def _naming_tasks(profile: str) -> list[Task]:
    """Tasks whose gold answers name one record of every object with a recipe (at most MAX_TARGETS per task)."""
    org = ORGS[profile]
    world = org.build()
    pks = {name: world.schema.object(name).primary_key for name in RECIPES[profile]}
    ids = [rows[len(rows) // 2][pks[name]] for name in RECIPES[profile] if (rows := world.rows(name))]
    assert len(ids) == len(RECIPES[profile]), "the org should hold a record of every object with a recipe"
    return [
        Task(
            id=f"rot-{profile}-{i}",
            suite="rot_demo",
            split="test",
            org=org,
            category="lookup",
            prompt="Which records?",
            required_context=RequiredContext(policy="Answer with record ids."),
            expected=AnswerExpectation(answers=tuple(chunk), metric="exact_match", answer_kind="record_id"),
        )
        for i, chunk in enumerate(ids[k : k + MAX_TARGETS] for k in range(0, len(ids), MAX_TARGETS))
    ]


TASKS = {profile: _naming_tasks(profile) for profile in ORGS}
CASES = [(profile, i) for profile in ORGS for i in range(len(TASKS[profile]))]


def _rotted(profile: str, i: int, level: str = "high", seed: int = 0) -> tuple[World, Task, RotReport]:
    task = TASKS[profile][i]
    world = task.build_world()
    return world, task, apply_rot(world, task, level, seed)


def _own_fields(world: World, name: str) -> list[str]:
    obj = world.schema.object(name)
    return [f for f in obj.fields if f != obj.primary_key and f not in obj.references()]


def _close(world: World, name: str, field: str, row: dict, target: dict) -> bool:
    """True when the distractor's value is the target's, or within one perturbation of it."""
    a, b = row[field], target[field]
    kind = world.schema.object(name).fields[field].type
    if a == b:
        return True
    if a is None or b is None:
        return False
    if kind == "number":
        return abs(a - b) <= 0.3 * abs(b) + 0.01
    if kind in ("date", "datetime"):
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days) <= 45
    if kind == "text":  # one sentence replaced or added: another sentence of the target survives
        return any(sentence in a for sentence in re.split(r"(?<=[.!?])\s+", b))
    return similarity(str(a), str(b)) >= MIN_NAME_SIMILARITY


def _sha(world: World) -> str:
    return hashlib.sha256(world.snapshot()).hexdigest()


# -- counts, determinism, validity ------------------------------------------------------------------------


@pytest.mark.parametrize("level", ROT_LEVELS)
@pytest.mark.parametrize(("profile", "i"), CASES)
def test_distractors_per_target_follow_the_level(profile: str, i: int, level: str) -> None:
    world, task, report = _rotted(profile, i, level)
    low, high = DISTRACTORS_PER_TARGET[level]
    targets = [record_id for _, record_id in rot_targets(world, task)]
    assert targets == list(task.expected.answers)  # a record of every object with a recipe is a target
    assert list(report.distractors) == ([] if level == "none" else targets)
    assert all(low <= len(ids) <= high for ids in report.distractors.values())
    assert len(report.passages) == PASSAGES_PER_LEVEL[level]
    assert world.count() == task.build_world().count() + len(report.distractor_ids)


def test_rot_none_changes_nothing() -> None:
    task = TASKS["crmarena_pro_b2b"][0]
    world = task.build_world()
    before = world.snapshot()
    report = apply_rot(world, task, "none", seed=5)
    assert world.snapshot() == before
    assert report.distractor_ids == () and report.passages == ()
    assert rot_context(task.public_view(), report) == task.public_view()


def test_unknown_level_is_refused() -> None:
    task = TASKS["arc"][0]
    with pytest.raises(ValueError, match=r"Unknown rot level 'extreme'; expected one of none, low, medium, high"):
        apply_rot(task.build_world(), task, "extreme", seed=0)  # type: ignore[arg-type]


@pytest.mark.parametrize(("profile", "i"), CASES)
def test_same_seed_same_rows_byte_for_byte(profile: str, i: int) -> None:
    first, _, report_a = _rotted(profile, i, seed=7)
    second, _, report_b = _rotted(profile, i, seed=7)
    other, _, _ = _rotted(profile, i, seed=8)
    assert _sha(first) == _sha(second)
    assert report_a == report_b
    assert _sha(other) != _sha(first)


@pytest.mark.parametrize(("profile", "i"), CASES)
def test_every_distractor_is_a_valid_row_outside_the_episode_diff(profile: str, i: int) -> None:
    world, _, report = _rotted(profile, i)
    assert world.integrity_violations() == []
    assert world.diff().created == []  # the baseline was marked after the distractors
    for record_id in report.distractor_ids:
        obj = world.schema.object(report.objects[record_id])
        row = world.get(obj.name, record_id)
        assert row is not None
        validate_values(world.schema, obj.name, {k: v for k, v in row.items() if k != obj.primary_key})


# -- near-duplicates, and inert ---------------------------------------------------------------------------


@pytest.mark.parametrize(("profile", "i"), CASES)
def test_distractors_look_like_their_target(profile: str, i: int) -> None:
    world, _, report = _rotted(profile, i)
    for target_id, ids in report.distractors.items():
        name = report.objects[target_id]
        recipe = RECIPES[profile][name]
        target = world.get(name, target_id)
        for record_id in ids:
            row = world.get(name, record_id)
            if recipe.name_field is not None:
                assert row[recipe.name_field] != target[recipe.name_field]
                assert similarity(row[recipe.name_field], target[recipe.name_field]) >= MIN_NAME_SIMILARITY
            assert row != target
            fields = [f for f in _own_fields(world, name) if f not in recipe.fixed]
            far = [f for f in fields if not _close(world, name, f, row, target)]
            assert not far, f"{name} {record_id} differs from its target beyond a perturbation in {far}"


@pytest.mark.parametrize(("profile", "i"), CASES)
def test_distractors_are_unlinked_from_the_real_org(profile: str, i: int) -> None:
    """No real record points at a distractor; a distractor points only at look-alike parents; fixed values hold."""
    world, _, report = _rotted(profile, i)
    rotted = set(report.distractor_ids)
    marks = ", ".join("?" for _ in rotted)
    for obj in world.schema.objects.values():
        for field in obj.references():
            sql = (
                f'SELECT count(*) FROM "{obj.name}" WHERE "{field}" IN ({marks}) '
                f'AND "{obj.primary_key}" NOT IN ({marks})'
            )
            assert world.conn.execute(sql, [*rotted, *rotted]).fetchone()[0] == 0, f"{obj.name}.{field}"
    for record_id in report.distractor_ids:
        name = report.objects[record_id]
        row = world.get(name, record_id)
        obj = world.schema.object(name)
        assert all(row[f] is None or row[f] in report.parents for f in obj.references()), row
        assert all(row[f] == v for f, v in RECIPES[profile][name].fixed.items()), row


def test_distractor_hits_finds_the_ids_an_agent_used() -> None:
    _, task, report = _rotted("crmarena_pro_b2b", 0)
    target_id, ids = next(iter(report.distractors.items()))
    call = json.dumps({"tool": "get", "args": {"record_id": ids[0]}})
    answer = f"It is {ids[1][:15]} (and {target_id})."
    assert distractor_hits(report, [call, answer]) == [ids[0], ids[1]]
    assert distractor_hits(report, [target_id, ids[0].lower()]) == []  # Salesforce ids are case-sensitive
    _, _, arc_report = _rotted("arc", 0)
    arc_id = arc_report.distractor_ids[-1]
    assert distractor_hits(arc_report, [f"client_search {arc_id.upper()}"]) == [arc_id]


# -- passages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["low", "high"])
def test_passages_follow_the_policy_and_state_no_rule_in_force(level: str) -> None:
    _, task, report = _rotted("crmarena_pro_b2b", 0, level, seed=3)
    view = rot_context(task.public_view(), report)
    policy = task.required_context.policy
    assert view.required_context.policy == "\n\n".join([policy, *report.passages])
    assert view.required_context.record_id == task.required_context.record_id
    assert view.prompt == task.prompt
    for passage in report.passages:
        if passage.startswith("Team note"):
            assert any(record_id in passage for record_id in report.distractor_ids)
        else:
            assert "no longer applies" in passage or "replaced since" in passage


def test_passages_are_seeded() -> None:
    reports = [_rotted("arc", 0, "high", seed)[2].passages for seed in (1, 1, 2)]
    assert reports[0] == reports[1] != reports[2]


# -- the gold answer does not change ----------------------------------------------------------------------


def test_arc_oracles_still_pass_on_rotted_orgs() -> None:
    """Every arc oracle still passes at high rot, and its lookups by id, owner or stage read exactly what they did.

    Only free-text searches (a ``query`` argument) may meet the look-alikes: that is the rot.
    """
    tools = registered_tools()
    rotted_tasks = 0
    for seed, task in enumerate(load_arc_suite()):
        world = task.build_world()
        report = apply_rot(world, task, "high", seed)
        rotted_tasks += bool(report.distractors)
        assert world.integrity_violations() == [], task.id
        replay = replay_calls(task, task.oracle.calls, world)
        outcome = score_outcome(task, replay.world, task.oracle.answer, task.oracle.calls, replay.results)
        assert outcome.passed, f"{task.id}: {outcome.reason}"
        pristine = replay_calls(task, task.oracle.calls)
        for call, before, after in zip(task.oracle.calls, pristine.results, replay.results, strict=True):
            if not tools[call.tool].writes and "query" not in call.args:
                assert after.text() == before.text(), f"{task.id}: {call.tool} {call.args} reads distractors"
    assert rotted_tasks >= 0.9 * len(load_arc_suite())  # almost every case names a record that gets look-alikes


SAMPLE_PER_CATEGORY = 4
GOLD_ORG = GeneratedOrg(profile=PROFILE, seed=0, scale="small")
# A generator's seed picks which candidates it yields and how prompts read, never a candidate's gold; a rotted
# task the seed-0 run skipped (distractors shift the draws) is looked for under other seeds.
EXTRA_SEEDS = range(1, 16)

Gold = dict[str, tuple[str | None, ...]]


def _gold(world: World, category: str, seed: int = 0) -> Gold:
    return {inst.key: inst.answers for inst in GENERATORS[category](GenerationContext(world, category, seed))}


@pytest.fixture(scope="module")
def gold_worlds() -> tuple[World, World, dict[str, Gold]]:
    """The pristine org; a copy rotted (high) for a sample of every registered category's tasks; those tasks' gold."""
    pristine = GOLD_ORG.build()
    rotted = pristine.copy()
    sampled: dict[str, Gold] = {}
    for category in sorted(GENERATORS):
        ctx = GenerationContext(pristine, category, 0)
        instances = sorted(GENERATORS[category](ctx), key=lambda inst: inst.key)
        step = max(1, len(instances) // SAMPLE_PER_CATEGORY)
        sampled[category] = {}
        for n, inst in enumerate(instances[::step][:SAMPLE_PER_CATEGORY]):
            report = apply_rot(rotted, instance_to_task(inst, ctx, "test", n, GOLD_ORG), "high", seed=n)
            names_a_record = bool(inst.record_id) or (ctx.category.answer_kind == "record_id" and not inst.is_none)
            assert report.distractors or not names_a_record, f"{category} {inst.key}: no distractor was added"
            sampled[category][inst.key] = inst.answers
    return pristine, rotted, sampled


@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_crmarena_gold_is_unchanged_on_the_rotted_org(category: str, gold_worlds: tuple) -> None:
    """Re-running the category's generator on the rotted org gives every instance the gold it had before."""
    if category not in GENERATORS:
        pytest.skip(f"no generator registered for {category!r} yet")
    pristine, rotted, sampled = gold_worlds
    assert rotted.integrity_violations() == []
    before, after = _gold(pristine, category), _gold(rotted, category)
    compared = {key: (gold, after[key]) for key, gold in before.items() if key in after}
    unseen = {key: gold for key, gold in before.items() if key not in after}
    for seed in EXTRA_SEEDS:
        if not unseen:
            break
        more = _gold(rotted, category, seed)
        compared |= {key: (gold, more[key]) for key, gold in unseen.items() if key in more}
        unseen = {key: gold for key, gold in unseen.items() if key not in more}
    lost = sorted(key for key in sampled[category] if key not in compared)
    assert not lost, f"{category}: rotted tasks {lost} are no longer generated"
    assert len(compared) >= len(before) // 2, f"{category}: only {len(compared)} of {len(before)} instances compared"
    changed = {key: pair for key, pair in sorted(compared.items()) if pair[0] != pair[1]}
    example = next(iter(changed.items()), None)
    assert not changed, f"{category}: rot changed the gold of {len(changed)} instance(s), e.g. {example}"
