"""How people ask the service-analytics questions: one phrase book per category, and the sentences around them.

A template's fields: ``{period}`` (as a question names it, "in Q2 2024", "over the past 4 months") and ``{Period}``
(the same, capitalised, to open a sentence); ``{target}`` (a product or an account, by name or by description);
for the agent questions ``{extreme}`` (the ranking word) and ``{workload}`` (which agents count, "more than 3
cases"). Families are split between the train and test splits, so no two families open the same way.
"""

from __future__ import annotations

from crm_gym.tasks.suites.crmarena_pro.framework import PhraseBook

TREND = PhraseBook(
    {
        "particular_month": (
            "Is there a particular month {period} in which the number of cases for {target} significantly exceeds "
            "every other month?",
            "Is there one particular month {period} when cases for {target} were significantly higher than in the "
            "other months?",
        ),
        "spike": (
            "Did cases for {target} spike in a single month {period}? I mean a month with significantly more cases "
            "than any other.",
            "Looking for a spike: which month {period} had significantly more cases for {target} than all the rest?",
        ),
        "period_first": (
            "{Period}, was there a month with significantly more cases for {target} than any other month?",
            "{Period}, did one month bring in significantly more cases for {target} than every other?",
        ),
        "service_review": (
            "For the service review I need the month {period} when cases for {target} ran significantly above every "
            "other month.",
            "Preparing the service review: in which month {period} did {target} get significantly more cases than in "
            "the other months?",
        ),
        "manager_asks": (
            "My manager asked whether cases for {target} peaked in one month {period}. Which month had significantly "
            "more than the others?",
            "My director wants to know if {target} had one standout month for cases {period}. Which month was "
            "significantly above the rest?",
        ),
        "ticket_flood": (
            "We keep hearing about {target}. {Period}, was there a month with significantly more of its cases than any "
            "other month?",
            "Support has been flooded with tickets about {target}. {Period}, which month had significantly more cases "
            "than the others?",
        ),
        "trend_check": (
            "Trend check on {target}: {period}, which month had significantly more cases than every other month?",
            "Quick trend check for {target} {period}: is there a month whose case count significantly beats the "
            "others?",
        ),
        "volume": (
            "Case volume for {target} {period}: was one month significantly higher than all the others, and which?",
            "Monthly case volume of {target} {period} -- did any single month stand significantly above the rest?",
        ),
        "outlier": (
            "Which month was the outlier for {target} {period}, with significantly more cases logged than in any "
            "other month?",
            "Find the outlier month {period} for {target}: the one with significantly more cases than every other.",
        ),
        "received": (
            "Did we receive significantly more cases for {target} in one particular month {period} than in the others?",
            "Did the support team receive significantly more cases about {target} in one month {period} than in any "
            "other?",
        ),
        "compare_months": (
            "Compare the monthly case counts for {target} {period}: is there a month that significantly exceeds all "
            "the other months?",
            "Comparing month by month {period}, does one month stand out with significantly more cases for {target}?",
        ),
        "capacity": (
            "I'm planning support capacity around {target}. {Period}, in which month did its cases significantly "
            "exceed every other month?",
            "To plan staffing for {target}, tell me the month {period} with significantly more cases than any other "
            "month.",
        ),
    }
)
TREND_FORMATS = (
    "Return only the month name.",
    "Answer with just the month.",
    "Reply with the month and its year only.",
    "Give only the month (its year too, if you like).",
    "Just name the month, nothing else.",
)

