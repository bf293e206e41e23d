"""Seeded generator of a CRMArena-Pro-shaped Salesforce B2B org (27 objects, about 30k rows at factor 1.0).

Besides realistic, skewed data (a few big accounts, long-tail amounts, lognormal cycle and handle times, agents
with their own speed and expertise), it plants what the 22 CRMArena-Pro categories ask about: BANT facts in
lead calls, policy articles drawn from the seed (`policies.OrgPolicies`), quotes breaking approval and
configuration rules, opportunities in the wrong stage, case owner transfers, monthly case spikes, near-duplicate
product names, chats that break service rules, confidential articles and private contact data.

Randomness: one ``numpy.random.Generator(PCG64(seed))`` for every numeric draw, a ``random.Random`` seeded from
it for record-level choices and a Faker instance seeded with the seed for name pools (drawn once, then sampled).
Text (calls, chats, e-mails, case descriptions, FAQ articles) and what it states beyond those draws come from
streams of their own, one per record (`compose.text_rng`), so rewording never moves another draw. Nothing reads
the wall clock: the org's "today" is fixed and stored in ``_meta``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import random
import re
from collections import Counter, defaultdict
from functools import cache
from typing import Any

import numpy as np
from faker import Faker

from crm_gym.world.ddl import META_TABLE
from crm_gym.world.generate import b2b_calls as calls
from crm_gym.world.generate import b2b_faq as faq
from crm_gym.world.generate import b2b_service_text as service_text
from crm_gym.world.generate import b2b_text as text
from crm_gym.world.generate.b2b_deals import DealPlants
from crm_gym.world.generate.compose import text_rng
from crm_gym.world.generate.policies import (
    BANT_FACTORS,
    STAGES,
    BantPolicy,
    CallFacts,
    ChatFacts,
    ConfigRule,
    DiscountRule,
    FaqFacts,
    OrgPolicies,
    PlantedFacts,
    QuoteLine,
    RoutingPolicy,
    ServiceRule,
    StageGuide,
    write_org_metadata,
)
from crm_gym.world.ids import salesforce_id
from crm_gym.world.loader import insertion_order
from crm_gym.world.schema import load_schema
from crm_gym.world.world import World

PROFILE = "crmarena_pro_b2b"
TODAY = dt.date(2024, 11, 1)
HISTORY_DAYS = 3 * 365
START = TODAY - dt.timedelta(days=HISTORY_DAYS)

# Rough state populations (millions): accounts, leads and contacts are spread like customers would be.
STATE_WEIGHTS: dict[str, float] = {
    "CA": 39, "TX": 30, "FL": 22, "NY": 19, "PA": 13, "IL": 12.5, "OH": 11.8, "GA": 11, "NC": 10.8, "MI": 10,
    "NJ": 9.3, "VA": 8.7, "WA": 7.8, "AZ": 7.4, "TN": 7.1, "MA": 7, "IN": 6.8, "MO": 6.2, "MD": 6.2, "WI": 5.9,
    "CO": 5.9, "MN": 5.7, "SC": 5.3, "AL": 5.1, "LA": 4.6, "KY": 4.5, "OR": 4.2, "OK": 4, "CT": 3.6, "UT": 3.4,
    "IA": 3.2, "NV": 3.2, "AR": 3, "MS": 2.9, "KS": 2.9, "NM": 2.1, "NE": 2, "ID": 1.9, "WV": 1.8, "HI": 1.4,
    "NH": 1.4, "ME": 1.4, "MT": 1.1, "RI": 1.1, "DE": 1, "SD": 0.9, "ND": 0.8, "AK": 0.7, "VT": 0.6, "WY": 0.6,
}  # fmt: skip
REGION_NAMES = (
    "Pacific", "Mountain", "Southwest", "Great Plains", "Midwest", "Great Lakes", "South Central", "Southeast",
    "Mid-Atlantic", "Northeast", "New England", "Gulf Coast", "Northwest", "Central", "Appalachia",
)  # fmt: skip
INDUSTRIES = (
    "Technology", "Manufacturing", "Healthcare", "Finance", "Retail", "Energy", "Telecommunications",
    "Education", "Transportation", "Government", "Media", "Construction",
)  # fmt: skip
COMPANY_SUFFIXES = ("Inc", "LLC", "Group", "Technologies", "Systems", "Industries", "Labs", "Partners", "Corp")
OPEN_STAGE_PROBABILITY = {"Qualification": 10, "Discovery": 25, "Quote": 50, "Negotiation": 75}
EMAIL_DOMAIN = "salesorg.example.com"


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@cache
def _faker() -> Faker:
    # Creating a Faker costs more than drawing every pool; seed_instance() makes reuse deterministic.
    return Faker("en_US")


def _month_start(months_back: int) -> dt.date:
    """The first day of the month ``months_back`` months before TODAY's month."""
    m = TODAY.year * 12 + TODAY.month - 1 - months_back
    return dt.date(m // 12, m % 12 + 1, 1)


def _ascii(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower()) or "x"


class _B2bOrg(DealPlants):
    """Builds the rows of every object in memory, then loads them into a `World` in dependency order."""

    def __init__(self, seed: int, factor: float) -> None:
        self.seed, self.factor = seed, factor
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.r = random.Random(int(self.rng.integers(2**62)))
        self.schema = load_schema(PROFILE)
        self.prefixes = {name: obj.id_prefix or "" for name, obj in self.schema.objects.items()}
        self.counts: dict[str, int] = defaultdict(int)
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.planted: dict[str, Any] = {
            "lead_bant_failures": {},
            "wrong_stage": {},
            "quote_approval": {},
            "quote_config": {},
            "case_violations": {},
            "case_spikes": {},
            "calls": {},
            "chats": {},
            "faq_articles": {},
        }
        self._draw_pools()

    # -- helpers ----------------------------------------------------------------------------------------------

    def n(self, base: float, minimum: int) -> int:
        """Row count for an object: ``base`` at factor 1.0, never below ``minimum``."""
        return max(minimum, round(base * self.factor))

    def new_ids(self, object_name: str, k: int) -> list[str]:
        prefix = self.prefixes[object_name]
        start = self.counts[object_name]
        self.counts[object_name] += k
        return [salesforce_id(prefix, start + i + 1, self.seed) for i in range(k)]

    def add(self, object_name: str, row: dict[str, Any]) -> str:
        row["Id"] = self.new_ids(object_name, 1)[0]
        self.rows[object_name].append(row)
        return row["Id"]

    def text_rng(self, label: str, key: str) -> random.Random:
        """The stream of one record's text (or of what the text states), apart from the main streams."""
        return text_rng(self.seed, label, key)

    def keep_stream(self, *choices: int) -> None:
        """Advance the main stream as the text choices it once made did: a choice among ``n`` options for each ``n``
        (0: a ``random()``). Text now draws from its own streams; replaying its former draws here keeps every
        later draw of the org (owners, dates, amounts) where it was."""
        for n in choices:
            if n:
                self.r.randrange(n)
            else:
                self.r.random()

    def moment(self, day: dt.date, start_hour: int = 8, end_hour: int = 18) -> dt.datetime:
        """A time on ``day`` within business hours."""
        seconds = self.r.randrange(start_hour * 3600, end_hour * 3600)
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)

    def day_in(self, first: dt.date, last: dt.date) -> dt.date:
        span = (last - first).days
        return first + dt.timedelta(days=self.r.randint(0, max(span, 0)))

    def phone(self) -> str:
        area, mid, end = self.r.randint(201, 989), self.r.randint(200, 999), self.r.randint(0, 9999)
        return f"({area}) {mid}-{end:04d}"

    def weighted(self, items: list[Any], weights: np.ndarray, size: int) -> list[Any]:
        probs = weights / weights.sum()
        return [items[i] for i in self.rng.choice(len(items), size=size, p=probs)]

    def _draw_pools(self) -> None:
        fake = _faker()
        fake.seed_instance(self.seed)
        self.first_names = sorted({fake.first_name() for _ in range(300)})
        self.last_names = sorted({fake.last_name() for _ in range(400)})
        self.cities = sorted({fake.city() for _ in range(100)})
        self.streets = sorted({fake.street_name() for _ in range(200)})
        companies = {fake.company() for _ in range(120)}
        companies |= {f"{last} {suffix}" for last in self.last_names for suffix in COMPANY_SUFFIXES}
        self.companies = sorted(companies)
        self.r.shuffle(self.companies)
        self.competitors = tuple(
            f"{fake.last_name()}{self.r.choice(('Tech', 'Soft', 'Works', 'Labs'))}" for _ in range(6)
        )
        self.states = list(STATE_WEIGHTS)
        self.state_weights = np.array([STATE_WEIGHTS[s] for s in self.states])

    def person(self) -> tuple[str, str]:
        return self.r.choice(self.first_names), self.r.choice(self.last_names)

    def street(self) -> str:
        return f"{self.r.randint(1, 9999)} {self.r.choice(self.streets)}"

    # -- people and territories ---------------------------------------------------------------------------------

    def users(self) -> None:
        n_sales, n_support = self.n(36, 5), self.n(24, 4)
        seen: set[str] = set()
        for i in range(n_sales + n_support):
            first, last = self.person()
            base = f"{_ascii(first)}.{_ascii(last)}"
            username = base if base not in seen else f"{base}{i}"
            seen.add(username)
            department = "Sales" if i < n_sales else "Support"
            self.add(
                "User",
                {
                    "FirstName": first,
                    "LastName": last,
                    "Alias": (_ascii(first)[:1] + _ascii(last))[:8],
                    "Username": f"{username}@{EMAIL_DOMAIN}",
                    "Email": f"{username}@{EMAIL_DOMAIN}",
                    "Phone": self.phone(),
                    "Title": "Account Executive" if department == "Sales" else "Support Agent",
                    "Department": department,
                    "ProfileId": "Standard User",
                    "IsActive": True,
                    "TimeZoneSidKey": "America/Los_Angeles",
                    "LocaleSidKey": "en_US",
                    "LanguageLocaleKey": "en_US",
                    "EmailEncodingKey": "UTF-8",
                    "CreatedDate": _iso(self.moment(START - dt.timedelta(days=self.r.randint(30, 400)))),
                },
            )
        users = self.rows["User"]
        self.sales = [u["Id"] for u in users if u["Department"] == "Sales"]
        self.support = [u["Id"] for u in users if u["Department"] == "Support"]
        self.user_name = {u["Id"]: f"{u['FirstName']} {u['LastName']}" for u in users}
        self.user_email = {u["Id"]: u["Email"] for u in users}
        # A few star sellers carry much of the book (Zipf-like owner weights).
        self.sales_weights = 1.0 / np.arange(1, len(self.sales) + 1) ** 0.6
        self.rng.shuffle(self.sales_weights)

    def territories(self) -> None:
        n_territories = min(self.n(12, 3), len(REGION_NAMES))
        states = list(self.states)
        self.r.shuffle(states)
        territory_ids = []
        for k, chunk in enumerate(np.array_split(np.array(states), n_territories)):
            territory_ids.append(
                self.add("Territory2", {"Name": f"{REGION_NAMES[k]} Territory", "Description": ",".join(chunk)})
            )
        sellers = list(self.sales)
        self.r.shuffle(sellers)
        for k, user in enumerate(sellers):
            assigned = {territory_ids[k % n_territories]}
            if self.r.random() < 0.25:
                assigned.add(self.r.choice(territory_ids))
            for territory in sorted(assigned):
                self.add("UserTerritory2Association", {"UserId": user, "Territory2Id": territory})

    def accounts(self) -> None:
        n_accounts = self.n(800, 12)
        self.account_size = self.rng.pareto(1.2, n_accounts) + 1.0
        employees = np.clip(self.account_size * self.rng.lognormal(3.5, 0.6, n_accounts), 5, 250_000).astype(int)
        revenue = employees * self.rng.lognormal(11.6, 0.4, n_accounts)
        states = self.weighted(self.states, self.state_weights, n_accounts)
        owners = self.weighted(self.sales, self.sales_weights, n_accounts)
        self.account_domain: dict[str, str] = {}
        for i in range(n_accounts):
            name = self.companies[i]
            domain = re.sub(r"[^a-z0-9]+", "", name.lower()) + ".example.com"
            industry = self.r.choice(INDUSTRIES)
            account = self.add(
                "Account",
                {
                    "Name": name,
                    "Type": self.r.choices(
                        ["Customer - Direct", "Customer - Channel", "Prospect", "Other"], weights=[70, 15, 10, 5]
                    )[0],
                    "Industry": industry,
                    "Description": f"{name} works in {industry.lower()} and has about {employees[i]:,} employees.",
                    "Phone": self.phone(),
                    "Website": f"https://www.{domain}",
                    "NumberOfEmployees": int(employees[i]),
                    "AnnualRevenue": round(float(revenue[i]), -3),
                    "BillingStreet": self.street(),
                    "BillingCity": self.r.choice(self.cities),
                    "BillingState": states[i],
                    "BillingPostalCode": f"{self.r.randint(1000, 99950):05d}",
                    "BillingCountry": "United States",
                    "ShippingState": states[i],
                    "OwnerId": owners[i],
                    "CreatedDate": _iso(self.moment(self.day_in(START - dt.timedelta(days=700), START))),
                },
            )
            self.account_domain[account] = domain
        self.account_ids = [a["Id"] for a in self.rows["Account"]]
        self.account_by_id = {a["Id"]: a for a in self.rows["Account"]}

    def contacts(self) -> None:
        n_accounts = len(self.account_ids)
        extra = max(self.n(2000, 25) - n_accounts, 0)
        counts = 1 + self.rng.multinomial(extra, self.account_size / self.account_size.sum())
        self.contacts_of: dict[str, list[str]] = defaultdict(list)
        titles = text.DECISION_TITLES + text.NON_DECISION_TITLES
        for account, count in zip(self.account_ids, counts, strict=True):
            info = self.account_by_id[account]
            for _ in range(int(count)):
                first, last = self.person()
                contact = self.add(
                    "Contact",
                    {
                        "FirstName": first,
                        "LastName": last,
                        "AccountId": account,
                        "Title": self.r.choice(titles),
                        "Email": f"{_ascii(first)}.{_ascii(last)}@{self.account_domain[account]}",
                        "Phone": self.phone(),
                        "MobilePhone": self.phone(),
                        "MailingStreet": self.street(),
                        "MailingCity": info["BillingCity"],
                        "MailingState": info["BillingState"],
                        "MailingPostalCode": info["BillingPostalCode"],
                        "Birthdate": self.day_in(dt.date(1960, 1, 1), dt.date(1998, 12, 31)).isoformat(),
                        "OwnerId": info["OwnerId"],
                        "CreatedDate": info["CreatedDate"],
                    },
                )
                self.contacts_of[account].append(contact)
        self.contact_by_id = {c["Id"]: c for c in self.rows["Contact"]}

    # -- catalog ------------------------------------------------------------------------------------------------

    def catalog(self) -> None:
        catalog_id = salesforce_id("0ZB", 1, self.seed)
        category_ids = [
            self.add(
                "ProductCategory",
                {"Name": theme.name, "CatalogId": catalog_id, "Description": f"Our {theme.phrase} products."},
            )
            for theme in text.CATEGORIES
        ]
        n_products = self.n(140, 14)
        n_near = max(2, round(n_products * 0.1))
        names: set[str] = set()
        bases: list[tuple[str, int]] = []
        while len(bases) < n_products - n_near:
            k = len(bases) % len(text.CATEGORIES)
            theme = text.CATEGORIES[k]
            name = f"{self.r.choice(text.BRANDS)}{self.r.choice(theme.stems)} {self.r.choice(theme.suffixes)}"
            if name not in names:
                names.add(name)
                bases.append((name, k))
        siblings: list[tuple[str, int, int]] = []  # (name, category, index of the base)
        for base_index in self.r.sample(range(len(bases)), n_near):
            name, k = bases[base_index]
            suffix = next(
                s for s in text.NEAR_DUPLICATE_SUFFIXES if not name.endswith(s) and f"{name} {s}" not in names
            )
            names.add(f"{name} {suffix}")
            siblings.append((f"{name} {suffix}", k, base_index))
        products = [(name, k) for name, k in bases] + [(name, k) for name, k, _ in siblings]
        self.product_theme: dict[str, text.CategoryTheme] = {}
        self.product_name: dict[str, str] = {}
        for i, (name, k) in enumerate(products):
            theme = text.CATEGORIES[k]
            product = self.add(
                "Product2",
                {
                    "Name": name,
                    "ProductCode": f"{theme.name[:3].upper()}-{1000 + i}",
                    "Description": f"{name} is a {theme.phrase} for business customers.",
                    "Family": theme.name,
                    "IsActive": self.r.random() > 0.05,
                    "External_ID__c": f"EXT-{i + 1:05d}",
                },
            )
            self.product_theme[product], self.product_name[product] = theme, name
            self.add("ProductCategoryProduct", {"ProductCategoryId": category_ids[k], "ProductId": product})
        self.product_ids = [p["Id"] for p in self.rows["Product2"]]
        self.near_duplicates = tuple(
            (self.product_ids[base_index], self.product_ids[len(bases) + j])
            for j, (_, _, base_index) in enumerate(siblings)
        )
        self.product_popularity = self.rng.pareto(1.5, len(self.product_ids)) + 0.2
        self.popularity_cum = np.cumsum(self.product_popularity).tolist()
        self._pricebooks()

    def _pricebooks(self) -> None:
        books = (
            ("Standard Price Book", "List prices for all products.", True, 1.0),
            (f"Enterprise Price Book {TODAY.year}", "Negotiated prices for enterprise accounts.", False, 0.9),
            ("Partner Price Book", "Prices for channel partners.", False, 0.8),
        )
        list_prices = np.round(np.clip(self.rng.lognormal(np.log(1800), 1.0, len(self.product_ids)), 19, 250_000), 2)
        self.pricebooks: list[str] = []
        self.entry: dict[tuple[str, str], tuple[str, float]] = {}
        for name, description, standard, ratio in books:
            book = self.add(
                "Pricebook2",
                {
                    "Name": name,
                    "Description": description,
                    "IsActive": True,
                    "IsStandard": standard,
                    "ValidFrom": _iso(dt.datetime.combine(START - dt.timedelta(days=365), dt.time())),
                    "ValidTo": _iso(dt.datetime.combine(TODAY + dt.timedelta(days=365), dt.time())),
                },
            )
            self.pricebooks.append(book)
            for product, price in zip(self.product_ids, list_prices, strict=True):
                unit = round(float(price) * ratio, 2)
                entry = self.add(
                    "PricebookEntry", {"Pricebook2Id": book, "Product2Id": product, "UnitPrice": unit, "IsActive": True}
                )
                self.entry[(book, product)] = (entry, unit)

    # -- policies and knowledge ------------------------------------------------------------------------------------

    def policies(self) -> None:
        n_configs = 6 if self.factor >= 1 else 3
        article_ids = iter(self.new_ids("Knowledge__kav", 2 + n_configs + 4 + 3))
        d1 = float(self.r.choice((20, 25, 30)))
        quote_rules = (
            DiscountRule(article_id=next(article_ids), max_discount=d1),
            DiscountRule(
                article_id=next(article_ids),
                max_discount=float(self.r.choice((5, 8, 10))),
                below_quantity=self.r.choice((10, 20, 25)),
            ),
        )
        rule_products = self.r.sample(
            self.product_ids[: len(self.product_ids) - len(self.near_duplicates)], 2 * n_configs
        )
        kinds = ("requires", "excludes", "max_quantity")
        config_rules = tuple(
            ConfigRule(
                article_id=next(article_ids),
                kind=kinds[i % 3],
                product_id=rule_products[2 * i],
                other_product_id=None if kinds[i % 3] == "max_quantity" else rule_products[2 * i + 1],
                limit=self.r.choice((25, 50, 100)) if kinds[i % 3] == "max_quantity" else None,
            )
            for i in range(n_configs)
        )
        guide = {
            stage: tuple(sorted(self.r.sample(pool, 4), key=pool.index))
            for stage, pool in text.STAGE_ACTIVITY_POOL.items()
        }
        self.policy = OrgPolicies(
            today=TODAY.isoformat(),
            quote_approval=quote_rules,
            invalid_configs=config_rules,
            bant=BantPolicy(
                article_id=next(article_ids),
                min_budget=self.r.choice((25_000, 50_000, 75_000, 100_000)),
                max_timeline_months=self.r.choice((3, 6, 9, 12)),
                decision_titles=text.DECISION_TITLES,
            ),
            stage_guide=StageGuide(article_id=next(article_ids), activities=guide),
            lead_routing=RoutingPolicy(article_id=next(article_ids), counted_status="Accepted"),
            case_routing=RoutingPolicy(article_id=next(article_ids), counted_status="Closed"),
            service_rules=(
                ServiceRule(article_id=next(article_ids), kind="refund_window", limit=self.r.choice((14, 30, 60))),
                ServiceRule(article_id=next(article_ids), kind="goodwill_credit", limit=self.r.choice((50, 100, 200))),
                ServiceRule(article_id=next(article_ids), kind="identity_check", limit=0),
            ),
        )
        # Ordinary quotes and orders avoid rule products, so every broken rule is one planted on purpose.
        self.rule_products = {p for rule in config_rules for p in (rule.product_id, rule.other_product_id) if p}
        sellable = [
            0.0 if p in self.rule_products else w
            for p, w in zip(self.product_ids, self.product_popularity.tolist(), strict=True)
        ]
        self.sellable_cum = np.cumsum(sellable).tolist()

    def knowledge(self) -> None:
        def article(
            article_id: str | None,
            title: str,
            summary: str,
            body: str,
            public: bool,
            created: dt.datetime | None = None,
        ) -> str:
            row = {
                "Title": title,
                "Summary": summary,
                "FAQ_Answer__c": body,
                "UrlName": "",
                "IsVisibleInPkb": public,
                "CreatedDate": _iso(created or self.moment(self.day_in(START, TODAY - dt.timedelta(days=30)))),
            }
            if article_id is None:
                article_id = self.add("Knowledge__kav", row)
            else:
                self.rows["Knowledge__kav"].append({**row, "Id": article_id})
            self.rows["Knowledge__kav"][-1]["UrlName"] = f"{text.slug(title)}-{article_id[-6:]}"
            return article_id

        for article_id, parts in text.policy_articles(self.policy, self.product_name).items():
            article(article_id, *parts, public=False)
        faq_products = self.r.sample(self.product_ids, min(self.n(90, 6), len(self.product_ids)))
        plan = self._faq_plan(faq_products)
        for product in faq_products:
            self.keep_stream(2)  # the FAQ's topic, once drawn here
            self._faq_article(article, product, *plan[product])
        self.confidential = tuple(
            article(None, *text.confidential_article(self.r, i), public=False) for i in range(self.n(60, 3))
        )
        # Look-alike products each have their FAQ, answering the same question differently.
        dates = self.text_rng("knowledge", "dates")
        for product in [p for p in plan if p not in faq_products]:
            created = dt.datetime.combine(START, dt.time(9)) + dt.timedelta(minutes=dates.randrange(700 * 24 * 60))
            self._faq_article(article, product, *plan[product], created=created)
        self._more_service_rules(article)

    def _faq_plan(self, faq_products: list[str]) -> dict[str, tuple[faq.FaqTopic, faq.FactVariant]]:
        """The question each FAQ answers and its answer; near-duplicate products get one question, two answers."""
        r = self.text_rng("faq", "plan")
        plan: dict[str, tuple[faq.FaqTopic, faq.FactVariant]] = {}
        for group in self.near_duplicates:
            topics = faq.FAQ_TOPICS[self.product_theme[group[0]].name]
            topic = r.choice([t for t in topics if len(t.variants) >= len(group)])
            for product, variant in zip(group, r.sample(topic.variants, len(group)), strict=True):
                plan[product] = (topic, variant)
        for product in faq_products:
            if product not in plan:
                topic = r.choice(faq.FAQ_TOPICS[self.product_theme[product].name])
                plan[product] = (topic, r.choice(topic.variants))
        return plan

    def _faq_article(
        self,
        article: Any,
        product: str,
        topic: faq.FaqTopic,
        variant: faq.FactVariant,
        created: dt.datetime | None = None,
    ) -> None:
        name, theme = self.product_name[product], self.product_theme[product]
        parts = faq.faq_article(self.text_rng("faq", product), name, theme.phrase, topic, variant)
        article_id = article(None, *parts, True, created)
        self.planted["faq_articles"][article_id] = FaqFacts(
            product_id=product, question=topic.question, fact=faq.canonical_fact(topic, variant)
        )

    def _more_service_rules(self, article: Any) -> None:
        """The service rules added after the first three, with their articles (ids after every other article)."""
        r = self.text_rng("service-rules", "limits")
        limits = {
            "replacement_warranty": r.choice((30, 45, 60)),
            "shipping_fee_waiver": r.choice((15_000, 20_000, 25_000)),
            "update_promise": r.choice((24, 48, 72)),
            "password_request": 0,
            "remote_session_consent": 0,
            "competitor_remarks": 0,
        }
        ids = self.new_ids("Knowledge__kav", len(limits))
        rules = tuple(
            ServiceRule(article_id=i, kind=kind, limit=limit)
            for i, (kind, limit) in zip(ids, limits.items(), strict=True)
        )
        for rule in rules:
            created = dt.datetime.combine(START, dt.time(10)) + dt.timedelta(minutes=r.randrange(365 * 24 * 60))
            article(rule.article_id, *text.service_article(rule), False, created)
        self.policy = self.policy.model_copy(update={"service_rules": self.policy.service_rules + rules})

    # -- sales ----------------------------------------------------------------------------------------------------

    def opportunities(self) -> None:
        n_opps = self.n(1100, 20)
        accounts = self.weighted(self.account_ids, self.account_size, n_opps)
        owner_cycle = dict(zip(self.sales, self.rng.lognormal(np.log(45), 0.35, len(self.sales)), strict=True))
        # Most deals are history; a recent wave keeps a live pipeline in every stage.
        recent = self.rng.random(n_opps) < 0.3
        created_offsets = np.where(
            recent,
            self.rng.integers(HISTORY_DAYS - 150, HISTORY_DAYS - 2, n_opps),
            self.rng.integers(0, HISTORY_DAYS - 5, n_opps),
        )
        drafts = []
        for i in range(n_opps):
            account = accounts[i]
            owner = self.account_by_id[account]["OwnerId"] if self.r.random() < 0.7 else self.r.choice(self.sales)
            created = self.moment(START + dt.timedelta(days=int(created_offsets[i])))
            cycle = max(3, int(self.r.lognormvariate(math.log(owner_cycle[owner]), 0.5)))
            close = created.date() + dt.timedelta(days=cycle)
            progress = (TODAY - created.date()).days / cycle
            stage = "Closed" if close <= TODAY else STAGES[min(3, int(progress / 0.25))]
            drafts.append((account, owner, created, close, stage))
        # Wrong stages: about 10% of deals, open and closed alike; the first stage has no earlier work to show.
        n_wrong = max(3, round(0.1 * n_opps))
        open_ones = [i for i, d in enumerate(drafts) if d[4] not in ("Closed", "Qualification")]
        closed_ones = [i for i, d in enumerate(drafts) if d[4] == "Closed"]
        n_open = min(len(open_ones), max(1, n_wrong // 2))
        wrong = set(self.r.sample(open_ones, n_open)) | set(self.r.sample(closed_ones, n_wrong - n_open))
        self.true_stage: dict[str, str] = {}
        self.opp_lines: dict[str, list[dict[str, Any]]] = {}
        self.won: list[str] = []
        for i, (account, owner, created, close, stage) in enumerate(drafts):
            won = stage == "Closed" and self.r.random() < 0.6
            recorded = stage
            if i in wrong:
                k = STAGES.index(stage)
                recorded = STAGES[k - 1] if k == len(STAGES) - 1 or self.r.random() < 0.5 else STAGES[k + 1]
            book = self.pricebooks[0] if self.r.random() < 0.7 else self.pricebooks[1]
            contact = self.r.choice(self.contacts_of[account])
            opp = self.add(
                "Opportunity",
                {
                    "Name": "",
                    "AccountId": account,
                    "ContactId": contact,
                    "ContractID__c": None,
                    "Pricebook2Id": book,
                    "StageName": recorded,
                    "Amount": 0.0,
                    "Probability": (100 if won else 0) if recorded == "Closed" else OPEN_STAGE_PROBABILITY[recorded],
                    "CloseDate": close.isoformat(),
                    "LeadSource": self.r.choice(("Web", "Phone Inquiry", "Partner Referral", "Trade Show", "Other")),
                    "Type": self.r.choice(("New Business", "Existing Business")),
                    "Description": "",
                    "OwnerId": owner,
                    "CreatedDate": _iso(created),
                },
            )
            self.true_stage[opp] = stage
            if i in wrong:
                self.planted["wrong_stage"][opp] = stage
            if won:
                self.won.append(opp)
            self._line_items(self.rows["Opportunity"][-1])
        self.opp_by_id = {o["Id"]: o for o in self.rows["Opportunity"]}

    def _line_items(self, opp: dict[str, Any]) -> None:
        k = self.r.choices((1, 2, 3, 4, 5), weights=(37, 37, 18, 6, 2))[0]
        products = self.r.choices(self.product_ids, cum_weights=self.sellable_cum, k=k)
        lines = []
        for product in dict.fromkeys(products):
            entry, unit = self.entry[(opp["Pricebook2Id"], product)]
            quantity = float(max(1, round(self.r.lognormvariate(math.log(8), 1.0))))
            discount = float(self.r.choice((0, 0, 0, 5, 10)))
            total = round(quantity * unit * (1 - discount / 100), 2)
            self.add(
                "OpportunityLineItem",
                {
                    "OpportunityId": opp["Id"],
                    "PricebookEntryId": entry,
                    "Product2Id": product,
                    "Quantity": quantity,
                    "UnitPrice": unit,
                    "Discount": discount,
                    "TotalPrice": total,
                },
            )
            lines.append(self.rows["OpportunityLineItem"][-1])
        lead_product = self.product_name[lines[0]["Product2Id"]]
        account = self.account_by_id[opp["AccountId"]]["Name"]
        opp["Name"] = f"{account} - {lead_product}"
        opp["Description"] = f"{account} is evaluating {lead_product} ({int(lines[0]['Quantity'])} units)."
        opp["Amount"] = round(sum(line["TotalPrice"] for line in lines), 2)
        self.opp_lines[opp["Id"]] = lines

    def contracts(self) -> None:
        for opp_id in self.won:
            opp = self.opp_by_id[opp_id]
            signed = dt.date.fromisoformat(opp["CloseDate"])
            contract = self.add(
                "Contract",
                {
                    "AccountId": opp["AccountId"],
                    "Status": "Activated",
                    "StartDate": min(TODAY, signed + dt.timedelta(days=self.r.randint(1, 14))).isoformat(),
                    "ContractTerm": self.r.choice((12, 24, 36)),
                    "CompanySignedDate": signed.isoformat(),
                    "CustomerSignedDate": (signed - dt.timedelta(days=self.r.randint(0, 3))).isoformat(),
                    "Description": f"Supply and support agreement for {opp['Name']}.",
                    "OwnerId": opp["OwnerId"],
                },
            )
            opp["ContractID__c"] = contract
        for opp in self.rows["Opportunity"]:
            if self.true_stage[opp["Id"]] == "Negotiation" and self.r.random() < 0.3:
                opp["ContractID__c"] = self.add(
                    "Contract",
                    {
                        "AccountId": opp["AccountId"],
                        "Status": self.r.choice(("Negotiating", "Awaiting Signature", "Draft", "In approval Process")),
                        "ContractTerm": self.r.choice((12, 24, 36)),
                        "Description": f"Draft agreement for {opp['Name']}.",
                        "OwnerId": opp["OwnerId"],
                    },
                )

    def quotes(self) -> None:
        d_max = self.policy.quote_approval[0].max_discount
        small = self.policy.quote_approval[1]
        assert small.below_quantity is not None  # drawn with a quantity above
        self.quote_ids: list[str] = []
        for opp in self.rows["Opportunity"]:
            stage = self.true_stage[opp["Id"]]
            if stage in ("Qualification",) or (stage == "Discovery" and self.r.random() > 0.1):
                continue
            created = dt.datetime.fromisoformat(opp["CreatedDate"].rstrip("Z"))
            n_quotes = 1 if self.r.random() < 0.9 else 2
            for k in range(n_quotes):
                last = k == n_quotes - 1
                if stage == "Closed":
                    status = ("Accepted" if opp["Id"] in self.won else "Denied") if last else "Rejected"
                elif stage == "Negotiation":
                    status = self.r.choice(("Presented", "Approved", "In Review")) if last else "Rejected"
                else:
                    status = self.r.choice(("Draft", "Needs Review", "In Review"))
                quote_day = min(TODAY, created.date() + dt.timedelta(days=self.r.randint(3, 20) * (k + 1)))
                quote = self.add(
                    "Quote",
                    {
                        "Name": f"{opp['Name']} - Quote {k + 1}",
                        "OpportunityId": opp["Id"],
                        "AccountId": opp["AccountId"],
                        "ContactId": opp["ContactId"],
                        "Status": status,
                        "Description": f"Pricing for {opp['Name']}.",
                        "ExpirationDate": (quote_day + dt.timedelta(days=30)).isoformat(),
                        "CreatedDate": _iso(self.moment(quote_day)),
                    },
                )
                self.quote_ids.append(quote)
                for line in self.opp_lines[opp["Id"]]:
                    limit = small.max_discount if line["Quantity"] < small.below_quantity else d_max
                    discount = 0.0 if self.r.random() < 0.4 else float(self.r.randint(1, int(limit)))
                    self._quote_line(quote, opp, line["Product2Id"], line["Quantity"], discount, line["Id"])
        self._plant_quotes()

    def _quote_line(
        self, quote: str, opp: dict[str, Any], product: str, quantity: float, discount: float, oli: str | None = None
    ) -> None:
        entry, unit = self.entry[(opp["Pricebook2Id"], product)]
        self.add(
            "QuoteLineItem",
            {
                "QuoteId": quote,
                "OpportunityLineItemId": oli,
                "PricebookEntryId": entry,
                "Product2Id": product,
                "Quantity": quantity,
                "UnitPrice": unit,
                "Discount": discount,
                "TotalPrice": round(quantity * unit * (1 - discount / 100), 2),
            },
        )

    def _plant_quotes(self) -> None:
        """Break each approval and configuration rule on a few quotes, and keep a few checked ones clean."""
        lines_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for line in self.rows["QuoteLineItem"]:
            lines_of[line["QuoteId"]].append(line)
        quote_opp = {q["Id"]: self.opp_by_id[q["OpportunityId"]] for q in self.rows["Quote"]}
        rules = self.policy.quote_approval + self.policy.invalid_configs
        # About 5% of quotes per rule: enough for 100+ quote_approval and invalid_config tasks at factor 1.0.
        per_rule = max(1, round(0.05 * len(self.quote_ids)))
        chosen = self.r.sample(self.quote_ids, min(len(self.quote_ids), per_rule * (len(rules) + 2)))
        d_max, small = self.policy.quote_approval[0].max_discount, self.policy.quote_approval[1]
        for j, quote in enumerate(chosen):
            opp, lines = quote_opp[quote], lines_of[quote]
            rule = rules[j % (len(rules) + 2)] if j % (len(rules) + 2) < len(rules) else None
            if rule is None:  # checked and clean, sometimes with a valid combination of rule products
                requires = [r for r in self.policy.invalid_configs if r.kind == "requires"]
                if requires and j % 2:
                    for product in (requires[0].product_id, requires[0].other_product_id or ""):
                        self._quote_line(quote, opp, product, float(self.r.randint(1, 9)), 0.0)
                self.planted["quote_approval"][quote] = None
                self.planted["quote_config"][quote] = None
                continue
            if isinstance(rule, DiscountRule):
                line = lines[0]
                if rule.below_quantity is None:
                    line["Quantity"] = max(line["Quantity"], float(small.below_quantity or 1))
                    line["Discount"] = d_max + self.r.randint(1, 15)
                else:
                    line["Quantity"] = float(self.r.randint(1, rule.below_quantity - 1))
                    line["Discount"] = float(self.r.randint(int(rule.max_discount) + 1, int(d_max)))
                line["TotalPrice"] = round(line["Quantity"] * line["UnitPrice"] * (1 - line["Discount"] / 100), 2)
                self.planted["quote_approval"][quote] = rule.article_id
                continue
            if rule.kind == "max_quantity":
                limit = rule.limit or 1
                self._quote_line(quote, opp, rule.product_id, float(self.r.randint(limit + 1, 2 * limit)), 0.0)
            else:
                self._quote_line(quote, opp, rule.product_id, float(self.r.randint(1, 9)), 0.0)
                if rule.kind == "excludes" and rule.other_product_id:
                    self._quote_line(quote, opp, rule.other_product_id, float(self.r.randint(1, 9)), 0.0)
            self.planted["quote_config"][quote] = rule.article_id
        self._check_planted_quotes()

    def _check_planted_quotes(self) -> None:
        # The planted answer must be what the policy itself computes from the rows.
        lines_of: dict[str, list[QuoteLine]] = defaultdict(list)
        for line in self.rows["QuoteLineItem"]:
            lines_of[line["QuoteId"]].append(
                QuoteLine(product_id=line["Product2Id"], quantity=line["Quantity"], discount=line["Discount"])
            )
        for quote in self.quote_ids:
            approval = self.policy.quote_approval_violation(lines_of[quote])
            config = self.policy.config_violation(lines_of[quote])
            expected = (self.planted["quote_approval"].get(quote), self.planted["quote_config"].get(quote))
            if (approval, config) != expected:
                raise AssertionError(f"quote {quote}: policies say {(approval, config)}, planted {expected}")

    def leads(self) -> None:
        n_leads = self.n(1700, 25)
        converting = [o for o in self.rows["Opportunity"] if self.r.random() < 0.45]
        propensity = dict(zip(self.sales, self.rng.beta(2, 5, len(self.sales)), strict=True))
        titles = text.DECISION_TITLES + text.NON_DECISION_TITLES
        for opp in converting[:n_leads]:
            converted = dt.datetime.fromisoformat(opp["CreatedDate"].rstrip("Z"))
            created = converted - dt.timedelta(days=int(self.r.lognormvariate(math.log(25), 0.6)) + 1)
            contact = self.contact_by_id[opp["ContactId"]]
            account = self.account_by_id[opp["AccountId"]]
            self._lead(
                contact["FirstName"],
                contact["LastName"],
                account["Name"],
                contact["Title"],
                account["BillingState"],
                opp["OwnerId"],
                created,
                "Closed",
                {
                    "IsConverted": True,
                    "ConvertedDate": converted.date().isoformat(),
                    "ConvertedAccountId": account["Id"],
                    "ConvertedContactId": contact["Id"],
                    "ConvertedOpportunityId": opp["Id"],
                },
            )
        # Agents who convert less keep more open leads: conversion rates differ by agent.
        weights = np.array([self.sales_weights[i] / (0.2 + propensity[u]) for i, u in enumerate(self.sales)])
        rest = max(n_leads - len(self.rows["Lead"]), 0)
        owners = self.weighted(self.sales, weights, rest)
        states = self.weighted(self.states, self.state_weights, rest)
        offsets = self.rng.integers(0, HISTORY_DAYS, rest)
        for i in range(rest):
            first, last = self.person()
            created = self.moment(START + dt.timedelta(days=int(offsets[i])))
            status = self.r.choices(("New", "Contacted", "Qualified", "Closed"), weights=(30, 35, 15, 20))[0]
            self._lead(
                first,
                last,
                self.companies[-1 - i % 2000],
                self.r.choice(titles),
                states[i],
                owners[i],
                created,
                status,
                {"IsConverted": False},
            )

    def _lead(
        self,
        first: str,
        last: str,
        company: str,
        title: str,
        state: str,
        owner: str,
        created: dt.datetime,
        status: str,
        conversion: dict[str, Any],
    ) -> None:
        domain = re.sub(r"[^a-z0-9]+", "", company.lower()) + ".example.com"
        self.add(
            "Lead",
            {
                "FirstName": first,
                "LastName": last,
                "Company": company,
                "Title": title,
                "Email": f"{_ascii(first)}.{_ascii(last)}@{domain}",
                "Phone": self.phone(),
                "Status": status,
                "LeadSource": self.r.choice(
                    ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Trade Show")
                ),
                "Industry": self.r.choice(INDUSTRIES),
                "City": self.r.choice(self.cities),
                "State": state,
                "Description": f"{title} at {company}; interested in our products.",
                "OwnerId": owner,
                "CreatedDate": _iso(created),
                **conversion,
            },
        )

    # -- orders and service ------------------------------------------------------------------------------------

    def orders(self) -> None:
        self.order_items_of_product: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.order_by_id: dict[str, dict[str, Any]] = {}
        for opp_id in self.won:
            opp = self.opp_by_id[opp_id]
            day = min(TODAY, dt.date.fromisoformat(opp["CloseDate"]) + dt.timedelta(days=self.r.randint(0, 14)))
            items = [(line["Product2Id"], line["Quantity"]) for line in self.opp_lines[opp_id]]
            self._order(opp["AccountId"], opp["OwnerId"], opp["Pricebook2Id"], day, items, opp_id, opp["ContactId"])
        rest = max(self.n(1200, 20) - len(self.won), 0)
        accounts = self.weighted(self.account_ids, self.account_size, rest)
        offsets = self.rng.integers(0, HISTORY_DAYS + 1, rest)
        for i in range(rest):
            account = accounts[i]
            k = self.r.choices((1, 2, 3, 4), weights=(55, 33, 10, 2))[0]
            products = self.r.choices(self.product_ids, cum_weights=self.popularity_cum, k=k)
            items = [
                (p, float(max(1, round(self.r.lognormvariate(math.log(5), 0.9))))) for p in dict.fromkeys(products)
            ]
            day = START + dt.timedelta(days=int(offsets[i]))
            owner = self.account_by_id[account]["OwnerId"]
            self._order(account, owner, self.pricebooks[0], day, items, None, self.r.choice(self.contacts_of[account]))
        # Each near-duplicate product was bought recently by someone: a purchase to tell apart by name.
        for group in self.near_duplicates:
            for product in group:
                account = self.r.choice(self.account_ids)
                day = TODAY - dt.timedelta(days=self.r.randint(2, 45))
                owner = self.account_by_id[account]["OwnerId"]
                contact = self.r.choice(self.contacts_of[account])
                self._order(account, owner, self.pricebooks[0], day, [(product, 1.0)], None, contact)

    def _order(
        self,
        account: str,
        owner: str,
        book: str,
        day: dt.date,
        items: list[tuple[str, float]],
        opp: str | None,
        contact: str,
    ) -> None:
        order = self.add(
            "Order",
            {
                "AccountId": account,
                "OpportunityId": opp,
                "ContractId": self.opp_by_id[opp]["ContractID__c"] if opp else None,
                "BillToContactId": contact,
                "Pricebook2Id": book,
                "OwnerId": owner,
                "Status": "Activated" if self.r.random() < 0.95 else "Draft",
                "EffectiveDate": day.isoformat(),
            },
        )
        self.order_by_id[order] = self.rows["Order"][-1]
        for product, quantity in items:
            entry, unit = self.entry[(book, product)]
            self.add(
                "OrderItem",
                {
                    "OrderId": order,
                    "PricebookEntryId": entry,
                    "Product2Id": product,
                    "Quantity": quantity,
                    "UnitPrice": unit,
                },
            )
            self.order_items_of_product[product].append(self.rows["OrderItem"][-1])

    def issues(self) -> None:
        chosen = text.ISSUES[: min(len(text.ISSUES), self.n(20, 8))]
        self.issue_ids = [self.add("Issue__c", {"Name": n, "Description__c": d}) for n, d in chosen]
        self.issue_text = dict(zip(self.issue_ids, chosen, strict=True))
        # Each product fails in its own ways: a dominant issue, a few secondary ones, a thin tail.
        self.issue_cum_weights: dict[str, list[float]] = {}
        for product in self.product_ids:
            weights = np.full(len(self.issue_ids), 0.3)
            picks = self.rng.choice(len(self.issue_ids), size=4, replace=False)
            weights[picks[0]], weights[picks[1:]] = 6.0, 2.0
            self.issue_cum_weights[product] = np.cumsum(weights).tolist()

    def cases(self) -> None:
        n_support = len(self.support)
        self.agent_speed = dict(zip(self.support, self.rng.lognormal(np.log(30), 0.45, n_support), strict=True))
        self.agent_transfer = dict(zip(self.support, self.rng.beta(2, 8, n_support), strict=True))
        expertise = self.rng.gamma(0.6, 1.0, (len(self.issue_ids), n_support)) + 0.05
        self.expertise_cum_weights = {issue: np.cumsum(expertise[k]).tolist() for k, issue in enumerate(self.issue_ids)}
        self.state_speed = dict(zip(self.states, self.rng.lognormal(0, 0.35, len(self.states)), strict=True))
        self.case_info: dict[str, dict[str, Any]] = {}
        items = [item for product in self.product_ids for item in self.order_items_of_product[product]]
        n_cases = self.n(1800, 30)
        picks = self.rng.choice(len(items), size=n_cases)
        for index in picks:
            item = items[index]
            bought = dt.date.fromisoformat(self.order_by_id[item["OrderId"]]["EffectiveDate"])
            lag = int(self.r.lognormvariate(math.log(60), 0.9))
            day = bought + dt.timedelta(days=lag)
            if day > TODAY:
                day = self.day_in(bought, TODAY)
            self._case(item, day)
        self._plant_spikes()

    def _plant_spikes(self) -> None:
        """Give a few products one month with clearly more cases than any other."""
        month_starts = [_month_start(k) for k in range(1, 11)]
        first_sale = {
            p: min(dt.date.fromisoformat(self.order_by_id[i["OrderId"]]["EffectiveDate"]) for i in items)
            for p, items in self.order_items_of_product.items()
            if items
        }
        candidates = [p for p in self.product_ids if p in first_sale and first_sale[p] < month_starts[0]]
        n_spikes = max(1, round(0.08 * len(candidates)))
        for product in self.r.sample(candidates, min(n_spikes, len(candidates))):
            month = self.r.choice([m for m in month_starts if m > first_sale[product]])
            month_end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            eligible = [
                i
                for i in self.order_items_of_product[product]
                if dt.date.fromisoformat(self.order_by_id[i["OrderId"]]["EffectiveDate"]) < month
            ]
            per_month = Counter(
                info["created"].strftime("%Y-%m") for info in self.case_info.values() if info["product"] == product
            )
            peak = max(per_month[m.strftime("%Y-%m")] for m in month_starts)
            for _ in range(max(6, 2 * peak + 2)):  # the spike at least doubles the busiest other month
                self._case(self.r.choice(eligible), self.day_in(month, month_end))
            self.planted["case_spikes"][product] = month.strftime("%Y-%m")

    def _case(self, item: dict[str, Any], day: dt.date) -> None:
        product = item["Product2Id"]
        order = self.order_by_id[item["OrderId"]]
        issue = self.r.choices(self.issue_ids, cum_weights=self.issue_cum_weights[product])[0]
        owners = self.r.choices(self.support, cum_weights=self.expertise_cum_weights[issue])
        # Agents differ in how often they pass cases on; the first case is always transferred.
        while (not self.case_info or self.r.random() < self.agent_transfer[owners[-1]]) and len(owners) < 3:
            owners.append(self.r.choice([a for a in self.support if a != owners[-1]]))
        created = self.moment(day)
        state = self.account_by_id[order["AccountId"]]["ShippingState"]
        hours = self.r.lognormvariate(math.log(self.agent_speed[owners[0]] * self.state_speed[state]), 0.6)
        closed = created + dt.timedelta(hours=float(hours) + 2 * (len(owners) - 1))
        is_open = closed.date() > TODAY or self.r.random() < 0.04
        self.keep_stream(0, 6, 6)  # the subject's and description's wording, once drawn here
        contact = order["BillToContactId"]
        case = self.add(
            "Case",
            {
                "Subject": "",
                "Description": "",
                "Status": self.r.choice(("New", "Working", "Escalated")) if is_open else "Closed",
                "Priority": self.r.choices(("High", "Medium", "Low"), weights=(2, 5, 3))[0],
                "Origin": self.r.choices(("Phone", "Email", "Web", "Chat"), weights=(3, 4, 2, 3))[0],
                "AccountId": order["AccountId"],
                "ContactId": contact,
                "OwnerId": owners[-1],
                "OrderItemId__c": item["Id"],
                "IssueId__c": issue,
                "CreatedDate": _iso(created),
                "ClosedDate": None if is_open else _iso(closed),
            },
        )
        row = self.rows["Case"][-1]
        words = self.text_rng("case", case)
        row["Subject"], row["Description"] = service_text.case_text(
            words, self.issue_text[issue][0], self.product_name[product]
        )
        self.case_info[case] = {
            "owners": owners,
            "created": created,
            "product": product,
            "issue": issue,
            "contact": contact,
            "bought": order["EffectiveDate"],
            "order": item["OrderId"],
            "account": order["AccountId"],
        }
        self._history(case, created, None if is_open else closed, owners)

    def _history(self, case: str, created: dt.datetime, closed: dt.datetime | None, owners: list[str]) -> None:
        def event(field: str, when: dt.datetime, old: str | None = None, new: str | None = None) -> None:
            self.add(
                "CaseHistory__c",
                {
                    "CaseId__c": case,
                    "Field__c": field,
                    "OldValue__c": old,
                    "NewValue__c": new,
                    "CreatedDate": _iso(when),
                },
            )

        event("Case Creation", created)
        when = created + dt.timedelta(minutes=self.r.randint(1, 30))
        event("Owner Assignment", when, None, owners[0])
        for previous, owner in zip(owners, owners[1:], strict=False):
            when += dt.timedelta(minutes=self.r.randint(20, 90))
            event("Owner Assignment", when, previous, owner)
        if closed is not None:
            event("Case Closed", max(closed, when + dt.timedelta(minutes=5)))

    def chats_and_emails(self) -> None:
        cases = list(self.case_info)
        n_chats = min(len(cases), self.n(800, 12))
        rules = self.policy.service_rules[:3]  # the first rules follow the original plan; the others `_new_rule_chat`
        chosen = self.r.sample(cases, n_chats)
        self.order_totals: dict[str, float] = defaultdict(float)
        for item in self.rows["OrderItem"]:
            self.order_totals[item["OrderId"]] += item["Quantity"] * item["UnitPrice"]

        # The first chat breaks the refund window, so it needs the case with the oldest purchase.
        def purchase_age(case: str) -> int:
            info = self.case_info[case]
            return (info["created"].date() - dt.date.fromisoformat(info["bought"])).days

        oldest = max(range(n_chats), key=lambda k: purchase_age(chosen[k]))
        chosen[0], chosen[oldest] = chosen[oldest], chosen[0]
        for j, case in enumerate(chosen):
            info = self.case_info[case]
            start = info["created"] + dt.timedelta(minutes=self.r.randint(2, 240))
            age = (start.date() - dt.date.fromisoformat(info["bought"])).days
            # The first chats cover every rule broken and kept; then every third chat raises a rule's situation.
            slot = j if j < 2 * len(rules) else j // 3
            rule = rules[slot % len(rules)] if j < 2 * len(rules) or j % 3 == 0 else None
            violate = rule is not None and (slot // len(rules)) % 2 == 0
            if rule is not None and rule.kind == "refund_window" and violate and age <= rule.limit:
                rule = rules[1]  # this purchase is too recent for a refund to break the window
            contact = self.contact_by_id[info["contact"]]
            if rule is None:
                situation = self._new_rule_chat(case, age)
            else:
                situation = self._first_rules_chat(case, rule, violate, age)
            if situation is not None:
                situation = dataclasses.replace(situation, bought=info["bought"], phone=contact["Phone"])
            customer = f"{contact['FirstName']} {contact['LastName']}"
            agent = self.user_name[info["owners"][0]]
            product, issue = self.product_name[info["product"]], self.issue_text[info["issue"]][0]
            body = service_text.support_chat(self.text_rng("chat", case), agent, customer, product, issue, situation)
            self.add(
                "LiveChatTranscript",
                {
                    "CaseId": case,
                    "AccountId": info["account"],
                    "ContactId": info["contact"],
                    "OwnerId": info["owners"][0],
                    "LiveChatVisitorId": f"visitor-{self.r.randrange(16**8):08x}",
                    "Body": body,
                    "StartTime": _iso(start),
                    "EndTime": _iso(start + dt.timedelta(minutes=float(self.r.lognormvariate(math.log(12), 0.5)))),
                },
            )
            if situation is not None:
                self._plant_chat(case, situation)
        self._emails(cases)

    def _first_rules_chat(self, case: str, rule: ServiceRule, violate: bool, age: int) -> service_text.ChatSituation:
        """The situation of a chat on one of the first three rules, planned as they always were."""
        if rule.kind == "refund_window":
            return service_text.ChatSituation(rule.kind, rule.limit, act=violate or age <= rule.limit, age_days=age)
        if rule.kind == "goodwill_credit":  # the credit is drawn from the main stream, as it always was
            if violate:
                credit = rule.limit + self.r.randint(50, 400)
            else:
                credit = max(25, rule.limit - self.r.randint(0, rule.limit // 2))
            return service_text.ChatSituation(rule.kind, rule.limit, act=True, amount=credit)
        # A kept identity check either withholds the number or gives it once the caller is verified.
        verified = not violate and self.text_rng("chat-plan", case).random() < 0.5
        return service_text.ChatSituation(rule.kind, rule.limit, act=violate or verified, verified=verified)

    def _new_rule_chat(self, case: str, age: int) -> service_text.ChatSituation | None:
        """Most chats outside the first rules' plan raise a later rule's situation, broken a bit over half the
        time; the rest are plain troubleshooting."""
        r = self.text_rng("chat-plan", case)
        if r.random() < 0.15:
            return None
        intent, coin = r.random() < 0.55, r.random() < 0.5
        total = self.order_totals[self.case_info[case]["order"]]
        # A rule judged on the purchase's age or the order's total can only be broken where the figures allow it.
        breakable = {
            "replacement_warranty": lambda limit: age > limit,
            "shipping_fee_waiver": lambda limit: total < limit,
        }
        rules = [
            rule
            for rule in self.policy.service_rules[3:]
            if not intent or breakable.get(rule.kind, bool)(rule.limit or 1)
        ]
        rule = r.choice(rules)
        situation = service_text.ChatSituation(rule.kind, rule.limit, act=intent or coin, age_days=age)
        if rule.kind == "shipping_fee_waiver":
            return dataclasses.replace(situation, amount=total)
        if rule.kind == "update_promise":
            sooner = [h for h in (1, 2, 4, 8, 12) if h < rule.limit]
            hours = r.choice(sooner) if intent else r.choice((rule.limit, rule.limit, 2 * rule.limit))
            return dataclasses.replace(situation, act=True, hours=hours)
        if rule.kind == "competitor_remarks":
            return dataclasses.replace(situation, act=intent, competitor=r.choice(self.competitors))
        if rule.kind in ("password_request", "remote_session_consent"):
            return dataclasses.replace(situation, act=intent)
        return situation

    def _plant_chat(self, case: str, s: service_text.ChatSituation) -> None:
        """Record whether the chat broke its rule, and the figure that decides it."""
        rule = next(r for r in self.policy.service_rules if r.kind == s.kind)
        figure = {
            "refund_window": s.age_days,
            "replacement_warranty": s.age_days,
            "goodwill_credit": s.amount,
            "shipping_fee_waiver": s.amount,
            "update_promise": s.hours,
        }.get(s.kind, 0)
        broken = {
            "refund_window": figure > rule.limit,
            "replacement_warranty": figure > rule.limit,
            "goodwill_credit": figure > rule.limit,
            "shipping_fee_waiver": figure < rule.limit,
            "update_promise": figure < rule.limit,
            "identity_check": not s.verified,
        }.get(s.kind, True)
        violated = s.act and broken
        self.planted["case_violations"][case] = rule.article_id if violated else None
        self.planted["chats"][case] = ChatFacts(
            article_id=rule.article_id, kind=s.kind, act=s.act, violated=violated, figure=figure, verified=s.verified
        )

    def _emails(self, cases: list[str]) -> None:
        n_emails = self.n(1200, 15)
        n_case_emails = int(n_emails * 0.8)
        for case in self.r.choices(cases, k=n_case_emails // 2):
            info = self.case_info[case]
            contact = self.contact_by_id[info["contact"]]
            customer = f"{contact['FirstName']} {contact['LastName']}"
            agent = info["owners"][-1]
            when = info["created"] + dt.timedelta(minutes=self.r.randint(5, 600))
            self.keep_stream(6)  # the customer's e-mail's wording, once drawn here
            pair = service_text.case_emails(
                self.text_rng("case-email", f"{case}:{len(self.rows['EmailMessage'])}"),
                customer,
                self.user_name[agent],
                self.product_name[info["product"]],
                self.issue_text[info["issue"]][0],
            )
            for incoming, (subject, body) in zip((True, False), pair, strict=True):
                self.add(
                    "EmailMessage",
                    {
                        "ParentId": case,
                        "RelatedToId": case,
                        "Subject": subject,
                        "TextBody": body,
                        "FromAddress": contact["Email"] if incoming else self.user_email[agent],
                        "FromName": customer if incoming else self.user_name[agent],
                        "ToIds": [agent] if incoming else [info["contact"]],
                        "Incoming": incoming,
                        "MessageDate": _iso(when + dt.timedelta(hours=0 if incoming else self.r.randint(1, 20))),
                    },
                )
        opps = self.rows["Opportunity"]
        for opp in self.r.choices(opps, k=n_emails - 2 * (n_case_emails // 2)):
            contact = self.contact_by_id[opp["ContactId"]]
            self.keep_stream(5)  # the follow-up's topic, once drawn here
            subject, body = service_text.opportunity_email(
                self.text_rng("opportunity-email", f"{opp['Id']}:{len(self.rows['EmailMessage'])}"),
                contact["FirstName"],
                self.user_name[opp["OwnerId"]],
                opp["Name"].split(" - ")[-1],
            )
            created = dt.datetime.fromisoformat(opp["CreatedDate"].rstrip("Z"))
            self.add(
                "EmailMessage",
                {
                    "ParentId": None,
                    "RelatedToId": opp["Id"],
                    "Subject": subject,
                    "TextBody": body,
                    "FromAddress": self.user_email[opp["OwnerId"]],
                    "FromName": self.user_name[opp["OwnerId"]],
                    "ToIds": [opp["ContactId"]],
                    "Incoming": False,
                    "MessageDate": _iso(
                        min(created + dt.timedelta(days=self.r.randint(1, 20)), dt.datetime.combine(TODAY, dt.time(17)))
                    ),
                },
            )

    # -- activities and calls --------------------------------------------------------------------------------------

    def activities(self) -> None:
        guide = self.policy.stage_guide.activities
        misprioritised = itertools.cycle((True, False, False, False, False))
        for opp in self.rows["Opportunity"]:
            stage = self.true_stage[opp["Id"]]
            k = STAGES.index(stage)
            created = dt.datetime.fromisoformat(opp["CreatedDate"].rstrip("Z")).date()
            last_day = min(TODAY, dt.date.fromisoformat(opp["CloseDate"]))
            for earlier in STAGES[:k]:
                if self.r.random() < 0.3:
                    self._task(opp, self.r.choice(guide[earlier]), "Completed", self.day_in(created, last_day))
            for subject in self.r.sample(guide[stage], 1 if self.r.random() < 0.7 else 2):
                if stage == "Closed":
                    self._task(opp, subject, "Completed", last_day)
                else:
                    status = self.r.choice(("Not Started", "In Progress", "Not Started"))
                    self._task(opp, subject, status, TODAY + dt.timedelta(days=self.r.randint(-10, 30)))
            if opp["Id"] not in self.planted["wrong_stage"] and next(misprioritised):
                # Misprioritised work on every fifth opportunity: not-started tasks that belong to another stage.
                for other in self.r.sample([s for s in STAGES if s != opp["StageName"]], self.r.randint(1, 2)):
                    self._task(
                        opp,
                        self.r.choice(guide[other]),
                        "Not Started",
                        TODAY + dt.timedelta(days=self.r.randint(0, 30)),
                    )
        target = self.n(2800, 30)
        cases = list(self.case_info)
        leads = self.rows["Lead"]
        while len(self.rows["Task"]) < target:
            if self.r.random() < 0.5:
                case = self.r.choice(cases)
                info = self.case_info[case]
                self.add(
                    "Task",
                    self._task_row(
                        "Follow up with customer on case",
                        info["owners"][-1],
                        case,
                        info["contact"],
                        "Completed",
                        info["created"].date(),
                    ),
                )
            else:
                lead = self.r.choice(leads)
                self.add(
                    "Task",
                    self._task_row(
                        "Call lead to qualify",
                        lead["OwnerId"],
                        None,
                        lead["Id"],
                        self.r.choice(("Not Started", "Completed")),
                        dt.date.fromisoformat(lead["CreatedDate"][:10]),
                    ),
                )
        self._events()

    def _task(self, opp: dict[str, Any], subject: str, status: str, due: dt.date) -> None:
        self.add("Task", self._task_row(subject, opp["OwnerId"], opp["Id"], opp["ContactId"], status, due))

    def _task_row(
        self, subject: str, owner: str, what: str | None, who: str | None, status: str, due: dt.date
    ) -> dict[str, Any]:
        return {
            "Subject": subject,
            "Description": f"{subject}.",
            "Status": status,
            "Priority": self.r.choices(("Low", "Medium", "High", "Urgent"), weights=(3, 5, 3, 1))[0],
            "ActivityDate": due.isoformat(),
            "WhatId": what,
            "WhoId": who,
            "OwnerId": owner,
            "CreatedDate": _iso(self.moment(min(due, TODAY) - dt.timedelta(days=self.r.randint(0, 20)))),
        }

    def _events(self) -> None:
        subjects = ("Discovery meeting", "Product demo", "Contract review", "Quarterly business review", "Site visit")
        for opp in self.r.choices(self.rows["Opportunity"], k=self.n(600, 10)):
            created = dt.datetime.fromisoformat(opp["CreatedDate"].rstrip("Z")).date()
            start = self.moment(self.day_in(created, TODAY + dt.timedelta(days=20)), 9, 16)
            minutes = self.r.choice((30, 45, 60, 90))
            self.add(
                "Event",
                {
                    "Subject": self.r.choice(subjects),
                    "Description": f"Meeting about {opp['Name']}.",
                    "Location": self.r.choice(("Video call", "Customer office", "Our office", "Phone")),
                    "StartDateTime": _iso(start),
                    "EndDateTime": _iso(start + dt.timedelta(minutes=minutes)),
                    "DurationInMinutes": minutes,
                    "IsAllDayEvent": False,
                    "WhatId": opp["Id"] if self.r.random() < 0.8 else opp["AccountId"],
                    "WhoId": opp["ContactId"],
                    "OwnerId": opp["OwnerId"],
                },
            )

    def calls(self) -> None:
        bant = self.policy.bant
        leads = self.r.sample(self.rows["Lead"], min(len(self.rows["Lead"]), self.n(420, 8)))
        for j, lead in enumerate(leads):
            created = dt.datetime.fromisoformat(lead["CreatedDate"].rstrip("Z"))
            n_calls = 1 if self.r.random() < 0.7 else 2
            plan = self.text_rng("bant", lead["Id"])
            qualifies = j % 16 == 0  # some leads qualify in any org, however small
            title = self._planned_title(plan, lead["Title"], qualifies)
            for k in range(n_calls):
                facts = self._drawn_bant(j, lead, title)
                if k == n_calls - 1:
                    facts = self._planned_bant(plan, facts, qualifies)
                when = min(
                    created + dt.timedelta(days=2 + 10 * k + self.r.randint(0, 5)),
                    dt.datetime.combine(TODAY, dt.time(16)),
                )
                self.keep_stream(4, 4, 3, 2)  # the approver's title and the order of the questions, once drawn here
                lead_name = f"{lead['FirstName']} {lead['LastName']}"
                body = calls.bant_call(
                    self.text_rng("lead-call", f"{lead['Id']}:{k}"),
                    self.user_name[lead["OwnerId"]],
                    lead_name,
                    lead["Company"],
                    facts,
                    bant.max_timeline_months,
                )
                transcript = self._transcript({"LeadId__c": lead["Id"]}, body, when)
                failures = self._bant_failures(facts)
                self.planted["calls"][transcript] = CallFacts(
                    bant_failures=failures,
                    budget=facts.budget,
                    timeline_months=facts.timeline_months,
                    competitor=facts.competitor,
                )
            lead["Title"], lead["Description"] = title, f"{title} at {lead['Company']}; interested in our products."
            self.planted["lead_bant_failures"][lead["Id"]] = failures
        opps = [o for o in self.rows["Opportunity"] if self.true_stage[o["Id"]] != "Qualification"]
        for opp in self.r.sample(opps, min(len(opps), self.n(300, 6))):
            topics = self.r.sample(calls.CLASSIC_SUBTOPICS, 3)
            sentiments = [self.r.random() < 0.5 for _ in topics]
            contact = self.contact_by_id[opp["ContactId"]]
            competitor = self.r.choice(self.competitors) if self.r.random() < 0.4 else None
            subtopics = self._with_newer_subtopics(opp["Id"], tuple(zip(topics, sentiments, strict=True)))
            body = calls.opportunity_call(
                self.text_rng("sales-call", opp["Id"]),
                self.user_name[opp["OwnerId"]],
                contact["FirstName"],
                opp["Name"].split(" - ")[-1],
                subtopics,
                competitor,
            )
            created = dt.datetime.fromisoformat(opp["CreatedDate"].rstrip("Z"))
            when = min(created + dt.timedelta(days=self.r.randint(3, 30)), dt.datetime.combine(TODAY, dt.time(16)))
            transcript = self._transcript({"OpportunityId__c": opp["Id"]}, body, when)
            self.planted["calls"][transcript] = CallFacts(subtopics=subtopics, competitor=competitor)

    def _planned_title(self, plan: random.Random, title: str, qualifies: bool) -> str:
        """The lead's title under its plan: a decision maker half of the time (Authority follows the title)."""
        decides = plan.random() < 0.5 or qualifies
        if decides == (title in self.policy.bant.decision_titles):
            return title
        return plan.choice(self.policy.bant.decision_titles if decides else text.NON_DECISION_TITLES)

    def _drawn_bant(self, j: int, lead: dict[str, Any], title: str) -> calls.BantFacts:
        """A call's budget, need, timeline and competitor as the main stream draws them (as it always has)."""
        bant = self.policy.bant
        others = ("Budget", "Need", "Timeline")
        failing = set() if j % 4 == 0 else set(self.r.sample(others, 1 if self.r.random() < 0.7 else 2))
        if j % 4 == 0 and lead["Title"] not in bant.decision_titles:
            lead["Title"] = self.r.choice(bant.decision_titles)  # the title is planned apart now (`_planned_title`)
        low, high = (
            (bant.min_budget // 5, bant.min_budget - 1000)
            if "Budget" in failing
            else (bant.min_budget, 4 * bant.min_budget)
        )
        budget = self.r.randint(low, high) // 1000 * 1000
        if "Need" not in failing:
            self.keep_stream(calls.LEGACY_PAIN_COUNT)  # the pain, once drawn here
        timeline = (
            self.r.randint(bant.max_timeline_months + 1, 24)
            if "Timeline" in failing
            else self.r.randint(1, bant.max_timeline_months)
        )
        return calls.BantFacts(
            budget=budget,
            title=title,
            has_authority=title in bant.decision_titles,
            need="Need" not in failing,
            timeline_months=timeline,
            competitor=self.r.choice(self.competitors) if self.r.random() < 0.3 else None,
        )

    def _planned_bant(self, plan: random.Random, drawn: calls.BantFacts, qualifies: bool) -> calls.BantFacts:
        """The latest call's facts under the lead's plan: Budget, Need and Timeline each fail half of the time (none
        for a lead that ``qualifies``), so every combination of failures is about as likely; a lead that qualifies
        often does so at the article's very limits."""
        bant = self.policy.bant
        budget_fails, need_fails, timeline_fails = (plan.random() < 0.5 and not qualifies for _ in range(3))
        budget, timeline = drawn.budget, drawn.timeline_months
        if budget_fails != (budget < bant.min_budget):
            high = bant.min_budget - 1000 if budget_fails else 4 * bant.min_budget
            budget = plan.randint(bant.min_budget // 5 if budget_fails else bant.min_budget, high) // 1000 * 1000
            budget = 0 if budget_fails and plan.random() < 0.3 else budget
        if timeline_fails != (timeline > bant.max_timeline_months):
            limit = bant.max_timeline_months
            timeline = plan.randint(limit + 1, 24) if timeline_fails else plan.randint(1, limit)
        if drawn.has_authority and not (budget_fails or need_fails or timeline_fails):
            edge = plan.choice(("budget", "timeline", "none"))
            budget = bant.min_budget if edge == "budget" else budget
            timeline = bant.max_timeline_months if edge == "timeline" else timeline
        return dataclasses.replace(drawn, budget=budget, need=not need_fails, timeline_months=timeline)

    def _bant_failures(self, facts: calls.BantFacts) -> tuple[str, ...]:
        """The BANT factors a call's facts fail under the org's BANT article, in BANT order."""
        bant = self.policy.bant
        failing = {
            "Budget": facts.budget < bant.min_budget,
            "Authority": not facts.has_authority,
            "Need": not facts.need,
            "Timeline": facts.timeline_months > bant.max_timeline_months,
        }
        return tuple(f for f in BANT_FACTORS if failing[f])

    def _with_newer_subtopics(self, opp: str, drawn: tuple[tuple[str, bool], ...]) -> tuple[tuple[str, bool], ...]:
        """The call's subtopics: each drawn classic one is swapped for a newer one 3 times in 8, so every subtopic
        comes up in about 3 calls of 8; the sentiment drawn for the slot stays."""
        r = self.text_rng("sales-call-topics", opp)
        unused = list(calls.NEWER_SUBTOPICS)
        subtopics = []
        for topic, positive in drawn:
            if unused and r.random() < 3 / 8:
                topic = unused.pop(r.randrange(len(unused)))
            subtopics.append((topic, positive))
        return tuple(subtopics)

    def _transcript(self, link: dict[str, str], body: str, when: dt.datetime) -> str:
        minutes = float(self.r.lognormvariate(math.log(18), 0.4))
        row = {
            "LeadId__c": None,
            "OpportunityId__c": None,
            **link,
            "Body__c": body,
            "CreatedDate": _iso(when),
            "EndTime__c": _iso(when + dt.timedelta(minutes=minutes)),
        }
        return self.add("VoiceCallTranscript__c", row)

    # -- assembly ---------------------------------------------------------------------------------------------------

    def build(self) -> World:
        self.users()
        self.territories()
        self.accounts()
        self.contacts()
        self.catalog()
        self.policies()
        self.knowledge()
        self.opportunities()
        self.contracts()
        self.quotes()
        self.leads()
        self.orders()
        self.issues()
        self.cases()
        self.chats_and_emails()
        self.activities()
        self.calls()
        self.plant_deals()
        planted = PlantedFacts(
            **self.planted,
            near_duplicate_products=self.near_duplicates,
            confidential_articles=self.confidential,
            competitors=self.competitors,
        )
        world = World.empty(self.schema, self.seed)
        with world.bulk_load():
            for object_name in insertion_order(world.schema):
                world.insert_many(object_name, self.rows[object_name])
            write_org_metadata(world, TODAY.isoformat(), self.policy, planted)
            world.conn.executemany(
                f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?, ?)",
                [(f"seq:{name}", str(count)) for name, count in sorted(self.counts.items())],
            )
        return world


def generate_crmarena_pro_b2b(seed: int, factor: float) -> World:
    """Build a CRMArena-Pro-shaped B2B org: same (seed, factor), same database bytes.

    Args:
        seed: Any integer.
        factor: Size multiplier; 1.0 gives about 30k rows (the original's size), 0.01 a few hundred rows
            with every object and every planted structure still present.
    """
    return _B2bOrg(seed, factor).build()
