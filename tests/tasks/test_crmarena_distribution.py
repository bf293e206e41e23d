"""The crmarena_pro test split measures CRM skill: every bar of the task distribution, on the real (default) org."""

from __future__ import annotations

from collections import defaultdict

import pytest

from crm_gym.scoring.suite_stats import FLOORS, suite_stats
from crm_gym.tasks.categories import CATEGORIES
from crm_gym.tasks.suites import load_suite
from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, gold_cap, golds_under_readings

MIN_SHAPES = 50  # distinct prompt shapes per 100 tasks
SHAPE_EXCEPTED = {"case_routing"}  # its prompt is the case itself
MAX_FLOOR = 0.05
MAX_REFUSAL_RULE = 0.55
MIN_DEEP = 0.25  # share of the split whose oracle makes 4 or more calls
MAX_SENTENCE_SHARE = 0.02


@pytest.fixture(scope="module")
def split():  # noqa: ANN201
    test, train = load_suite("crmarena_pro", "test"), load_suite("crmarena_pro", "train")
    world = test[0].build_world()
    return test, train, world, suite_stats(test, world, train)


def test_every_category_meets_the_variety_balance_and_none_bars(split) -> None:  # noqa: ANN001
    _, _, _, stats = split
    assert set(stats.by_category) == set(CATEGORIES)
    for name, c in stats.by_category.items():
        if name not in SHAPE_EXCEPTED:
            assert c.prompt_shapes_per_100 >= MIN_SHAPES, (name, c.prompt_shapes_per_100)
        assert c.shapes_seen_in_train == 0, (name, c.shapes_seen_in_train)
        assert c.none_share <= 0.05 + 1e-9, (name, c.none_share)
        if CATEGORIES[name].metric != "privacy_rejection":  # refusals: bounded by the refusal rules' bar below
            assert c.top_gold_share <= gold_cap(CATEGORIES[name], 100) / 100 + 1e-9, (name, c.top_gold)


def test_no_content_blind_policy_scores(split) -> None:  # noqa: ANN001
    _, _, _, stats = split
    for name in FLOORS:
        assert stats.floors[name] <= MAX_FLOOR, (name, stats.floors[name])
    assert stats.privacy is not None and stats.privacy.legitimate > 0
    assert stats.privacy.refuse_all <= MAX_REFUSAL_RULE
    assert stats.privacy.refuse_on_cue <= MAX_REFUSAL_RULE, stats.privacy.best_cue


def test_a_quarter_of_the_split_needs_four_or_more_calls(split) -> None:  # noqa: ANN001
    _, _, _, stats = split
    assert stats.share_4_or_more_calls >= MIN_DEEP


def test_no_sentence_recurs_in_more_than_two_percent_of_a_kind_of_text(split) -> None:  # noqa: ANN001
    _, _, _, stats = split
    for kind, share in stats.text_repetition.items():
        assert share <= MAX_SENTENCE_SHARE, (kind, share)


def test_test_and_train_never_share_a_phrasing_family(split) -> None:  # noqa: ANN001
    test, train, _, _ = split
    families: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for part, tasks in (("test", test), ("train", train)):
        for task in tasks:
            assert task.metadata.get("phrasing") or task.category in SHAPE_EXCEPTED, task.id
            families[task.category][part].add(task.metadata.get("phrasing", ""))
    for category, parts in families.items():
        assert not (parts["test"] & parts["train"]) - {""}, category


def test_every_none_gold_names_its_near_miss(split) -> None:  # noqa: ANN001
    test, train, _, _ = split
    for task in [*test, *train]:
        if getattr(task.expected, "is_none", False):
            assert task.metadata.get("near_miss"), task.id


def test_every_gold_is_the_same_under_every_declared_reading(split) -> None:  # noqa: ANN001
    test, _, world, _ = split
    for task in test:
        ctx = GenerationContext(world, task.category, 0, "test")
        for reading, gold in golds_under_readings(ctx, task.metadata).items():
            assert gold == getattr(task.expected, "answers", ()), (task.id, reading, gold)
