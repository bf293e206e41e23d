"""Generators of the record-centred sales categories: one opportunity or lead, judged against the org's records.

- ``wrong_stage_rectification``: the stage an opportunity's tasks put it in (None: its stage is right, though it
  also has work of an earlier stage, the near miss a careful reader checks).
- ``lead_routing``: the agent the lead routing policy assigns a new lead to (territory, accepted quotes, workload).

About half of the tasks name the opportunity or lead by what it is (`deal_records`) instead of by its Id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from crm_gym.tasks.suites.crmarena_pro.framework import (
    GenerationContext,
    Instance,
    category_generator,
    category_readings,
)
from crm_gym.tasks.suites.crmarena_pro.generators import deal_phrasing as phrasing
from crm_gym.tasks.suites.crmarena_pro.generators.common import sql_literal
from crm_gym.tasks.suites.crmarena_pro.generators.deal_records import (
    LeadDirectory,
    OpportunityDirectory,
    article_title,
    references,
)
from crm_gym.world.generate.policies import STAGES

_STAGE_LIST = ", ".join(f"'{s}'" for s in STAGES)


# -- wrong stage ------------------------------------------------------------------------------------------------

_STAGE_GUIDE = (
    "## Opportunity stage guide\n"
    "An opportunity's stage must match the work recorded on it. Compare its tasks (Task records whose WhatId is the "
    "opportunity) with the activities the knowledge article on opportunity stage definitions lists for each stage: "
    "the opportunity belongs in the most advanced stage for which it has a task, open or completed."
)


def _same_count_per_stage(
    ctx: GenerationContext, candidates: dict[str, tuple[str | None, str | None, str]]
) -> dict[str, tuple[str | None, str | None, str]]:
    """As many candidates of each gold stage, so that a draw of the suite gives every stage about a fifth of the
    tasks and guessing one stage earns no more than that; a stage keeps candidates from every recorded stage in
    turn (in a seeded order within each)."""
    by_pair: dict[tuple[str, str], list[str]] = {}
    for opp_id, (gold, _, recorded) in candidates.items():
        if gold is not None:
            by_pair.setdefault((gold, recorded), []).append(opp_id)
    turns: dict[str, list[tuple[int, str]]] = {}
    for (gold, _), ids in sorted(by_pair.items()):
        order = ctx.rng.permutation(len(ids))
        turns.setdefault(gold, []).extend((k, ids[int(i)]) for k, i in enumerate(order))
    keep = min((len(ids) for ids in turns.values()), default=0)
    kept = {opp_id for ids in turns.values() for _, opp_id in sorted(ids)[:keep]}
    return {opp_id: c for opp_id, c in candidates.items() if c[0] is None or opp_id in kept}


@category_generator("wrong_stage_rectification")
def wrong_stage_rectification(ctx: GenerationContext) -> Iterator[Instance]:
    """Opportunities whose tasks put them in another stage (planted), and ones whose stage matches their tasks
    although they also carry earlier-stage work.

    The stated rule: an opportunity belongs in the most advanced stage that one of its tasks belongs to. Other
    opportunities whose tasks disagree with their stage carry misprioritised work (another category's structure)
    and are left out.
    """
    guide = ctx.policies.stage_guide
    article = ctx.query_call("SELECT Id, Title, FAQ_Answer__c FROM Knowledge__kav WHERE Title LIKE '%Stage%'")
    stages: dict[str, list[tuple[str, str]]] = {}
    for opp_id, subject in ctx.sql(
        "SELECT o.Id, t.Subject FROM Opportunity o JOIN Task t ON t.WhatId = o.Id ORDER BY o.Id, t.Id"
    ):
        stage = guide.stage_of(subject)
        if stage is not None:
            stages.setdefault(opp_id, []).append((stage, subject))
    candidates = {}
    for opp_id, recorded in ctx.sql("SELECT Id, StageName FROM Opportunity ORDER BY Id"):
        if opp_id not in stages:
            continue
        shown, top_subject = max(stages[opp_id], key=lambda s: STAGES.index(s[0]))
        earlier = sorted({s for s, _ in stages[opp_id] if s != shown}, key=STAGES.index)
        planted = ctx.planted.wrong_stage.get(opp_id)
        if planted is not None and shown == planted != recorded:
            candidates[opp_id] = (shown, None, recorded)
        elif planted is None and shown == recorded and earlier:
            near = (
                f"it also has {' and '.join(earlier)} work, but its most advanced task ('{top_subject}') is a "
                f"{shown} activity, the stage it is in"
            )
            candidates[opp_id] = (None, near, recorded)
    candidates = _same_count_per_stage(ctx, candidates)
    directory = OpportunityDirectory(ctx)
    refs = references(ctx, {opp_id: directory.describe(opp_id) for opp_id in candidates}, "opportunity")
    for opp_id, (gold, near_miss, _) in candidates.items():
        ref = refs[opp_id]
        answer = ctx.choice(phrasing.STAGE_ANSWERS).format(stages=_STAGE_LIST)
        prompt = phrasing.phrase(ctx, phrasing.WRONG_STAGE, ref.text, (answer,))
        tasks = ctx.query_call(
            "SELECT o.Id, o.StageName, t.Subject, t.Status, t.ActivityDate FROM Opportunity o "
            f"LEFT JOIN Task t ON t.WhatId = o.Id WHERE o.Id = {sql_literal(opp_id)} ORDER BY t.ActivityDate"
        )
        yield Instance(
            key=opp_id,
            prompt=prompt.text,
            policy=_STAGE_GUIDE + ref.policy_line,
            answers=(gold,),
            calls=(*ref.lookup, article, tasks),
            oracle_answer=gold or "None",
            record_id=opp_id,
            metadata={"opportunity_id": opp_id, "named": bool(ref.lookup)},
            near_miss=near_miss,
            phrasing=prompt.family,
        )


# -- lead routing -------------------------------------------------------------------------------------------------

_ROUTING_RULES = (
    "- Territory match: take the territory whose description (a comma-separated list of state codes) includes "
    "the lead's state.\n"
    "- Quote success: among the agents associated with that territory (UserTerritory2Association), choose the one "
    "with the most quotes in status 'Accepted' on opportunities they own.\n"
    "- Workload balance: if several agents are still tied, choose the one who owns the fewest unconverted leads."
)


def _routing_policy(inline: bool, title: str) -> str:
    if inline:
        return (
            "## Lead routing policy\nRoute the lead as the lead routing knowledge article prescribes:\n"
            + _ROUTING_RULES
        )
    return (
        f"## Lead routing policy\nRoute the lead as the knowledge article '{title}' prescribes (territory, then "
        "accepted quotes, then workload)."
    )


def _candidates(ctx: GenerationContext, state: str, workload: str) -> list[tuple[str, int, int]]:
    """The agents of the territory covering ``state`` with their accepted quotes and their workload (counted by
    the ``workload`` SQL condition on their leads), best first; empty when no single territory covers it."""
    territories = ctx.sql("SELECT Id FROM Territory2 WHERE ',' || Description || ',' LIKE ?", (f"%,{state},%",))
    if len(territories) != 1:
        return []
    rows = ctx.sql(
        "SELECT a.UserId, "
        "(SELECT COUNT(*) FROM Quote q JOIN Opportunity o ON o.Id = q.OpportunityId "
        "WHERE o.OwnerId = a.UserId AND q.Status = 'Accepted'), "
        f"(SELECT COUNT(*) FROM Lead l WHERE l.OwnerId = a.UserId AND {workload}) "
        "FROM UserTerritory2Association a WHERE a.Territory2Id = ?",
        (territories[0][0],),
    )
    return sorted(rows, key=lambda row: (-row[1], row[2], row[0]))


def _routed(ctx: GenerationContext, state: str, workload: str = "l.IsConverted = 0") -> str | None:
    """The agent the policy picks for a lead of ``state``, or None when a full tie (or no territory) leaves it open."""
    ranked = _candidates(ctx, state, workload)
    if not ranked or (len(ranked) > 1 and ranked[0][1:] == ranked[1][1:]):
        return None
    return ranked[0][0]


def _gold_open_leads_only(ctx: GenerationContext, meta: Mapping[str, Any]) -> tuple[str | None, ...]:
    """Reading: the workload counts open leads only (unconverted and not closed)."""
    return (_routed(ctx, meta["state"], "l.IsConverted = 0 AND l.Status <> 'Closed'"),)


def _gold_without_this_lead(ctx: GenerationContext, meta: Mapping[str, Any]) -> tuple[str | None, ...]:
    """Reading: the lead being routed does not count towards its current owner's workload."""
    return (_routed(ctx, meta["state"], f"l.IsConverted = 0 AND l.Id <> {sql_literal(meta['lead_id'])}"),)


@category_generator("lead_routing")
def lead_routing(ctx: GenerationContext) -> Iterator[Instance]:
    """New, unconverted leads whose policy agent is decided without a full tie and is not their current owner.

    Leads already owned by the policy's agent are left out, so answering the current owner is never a shortcut.
    """
    agents: dict[str, str | None] = {}
    title = article_title(ctx, ctx.policies.lead_routing.article_id)
    article = ctx.query_call(f"SELECT Id, Title, FAQ_Answer__c FROM Knowledge__kav WHERE Title = {sql_literal(title)}")
    candidates = {}
    for lead_id, state, owner in ctx.sql(
        "SELECT Id, State, OwnerId FROM Lead WHERE Status = 'New' AND IsConverted = 0 ORDER BY Id"
    ):
        if state not in agents:
            agents[state] = _routed(ctx, state)
        if agents[state] is not None and agents[state] != owner:
            candidates[lead_id] = state
    directory = LeadDirectory(ctx)
    refs = references(ctx, {lead_id: directory.describe(lead_id) for lead_id in candidates}, "lead")
    for lead_id, state in candidates.items():
        ref, agent = refs[lead_id], agents[state] or ""
        prompt = phrasing.phrase(ctx, phrasing.LEAD_ROUTING, ref.text, phrasing.ROUTING_ANSWERS)
        inline = ctx.rng.random() < 0.5
        ranked = _candidates(ctx, state, "l.IsConverted = 0")
        territory = ctx.query_call(
            "SELECT t.Id, t.Name, t.Description, a.UserId FROM Territory2 t JOIN UserTerritory2Association a "
            f"ON a.Territory2Id = t.Id WHERE ',' || t.Description || ',' LIKE '%,{state},%'"
        )
        members = ", ".join(sql_literal(user) for user, _, _ in ranked)
        quotes = ctx.query_call(
            "SELECT o.OwnerId, COUNT(*) AS accepted FROM Quote q JOIN Opportunity o ON o.Id = q.OpportunityId "
            f"WHERE q.Status = 'Accepted' AND o.OwnerId IN ({members}) GROUP BY o.OwnerId"
        )
        tied = [user for user, accepted, _ in ranked if accepted == ranked[0][1]]
        workload = ctx.query_call(
            "SELECT OwnerId, COUNT(*) AS unconverted FROM Lead WHERE IsConverted = 0 "
            f"AND OwnerId IN ({', '.join(sql_literal(u) for u in tied)}) GROUP BY OwnerId"
        )
        find = ref.lookup or (ctx.query_call(f"SELECT Id, State, OwnerId FROM Lead WHERE Id = {sql_literal(lead_id)}"),)
        yield Instance(
            key=lead_id,
            prompt=prompt.text,
            policy=_routing_policy(inline, title) + ref.policy_line,
            answers=(agent,),
            calls=(*find, *(() if inline else (article,)), territory, quotes, *((workload,) if len(tied) > 1 else ())),
            oracle_answer=agent,
            record_id=lead_id,
            metadata={"state": state, "lead_id": lead_id, "named": bool(ref.lookup)},
            phrasing=prompt.family,
        )


category_readings("lead_routing", open_leads_only=_gold_open_leads_only, without_this_lead=_gold_without_this_lead)
