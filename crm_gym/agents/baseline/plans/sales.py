"""Plans about one lead or opportunity: BANT qualification, stages, activity priority, call insights, routing."""

from __future__ import annotations

import re

from crm_gym.agents.baseline.plan import Plan, PlanContext
from crm_gym.agents.baseline.reading import record_id
from crm_gym.agents.baseline.tools import Call, literal, query

STAGES = ("Qualification", "Discovery", "Quote", "Negotiation", "Closed")
_MONEY = r"\$([\d,]+(?:\.\d+)?)"


def _amount(text: str) -> float:
    return float(text.replace(",", ""))


def _article(ctx: PlanContext, title_like: str) -> Call:
    """The text (title, summary and body) of the knowledge articles whose title is like the pattern."""
    rows = yield from query(
        ctx,
        "SELECT k.[Knowledge__kav.Id] AS id, k.[Knowledge__kav.Title] AS title, k.[Knowledge__kav.Summary] AS summary, "
        f"k.[Knowledge__kav.FAQ_Answer__c] AS body FROM [Knowledge__kav] k WHERE k.[Knowledge__kav.Title] "
        f"LIKE {literal(title_like)} ORDER BY k.[Knowledge__kav.Id]",
    )
    return rows


def lead_qualification(ctx: PlanContext) -> Plan:
    """The BANT factors the lead's latest call fails, judged by the BANT article's thresholds."""
    lead = record_id(ctx.context, "Id to be considered is")
    articles = yield from _article(ctx, "%BANT%")
    rule = " ".join(str(a.get("body") or "") for a in articles)
    calls = yield from query(
        ctx,
        "SELECT v.[VoiceCallTranscript__c.Body__c] AS body FROM [VoiceCallTranscript__c] v "
        f"WHERE v.[VoiceCallTranscript__c.LeadId__c] = {literal(lead or '')} "
        "ORDER BY v.[VoiceCallTranscript__c.CreatedDate] DESC LIMIT 1",
    )
    if not calls:
        yield {"answer": "None"}
        return
    yield {"answer": ", ".join(bant_failures(str(calls[0].get("body") or ""), rule)) or "None"}


def bant_failures(call: str, rule: str) -> list[str]:
    """The BANT factors a call fails under the article's rule text."""
    min_budget = re.search(r"at least " + _MONEY, rule)
    max_months = re.search(r"within (\d+) months?", rule)
    titles = re.search(r"titles such as ([^)]*)\)", rule)
    failing = []
    budget = re.search(r"budget for this is " + _MONEY, call)
    if budget is None or (min_budget and _amount(budget[1]) < _amount(min_budget[1])):
        failing.append("Budget")
    own = re.search(r"As (.+?) I sign off", call)
    allowed = [t.strip().lower() for t in titles[1].split(",")] if titles else []
    if own is None or (allowed and own[1].strip().lower() not in allowed):
        failing.append("Authority")
    if not re.search(r"main problem is|problem is|struggl|challenge is", call, re.IGNORECASE):
        failing.append("Need")
    months = re.search(r"within (\d+) months?", call)
    if months is None or (max_months and int(months[1]) > int(max_months[1])):
        failing.append("Timeline")
    return failing


def _stage_guide(ctx: PlanContext, text: str) -> dict[str, str]:
    """Activity subject -> stage, from a guide listing ``Stage:`` lines followed by ``- activity`` lines.

    A stage named like an object ("Quote") may show under the object's episode name in the context's prose.
    """
    labels = {ctx.names.object(stage): stage for stage in STAGES} | {stage: stage for stage in STAGES}
    guide: dict[str, str] = {}
    stage = None
    for raw in text.splitlines():
        line = raw.strip().strip(".")
        name = line.rstrip(":").strip()
        if line.endswith(":") and name in labels:
            stage = labels[name]
        elif line.startswith("-") and stage:
            guide[line.lstrip("- ").strip().lower()] = stage
    return guide


def _opportunity_tasks(ctx: PlanContext, opportunity: str) -> Call:
    rows = yield from query(
        ctx,
        "SELECT t.[Task.Id] AS id, t.[Task.Subject] AS subject, t.[Task.Status] AS status, "
        "o.[Opportunity.StageName] AS stage FROM [Opportunity] o LEFT JOIN [Task] t ON t.[Task.WhatId] = "
        f"o.[Opportunity.Id] WHERE o.[Opportunity.Id] = {literal(opportunity)} ORDER BY t.[Task.Id]",
    )
    return rows


def _logged_subjects(ctx: PlanContext, opportunity: str) -> Call:
    """Subjects of the opportunity's meetings and e-mails."""
    subjects = []
    for obj, field in (("Event", "WhatId"), ("EmailMessage", "RelatedToId")):
        rows = yield from query(
            ctx,
            f"SELECT x.[{obj}.Subject] AS subject FROM [{obj}] x WHERE x.[{obj}.{field}] = {literal(opportunity)}",
        )
        subjects += [str(r.get("subject") or "") for r in rows]
    return subjects


