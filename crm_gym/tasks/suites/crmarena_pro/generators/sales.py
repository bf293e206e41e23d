"""Generators of the record-centred sales categories: one lead or opportunity, judged against the org's records.

- ``lead_qualification``: the BANT factors a lead's latest call fails under the BANT article (None: it qualifies).
- ``wrong_stage_rectification``: the stage an opportunity's tasks put it in (None: its stage is right).
- ``sales_insight_mining``: the subtopics or the competitor discussed in an opportunity's calls (free text).
- ``lead_routing``: the agent the lead routing article assigns a lead to (territory, accepted quotes, workload).
"""

from __future__ import annotations

from collections.abc import Iterator

from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance, category_generator
from crm_gym.world.generate.policies import BANT_FACTORS, STAGES

_BANT_LIST = ", ".join(f"'{f}'" for f in BANT_FACTORS)
_STAGE_LIST = ", ".join(f"'{s}'" for s in STAGES)


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
