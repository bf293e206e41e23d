"""Generators of the policy-driven record categories: quote approval, invalid config and activity priority.

Quote approval and invalid configuration ask which policy article a quote breaks: the gold is what the org's
policies (`OrgPolicies.approval_violations`, `config_violations`) compute from the quote as stored, so a planted
quote and an ordinary one are judged by the same rule. A quote is a candidate when it breaks at most one rule of
the kind asked and none of the other kind; it is a None candidate only when it sits exactly at a limit (planted,
`PlantedFacts.quote_near_misses`), so a careful reader can see why it passes. Activity priority asks which
'Not Started' tasks of an opportunity belong to another stage than its recorded one, per the stage guide.

About half of the tasks name the quote or opportunity by what it is (`deal_records`) instead of by its Id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from crm_gym.tasks.suites.crmarena_pro.framework import (
    GenerationContext,
    Instance,
    category_generator,
    category_readings,
)
from crm_gym.tasks.suites.crmarena_pro.generators import deal_phrasing as phrasing
from crm_gym.tasks.suites.crmarena_pro.generators.common import sql_literal
from crm_gym.tasks.suites.crmarena_pro.generators.deal_records import (
    OpportunityDirectory,
    QuoteDirectory,
    article_title,
    references,
)
from crm_gym.world.generate.policies import (
    ConfigRule,
    DealDiscountRule,
    DiscountRule,
    ProductConfigRule,
    QuoteFacts,
    quote_facts,
)

QuoteRule = DiscountRule | DealDiscountRule | ConfigRule | ProductConfigRule


def _answer_text(ids: Sequence[str]) -> str:
    return ", ".join(ids) if ids else "None"


# -- quotes against policy articles ---------------------------------------------------------------------------


def _rules(ctx: GenerationContext) -> dict[str, QuoteRule]:
    p = ctx.policies
    return {
        r.article_id: r for r in (*p.quote_approval, *p.deal_discount_rules, *p.invalid_configs, *p.more_config_rules)
    }


def _near_miss(ctx: GenerationContext, rule: QuoteRule, facts: QuoteFacts) -> str:
    """What a careful reader checks to see that the quote passes the rule it comes closest to breaking."""
    names = dict(ctx.sql('SELECT "Id", "Name" FROM "Product2"'))
    if isinstance(rule, DiscountRule | DealDiscountRule) and (
        not isinstance(rule, DiscountRule) or rule.below_quantity is None
    ):
        line = next(
            line
            for line in facts.lines
            if line.discount == rule.max_discount and (isinstance(rule, DiscountRule) or rule.caps(facts, line))
        )
        return f"the {names[line.product_id]} line is discounted exactly {rule.max_discount:g}%, the limit, not above"
    if isinstance(rule, DiscountRule):
        line = next(line for line in facts.lines if line.quantity == rule.below_quantity)
        return (
            f"the {names[line.product_id]} line orders exactly {rule.below_quantity} units, so the small-order limit "
            f"of {rule.max_discount:g}% does not apply to its {line.discount:g}% discount"
        )
    product = names[rule.product_id]
    if rule.kind in ("max_quantity", "min_quantity"):
        bound = "most" if rule.kind == "max_quantity" else "least"
        return f"{product} is quoted at exactly {rule.limit} units, the {bound} allowed"
    if isinstance(rule, ConfigRule):
        return f"{product} is quoted together with {names[rule.other_product_id or '']}, as its rule requires"
    return f"{product} is quoted together with a {rule.family} product, as its rule requires"


_APPROVAL_GUIDE = """## Quote approval guide.
The quote approval rules (the discounts a quote may carry) are stated in the knowledge articles titled
"Quote Approval: ...". Compare the quote with each of them. A discount breaks a limit only when it is above it:
a discount exactly at the limit is allowed. Product combinations and quantity limits (configuration rules) are not
part of this review."""
_CONFIG_GUIDE = """## Invalid configuration guide.
The configuration rules (products that need or exclude each other, quantity limits per quote line) are stated in
the knowledge articles titled "Configuration Rule: ...". Compare the quote's products and quantities with each of
them; a quantity exactly at a limit is allowed. Discounts are not part of this review."""


def _quote_instances(ctx: GenerationContext, asked: Literal["approval", "config"]) -> Iterator[Instance]:
    """One instance per quote breaking at most one ``asked`` rule and no rule of the other kind (None only for a
    planted near miss of an ``asked`` rule)."""
    rules, near = _rules(ctx), ctx.planted.quote_near_misses
    kinds = (DiscountRule, DealDiscountRule) if asked == "approval" else (ConfigRule, ProductConfigRule)
    title = "Quote Approval" if asked == "approval" else "Configuration Rule"
    articles = ctx.query_call(f"SELECT Id, Title, FAQ_Answer__c FROM Knowledge__kav WHERE Title LIKE '{title}%'")
    book, answers = (
        (phrasing.QUOTE_APPROVAL, phrasing.APPROVAL_ANSWERS)
        if asked == "approval"
        else (phrasing.INVALID_CONFIG, phrasing.CONFIG_ANSWERS)
    )
    candidates = {}
    for quote_id, facts in sorted(quote_facts(ctx.world).items()):
        approval, config = ctx.policies.approval_violations(facts), ctx.policies.config_violations(facts)
        broken, other = (approval, config) if asked == "approval" else (config, approval)
        near_rule = rules.get(near.get(quote_id, ""))
        if len(broken) <= 1 and not other and (broken or isinstance(near_rule, kinds)):
            candidates[quote_id] = (facts, broken, near_rule)
    directory = QuoteDirectory(ctx)
    refs = references(ctx, {quote_id: directory.describe(quote_id) for quote_id in candidates}, "quote")
    for quote_id, (facts, broken, near_rule) in candidates.items():
        ref = refs[quote_id]
        prompt = phrasing.phrase(ctx, book, ref.text, answers)
        literal = sql_literal(quote_id)
        lines = ctx.query_call(
            "SELECT l.Product2Id, p.Name, p.Family, l.Quantity, l.UnitPrice, l.Discount, l.TotalPrice "
            f"FROM QuoteLineItem l JOIN Product2 p ON p.Id = l.Product2Id WHERE l.QuoteId = {literal}"
        )
        header = ctx.query_call(
            "SELECT q.Id, a.Name, a.Type, o.Pricebook2Id, pb.Name FROM Quote q JOIN Account a ON a.Id = q.AccountId "
            "JOIN Opportunity o ON o.Id = q.OpportunityId JOIN Pricebook2 pb ON pb.Id = o.Pricebook2Id "
            f"WHERE q.Id = {literal}"
        )
        calls = (*ref.lookup, articles, lines, header) if asked == "approval" else (*ref.lookup, articles, lines)
        yield Instance(
            key=quote_id,
            prompt=prompt.text,
            policy=(_APPROVAL_GUIDE if asked == "approval" else _CONFIG_GUIDE) + ref.policy_line,
            answers=tuple(broken) or (None,),
            calls=calls,
            oracle_answer=_answer_text(broken),
            record_id=quote_id,
            metadata={"quote_id": quote_id, "named": bool(ref.lookup)},
            near_miss=_near_miss(ctx, near_rule, facts) if not broken and near_rule else None,
            phrasing=prompt.family,
        )


def _gold_all_articles(ctx: GenerationContext, meta: Mapping[str, Any]) -> tuple[str | None, ...]:
    """Reading: "our policies" takes in every policy article, approval and configuration alike."""
    facts = quote_facts(ctx.world, meta["quote_id"])[meta["quote_id"]]
    return ctx.policies.approval_violations(facts) + ctx.policies.config_violations(facts) or (None,)


def _gold_overall_from_totals(ctx: GenerationContext, meta: Mapping[str, Any]) -> tuple[str | None, ...]:
    """Reading: the overall discount is taken from the lines' totals (one minus total over list value)."""
    facts = quote_facts(ctx.world, meta["quote_id"])[meta["quote_id"]]
    [(total, listed)] = ctx.sql(
        'SELECT SUM("TotalPrice"), SUM("Quantity" * "UnitPrice") FROM "QuoteLineItem" WHERE "QuoteId" = ?',
        (meta["quote_id"],),
    )
    overall = round(100 * (1 - total / listed), 2) if listed else 0.0
    broken = [
        r.article_id
        for r in ctx.policies.deal_discount_rules
        if (overall > r.max_discount if r.kind == "overall" else r.broken_by(facts))
    ]
    line_rules = [r.article_id for r in ctx.policies.quote_approval if r.broken_by(facts.lines)]
    return (*line_rules, *broken) or (None,)


