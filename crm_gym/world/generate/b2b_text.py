"""Word lists and policy articles of the B2B org: products, issues, stage activities, titles, and the articles
stating each policy.

Everything here is written for crm_gym. Calls are in `b2b_calls`, product FAQs in `b2b_faq`, cases, chats and
e-mails in `b2b_service_text`.
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
    """A product category: how its products are named and described (its FAQ topics: `b2b_faq.FAQ_TOPICS`)."""

    name: str
    phrase: str  # what a customer calls such a product ("power optimization manager")
    stems: tuple[str, ...]
    suffixes: tuple[str, ...]


CATEGORIES: tuple[CategoryTheme, ...] = (
    CategoryTheme(
        "Networking Hardware", "enterprise router", ("Router", "Switch", "Mesh"), ("X200", "X400", "Edge", "Pro")
    ),
    CategoryTheme(
        "Power Management", "power optimization manager", ("Power", "Volt", "Grid"), ("Manager", "Optimizer", "Max")
    ),
    CategoryTheme(
        "Security Software", "endpoint security suite", ("Vault", "Shield", "Guard"), ("Suite", "Defender", "360")
    ),
    CategoryTheme(
        "Data Analytics", "analytics platform", ("Analytics", "Insight", "Metric"), ("Pro", "Studio", "Cloud")
    ),
    CategoryTheme(
        "Design Software", "cloud-based design program", ("Forge", "Draft", "Canvas"), ("Designer", "CAD", "Studio")
    ),
    CategoryTheme("Circuit Simulation", "circuit simulation tool", ("Cirku", "Spice", "Logic"), ("Tech", "Sim", "Lab")),
    CategoryTheme(
        "IoT Platforms", "IoT integration platform", ("Connect", "Sense", "Link"), ("Hub", "Gateway", "Fleet")
    ),
    CategoryTheme(
        "High-Performance Computing",
        "HPC cluster manager",
        ("Compute", "Quantum", "Cluster"),
        ("Engine", "Scheduler", "Core"),
    ),
    CategoryTheme("Storage Systems", "storage array", ("Store", "Archive", "Flash"), ("Array", "Vault", "Node")),
    CategoryTheme(
        "Collaboration Software",
        "team collaboration workspace",
        ("Sync", "Team", "Flow"),
        ("Workspace", "Board", "Connect"),
    ),
    CategoryTheme("Embedded Systems", "embedded development kit", ("Embed", "Micro", "Chip"), ("Kit", "Board", "Dev")),
    CategoryTheme("AI Services", "AI model service", ("Neuro", "Cortex", "Synapse"), ("AI", "Engine", "Assist")),
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


_SERVICE_ARTICLES: dict[str, tuple[str, str, str]] = {
    # kind: (title, summary, body), formatted with the rule's limit as ``limit`` and in dollars as ``money``.
    "refund_window": (
        "Refund Eligibility Window",
        "Refunds are only allowed within {limit} days of purchase.",
        "Agents may approve a refund only when the purchase is at most {limit} days old, counted in calendar days "
        "from the order's effective date to the day of the conversation. For older purchases, offer "
        "troubleshooting or a repair instead.",
    ),
    "goodwill_credit": (
        "Goodwill Credit Limits",
        "Agents may offer at most {money} in goodwill credit per case.",
        "To make up for an inconvenience an agent may offer a goodwill credit of up to {money} per case. Larger "
        "amounts need a manager's approval before they are promised.",
    ),
    "identity_check": (
        "Customer Identity Verification",
        "Verify the caller's identity before sharing any account or contact details.",
        "Before disclosing a phone number, email address or postal address on file, the agent must verify the "
        "customer's identity with the account's security question. Never read out details to an unverified person.",
    ),
    "replacement_warranty": (
        "Hardware Replacement Warranty",
        "Free replacements are only allowed within {limit} days of purchase.",
        "An agent may ship a replacement unit free of charge only when the purchase is at most {limit} days old, "
        "counted in calendar days from the order's effective date to the day of the conversation. After that, "
        "replacements are quoted at list price.",
    ),
    "shipping_fee_waiver": (
        "Expedited Shipping Fee Waivers",
        "Waive the expedited shipping fee only on orders worth at least {money}.",
        "Agents may waive the expedited shipping fee only when the customer's order is worth at least {money}: the "
        "sum over the order's items of quantity times unit price. On smaller orders the fee applies.",
    ),
    "update_promise": (
        "Engineering Update Commitments",
        "Never promise an engineering update sooner than {limit} hours.",
        "Engineering needs time to reproduce a problem. When escalating, an agent may promise the customer an "
        "update within {limit} hours or later, never sooner.",
    ),
    "password_request": (
        "Password Handling",
        "Never ask a customer for their password.",
        "Agents must never ask a customer to share a password, in a chat, an e-mail or on the phone. To restore "
        "access, send the customer a password reset link instead.",
    ),
    "remote_session_consent": (
        "Remote Session Consent",
        "Connect to a customer's system only after they explicitly agree.",
        "Before starting a remote session on a customer's computer or server, the agent must ask for and receive "
        "the customer's explicit consent in the conversation.",
    ),
    "competitor_remarks": (
        "Comments on Competitors",
        "Never criticise or disparage a competitor's products.",
        "Agents must not criticise competitors or their products. When a customer asks about a competitor, say "
        "that we do not comment on other companies' products and return to the customer's problem.",
    ),
}


def service_article(rule: ServiceRule) -> tuple[str, str, str]:
    """A rule of conduct for support agents."""
    title, summary, body = _SERVICE_ARTICLES[rule.kind]
    fields = {"limit": rule.limit, "money": money(rule.limit)}
    return title, summary.format(**fields), body.format(**fields)


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
