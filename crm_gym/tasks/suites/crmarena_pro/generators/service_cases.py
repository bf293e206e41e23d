"""Generators of the service categories about one case or one customer: routing, policy violations, products.

- case_routing: a new case (subject and description written here) goes to the agent the org's case routing
  article picks: most closed cases of the same issue, then of the same product, then the lightest open workload.
- policy_violation_identification: the service rule a case's chat broke, from the org's planted violations
  (deliberate negatives give None).
- named_entity_disambiguation: a contact names a purchase loosely (a product type, or a name shared by
  near-duplicate products) and when they bought it; the account's orders of that day tell which product it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance, category_generator
from crm_gym.tasks.suites.crmarena_pro.generators.service import balanced, today_line
from crm_gym.world.generate.b2b_text import CATEGORIES as PRODUCT_THEMES


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# -- case_routing ------------------------------------------------------------------------------------------------

_ROUTING_ISSUES_PER_PRODUCT = 2
_CASE_SUBJECTS = ("{issue} on {product}", "{product}: {issue_lower}", "Help needed: {issue_lower} ({product})")
_CASE_OPENINGS = (
    "Our team relies on the {product} every day.",
    "We rolled out the {product} to several offices last quarter.",
    "I am writing about the {product} we use in production.",
)
_CASE_CLOSINGS = (
    "Could someone look into this soon?",
    "Please let us know how to fix it.",
    "This is slowing our work down; we would appreciate a quick answer.",
)


def _routing_sql(issue: str, product: str, closed_status: str) -> str:
    return (
        "SELECT c.OwnerId, "
        f"SUM(CASE WHEN c.Status = {_quoted(closed_status)} AND c.IssueId__c = '{issue}' THEN 1 ELSE 0 END) "
        "AS issue_cases_closed, "
        f"SUM(CASE WHEN c.Status = {_quoted(closed_status)} AND oi.Product2Id = '{product}' THEN 1 ELSE 0 END) "
        "AS product_cases_closed, "
        f"SUM(CASE WHEN c.Status != {_quoted(closed_status)} THEN 1 ELSE 0 END) AS cases_not_closed "
        'FROM "Case" c LEFT JOIN OrderItem oi ON oi.Id = c.OrderItemId__c GROUP BY c.OwnerId '
        "ORDER BY issue_cases_closed DESC, product_cases_closed DESC, cases_not_closed ASC, c.OwnerId"
    )


def _routing_policy(ctx: GenerationContext) -> str:
    summary, body = ctx.sql(
        "SELECT Summary, FAQ_Answer__c FROM Knowledge__kav WHERE Id = ?", (ctx.policies.case_routing.article_id,)
    )[0]
    return f"## Case Routing Policy\n{summary}\n{body}"


@category_generator("case_routing")
def case_routing(ctx: GenerationContext) -> list[Instance]:
    """The agent the case routing policy picks for a new case about one issue with one product."""
    return balanced(ctx, _routing_instances(ctx))


def _routing_instances(ctx: GenerationContext) -> Iterator[Instance]:
    closed = ctx.policies.case_routing.counted_status
    policy = _routing_policy(ctx)
    issues = ctx.sql("SELECT Id, Name, Description__c FROM Issue__c ORDER BY Id")
    products = ctx.sql(
        'SELECT p.Id, p.Name FROM Product2 p WHERE EXISTS (SELECT 1 FROM "Case" c JOIN OrderItem oi '
        "ON oi.Id = c.OrderItemId__c WHERE oi.Product2Id = p.Id) ORDER BY p.Id"
    )
    for product, product_name in products:
        found = 0
        for k in ctx.rng.permutation(len(issues)):
            issue, issue_name, issue_description = issues[int(k)]
            rows = ctx.sql(_routing_sql(issue, product, closed))
            if not rows or rows[0][1] == 0 or (len(rows) > 1 and rows[0][1:] == rows[1][1:]):
                continue
            words = {"product": product_name, "issue": issue_name, "issue_lower": issue_name.lower()}
            description = " ".join(
                (ctx.choice(_CASE_OPENINGS).format(**words), issue_description, ctx.choice(_CASE_CLOSINGS))
            )
            yield Instance(
                key=f"{product}:{issue}",
                prompt="Following the case routing policy, which agent should the new case below be assigned to? "
                "Return only the Id of the agent.\n## New Case\n"
                f"- Subject: {ctx.choice(_CASE_SUBJECTS).format(**words)}\n- Description: {description}",
                policy=policy,
                answers=(rows[0][0],),
                calls=(
                    ctx.query_call("SELECT Id, Name, Description__c FROM Issue__c ORDER BY Name"),
                    ctx.query_call(f"SELECT Id, Name FROM Product2 WHERE Name = {_quoted(product_name)}"),
                    ctx.query_call(_routing_sql(issue, product, closed)),
                ),
                oracle_answer=rows[0][0],
                metadata={"issue": issue, "product": product},
            )
            found += 1
            if found == _ROUTING_ISSUES_PER_PRODUCT:
                break


# -- policy_violation_identification -----------------------------------------------------------------------------

_VIOLATION_PROMPTS = (
    "Did the support agent break a company policy on this case? If so, which knowledge article did they break?",
    "Was any policy violated by the agent handling this case, and if so, which knowledge article?",
    "Check this case's conversations: which knowledge article, if any, did the agent go against?",
)


@category_generator("policy_violation_identification")
def policy_violation_identification(ctx: GenerationContext) -> Iterator[Instance]:
    """The service-rule article a case's chat broke; None for the planted chats that keep every rule."""
    for case, article in sorted(ctx.planted.case_violations.items()):
        yield Instance(
            key=case,
            prompt=f"{ctx.choice(_VIOLATION_PROMPTS)} Return only the Id of the knowledge article, or None if no "
            "policy was violated.",
            policy=f"- Case Id to consider: {case}",
            answers=(article,),
            calls=(
                ctx.query_call(f"SELECT Body, StartTime FROM LiveChatTranscript WHERE CaseId = '{case}'"),
                ctx.query_call(f"SELECT Subject, TextBody FROM EmailMessage WHERE ParentId = '{case}'"),
                ctx.query_call("SELECT Id, Title, Summary FROM Knowledge__kav WHERE IsVisibleInPkb = 0 ORDER BY Title"),
            ),
            oracle_answer=article or "None",
            record_id=case,
        )


