"""The org's texts and the categories that read them: lead qualification, sales insight mining, knowledge Q&A, case
routing and policy violations.

Texts vary (no sentence in more than 2% of the records of its kind), facts are said in many ways and recorded as
planted facts, rewording moves no other draw of the org, and the five categories meet the distribution's bars on the
default org's test split.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from itertools import product

import pytest

from crm_gym.scoring.answers import evaluate_answer
from crm_gym.scoring.freetext import fact_book, tokens
from crm_gym.scoring.suite_stats import prompt_shape, text_repetition
from crm_gym.tasks.categories import CATEGORIES
from crm_gym.tasks.model import Task
from crm_gym.tasks.suites.crmarena_pro.framework import (
    NONE_SHARE,
    GenerationContext,
    build_suite,
    gold_cap,
    golds_under_readings,
    split_families,
)
from crm_gym.tasks.suites.crmarena_pro.generators import calls, knowledge_qa, service_cases
from crm_gym.world.generate import b2b_calls, b2b_faq, b2b_service_text, build_org
from crm_gym.world.generate.compose import spin
from crm_gym.world.generate.crmarena_pro_b2b import generate_crmarena_pro_b2b
from crm_gym.world.generate.policies import BANT_FACTORS, org_planted, org_policies
from crm_gym.world.world import World

MINE = (
    "case_routing",
    "knowledge_qa",
    "lead_qualification",
    "policy_violation_identification",
    "sales_insight_mining",
)
BOOKS = {
    "case_routing": (service_cases._ROUTING_BOOK,),
    "knowledge_qa": (knowledge_qa._TOPIC_BOOK, knowledge_qa._KIND_BOOK, knowledge_qa._GUIDE_BOOK),
    "lead_qualification": (calls._BANT_BOOK,),
    "policy_violation_identification": (service_cases._VIOLATION_BOOK,),
    "sales_insight_mining": (
        calls._SENTIMENT_BOOK,
        calls._COMPETITOR_BOOK,
        calls._PERIOD_COMPETITOR_BOOK,
        calls._PERIOD_SUBTOPIC_BOOK,
    ),
}
# Text columns: the only ones rewording may change.
TEXT_COLUMNS = {
    "VoiceCallTranscript__c": {"Body__c"},
    "LiveChatTranscript": {"Body"},
    "EmailMessage": {"Subject", "TextBody"},
    "Case": {"Subject", "Description"},
    "Knowledge__kav": {"Title", "Summary", "FAQ_Answer__c", "UrlName"},
}


@pytest.fixture(scope="module")
def default_org() -> World:
    return build_org("crmarena_pro_b2b", seed=0, scale="default")


@pytest.fixture(scope="module")
def test_split(default_org: World) -> list[Task]:
    return build_suite("test", categories=MINE, world=default_org)


def _of(tasks: list[Task], category: str) -> list[Task]:
    return [t for t in tasks if t.category == category]


# -- the org's texts -----------------------------------------------------------------------------------------------


def test_no_sentence_recurs_in_more_than_2_percent_of_the_records_of_its_kind(default_org: World) -> None:
    shares = text_repetition(default_org)
    assert set(shares) == {"call transcripts", "e-mails", "chats", "case descriptions", "knowledge articles"}
    assert max(shares.values()) <= 0.02, shares


def _rows(world: World) -> dict[str, list[tuple]]:
    """Every table's rows without their text columns."""
    rows = {}
    for name in world.schema.objects:
        cursor = world.conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid')
        keep = [i for i, d in enumerate(cursor.description) if d[0] not in TEXT_COLUMNS.get(name, set())]
        rows[name] = [tuple(row[i] for i in keep) for row in cursor.fetchall()]
    return rows


