"""The knowledge_qa generator: questions one public product FAQ article answers.

What an article answers is read from the org's planted facts (`PlantedFacts.faq_articles`): the article states it in
other words, and the gold is the canonical fact, graded by its concepts (``data/grading/facts.json``). Three kinds of
question: how the product does what its FAQ is about (the fact), what kind of product it is (the theme's phrase),
and which document has the step-by-step instructions (its administration guide). A question names the product, or,
in about two of three where it can, describes it: by a customer's purchase ("the storage array Acme Corp bought on
2024-03-02") or by its list price among products of its kind ("our most expensive storage array"). Look-alike
products ("X" and "X Plus") have FAQs on the same question with different answers, so a careless match fails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from crm_gym.tasks.model import ToolCall
from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance, PhraseBook, category_generator
from crm_gym.tasks.suites.crmarena_pro.generators.common import sql_literal
from crm_gym.tasks.suites.crmarena_pro.generators.wording import OPENERS, ask
from crm_gym.world.generate.b2b_text import CATEGORIES as THEMES

_PHRASE = {theme.name: theme.phrase for theme in THEMES}
_DESCRIBED_SHARE = 2 / 3
_POLICY = "- Use the information retrieved from the knowledge articles to answer the question concisely."

_TOPIC_BOOK = PhraseBook(
    {
        "direct": ("{opener}How [can|does] {subject} {question}?",),
        "in-short": ("{opener}In [short|a sentence|brief], how [can|does] {subject} {question}?",),
        "customer-relay": (
            "{opener}A customer [wants to know|is asking|asked] how {subject} [can|will] {question}. What [should I|do "
            "we|can I] tell them?",
        ),
        "knowledge-base": (
            "{opener}What does our knowledge base say about how {subject} [can|will] {question}?",
            "{opener}According to our [knowledge articles|FAQ articles|FAQs], how [can|does] {subject} {question}?",
        ),
        "call-prep": (
            "{opener}[I'm preparing|I'm getting ready] for a [call|demo|meeting] [about|on] {subject}. How [can|does] "
            "it {question}?",
        ),
        "does-it": (
            "{opener}Can {subject} {question}? If so, how?",
            "{opener}Is there a way for {subject} to {question}? How does it work?",
        ),
        "one-liner": ("{opener}I need a one-line answer for a customer: how [can|does] {subject} {question}?",),
        "explain": (
            "{opener}[Explain|Describe] [briefly|in one sentence|] how {subject} [can|is able to] {question}.",
        ),
        "ticket": (
            "{opener}[A ticket|An e-mail|A chat] [came in|just arrived] asking how {subject} [can|is able to] "
            "{question}. What's the answer?",
        ),
    }
)
_KIND_BOOK = PhraseBook(
    {
        "what-kind": ("{opener}What kind of product is {subject}?",),
        "describe-to-customers": ("{opener}How do we describe {subject} to customers: what type of product is it?",),
        "in-a-few-words": ("{opener}In a few words, what is {subject}?",),
        "prospect-asked": (
            "{opener}A [prospect|customer] asked what {subject} actually is. [How should I put it|What do I say]?",
        ),
        "catalogue": ("{opener}[Looking at|Going through] our catalogue: what sort of product is {subject}?",),
        "new-hire": ("{opener}I'm new here. What [exactly|] is {subject}[, product-wise|]?",),
    }
)
_GUIDE_BOOK = PhraseBook(
    {
        "where-instructions": (
            "{opener}Where can [a customer|an admin|someone] find step-by-step instructions for {subject}?",
        ),
        "which-document": (
            "{opener}Which document should [customers|admins] of {subject} follow for [step-by-step setup|detailed "
            "configuration] instructions?",
        ),
        "point-to": (
            "{opener}[What should I|Where should I] point [a customer|an admin] to for setting up {subject}?",
        ),
        "manual-name": ("{opener}What's the name of the [guide|manual] that walks through setting up {subject}?",),
        "setup-help": ("{opener}[An admin|A customer] needs setup help with {subject}. Which guide covers it?",),
        "docs": ("{opener}[Which|What] documentation covers configuring {subject}?",),
    }
)


def _article_search(name: str) -> ToolCall:
    return GenerationContext.query_call(
        "SELECT Id, Title, Summary, FAQ_Answer__c FROM Knowledge__kav "
        f"WHERE IsVisibleInPkb = 1 AND Title LIKE {sql_literal('%' + name + '%')}"
    )


def _purchases(ctx: GenerationContext) -> dict[str, list[tuple[str, str]]]:
    """Product id -> (account name, order date) of purchases that name it unambiguously by its kind: that day the
    account bought no other product of the same kind, and every order involved is activated (a draft order would
    leave "bought" open to reading)."""
    rows = ctx.sql(
        'SELECT a.Name, o.EffectiveDate, group_concat(DISTINCT p.Id), min(o.Status), max(o.Status) FROM "Order" o '
        "JOIN Account a ON a.Id = o.AccountId JOIN OrderItem oi ON oi.OrderId = o.Id "
        "JOIN Product2 p ON p.Id = oi.Product2Id GROUP BY a.Name, o.EffectiveDate, p.Family ORDER BY 1, 2, 3"
    )
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for account, day, products, lowest, highest in rows:
        if "," not in products and lowest == highest == "Activated":
            found[products].append((account, day))
    return found


def _price_extremes(ctx: GenerationContext) -> dict[str, str]:
    """Product id -> "most expensive" or "cheapest" when it is, alone, the highest or lowest list-priced of its kind,
    counting every product or only the active ones (so either reading of "our catalogue" finds it)."""
    rows = ctx.sql(
        "SELECT p.Family, p.Id, e.UnitPrice, p.IsActive FROM PricebookEntry e "
        "JOIN Pricebook2 b ON b.Id = e.Pricebook2Id JOIN Product2 p ON p.Id = e.Product2Id WHERE b.IsStandard = 1 "
        "ORDER BY p.Family, e.UnitPrice, p.Id"
    )
    every: dict[str, list[tuple[str, float]]] = defaultdict(list)
    active: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for family, product, price, is_active in rows:
        every[family].append((product, price))
        if is_active:
            active[family].append((product, price))
    found = {}
    for family, ranked in every.items():
        for extreme, pick in (("cheapest", 0), ("most expensive", -1)):
            ends = [_alone_at(r, pick) for r in (ranked, active[family])]
            if ends[0] is not None and ends[0] == ends[1]:
                found[ends[0]] = extreme
    return found


def _alone_at(ranked: list[tuple[str, float]], end: int) -> str | None:
    """The product at one end of a price ranking (0: cheapest, -1: dearest), None when tied or too few to rank."""
    if len(ranked) < 3:
        return None
    other = ranked[1] if end == 0 else ranked[-2]
    return ranked[end][0] if ranked[end][1] != other[1] else None


def _price_sql(family: str, extreme: str) -> str:
    order = "DESC" if extreme == "most expensive" else "ASC"
    return (
        "SELECT p.Name, e.UnitPrice FROM PricebookEntry e JOIN Pricebook2 b ON b.Id = e.Pricebook2Id "
        f"JOIN Product2 p ON p.Id = e.Product2Id WHERE b.IsStandard = 1 AND p.Family = {sql_literal(family)} "
        f"ORDER BY e.UnitPrice {order} LIMIT 2"
    )


def _purchase_sql(account: str, day: str, family: str) -> str:
    return (
        'SELECT p.Name FROM "Order" o JOIN Account a ON a.Id = o.AccountId JOIN OrderItem oi ON oi.OrderId = o.Id '
        f"JOIN Product2 p ON p.Id = oi.Product2Id WHERE a.Name = {sql_literal(account)} "
        f"AND o.EffectiveDate = '{day}' AND p.Family = {sql_literal(family)}"
    )


def _describe(
    ctx: GenerationContext, product: str, family: str, purchases: list[tuple[str, str]], extreme: str | None
) -> tuple[str, ToolCall] | None:
    """A description naming the product by what it is, and the oracle's call that finds it; None: none fits."""
    phrase = _PHRASE[family]
    ways: list[tuple[str, ToolCall]] = []
    if purchases:
        account, day = purchases[int(ctx.rng.integers(len(purchases)))]
        said = ctx.choice(("bought", "ordered", "purchased"))
        ways.append(
            (f"the {phrase} that {account} {said} on {day}", ctx.query_call(_purchase_sql(account, day, family)))
        )
    if extreme is not None:
        words = ctx.choice(
            ("our most expensive {p}", "the priciest {p} in our catalogue", "the {p} with our highest list price")
            if extreme == "most expensive"
            else ("our cheapest {p}", "the least expensive {p} we sell", "the {p} with our lowest list price")
        )
        ways.append((words.format(p=phrase), ctx.query_call(_price_sql(family, extreme))))
    return ways[int(ctx.rng.integers(len(ways)))] if ways else None


