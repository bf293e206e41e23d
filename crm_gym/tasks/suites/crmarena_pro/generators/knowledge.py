"""Generators of the knowledge-driven categories: quote approval, invalid config, knowledge Q&A, activity priority.

Quote approval and invalid configuration ask which policy article a quote breaks: the gold is what the org's
policies (`OrgPolicies`) compute from the quote's line items as stored, so a planted quote and an ordinary one
are judged by the same rule. Knowledge Q&A asks what a public product FAQ article says. Activity priority asks
which not-started tasks of an opportunity belong to another stage than the one it is in, per the stage guide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance, category_generator
from crm_gym.tasks.suites.crmarena_pro.generators.common import sql_literal
from crm_gym.world.generate.policies import ConfigRule, DiscountRule, QuoteLine


def _answer_text(ids: Sequence[str]) -> str:
    return ", ".join(ids) if ids else "None"


# -- quotes against policy articles ---------------------------------------------------------------------------


def _quote_lines(ctx: GenerationContext) -> dict[str, list[QuoteLine]]:
    lines: dict[str, list[QuoteLine]] = defaultdict(list)
    for quote_id, product_id, quantity, discount in ctx.sql(
        'SELECT "QuoteId", "Product2Id", "Quantity", "Discount" FROM "QuoteLineItem" ORDER BY "QuoteId", "Id"'
    ):
        lines[quote_id].append(QuoteLine(product_id=product_id, quantity=quantity, discount=discount or 0.0))
    return lines


def _quote_instances(
    ctx: GenerationContext,
    asked: Sequence[DiscountRule | ConfigRule],
    other: Sequence[DiscountRule | ConfigRule],
    prompts: Sequence[str],
    guide: str,
    articles_sql: str,
    lines_sql: str,
) -> Iterator[Instance]:
    """One instance per quote breaking at most one ``asked`` rule and no ``other`` rule (which the prompt ignores)."""
    for quote_id, lines in sorted(_quote_lines(ctx).items()):
        broken = [rule.article_id for rule in asked if rule.broken_by(lines)]
        if len(broken) > 1 or any(rule.broken_by(lines) for rule in other):
            continue
        policy = f"{guide}\n\n- Quote Id to be considered is: {quote_id}\n"
        calls = (ctx.query_call(articles_sql), ctx.query_call(lines_sql.format(quote=sql_literal(quote_id))))
        yield Instance(
            key=quote_id,
            prompt=ctx.choice(prompts),
            policy=policy,
            answers=tuple(broken) if broken else (None,),
            calls=calls,
            oracle_answer=_answer_text(broken),
            record_id=quote_id,
        )


_APPROVAL_PROMPTS = (
    "Can this quote be approved as priced? If its line discounts break one of our quote approval policies, which "
    "knowledge article do they break? Return only the Id of that knowledge article, or None if no policy is broken.",
    "Do the discounts on this quote's line items stay within our approval policies? If not, return only the Id of "
    "the knowledge article the quote violates; if it violates none, return None.",
    "Check the line discounts of this quote against the company's quote approval rules. Return only the Id of the "
    "knowledge article the quote violates, or None if it complies.",
)
_APPROVAL_GUIDE = """## Quote approval guide.
Quote approval rules (the discounts a quote line may carry) are stated in knowledge articles. Compare the quote's
line items with them; product combinations and quantity limits are not part of this review."""


@category_generator("quote_approval")
def quote_approval(ctx: GenerationContext) -> Iterator[Instance]:
    """Which quote-approval article a quote's line discounts break (None when they break none)."""
    yield from _quote_instances(
        ctx,
        ctx.policies.quote_approval,
        ctx.policies.invalid_configs,
        _APPROVAL_PROMPTS,
        _APPROVAL_GUIDE,
        "SELECT Id, Title, FAQ_Answer__c FROM Knowledge__kav WHERE Title LIKE 'Quote Approval%'",
        "SELECT Id, Product2Id, Quantity, Discount FROM QuoteLineItem WHERE QuoteId = {quote}",
    )


