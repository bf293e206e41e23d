"""Generators of the service categories about one case or one customer: routing, policy violations, products.

- case_routing: a new case (subject and description written here) goes to the agent the org's case routing
  article picks: most closed cases of the same issue, then of the same product, then the lightest open workload.
- policy_violation_identification: the service rule a case's chat broke, from the org's planted violations
  (deliberate negatives give None).
- named_entity_disambiguation: a contact names a purchase loosely (a product type, or a name shared by
  near-duplicate products) and when they bought it; the account's orders of that day tell which product it is.
"""

from __future__ import annotations

from collections.abc import Iterator

from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance, category_generator
from crm_gym.tasks.suites.crmarena_pro.generators.common import balanced


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
