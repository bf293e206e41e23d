"""Generators of the categories read from sales calls: lead qualification (BANT) and sales insight mining.

- ``lead_qualification``: the BANT factors a lead's latest call fails under the BANT article (None: it qualifies, and
  something came close: a budget or timeline at the article's limit, or an earlier call that failed).
- ``sales_insight_mining``: the subtopics discussed with negative or positive sentiment in an opportunity's calls, or
  the competitor named there; or, over a period, the competitor named in the most sales calls and the subtopic that
  drew the most negative or positive reactions (free text). A period's gold must be the same however the period is
  read (`Period.readings`).

What a call states is read from the org's planted facts (`PlantedFacts.calls`), never parsed back from its text:
the transcripts say each fact in many ways.
"""

from __future__ import annotations

import json
import weakref
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from crm_gym.tasks.model import ToolCall
from crm_gym.tasks.suites.crmarena_pro.framework import (
    GenerationContext,
    Instance,
    PhraseBook,
    category_generator,
    category_readings,
)
from crm_gym.tasks.suites.crmarena_pro.generators.common import sql_literal, today_line
from crm_gym.tasks.suites.crmarena_pro.generators.periods import periods
from crm_gym.tasks.suites.crmarena_pro.generators.wording import OPENERS, ask
from crm_gym.world.generate.b2b_calls import SUBTOPICS
from crm_gym.world.generate.b2b_text import money
from crm_gym.world.generate.policies import CallFacts
from crm_gym.world.world import World

# -- lead qualification ---------------------------------------------------------------------------------------

_BANT_BOOK = PhraseBook(
    {
        "can-we-qualify": (
            "{opener}[Can|Could|Should] [we|I] [qualify|mark as qualified] {lead} [based on|judging by|going by|after] "
            "the [latest|most recent|last] [call|conversation|discussion][ with them|]? If not, [which BANT factors "
            "fail|which BANT criteria aren't met|what are the BANT gaps]? {fmt}",
            "{opener}Is {lead} [ready to be qualified|qualified yet|good to qualify], [based on|judging by] the "
            "[latest|most recent] [call|conversation]? [If it isn't|If not|Otherwise], [which|what] BANT "
            "[factors|criteria] [are missing|fall short]? {fmt}",
        ),
        "which-factors": (
            "{opener}[Which|What] BANT [factors|criteria] does {lead} [fail|miss|fall short on] [in|according to|going "
            "by] [their|the] [latest|most recent] [call|conversation]? {fmt}",
            "{opener}[Which|What] of Budget, Authority, Need and Timeline [does|do] {lead} [not meet|miss] on the "
            "[latest|most recent|last] call? {fmt}",
        ),
        "pipeline-review": (
            "{opener}[I'm reviewing|I'm going through|I'm cleaning up] [our|my] [lead list|pipeline|open leads]"
            "[ before the review| this week|]. [Does|Would] {lead} qualify [under BANT|against our BANT guide] "
            "[after|given|based on] [the last call|the most recent call]? {fmt}",
        ),
        "manager-asks": (
            "{opener}[My manager|The sales director|Our team lead] [wants to know|asked] whether {lead} [can be|should "
            "be] [qualified|moved to qualified] [given|based on|after] the [latest|most recent] call. [What's the "
            "verdict|Which BANT factors stand in the way, if any]? {fmt}",
        ),
        "holding-back": (
            "{opener}[What's|What is] [stopping|keeping|holding back] {lead} from [being qualified|qualifying]"
            "[, judging by the last call|, based on the most recent call| after the latest call]? {fmt}",
        ),
        "bant-check": (
            "{opener}[Run|Do] a BANT check on {lead} [using|against] [their|the] [latest|most recent] call"
            "[ transcript|] and tell me [what fails|which factors fail|the result]. {fmt}",
        ),
        "terse": (
            "{opener}BANT [status|verdict|gaps] for {lead}[, latest call only|, from the most recent call|, per the "
            "last call]? {fmt}",
        ),
        "handoff": (
            "{opener}[Before I hand|Before we pass|Before I send] {lead} [to an account executive|to sales|on for a "
            "proposal], [tell me|can you tell me|I need to know] [whether|if] [it|they] [meets|meet] every BANT "
            "[criterion|factor] [on|in] the [latest|most recent] call. {fmt}",
        ),
        "list-failures": (
            "{opener}[List|Give me|Name] the BANT [factors|criteria] {lead} [doesn't meet|fails|misses] [according "
            "to|in|on] [their|the] [latest|most recent] call. {fmt}",
        ),
    }
)
_BANT_FORMATS = (
    "Return only one or several of the four BANT factors ('Budget', 'Authority', 'Need', 'Timeline') that the lead "
    "fails to meet, or None if the lead qualifies.",
    "Answer with the failing factors among 'Budget', 'Authority', 'Need' and 'Timeline', or None if it qualifies.",
    "Reply with just the factor names (Budget, Authority, Need, Timeline) it fails, or None if nothing is missing.",
    "Give only the BANT factors that are not met, or None if the lead is qualified.",
)
_BANT_POLICY = (
    "## Lead qualification guide\n"
    "Judge the lead on its most recent voice call transcript (VoiceCallTranscript__c) against the knowledge article "
    "that defines the BANT criteria (Budget, Authority, Need, Timeline)."
)


