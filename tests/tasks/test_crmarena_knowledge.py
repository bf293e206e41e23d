"""Generators of quote approval, invalid config, knowledge Q&A and activity priority."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from crm_gym.api.api import MockCrmApi
from crm_gym.scoring.answers import evaluate_answer
from crm_gym.tasks.model import AnswerExpectation, Task
from crm_gym.tasks.suites.crmarena_pro.framework import build_suite
from crm_gym.world.generate import build_org
from crm_gym.world.generate.b2b_text import CATEGORIES
from crm_gym.world.generate.policies import org_planted

PROFILE = "crmarena_pro_b2b"
ANSWERED = ("quote_approval", "invalid_config", "knowledge_qa", "activity_priority")
MINE = ANSWERED
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


def _quote_lines(api: MockCrmApi, quote_id: str) -> list[tuple[str, str, float, float, float]]:
    return [
        (name, family, quantity, price, discount or 0.0)
        for name, family, quantity, price, discount in _rows(
            api,
            "SELECT Product2.Name, Product2.Family, Quantity, UnitPrice, Discount FROM QuoteLineItem "
            f"WHERE QuoteId = '{quote_id}'",
        )
    ]


def _approval_rule(summary: str, body: str):  # noqa: ANN202  (a predicate over a quote)
    """The rule an approval article's summary states, read from its words."""
    if m := re.fullmatch(r"No quote line may carry a discount above (\d+)%\.", summary):
        return lambda q, n=float(m[1]): any(d > n for *_, d in q["lines"])
    if m := re.fullmatch(r"Lines under (\d+) units may not be discounted above (\d+)%\.", summary):
        return lambda q, u=float(m[1]), n=float(m[2]): any(d > n and qty < u for _, _, qty, _, d in q["lines"])
    if m := re.fullmatch(r"(.+) products may not be discounted above (\d+)% on any quote line\.", summary):
        return lambda q, f=m[1], n=float(m[2]): any(d > n and fam == f for _, fam, _, _, d in q["lines"])
    if m := re.fullmatch(r"Quotes for channel customers may carry at most (\d+)% discount per line\.", summary):
        kind = re.search(r"Accounts of type '([^']+)'", body)[1]
        return lambda q, t=kind, n=float(m[1]): q["type"] == t and any(d > n for *_, d in q["lines"])
    if m := re.fullmatch(
        r"Opportunities priced from the (.+) allow at most (\d+)% line discount on their quotes\.", summary
    ):
        return lambda q, b=m[1], n=float(m[2]): q["book"] == b and any(d > n for *_, d in q["lines"])
    m = re.fullmatch(r"A quote's overall discount may not exceed (\d+)%\.", summary)

    def overall(q, n=float(m[1])):  # noqa: ANN001, ANN202
        value = sum(qty * price for _, _, qty, price, _ in q["lines"])
        return round(sum(qty * price * d for _, _, qty, price, d in q["lines"]) / value, 2) > n

    return overall


def test_quote_approval_gold_follows_the_articles_text() -> None:
    api = MockCrmApi(WORLD)
    rules = [
        (article_id, _approval_rule(summary, body))
        for article_id, summary, body in _rows(
            api, "SELECT Id, Summary, FAQ_Answer__c FROM Knowledge__kav WHERE Title LIKE 'Quote Appr%'"
        )
    ]
    assert len(rules) == 8
    for task in _tasks("quote_approval"):
        quote_id = task.required_context.record_id
        [[kind, book]] = _rows(
            api,
            "SELECT a.Type, pb.Name FROM Quote q JOIN Account a ON a.Id = q.AccountId JOIN Opportunity o "
            f"ON o.Id = q.OpportunityId JOIN Pricebook2 pb ON pb.Id = o.Pricebook2Id WHERE q.Id = '{quote_id}'",
        )
        quote = {"lines": _quote_lines(api, quote_id), "type": kind, "book": book}
        broken = [article for article, breaks in rules if breaks(quote)]
        assert sorted(_answers(task), key=str) == sorted(broken or [None], key=str), task.id


def _config_rule(summary: str):  # noqa: ANN202  (a predicate over a quote's lines)
    """The rule a configuration article's summary states, read from its words."""
    if m := re.fullmatch(r"(.+) may only be quoted together with at least one (.+) product\.", summary):
        return lambda lines, a=m[1], f=m[2]: (
            a in {n for n, *_ in lines} and f not in {fam for n, fam, *_ in lines if n != a}
        )
    if m := re.fullmatch(r"(.+) is sold in lots of at least (\d+) units per quote line\.", summary):
        return lambda lines, a=m[1], n=float(m[2]): any(name == a and q < n for name, _, q, *_ in lines)
    if m := re.fullmatch(r"(.+) can only be sold together with (.+)\.", summary):
        return lambda lines, a=m[1], b=m[2]: a in {n for n, *_ in lines} and b not in {n for n, *_ in lines}
    if m := re.fullmatch(r"(.+) and (.+) may not be quoted together\.", summary):
        return lambda lines, a=m[1], b=m[2]: {a, b} <= {n for n, *_ in lines}
    m = re.fullmatch(r"At most (\d+) units of (.+) per quote line\.", summary)
    return lambda lines, n=float(m[1]), a=m[2]: any(name == a and q > n for name, _, q, *_ in lines)


def test_invalid_config_gold_follows_the_articles_text() -> None:
    api = MockCrmApi(WORLD)
    rules = [
        (article_id, _config_rule(summary))
        for article_id, summary in _rows(
            api, "SELECT Id, Summary FROM Knowledge__kav WHERE Title LIKE 'Configuration%'"
        )
    ]
    assert len(rules) >= 7
    for task in _tasks("invalid_config"):
        lines = _quote_lines(api, task.required_context.record_id)
        broken = [article for article, breaks in rules if breaks(lines)]
        assert sorted(_answers(task), key=str) == sorted(broken or [None], key=str), task.id


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
