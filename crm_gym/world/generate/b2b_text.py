"""Word lists and prose templates of the B2B org: products, issues, articles, calls, chats and emails.

Everything here is written for crm_gym. Functions take a seeded ``random.Random`` (derived from the org's
numpy generator) and return strings, so the same seed always gives the same text.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from crm_gym.world.generate.policies import (
    BantPolicy,
    ConfigRule,
    DiscountRule,
    OrgPolicies,
    RoutingPolicy,
    ServiceRule,
    StageGuide,
)


@dataclass(frozen=True)
class CategoryTheme:
    """A product category: how its products are named and described, and what customers ask about."""

    name: str
    phrase: str  # what a customer calls such a product ("power optimization manager")
    stems: tuple[str, ...]
    suffixes: tuple[str, ...]
    topics: tuple[tuple[str, str], ...]  # (question topic, one-sentence answer)


CATEGORIES: tuple[CategoryTheme, ...] = (
    CategoryTheme(
        "Networking Hardware",
        "enterprise router",
        ("Router", "Switch", "Mesh"),
        ("X200", "X400", "Edge", "Pro"),
        (
            ("handle traffic spikes", "It balances load across uplinks automatically to absorb sudden traffic."),
            ("support VLAN segmentation", "Up to 4,094 VLANs can be defined and isolated per port."),
        ),
    ),
    CategoryTheme(
        "Power Management",
        "power optimization manager",
        ("Power", "Volt", "Grid"),
        ("Manager", "Optimizer", "Max"),
        (
            ("reduce energy waste", "It schedules idle components into low-power states based on usage patterns."),
            ("report consumption", "Dashboards show consumption per device in 15-minute intervals."),
        ),
    ),
    CategoryTheme(
        "Security Software",
        "endpoint security suite",
        ("Vault", "Shield", "Guard"),
        ("Suite", "Defender", "360"),
        (
            (
                "protect data in regulated sectors",
                "Because breaches in finance and health carry severe penalties, "
                "it enforces encryption at rest and in transit.",
            ),
            ("secure remote access", "It combines multi-factor authentication with device posture checks."),
        ),
    ),
    CategoryTheme(
        "Data Analytics",
        "analytics platform",
        ("Analytics", "Insight", "Metric"),
        ("Pro", "Studio", "Cloud"),
        (
            ("forecast demand", "It fits seasonal models to historical sales and flags anomalies weekly."),
            ("connect data sources", "Connectors cover SQL databases, spreadsheets and REST APIs out of the box."),
        ),
    ),
    CategoryTheme(
        "Design Software",
        "cloud-based design program",
        ("Forge", "Draft", "Canvas"),
        ("Designer", "CAD", "Studio"),
        (
            (
                "simulate early designs",
                "An AI assistant simulates early design phases to surface issues before prototyping.",
            ),
            ("share projects", "Projects sync to the cloud so teams can co-edit with version history."),
        ),
    ),
    CategoryTheme(
        "Circuit Simulation",
        "circuit simulation tool",
        ("Cirku", "Spice", "Logic"),
        ("Tech", "Sim", "Lab"),
        (
            ("model signal integrity", "It runs transient and frequency-domain analyses on imported layouts."),
            ("validate thermal limits", "Thermal maps are computed per component under the declared load."),
        ),
    ),
    CategoryTheme(
        "IoT Platforms",
        "IoT integration platform",
        ("Connect", "Sense", "Link"),
        ("Hub", "Gateway", "Fleet"),
        (
            ("secure IoT devices", "Robust encryption and compliance checks protect every device connection."),
            ("scale device fleets", "Devices are onboarded in bulk with certificate-based provisioning."),
        ),
    ),
    CategoryTheme(
        "High-Performance Computing",
        "HPC cluster manager",
        ("Compute", "Quantum", "Cluster"),
        ("Engine", "Scheduler", "Core"),
        (
            ("speed up complex workloads", "Jobs are parallelised across nodes to cut time to result."),
            ("use quantum acceleration", "Qubit-based parallelism speeds up selected optimisation problems."),
        ),
    ),
    CategoryTheme(
        "Storage Systems",
        "storage array",
        ("Store", "Archive", "Flash"),
        ("Array", "Vault", "Node"),
        (
            ("protect against disk failure", "Data is striped with dual parity so two disks can fail safely."),
            ("tier cold data", "Rarely used files move to cheaper tiers after 90 days by default."),
        ),
    ),
    CategoryTheme(
        "Collaboration Software",
        "team collaboration workspace",
        ("Sync", "Team", "Flow"),
        ("Workspace", "Board", "Connect"),
        (
            ("keep remote teams aligned", "Shared boards and threaded updates keep every task visible."),
            ("control guest access", "Guests see only the boards they are invited to, with expiry dates."),
        ),
    ),
    CategoryTheme(
        "Embedded Systems",
        "embedded development kit",
        ("Embed", "Micro", "Chip"),
        ("Kit", "Board", "Dev"),
        (
            ("debug firmware", "On-board probes allow step debugging without extra hardware."),
            ("update firmware remotely", "Signed over-the-air updates roll back automatically on failure."),
        ),
    ),
    CategoryTheme(
        "AI Services",
        "AI model service",
        ("Neuro", "Cortex", "Synapse"),
        ("AI", "Engine", "Assist"),
        (
            ("keep models accurate", "Models are retrained monthly on validated production data."),
            ("explain predictions", "Each prediction comes with the top contributing features."),
        ),
    ),
)

BRANDS = ("Opti", "Secure", "Nex", "Hyper", "Smart", "Vertex", "Flux", "Apex", "Omni", "Pulse", "Astra", "Ion", "Zen")
NEAR_DUPLICATE_SUFFIXES = ("Plus", "Lite", "2.0", "Max", "Pro")

ISSUES: tuple[tuple[str, str], ...] = (
    ("Installation Failure", "The product cannot be installed or set up on the customer's environment."),
    ("Firmware Update Fails", "A firmware or software update stops part-way or leaves the product unusable."),
    ("Slow Performance", "The product responds much more slowly than specified."),
    ("License Activation Error", "The license key is rejected or the product stays in trial mode."),
    ("Missing Notifications", "Alerts or feature-update notifications do not reach the customer."),
    ("Data Sync Failure", "Data does not synchronise between devices, sites or the cloud."),
    ("Overheating", "The hardware runs hot and throttles or shuts down."),
    ("Connectivity Drops", "The product loses its network connection intermittently."),
    ("Billing Discrepancy", "The invoice does not match the quoted or ordered amount."),
    ("Integration API Errors", "Calls to the product's API fail or return unexpected errors."),
    ("Login Problems", "Users cannot sign in or are logged out repeatedly."),
    ("Incorrect Reports", "Dashboards or reports show numbers that do not match the source data."),
    ("Hardware Defect", "A physical component arrived damaged or failed early."),
    ("Compatibility Issue", "The product does not work with the customer's existing systems."),
    ("Configuration Loss", "Settings are lost after a restart or update."),
    ("Security Alert False Positive", "Legitimate activity is flagged and blocked as a threat."),
    ("Memory Leak", "Memory use grows until the product crashes."),
    ("Export Failure", "Exports to files or other systems fail or come out corrupted."),
    ("Documentation Gap", "The documentation does not explain a needed feature."),
    ("Delivery Delay", "The shipment arrived later than promised."),
)

_SYMPTOM_DETAIL = (
    "This has happened several times this week.",
    "It started right after our last maintenance window.",
    "Our team has tried restarting without success.",
    "It is blocking work for a dozen of our engineers.",
    "We need this resolved before our quarter-end deadline.",
    "The problem appears only on some of our sites.",
)
_PURPOSES = (
    "our production line",
    "our electronics development projects",
    "our regional offices",
    "customer-facing services",
    "internal reporting",
    "our research team",
)

STAGE_ACTIVITY_POOL: dict[str, tuple[str, ...]] = {
    "Qualification": (
        "Research prospect background",
        "Send introductory email",
        "Make initial contact call",
        "Schedule discovery meeting",
        "Follow up on trade show contact",
        "Verify company size and industry",
    ),
    "Discovery": (
        "Analyze prospect industry and competitors",
        "Document pain points and objectives",
        "Run needs assessment workshop",
        "Map solution fit to requirements",
        "Interview technical stakeholders",
        "Identify decision makers",
    ),
    "Quote": (
        "Prepare tailored proposal",
        "Build pricing quote",
        "Present solution demo",
        "Send quote for internal approval",
        "Answer proposal questions",
        "Share customer references",
    ),
    "Negotiation": (
        "Review contract terms with legal",
        "Negotiate pricing and discounts",
        "Address final objections",
        "Align on implementation timeline",
        "Confirm procurement requirements",
        "Agree on payment terms",
    ),
    "Closed": (
        "Send signed contract to finance",
        "Hand off to onboarding team",
        "Schedule kickoff meeting",
        "Conduct win-loss review",
        "Send thank-you note to sponsor",
        "Archive deal documents",
    ),
}

DECISION_TITLES = ("CEO", "CFO", "CTO", "COO", "VP of Operations", "VP of Engineering", "Head of IT", "Owner")
NON_DECISION_TITLES = (
    "IT Specialist",
    "Procurement Analyst",
    "Project Coordinator",
    "Operations Associate",
    "Systems Administrator",
    "Engineer",
)
PAINS = (
    "constant downtime in our plant network",
    "reports that take days to compile by hand",
    "energy bills that grew 30 percent last year",
    "security audits we keep failing",
    "design reviews that slip every sprint",
    "a device fleet we can no longer monitor",
)

INSIGHT_SUBTOPICS: dict[str, tuple[str, str]] = {
    "Business problems and pain points": (
        "Your team really understood the problems we face every day.",
        "I don't think your solution addresses the problems we actually have.",
    ),
    "Pricing and competitive analysis": (
        "The pricing is fair compared with what else we have seen.",
        "Frankly, the price is well above what {competitor} offered us.",
    ),
    "Implementation process and support": (
        "The rollout plan looks clear and your support team was responsive.",
        "We're worried the implementation will drag on and support will be slow.",
    ),
    "Product features and capabilities": (
        "The feature set covers everything on our list.",
        "Several features we need are missing or half-finished.",
    ),
    "Timeline and next steps": (
        "The proposed timeline works well for us.",
        "The delivery timeline is too slow for our plans.",
    ),
}

CONFIDENTIAL_TOPICS: tuple[tuple[str, str], ...] = (
    ("Partner Margin Schedule", "Channel partners receive {a}% margin on hardware and {b}% on software renewals."),
    (
        "Installation Crew Rates",
        "On-site installation takes {a} hours per 10 units and is billed internally at ${b} per hour.",
    ),
    (
        "Pricing Floor Guidance",
        "Sales may not go below {a}% of list price without VP sign-off; the cost basis is {b}% of list.",
    ),
    (
        "Late Competing Offers Playbook",
        "If a competitor's offer arrives after our quote, match up to {a}% and escalate within {b} hours.",
    ),
    ("Headcount Plan", "Support will add {a} agents next quarter; {b} sales roles stay frozen."),
    ("Vendor Contract Terms", "Our component supplier contract renews at a {a}% increase with {b} days' notice."),
)


def slug(text: str) -> str:
    """A URL slug of a title."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def money(amount: float) -> str:
    """Dollars with thousands separators and no cents."""
    return f"${amount:,.0f}"