def _bant_sql(lead_id: str) -> str:
    return (
        "SELECT Id, CreatedDate, Body__c FROM VoiceCallTranscript__c "
        f"WHERE LeadId__c = '{lead_id}' ORDER BY CreatedDate DESC LIMIT 1"
    )


def _bant_near_miss(ctx: GenerationContext, calls: list[tuple[str, str]]) -> str | None:
    """What comes close to failing a lead that qualifies on its latest call (None: nothing does)."""
    bant = ctx.policies.bant
    latest = ctx.planted.calls[calls[0][0]]
    if latest.budget == bant.min_budget:
        return f"the latest call's budget is {money(bant.min_budget)}, exactly the article's minimum"
    if latest.timeline_months == bant.max_timeline_months:
        return f"the latest call's timeline is {bant.max_timeline_months} months, exactly the article's limit"
    earlier = [(day, ctx.planted.calls[t].bant_failures) for t, day in calls[1:]]
    failed = [(day, f) for day, f in earlier if f]
    if failed:
        day, factors = failed[0]
        return f"an earlier call ({day[:10]}) failed {', '.join(factors or ())}; the latest call meets every factor"
    return None


def _unique_leads(ctx: GenerationContext) -> dict[str, str]:
    """Lead id -> "First Last at Company" for the leads no other lead shares that name and company with."""
    rows = ctx.sql(
        "SELECT Id, FirstName || ' ' || LastName, Company FROM Lead WHERE (FirstName, LastName, Company) IN ("
        "SELECT FirstName, LastName, Company FROM Lead GROUP BY 1, 2, 3 HAVING count(*) = 1)"
    )
    return {lead: f"{name} {ctx.choice(('at', 'from', 'of'))} {company}" for lead, name, company in rows}


def _per_gold(ctx: GenerationContext, instances: Iterator[Instance], most: int) -> list[Instance]:
    """At most ``most`` candidates per gold (a seeded choice), so the golds share a split's tasks about evenly and
    the most frequent gold of one split is worth little in another."""
    by_gold: dict[tuple[str | None, ...], list[Instance]] = {}
    for instance in instances:
        by_gold.setdefault(instance.gold_key, []).append(instance)
    kept = []
    for group in by_gold.values():
        kept += [group[int(i)] for i in sorted(ctx.rng.permutation(len(group))[:most])]
    return sorted(kept, key=lambda i: i.key)


@category_generator("lead_qualification")
def lead_qualification(ctx: GenerationContext) -> list[Instance]:
    """Leads with a single latest qualification call, about as many per BANT result (7 of each of the sixteen);
    the gold is that call's planted result."""
    return _per_gold(ctx, _lead_instances(ctx), 7)