@category_generator("quote_approval")
def quote_approval(ctx: GenerationContext) -> Iterator[Instance]:
    """Which quote-approval article a quote's discounts break (None when it sits exactly at a limit)."""
    yield from _quote_instances(ctx, "approval")


category_readings(
    "quote_approval", all_policy_articles=_gold_all_articles, overall_discount_from_totals=_gold_overall_from_totals
)


@category_generator("invalid_config")
def invalid_config(ctx: GenerationContext) -> Iterator[Instance]:
    """Which configuration article a quote's product mix breaks (None when it sits exactly at a limit)."""
    yield from _quote_instances(ctx, "config")


category_readings("invalid_config", all_policy_articles=_gold_all_articles)


# -- activity priority ----------------------------------------------------------------------------------------


def _priority_guide(ctx: GenerationContext, inline: bool) -> str:
    lines = [
        "## Activity priority guide.",
        "Work should match the opportunity's current stage (its recorded Stage). Only tasks whose Status is "
        "'Not Started' are reviewed; tasks in progress or completed are left as they are. A not-started task whose "
        "subject is listed under another stage than the opportunity's does not match it.",
    ]
    if not inline:
        title = article_title(ctx, ctx.policies.stage_guide.article_id)
        lines.append(f"The activities of each stage are listed in the knowledge article '{title}'.")
        return "\n".join(lines)
    lines.append("The activities that belong to each stage are:")
    for stage, subjects in ctx.policies.stage_guide.activities.items():
        lines.append(f"{stage}:")
        lines.extend(f"    - {subject}" for subject in subjects)
    return "\n".join(lines)