@category_generator("knowledge_qa")
def knowledge_qa(ctx: GenerationContext) -> Iterator[Instance]:
    """Per public product FAQ: a question about its fact and, for about half, one about the product's kind and one
    about its guide; the product named or (where it can be) described."""
    products = {pid: (name, family) for pid, name, family in ctx.sql("SELECT Id, Name, Family FROM Product2")}
    purchases, extremes = _purchases(ctx), _price_extremes(ctx)
    for article_id, facts in sorted(ctx.planted.faq_articles.items()):
        name, family = products[facts.product_id]
        search = _article_search(name)
        asked = [("topic", _TOPIC_BOOK, facts.fact)]
        asked += [("kind", _KIND_BOOK, _PHRASE[family])] if ctx.rng.random() < 0.5 else []
        asked += [("guide", _GUIDE_BOOK, f"The {name} administration guide")] if ctx.rng.random() < 0.5 else []
        for kind, book, gold in asked:
            described = None
            if kind != "kind" and ctx.rng.random() < _DESCRIBED_SHARE:
                described = _describe(
                    ctx, facts.product_id, family, purchases.get(facts.product_id, []), extremes.get(facts.product_id)
                )
            subject, lookup = described if described else (name, None)
            prompt = ask(ctx, book, opener=ctx.choice(OPENERS), subject=subject, question=facts.question)
            yield Instance(
                key=f"{article_id}:{kind}",
                prompt=prompt.text,
                phrasing=prompt.family,
                policy=_POLICY,
                answers=(gold,),
                calls=(lookup, search) if lookup else (search,),
                oracle_answer=gold,
                metadata={"article_id": article_id, "question": kind, "described": described is not None},
            )