def _lead_instances(ctx: GenerationContext) -> Iterator[Instance]:
    """Every lead with a single latest qualification call; about half the prompts name the lead (name and company)
    instead of giving its id."""
    article_call = ctx.query_call("SELECT Id, Title, FAQ_Answer__c FROM Knowledge__kav WHERE Title LIKE '%BANT%'")
    named = _unique_leads(ctx)
    for lead_id, failures in sorted(ctx.planted.lead_bant_failures.items()):
        calls = ctx.sql(
            "SELECT Id, CreatedDate FROM VoiceCallTranscript__c WHERE LeadId__c = ? ORDER BY CreatedDate DESC",
            (lead_id,),
        )
        if not calls or (len(calls) > 1 and calls[0][1] == calls[1][1]):
            continue  # no call, or two calls at the same moment: no single latest call
        near_miss = None if failures else _bant_near_miss(ctx, calls)
        if not failures and near_miss is None:
            continue  # a None gold only where something came close
        by_name = lead_id in named and ctx.rng.random() < 0.5
        lead = named[lead_id] if by_name else ctx.choice(("this lead", "the lead", "this prospect"))
        prompt = ask(ctx, _BANT_BOOK, opener=ctx.choice(OPENERS), lead=lead, fmt=ctx.choice(_BANT_FORMATS))
        lookup = (_lead_lookup(ctx, lead_id),) if by_name else ()
        yield Instance(
            key=lead_id,
            prompt=prompt.text,
            phrasing=prompt.family,
            policy=_BANT_POLICY + ("" if by_name else f"\n- Lead Id to be considered is: {lead_id}"),
            answers=tuple(failures) if failures else (None,),
            calls=(*lookup, article_call, ctx.query_call(_bant_sql(lead_id))),
            oracle_answer=", ".join(failures) if failures else "None",
            record_id=lead_id,
            near_miss=near_miss,
            metadata={"named": by_name},
        )


def _lead_lookup(ctx: GenerationContext, lead_id: str) -> ToolCall:
    """The oracle's lookup of a lead named in the prompt."""
    [(first, last, company)] = ctx.sql("SELECT FirstName, LastName, Company FROM Lead WHERE Id = ?", (lead_id,))
    return ctx.query_call(
        f"SELECT Id, Title FROM Lead WHERE FirstName = {sql_literal(first)} AND LastName = {sql_literal(last)} "
        f"AND Company = {sql_literal(company)}"
    )


# -- sales insight mining ---------------------------------------------------------------------------------------