_CONFIG_PROMPTS = (
    "Is the product configuration of this quote (which products it combines and in what quantities) allowed by "
    "company policy? Return only the Id of the knowledge article the invalid configuration violates, or None if "
    "the configuration is valid.",
    "Does this quote combine products, or quote quantities, that our configuration rules forbid? Return only the "
    "Id of the knowledge article it violates; return None if the configuration is valid.",
    "Review the product setup of this quote against our configuration rules. Return only the Id of the knowledge "
    "article that the invalid configuration violates, or None if there is no violation.",
)
_CONFIG_GUIDE = """## Invalid configuration guide.
Configuration rules (products that need or exclude each other, quantity limits per line) are stated in knowledge
articles. Compare the quote's products and quantities with them; discounts are not part of this review."""


@category_generator("invalid_config")
def invalid_config(ctx: GenerationContext) -> Iterator[Instance]:
    """Which configuration article a quote's product mix breaks (None when the mix is valid)."""
    yield from _quote_instances(
        ctx,
        ctx.policies.invalid_configs,
        ctx.policies.quote_approval,
        _CONFIG_PROMPTS,
        _CONFIG_GUIDE,
        "SELECT Id, Title, FAQ_Answer__c FROM Knowledge__kav WHERE Title LIKE 'Configuration Rule%'",
        "SELECT qli.Product2Id, p.Name, qli.Quantity FROM QuoteLineItem qli JOIN Product2 p ON p.Id = qli.Product2Id "
        "WHERE qli.QuoteId = {quote}",
    )


# -- activity priority ----------------------------------------------------------------------------------------

_PRIORITY_PROMPTS = (
    "Which 'Not Started' tasks on this opportunity do not match its current stage? Return only the Ids of those "
    "tasks, or None if every not-started task matches the stage.",
    "Find the tasks with status 'Not Started' that belong to a different stage than the one this opportunity is "
    "in. Return only the task Ids, or None if there are none.",
    "List the not-started tasks of this opportunity that do not fit the opportunity's stage. Return only the Ids "
    "of the tasks; return None if all of them fit.",
)


def _priority_guide(ctx: GenerationContext) -> str:
    lines = [
        "## Activity priority guide.",
        "Work should match the opportunity's current stage. The activities that belong to each stage are:",
    ]
    for stage, subjects in ctx.policies.stage_guide.activities.items():
        lines.append(f"{stage}:")
        lines.extend(f"    - {subject}" for subject in subjects)
    lines.append("A task whose subject is listed under another stage than the opportunity's does not match it.")
    return "\n".join(lines)


@category_generator("activity_priority")
def activity_priority(ctx: GenerationContext) -> Iterator[Instance]:
    """The not-started tasks of an opportunity that belong to another stage than its recorded one."""
    guide = ctx.policies.stage_guide
    stages = dict(ctx.sql('SELECT "Id", "StageName" FROM "Opportunity"'))
    tasks: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for task_id, opp_id, subject in ctx.sql(
        'SELECT t."Id", t."WhatId", t."Subject" FROM "Task" t JOIN "Opportunity" o ON o."Id" = t."WhatId" '
        'WHERE t."Status" = \'Not Started\' ORDER BY t."WhatId", t."Id"'
    ):
        tasks[opp_id].append((task_id, subject))
    text = _priority_guide(ctx)
    for opp_id, not_started in sorted(tasks.items()):
        task_stages = [guide.stage_of(subject) for _, subject in not_started]
        if None in task_stages:  # a subject the guide does not place: its stage cannot be judged
            continue
        wrong = [
            task_id for (task_id, _), stage in zip(not_started, task_stages, strict=True) if stage != stages[opp_id]
        ]
        calls = (
            ctx.query_call(f"SELECT Id, Name, StageName FROM Opportunity WHERE Id = {sql_literal(opp_id)}"),
            ctx.query_call(f"SELECT Id, Subject, Status FROM Task WHERE WhatId = {sql_literal(opp_id)}"),
        )
        yield Instance(
            key=opp_id,
            prompt=ctx.choice(_PRIORITY_PROMPTS),
            policy=f"{text}\n\n- Opportunity Id to be considered is: {opp_id}\n",
            answers=tuple(wrong) if wrong else (None,),
            calls=calls,
            oracle_answer=_answer_text(wrong),
            record_id=opp_id,
        )