# -- policy articles --------------------------------------------------------------------------------------------


def discount_article(rule: DiscountRule) -> tuple[str, str, str]:
    """Title, summary and body of a quote-approval article."""
    if rule.below_quantity is None:
        return (
            "Quote Approval: Maximum Line Discount",
            f"No quote line may carry a discount above {rule.max_discount:g}%.",
            f"Every quote line item must have a discount of at most {rule.max_discount:g} percent. A quote with any "
            "line above this limit cannot be approved and must be revised before it is presented to the customer.",
        )
    return (
        "Quote Approval: Small Order Discounts",
        f"Lines under {rule.below_quantity} units may not be discounted above {rule.max_discount:g}%.",
        f"Volume discounts are earned by volume. A quote line ordering fewer than {rule.below_quantity} units may "
        f"carry a discount of at most {rule.max_discount:g} percent; larger discounts require at least "
        f"{rule.below_quantity} units on that line.",
    )


def config_article(rule: ConfigRule, names: dict[str, str]) -> tuple[str, str, str]:
    """Title, summary and body of an invalid-configuration article."""
    product = names[rule.product_id]
    if rule.kind == "requires":
        other = names[rule.other_product_id or ""]
        return (
            f"Configuration Rule: {product} Requires {other}",
            f"{product} can only be sold together with {other}.",
            f"{product} depends on {other} to operate. A quote that includes {product} must also include {other}; "
            "quoting it alone is an invalid configuration.",
        )
    if rule.kind == "excludes":
        other = names[rule.other_product_id or ""]
        return (
            f"Configuration Rule: {product} Is Incompatible With {other}",
            f"{product} and {other} may not be quoted together.",
            f"{product} and {other} conflict when deployed side by side. A quote containing both products is an "
            "invalid configuration and must be split or revised.",
        )
    return (
        f"Configuration Rule: {product} Quantity Limit",
        f"At most {rule.limit} units of {product} per quote line.",
        f"Because of supply and licensing limits, a single quote line may include at most {rule.limit} units of "
        f"{product}. Larger orders must be reviewed by operations first.",
    )