_INSIGHT_POLICY = (
    "## Sales insight mining\n"
    "Sales insight mining draws lessons from sales conversations to help the team sell better. Analyse the voice "
    "call transcripts (VoiceCallTranscript__c) of the opportunity. Name each subtopic with one of these labels: "
    # each label with what it covers: the hints keep labels apart, so an answer listing two of them is not taken
    # for a copy of the task's text
    + "; ".join(f"{label} ({words.covers})" for label, words in SUBTOPICS.items())
    + "."
)
_SENTIMENT_BOOK = PhraseBook(
    {
        "which-subtopics": (
            "{opener}[Which|What] subtopics of the sales [discussions|calls|conversations] on {opp} show {mood} "
            "sentiment [about|toward|regarding] our [solution|offer|proposal]?",
            "{opener}[Which|What] [subtopics|aspects] of [our|the] sales [calls|conversations] [about|on] {opp} "
            "[carry|reflect|show] a {mood} sentiment?",
        ),
        "customer-reaction": (
            "{opener}In the sales calls on {opp}, [on which subtopics|about which subtopics|where] did the customer "
            "react {moodly}?",
            "{opener}[Where|On what] did the customer [respond|react] {moodly} during the [calls|conversations] about "
            "{opp}?",
        ),
        "viewed": (
            "{opener}What [aspects|parts|topics] of our [offer|proposal|solution] did the customer view {moodly_alt} "
            "in the [calls|conversations] on {opp}?",
        ),
        "debrief": (
            "{opener}[I'm writing|I'm preparing|I'm putting together] a [deal debrief|win-loss note|call summary] for "
            "{opp}. [Which|What] subtopics came up with {mood} sentiment?",
        ),
        "coaching": (
            "{opener}[For coaching|For our sales coaching session|To coach the rep], [which|what] subtopics in the "
            "calls on {opp} [went|landed] {moodly}[ with the customer|]?",
        ),
        "terse": (
            "{opener}{Mood} subtopics in the sales calls on {opp}?",
            "{opener}{Mood} [topics|subtopics] from the [call|calls] on {opp}[, please|]?",
        ),
        "listen-back": (
            "{opener}[Listening back to|Going over|Reading through] the [calls|transcripts] on {opp}, [which|what] "
            "subtopics [drew|got] a {mood} [reaction|response]?",
        ),
        "manager": (
            "{opener}[My manager|The sales director|Our VP] [wants|asked for] the subtopics [where|on which] the "
            "customer [was|sounded] {moodly_adj} in the calls on {opp}. [Which are they|What are they]?",
        ),
        "summary-ask": (
            "{opener}[Sum up|Summarise|List] the subtopics the customer [felt|was] {moodly_adj} about in the "
            "[sales calls|conversations] on {opp}.",
        ),
    }
)
_MOODS = {
    "negative": {
        "mood": "negative",
        "Mood": "Negative",
        "moodly": "[negatively|unfavourably|badly]",
        "moodly_alt": "[unfavourably|negatively|critically]",
        "moodly_adj": "[negative|unhappy|critical]",
    },
    "positive": {
        "mood": "positive",
        "Mood": "Positive",
        "moodly": "[positively|favourably|well]",
        "moodly_alt": "[favourably|positively]",
        "moodly_adj": "[positive|happy|enthusiastic]",
    },
}
_COMPETITOR_BOOK = PhraseBook(
    {
        "weighing": (
            "{opener}Which competitor is the customer [weighing|comparing|considering] against us on {opp}?",
            "{opener}[Who|Which vendor] [are we up against|are we competing with] on {opp}?",
        ),
        "rival-came-up": (
            "{opener}Which [rival|rival vendor|competitor] came up in the sales calls on {opp}?",
            "{opener}[Did|Has] a competitor come up in the [calls|conversations] on {opp}? [Which one|Name it]?",
        ),
        "name-it": ("{opener}Name the competitor [mentioned|brought up] in the sales discussions of {opp}.",),
        "battlecard": (
            "{opener}[I'm building|I need] a battlecard for {opp}: [which|what] competitor [is in the running|is the "
            "customer talking to]?",
        ),
        "who-else": (
            "{opener}[Who else|Which other vendor] is [bidding|pitching|in the mix] for {opp}, [going by|according "
            "to] the sales calls?",
        ),
        "terse": ("{opener}Competitor on {opp}[, per the calls|, from the call transcripts|]?",),
    }
)


def _unique_opportunities(ctx: GenerationContext) -> dict[str, str]:
    """Opportunity id -> its name, for names no other opportunity has."""
    rows = ctx.sql(
        "SELECT Id, Name FROM Opportunity "
        "WHERE Name IN (SELECT Name FROM Opportunity GROUP BY Name HAVING count(*) = 1)"
    )
    return dict(rows)


@category_generator("sales_insight_mining")
def sales_insight_mining(ctx: GenerationContext) -> list[Instance]:
    """Per opportunity and per period, at most five candidates per gold (a single subtopic or competitor would
    otherwise answer a tenth of the tasks)."""
    return _per_gold(ctx, _insight_instances(ctx), 5)