TOP_ISSUE = PhraseBook(
    {
        "most_frequent": (
            "What has been the most frequently reported problem with {target} {period}?",
            "What was the most frequently reported problem for {target} {period}?",
        ),
        "most_common": (
            "What was the most common issue customers raised about {target} {period}?",
            "Which issue did customers raise most commonly about {target} {period}?",
        ),
        "top_issue": (
            "Top issue for {target} {period}: which problem came up in the most cases?",
            "Top problem with {target} {period}, please: which issue had the most cases?",
        ),
        "quality_review": (
            "For our product quality review, which issue was behind the most cases about {target} {period}?",
            "For the quality review, tell me which issue accounted for the most cases about {target} {period}.",
        ),
        "engineering": (
            "Engineering wants to know what goes wrong most with {target}. {Period}, which issue was reported most "
            "often?",
            "The product engineers asked what breaks most on {target}. Which issue had the most cases {period}?",
        ),
        "period_first": (
            "{Period}, what did customers report most often when they opened cases about {target}?",
            "{Period}, which problem showed up in the most cases for {target}?",
        ),
        "pattern": (
            "Is there a pattern in the cases for {target} {period}? Tell me which issue shows up most often.",
            "Is one problem dominating the cases for {target} {period}? Which issue appears most?",
        ),
        "led": (
            "Which issue led the case count for {target} {period}?",
            "Which issue topped the cases opened for {target} {period}?",
        ),
        "customer_call": (
            "I have a customer call about {target} tomorrow. What has been the most reported issue with it {period}?",
            "Before my meeting on {target}, which problem did customers report most {period}?",
        ),
        "dashboard": (
            "For the support dashboard: the issue with the most cases for {target} {period}.",
            "Support dashboard update -- what was the most reported issue on {target} {period}?",
        ),
        "trouble": (
            "What kind of trouble did customers have most often with {target} {period}?",
            "What trouble were customers reporting most often about {target} {period}?",
        ),
        "single_issue": (
            "Name the single issue reported most often for {target} {period}.",
            "Name the one issue behind the most reports about {target} {period}.",
        ),
    }
)
TOP_ISSUE_FORMATS = (
    "Return only the Id of the issue, or None if the product had no cases in that period.",
    "Answer with the issue's record Id; say None if there were no cases for the product in that period.",
    "Reply with just the issue Id (None if the product had no cases then).",
    "Give me only the Id of the issue, or None when the product had no case in that period.",
)

HANDLE_TIME = PhraseBook(
    {
        "which_agent": (
            "Which agent had the {extreme} average handle time {period}, among agents who managed {workload}?",
            "Which agent posted the {extreme} average handle time {period} among those who managed {workload}?",
        ),
        "considering_only": (
            "Considering only agents who managed {workload} {period}, who had the {extreme} average handle time?",
            "Considering just the agents with {workload} {period}, whose average handle time was the {extreme}?",
        ),
        "find": (
            "Find the agent with the {extreme} average case handle time {period} among those who managed {workload}.",
            "Find me the agent whose average handle time was the {extreme} {period}; only agents who managed "
            "{workload} count.",
        ),
        "coaching": (
            "For coaching purposes, I need the agent whose average handle time was the {extreme} {period}, counting "
            "only agents who managed {workload}.",
            "For our coaching sessions: who had the {extreme} average handle time {period} among agents who managed "
            "{workload}?",
        ),
        "period_first": (
            "{Period}, among agents handling {workload}, whose average handle time was the {extreme}?",
            "{Period}, which of the agents who managed {workload} had the {extreme} average handle time?",
        ),
        "workload_first": (
            "Among the agents who carried {workload} {period}, which one had the {extreme} average handle time?",
            "Among agents with a workload of {workload} {period}, who showed the {extreme} average handle time?",
        ),
        "performance_review": (
            "I'm reviewing support performance {period}. Of the agents who managed {workload}, who had the {extreme} "
            "average handle time?",
            "I'm putting together the support performance review. {Period}, who had the {extreme} average handle "
            "time among agents who managed {workload}?",
        ),
        "identify": (
            "Identify the agent with the {extreme} average handle time {period}, counting only agents who managed "
            "{workload}.",
            "Identify which agent averaged the {extreme} handle time {period} among those who managed {workload}.",
        ),
        "staffing": (
            "For next quarter's staffing plan, tell me which agent averaged the {extreme} handle time {period} "
            "(agents who managed {workload} only).",
            "Staffing question: {period}, which agent with {workload} had the {extreme} average handle time?",
        ),
        "who_was": (
            "Who was the agent with the {extreme} average handle time {period}, of those who managed {workload}?",
            "Who ended up with the {extreme} average handle time {period} among agents who managed {workload}?",
        ),
        "short": (
            "Agent with the {extreme} average handle time {period}, among agents who managed {workload}?",
            "{extreme_cap} average handle time {period} among agents who managed {workload}: which agent was it?",
        ),
        "team_lead": (
            "As a team lead I'd like to know: {period}, which agent who managed {workload} had the {extreme} average "
            "handle time?",
            "Team lead question -- of the agents who managed {workload} {period}, whose average handle time was the "
            "{extreme}?",
        ),
    }
)