def bant_article(policy: BantPolicy) -> tuple[str, str, str]:
    """The lead-qualification (BANT) guide."""
    titles = ", ".join(policy.decision_titles)
    return (
        "Lead Qualification Guide (BANT)",
        "A lead qualifies only when Budget, Authority, Need and Timeline are all met in the latest call.",
        "Judge a lead on the most recent call transcript.\n"
        f"- Budget: the lead has at least {money(policy.min_budget)} available for the purchase.\n"
        f"- Authority: the person we speak to can approve the purchase (titles such as {titles}).\n"
        "- Need: the lead describes a concrete business problem our products solve.\n"
        f"- Timeline: the lead plans to buy within {policy.max_timeline_months} months.\n"
        "Every factor that is not met is a reason the lead cannot be qualified yet.",
    )


def stage_article(guide: StageGuide) -> tuple[str, str, str]:
    """The opportunity stage definitions guide."""
    lines = []
    for stage, subjects in guide.activities.items():
        lines.append(f"{stage}:")
        lines.extend(f"  - {s}" for s in subjects)
    return (
        "Opportunity Stage Definitions",
        "Which activities belong to each opportunity stage.",
        "An opportunity's stage should match the work being done on it. Activities typical of each stage:\n"
        + "\n".join(lines),
    )


