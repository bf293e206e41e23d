"""Voice call transcripts of the B2B org: lead qualification calls (BANT) and sales calls about an opportunity.

Every line is composed from interchangeable parts (`compose.spin`) with the call's own stream, so a fact the tasks
ask about (a BANT factor met or missed, a subtopic discussed with positive or negative sentiment, a competitor) is
said in many ways and no sentence recurs across many calls. What a call states is decided by the org generator and
recorded in its planted facts; these functions only put it into words.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from crm_gym.world.generate.b2b_text import DECISION_TITLES
from crm_gym.world.generate.compose import pick, spin

# How many pains a lead's call drew from before pains were composed (the main stream still draws one of them).
LEGACY_PAIN_COUNT = 6

_PAINS = (
    "[constant|repeated|weekly] downtime in our [plant|warehouse|branch office|factory] network",
    "reports that take [days|a full week|three people] to compile by hand",
    "energy bills that [grew|jumped|rose] [30 percent|by a third|sharply] last year",
    "security audits we keep [failing|barely passing|struggling with]",
    "design reviews that slip [every sprint|month after month|every release]",
    "a device fleet we can no longer [monitor|keep track of|keep patched]",
    "[too many|dozens of] manual [handoffs|spreadsheets|steps] between [sales and operations|our sites|teams]",
    "[slow|sluggish|unreliable] [simulations|test runs|builds] that hold up [every project|our engineers|each release]",
    "[storage|disk space] that runs out [every quarter|faster than we can buy it|twice a year]",
    "[remote teams|our field staff|our distributed teams] who [never have|can't find] the latest [plans|files|numbers]",
    "[forecasts|demand plans] that miss by [a wide margin|20 percent|too much] [every season|each quarter|]",
    "[firmware|software] [updates|patches] we still [roll out|apply|push] [by hand|one device at a time|site by site]",
    "[outages|slowdowns] [whenever traffic spikes|at month end|during peak hours]",
    "[customer data|sensitive records] spread across [too many|a dozen|unmanaged] [systems|tools|spreadsheets]",
    "[models|predictions] nobody on the team [trusts|can explain|can check]",
    "[long|growing] [queues|backlogs] of [compute jobs|tickets|requests] every [week|morning|month]",
)

# -- lead qualification calls ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BantFacts:
    """What one qualification call states about each BANT factor.

    ``budget`` is the amount available (0: no budget set aside); ``approver`` the title who approves when the lead
    cannot; ``need`` whether the lead describes a concrete problem; ``timeline_months`` when they plan to buy.
    """

    budget: int
    title: str
    has_authority: bool
    need: bool
    timeline_months: int
    competitor: str | None


def _money(r: random.Random, amount: int) -> str:
    """An amount as people say it: "$75,000", "$75k", "75,000 dollars" or "75 thousand dollars"."""
    if amount % 1000:
        return f"${amount:,}"
    thousands = amount // 1000
    return r.choice((f"${amount:,}", f"${thousands}k", f"{amount:,} dollars", f"{thousands} thousand dollars"))


_MONTH_WORDS = {3: "three", 4: "four", 5: "five", 6: "six", 8: "eight", 9: "nine", 10: "ten", 12: "twelve"}
_SPAN_IDIOMS = {
    3: ("a quarter",),
    6: ("half a year", "two quarters"),
    9: ("three quarters",),
    12: ("a year", "twelve months"),
    18: ("a year and a half", "eighteen months"),
    24: ("two years",),
}


def _months(r: random.Random, months: int) -> str:
    """A span of months as people say it: "6 months", "six months", "half a year"."""
    ways = [f"{months} months" if months != 1 else "a month"]
    ways += [f"{_MONTH_WORDS[months]} months"] if months in _MONTH_WORDS else []
    ways += list(_SPAN_IDIOMS.get(months, ()))
    return r.choice(ways)


_BUDGET_QUESTIONS = (
    "[What|Which] budget [are you working with|do you have in mind|have you set aside][ for this| for the project|]?",
    "[Have you|Has your team] [set aside|allocated|approved] [a budget|funds|money] for [this|a project like this]?",
    "How much [are you able to|can you|do you plan to] [spend|invest] [on this|here|this year]?",
    "[Where does|How does] [the budget|funding] [stand|look] [for this|on your side|at the moment]?",
)
_BUDGET_AMOUNT = (
    "[We've|We have] [set aside|earmarked|allocated|budgeted] {amount} for [the project|a tool like this|this purchase]"
    "[ this year| this fiscal year|].",
    "[Finance|Our CFO|Our finance team|The board] [approved|signed off on|released] {amount} for "
    "[this|this initiative|the project][ last month| in the spring|].",
    "[The budget|Our budget|What we have to spend] [is|comes to|sits at|tops out at] {amount}"
    "[ for the whole project| all in| in total|].",
    "[We can spend|We're able to spend|I can commit] up to {amount}[ on this| this year| for the first phase|].",
    "[There's|We have] {amount} [in the budget|available|approved] for [this|it|the purchase][, no more| today|].",
)
_BUDGET_NONE = (
    "[To be honest|Honestly|Frankly], [we have no budget|there's no budget|nothing is budgeted] for this "
    "[yet|right now|until next fiscal year].",
    "[We'd|We would] [have to|need to] [find the money|secure funding|get a budget approved] first; "
    "[nothing is set aside|there's nothing allocated|no money is earmarked] [yet|today|for it].",
    "[There's no money|No funds have been] [set aside|allocated|approved] for this[ so far| this year| yet].",
)

_AUTHORITY_QUESTIONS = (
    "Who [would|will] [approve|sign off on] [a purchase|this|the contract] [like this|on your side|in the end]?",
    "[Are you|Would you be] the [one|person] who [signs off|makes the final call|approves the spend][ on this| here|]?",
    "How does [the approval process|sign-off|decision making] work [on your side|at {company}|for you]?",
)
_AUTHORITY_YES = (
    "[As|Being the] {title}[,|] I [sign off on|approve|make the call on|own the decision on] "
    "[purchases|spend|buys] like this [myself|on my own|directly].",
    "[The decision is|It's|That call is] [mine|my call|down to me][; I'm the {title}|, as {title}|].",
    "I'm the {title}, so [I have|I hold] [the final say|sign-off|budget authority] [here|on this|for purchases like "
    "this].",
    "[No one else|Nobody else] [needs to|has to] approve it[; I do| as far as I'm concerned|, I'm the {title}].",
)
_AUTHORITY_NO = (
    "I'm the {title}; [our|my] {approver} [would need to|has to|must] [approve|sign off on] any "
    "[spend|purchase|contract][ like this| of this size|].",
    "I'll [have to|need to] [take this to|run this by|get approval from] [our|my] {approver}"
    "[ before we commit| before anything is signed|].",
    "[Purchases like this go|Anything this size goes|Spend at this level goes] through [our|my] {approver}; I "
    "[can only recommend|just make the recommendation|gather the options].",
    "[I can't|I don't] [approve|sign] this myself[ as {title}|]; [the final say is|sign-off sits] with "
    "[our|my] {approver}.",
)

_NEED_QUESTIONS = (
    "What [challenges|problems|issues] are you [trying to solve|hoping to fix|facing][ right now| at the moment|]?",
    "What [prompted|led to|triggered] [this conversation|your interest|the inquiry][ on your side|]?",
    "[Where does it hurt|What hurts|Where is the pain] [most|today] [in your current setup|for your team|]?",
)
_NEED_YES = (
    "[Our main problem is|The real issue for us is|What's hurting us most is|Our biggest headache is] {pain}.",
    "[We're struggling with|We keep running into|We can't get past] {pain}[, and it's getting worse| and it's "
    "costing us| every month|].",
    "[Right now|At the moment|These days] it's {pain}; [that's why we called|we need that fixed|it can't go on].",
)
_NEED_NO = (
    "[Honestly|To be honest|Truthfully], [things work fine|our current setup works|nothing is broken] "
    "[for us|today|right now]; we're [mostly|just] [curious|looking around|keeping an eye on the market].",
    "[We don't have|There isn't] a [pressing|specific|real] problem [to solve|here|right now]; [this is more|it's "
    "more] [exploratory|about staying informed|of a fact-finding exercise].",
    "[Our current tools do|What we have does] the job[ fine| well enough|]; I [just|mainly] wanted to "
    "[see what's out there|compare notes|hear what's new].",
)

_TIMELINE_QUESTIONS = (
    "When are you [looking to|hoping to|planning to] [have something running|make a decision|go live]?",
    "What [timeline|time frame] [are you working to|do you have in mind|are we looking at][ for this|]?",
    "How soon [would you|do you] [need|want] [this|a solution] [in place|running|up and running]?",
)
_TIMELINE_WITHIN = (
    "We'd want [a solution|something|it] [in place|running|live|rolled out] within {span}.",
    "[Our target is|We're aiming|The plan is] to [buy|decide|sign] within the next {span}.",
    "[Realistically|Ideally], [we'd go live|we'd sign|we'd buy] within {span}[ from now|].",
    "[Our planning|The project plan] [has us buying|puts the purchase] within {span}[ at the latest|].",
)
# Only for a timeline beyond the article's limit: "not for another N months" bounds it from below.
_TIMELINE_LATER = (
    "[We won't|We don't expect to] [be ready to buy|make a decision|sign anything] for [another|at least] {span}.",
    "[Nothing will happen|We can't move] [before|for] {span}[ at the earliest| from now|]; "
    "[budget cycles won't allow it|our planning runs that way].",
)

_COMPETITOR_LINES = (
    "[Just so you know|For transparency|Full disclosure], we're also [talking to|looking at|getting a quote from] "
    "{competitor}.",
    "{competitor} [pitched us|came in|gave us a demo] [last week|recently|a few days ago][, so we're comparing|, "
    "for what it's worth|].",
    "We're [weighing|comparing] [you|your offer] [against|with] {competitor}[ before we decide| this month|].",
)
_ACKNOWLEDGEMENTS = (
    "[Got it|Understood|Makes sense|Okay|Noted|Fair enough|Good to know|Right], [[thanks|thank you] for [sharing|"
    "explaining|clarifying] that|[thanks|thank you]|I appreciate that|that helps][ a lot|].",
)
_BANT_OPENINGS = (
    "[Hi|Hello|Good morning|Good afternoon|Hey] {lead_first}, [this is|it's] {agent_first}[ from| with| on] "
    "[the sales team|sales|our sales group|the accounts team][ here|] [—|, and] [is now still a good time?|do you "
    "have a few minutes?|thanks for making time today.|I appreciate you taking the call.|thanks for picking up.|did "
    "I catch you at a good moment?]",
)
_BANT_GREETING_REPLIES = (
    "[Sure|Yes|Of course|Sure thing|Happy to], [I have|I've got] [a few minutes|about fifteen minutes|some time|"
    "half an hour][, and| —|;] [I'm at|I work at|I'm with|I'm calling from] {company}[ by the way|].",
)
_BANT_CLOSINGS = (
    "[Thanks|Thank you|That's really helpful|Great, that helps|Appreciate it], I'll [send|email|put together] "
    "[a summary|a recap|my notes] and [next steps|a proposal outline|some options] [by email|later today|this week|"
    "tomorrow][ so your team can review| for you to look over|].",
)
_BANT_GOODBYES = (
    "[Sounds good|Great|Perfect|Works for me|Thanks][,| —] [talk soon|thanks for the call|speak then|bye for now|"
    "looking forward to it][, {agent_first}|][, and have a good [day|week|afternoon]|].",
)


def bant_call(r: random.Random, agent: str, lead: str, company: str, facts: BantFacts, timeline_limit: int) -> str:
    """A qualification call stating the four BANT facts in a random order, each asked about or volunteered.

    ``timeline_limit`` is the BANT article's limit: only a timeline beyond it may be put as "not before N months".
    """
    agent_first, lead_first = agent.split()[0], lead.split()[0]

    def say(who: str, templates: tuple[str, ...], **fields: str) -> str:
        return f"{who}: " + pick(r, templates, company=company, **fields)

    amount = _money(r, facts.budget)
    budget = say(lead, _BUDGET_AMOUNT, amount=amount) if facts.budget else say(lead, _BUDGET_NONE)
    approver = r.choice(DECISION_TITLES[:4])
    authority = say(
        lead, _AUTHORITY_YES if facts.has_authority else _AUTHORITY_NO, title=facts.title, approver=approver
    )
    need = say(lead, _NEED_YES, pain=spin(r, r.choice(_PAINS))) if facts.need else say(lead, _NEED_NO)
    beyond = facts.timeline_months > timeline_limit and r.random() < 0.4
    timeline = say(lead, _TIMELINE_LATER if beyond else _TIMELINE_WITHIN, span=_months(r, facts.timeline_months))
    blocks = [
        (_BUDGET_QUESTIONS, budget),
        (_AUTHORITY_QUESTIONS, authority),
        (_NEED_QUESTIONS, need),
        (_TIMELINE_QUESTIONS, timeline),
    ]
    r.shuffle(blocks)
    lines = [
        say(agent, _BANT_OPENINGS, lead_first=lead_first, agent_first=agent_first),
        say(lead, _BANT_GREETING_REPLIES),
    ]
    for k, (questions, answer) in enumerate(blocks):
        if k and r.random() < 0.4:
            lines.append(say(agent, _ACKNOWLEDGEMENTS))
        if k == 0 or r.random() < 0.85:  # otherwise the lead volunteers it
            lines.append(say(agent, questions))
        lines.append(answer)
    if facts.competitor:
        lines.insert(r.randint(3, len(lines)), say(lead, _COMPETITOR_LINES, competitor=facts.competitor))
    lines += [say(agent, _BANT_CLOSINGS), say(lead, _BANT_GOODBYES, agent_first=agent_first)]
    return "\n".join(lines)


# -- sales calls on an opportunity --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubtopicWords:
    """What one subtopic covers, how a sales agent raises it, and how a customer reacts, favourably or not."""

    covers: str
    raise_it: tuple[str, ...]
    positive: tuple[str, ...]
    negative: tuple[str, ...]


# The five subtopics sales calls covered first; the main stream still samples three of them per call.
CLASSIC_SUBTOPICS = (
    "Business problems and pain points",
    "Pricing and competitive analysis",
    "Implementation process and support",
    "Product features and capabilities",
    "Timeline and next steps",
)
# Subtopics a call may swap in for a classic one (labels of the original CRMArena-Pro data).
NEWER_SUBTOPICS = (
    "Case studies and testimonials",
    "Security compliance and data protection",
    "Future advancements and scalability",
)

SUBTOPICS: dict[str, SubtopicWords] = {
    "Business problems and pain points": SubtopicWords(
        "whether we understood the customer's problems",
        (
            "[Did we|Do you feel we] [capture|understand|get] the [problems|challenges|pain points] your team "
            "[deals with|faces|described][ every day| day to day|]?",
            "[Let's revisit|I'd like to revisit|Let's go back to] the business [problems|challenges] you "
            "[shared|described|walked us through][ last time| in the workshop|].",
        ),
        (
            "[You|Your team] [really|clearly] [understood|got|captured] the [problems|challenges] we [face|deal with]"
            "[ every day| day to day|].",
            "[That's|It's] [exactly|precisely] [our pain|the problem we have|what keeps us up at night]; "
            "[you nailed it|spot on|well summarised].",
        ),
        (
            "[I don't think|I'm not sure] [your solution|the proposal|what you showed] [addresses|solves|fixes] the "
            "[problems|issues|pain points] we [actually|really] have.",
            "[It feels like|Honestly,] you [missed|misread|glossed over] [our real problem|what's hurting us|the core "
            "issue][ entirely| in the proposal|].",
        ),
    ),
    "Pricing and competitive analysis": SubtopicWords(
        "price and cost",
        (
            "[How did|How does] [the pricing|the price|our quote|the cost] [land|sit|look] [with your team|on your "
            "side|for you]?",
            "[Let's talk|I'd like to talk|I'd like your view] about [pricing|price|cost|the numbers][ for a "
            "minute| now|].",
        ),
        (
            "[The pricing|The price|Your quote] [is fair|looks reasonable|is competitive] [compared with|next to|"
            "against] [what else we've seen|the other quotes|the market].",
            "[Cost-wise|Price-wise|On price], [you're|this is] [in a good place|right where we hoped it would be|very "
            "competitive].",
        ),
        (
            "[Frankly|Honestly|To be blunt], the [price|quote|cost] is [well above|higher than|more than] what "
            "{rival} [offered us|quoted|came in at].",
            "[The numbers|The pricing] [don't|doesn't] work for us[ at that level| as it stands|]; [it's|that's] "
            "[too expensive|over what we can justify].",
        ),
    ),
    "Implementation process and support": SubtopicWords(
        "rollout, onboarding and support",
        (
            "[How do you feel about|What's your take on|Any concerns about] the [rollout plan|implementation plan|"
            "onboarding and support][ we proposed| we shared|]?",
            "[Let's go over|I'd like to look at] how [the rollout|implementation|onboarding] and [support|our support "
            "team] would work[ for you| on your side|].",
        ),
        (
            "The [rollout plan|implementation plan] [looks clear|makes sense|is realistic], and your support team "
            "[was|has been] [responsive|quick to answer|helpful].",
            "[Implementation|The rollout|Onboarding] [sounds|looks] [straightforward|well organised|painless]; "
            "[support|your support people] [impressed us|answered everything quickly].",
        ),
        (
            "[We're worried|I'm concerned|My team worries] the [implementation|rollout|onboarding] will [drag on|take "
            "forever|overrun] and [support will be slow|support won't keep up|we'll be left on our own].",
            "[The rollout|Implementation] [looks|seems] [messy|risky|understaffed], and [support|your support team] "
            "[was slow to answer|didn't get back to us|felt stretched].",
        ),
    ),
    "Product features and capabilities": SubtopicWords(
        "what the product does",
        (
            "Does the [feature set|product|platform] [cover|meet|match] [what you need|your requirements|your "
            "checklist]?",
            "[How did|What did you think of] the [features|capabilities] [in the demo|we showed|on the list]?",
        ),
        (
            "The [feature set|features] [covers|ticks off] [everything|every item] on our [list|checklist|"
            "requirements sheet].",
            "[Feature-wise|Functionally|Capability-wise], [it does|it covers] [all we need|everything we asked for]"
            "[ and more|].",
        ),
        (
            "[Several|A few|Some key] features we [need|rely on|asked about] are [missing|half-finished|not there "
            "yet].",
            "[Functionally|Feature-wise], [it falls short|there are gaps|it's not there yet] [on our must-haves|for "
            "what we need].",
        ),
    ),
    "Timeline and next steps": SubtopicWords(
        "schedule and what happens next",
        (
            "[Does|How does] the [proposed timeline|delivery schedule|plan for next steps] [work for you|fit your "
            "plans|look to you]?",
            "[Let's agree on|I'd like to settle] [next steps|the timeline|the schedule][ from here| for delivery|].",
        ),
        (
            "The [proposed timeline|schedule|delivery plan] [works well for us|fits our plans|suits us nicely].",
            "[Next steps|The next steps] [are clear|make sense]; [we can|let's] [start|move] [on that schedule|as "
            "planned].",
        ),
        (
            "The [delivery timeline|schedule|timeline] is [too slow|too long|too late] for [our plans|what we need|"
            "our launch].",
            "[We can't wait|Waiting] that long [won't work|is a problem]; [the timeline|the schedule] [needs to move "
            "up|has to shrink].",
        ),
    ),
    "Case studies and testimonials": SubtopicWords(
        "customer stories and references",
        (
            "[Were|Did you find] the [customer stories|case studies|references] we [sent|shared] [useful|helpful|"
            "relevant]?",
            "[Did you get a chance to|Have you had time to] [read|look at] the [case studies|customer testimonials|"
            "reference stories]?",
        ),
        (
            "The [case studies|customer stories|testimonials] [were convincing|really helped|made the case]; "
            "[companies like ours|peers in our industry] [got results|saw real gains].",
            "[Hearing from|Talking to] your [reference customers|customers] [sold us|won the team over|settled "
            "it][ for me|].",
        ),
        (
            "The [case studies|references|testimonials] [didn't|don't] [match|resemble|speak to] [our situation|"
            "companies our size|our industry]; [they felt generic|not very convincing].",
            "[None of|Few of] the [customer stories|case studies] [looked like us|came from our sector]; [it didn't "
            "help|that hurt more than it helped].",
        ),
    ),
    "Security compliance and data protection": SubtopicWords(
        "security and compliance reviews",
        (
            "[How did|What did] your [security team|compliance team|IT security people] [make of|think of|say "
            "about] [our security review|the data protection answers|the compliance documents]?",
            "[Any news on|Where do we stand on] the [security|compliance|data protection] review[ from your side|]?",
        ),
        (
            "[Our security team|Compliance|IT security] [signed off|was satisfied|had no concerns]; the "
            "[data protection|security] [answers|controls] [were thorough|checked out].",
            "[Security|Compliance] [is a non-issue|went smoothly]; [your certifications|the data protection terms] "
            "[ticked every box|were exactly what we needed].",
        ),
        (
            "[Our security team|Compliance|IT security] [has concerns|isn't comfortable|raised flags] about "
            "[data protection|how data is stored|your compliance certifications].",
            "[The security review|Compliance review] [stalled|went badly]; [data protection|how you handle our data] "
            "[is a sticking point|worries our lawyers].",
        ),
    ),
    "Future advancements and scalability": SubtopicWords(
        "roadmap and growth",
        (
            "[How do you see|What do you think of] [our roadmap|the platform scaling|growth on the platform] "
            "[as you add sites|over the next few years|as you grow]?",
            "[Let's talk about|I'd like to cover] [the roadmap|scalability|how this grows with you][ for a moment|].",
        ),
        (
            "[The roadmap|Your roadmap] [looks strong|is encouraging], and it should scale [with us|to our "
            "growth] [without trouble|comfortably].",
            "[We like|I'm impressed by] [where the product is heading|the roadmap]; [it will grow with us|scaling "
            "to more sites looks easy].",
        ),
        (
            "[We doubt|I'm not convinced] it will [scale|grow] [with us|to our size|as we add sites]; the "
            "[roadmap|future plans] [look thin|feel vague].",
            "[The roadmap|Your future plans] [worries|concerns] us; [we'll outgrow it|it won't keep up with our growth]"
            "[ quickly| in a year|].",
        ),
    ),
}

_SALES_OPENINGS = (
    "[Thanks for joining|Thanks for making the time|Good to speak again|Thanks for hopping on], {contact}[ —|;|, and] "
    "[I wanted to|I'd like to|let's|today I'd like to] [check in on|go through|hear] how you [see|feel about|are "
    "thinking about] the {product} [proposal|offer|quote].",
)
_SALES_REPLIES = (
    "[Sure|Happy to|Of course|Glad to], [we've|I've] [had a look|gone through it|discussed it internally]"
    "[ with the team| this week| in detail|][ and I have notes| and there's a lot to cover|].",
)
_SALES_COMPETITOR = (
    "[We're comparing|We're weighing|We're also evaluating] [you|your offer|your proposal] [with|against] "
    "{competitor} [before we decide|this month|right now].",
    "[For transparency|Just so you know|To be fair to you], {competitor} [is also bidding|sent a proposal too|is in "
    "the running][ for this|].",
)
_SALES_CLOSINGS = (
    "[Understood|Thanks for the candour|Really useful feedback|That's helpful], I'll [follow up|come back to you|get "
    "back to you] with [answers|options|a revised plan] [this week|in a few days|by Friday][ on each point|].",
)
_SALES_GOODBYES = (
    "[Sounds good|Great|Thanks|Works for me|Perfect][, talk soon|, speak then|, thanks again| —  bye for now|]"
    "[, {agent_first}|][ and have a good [day|week]|].",
)


def opportunity_call(
    r: random.Random,
    agent: str,
    contact: str,
    product: str,
    subtopics: tuple[tuple[str, bool], ...],
    competitor: str | None,
) -> str:
    """A sales call about an opportunity: the agent raises each subtopic in turn and the customer reacts to it
    (positive when its flag is True); a competitor, when there is one, comes up once."""

    def say(who: str, templates: tuple[str, ...], **fields: str) -> str:
        return f"{who}: " + pick(r, templates, **fields)

    lines = [say(agent, _SALES_OPENINGS, contact=contact, product=product), say(contact, _SALES_REPLIES)]
    for topic, positive in subtopics:
        words = SUBTOPICS[topic]
        lines.append(say(agent, words.raise_it))
        rival = competitor or r.choice(("another vendor", "the other bidder", "a rival"))
        lines.append(say(contact, words.positive if positive else words.negative, rival=rival))
    if competitor:
        lines.insert(r.randint(2, len(lines)), say(contact, _SALES_COMPETITOR, competitor=competitor))
    lines += [say(agent, _SALES_CLOSINGS), say(contact, _SALES_GOODBYES, agent_first=agent.split()[0])]
    return "\n".join(lines)