def _insight_instances(ctx: GenerationContext) -> Iterator[Instance]:
    """Per opportunity with calls: its negative and positive subtopics and its competitor, when there are any.
    About half the prompts name the opportunity instead of giving its id."""
    named = _unique_opportunities(ctx)
    facts: dict[str, list[CallFacts]] = {}
    for transcript, opp_id in ctx.sql(
        "SELECT Id, OpportunityId__c FROM VoiceCallTranscript__c WHERE OpportunityId__c IS NOT NULL "
        "ORDER BY OpportunityId__c, CreatedDate, Id"
    ):
        facts.setdefault(opp_id, []).append(ctx.planted.calls[transcript])
    for opp_id, calls in facts.items():
        found: dict[str, list[str]] = {"positive": [], "negative": [], "competitor": []}
        for call in calls:
            for topic, positive in call.subtopics:
                found["positive" if positive else "negative"].append(topic)
            found["competitor"] += [call.competitor] if call.competitor else []
        for kind, values in found.items():
            if not values:
                continue
            by_name = opp_id in named and ctx.rng.random() < 0.5
            opp = f"the {named[opp_id]} opportunity" if by_name else ctx.choice(("this opportunity", "this deal"))
            if kind == "competitor":
                prompt = ask(ctx, _COMPETITOR_BOOK, opener=ctx.choice(OPENERS), opp=opp)
            else:
                prompt = ask(ctx, _SENTIMENT_BOOK, opener=ctx.choice(OPENERS), opp=opp, **_MOODS[kind])
            lookup = (
                (ctx.query_call(f"SELECT Id FROM Opportunity WHERE Name = {sql_literal(named[opp_id])}"),)
                if by_name
                else ()
            )
            answer = ", ".join(dict.fromkeys(values))
            yield Instance(
                key=f"{opp_id}:{kind}",
                prompt=prompt.text,
                phrasing=prompt.family,
                policy=_INSIGHT_POLICY + ("" if by_name else f"\n- Opportunity Id to be considered is: {opp_id}"),
                answers=(answer,),
                calls=(
                    *lookup,
                    ctx.query_call(
                        "SELECT Id, CreatedDate, Body__c FROM VoiceCallTranscript__c "
                        f"WHERE OpportunityId__c = '{opp_id}'"
                    ),
                ),
                oracle_answer=answer,
                record_id=opp_id,
                metadata={"question": kind, "named": by_name, "answers": [answer]},
            )
    yield from _period_insights(ctx)


# -- sales insight mining over a period ----------------------------------------------------------------------------

_PERIOD_POLICY = (
    "## Sales insight mining\n"
    "Analyse the voice call transcripts (VoiceCallTranscript__c) of the sales calls on opportunities "
    "(OpportunityId__c set) held in the period asked about. Count each call once. Name subtopics with one of these "
    "labels: " + "; ".join(f"{label} ({words.covers})" for label, words in SUBTOPICS.items()) + "."
)
_PERIOD_COMPETITOR_BOOK = PhraseBook(
    {
        "most-calls": ("{opener}Which competitor came up in the most sales calls {period}?",),
        "ran-into": (
            "{opener}[Which rival|Which competitor] did we [run into|hear about] most often in sales calls {period}?",
        ),
        "count-up": ("{opener}Counting our sales calls {period}, which competitor was named in the most of them?",),
        "market-watch": (
            "{opener}[For our market watch|For the competitive report], which competitor [showed up|was mentioned] in "
            "the most sales calls {period}?",
        ),
    }
)
_PERIOD_SUBTOPIC_BOOK = PhraseBook(
    {
        "most-reactions": ("{opener}Which subtopic drew the most {mood} reactions across our sales calls {period}?",),
        "customers-felt": (
            "{opener}Across our sales calls {period}, [which|what] subtopic did customers react to {moodly} most "
            "often?",
        ),
        "review": (
            "{opener}[For the sales review|For the quarterly report], name the subtopic with the most {mood} sentiment "
            "in sales calls {period}.",
        ),
        "pattern": (
            "{opener}[What|Which] subtopic [stands out|comes up most] with {mood} sentiment in sales calls {period}?",
        ),
    }
)
# A period's calls are read a page at a time, each page within the query tool's output budget.
_PAGE_BYTES = 48_000
_MIN_PERIOD_CALLS = 8


_SALES_CALLS: weakref.WeakKeyDictionary[World, list[tuple[str, str, str]]] = weakref.WeakKeyDictionary()


def _period_calls(ctx: GenerationContext) -> list[tuple[str, str, str]]:
    """(transcript id, created, body) of every sales call on an opportunity, oldest first (read once per org)."""
    if ctx.world not in _SALES_CALLS:
        _SALES_CALLS[ctx.world] = ctx.sql(
            "SELECT Id, CreatedDate, Body__c FROM VoiceCallTranscript__c WHERE OpportunityId__c IS NOT NULL "
            "ORDER BY CreatedDate, Id"
        )
    return _SALES_CALLS[ctx.world]


