"""The draw's guarantees: phrasing families split between train and test, declared readings agree on the gold,
None at most 5%, no gold above its cap, refusals never capped."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from crm_gym.tasks.categories import CATEGORIES
from crm_gym.tasks.suites.crmarena_pro import framework
from crm_gym.tasks.suites.crmarena_pro.framework import (
    GenerationContext,
    Instance,
    PhraseBook,
    gold_cap,
    split_families,
)
from crm_gym.world.generate import build_org

BOOK = PhraseBook({f"family{i}": (f"question {i} about {{thing}}?",) for i in range(9)})


def test_test_and_train_use_disjoint_families_and_any_other_split_all_of_them() -> None:
    for category in CATEGORIES:
        test = split_families(category, BOOK.families, "test")
        train = split_families(category, BOOK.families, "train")
        assert test and train and not set(test) & set(train)
        assert sorted(test + train) == sorted(BOOK.families)
        assert len(test) == 3  # a third of nine
        assert split_families(category, BOOK.families, "seed7") == sorted(BOOK.families)


def test_a_phrase_book_needs_three_families() -> None:
    with pytest.raises(ValueError, match="3 or more families"):
        PhraseBook({"a": ("x",), "b": ("y",)})


@pytest.fixture(scope="module")
def world():  # noqa: ANN201
    return build_org("crmarena_pro_b2b", seed=0, scale="tiny")


def test_phrase_draws_only_from_the_split_families(world) -> None:  # noqa: ANN001
    for split in ("test", "train"):
        ctx = GenerationContext(world, "handle_time", 0, split)
        families = {ctx.phrase(BOOK, thing="x").family for _ in range(60)}
        assert families == set(split_families("handle_time", BOOK.families, split))


def _instance(key: str, gold: str | None, **extra: object) -> Instance:
    return Instance(key=key, prompt="q", policy="p", answers=(gold,), calls=(), oracle_answer=str(gold), **extra)


def test_the_draw_keeps_none_at_five_percent_and_caps_every_gold() -> None:
    category = CATEGORIES["handle_time"]
    skewed = [_instance(f"a{i}", "005Wt000000000AAAA") for i in range(80)]
    varied = [_instance(f"b{i}", f"005Wt0000000{i:03d}AAA") for i in range(100)]
    none = [_instance(f"n{i}", None, near_miss="agent with exactly the threshold") for i in range(40)]
    picked = framework._draw(skewed + varied + none, 100, category, np.random.default_rng(0))
    golds = Counter(i.gold_key for i in picked)
    assert len(picked) == 100
    assert golds[(None,)] == 5
    assert max(golds.values()) == gold_cap(category, 100) == 15


def test_a_small_answer_space_may_hold_more_of_one_gold() -> None:
    assert gold_cap(CATEGORIES["wrong_stage_rectification"], 100) == 30  # 1.5 x 1/5
    assert gold_cap(CATEGORIES["monthly_trend_analysis"], 100) == 15  # 1.5/12 is below 15%


def test_an_instance_whose_gold_changes_under_a_declared_reading_is_dropped(
    world,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    ctx = GenerationContext(world, "handle_time", 0)
    monkeypatch.setitem(framework.READINGS, "handle_time", {"ties the other way": lambda _, meta: (meta["other"],)})
    agrees = _instance("same", "A", metadata={"other": "A"})
    differs = _instance("differs", "A", metadata={"other": "B"})
    assert framework._one_gold(ctx, agrees) and not framework._one_gold(ctx, differs)
    assert framework.golds_under_readings(ctx, differs.metadata) == {"ties the other way": ("B",)}