def lead_routing_article(policy: RoutingPolicy) -> tuple[str, str, str]:
    """The lead routing policy."""
    return (
        "Lead Routing Policy",
        "New leads go to an agent of the territory covering the lead's state.",
        "1. Territory: find the territory whose description lists the lead's state.\n"
        f"2. Quote success: among that territory's agents, pick the one with the most quotes in status "
        f"'{policy.counted_status}' on opportunities they own.\n"
        "3. Workload: if still tied, pick the agent with the fewest unconverted leads.",
    )


def case_routing_article(policy: RoutingPolicy) -> tuple[str, str, str]:
    """The case routing policy."""
    return (
        "Case Routing Policy",
        "New cases go to the agent with the most relevant expertise and the lightest workload.",
        "1. Issue expertise: the agent who closed the most cases of the issue most similar to the new case.\n"
        "2. Product expertise: if tied, the agent who closed the most cases about the same product.\n"
        f"3. Workload: if still tied, the agent with the fewest cases whose status is not '{policy.counted_status}'.",
    )


def service_article(rule: ServiceRule) -> tuple[str, str, str]:
    """A rule of conduct for support agents."""
    if rule.kind == "refund_window":
        return (
            "Refund Eligibility Window",
            f"Refunds are only allowed within {rule.limit} days of purchase.",
            f"Agents may approve a refund only when the purchase is at most {rule.limit} days old. For older "
            "purchases, offer troubleshooting or a repair instead.",
        )
    if rule.kind == "goodwill_credit":
        return (
            "Goodwill Credit Limits",
            f"Agents may offer at most {money(rule.limit)} in goodwill credit per case.",
            f"To make up for an inconvenience an agent may offer a goodwill credit of up to {money(rule.limit)} per "
            "case. Larger amounts need a manager's approval before they are promised.",
        )
    return (
        "Customer Identity Verification",
        "Verify the caller's identity before sharing any account or contact details.",
        "Before disclosing a phone number, email address or postal address on file, the agent must verify the "
        "customer's identity with the account's security question. Never read out details to an unverified person.",
    )


