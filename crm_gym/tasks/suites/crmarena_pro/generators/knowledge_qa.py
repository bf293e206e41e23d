"""The knowledge_qa generator: questions one public product FAQ article answers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance, category_generator
from crm_gym.tasks.suites.crmarena_pro.generators.common import sql_literal

# -- knowledge Q&A --------------------------------------------------------------------------------------------

# The public FAQ articles' body, as the org generator writes it (crm_gym.world.generate.b2b_text.faq_article).
_FAQ_BODY = re.compile(
    r"^(?P<product>.+?) is our (?P<phrase>.+?)\. Customers often ask how it can (?P<topic>.+?)\. .+ "
    r"See the (?P=product) administration guide for step-by-step instructions"
)
_QA_QUESTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    # question kind: (phrasings, gold answer), both formatted with the article's product, phrase, topic, summary
    "topic": (
        (
            "In short, how can {product} {topic}?",
            "A customer wants to know how {product} can {topic}. What should we tell them?",
            "What does our knowledge base say about how {product} can {topic}?",
        ),
        "{summary}",
    ),
    "kind": (
        (
            "What kind of product is {product}?",
            "How do we describe {product} to customers: what type of product is it?",
        ),
        "{phrase}",
    ),
    "guide": (
        (
            "Where can a customer find step-by-step instructions for {product}?",
            "Which document should customers of {product} follow for step-by-step setup instructions?",
        ),
        "The {product} administration guide",
    ),
}


@category_generator("knowledge_qa")
def knowledge_qa(ctx: GenerationContext) -> Iterator[Instance]:
    """Questions answered by one public product FAQ article; the gold is a short phrase of that article."""
    products = {name for (name,) in ctx.sql('SELECT "Name" FROM "Product2"')}
    rows = ctx.sql(
        'SELECT "Id", "Summary", "FAQ_Answer__c" FROM "Knowledge__kav" WHERE "IsVisibleInPkb" = 1 ORDER BY "Id"'
    )
    for article_id, summary, body in rows:
        match = _FAQ_BODY.match(body or "")
        if match is None or match["product"] not in products:
            continue
        fields = {**match.groupdict(), "summary": summary}
        search = ctx.query_call(
            "SELECT Id, Title, Summary, FAQ_Answer__c FROM Knowledge__kav "
            f"WHERE Title LIKE {sql_literal('%' + fields['product'] + '%')}"
        )
        for kind, (phrasings, gold) in _QA_QUESTIONS.items():
            answer = gold.format(**fields)
            yield Instance(
                key=f"{article_id}:{kind}",
                prompt=ctx.choice(phrasings).format(**fields),
                policy="- Use the information retrieved from the knowledge articles to answer the question concisely.",
                answers=(answer,),
                calls=(search,),
                oracle_answer=answer,
                metadata={"article_id": article_id, "question": kind},
            )