TRANSFER_COUNT = PhraseBook(
    {
        "which_agent": (
            "Which agent had the {extreme} case transfers {period}, among agents who managed {workload}?",
            "Which agent made the {extreme} transfers {period} among those who managed {workload}?",
        ),
        "considering_only": (
            "Considering only agents who managed {workload} {period}, who made the {extreme} transfers?",
            "Considering just the agents with {workload} {period}, who passed on the {extreme} cases?",
        ),
        "identify": (
            "Identify the agent with the {extreme} transfers {period} among those who managed {workload}.",
            "Identify which agent transferred the {extreme} cases {period}, counting agents who managed {workload}.",
        ),
        "handoffs": (
            "Handoffs {period}: among agents who managed {workload}, who handed off the {extreme} cases to colleagues?",
            "Looking at handoffs {period}, which agent with {workload} handed the {extreme} cases on to someone else?",
        ),
        "period_first": (
            "{Period}, among agents handling {workload}, who had the {extreme} transfers?",
            "{Period}, which of the agents who managed {workload} transferred the {extreme} cases?",
        ),
        "workload_first": (
            "Among the agents who carried {workload} {period}, which one made the {extreme} transfers?",
            "Among agents with a workload of {workload} {period}, who made the {extreme} case transfers?",
        ),
        "routing_review": (
            "We're reviewing how cases move between agents {period}. Of the agents who managed {workload}, who made "
            "the {extreme} transfers?",
            "I'm reviewing case routing. {Period}, who had the {extreme} transfers among agents who managed "
            "{workload}?",
        ),
        "find": (
            "Find the agent with the {extreme} transfers {period}; count only agents who managed {workload}.",
            "Find me whoever passed on the {extreme} cases {period} among agents who managed {workload}.",
        ),
        "who_was": (
            "Who was the agent with the {extreme} transfers {period}, of those who managed {workload}?",
            "Who ended up with the {extreme} transfers {period} among agents who managed {workload}?",
        ),
        "short": (
            "Agent with the {extreme} transfers {period}, among agents who managed {workload}?",
            "{extreme_cap} transfers {period} among agents who managed {workload}: which agent?",
        ),
        "escalation_desk": (
            "The escalation desk is asking: {period}, which agent who managed {workload} made the {extreme} transfers?",
            "Escalation desk question -- of the agents who managed {workload} {period}, who transferred the "
            "{extreme} cases?",
        ),
        "ownership": (
            "Case ownership {period}: I need the agent with the {extreme} transfers among those who managed "
            "{workload}.",
            "Ownership check {period}: among agents who managed {workload}, which one made the {extreme} transfers?",
        ),
    }
)
AGENT_FORMATS = (
    "Return only the Id of the agent, or None if no agent qualifies.",
    "Answer with the agent's user Id, or None if no agent fits.",
    "Reply with just the agent's Id; if nobody qualifies, say None.",
    "Give only the user Id of the agent (None if there is no such agent).",
)
