"""Generators of the service categories about one case or one customer: routing, policy violations, products.

- case_routing: a new case (subject and description composed here: the issue told by its symptoms, the product named
  or, when the sender's account bought only one of its kind, described) goes to the agent the org's case routing
  article picks: most closed cases of the same issue, then of the same product, then the lightest open workload.
- policy_violation_identification: the service rule a case's chat broke, from the org's planted chat facts; None
  only where the chat came close to a rule and kept it (the near miss is named).
- named_entity_disambiguation: a contact names a purchase loosely (a product type, or a name shared by
  near-duplicate products) and when they bought it; the account's orders of that day tell which product it is.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from crm_gym.tasks.model import ToolCall
from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance, PhraseBook, category_generator
from crm_gym.tasks.suites.crmarena_pro.generators.common import balanced, sql_literal
from crm_gym.tasks.suites.crmarena_pro.generators.wording import OPENERS, ask
from crm_gym.world.generate.b2b_service_text import case_text
from crm_gym.world.generate.b2b_text import CATEGORIES as THEMES
from crm_gym.world.generate.b2b_text import money
from crm_gym.world.generate.policies import ChatFacts, ServiceRule

_PHRASE = {theme.name: theme.phrase for theme in THEMES}

# -- case_routing ------------------------------------------------------------------------------------------------

_ROUTING_ISSUES_PER_PRODUCT = 2
_ROUTING_BOOK = PhraseBook(
    {
        "following-policy": (
            "Following the case routing policy, which agent should the new case below be assigned to? {fmt}",
        ),
        "who-takes-it": ("Who should take the new case below, according to our case routing policy? {fmt}",),
        "route-it": ("Route the new case below with the case routing policy: which agent gets it? {fmt}",),
        "best-agent": ("Use the case routing policy to pick the best agent for the case below. {fmt}",),
    }
)
_ROUTING_FORMATS = (
    "Return only the Id of the agent.",
    "Answer with the agent's Id only.",
    "Reply with just the User Id of the agent.",
)


def _routing_sql(issue: str, product: str, closed_status: str) -> str:
    return (
        "SELECT c.OwnerId, "
        f"SUM(CASE WHEN c.Status = {sql_literal(closed_status)} AND c.IssueId__c = '{issue}' THEN 1 ELSE 0 END) "
        "AS issue_cases_closed, "
        f"SUM(CASE WHEN c.Status = {sql_literal(closed_status)} AND oi.Product2Id = '{product}' THEN 1 ELSE 0 END) "
        "AS product_cases_closed, "
        f"SUM(CASE WHEN c.Status != {sql_literal(closed_status)} THEN 1 ELSE 0 END) AS cases_not_closed "
        'FROM "Case" c LEFT JOIN OrderItem oi ON oi.Id = c.OrderItemId__c GROUP BY c.OwnerId '
        "ORDER BY issue_cases_closed DESC, product_cases_closed DESC, cases_not_closed ASC, c.OwnerId"
    )


def _routing_policy(ctx: GenerationContext) -> str:
    summary, body = ctx.sql(
        "SELECT Summary, FAQ_Answer__c FROM Knowledge__kav WHERE Id = ?", (ctx.policies.case_routing.article_id,)
    )[0]
    return f"## Case Routing Policy\n{summary}\n{body}"


def _only_of_kind(ctx: GenerationContext) -> dict[str, list[tuple[str, str]]]:
    """Product id -> (account id, account name) of accounts that bought it and no other product of its kind, on
    activated orders only (a draft order would leave "the one we bought" open to reading)."""
    rows = ctx.sql(
        'SELECT a.Id, a.Name, group_concat(DISTINCT oi.Product2Id), min(o.Status), max(o.Status) FROM "Order" o '
        "JOIN Account a ON a.Id = o.AccountId JOIN OrderItem oi ON oi.OrderId = o.Id "
        "JOIN Product2 p ON p.Id = oi.Product2Id GROUP BY a.Id, p.Family ORDER BY a.Id, p.Family"
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for account, name, products, lowest, highest in rows:
        if "," not in products and lowest == highest == "Activated":
            found.setdefault(products, []).append((account, name))
    return found


def _sender(ctx: GenerationContext, account: str, account_name: str, family: str) -> tuple[str, ToolCall]:
    """Who sends a case about the account's only product of ``family``, and the oracle's call that finds it."""
    contacts = ctx.sql(
        "SELECT FirstName || ' ' || LastName, Email FROM Contact WHERE AccountId = ? ORDER BY Id", (account,)
    )
    name, email = contacts[int(ctx.rng.integers(len(contacts)))]
    call = ctx.query_call(
        'SELECT DISTINCT p.Id, p.Name FROM Contact c JOIN "Order" o ON o.AccountId = c.AccountId '
        "JOIN OrderItem oi ON oi.OrderId = o.Id JOIN Product2 p ON p.Id = oi.Product2Id "
        f"WHERE c.Email = {sql_literal(email)} AND p.Family = {sql_literal(family)}"
    )
    return f"{name} <{email}> ({account_name})", call


@category_generator("case_routing")
def case_routing(ctx: GenerationContext) -> list[Instance]:
    """The agent the case routing policy picks for a new case about one issue with one product."""
    return balanced(ctx, _routing_instances(ctx))


def _routing_instances(ctx: GenerationContext) -> Iterator[Instance]:
    closed = ctx.policies.case_routing.counted_status
    policy = _routing_policy(ctx)
    issues = ctx.sql("SELECT Id, Name FROM Issue__c ORDER BY Id")
    products = ctx.sql(
        'SELECT p.Id, p.Name, p.Family FROM Product2 p WHERE EXISTS (SELECT 1 FROM "Case" c JOIN OrderItem oi '
        "ON oi.Id = c.OrderItemId__c WHERE oi.Product2Id = p.Id) ORDER BY p.Id"
    )
    buyers = _only_of_kind(ctx)
    issue_call = ctx.query_call("SELECT Id, Name, Description__c FROM Issue__c ORDER BY Name")
    for product, product_name, family in products:
        found = 0
        for k in ctx.rng.permutation(len(issues)):
            issue, issue_name = issues[int(k)]
            rows = ctx.sql(_routing_sql(issue, product, closed))
            if not rows or rows[0][1] == 0 or (len(rows) > 1 and rows[0][1:] == rows[1][1:]):
                continue
            words = random.Random(int(ctx.rng.integers(2**63)))
            sender, lookup = (
                "",
                ctx.query_call(f"SELECT Id, Name FROM Product2 WHERE Name = {sql_literal(product_name)}"),
            )
            described = product in buyers and ctx.rng.random() < 0.5
            if described:
                account, account_name = buyers[product][int(ctx.rng.integers(len(buyers[product])))]
                who, lookup = _sender(ctx, account, account_name, family)
                sender = f"- From: {who}\n"
            kind = _PHRASE[family] if described else None
            subject, description = case_text(words, issue_name, product_name, kind, issue_in_subject=False)
            prompt = ask(ctx, _ROUTING_BOOK, fmt=ctx.choice(_ROUTING_FORMATS))
            yield Instance(
                key=f"{product}:{issue}",
                prompt=f"{prompt.text}\n## New Case\n{sender}- Subject: {subject}\n- Description: {description}",
                phrasing=prompt.family,
                policy=policy,
                answers=(rows[0][0],),
                calls=(issue_call, lookup, ctx.query_call(_routing_sql(issue, product, closed))),
                oracle_answer=rows[0][0],
                metadata={"issue": issue, "product": product, "described": described},
            )
            found += 1
            if found == _ROUTING_ISSUES_PER_PRODUCT:
                break


# -- policy_violation_identification -----------------------------------------------------------------------------

_VIOLATION_BOOK = PhraseBook(
    {
        "breach-question": (
            "{opener}Did the [support agent|agent] [break|breach|violate] a company policy on {case}? If so, which "
            "knowledge article [did they break|was breached]? {fmt}",
        ),
        "audit": (
            "{opener}[I'm auditing|I'm reviewing|We're auditing] [support conversations|service chats|our agents' "
            "chats]. Was any policy [broken|violated] on {case}, and [under which article|which article covers it]? "
            "{fmt}",
        ),
        "which-article": (
            "{opener}Which knowledge article, if any, did the agent [go against|contravene|fail to follow] [on|in] "
            "{case}? {fmt}",
        ),
        "quality-check": (
            "{opener}[Run|Do] a [QA|quality] check on {case}: did the agent [follow|stick to] our service rules? {fmt}",
        ),
        "manager-flag": (
            "{opener}[The service director|My manager|A team lead] [flagged|asked about] {case}. Did the agent [handle "
            "it within policy|stay within our rules]? {fmt}",
        ),
        "complaint": (
            "{opener}A customer [complained|escalated] about how {case} was handled. Did our agent [breach|break] "
            "any policy? {fmt}",
        ),
        "terse": ("{opener}Policy violation on {case}[?|: which article, if any?] {fmt}",),
        "conversations": (
            "{opener}[Check|Look at|Go through] the conversations on {case}: [which|what] policy article, if any, [was "
            "broken|did the agent violate]? {fmt}",
        ),
        "coaching": (
            "{opener}[For agent coaching|Before the agent's review], tell me whether the agent [broke|violated] a "
            "service policy on {case}. {fmt}",
        ),
    }
)
_VIOLATION_FORMATS = (
    "Return only the Id of the knowledge article, or None if no policy was violated.",
    "Answer with the article's Id, or None if the agent kept every rule.",
    "Reply with just the Id of the violated article, or None.",
    "Give only the knowledge article Id (or None if there was no violation).",
)
_VIOLATION_POLICY = (
    "## Service policy review\n"
    "Judge the support agent's conduct in the case's conversations against the service rules our internal knowledge "
    "articles state."
)
_SERVICE_ARTICLES = (
    "SELECT Id, Title, Summary, FAQ_Answer__c FROM Knowledge__kav WHERE IsVisibleInPkb = 0 "
    "AND Title NOT LIKE 'Internal:%' ORDER BY Title"
)
# Rules judged on the case's order: its date (purchase age) or its total.
_ORDER_RULES = frozenset({"refund_window", "replacement_warranty", "shipping_fee_waiver"})


def _violation_near_miss(rule: ServiceRule, chat: ChatFacts) -> str:
    """How a chat that keeps its rule comes close to breaking it."""
    figure, limit = chat.figure, rule.limit
    misses = {
        "refund_window": f"the agent approved a refund {figure:.0f} days after the purchase, within the {limit}-day "
        "window"
        if chat.act
        else f"the customer asked for a refund {figure:.0f} days after the purchase and the agent declined",
        "replacement_warranty": f"the agent shipped a free replacement {figure:.0f} days after the purchase, within "
        f"the {limit}-day warranty"
        if chat.act
        else f"the agent quoted a paid replacement for a purchase {figure:.0f} days old",
        "goodwill_credit": f"the agent offered a {money(figure)} goodwill credit, within the {money(limit)} limit",
        "shipping_fee_waiver": f"the agent waived the fee on an order worth {money(figure)}, at or above {money(limit)}"
        if chat.act
        else f"the agent kept the fee on an order worth {money(figure)}",
        "update_promise": f"the agent promised an update within {figure:.0f} hours; the article allows {limit} "
        "hours or later",
        "identity_check": "the agent read out the phone number only after the caller answered the security question"
        if chat.act
        else "the agent withheld the phone number until the caller answers the security question",
        "password_request": "the agent sent a password reset link and never asked for the password",
        "remote_session_consent": "the agent asked for and got consent before connecting remotely",
        "competitor_remarks": "the customer asked about a competitor and the agent declined to comment",
    }
    return misses[chat.kind]


def _case_descriptions(ctx: GenerationContext) -> dict[str, tuple[str, ToolCall]]:
    """Case id -> a description (who opened it, when, about what) no other case fits, and the oracle's lookup."""
    rows = ctx.sql(
        "SELECT c.Id, ct.FirstName || ' ' || ct.LastName, a.Name, date(c.CreatedDate), p.Name, count(*) OVER "
        '(PARTITION BY ct.FirstName, ct.LastName, a.Name, date(c.CreatedDate)) FROM "Case" c '
        "JOIN Contact ct ON ct.Id = c.ContactId JOIN Account a ON a.Id = c.AccountId "
        "JOIN OrderItem oi ON oi.Id = c.OrderItemId__c JOIN Product2 p ON p.Id = oi.Product2Id"
    )
    found = {}
    for case, contact, account, day, product, n in rows:
        if n != 1:
            continue
        first, last = contact.split(" ", 1)
        call = ctx.query_call(
            'SELECT c.Id, c.Subject FROM "Case" c JOIN Contact ct ON ct.Id = c.ContactId JOIN Account a ON '
            f"a.Id = c.AccountId WHERE ct.FirstName = {sql_literal(first)} AND ct.LastName = {sql_literal(last)} "
            f"AND a.Name = {sql_literal(account)} AND date(c.CreatedDate) = '{day}'"
        )
        found[case] = (f"the case {contact} of {account} opened on {day} about their {product}", call)
    return found