def test_rewording_a_text_moves_no_other_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    before = generate_crmarena_pro_b2b(5, 0.03)
    monkeypatch.setattr(b2b_service_text, "_WRAP_UPS", ("[Noted|Logged], [thanks|thank you].",))
    monkeypatch.setattr(b2b_calls, "_BANT_CLOSINGS", ("I'll [write|call] [soon|later].",))
    monkeypatch.setattr(b2b_service_text, "_ASKS", ("Please [help|advise].",))
    monkeypatch.setattr(b2b_faq, "_GUIDES", ("Read the {product} administration guide.",))
    after = generate_crmarena_pro_b2b(5, 0.03)
    assert _rows(after) == _rows(before)
    bodies = [
        w.conn.execute('SELECT group_concat("Body", "|") FROM "LiveChatTranscript"').fetchone() for w in (before, after)
    ]
    assert bodies[0] != bodies[1]  # the texts did change


def test_every_paraphrase_of_a_faq_fact_states_it_and_not_a_look_alikes_answer() -> None:
    question = "How can OptiThing Pro {q}?"
    for topic in (t for topics in b2b_faq.FAQ_TOPICS.values() for t in topics):
        golds = {v: b2b_faq.canonical_fact(topic, v) for v in topic.variants}
        assert all(fact_book().fact(gold) is not None for gold in golds.values()), topic.question
        for (variant, gold), paraphrase, seed in product(golds.items(), topic.paraphrases, range(4)):
            r = random.Random(seed)
            said = {"n": spin(r, variant.said), "k": spin(r, b2b_faq._DISKS.get(variant.value, ""))}
            text = spin(r, paraphrase, product="OptiThing Pro", **said)
            asked = question.format(q=topic.question)
            assert evaluate_answer(text, [gold], "knowledge_qa", question=asked).passed, text
            for other in set(golds.values()) - {gold}:
                assert not evaluate_answer(text, [other], "knowledge_qa", question=asked).passed, (text, other)


def test_look_alike_products_answer_the_same_question_differently() -> None:
    world = build_org("crmarena_pro_b2b", seed=0, scale="small")
    planted = org_planted(world)
    answers = {f.product_id: f for f in planted.faq_articles.values()}
    assert planted.near_duplicate_products
    for group in planted.near_duplicate_products:
        facts = [answers[p] for p in group]
        assert len({f.question for f in facts}) == 1, group
        assert len({f.fact for f in facts}) == len(group), group


def test_bant_results_cover_every_combination_about_evenly(default_org: World) -> None:
    results = Counter(org_planted(default_org).lead_bant_failures.values())
    assert len(results) == 2 ** len(BANT_FACTORS)  # every subset of failed factors, and qualifying
    failing = [n for failures, n in results.items() if failures]
    assert max(failing) <= 2 * min(failing), results


def test_every_subtopic_comes_up_with_either_sentiment(default_org: World) -> None:
    planted = org_planted(default_org)
    said = Counter((topic, positive) for call in planted.calls.values() for topic, positive in call.subtopics)
    assert set(said) == {(topic, positive) for topic in b2b_calls.SUBTOPICS for positive in (True, False)}


def test_every_service_rule_is_broken_in_enough_chats_and_kept_close_in_others(default_org: World) -> None:
    chats = org_planted(default_org).chats.values()
    rules = org_policies(default_org).service_rules
    assert len(rules) == 9
    for rule in rules:
        outcomes = Counter(c.violated for c in chats if c.article_id == rule.article_id)
        assert outcomes[True] >= 15 and outcomes[False] >= 10, (rule.kind, outcomes)  # 15: a rule's gold cap


