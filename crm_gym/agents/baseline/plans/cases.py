"""Plans about one case or one customer: case routing, service policy violations, purchases named loosely."""

from __future__ import annotations

import datetime as dt
import re

from crm_gym.agents.baseline.plan import Plan, PlanContext
from crm_gym.agents.baseline.reading import record_id, today
from crm_gym.agents.baseline.tools import literal, query


def _longest_named(text: str, rows: list[dict], key: str = "name") -> dict | None:
    """The row whose name appears in the text (case-insensitive), the longest name first."""
    low = text.lower()
    hits = [r for r in rows if r.get(key) and str(r[key]).lower() in low]
    return max(hits, key=lambda r: (len(str(r[key])), str(r.get("id")))) if hits else None


def case_routing(ctx: PlanContext) -> Plan:
    """The agent with the most closed cases of the issue, then of the product, then the fewest open cases."""
    issues = yield from query(
        ctx, "SELECT i.[Issue__c.Id] AS id, i.[Issue__c.Name] AS name FROM [Issue__c] i ORDER BY i.[Issue__c.Id]"
    )
    products = yield from query(
        ctx, "SELECT p.[Product2.Id] AS id, p.[Product2.Name] AS name FROM [Product2] p ORDER BY p.[Product2.Id]"
    )
    case_text = ctx.prompt.split("New Case", 1)[-1]
    issue = _longest_named(case_text, issues) or {}
    product = _longest_named(case_text, products) or {}
    status = re.search(r"status is not '([^']+)'", ctx.context)
    closed = literal(status[1] if status else "Closed")
    rows = yield from query(
        ctx,
        "SELECT c.[Case.OwnerId] AS agent, "
        f"SUM(CASE WHEN c.[Case.Status] = {closed} AND c.[Case.IssueId__c] = {literal(issue.get('id') or '')} "
        "THEN 1 ELSE 0 END) AS issue_closed, "
        f"SUM(CASE WHEN c.[Case.Status] = {closed} AND oi.[OrderItem.Product2Id] = "
        f"{literal(product.get('id') or '')} THEN 1 ELSE 0 END) AS product_closed, "
        f"SUM(CASE WHEN c.[Case.Status] != {closed} THEN 1 ELSE 0 END) AS open_cases "
        "FROM [Case] c LEFT JOIN [OrderItem] oi ON oi.[OrderItem.Id] = c.[Case.OrderItemId__c] "
        "WHERE c.[Case.OwnerId] IS NOT NULL GROUP BY agent "
        "ORDER BY issue_closed DESC, product_closed DESC, open_cases ASC, agent LIMIT 5",
    )
    yield {"answer": str(rows[0]["agent"]) if rows else "None"}


def _rule_articles(rows: list[dict]) -> dict[str, tuple[str, float]]:
    """Service rule kind -> (article id, limit) from the articles' titles and texts."""
    rules: dict[str, tuple[str, float]] = {}
    for row in rows:
        text = " ".join(str(row.get(k) or "") for k in ("title", "summary", "body"))
        low = f"{row.get('title') or ''} {row.get('summary') or ''}".lower()
        if "refund" in low and (days := re.search(r"(\d+) days", text)):
            rules.setdefault("refund", (str(row["id"]), float(days[1])))
        elif "goodwill" in low and (money := re.search(r"\$([\d,]+)", text)):
            rules.setdefault("goodwill", (str(row["id"]), float(money[1].replace(",", ""))))
        elif "identity" in low:
            rules.setdefault("identity", (str(row["id"]), 0.0))
    return rules


