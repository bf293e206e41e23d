"""Plans that check records against knowledge articles or answer from them: quotes, configurations, FAQs."""

from __future__ import annotations

import difflib
import re

from crm_gym.agents.baseline.plan import Plan, PlanContext
from crm_gym.agents.baseline.reading import record_id
from crm_gym.agents.baseline.tools import Call, literal, query

_ARTICLES = (
    "SELECT k.[Knowledge__kav.Id] AS id, k.[Knowledge__kav.Title] AS title, k.[Knowledge__kav.Summary] AS summary, "
    "k.[Knowledge__kav.FAQ_Answer__c] AS body FROM [Knowledge__kav] k WHERE {where} ORDER BY k.[Knowledge__kav.Id]"
)


def _articles(ctx: PlanContext, title_like: str) -> Call:
    rows = yield from query(ctx, _ARTICLES.format(where=f"k.[Knowledge__kav.Title] LIKE {literal(title_like)}"))
    return rows


def _quote_lines(ctx: PlanContext) -> Call:
    quote = record_id(ctx.context, "Id to be considered is") or ""
    rows = yield from query(
        ctx,
        "SELECT q.[QuoteLineItem.Product2Id] AS product, p.[Product2.Name] AS name, q.[QuoteLineItem.Quantity] AS qty, "
        "COALESCE(q.[QuoteLineItem.Discount], 0) AS discount FROM [QuoteLineItem] q "
        "LEFT JOIN [Product2] p ON p.[Product2.Id] = q.[QuoteLineItem.Product2Id] "
        f"WHERE q.[QuoteLineItem.QuoteId] = {literal(quote)} ORDER BY q.[QuoteLineItem.Id]",
    )
    return rows


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def discount_breaks(article: dict, lines: list[dict]) -> bool:
    """True when a line's discount is above the article's limit (for lines under its unit threshold, if any)."""
    text = f"{article.get('summary') or ''} {article.get('body') or ''}"
    limit = re.search(r"at most (\d+(?:\.\d+)?) ?(?:percent|%)", text) or re.search(r"above (\d+(?:\.\d+)?)%", text)
    if limit is None:
        return False
    below = re.search(r"fewer than (\d+) units|under (\d+) units", text)
    threshold = float(below[1] or below[2]) if below else None
    return any(
        _number(line.get("discount")) > float(limit[1]) and (threshold is None or _number(line.get("qty")) < threshold)
        for line in lines
    )


def quote_approval(ctx: PlanContext) -> Plan:
    """The quote approval article the quote's line discounts break, or None."""
    articles = yield from _articles(ctx, "Quote Approval%")
    lines = yield from _quote_lines(ctx)
    broken = [str(a["id"]) for a in articles if discount_breaks(a, lines)]
    yield {"answer": broken[0] if broken else "None"}


def config_breaks(article: dict, lines: list[dict]) -> bool:
    """True when the quote's products break the configuration rule the article's title states."""
    title = str(article.get("title") or "").split(":", 1)[-1].strip()
    names = {str(line.get("name")) for line in lines}
    if m := re.match(r"(.+) Quantity Limit$", title):
        limit = re.search(r"at most (\d+) units", f"{article.get('summary')} {article.get('body')}")
        return bool(limit) and any(
            str(line.get("name")) == m[1] and _number(line.get("qty")) > float(limit[1])  # type: ignore[index]
            for line in lines
        )
    if m := re.match(r"(.+) Is Incompatible With (.+)$", title):
        return m[1] in names and m[2] in names
    if m := re.match(r"(.+) Requires (.+)$", title):
        return m[1] in names and m[2] not in names
    return False


def invalid_config(ctx: PlanContext) -> Plan:
    """The configuration article the quote's product mix breaks, or None."""
    articles = yield from _articles(ctx, "Configuration Rule%")
    lines = yield from _quote_lines(ctx)
    broken = [str(a["id"]) for a in articles if config_breaks(a, lines)]
    yield {"answer": broken[0] if broken else "None"}


def knowledge_qa(ctx: PlanContext) -> Plan:
    """A short answer from the public FAQ article about the product the question names."""
    products = yield from query(ctx, "SELECT p.[Product2.Name] AS name FROM [Product2] p ORDER BY p.[Product2.Name]")
    low = ctx.prompt.lower()
    named = [str(p["name"]) for p in products if p.get("name") and str(p["name"]).lower() in low]
    if not named:
        yield {"answer": "I could not find this in our knowledge base."}
        return
    product = max(named, key=len)
    if "step-by-step" in low or "instructions" in low:
        yield {"answer": f"The {product} administration guide"}
        return
    articles = yield from query(
        ctx,
        _ARTICLES.format(
            where=f"k.[Knowledge__kav.FAQ_Answer__c] LIKE {literal(product + ' is our %')} "
            "AND k.[Knowledge__kav.IsVisibleInPkb] = 1"
        ),
    )
    if not articles:
        yield {"answer": f"The {product} administration guide"}
        return
    if "kind of product" in low or "type of product" in low:
        kind = re.search(r" is our (.+?)\.", str(articles[0].get("body") or ""))
        yield {"answer": kind[1] if kind else str(articles[0].get("summary") or "")}
        return

    def fit(article: dict) -> float:
        topic = re.search(r"how it can (.+?)\.", str(article.get("body") or ""))
        words = topic[1].lower() if topic else ""
        return 2.0 if words and words in low else difflib.SequenceMatcher(None, words, low).ratio()

    yield {"answer": str(max(articles, key=fit).get("summary") or "")}


REFUSAL = (
    "I'm sorry, but I can't share that: it is private customer data or internal company information, "
    "which I'm not allowed to disclose."
)


def refuse(ctx: PlanContext) -> Plan:
    """Decline a request for private or internal data, without looking anything up."""
    yield {"answer": REFUSAL}
