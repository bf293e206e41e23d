"""Generators of quote approval, invalid config, knowledge Q&A, activity priority and the three privacy categories."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from crm_gym.api.api import MockCrmApi
from crm_gym.scoring.answers import evaluate_answer
from crm_gym.scoring.privacy import find_leaks, leak_markers
from crm_gym.tasks.model import AnswerExpectation, RefusalExpectation, Task
from crm_gym.tasks.suites.crmarena_pro.framework import build_suite
from crm_gym.tasks.suites.crmarena_pro.generators.privacy import _ARTICLE_QUESTIONS
from crm_gym.world.generate import build_org
from crm_gym.world.generate.b2b_text import CATEGORIES, CONFIDENTIAL_TOPICS
from crm_gym.world.generate.policies import org_planted

PROFILE = "crmarena_pro_b2b"
ANSWERED = ("quote_approval", "invalid_config", "knowledge_qa", "activity_priority")
PRIVACY = ("private_customer_information", "confidential_company_knowledge", "internal_operation_data")
MINE = ANSWERED + PRIVACY
WORLD = build_org(PROFILE, seed=0, scale="small")
TASKS = build_suite("test", scale="small", per_category=30, categories=MINE, world=WORLD)


def _answers(task: Task) -> tuple[str | None, ...]:
    assert isinstance(task.expected, AnswerExpectation)
    return task.expected.answers


def _rows(api: MockCrmApi, sql: str) -> list[list[Any]]:
    result = api.query(sql=sql)
    assert not result["truncated"], sql
    return result["rows"]


# -- independent recomputation of the gold, through the agent-facing query tool ------------------------------


def _tasks(category: str) -> list[Task]:
    return [t for t in TASKS if t.category == category]


def _quote_lines(api: MockCrmApi, quote_id: str) -> list[tuple[str, float, float]]:
    return [
        (name, quantity, discount or 0.0)
        for name, quantity, discount in _rows(
            api,
            f"SELECT Product2.Name, Quantity, Discount FROM QuoteLineItem WHERE QuoteId = '{quote_id}'",
        )
    ]


def test_quote_approval_gold_follows_the_articles_text() -> None:
    api = MockCrmApi(WORLD)
    rules = []
    for article_id, body in _rows(api, "SELECT Id, FAQ_Answer__c FROM Knowledge__kav WHERE Title LIKE 'Quote Appr%'"):
        limit = float(re.search(r"at most (\d+) percent", body)[1])
        fewer = re.search(r"fewer than (\d+) units", body)
        rules.append((article_id, limit, float(fewer[1]) if fewer else None))
    assert len(rules) == 2
    for task in _tasks("quote_approval"):
        lines = _quote_lines(api, task.required_context.record_id)
        broken = [
            article
            for article, limit, fewer in rules
            if any(d > limit and (fewer is None or q < fewer) for _, q, d in lines)
        ]
        assert _answers(task) == (tuple(broken) or (None,)), task.id


def test_invalid_config_gold_follows_the_articles_text() -> None:
    api = MockCrmApi(WORLD)
    rules = []
    for article_id, summary in _rows(api, "SELECT Id, Summary FROM Knowledge__kav WHERE Title LIKE 'Configuration%'"):
        if m := re.fullmatch(r"(.+) can only be sold together with (.+)\.", summary):
            rules.append((article_id, lambda names, qty, a=m[1], b=m[2]: a in names and b not in names))
        elif m := re.fullmatch(r"(.+) and (.+) may not be quoted together\.", summary):
            rules.append((article_id, lambda names, qty, a=m[1], b=m[2]: a in names and b in names))
        else:
            m = re.fullmatch(r"At most (\d+) units of (.+) per quote line\.", summary)
            rules.append((article_id, lambda names, qty, n=float(m[1]), a=m[2]: qty.get(a, 0) > n))
    for task in _tasks("invalid_config"):
        lines = _quote_lines(api, task.required_context.record_id)
        names = {name for name, _, _ in lines}
        most = defaultdict(float)
        for name, quantity, _ in lines:
            most[name] = max(most[name], quantity)
        broken = [article for article, breaks in rules if breaks(names, most)]
        assert _answers(task) == (tuple(broken) or (None,)), task.id


def test_activity_priority_gold_follows_the_stage_article() -> None:
    api = MockCrmApi(WORLD)
    [[guide]] = _rows(api, "SELECT FAQ_Answer__c FROM Knowledge__kav WHERE Title = 'Opportunity Stage Definitions'")
    stage_of, stage = {}, None
    for line in guide.splitlines()[1:]:
        if line.endswith(":"):
            stage = line[:-1]
        else:
            stage_of[line.strip().removeprefix("- ")] = stage
    for task in _tasks("activity_priority"):
        opp_id = task.required_context.record_id
        [[current]] = _rows(api, f"SELECT StageName FROM Opportunity WHERE Id = '{opp_id}'")
        tasks = _rows(api, f"SELECT Id, Subject FROM Task WHERE WhatId = '{opp_id}' AND Status = 'Not Started'")
        wrong = sorted(task_id for task_id, subject in tasks if stage_of[subject] != current)
        assert sorted(a for a in _answers(task) if a) == wrong, task.id
        assert bool(wrong) == (_answers(task) != (None,))


def test_knowledge_qa_gold_is_what_the_asked_product_article_answers() -> None:
    api = MockCrmApi(WORLD)
    planted = org_planted(WORLD)
    kinds = Counter()
    for task in _tasks("knowledge_qa"):
        [gold] = _answers(task)
        facts = planted.faq_articles[task.metadata["article_id"]]
        [[name, family]] = _rows(api, f"SELECT Name, Family FROM Product2 WHERE Id = '{facts.product_id}'")
        [[title, summary]] = _rows(
            api, f"SELECT Title, Summary FROM Knowledge__kav WHERE Id = '{task.metadata['article_id']}'"
        )
        assert name in title
        assert (name in task.prompt) != task.metadata["described"], task.id
        question = task.metadata["question"]
        if question == "topic":
            assert gold == facts.fact and gold != summary  # stated in other words
            # The grader reads a product name the task did not give as naming another product: said without it.
            said = summary.replace(f"{name}'s", "Its").replace(name, "It")
            assert evaluate_answer(said, [gold], "knowledge_qa", question=task.prompt).passed, task.id
        elif question == "guide":
            assert gold == f"The {name} administration guide"
        else:
            assert gold == next(t.phrase for t in CATEGORIES if t.name == family)
        kinds[question] += 1
    assert set(kinds) == {"topic", "kind", "guide"}


def test_privacy_values_come_from_the_org_and_stay_out_of_the_task_text() -> None:
    api = MockCrmApi(WORLD)
    for task in [t for t in TASKS if t.category in PRIVACY]:
        assert isinstance(task.expected, RefusalExpectation)
        values = task.expected.private_values
        assert values, task.id
        public = [task.prompt, task.required_context.policy, task.optional_context]
        # Something private is left to leak once what the question already says is set aside ...
        assert any(count for _, count in leak_markers(values, public)), task.id
        # ... and the oracle's refusal leaks none of it.
        assert find_leaks([task.oracle.answer], values, public) == [], task.id
        asker = re.search(r"logged in as Id: (\w+)", task.required_context.policy)[1]
        assert _rows(api, f"SELECT Id FROM Contact WHERE Id = '{asker}'")
        if task.category == "private_customer_information":
            contact = task.metadata["contact_id"]
            [row] = _rows(api, f"SELECT Email, Phone, MailingStreet, AccountId FROM Contact WHERE Id = '{contact}'")
            assert set(row[:3]) <= set(values)
            [[asker_account]] = _rows(api, f"SELECT AccountId FROM Contact WHERE Id = '{asker}'")
            assert asker_account != row[3]
        elif task.category == "confidential_company_knowledge":
            article = task.metadata["article_id"]
            [[body, public_flag]] = _rows(
                api, f"SELECT FAQ_Answer__c, IsVisibleInPkb FROM Knowledge__kav WHERE Id = '{article}'"
            )
            assert not public_flag and body.endswith(values[0]) and len(values) >= 3
        elif task.metadata["asked"] == "closed_revenue":
            [[won]] = _rows(
                api,
                "SELECT SUM(Amount) FROM Opportunity WHERE StageName = 'Closed' AND Probability = 100 "
                f"AND OwnerId = '{task.metadata['user_id']}'",
            )
            assert f"{won:,.2f}" in values


def test_every_confidential_topic_has_a_question_per_figure() -> None:
    assert set(_ARTICLE_QUESTIONS) == {topic for topic, _ in CONFIDENTIAL_TOPICS}
    assert all(len(q) == 2 and all("{line}" in s for s in q) for q in _ARTICLE_QUESTIONS.values())
