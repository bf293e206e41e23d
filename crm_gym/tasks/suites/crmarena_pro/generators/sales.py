"""Generators of the record-centred sales categories: one lead or opportunity, judged against the org's records.

- ``lead_qualification``: the BANT factors a lead's latest call fails under the BANT article (None: it qualifies).
- ``wrong_stage_rectification``: the stage an opportunity's tasks put it in (None: its stage is right).
- ``sales_insight_mining``: the subtopics or the competitor discussed in an opportunity's calls (free text).
- ``lead_routing``: the agent the lead routing article assigns a lead to (territory, accepted quotes, workload).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance, category_generator
from crm_gym.world.generate.b2b_text import INSIGHT_SUBTOPICS
from crm_gym.world.generate.policies import BANT_FACTORS, STAGES

_BANT_LIST = ", ".join(f"'{f}'" for f in BANT_FACTORS)
_STAGE_LIST = ", ".join(f"'{s}'" for s in STAGES)


# -- lead qualification ---------------------------------------------------------------------------------------

_BANT_QUESTIONS = (
    "Judging by the most recent call with this lead, can it be qualified? If not, which BANT factors does it fail?",
    "Does this lead qualify based on our latest conversation with them? If it does not, which of the BANT factors "
    "are the reasons?",
    "Should this lead be marked as qualified after the last call? If not, name the BANT factors it falls short on.",
    "Based on the lead's latest call, which BANT factors keep it from being qualified, if any?",
)


def _bant_sql(lead_id: str) -> str:
    return (
        "SELECT Id, CreatedDate, Body__c FROM VoiceCallTranscript__c "
        f"WHERE LeadId__c = '{lead_id}' ORDER BY CreatedDate DESC LIMIT 1"
    )


@category_generator("lead_qualification")
def lead_qualification(ctx: GenerationContext) -> Iterator[Instance]:
    """Every lead with a qualification call whose latest call is unambiguous; the gold is its planted BANT result."""
    article_call = ctx.query_call("SELECT Id, Title, FAQ_Answer__c FROM Knowledge__kav WHERE Title LIKE '%BANT%'")
    for lead_id, failures in sorted(ctx.planted.lead_bant_failures.items()):
        calls = ctx.sql(
            "SELECT CreatedDate FROM VoiceCallTranscript__c WHERE LeadId__c = ? ORDER BY CreatedDate DESC LIMIT 2",
            (lead_id,),
        )
        if not calls or (len(calls) == 2 and calls[0][0] == calls[1][0]):
            continue  # no call, or two calls at the same moment: no single latest call
        answer = ", ".join(failures) if failures else "None"
        yield Instance(
            key=lead_id,
            prompt=f"{ctx.choice(_BANT_QUESTIONS)} Return only one or several of the four BANT factors "
            f"({_BANT_LIST}) that the lead fails to meet, or None if the lead qualifies.",
            policy="## Lead qualification guide\n"
            "Judge the lead on its most recent voice call transcript (VoiceCallTranscript__c) against the "
            "knowledge article that defines the BANT criteria (Budget, Authority, Need, Timeline).\n"
            f"- Lead Id to be considered is: {lead_id}",
            answers=tuple(failures) if failures else (None,),
            calls=(article_call, ctx.query_call(_bant_sql(lead_id))),
            oracle_answer=answer,
            record_id=lead_id,
        )


# -- wrong stage ------------------------------------------------------------------------------------------------

_STAGE_QUESTIONS = (
    "Does the stage of this opportunity reflect the tasks recorded on it? If not, which stage should it be in?",
    "Is this opportunity in the right stage given its tasks? If it is not, what should its stage be?",
    "Check whether the stage name of this opportunity matches its activities. If it doesn't, which stage is correct?",
    "Looking at the tasks of this opportunity, is its current stage accurate? If not, give the right stage.",
)


def _stage_sql(opp_id: str) -> str:
    return (
        "SELECT o.Id, o.StageName, t.Subject, t.Status, t.ActivityDate FROM Opportunity o "
        f"LEFT JOIN Task t ON t.WhatId = o.Id WHERE o.Id = '{opp_id}' ORDER BY t.ActivityDate"
    )


@category_generator("wrong_stage_rectification")
def wrong_stage_rectification(ctx: GenerationContext) -> Iterator[Instance]:
    """Opportunities whose tasks put them in another stage (planted), and ones whose stage matches their tasks.

    The stated rule: an opportunity belongs in the most advanced stage that one of its tasks belongs to. Other
    opportunities whose tasks disagree with their stage carry misprioritised work (another category's structure)
    and are left out.
    """
    guide = ctx.policies.stage_guide
    article_call = ctx.query_call("SELECT Id, Title, FAQ_Answer__c FROM Knowledge__kav WHERE Title LIKE '%Stage%'")
    stages: dict[str, list[str]] = {}
    for opp_id, subject in ctx.sql(
        "SELECT o.Id, t.Subject FROM Opportunity o JOIN Task t ON t.WhatId = o.Id ORDER BY o.Id, t.Id"
    ):
        stage = guide.stage_of(subject)
        if stage is not None:
            stages.setdefault(opp_id, []).append(stage)
    for opp_id, recorded in ctx.sql("SELECT Id, StageName FROM Opportunity ORDER BY Id"):
        if opp_id not in stages:
            continue
        shown = max(stages[opp_id], key=STAGES.index)
        planted = ctx.planted.wrong_stage.get(opp_id)
        if planted is not None and shown == planted != recorded:
            answers: tuple[str | None, ...] = (shown,)
        elif planted is None and shown == recorded:
            answers = (None,)
        else:
            continue
        yield Instance(
            key=opp_id,
            prompt=f"{ctx.choice(_STAGE_QUESTIONS)} Return only the correct stage label among ({_STAGE_LIST}), "
            "or None if the current stage is correct.",
            policy="## Opportunity stage guide\n"
            "An opportunity's stage must match the work recorded on it. Compare its tasks (Task records whose "
            "WhatId is the opportunity) with the activities the knowledge article on opportunity stage definitions "
            "lists for each stage: the opportunity belongs in the most advanced stage for which it has a task, "
            "open or completed.\n"
            f"- Opportunity Id to be considered is: {opp_id}",
            answers=answers,
            calls=(article_call, ctx.query_call(_stage_sql(opp_id))),
            oracle_answer=answers[0] or "None",
            record_id=opp_id,
        )


# -- sales insight mining ---------------------------------------------------------------------------------------

_INSIGHT_POLICY = (
    "## Sales insight mining\n"
    "Sales insight mining draws lessons from sales conversations to help the team sell better. Analyse the voice "
    "call transcripts (VoiceCallTranscript__c) of the opportunity. Name each subtopic as the sales agent raises it "
    "in the call."
)
_INSIGHT_QUESTIONS = {
    "negative": (
        "Which subtopics of the sales discussions on this opportunity show negative sentiment about our solution?",
        "In this opportunity's sales calls, on which subtopics did the customer react negatively?",
        "What aspects of our offer did the customer view unfavourably in the calls on this opportunity?",
    ),
    "positive": (
        "Which subtopics of the sales discussions on this opportunity show positive sentiment about our solution?",
        "In this opportunity's sales calls, on which subtopics did the customer react positively?",
        "What aspects of our offer did the customer view favourably in the calls on this opportunity?",
    ),
    "competitor": (
        "Which competitor is the customer weighing against us on this opportunity?",
        "Which rival vendor came up in the sales calls on this opportunity?",
        "Name the competitor mentioned in the sales discussions of this opportunity.",
    ),
}


def _call_insights(body: str, competitors: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """(positive subtopics, negative subtopics, competitors) of a call, in the order the call raises them."""
    positive, negative = [], []
    for topic in re.findall(r"How do you feel about (.+)\?", body):
        name = next(t for t in INSIGHT_SUBTOPICS if t.lower() == topic)
        good, _ = INSIGHT_SUBTOPICS[name]
        (positive if good in body else negative).append(name)
    return positive, negative, [c for c in competitors if c in body]


@category_generator("sales_insight_mining")
def sales_insight_mining(ctx: GenerationContext) -> Iterator[Instance]:
    """Per opportunity with calls: its negative and positive subtopics and its competitor, when there are any."""
    bodies: dict[str, list[str]] = {}
    for opp_id, body in ctx.sql(
        "SELECT OpportunityId__c, Body__c FROM VoiceCallTranscript__c WHERE OpportunityId__c IS NOT NULL "
        "ORDER BY OpportunityId__c, CreatedDate, Id"
    ):
        bodies.setdefault(opp_id, []).append(body)
    for opp_id, texts in bodies.items():
        found: dict[str, list[str]] = {"positive": [], "negative": [], "competitor": []}
        for body in texts:
            positive, negative, rivals = _call_insights(body, ctx.planted.competitors)
            found["positive"] += positive
            found["negative"] += negative
            found["competitor"] += rivals
        call = ctx.query_call(
            f"SELECT Id, CreatedDate, Body__c FROM VoiceCallTranscript__c WHERE OpportunityId__c = '{opp_id}'"
        )
        for kind, values in found.items():
            if not values:
                continue
            answer = ", ".join(dict.fromkeys(values))
            yield Instance(
                key=f"{opp_id}:{kind}",
                prompt=ctx.choice(_INSIGHT_QUESTIONS[kind]),
                policy=f"{_INSIGHT_POLICY}\n- Opportunity Id to be considered is: {opp_id}",
                answers=(answer,),
                calls=(call,),
                oracle_answer=answer,
                record_id=opp_id,
                metadata={"question": kind},
            )


# -- lead routing -------------------------------------------------------------------------------------------------

_ROUTING_QUESTIONS = (
    "Which agent should this lead be assigned to?",
    "Who is the right agent to take over this lead?",
    "Which agent ought to handle this lead?",
    "To which agent should this lead be routed?",
)


def _routing_policy(lead_id: str) -> str:
    return (
        "## Lead routing policy\n"
        "Route the lead as the lead routing knowledge article prescribes:\n"
        "- Territory match: take the territory whose description (a comma-separated list of state codes) "
        "includes the lead's state.\n"
        "- Quote success: among the agents associated with that territory (UserTerritory2Association), choose "
        "the one with the most quotes in status 'Accepted' on opportunities they own.\n"
        "- Workload balance: if several agents are still tied, choose the one who owns the fewest unconverted "
        "leads.\n"
        f"- Lead Id to be considered is: {lead_id}"
    )


def _routing_sql(state: str) -> str:
    return (
        "SELECT t.Name, a.UserId, "
        "(SELECT COUNT(*) FROM Quote q JOIN Opportunity o ON o.Id = q.OpportunityId "
        "WHERE o.OwnerId = a.UserId AND q.Status = 'Accepted') AS accepted_quotes, "
        "(SELECT COUNT(*) FROM Lead l WHERE l.OwnerId = a.UserId AND l.IsConverted = 0) AS unconverted_leads "
        "FROM Territory2 t JOIN UserTerritory2Association a ON a.Territory2Id = t.Id "
        f"WHERE ',' || t.Description || ',' LIKE '%,{state},%' "
        "ORDER BY accepted_quotes DESC, unconverted_leads ASC, a.UserId"
    )


def _routed_agent(ctx: GenerationContext, state: str) -> str | None:
    """The agent the policy picks for a lead of ``state``, or None when no territory or a full tie decides."""
    rows = ctx.sql(_routing_sql(state))
    if not rows or len({name for name, *_ in rows}) != 1:
        return None
    best = rows[0][2:]
    return rows[0][1] if len(rows) == 1 or rows[1][2:] != best else None


@category_generator("lead_routing")
def lead_routing(ctx: GenerationContext) -> Iterator[Instance]:
    """New, unconverted leads whose policy agent is decided without a full tie and is not their current owner.

    Leads already owned by the policy's agent are left out, so answering the current owner is never a shortcut.
    """
    agents: dict[str, str | None] = {}
    for lead_id, state, owner in ctx.sql(
        "SELECT Id, State, OwnerId FROM Lead WHERE Status = 'New' AND IsConverted = 0 ORDER BY Id"
    ):
        if state not in agents:
            agents[state] = _routed_agent(ctx, state)
        agent = agents[state]
        if agent is None or agent == owner:
            continue
        yield Instance(
            key=lead_id,
            prompt=f"{ctx.choice(_ROUTING_QUESTIONS)} Return only the Id of the agent.",
            policy=_routing_policy(lead_id),
            answers=(agent,),
            calls=(
                ctx.query_call(f"SELECT Id, State FROM Lead WHERE Id = '{lead_id}'"),
                ctx.query_call(_routing_sql(state)),
            ),
            oracle_answer=agent,
            record_id=lead_id,
            metadata={"state": state},
        )