# -- named_entity_disambiguation -------------------------------------------------------------------------------

_NED_PROMPTS = (
    "Can you show me the {thing} I purchased {when}?",
    "Display the {thing} that I bought {when}.",
    "Please pull up the {thing} I ordered {when}.",
)
# Purchases older than this are not asked about by a relative date.
_NED_MAX_DAYS = 365
# Every this many purchases, a date without any purchase is asked about too (its answer is None).
_NED_NONE_EVERY = 4
_PHRASE_OF_FAMILY = {theme.name: theme.phrase for theme in PRODUCT_THEMES}


def _when(days: int) -> str:
    return {1: "yesterday", 7: "a week ago", 14: "two weeks ago"}.get(days, f"{days} days ago")


def _orders_sql(contact: str) -> str:
    return (
        'SELECT o.EffectiveDate, o.Status, oi.Product2Id, p.Name, p.Family, p.Description FROM "Order" o '
        "JOIN OrderItem oi ON oi.OrderId = o.Id JOIN Product2 p ON p.Id = oi.Product2Id "
        f"WHERE o.BillToContactId = '{contact}' ORDER BY o.EffectiveDate DESC, p.Name"
    )


def _shared_names(ctx: GenerationContext) -> dict[str, str]:
    """Each near-duplicate product's shared name: the shortest name of its group."""
    names = dict(ctx.sql("SELECT Id, Name FROM Product2"))
    return {
        product: min((names[p] for p in group), key=len)
        for group in ctx.planted.near_duplicate_products
        for product in group
    }


def _describe(product: str, family: str, shared: dict[str, str]) -> tuple[str, Callable[[str, str], bool]]:
    """A product's loose description and a test of which products (name, family) it fits.

    Near-duplicate products are named by the name their group shares; the others by their product type.
    """
    if product in shared:
        base = shared[product]
        return base, lambda other_name, _: other_name == base or other_name.startswith(base + " ")
    return _PHRASE_OF_FAMILY[family], lambda _, other_family: other_family == family


@category_generator("named_entity_disambiguation")
def named_entity_disambiguation(ctx: GenerationContext) -> list[Instance]:
    """The product a contact means by a loose name and a purchase date; None when nothing fits that day."""
    return balanced(ctx, _ned_instances(ctx))


def _ned_instances(ctx: GenerationContext) -> Iterator[Instance]:
    shared = _shared_names(ctx)
    first = (ctx.today - dt.timedelta(days=_NED_MAX_DAYS)).isoformat()
    purchases = ctx.sql(
        'SELECT o.BillToContactId, o.AccountId, o.EffectiveDate, oi.Product2Id, p.Family FROM "Order" o '
        "JOIN OrderItem oi ON oi.OrderId = o.Id JOIN Product2 p ON p.Id = oi.Product2Id "
        "WHERE o.Status = 'Activated' AND o.EffectiveDate >= ? AND o.EffectiveDate < ? ORDER BY oi.Id",
        (first, ctx.today.isoformat()),
    )
    seen: set[str] = set()
    for n, (contact, account, day, product, family) in enumerate(purchases):
        thing, fits = _describe(product, family, shared)
        days = (ctx.today - dt.date.fromisoformat(day)).days
        candidates = [(days, product)]
        if n % _NED_NONE_EVERY == 0:
            candidates.append((days + int(ctx.rng.integers(2, 30)), None))
        for ago, gold in candidates:
            when = (ctx.today - dt.timedelta(days=ago)).isoformat()
            key = f"{contact}:{when}:{product}"
            if key in seen:
                continue
            # Every product the account ordered that day (any contact, any status) that the description fits.
            bought = ctx.sql(
                'SELECT DISTINCT oi.Product2Id, p.Name, p.Family FROM "Order" o JOIN OrderItem oi ON oi.OrderId = o.Id '
                "JOIN Product2 p ON p.Id = oi.Product2Id WHERE o.AccountId = ? AND o.EffectiveDate = ?",
                (account, when),
            )
            if [p for p, p_name, p_family in bought if fits(p_name, p_family)] != ([gold] if gold else []):
                continue
            seen.add(key)
            prompt = ctx.choice(_NED_PROMPTS).format(thing=thing, when=_when(ago))
            yield Instance(
                key=key,
                prompt=f"{prompt} Return only the Id of the product from the contact's relevant past transaction, "
                "or None if there is no such purchase.",
                policy=f"- Contact Id interacting: {contact}\n{today_line(ctx)}",
                answers=(gold,),
                calls=(ctx.query_call(_orders_sql(contact)),),
                oracle_answer=gold or "None",
                record_id=contact,
                metadata={"date": when, "description": thing, "near_duplicate": product in shared},
            )