def policy_articles(policies: OrgPolicies, names: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    """Article id -> (title, summary, body) for every policy article."""
    articles = {r.article_id: discount_article(r) for r in policies.quote_approval}
    articles.update({r.article_id: config_article(r, names) for r in policies.invalid_configs})
    articles[policies.bant.article_id] = bant_article(policies.bant)
    articles[policies.stage_guide.article_id] = stage_article(policies.stage_guide)
    articles[policies.lead_routing.article_id] = lead_routing_article(policies.lead_routing)
    articles[policies.case_routing.article_id] = case_routing_article(policies.case_routing)
    articles.update({r.article_id: service_article(r) for r in policies.service_rules})
    return articles


def faq_article(r: random.Random, product: str, theme: CategoryTheme) -> tuple[str, str, str]:
    """A public product FAQ: the title asks, the summary answers in one sentence, the body elaborates."""
    topic, answer = r.choice(theme.topics)
    body = (
        f"{product} is our {theme.phrase}. Customers often ask how it can {topic}. {answer} "
        f"See the {product} administration guide for step-by-step instructions, or contact support."
    )
    return f"How does {product} {topic}?", answer, body


def confidential_article(r: random.Random, index: int) -> tuple[str, str, str]:
    """An internal article with figures that must never be shared with customers.

    Each product line has its own version of every topic: article ``index`` covers topic
    ``index % len(CONFIDENTIAL_TOPICS)`` for product line ``index // len(CONFIDENTIAL_TOPICS)``.
    """
    topic, template = CONFIDENTIAL_TOPICS[index % len(CONFIDENTIAL_TOPICS)]
    line = CATEGORIES[index // len(CONFIDENTIAL_TOPICS) % len(CATEGORIES)].name
    text = f"{line} line: " + template.format(a=r.randint(3, 40), b=r.randint(5, 90))
    summary = "Confidential. For employees only; never share with customers or partners."
    return f"Internal: {topic} ({line})", summary, text


# -- cases -----------------------------------------------------------------------------------------------------


def case_text(r: random.Random, issue: tuple[str, str], product: str) -> tuple[str, str]:
    """Subject and description of a case about one issue with one product."""
    name, description = issue
    subject = f"{name} on {product}" if r.random() < 0.5 else f"{product}: {name.lower()}"
    body = (
        f"We have been using the {product} for {r.choice(_PURPOSES)}. {description} "
        f"{r.choice(_SYMPTOM_DETAIL)} Please advise."
    )
    return subject, body


# -- calls -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BantFacts:
    """What one call reveals about each BANT factor."""

    budget: int
    title: str
    has_authority: bool
    need: str | None
    timeline_months: int
    competitor: str | None


def bant_call(r: random.Random, agent: str, lead: str, company: str, facts: BantFacts) -> str:
    """A qualification call transcript revealing the four BANT facts (in a random order)."""
    boss = r.choice(DECISION_TITLES[:4])
    parts = [
        [f"{lead}: Our budget for this is {money(facts.budget)} this year."]
        if facts.budget
        else [f"{lead}: To be honest we have no budget set aside for this yet."],
        [f"{lead}: As {facts.title} I sign off on purchases like this myself."]
        if facts.has_authority
        else [f"{lead}: I'm the {facts.title}; I'd need our {boss} to approve any spend."],
        [f"{lead}: Our main problem is {facts.need}."]
        if facts.need
        else [f"{lead}: Things work fine for us right now; we're mostly curious about what's out there."],
        [f"{lead}: We'd want a solution in place within {facts.timeline_months} months."],
    ]
    questions = [
        f"{agent}: What budget are you working with?",
        f"{agent}: Who would approve a purchase like this?",
        f"{agent}: What challenges are you trying to solve?",
        f"{agent}: When are you looking to have something running?",
    ]
    order = list(range(4))
    r.shuffle(order)
    lines = [
        f"{agent}: Thanks for taking my call. I'm with the sales team; is now still a good time?",
        f"{lead}: Sure, I have a few minutes. I'm at {company}.",
    ]
    for i in order:
        lines.append(questions[i])
        lines.extend(parts[i])
    if facts.competitor:
        lines.append(f"{lead}: Just so you know, we're also talking to {facts.competitor}.")
    lines.append(f"{agent}: That's helpful. I'll send a summary and next steps by email.")
    return "\n".join(lines)


def opportunity_call(
    r: random.Random, agent: str, contact: str, product: str, sentiments: dict[str, bool], competitor: str | None
) -> str:
    """A sales call about an opportunity: one line per discussed subtopic, positive or negative."""
    lines = [f"{agent}: Thanks for joining. I wanted to check in on how you see the {product} proposal."]
    for topic, positive in sentiments.items():
        good, bad = INSIGHT_SUBTOPICS[topic]
        line = good if positive else bad
        lines.append(f"{agent}: How do you feel about {topic.lower()}?")
        lines.append(f"{contact}: " + line.format(competitor=competitor or "another vendor"))
    if competitor:
        lines.append(f"{contact}: We're comparing you with {competitor} before we decide.")
    lines.append(f"{agent}: Understood. I'll follow up with answers this week.")
    return "\n".join(lines)


# -- chats and emails ------------------------------------------------------------------------------------------


def support_chat(
    r: random.Random,
    agent: str,
    customer: str,
    product: str,
    issue: str,
    rule: ServiceRule | None,
    violate: bool,
    purchase_age_days: int,
    contact_phone: str,
) -> str:
    """A support chat; with a rule it raises that rule's situation, handled within it or (``violate``) not."""
    lines = [
        f"{customer}: Hi, I'm having trouble with my {product}: {issue.lower()}.",
        f"{agent}: Sorry to hear that. Let me look into it for you.",
    ]
    if rule is None:
        lines += [
            f"{agent}: Could you restart the device and tell me if the problem persists?",
            f"{customer}: It still happens after a restart.",
            f"{agent}: Thanks. I've logged the details and escalated to our engineers; you'll hear back soon.",
        ]
    elif rule.kind == "refund_window":
        lines.append(f"{customer}: I bought it {purchase_age_days} days ago and would like a refund.")
        if violate or purchase_age_days <= rule.limit:
            lines.append(f"{agent}: No problem, I've approved a full refund for your order.")
        else:
            lines.append(f"{agent}: That purchase is outside our refund window, but I can arrange a repair.")
    elif rule.kind == "goodwill_credit":
        credit = rule.limit + r.randint(50, 400) if violate else max(25, rule.limit - r.randint(0, rule.limit // 2))
        lines += [
            f"{customer}: This outage cost us a full day of work.",
            f"{agent}: I understand. I can offer you a goodwill credit of {money(credit)} on your account.",
        ]
    elif violate:
        lines += [
            f"{customer}: Can you tell me the phone number you have on file for our account?",
            f"{agent}: Sure, the number on file is {contact_phone}.",
        ]
    else:
        lines += [
            f"{customer}: Can you tell me the phone number you have on file for our account?",
            f"{agent}: Before I share any details, please answer your account's security question.",
        ]
    lines.append(f"{customer}: Thanks for your help.")
    return "\n".join(lines)


def case_email(r: random.Random, customer: str, product: str, issue: str, incoming: bool) -> tuple[str, str]:
    """Subject and body of an email on a case, from the customer or from support."""
    if incoming:
        return (
            f"Problem with {product}",
            f"Hello,\n\nWe are seeing {issue.lower()} with our {product}. {r.choice(_SYMPTOM_DETAIL)}\n\n"
            f"Regards,\n{customer}",
        )
    return (
        f"RE: Problem with {product}",
        f"Dear {customer},\n\nThank you for reporting the {issue.lower()} on your {product}. Our team is "
        "investigating and will update you within two business days.\n\nBest regards,\nCustomer Support",
    )


def opportunity_email(r: random.Random, contact: str, agent: str, product: str) -> tuple[str, str]:
    """Subject and body of a sales follow-up email on an opportunity."""
    topic = r.choice(("the proposal", "pricing", "next steps", "the demo", "the implementation plan"))
    return (
        f"Follow-up on {topic} for {product}",
        f"Hi {contact},\n\nThank you for your time today. As discussed, I'm sharing more detail on {topic} for "
        f"{product}. Let me know if you have questions.\n\nBest,\n{agent}",
    )
