"""The org's policies as data: drawn from the seed, written into knowledge articles, readable back by code.

Task generators compute gold answers from the database plus these models: `org_policies(world)` returns the
rules the knowledge articles state (with the article ids), `org_planted(world)` the structures the generator
planted on purpose (wrong stages, policy-breaking quotes and chats, case spikes, near-duplicate products).
Both live in the world's internal ``_meta`` table, which agents never see.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_gym.errors import MissingOrgMetadataError
from crm_gym.world.ddl import META_TABLE
from crm_gym.world.world import World

STAGES: tuple[str, ...] = ("Qualification", "Discovery", "Quote", "Negotiation", "Closed")
BANT_FACTORS: tuple[str, ...] = ("Budget", "Authority", "Need", "Timeline")

META_TODAY = "today"
META_POLICIES = "policies"
META_PLANTED = "planted"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuoteLine(_Frozen):
    """The part of a quote line the policies look at."""

    product_id: str
    quantity: float
    discount: float


class DiscountRule(_Frozen):
    """A quote-approval rule: a line's discount may not exceed ``max_discount`` percent.

    With ``below_quantity`` set the rule applies only to lines ordering fewer units than that
    (small orders earn smaller discounts); without it, it applies to every line.
    """

    article_id: str
    max_discount: float
    below_quantity: int | None = None

    def broken_by(self, lines: Iterable[QuoteLine]) -> bool:
        """True when some line breaks the rule."""
        return any(
            line.discount > self.max_discount and (self.below_quantity is None or line.quantity < self.below_quantity)
            for line in lines
        )


class ConfigRule(_Frozen):
    """An invalid product configuration on one quote.

    ``requires``: ``product_id`` may only be quoted together with ``other_product_id``.
    ``excludes``: ``product_id`` and ``other_product_id`` may not be on the same quote.
    ``max_quantity``: no line of ``product_id`` may exceed ``limit`` units.
    """

    article_id: str
    kind: Literal["requires", "excludes", "max_quantity"]
    product_id: str
    other_product_id: str | None = None
    limit: int | None = None

    def broken_by(self, lines: Iterable[QuoteLine]) -> bool:
        """True when the quote's lines form this invalid configuration."""
        lines = list(lines)
        products = {line.product_id for line in lines}
        if self.product_id not in products:
            return False
        if self.kind == "requires":
            return self.other_product_id not in products
        if self.kind == "excludes":
            return self.other_product_id in products
        return any(line.product_id == self.product_id and line.quantity > (self.limit or 0) for line in lines)


class PricedQuoteLine(QuoteLine):
    """A quote line with what the deal-level rules also read: its product's family and its unit price."""

    family: str
    unit_price: float

    @property
    def list_value(self) -> float:
        """Quantity times unit price: the line's value before its discount."""
        return self.quantity * self.unit_price


class QuoteFacts(_Frozen):
    """What the approval and configuration rules read of one quote: its lines, its account's type and the price
    book of its opportunity."""

    lines: tuple[PricedQuoteLine, ...]
    account_type: str | None = None
    pricebook_id: str | None = None

    def overall_discount(self) -> float:
        """The quote's discount in percent (to two decimals), each line weighted by its value before the discount."""
        total = sum(line.list_value for line in self.lines)
        return round(sum(line.list_value * line.discount for line in self.lines) / total, 2) if total else 0.0


class DealDiscountRule(_Frozen):
    """A quote-approval rule that reads more than a line's own discount (a discount equal to the limit is allowed).

    ``family``: no line of a product of ``family`` may carry more than ``max_discount`` percent.
    ``account_type``: on a quote for an account of type ``account_type``, no line may carry more than that.
    ``price_book``: on a quote whose opportunity uses price book ``pricebook_id``, no line may carry more than that.
    ``overall``: the quote's overall discount (`QuoteFacts.overall_discount`) may not exceed ``max_discount``.
    """

    article_id: str
    kind: Literal["family", "account_type", "price_book", "overall"]
    max_discount: float
    family: str | None = None
    account_type: str | None = None
    pricebook_id: str | None = None

    def caps(self, quote: QuoteFacts, line: PricedQuoteLine) -> bool:
        """True when this rule limits the discount of ``line`` of ``quote`` (never for an ``overall`` rule)."""
        if self.kind == "family":
            return line.family == self.family
        if self.kind == "account_type":
            return quote.account_type == self.account_type
        return self.kind == "price_book" and quote.pricebook_id == self.pricebook_id

    def broken_by(self, quote: QuoteFacts) -> bool:
        """True when the quote breaks the rule."""
        if self.kind == "overall":
            return quote.overall_discount() > self.max_discount
        return any(line.discount > self.max_discount and self.caps(quote, line) for line in quote.lines)


