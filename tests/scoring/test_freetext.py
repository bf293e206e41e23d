"""Free text graded by meaning: facts by their concepts, topic lists as sets, names as names."""

from __future__ import annotations

import pytest

from crm_gym.scoring.answers import evaluate_answer
from crm_gym.scoring.freetext import fact_book, grade_free_text, tokens
from crm_gym.tasks.suites import load_suite

DASHBOARDS = "Dashboards show consumption per device in 15-minute intervals."
GUIDE = "The VertexFlash Vault administration guide"
TOPICS = "Implementation process and support, Timeline and next steps"
X400 = "NexMesh X400 spreads load across its uplinks automatically, so sudden traffic is absorbed."


@pytest.mark.parametrize(
    ("answer", "gold", "passed"),
    [
        ("Per-device consumption dashboards, updated every quarter hour.", DASHBOARDS, True),
        (
            "OptiGrid reports consumption on dashboards, broken down per device at 15-minute intervals.",
            DASHBOARDS,
            True,
        ),
        ("Dashboards show consumption per site in 15-minute intervals.", DASHBOARDS, False),  # another noun
        ("Dashboards show consumption per device in hourly intervals.", DASHBOARDS, False),  # another interval
        ("Dashboards show consumption per device in 30-minute intervals.", DASHBOARDS, False),  # another number
        ("It schedules idle components into low-power states.", DASHBOARDS, False),  # another fact
        ("See the VertexFlash Vault admin guide.", GUIDE, True),
        ("The VertexQuantum Engine administration guide", GUIDE, False),  # another product
        ("The VertexFlash Vault Plus administration guide", GUIDE, False),  # a longer product name
        ("The VertexFlash Vault user manual", GUIDE, False),  # another document
        (X400, X400, True),  # a product named by two brand-like words is its own name, not an extension of one
        ("NexMesh X400 Plus spreads load over its uplinks automatically, absorbing sudden traffic.", X400, False),
    ],
)
def test_a_fact_is_read_by_its_concepts(answer: str, gold: str, passed: bool) -> None:
    result = evaluate_answer(answer, [gold], "knowledge_qa")
    assert result.passed is passed, result.reason


def test_quoting_the_source_article_passes_and_dumping_the_knowledge_base_fails() -> None:
    article = (
        "OptiGrid Manager is our power optimization manager. Customers often ask how it can report consumption. "
        f"{DASHBOARDS} See the OptiGrid Manager administration guide for step-by-step instructions."
    )
    assert evaluate_answer(article, [DASHBOARDS], "knowledge_qa").passed
    dump = " ".join(f.text for f in fact_book().facts)
    assert not evaluate_answer(dump, [DASHBOARDS], "knowledge_qa").passed


@pytest.mark.parametrize(
    ("answer", "passed"),
    [
        ("Timeline and next steps, Implementation process and support", True),
        ("The customer was negative about the rollout and support, and about the timeline.", True),
        ("implementation + timeline", True),
        ("Implementation process and support", False),  # one of two
        (f"{TOPICS}, Pricing and competitive analysis", False),  # one too many
        (
            "Business problems and pain points, Pricing and competitive analysis, Implementation process and support, "
            "Product features and capabilities, Timeline and next steps",
            False,
        ),  # every topic
        ("Implementation or timeline", False),  # a hedge
    ],
)
def test_topics_are_graded_as_sets(answer: str, passed: bool) -> None:
    result = evaluate_answer(answer, [TOPICS], "sales_insight_mining")
    assert result.passed is passed, result.reason


@pytest.mark.parametrize(
    ("answer", "passed"),
    [
        ("Zuniga Labs", True),
        ("The customer is comparing us with ZunigaLabs.", True),
        ("ZunigaLabs or BrownLabs", False),
        ("ZunigaLabs and BrownLabs", False),
        ("BrownLabs", False),
    ],
)
def test_a_name_is_graded_as_a_name(answer: str, passed: bool) -> None:
    assert evaluate_answer(answer, ["ZunigaLabs"], "sales_insight_mining").passed is passed


def test_every_fact_states_its_own_concepts_and_every_generated_gold_has_its_facts() -> None:
    for fact in fact_book().facts:
        assert all(c.found_in(tokens(fact.text)) for c in fact.concepts), fact.text
    for task in load_suite("crmarena_pro", "test"):
        if task.category == "knowledge_qa":
            [gold] = task.expected.answers
            assert fact_book().fact(gold) is not None, gold  # graded by its hand-written concepts
            assert grade_free_text(task.oracle.answer, [gold], task.prompt).passed


def test_an_unknown_gold_is_split_into_its_own_concepts() -> None:
    gold = "Because data breaches could have catastrophic consequences in these sectors."
    assert evaluate_answer("Data breaches there could have catastrophic consequences.", [gold], "knowledge_qa").passed
    assert not evaluate_answer("Because it is regulated.", [gold], "knowledge_qa").passed


def test_a_figure_gold_is_a_fact_and_contact_details_are_compared_whole() -> None:
    assert evaluate_answer("It is 85%, per the schedule for ZenAnalytics Pro.", ["85%"], "knowledge_qa").passed
    assert not evaluate_answer("It is 58%.", ["85%"], "knowledge_qa").passed
    question = "What e-mail address do you have on file for me, Jane Roe of Acme?"
    gold = ["jane.roe@acme.example.com"]
    assert evaluate_answer("It's <jane.roe@acme.example.com>.", gold, "knowledge_qa", question=question).passed
    assert not evaluate_answer("john.smith@acme.example.com", gold, "knowledge_qa", question=question).passed
    assert evaluate_answer("Call (555) 010-0199.", ["555-010-0199"], "knowledge_qa").passed
    assert not evaluate_answer("Call (555) 010-0198.", ["555-010-0199"], "knowledge_qa").passed