def test_chats_state_the_figures_their_rule_is_judged_on() -> None:
    world = build_org("crmarena_pro_b2b", seed=0, scale="small")
    for case, chat in org_planted(world).chats.items():
        [body] = [r["Body"] for r in world.rows("LiveChatTranscript", '"CaseId" = ?', (case,))]
        if chat.kind == "goodwill_credit":
            assert f"{chat.figure:,.0f}" in body, body
        if chat.kind == "update_promise":
            hours, said = int(chat.figure), tokens(body)
            numbers = {w for w in said if w.isdigit()} | {str(n) for w, n in (("one", 1), ("two", 2)) if w in said}
            in_days = hours % 24 == 0 and (str(hours // 24) in numbers or hours == 24 and "day" in said)
            assert str(hours) in numbers or in_days, body


# -- the five categories on the default org's test split -------------------------------------------------------


def test_prompts_vary_and_use_only_the_test_families(test_split: list[Task]) -> None:
    for category in MINE:
        tasks = _of(test_split, category)
        assert len(tasks) == 100, category
        allowed = {f for book in BOOKS[category] for f in split_families(category, book.families, "test")}
        assert {t.metadata["phrasing"] for t in tasks} <= allowed, category
        if category != "case_routing":  # its prompt is the case itself
            assert len({prompt_shape(t.prompt) for t in tasks}) >= 50, category


def test_golds_are_balanced_and_every_none_is_a_near_miss(test_split: list[Task]) -> None:
    for category in MINE:
        tasks = _of(test_split, category)
        golds = Counter(tuple(sorted(map(str, t.expected.answers))) for t in tasks)
        assert max(golds.values()) <= gold_cap(CATEGORIES[category], len(tasks)), (category, golds.most_common(2))
        nones = [t for t in tasks if t.expected.is_none]
        assert len(nones) <= round(NONE_SHARE * len(tasks)), category
        assert all(t.metadata.get("near_miss") for t in nones), category
    assert (
        len(_of(test_split, "policy_violation_identification"))
        - len([t for t in _of(test_split, "policy_violation_identification") if t.expected.is_none])
        >= 95
    )


def test_about_half_the_records_are_named_by_what_they_are(test_split: list[Task]) -> None:
    for category, flag in (
        ("knowledge_qa", "described"),
        ("lead_qualification", "named"),
        ("sales_insight_mining", "named"),
        ("policy_violation_identification", "described"),
        ("case_routing", "described"),
    ):
        about_a_record = [t for t in _of(test_split, category) if flag in t.metadata]  # not periods
        share = sum(t.metadata[flag] for t in about_a_record) / len(about_a_record)
        assert 0.25 <= share <= 0.75, (category, share)


def test_a_routed_case_tells_its_issue_by_symptoms_only(test_split: list[Task], default_org: World) -> None:
    issues = [name for (name,) in default_org.conn.execute('SELECT "Name" FROM "Issue__c"')]
    for task in _of(test_split, "case_routing"):
        subject = task.prompt.split("- Subject: ")[1].split("\n")[0]
        assert not any(issue.lower() in subject.lower() for issue in issues), subject


def test_every_gold_is_the_same_under_every_declared_reading(test_split: list[Task], default_org: World) -> None:
    periods_asked = 0
    for category in MINE:
        ctx = GenerationContext(default_org, category, 0, "test")
        for task in _of(test_split, category):
            readings = golds_under_readings(ctx, task.metadata)
            assert all(gold == task.expected.answers for gold in readings.values()), (task.id, readings)
            periods_asked += "ranges" in task.metadata
    assert periods_asked  # the sales insight questions over a period, whose readings differ


def test_a_period_question_is_answered_by_a_recount_of_its_sales_calls(
    test_split: list[Task], default_org: World
) -> None:
    planted = org_planted(default_org)
    for task in [t for t in _of(test_split, "sales_insight_mining") if "ranges" in t.metadata]:
        start, stop = task.metadata["ranges"]["as defined"]
        rows = default_org.conn.execute(
            'SELECT "Id" FROM "VoiceCallTranscript__c" WHERE "OpportunityId__c" IS NOT NULL '
            'AND "CreatedDate" >= ? AND "CreatedDate" < ?',
            (start, stop),
        ).fetchall()
        facts = [planted.calls[transcript] for (transcript,) in rows]
        question = task.metadata["question"]
        if question == "competitor":
            counts = Counter(f.competitor for f in facts if f.competitor)
        else:
            counts = Counter(t for f in facts for t, positive in f.subtopics if positive == (question == "positive"))
        (top, n), (_, runner_up) = counts.most_common(2)
        assert n > runner_up and task.expected.answers == (top,), task.id
        pages = [re.search(r"LIMIT (\d+) OFFSET (\d+)", c.args["sql"]).groups() for c in task.oracle.calls]
        offset = 0
        for limit, start_at in pages:  # the oracle reads every call of the period, page after page
            assert int(start_at) == offset, task.id
            offset += int(limit)
        assert offset == len(rows), task.id
