"""The sales analytics categories on the default org: one gold under every declared reading, the distribution bars
(phrasing, None, balance, depth, floors), look-alike names, and the periods and scopes they are written from.

Golds against independent recomputations are in test_crmarena_sales.py (rankings) and test_crmarena_service.py
(named_entity_disambiguation), over the small org.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import numpy as np
import pytest

from crm_gym.scoring.suite_stats import suite_stats
from crm_gym.tasks.categories import CATEGORIES
from crm_gym.tasks.model import Task
from crm_gym.tasks.suites.crmarena_pro.domain import DOMAIN_DETAILS
from crm_gym.tasks.suites.crmarena_pro.framework import (
    NONE_SHARE,
    READINGS,
    GenerationContext,
    build_suite,
    gold_cap,
    golds_under_readings,
)
from crm_gym.tasks.suites.crmarena_pro.generators.periods import periods
from crm_gym.world.generate import build_org

RANKINGS = (
    "best_region_identification",
    "conversion_rate_comprehension",
    "sales_amount_understanding",
    "sales_cycle_understanding",
)
CATEGORIES_HERE = (*RANKINGS, "named_entity_disambiguation")


@pytest.fixture(scope="module")
def world():  # noqa: ANN201
    return build_org("crmarena_pro_b2b", seed=0)


@pytest.fixture(scope="module")
def test_split(world):  # noqa: ANN001, ANN201
    return build_suite("test", categories=CATEGORIES_HERE, world=world)


@pytest.fixture(scope="module")
def train_split():  # noqa: ANN201
    return build_suite("train", categories=CATEGORIES_HERE, world=build_org("crmarena_pro_b2b", seed=1))


def _of(tasks: list[Task], category: str) -> list[Task]:
    return [t for t in tasks if t.category == category]


def test_every_test_gold_is_the_same_under_every_declared_reading(world, test_split) -> None:  # noqa: ANN001
    for category in CATEGORIES_HERE:
        ctx = GenerationContext(world, category, 0, "test")
        declared = set(READINGS[category])
        assert declared, category
        for task in _of(test_split, category):
            golds = golds_under_readings(ctx, task.metadata)
            assert set(golds) == declared
            assert all(gold == task.expected.answers for gold in golds.values()), (task.id, golds)
    # The readings the issue names are declared.
    assert {"SOQL literal", "calendar months", "first day excluded", "last day excluded"} <= set(
        READINGS["sales_amount_understanding"]
    )
    assert "days from the creation moment" in READINGS["sales_cycle_understanding"]
    assert {"near date", "draft orders count", "the account's orders"} <= set(READINGS["named_entity_disambiguation"])


def test_the_distribution_bars_hold_on_the_test_split(world, test_split, train_split) -> None:  # noqa: ANN001
    stats = suite_stats(test_split, world, train_split)
    for category in CATEGORIES_HERE:
        row = stats.by_category[category]
        assert row.tasks == 100, category
        assert row.prompt_shapes_per_100 >= 50 and row.shapes_seen_in_train == 0, (category, row)
        assert row.none_share <= NONE_SHARE, (category, row)
        assert row.top_gold_share * row.tasks <= gold_cap(CATEGORIES[category], row.tasks), (category, row)
        assert all(value <= 0.05 for value in row.floors.values()), (category, row.floors)
    for category in RANKINGS:
        assert stats.by_category[category].share_4_or_more_calls >= 0.2, category
    deep = sum(len(t.oracle.calls) >= 4 for t in test_split) / len(test_split)
    assert deep >= 0.25, deep


def test_test_and_train_prompts_use_disjoint_phrasing_families(test_split, train_split) -> None:  # noqa: ANN001
    for category in CATEGORIES_HERE:
        test_families = [set(t.metadata["phrasing"].split("+")) for t in _of(test_split, category)]
        train_families = {f for t in _of(train_split, category) for f in t.metadata["phrasing"].split("+")}
        # Opener, question and answer-format families: each part of a test prompt is a family train never uses.
        assert all(not families & train_families for families in test_families), category


def test_every_none_is_a_checkable_near_miss(test_split) -> None:  # noqa: ANN001
    nones = [t for t in test_split if t.expected.answers == (None,)]
    assert nones
    for task in nones:
        assert task.metadata.get("near_miss"), task.id
        if task.category in RANKINGS:  # a described population had nothing while others did: never "no data yet"
            assert task.metadata["scope"] != "all" and " other " in task.metadata["near_miss"], task.id


def test_about_half_the_ranking_questions_name_a_population_with_look_alike_names(world, test_split) -> None:  # noqa: ANN001
    territories = [name for (name,) in world.conn.execute("SELECT Name FROM Territory2")]
    accounts = [name for (name,) in world.conn.execute("SELECT Name FROM Account")]
    users = [(first, last) for first, last in world.conn.execute("SELECT FirstName, LastName FROM User")]
    ranked = [t for t in test_split if t.category in RANKINGS]
    scoped = [t for t in ranked if t.metadata["scope"] != "all"]
    assert 0.4 <= len(scoped) / len(ranked) <= 0.75
    look_alikes = Counter()
    for task in scoped:
        if task.metadata["scope"] == "territory":
            (name,) = world.conn.execute("SELECT Name FROM Territory2 WHERE Id = ?", (task.metadata["territory"],))
            word = name[0].split()[0]
            look_alikes["territory"] += sum(word in other for other in territories) > 1
        elif task.metadata["scope"] == "account":
            ((name,),) = world.conn.execute("SELECT Name FROM Account WHERE Id = ?", (task.metadata["named"],))
            look_alikes["account"] += sum(other.split()[0] == name.split()[0] for other in accounts) > 1
        else:
            ((first, last),) = world.conn.execute(
                "SELECT FirstName, LastName FROM User WHERE Id = ?", (task.metadata["named"],)
            )
            assert users.count((first, last)) == 1  # the full name identifies the rep
            look_alikes["rep"] += sum(f == first or la == last for f, la in users) > 1
    # Most named records have another record sharing part of the name (Great Lakes / Great Plains, Martin Inc /
    # Martin LLC, two reps called Maria): a careless match on one word finds the wrong population.
    assert look_alikes["territory"] and look_alikes["account"] >= 0.5 * sum(
        t.metadata["scope"] == "account" for t in scoped
    )
    assert look_alikes["rep"]


def test_half_the_product_questions_name_the_product_by_what_it_is(test_split) -> None:  # noqa: ANN001
    tasks = _of(test_split, "named_entity_disambiguation")
    by = Counter(t.metadata["by"] for t in tasks)
    assert 0.35 <= by["family"] / len(tasks) <= 0.65, by


def test_rules_the_issue_found_ambiguous_are_stated(test_split) -> None:  # noqa: ANN001
    policies = {t.category: t.required_context.policy for t in test_split}
    assert "draft order does not count" in policies["sales_amount_understanding"]
    conversion = {t.required_context.policy for t in _of(test_split, "conversion_rate_comprehension")}
    assert all("the one of them with the most" in p for p in conversion)
    # The optional domain text defines the sales cycle as its policy does: no close date to read instead.
    assert "CompanySignedDate" in DOMAIN_DETAILS and "close date" not in DOMAIN_DETAILS
    assert "whatever stage" in policies["sales_cycle_understanding"]
    assert "exactly that name" in policies["named_entity_disambiguation"]


def test_the_stated_tie_break_decides_some_conversion_questions(world, test_split) -> None:  # noqa: ANN001
    decided = 0
    for task in _of(test_split, "conversion_rate_comprehension"):
        start, end, population = task.metadata["start"], task.metadata["end"], task.metadata["population"]
        stop = (dt.date.fromisoformat(end) + dt.timedelta(days=1)).isoformat()
        if task.metadata["metric"] == "lead-conversion":
            sql = (
                "SELECT OwnerId, SUM(IsConverted = 1 AND ConvertedDate >= ?1 AND ConvertedDate < ?2), COUNT(*) "
                "FROM Lead WHERE CreatedDate >= ?1 AND CreatedDate < ?2 GROUP BY OwnerId"
            )
        else:
            sql = (
                "SELECT o.OwnerId, SUM(q.Status = 'Accepted'), COUNT(*) FROM Quote q JOIN Opportunity o "
                "ON o.Id = q.OpportunityId WHERE q.CreatedDate >= ?1 AND q.CreatedDate < ?2 GROUP BY o.OwnerId"
            )
        rates = {
            owner: hits / n
            for owner, hits, n in world.conn.execute(sql, (start, stop))
            if population is None or owner in population
        }
        extreme = (min if task.metadata["lowest"] else max)(rates.values(), default=None)
        decided += sum(rate == extreme for rate in rates.values()) > 1
    assert decided >= 5, decided


def test_period_phrasings_name_the_same_range() -> None:
    today = dt.date(2024, 11, 1)
    found = {p.key: p for p in periods(today, np.random.default_rng(0))}
    assert "in the second quarter of 2023" in found["2023-Q2"].phrasings()
    assert "over the last three months" in found["past-3-months"].phrasings()
    assert "back in March 2023" in found["2023-03"].phrasings()
    for period in found.values():
        ways = period.phrasings()
        assert ways[0] == period.phrase and len(set(ways)) == len(ways) >= 3
        year = re.search(r"\d{4}", period.key)
        assert all(year is None or year.group() in way for way in ways), ways


def test_period_readings_follow_the_query_tool_for_past_periods() -> None:
    today = dt.date(2024, 11, 15)
    found = {p.key: p for p in periods(today, np.random.default_rng(0))}
    readings = found["past-3-months"].readings(today)
    assert readings["as defined"] == (dt.date(2024, 8, 15), dt.date(2024, 11, 16))
    assert readings["SOQL literal"] == (dt.date(2024, 8, 1), dt.date(2024, 11, 1))
    assert readings["calendar months"] == (dt.date(2024, 8, 1), dt.date(2024, 11, 16))
    assert list(found["2023-Q2"].readings(today)) == ["as defined"]
