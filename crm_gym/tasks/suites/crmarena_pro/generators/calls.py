"""Generators of the categories read from sales calls: lead qualification (BANT) and sales insight mining.

- ``lead_qualification``: the BANT factors a lead's latest call fails under the BANT article (None: it qualifies).
- ``sales_insight_mining``: the subtopics or the competitor discussed in an opportunity's calls (free text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance, category_generator
from crm_gym.world.generate.b2b_text import INSIGHT_SUBTOPICS
from crm_gym.world.generate.policies import BANT_FACTORS

_BANT_LIST = ", ".join(f"'{f}'" for f in BANT_FACTORS)


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