class ProductConfigRule(_Frozen):
    """A configuration rule on one product that reads more than which products a quote holds.

    ``requires_family``: ``product_id`` may only be quoted together with some product of ``family``.
    ``min_quantity``: no line of ``product_id`` may order fewer than ``limit`` units.
    """

    article_id: str
    kind: Literal["requires_family", "min_quantity"]
    product_id: str
    family: str | None = None
    limit: int | None = None

    def broken_by(self, quote: QuoteFacts) -> bool:
        """True when the quote's lines form this invalid configuration."""
        mine = [line for line in quote.lines if line.product_id == self.product_id]
        if not mine:
            return False
        if self.kind == "requires_family":
            return not any(line.family == self.family for line in quote.lines if line.product_id != self.product_id)
        return any(line.quantity < (self.limit or 0) for line in mine)


class BantPolicy(_Frozen):
    """What qualifies a lead: each BANT factor the latest call fails is a reason not to qualify it."""

    article_id: str
    min_budget: int
    max_timeline_months: int
    decision_titles: tuple[str, ...]


class StageGuide(_Frozen):
    """Which activities (task subjects) belong to which opportunity stage."""

    article_id: str
    activities: dict[str, tuple[str, ...]]

    def stage_of(self, subject: str) -> str | None:
        """The stage whose activity list holds this task subject."""
        for stage, subjects in self.activities.items():
            if subject in subjects:
                return stage
        return None


class RoutingPolicy(_Frozen):
    """A routing policy article (leads by territory, cases by expertise); the criteria are in its text."""

    article_id: str
    counted_status: str


ServiceRuleKind = Literal[
    "refund_window",
    "goodwill_credit",
    "identity_check",
    "replacement_warranty",
    "shipping_fee_waiver",
    "update_promise",
    "password_request",
    "remote_session_consent",
    "competitor_remarks",
]


class ServiceRule(_Frozen):
    """A rule of conduct for support agents, stated by one article.

    ``refund_window``: no refund for purchases older than ``limit`` days.
    ``goodwill_credit``: no goodwill credit above ``limit`` dollars.
    ``identity_check``: never disclose contact details before verifying the caller.
    ``replacement_warranty``: no free replacement for purchases older than ``limit`` days.
    ``shipping_fee_waiver``: no expedited-shipping waiver on orders worth less than ``limit`` dollars.
    ``update_promise``: never promise an engineering update sooner than ``limit`` hours.
    ``password_request``: never ask a customer for their password.
    ``remote_session_consent``: never connect to a customer's system without their explicit consent.
    ``competitor_remarks``: never criticise a competitor's products.
    (``limit`` is 0 for the rules without a figure.)
    """

    article_id: str
    kind: ServiceRuleKind
    limit: int


class OrgPolicies(_Frozen):
    """Every policy of a generated org, with the id of the knowledge article stating it."""

    today: str
    quote_approval: tuple[DiscountRule, ...]
    invalid_configs: tuple[ConfigRule, ...]
    bant: BantPolicy
    stage_guide: StageGuide
    lead_routing: RoutingPolicy
    case_routing: RoutingPolicy
    service_rules: tuple[ServiceRule, ...]

    deal_discount_rules: tuple[DealDiscountRule, ...] = ()
    more_config_rules: tuple[ConfigRule | ProductConfigRule, ...] = ()

    def approval_violations(self, quote: QuoteFacts) -> tuple[str, ...]:
        """Ids of every quote-approval article the quote breaks: the line rules', then the deal rules'."""
        broken = [r.article_id for r in self.quote_approval if r.broken_by(quote.lines)]
        return (*broken, *(r.article_id for r in self.deal_discount_rules if r.broken_by(quote)))

    def config_violations(self, quote: QuoteFacts) -> tuple[str, ...]:
        """Ids of every configuration article the quote breaks."""
        rules = (*self.invalid_configs, *self.more_config_rules)
        return tuple(
            r.article_id
            for r in rules
            if (r.broken_by(quote) if isinstance(r, ProductConfigRule) else r.broken_by(quote.lines))
        )

    def quote_approval_violation(self, lines: Iterable[QuoteLine]) -> str | None:
        """Id of the first approval article the quote breaks, or None."""
        lines = list(lines)
        return next((r.article_id for r in self.quote_approval if r.broken_by(lines)), None)

    def config_violation(self, lines: Iterable[QuoteLine]) -> str | None:
        """Id of the first configuration article the quote breaks, or None."""
        lines = list(lines)
        return next((r.article_id for r in self.invalid_configs if r.broken_by(lines)), None)


class CallFacts(_Frozen):
    """What one voice call states, as the generator planted it.

    Lead calls: ``bant_failures`` (the factors it fails under the BANT article, in BANT order), ``budget`` (dollars
    available, 0 for none set aside) and ``timeline_months``. Opportunity calls: ``subtopics``, each (topic label,
    True for positive sentiment), in the order the call raises them. Either: the ``competitor`` it names.
    """

    bant_failures: tuple[str, ...] | None = None
    budget: int | None = None
    timeline_months: int | None = None
    subtopics: tuple[tuple[str, bool], ...] = ()
    competitor: str | None = None