def broken_rule(conversation: str, rules: dict[str, tuple[str, float]]) -> str | None:
    """The article id of the service rule the agent broke in the conversation, if any."""
    low = conversation.lower()
    bought = re.search(r"bought it (\d+) days ago", low)
    refunded = bought is not None and "approved a" in low and "refund" in low
    if "refund" in rules and refunded and float(bought[1]) > rules["refund"][1]:  # type: ignore[index]
        return rules["refund"][0]
    credit = re.search(r"goodwill credit of \$([\d,]+)", low)
    if "goodwill" in rules and credit and float(credit[1].replace(",", "")) > rules["goodwill"][1]:
        return rules["goodwill"][0]
    asked = re.search(r"(phone number|email address|address) you have on file", low)
    if "identity" in rules and asked and "security question" not in low:
        return rules["identity"][0]
    return None


def policy_violation(ctx: PlanContext) -> Plan:
    """The service-rule article the agent broke in the case's chats and emails, or None."""
    case = record_id(ctx.context, "Id to consider") or ""
    chats = yield from query(
        ctx,
        "SELECT t.[LiveChatTranscript.Body] AS body FROM [LiveChatTranscript] t "
        f"WHERE t.[LiveChatTranscript.CaseId] = {literal(case)}",
    )
    emails = yield from query(
        ctx,
        "SELECT e.[EmailMessage.TextBody] AS body FROM [EmailMessage] e "
        f"WHERE e.[EmailMessage.ParentId] = {literal(case)}",
    )
    articles = yield from query(
        ctx,
        "SELECT k.[Knowledge__kav.Id] AS id, k.[Knowledge__kav.Title] AS title, k.[Knowledge__kav.Summary] AS summary, "
        "k.[Knowledge__kav.FAQ_Answer__c] AS body FROM [Knowledge__kav] k "
        "WHERE k.[Knowledge__kav.IsVisibleInPkb] = 0 ORDER BY k.[Knowledge__kav.Id]",
    )
    text = "\n".join(str(r.get("body") or "") for r in chats + emails)
    yield {"answer": broken_rule(text, _rule_articles(articles)) or "None"}


_AGO = {"yesterday": 1, "a week ago": 7, "two weeks ago": 14}


def _purchase_day(prompt: str, now: dt.date) -> dt.date | None:
    for phrase, days in _AGO.items():
        if phrase in prompt:
            return now - dt.timedelta(days=days)
    match = re.search(r"(\d+) days ago", prompt)
    return now - dt.timedelta(days=int(match[1])) if match else None


def named_purchase(ctx: PlanContext) -> Plan:
    """The product the contact's account ordered that day which the loose name fits (name or product type)."""
    contact = record_id(ctx.context, "Id interacting") or ""
    day = _purchase_day(ctx.prompt, today(ctx.context))
    thing = re.search(r"(?:show me|Display|pull up) the (.+?) (?:I|that I) (?:purchased|bought|ordered)", ctx.prompt)
    if day is None or thing is None:
        yield {"answer": "None"}
        return
    name = thing[1].strip()
    bought = yield from query(
        ctx,
        "SELECT DISTINCT oi.[OrderItem.Product2Id] AS id, p.[Product2.Name] AS name, p.[Product2.Family] AS family "
        "FROM [Order] o JOIN [OrderItem] oi ON oi.[OrderItem.OrderId] = o.[Order.Id] "
        "JOIN [Product2] p ON p.[Product2.Id] = oi.[OrderItem.Product2Id] "
        "WHERE o.[Order.AccountId] = (SELECT c.[Contact.AccountId] FROM [Contact] c "
        f"WHERE c.[Contact.Id] = {literal(contact)}) AND o.[Order.EffectiveDate] = '{day.isoformat()}' "
        "ORDER BY id",
    )
    fits = [r for r in bought if str(r.get("name")) == name or str(r.get("name")).startswith(name + " ")]
    if not fits:
        families = yield from query(
            ctx,
            "SELECT c.[ProductCategory.Name] AS family FROM [ProductCategory] c "
            f"WHERE c.[ProductCategory.Description] LIKE {literal('%' + name + '%')}",
        )
        wanted = {str(f.get("family")) for f in families}
        fits = [r for r in bought if str(r.get("family")) in wanted]
    yield {"answer": str(fits[0]["id"]) if len(fits) == 1 else "None"}