@category_generator("activity_priority")
def activity_priority(ctx: GenerationContext) -> Iterator[Instance]:
    """The not-started tasks of an opportunity that belong to another stage than its recorded one (None only when
    an off-stage task exists but is in progress or completed: the near miss)."""
    guide = ctx.policies.stage_guide
    stages = dict(ctx.sql('SELECT "Id", "StageName" FROM "Opportunity"'))
    tasks: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for task_id, opp_id, subject, status in ctx.sql(
        'SELECT t."Id", t."WhatId", t."Subject", t."Status" FROM "Task" t JOIN "Opportunity" o ON o."Id" = t."WhatId" '
        'ORDER BY t."WhatId", t."Id"'
    ):
        tasks[opp_id].append((task_id, subject, status))
    title = article_title(ctx, guide.article_id)
    article = ctx.query_call(f"SELECT Id, Title, FAQ_Answer__c FROM Knowledge__kav WHERE Title = {sql_literal(title)}")
    candidates = {}
    for opp_id, opp_tasks in sorted(tasks.items()):
        placed = [(task_id, guide.stage_of(subject), subject, status) for task_id, subject, status in opp_tasks]
        not_started = [p for p in placed if p[3] == "Not Started"]
        if not not_started or any(stage is None for _, stage, _, _ in placed):
            continue  # a subject the guide does not place: its stage cannot be judged
        wrong = [task_id for task_id, stage, _, _ in not_started if stage != stages[opp_id]]
        aside = [(subject, stage, status) for _, stage, subject, status in placed if stage != stages[opp_id]]
        if wrong or aside:  # None only with an off-stage task that is not 'Not Started': the near miss
            candidates[opp_id] = (wrong, aside)
    directory = OpportunityDirectory(ctx)
    refs = references(ctx, {opp_id: directory.describe(opp_id) for opp_id in candidates}, "opportunity")
    for opp_id, (wrong, aside) in candidates.items():
        ref = refs[opp_id]
        prompt = phrasing.phrase(ctx, phrasing.ACTIVITY_PRIORITY, ref.text, phrasing.PRIORITY_ANSWERS)
        inline = ctx.rng.random() < 0.5
        literal = sql_literal(opp_id)
        calls = (
            *(ref.lookup or (ctx.query_call(f"SELECT Id, Name, StageName FROM Opportunity WHERE Id = {literal}"),)),
            *(() if inline else (article,)),
            ctx.query_call(f"SELECT Id, Subject, Status FROM Task WHERE WhatId = {literal}"),
        )
        subject, stage, status = aside[0] if aside else ("", "", "")
        yield Instance(
            key=opp_id,
            prompt=prompt.text,
            policy=_priority_guide(ctx, inline) + ref.policy_line,
            answers=tuple(wrong) or (None,),
            calls=calls,
            oracle_answer=_answer_text(wrong),
            record_id=opp_id,
            metadata={"opportunity_id": opp_id, "named": bool(ref.lookup)},
            near_miss=None if wrong else f"the task '{subject}' belongs to {stage} but is {status}, not Not Started",
            phrasing=prompt.family,
        )