def _period_gold(ctx: GenerationContext, question: str, start: str, stop: str) -> tuple[str | None, ...]:
    """The competitor named in the most sales calls in [start, stop), or the subtopic with the most reactions of
    one sentiment (question "competitor", "negative" or "positive"); None when the top is tied or empty."""
    counts: Counter[str] = Counter()
    for transcript, created, _ in _period_calls(ctx):
        if start <= created[:10] < stop:
            facts = ctx.planted.calls[transcript]
            if question == "competitor":
                counts.update([facts.competitor] if facts.competitor else [])
            else:
                counts.update(t for t, positive in facts.subtopics if positive == (question == "positive"))
    ranked = counts.most_common(2)
    if not ranked or len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        return (None,)
    return (ranked[0][0],)


def _pages(ctx: GenerationContext, start: str, stop: str) -> list[Any]:
    """The oracle's queries reading a period's sales calls, as few pages as the output budget allows."""
    rows = [r for r in _period_calls(ctx) if start <= r[1][:10] < stop]
    where = f"WHERE OpportunityId__c IS NOT NULL AND CreatedDate >= '{start}' AND CreatedDate < '{stop}'"
    pages, size, first = [], 0, 0
    for k, row in enumerate(rows):
        size += len(json.dumps(list(row)))
        if size > _PAGE_BYTES:
            pages.append((first, k - first))
            first, size = k, len(json.dumps(list(row)))
    pages.append((first, len(rows) - first))
    return [
        ctx.query_call(
            f"SELECT Id, CreatedDate, Body__c FROM VoiceCallTranscript__c {where} ORDER BY CreatedDate, Id "
            f"LIMIT {n} OFFSET {offset}"
        )
        for offset, n in pages
    ]


def _period_insights(ctx: GenerationContext) -> Iterator[Instance]:
    """Per period with enough sales calls: the competitor named in the most calls and the subtopics that drew the
    most negative and positive reactions, where that top is the same under every reading of the period."""
    days = [created[:10] for _, created, _ in _period_calls(ctx)]
    for period in periods(ctx.today, ctx.rng):
        ranges = {name: (a.isoformat(), b.isoformat()) for name, (a, b) in period.readings(ctx.today).items()}
        start, stop = ranges["as defined"]
        if sum(start <= d < stop for d in days) < _MIN_PERIOD_CALLS:
            continue
        for question in ("competitor", "negative", "positive"):
            golds = {_period_gold(ctx, question, a, b) for a, b in ranges.values()}
            if len(golds) != 1 or golds == {(None,)}:
                continue
            [gold] = golds
            if question == "competitor":
                prompt = ask(ctx, _PERIOD_COMPETITOR_BOOK, opener=ctx.choice(OPENERS), period=period.phrase)
            else:
                moods = _MOODS[question]
                prompt = ask(ctx, _PERIOD_SUBTOPIC_BOOK, opener=ctx.choice(OPENERS), period=period.phrase, **moods)
            yield Instance(
                key=f"{period.key}:{question}",
                prompt=prompt.text,
                phrasing=prompt.family,
                policy=f"{_PERIOD_POLICY}\n{today_line(ctx)}",
                answers=gold,
                calls=tuple(_pages(ctx, start, stop)),
                oracle_answer=str(gold[0]),
                metadata={"question": question, "period": period.key, "ranges": ranges},
            )


def _under_reading(name: str) -> Any:
    """The gold of a sales insight instance when its period is read as ``name`` (others: as the instance says)."""

    def gold(ctx: GenerationContext, metadata: Mapping[str, Any]) -> tuple[str | None, ...]:
        if "ranges" not in metadata:
            return tuple(metadata["answers"])
        start, stop = metadata["ranges"].get(name, metadata["ranges"]["as defined"])
        return _period_gold(ctx, metadata["question"], start, stop)

    return gold


category_readings(
    "sales_insight_mining",
    period_as_defined=_under_reading("as defined"),
    period_as_soql_literal=_under_reading("SOQL literal"),
    period_in_calendar_months=_under_reading("calendar months"),
)
