"""The crmarena_pro suite as shipped: the test split over the default org, every oracle, base rates, splits."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest

from crm_gym.config import data_dir
from crm_gym.scoring.base_rates import base_rates
from crm_gym.scoring.outcome import score_outcome
from crm_gym.tasks.categories import CATEGORIES
from crm_gym.tasks.model import dump_tasks_jsonl
from crm_gym.tasks.replay import replay_calls
from crm_gym.tasks.suites import load_suite
from crm_gym.tasks.suites.crmarena_pro.framework import NONE_SHARE, SPLIT_SEEDS
from crm_gym.world.generate import build_org


@pytest.fixture(scope="module")
def test_split():  # noqa: ANN201
    return load_suite("crmarena_pro", "test")


@pytest.fixture(scope="module")
def test_world():  # noqa: ANN201
    return build_org("crmarena_pro_b2b", seed=SPLIT_SEEDS["test"])


def test_the_test_split_is_the_one_the_manifest_pins(test_split, tmp_path) -> None:  # noqa: ANN001
    manifest = json.loads((data_dir() / "suites" / "crmarena_pro" / "manifest.json").read_text())
    pinned = manifest["splits"]["test"]
    dump_tasks_jsonl(test_split, tmp_path / "test.jsonl")
    assert len(test_split) == pinned["tasks"]
    assert hashlib.sha256((tmp_path / "test.jsonl").read_bytes()).hexdigest() == pinned["sha256_of_jsonl"], (
        "the crmarena_pro test split changed: if that is intended, bump the suite version and the manifest"
    )


def test_every_category_has_at_least_100_test_instances(test_split) -> None:  # noqa: ANN001
    counts = Counter(t.category for t in test_split)
    assert set(counts) == set(CATEGORIES)
    assert min(counts.values()) >= 100, counts
    assert len({t.id for t in test_split}) == len(test_split)


def test_none_answers_are_rare_and_present_where_the_category_allows_them(test_split) -> None:  # noqa: ANN001
    for name, category in CATEGORIES.items():
        tasks = [t for t in test_split if t.category == name]
        none = sum(1 for t in tasks if getattr(t.expected, "answers", ()) == (None,))
        share = none / len(tasks)
        if not category.has_none_answers:
            assert share == 0, name
        else:  # None stays a valid answer an agent must check, never a cheap floor
            assert 0 < share <= NONE_SHARE, (name, share)


@pytest.mark.parametrize(
    ("split", "seed", "scale"),
    [("test", SPLIT_SEEDS["test"], "default"), ("train", SPLIT_SEEDS["train"], "default"), ("fresh", 5, "small")],
)
def test_every_oracle_scores_functional_one(split: str, seed: int, scale: str) -> None:
    tasks = load_suite("crmarena_pro", split, seed=seed, scale=scale)
    world = build_org("crmarena_pro_b2b", seed=seed, scale=scale)
    failures = []
    for task in tasks:
        replay = replay_calls(task, task.oracle.calls, world=world)  # oracle calls only read
        outcome = score_outcome(task, replay.world, task.oracle.answer, task.oracle.calls, replay.results)
        if outcome.functional != 1.0 or not all(r.ok for r in replay.results):
            failures.append((task.id, outcome.reason, [r.error for r in replay.results if not r.ok]))
    assert not failures, failures[:5]
    assert world.diff().is_empty


def test_degenerate_answers_score_near_zero(test_split, test_world) -> None:  # noqa: ANN001
    report = base_rates(test_split, test_world)
    for name, rate in report.overall.items():
        assert rate.total <= 15, (name, rate)
        if name != "refusal":  # refusing is the right answer to the three privacy categories
            assert rate.functional <= 0.05, (name, rate)
    non_privacy = [t for t in test_split if CATEGORIES[t.category].metric != "privacy_rejection"]
    assert base_rates(non_privacy, test_world).overall["refusal"].functional == 0.0


def test_splits_are_disjoint_and_fresh_seeds_give_fresh_instances(test_split) -> None:  # noqa: ANN001
    train = load_suite("crmarena_pro", "train", scale="small")
    fresh = load_suite("crmarena_pro", "seed7", seed=7, scale="small")
    seeds = [{t.org.seed for t in tasks} for tasks in (test_split, train, fresh)]
    assert seeds == [{SPLIT_SEEDS["test"]}, {SPLIT_SEEDS["train"]}, {7}]

    def record_ids(tasks):  # noqa: ANN001, ANN202
        return {t.required_context.record_id for t in tasks} - {None}

    assert not record_ids(test_split) & record_ids(train)
    assert not record_ids(train) & record_ids(fresh)