def wrong_stage(ctx: PlanContext) -> Plan:
    """The most advanced stage any activity (task, meeting, e-mail) of the opportunity belongs to, when it differs
    from its stage."""
    opportunity = record_id(ctx.context, "Id to be considered is") or ""
    articles = yield from _article(ctx, "%Stage%")
    guide = _stage_guide(ctx, "\n".join(str(a.get("body") or "") for a in articles))
    rows = yield from _opportunity_tasks(ctx, opportunity)
    logged = yield from _logged_subjects(ctx, opportunity)
    subjects = [str(r.get("subject") or "") for r in rows] + logged
    stages = [guide[s.lower()] for s in subjects if s.lower() in guide]
    if not rows or not stages:
        yield {"answer": "None"}
        return
    shown = max(stages, key=STAGES.index)
    yield {"answer": "None" if shown == rows[0].get("stage") else shown}


def activity_priority(ctx: PlanContext) -> Plan:
    """The not-started tasks of the opportunity whose stage (per the context's guide) is not its stage."""
    opportunity = record_id(ctx.context, "Id to be considered is") or ""
    guide = _stage_guide(ctx, ctx.context)
    rows = yield from _opportunity_tasks(ctx, opportunity)
    wrong = [
        str(r["id"])
        for r in rows
        if r.get("id")
        and str(r.get("status")) == "Not Started"
        and guide.get(str(r.get("subject") or "").lower(), r.get("stage")) != r.get("stage")
    ]
    yield {"answer": ", ".join(wrong) or "None"}


_POSITIVE = ("really understood", "fair", "clear", "responsive", "covers everything", "works well")
_NEGATIVE = ("don't think", "well above", "worried", "missing", "too slow", "half-finished", "slow")
_RIVAL = re.compile(r"(?:comparing you with|also talking to|also looking at) ([A-Z][\w&.-]*(?: [A-Z][\w&.-]*)*)")


def _sentiment(reply: str) -> str:
    low = reply.lower()
    negative = sum(w in low for w in _NEGATIVE)
    positive = sum(w in low for w in _POSITIVE)
    return "negative" if negative > positive else "positive"


def call_insights(bodies: list[str]) -> dict[str, list[str]]:
    """Subtopics by sentiment ("positive", "negative") and competitors ("competitor"), in call order."""
    found: dict[str, list[str]] = {"positive": [], "negative": [], "competitor": []}
    for body in bodies:
        lines = body.splitlines()
        for i, line in enumerate(lines):
            topic = re.search(r"How do you feel about (.+?)\?", line)
            if topic and i + 1 < len(lines):
                name = topic[1][:1].upper() + topic[1][1:]
                found[_sentiment(lines[i + 1])].append(name)
        found["competitor"] += [m.rstrip(".") for m in _RIVAL.findall(body)]
    return {k: list(dict.fromkeys(v)) for k, v in found.items()}


def sales_insight(ctx: PlanContext) -> Plan:
    """The subtopics with the asked sentiment, or the competitor, from the opportunity's calls."""
    opportunity = record_id(ctx.context, "Id to be considered is") or ""
    rows = yield from query(
        ctx,
        "SELECT v.[VoiceCallTranscript__c.Body__c] AS body FROM [VoiceCallTranscript__c] v "
        f"WHERE v.[VoiceCallTranscript__c.OpportunityId__c] = {literal(opportunity)} "
        "ORDER BY v.[VoiceCallTranscript__c.CreatedDate], v.[VoiceCallTranscript__c.Id]",
    )
    found = call_insights([str(r.get("body") or "") for r in rows])
    low = ctx.prompt.lower()
    if "competitor" in low or "rival" in low:
        kind = "competitor"
    elif any(w in low for w in ("negative", "unfavourab", "unfavorab")):
        kind = "negative"
    else:
        kind = "positive"
    yield {"answer": ", ".join(found[kind]) or "None"}


def lead_routing(ctx: PlanContext) -> Plan:
    """The territory agent with the most accepted quotes, then the fewest unconverted leads."""
    lead = record_id(ctx.context, "Id to be considered is") or ""
    leads = yield from query(ctx, f"SELECT l.[Lead.State] AS state FROM [Lead] l WHERE l.[Lead.Id] = {literal(lead)}")
    state = str(leads[0].get("state") or "") if leads else ""
    rows = yield from query(
        ctx,
        "SELECT a.[UserTerritory2Association.UserId] AS agent, "
        "(SELECT COUNT(*) FROM [Quote] q JOIN [Opportunity] o ON o.[Opportunity.Id] = q.[Quote.OpportunityId] "
        "WHERE o.[Opportunity.OwnerId] = a.[UserTerritory2Association.UserId] AND q.[Quote.Status] = 'Accepted') "
        "AS accepted, (SELECT COUNT(*) FROM [Lead] l WHERE l.[Lead.OwnerId] = a.[UserTerritory2Association.UserId] "
        "AND l.[Lead.IsConverted] = 0) AS open_leads FROM [Territory2] t JOIN [UserTerritory2Association] a "
        "ON a.[UserTerritory2Association.Territory2Id] = t.[Territory2.Id] "
        f"WHERE ',' || REPLACE(t.[Territory2.Description], ' ', '') || ',' LIKE {literal('%,' + state + ',%')} "
        "ORDER BY accepted DESC, open_leads ASC, agent LIMIT 5",
    )
    yield {"answer": str(rows[0]["agent"]) if rows else "None"}