class ChatFacts(_Frozen):
    """The service-rule situation a case's chat raises: the rule's article and kind, whether the agent did what
    the rule restricts (``act``: approved the refund, disclosed the number, waived the fee...), whether that broke
    the rule, and the figure it is judged on (purchase age in days, credit or order total in dollars, promised
    hours; 0 for the rules without one). ``verified``: the agent checked the caller's identity first."""

    article_id: str
    kind: ServiceRuleKind
    act: bool
    violated: bool
    figure: float = 0.0
    verified: bool = False


class FaqFacts(_Frozen):
    """What a public product FAQ article answers: its product, the question (completing "how can <product> ...")
    and the canonical fact stating the answer (the gold of a question about it)."""

    product_id: str
    question: str
    fact: str


class PlantedFacts(_Frozen):
    """Structures planted on purpose, so task generators need not re-derive them from prose.

    Keys are record ids. ``None`` values mark deliberate negatives (a checked quote or case that breaks
    nothing); an empty tuple of BANT failures marks a lead that qualifies. ``wrong_stage`` maps an
    opportunity to the stage its activities show; ``case_spikes`` a product to the month ("YYYY-MM") in which
    it had clearly more cases than in any other.
    """

    lead_bant_failures: dict[str, tuple[str, ...]]
    wrong_stage: dict[str, str]
    quote_approval: dict[str, str | None]
    quote_config: dict[str, str | None]
    case_violations: dict[str, str | None]
    case_spikes: dict[str, str]
    near_duplicate_products: tuple[tuple[str, ...], ...]
    confidential_articles: tuple[str, ...]
    competitors: tuple[str, ...]
    quote_near_misses: dict[str, str] = Field(default_factory=dict)
    """Quotes that break no rule but sit exactly at the limit of one (quote id -> that rule's article id): a line
    discounted exactly at a cap, a quantity exactly at a threshold, a required product present."""
    calls: dict[str, CallFacts] = {}
    """Voice call transcript id -> what the call states."""
    chats: dict[str, ChatFacts] = {}
    """Case id -> the service-rule situation its chat raises (cases whose chat raises none are absent)."""
    faq_articles: dict[str, FaqFacts] = {}
    """Public FAQ article id -> what it answers."""


_QUOTE_FACTS_SQL = """
SELECT q."Id", a."Type", o."Pricebook2Id", l."Product2Id", p."Family", l."Quantity", l."UnitPrice", l."Discount"
FROM "Quote" q JOIN "Account" a ON a."Id" = q."AccountId" JOIN "Opportunity" o ON o."Id" = q."OpportunityId"
JOIN "QuoteLineItem" l ON l."QuoteId" = q."Id" JOIN "Product2" p ON p."Id" = l."Product2Id"
{where} ORDER BY q."Id", l."Id"
"""


def quote_facts(world: World, quote_id: str | None = None) -> dict[str, QuoteFacts]:
    """What the approval and configuration rules read of each quote with lines (or of one quote), as stored."""
    lines: dict[str, list[PricedQuoteLine]] = {}
    header: dict[str, tuple[str | None, str | None]] = {}
    where, params = ('WHERE q."Id" = ?', (quote_id,)) if quote_id else ("", ())
    for qid, account_type, book, product, family, quantity, price, discount in world.conn.execute(
        _QUOTE_FACTS_SQL.format(where=where), params
    ):
        header[qid] = (account_type, book)
        lines.setdefault(qid, []).append(
            PricedQuoteLine(
                product_id=product, family=family, quantity=quantity, unit_price=price, discount=discount or 0.0
            )
        )
    return {
        qid: QuoteFacts(lines=tuple(rows), account_type=header[qid][0], pricebook_id=header[qid][1])
        for qid, rows in lines.items()
    }


def _meta(world: World, key: str) -> str:
    value = world.meta(key)
    if value is None:
        raise MissingOrgMetadataError(
            f"This world has no {key!r} metadata: only orgs built by crm_gym's generator carry their policies."
        )
    return value


def write_org_metadata(world: World, today: str, policies: OrgPolicies, planted: PlantedFacts) -> None:
    """Store today's date, the policies and the planted facts in the world's ``_meta`` table."""
    world.conn.executemany(
        f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?, ?)",
        [
            (META_TODAY, today),
            (META_POLICIES, policies.model_dump_json()),
            (META_PLANTED, planted.model_dump_json()),
        ],
    )


def org_today(world: World) -> str:
    """The org's fixed "today" (ISO date): every date in the org lies on or before it."""
    return _meta(world, META_TODAY)


def org_policies(world: World) -> OrgPolicies:
    """The policies the org's knowledge articles state.

    >>> from crm_gym import build_org
    >>> world = build_org("crmarena_pro_b2b", seed=1, scale="tiny")
    >>> policy = org_policies(world).quote_approval[0]
    >>> f"{policy.max_discount:g} percent" in world.get("Knowledge__kav", policy.article_id)["FAQ_Answer__c"]
    True
    """
    return OrgPolicies.model_validate_json(_meta(world, META_POLICIES))


def org_planted(world: World) -> PlantedFacts:
    """The structures the generator planted in the org."""
    return PlantedFacts.model_validate_json(_meta(world, META_PLANTED))