def _order_call(case: str) -> ToolCall:
    return GenerationContext.query_call(
        'SELECT o.EffectiveDate, oi2.Quantity, oi2.UnitPrice FROM "Case" c JOIN OrderItem oi ON oi.Id = '
        'c.OrderItemId__c JOIN "Order" o ON o.Id = oi.OrderId JOIN OrderItem oi2 ON oi2.OrderId = o.Id '
        f"WHERE c.Id = '{case}'"
    )


@category_generator("policy_violation_identification")
def policy_violation_identification(ctx: GenerationContext) -> Iterator[Instance]:
    """The service-rule article a case's chat broke; None for the chats that came close to their rule and kept it.
    About half the prompts describe the case (who opened it, when, about what) instead of giving its id."""
    rules = {r.article_id: r for r in ctx.policies.service_rules}
    described = _case_descriptions(ctx)
    articles = ctx.query_call(_SERVICE_ARTICLES)
    mailed = {case for (case,) in ctx.sql("SELECT DISTINCT ParentId FROM EmailMessage WHERE ParentId IS NOT NULL")}
    for case, chat in sorted(ctx.planted.chats.items()):
        rule = rules[chat.article_id]
        by_description = case in described and ctx.rng.random() < 0.5
        subject = described[case][0] if by_description else ctx.choice(("this case", "the case"))
        prompt = ask(ctx, _VIOLATION_BOOK, opener=ctx.choice(OPENERS), case=subject, fmt=ctx.choice(_VIOLATION_FORMATS))
        calls = (
            *((described[case][1],) if by_description else ()),
            ctx.query_call(f"SELECT Body, StartTime FROM LiveChatTranscript WHERE CaseId = '{case}'"),
            # the case's e-mails are conversations too: nothing is known until they are read
            *(
                (ctx.query_call(f"SELECT Subject, TextBody FROM EmailMessage WHERE ParentId = '{case}'"),)
                if case in mailed
                else ()
            ),
            articles,
            *((_order_call(case),) if chat.kind in _ORDER_RULES else ()),
        )
        answer = chat.article_id if chat.violated else None
        yield Instance(
            key=case,
            prompt=prompt.text,
            phrasing=prompt.family,
            policy=_VIOLATION_POLICY + ("" if by_description else f"\n- Case Id to consider: {case}"),
            answers=(answer,),
            calls=calls,
            oracle_answer=answer or "None",
            record_id=case,
            near_miss=None if chat.violated else _violation_near_miss(rule, chat),
            metadata={"rule": chat.kind, "described": by_description},
        )


# -- named_entity_disambiguation -------------------------------------------------------------------------------
