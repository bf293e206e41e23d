"""Planted deal structures of the B2B org that the quote, stage and routing categories ask about.

`DealPlants` is mixed into the org builder and runs after every other step, each part with a random stream of its
own (``random.Random(f"{seed}:<part>")``), so it shifts no other draw:

- **Quote rules.** Approval rules that read more than a line's discount (a product family's cap, channel
  customers, a price book, the quote's overall discount) and more configuration rules, each stated by a knowledge
  article. Ordinary quotes are brought within them; a few quotes per rule then break exactly that rule, and a few
  sit exactly at a limit without breaking it (`PlantedFacts.quote_near_misses`).
- **Stage mismatches.** Opportunities whose tasks show a stage other than the recorded one, until every stage is
  shown about as often (`PlantedFacts.wrong_stage`), from every other recorded stage.
- **Lead routing.** Small orgs get their territories split so that several agents win one; a colleague at the same
  company as a new lead (another lead record) makes a careless match on the company fail.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from crm_gym.world.generate import b2b_text as text
from crm_gym.world.generate.policies import (
    STAGES,
    ConfigRule,
    DealDiscountRule,
    DiscountRule,
    PricedQuoteLine,
    ProductConfigRule,
    QuoteFacts,
)

Row = dict[str, Any]
QuoteRule = DiscountRule | DealDiscountRule | ConfigRule | ProductConfigRule
# Territories a small org is split into, so that lead routing has several winning agents.
MIN_TERRITORIES = 6
# Names of the territories added by a split (the org's own names come first).
MORE_REGION_NAMES = ("Heartland", "Lakeshore", "Coastal Plains", "High Desert", "River Valley", "Tidewater")
CHANNEL = "Customer - Channel"


# Bodies of the product-family discount articles, one per article of an org, so that none repeats another.
_FAMILY_BODIES = (
    "Margins on the {family} product family are thin. A quote line for a product of that family may carry a "
    "discount of at most {limit} percent, whatever the quantity; exactly {limit} percent is still allowed. Deeper "
    "cuts on these products need a new pricing agreement.",
    "{family} products are priced close to cost, so we hold their discounts down: no quote line for one of them "
    "may be discounted by more than {limit} percent, however many units it orders ({limit} percent itself is fine).",
    "Vendor terms on our {family} line leave little room to move. Any quote line for a {family} product is capped "
    "at a {limit} percent discount; lines at or below the cap are approved as usual.",
)


def deal_article(rule: DealDiscountRule, book_name: str, variant: int = 0) -> tuple[str, str, str]:
    """Title, summary and body of a deal-level quote-approval article (``variant`` picks a family article's body)."""
    limit = f"{rule.max_discount:g}"
    if rule.kind == "family":
        return (
            f"Quote Approval: {rule.family} Discounts",
            f"{rule.family} products may not be discounted above {limit}% on any quote line.",
            _FAMILY_BODIES[variant % len(_FAMILY_BODIES)].format(family=rule.family, limit=limit),
        )
    if rule.kind == "account_type":
        return (
            "Quote Approval: Channel Customer Discounts",
            f"Quotes for channel customers may carry at most {limit}% discount per line.",
            f"Accounts of type '{rule.account_type}' already buy at partner terms. On a quote for such an account, "
            f"no line may be discounted by more than {limit} percent (a line at exactly {limit} percent is fine).",
        )
    if rule.kind == "price_book":
        return (
            f"Quote Approval: {book_name} Quotes",
            f"Opportunities priced from the {book_name} allow at most {limit}% line discount on their quotes.",
            f"The {book_name} holds prices already negotiated below list. When a quote's opportunity is priced from "
            f"that book, each quote line may take a further discount of no more than {limit} percent.",
        )
    return (
        "Quote Approval: Overall Quote Discount",
        f"A quote's overall discount may not exceed {limit}%.",
        "Look at the quote as a whole: weigh each line's discount by the line's value before discount (quantity "
        f"times unit price). That weighted discount may not be above {limit} percent, even when every single line "
        "is within its own limit.",
    )


def product_config_article(rule: ProductConfigRule, product: str) -> tuple[str, str, str]:
    """Title, summary and body of a configuration article on one product and a family or a minimum quantity."""
    if rule.kind == "requires_family":
        return (
            f"Configuration Rule: {product} Needs a {rule.family} Product",
            f"{product} may only be quoted together with at least one {rule.family} product.",
            f"{product} is installed on top of our {rule.family} line. A quote that includes {product} must also "
            f"include some product of the {rule.family} family (any one will do); otherwise the configuration is "
            "invalid.",
        )
    return (
        f"Configuration Rule: {product} Minimum Order",
        f"{product} is sold in lots of at least {rule.limit} units per quote line.",
        f"Licensing for {product} starts at {rule.limit} units. A quote line for {product} with fewer than "
        f"{rule.limit} units is an invalid configuration; {rule.limit} units or more are fine.",
    )


class DealPlants:
    """The planting steps of this module, as methods of the org builder (`_B2bOrg`), which provides the rows, ids,
    policies and planted facts they extend."""

    rows: dict[str, list[Row]]
    planted: dict[str, Any]

    def plant_deals(self) -> None:
        """Add the quote rules and their quotes, the stage mismatches and the routing structures."""
        self._more_quote_rules()
        self._plant_quotes_for_new_rules()
        self._plant_stage_mismatches()
        self._split_territories()
        self._tie_territory_leaders()
        self._colleague_leads()

    def _today(self) -> dt.date:
        return dt.date.fromisoformat(self.policy.today)

    # -- quote rules ------------------------------------------------------------------------------------------------

    def _more_quote_rules(self) -> None:
        r = random.Random(f"{self.seed}:quote-rules")
        general, small = self.policy.quote_approval
        low, high = int(small.max_discount) + 2, int(general.max_discount) - 3
        families = sorted(theme.name for theme in text.CATEGORIES)
        specs: list[dict[str, Any]] = [{"kind": "family", "family": f} for f in r.sample(families, 3)]
        specs += [
            {"kind": "account_type", "account_type": CHANNEL},
            {"kind": "price_book", "pricebook_id": self.pricebooks[1]},
            {"kind": "overall"},
        ]
        # The overall cap sits in the upper half of the range, so one deep line among others stays within it.
        deal_rules = tuple(
            DealDiscountRule(
                article_id=self.new_ids("Knowledge__kav", 1)[0],
                max_discount=r.randint((low + high) // 2 if s["kind"] == "overall" else low, high),
                **s,
            )
            for s in specs
        )
        # New configuration rules name products that ordinary quotes rarely hold and no other rule names.
        in_quotes = Counter(line["Product2Id"] for line in self.rows["QuoteLineItem"])
        base = self.product_ids[: len(self.product_ids) - len(self.near_duplicates)]
        free = sorted((p for p in base if p not in self.rule_products), key=lambda p: (in_quotes[p], p))
        free = free[: max(7, len(free) // 2)]
        r.shuffle(free)
        kinds = [k for k in ("max_quantity", "min_quantity", "requires_family", "requires", "excludes")]
        while sum(1 + (k in ("requires", "excludes")) for k in kinds) > len(free):
            kinds.pop()
        chosen = {k: [free.pop() for _ in range(1 + (k in ("requires", "excludes")))] for k in kinds}
        self.new_rule_products = {p for products in chosen.values() for p in products}
        named = self.rule_products | self.new_rule_products
        # The family a product needs has products no rule names (so a quote can satisfy the rule).
        partners = sorted({self.product_theme[p].name for p in self.product_ids if p not in named})
        more: list[ConfigRule | ProductConfigRule] = []
        for kind, (product, *other) in chosen.items():
            article = self.new_ids("Knowledge__kav", 1)[0]
            if kind == "min_quantity":
                more.append(ProductConfigRule(article_id=article, kind=kind, product_id=product, limit=5))
            elif kind == "requires_family":
                family = r.choice([f for f in partners if f != self.product_theme[product].name])
                more.append(ProductConfigRule(article_id=article, kind=kind, product_id=product, family=family))
            else:
                limit = r.choice((40, 60)) if kind == "max_quantity" else None
                more.append(
                    ConfigRule(
                        article_id=article,
                        kind=kind,
                        product_id=product,
                        other_product_id=next(iter(other), None),
                        limit=limit,
                    )
                )
        self.policy = self.policy.model_copy(
            update={"deal_discount_rules": deal_rules, "more_config_rules": tuple(more)}
        )
        book_name = next(b["Name"] for b in self.rows["Pricebook2"] if b["Id"] == self.pricebooks[1])
        for k, deal_rule in enumerate(deal_rules):
            self._policy_article(r, deal_rule.article_id, deal_article(deal_rule, book_name, k))
        for rule in more:
            if isinstance(rule, ProductConfigRule):
                parts = product_config_article(rule, self.product_name[rule.product_id])
            else:
                parts = text.config_article(rule, self.product_name)
            self._policy_article(r, rule.article_id, parts)

    def _policy_article(self, r: random.Random, article_id: str, parts: tuple[str, str, str]) -> None:
        title, summary, body = parts
        created = dt.datetime.combine(self._today() - dt.timedelta(days=r.randint(30, 400)), dt.time(10))
        self.rows["Knowledge__kav"].append(
            {
                "Id": article_id,
                "Title": title,
                "Summary": summary,
                "FAQ_Answer__c": body,
                "UrlName": f"{text.slug(title)}-{article_id[-6:]}",
                "IsVisibleInPkb": False,
                "CreatedDate": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )

    def _quote_facts(self, quote: Row, lines: list[Row]) -> QuoteFacts:
        return QuoteFacts(
            lines=tuple(
                PricedQuoteLine(
                    product_id=line["Product2Id"],
                    quantity=line["Quantity"],
                    discount=line["Discount"],
                    family=self.product_theme[line["Product2Id"]].name,
                    unit_price=line["UnitPrice"],
                )
                for line in lines
            ),
            account_type=self.account_by_id[quote["AccountId"]]["Type"],
            pricebook_id=self.opp_by_id[quote["OpportunityId"]]["Pricebook2Id"],
        )

    def _violations(self, quote: Row, lines: list[Row]) -> tuple[str, ...]:
        facts = self._quote_facts(quote, lines)
        return self.policy.approval_violations(facts) + self.policy.config_violations(facts)

    def _plant_quotes_for_new_rules(self) -> None:
        """Bring quotes within the new rules, then break each new rule on a few quotes and sit a few at a limit."""
        r = random.Random(f"{self.seed}:quote-plants")
        quotes = {q["Id"]: q for q in self.rows["Quote"]}
        lines_of: dict[str, list[Row]] = defaultdict(list)
        for line in self.rows["QuoteLineItem"]:
            lines_of[line["QuoteId"]].append(line)
        approval, config = self.planted["quote_approval"], self.planted["quote_config"]
        for quote_id in self.quote_ids:
            if approval.get(quote_id) is None:  # a planted break of an old approval rule stays as it was planted
                self._within_new_rules(quotes[quote_id], lines_of[quote_id])
        # Top every rule up to a few quotes that break it alone (an old rule's planted quotes may now break a new
        # rule as well), planted on quotes nothing was planted on.
        ordinary = [q for q in self.quote_ids if q not in approval and q not in config]
        r.shuffle(ordinary)
        alone = Counter(v[0] for q in self.quote_ids if len(v := self._violations(quotes[q], lines_of[q])) == 1)
        per_rule = max(3, round(0.02 * len(self.quote_ids)))
        for rule in self._all_quote_rules():
            kind = "quote_approval" if isinstance(rule, DiscountRule | DealDiscountRule) else "quote_config"
            for quote_id in list(ordinary):
                if alone[rule.article_id] >= per_rule:
                    break
                if self._try(r, rule, quotes[quote_id], lines_of[quote_id], self._break, (rule.article_id,)):
                    ordinary.remove(quote_id)
                    self.planted[kind][quote_id] = rule.article_id
                    alone[rule.article_id] += 1
        rules = self._all_quote_rules()
        groups = [[r for r in rules if isinstance(r, DiscountRule | DealDiscountRule)]]
        groups.append([r for r in rules if r not in groups[0]])
        per_group = max(2, round(0.012 * len(self.quote_ids)))
        near: dict[str, str] = {}
        found = [0, 0]
        for k, quote_id in enumerate(ordinary):
            group, rule = k % 2, r.choice(groups[k % 2])
            if found[group] < per_group and self._try(
                r, rule, quotes[quote_id], lines_of[quote_id], self._sit_at_limit, ()
            ):
                near[quote_id] = rule.article_id
                found[group] += 1
        self.planted["quote_near_misses"] = near
        self._check_deal_quotes(quotes, lines_of)

    def _all_quote_rules(self) -> list[QuoteRule]:
        p = self.policy
        return [*p.quote_approval, *p.deal_discount_rules, *p.invalid_configs, *p.more_config_rules]

    def _try(
        self, r: random.Random, rule: QuoteRule, quote: Row, lines: list[Row], change: Callable, meant: tuple
    ) -> bool:
        """Apply ``change`` to a copy of the quote's lines; keep it when the quote then breaks exactly ``meant``."""
        trial = [dict(line) for line in lines]
        if not change(r, rule, quote, trial):
            return False
        for line in trial:
            self._price(line)
        if self._violations(quote, trial) != meant:
            return False
        for line, changed in zip(lines, trial, strict=False):
            line.update({k: changed[k] for k in ("Quantity", "Discount", "TotalPrice")})
        for added in trial[len(lines) :]:
            lines.append(self._new_line(quote, added["Product2Id"], added["Quantity"], added["Discount"]))
        return True

    def _line_cap(self, facts: QuoteFacts, line: PricedQuoteLine) -> float:
        """The largest discount every line rule allows on this line."""
        general, small = self.policy.quote_approval
        caps = [general.max_discount, *(r.max_discount for r in self.policy.deal_discount_rules if r.caps(facts, line))]
        if small.below_quantity is not None and line.quantity < small.below_quantity:
            caps.append(small.max_discount)
        return min(caps)

    def _within_new_rules(self, quote: Row, lines: list[Row]) -> None:
        """Repair what a quote breaks of the new rules by chance: the new rule products' lines, then discounts
        above a line's cap or the overall cap."""
        for rule in self.policy.more_config_rules:
            self._repair(rule, quote, lines)
        facts = self._quote_facts(quote, lines)
        for line, priced in zip(lines, facts.lines, strict=True):
            line["Discount"] = min(line["Discount"], self._line_cap(facts, priced))
        overall = next(rule for rule in self.policy.deal_discount_rules if rule.kind == "overall")
        if overall.broken_by(self._quote_facts(quote, lines)):  # brought clearly under, never exactly at, the cap
            for line in lines:
                line["Discount"] = min(line["Discount"], overall.max_discount - 1)
        for line in lines:
            self._price(line)

    def _repair(self, rule: ConfigRule | ProductConfigRule, quote: Row, lines: list[Row]) -> None:
        mine = [line for line in lines if line["Product2Id"] == rule.product_id]
        if not mine:
            return
        if rule.kind in ("max_quantity", "min_quantity"):
            bound = min if rule.kind == "max_quantity" else max
            for line in mine:
                line["Quantity"] = bound(line["Quantity"], float(rule.limit or 0))
        elif rule.kind == "excludes" and len(mine) < len(lines):
            others = [line for line in lines if line["Product2Id"] == rule.other_product_id]
            dropped = {id(line) for line in others}  # the quote keeps this product and drops the excluded one
            lines[:] = [line for line in lines if id(line) not in dropped]
            self.rows["QuoteLineItem"] = [line for line in self.rows["QuoteLineItem"] if id(line) not in dropped]
        elif rule.kind == "requires" and rule.other_product_id not in {line["Product2Id"] for line in lines}:
            lines.append(self._new_line(quote, rule.other_product_id or "", mine[0]["Quantity"], 0.0))
        elif rule.kind == "requires_family" and not any(
            self.product_theme[line["Product2Id"]].name == rule.family
            for line in lines
            if line["Product2Id"] != rule.product_id
        ):
            lines.append(self._new_line(quote, self._family_product(rule.family or "", quote["Id"]) or "", 1.0, 0.0))

    def _entry(self, quote: Row, product: str) -> tuple[str, float]:
        return self.entry[(self.opp_by_id[quote["OpportunityId"]]["Pricebook2Id"], product)]

    def _new_line(self, quote: Row, product: str, quantity: float, discount: float) -> Row:
        """A line added to the quote's rows at once."""
        self._quote_line(quote["Id"], self.opp_by_id[quote["OpportunityId"]], product, quantity, discount)
        return self.rows["QuoteLineItem"][-1]

    def _draft_line(self, quote: Row, product: str, quantity: float, discount: float) -> Row:
        """A line for a trial: `_try` adds it to the quote when the trial is kept."""
        return {
            "Product2Id": product,
            "Quantity": quantity,
            "UnitPrice": self._entry(quote, product)[1],
            "Discount": discount,
        }

    def _family_product(self, family: str, salt: str) -> str | None:
        """A product of ``family`` (the same one for the same ``salt``), one that no rule names if there is one."""
        named = self.rule_products | self.new_rule_products
        options = [p for p in self.product_ids if self.product_theme[p].name == family]
        options = [p for p in options if p not in named] or options
        return random.Random(f"{self.seed}:family-product:{salt}").choice(options) if options else None

    @staticmethod
    def _price(line: Row) -> None:
        line["TotalPrice"] = round(line["Quantity"] * line["UnitPrice"] * (1 - line["Discount"] / 100), 2)

    def _big_line(self, r: random.Random, lines: list[Row]) -> Row:
        """One of ``lines``, ordering at least the small-order threshold (raised when it orders fewer)."""
        line = r.choice(lines)
        line["Quantity"] = max(line["Quantity"], float(self.policy.quote_approval[1].below_quantity or 1))
        return line

    def _of_family(self, lines: list[Row], family: str | None) -> list[Row]:
        return [line for line in lines if self.product_theme[line["Product2Id"]].name == family]

    def _adds_rule_products(self, rule: ConfigRule | ProductConfigRule, trial: list[Row]) -> bool:
        """False when the quote already holds a product of the rule (then the rule cannot be planted on it)."""
        products = {line["Product2Id"] for line in trial}
        return rule.product_id not in products and getattr(rule, "other_product_id", None) not in products

    def _break(self, r: random.Random, rule: QuoteRule, quote: Row, trial: list[Row]) -> bool:
        """Change the trial lines so that they break ``rule`` (False when this quote cannot)."""
        general = int(self.policy.quote_approval[0].max_discount)
        if isinstance(rule, DealDiscountRule) and rule.kind == "overall":
            over = float(r.randint(int(rule.max_discount) + 1, general))
            for line in trial:
                self._big_line(r, [line])["Discount"] = over
            return True
        if isinstance(rule, DiscountRule | DealDiscountRule):
            # One line over the limit, the one of least value, and the others undiscounted: the overall holds.
            partner = self._family_product(getattr(rule, "family", None) or "", quote["Id"])
            if getattr(rule, "kind", "") == "family" and not self._of_family(trial, rule.family) and partner:
                trial.append(self._draft_line(quote, partner, 1.0, 0.0))
            facts = self._quote_facts(quote, trial)
            capped = [
                line
                for line, priced in zip(trial, facts.lines, strict=True)
                if isinstance(rule, DiscountRule) or rule.caps(facts, priced)
            ]
            if not capped:
                return False
            line = min(capped, key=lambda line: line["Quantity"] * line["UnitPrice"])
            for other in trial:
                other["Discount"] = 0.0
            if isinstance(rule, DiscountRule) and rule.below_quantity is not None:
                line["Quantity"] = float(r.randint(1, rule.below_quantity - 1))
                line["Discount"] = rule.max_discount + r.randint(1, 2)
            else:
                top = general + 5 if isinstance(rule, DiscountRule) else general
                self._big_line(r, [line])["Discount"] = float(r.randint(int(rule.max_discount) + 1, top))
            return True
        if not isinstance(rule, ConfigRule | ProductConfigRule) or not self._adds_rule_products(rule, trial):
            return False
        if rule.kind == "max_quantity":
            quantity = r.randint((rule.limit or 0) + 1, 2 * (rule.limit or 0))
        else:
            quantity = r.randint(1, (rule.limit or 10) - 1)
        trial.append(self._draft_line(quote, rule.product_id, float(quantity), 0.0))
        if rule.kind == "excludes":
            trial.append(self._draft_line(quote, rule.other_product_id or "", float(r.randint(1, 9)), 0.0))
        return True

    def _sit_at_limit(self, r: random.Random, rule: QuoteRule, quote: Row, trial: list[Row]) -> bool:
        """Change the trial lines so that one sits exactly at ``rule``'s limit without breaking it."""
        if isinstance(rule, DiscountRule):
            line = r.choice(trial)
            if rule.below_quantity is None:
                self._big_line(r, [line])["Discount"] = rule.max_discount
            else:  # exactly the threshold: the small-order limit does not apply to this line
                line["Quantity"] = float(rule.below_quantity)
                line["Discount"] = rule.max_discount + r.randint(1, 3)
            return True
        if isinstance(rule, DealDiscountRule):
            if rule.kind == "overall":  # an overall discount is not set exactly at a limit by whole-percent lines
                return False
            facts = self._quote_facts(quote, trial)
            capped = [line for line, p in zip(trial, facts.lines, strict=True) if rule.caps(facts, p)]
            if capped:
                self._big_line(r, capped)["Discount"] = rule.max_discount
            return bool(capped)
        if not self._adds_rule_products(rule, trial) or rule.kind == "excludes":
            return False
        if rule.kind in ("max_quantity", "min_quantity"):
            trial.append(self._draft_line(quote, rule.product_id, float(rule.limit or 1), 0.0))
        elif rule.kind == "requires":
            trial.append(self._draft_line(quote, rule.product_id, float(r.randint(1, 9)), 0.0))
            trial.append(self._draft_line(quote, rule.other_product_id or "", float(r.randint(1, 9)), 0.0))
        else:
            partner = self._family_product(rule.family or "", quote["Id"])
            if partner is None:
                return False
            trial.append(self._draft_line(quote, rule.product_id, float(r.randint(5, 9)), 0.0))
            trial.append(self._draft_line(quote, partner, 1.0, 0.0))
        return True

    def _check_deal_quotes(self, quotes: dict[str, Row], lines_of: dict[str, list[Row]]) -> None:
        """Every quote breaks exactly what was planted on it (an old planted approval break may break more)."""
        for quote_id in self.quote_ids:
            found = self._violations(quotes[quote_id], lines_of[quote_id])
            planted = tuple(a for a in (self.planted[k].get(quote_id) for k in ("quote_approval", "quote_config")) if a)
            if found != planted and not (planted and set(planted) < set(found)):
                raise AssertionError(f"quote {quote_id}: the rules say {found}, planted {planted}")

    # -- stages -----------------------------------------------------------------------------------------------------

    def _plant_stage_mismatches(self) -> None:
        """Make the tasks of some opportunities show another stage, until every stage is shown by about as many
        mismatched opportunities; recorded stages stay as they are (other categories read them)."""
        r = random.Random(f"{self.seed}:stages")
        guide = self.policy.stage_guide
        tasks_of: dict[str, list[Row]] = defaultdict(list)
        for task in self.rows["Task"]:
            if task["WhatId"] in self.opp_by_id:
                tasks_of[task["WhatId"]].append(task)
        won = set(self.won)
        pools: dict[str, list[str]] = defaultdict(list)
        for opp in self.rows["Opportunity"]:
            shown = [guide.stage_of(t["Subject"]) for t in tasks_of[opp["Id"]]]
            if opp["Id"] in self.planted["wrong_stage"] or opp["Id"] in won or not shown or None in shown:
                continue
            if max(map(STAGES.index, shown)) == STAGES.index(opp["StageName"]):
                pools[opp["StageName"]].append(opp["Id"])
        for pool in pools.values():
            r.shuffle(pool)
        recorded_of = {o["Id"]: o["StageName"] for o in self.rows["Opportunity"]}
        pairs = Counter((recorded_of[opp], shown) for opp, shown in self.planted["wrong_stage"].items())
        counts = Counter(self.planted["wrong_stage"].values())
        # A few of every (recorded, shown) pair, then every shown stage topped up to the same count.
        per_pair = max(1, round(0.003 * len(self.rows["Opportunity"])))
        target = max(3, round(0.018 * len(self.rows["Opportunity"])))
        for stage in STAGES:
            others = [s for s in STAGES if s != stage]
            wanted = [s for s in others for _ in range(max(0, per_pair - pairs[s, stage]))]
            wanted += [others[j % 4] for j in range(max(0, target - counts[stage] - len(wanted)))]
            for j, recorded in enumerate(wanted):
                recorded = next((s for s in [recorded, *others[j % 4 :], *others[: j % 4]] if pools[s]), None)
                if recorded is None:
                    break
                opp = pools[recorded].pop()
                self._show_stage(r, self.opp_by_id[opp], tasks_of[opp], stage)
                self.planted["wrong_stage"][opp] = stage

    def _show_stage(self, r: random.Random, opp: Row, tasks: list[Row], stage: str) -> None:
        """Give the opportunity a task of ``stage`` (a later one than recorded) or turn its later work into
        ``stage``'s (an earlier one)."""
        guide = self.policy.stage_guide
        k = STAGES.index(stage)
        if k < STAGES.index(opp["StageName"]):
            for task in tasks:
                if STAGES.index(guide.stage_of(task["Subject"]) or stage) > k:
                    task["Subject"] = r.choice(guide.activities[stage])
                    task["Description"] = f"{task['Subject']}."
            return
        status = "Completed" if stage == "Closed" else r.choice(("Not Started", "In Progress", "Completed"))
        due = self._today() + dt.timedelta(days=r.randint(-20, -1) if status == "Completed" else r.randint(0, 30))
        subject = r.choice(guide.activities[stage])
        created = dt.datetime.combine(min(due, self._today()) - dt.timedelta(days=r.randint(0, 20)), dt.time(9))
        self.add(
            "Task",
            {
                "Subject": subject,
                "Description": f"{subject}.",
                "Status": status,
                "Priority": r.choice(("Low", "Medium", "Medium", "High")),
                "ActivityDate": due.isoformat(),
                "WhatId": opp["Id"],
                "WhoId": opp["ContactId"],
                "OwnerId": opp["OwnerId"],
                "CreatedDate": (created + dt.timedelta(minutes=r.randint(0, 480))).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )

    # -- lead routing -----------------------------------------------------------------------------------------------

    def _split_territories(self) -> None:
        """Split the widest territories of a small org until it has `MIN_TERRITORIES`; each new one is led by an
        agent who wins no territory yet (the most accepted quotes), with a runner-up when there is one."""
        r = random.Random(f"{self.seed}:territories")
        accepted = Counter(
            self.opp_by_id[q["OpportunityId"]]["OwnerId"] for q in self.rows["Quote"] if q["Status"] == "Accepted"
        )
        territories = self.rows["Territory2"]
        names = iter(MORE_REGION_NAMES)
        while len(territories) < MIN_TERRITORIES:
            widest = max(territories, key=lambda t: len(t["Description"].split(",")))
            states = widest["Description"].split(",")
            if len(states) < 2:
                break
            widest["Description"] = ",".join(states[: len(states) // 2])
            territory = self.add(
                "Territory2", {"Name": f"{next(names)} Territory", "Description": ",".join(states[len(states) // 2 :])}
            )
            members: dict[str, set[str]] = defaultdict(set)
            for link in self.rows["UserTerritory2Association"]:
                members[link["Territory2Id"]].add(link["UserId"])
            winners = {max(users, key=lambda u: (accepted[u], u)) for users in members.values()}
            ranked = sorted(self.sales, key=lambda u: (-accepted[u], u))
            leader = next((u for u in ranked if u not in winners), r.choice(ranked))
            below = [u for u in ranked if accepted[u] < accepted[leader]]
            for user in [leader, *r.sample(below, min(1, len(below)))]:
                self.add("UserTerritory2Association", {"UserId": user, "Territory2Id": territory})

    def _tie_territory_leaders(self) -> None:
        """Add, to about a third of the territories, an agent with as many accepted quotes as its leader, so that
        the workload rule decides; the two agents' lead counts differ by 3 or more whether all unconverted leads or
        only open ones are counted, so either count gives the same winner."""
        r = random.Random(f"{self.seed}:routing-ties")
        accepted = Counter(
            self.opp_by_id[q["OpportunityId"]]["OwnerId"] for q in self.rows["Quote"] if q["Status"] == "Accepted"
        )
        unconverted = Counter(lead["OwnerId"] for lead in self.rows["Lead"] if not lead["IsConverted"])
        still_open = Counter(
            lead["OwnerId"] for lead in self.rows["Lead"] if not lead["IsConverted"] and lead["Status"] != "Closed"
        )
        members: dict[str, set[str]] = defaultdict(set)
        for link in self.rows["UserTerritory2Association"]:
            members[link["Territory2Id"]].add(link["UserId"])
        order = sorted(members)
        r.shuffle(order)
        tied = 0
        for territory in order:
            if tied == round(len(order) / 3):
                break
            users = members[territory]
            top = max(accepted[u] for u in users)
            leaders = [u for u in users if accepted[u] == top]
            if len(leaders) > 1:
                continue
            leader = leaders[0]
            peers = [
                u
                for u in self.sales
                if u not in users
                and accepted[u] == top
                and abs(unconverted[u] - unconverted[leader]) >= 3
                and (unconverted[u] - unconverted[leader]) * (still_open[u] - still_open[leader]) > 0
                and abs(still_open[u] - still_open[leader]) >= 3
            ]
            if peers:
                self.add("UserTerritory2Association", {"UserId": r.choice(peers), "Territory2Id": territory})
                tied += 1

    def _colleague_leads(self) -> None:
        """Give about half of the new leads a colleague: another lead (not new, never called) moved to the same
        company, from another state, so that the company alone does not pick the lead out."""
        r = random.Random(f"{self.seed}:colleagues")
        leads = self.rows["Lead"]
        called = set(self.planted["lead_bant_failures"])
        hosts = [lead for lead in leads if lead["Status"] == "New" and not lead["IsConverted"]]
        donors = [
            lead for lead in leads if lead["Status"] != "New" and not lead["IsConverted"] and lead["Id"] not in called
        ]
        r.shuffle(hosts)
        r.shuffle(donors)
        emails = {lead["Email"].lower() for lead in leads}
        for host in hosts[: len(hosts) // 2]:
            donor = next((d for d in donors if d["State"] != host["State"]), None)
            if donor is None:
                break
            domain = re.sub(r"[^a-z0-9]+", "", host["Company"].lower()) + ".example.com"
            email = f"{donor['Email'].split('@')[0]}@{domain}"
            if email.lower() in emails:
                continue
            donors.remove(donor)
            emails.add(email.lower())
            donor.update(
                Company=host["Company"],
                Email=email,
                Description=f"{donor['Title']} at {host['Company']}; interested in our products.",
            )
