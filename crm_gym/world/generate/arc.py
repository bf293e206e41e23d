"""Seeded generator of a realistic Arc org: clients, contacts, deals in every stage, quotes, contracts, files, notes.

The org has the neighbours that make CRM work hard: clusters of clients with look-alike names ("Acme Corp",
"Acme Corporation", "ACME Holdings"), contacts sharing last names, several deals per client with similar
names, several quote versions per deal. Faker draws names, companies, addresses and phones once into pools
(seeded); every other choice comes from one ``numpy.random.Generator(PCG64(seed))``, so the same
(seed, factor) gives the same database bytes in any process. The org's "today" is stored in ``_meta`` and
every date is relative to it; nothing reads the wall clock.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from faker import Faker

from crm_gym.config import DEFAULT_TODAY, TODAY_META_KEY
from crm_gym.world.ddl import META_TABLE
from crm_gym.world.world import World

Row = dict[str, Any]

# Rows of the default org (factor 1.0), and the floor that keeps a tiny org covering every case.
BASE_COUNTS = {
    "Client": 300,
    "Contact": 900,
    "Opportunity": 1200,
    "Quote": 1000,
    "Contract": 250,
    "Company": 60,
    "Document": 500,
    "Note": 800,
}
MIN_COUNTS = {
    "Client": 8,
    "Contact": 12,
    "Opportunity": 12,
    "Quote": 10,
    "Contract": 6,
    "Company": 6,
    "Document": 8,
    "Note": 10,
}

_ROOTS = (
    "Acme", "Globex", "Initech", "Vertex", "Summit", "Pinnacle", "Northwind", "Bluewater",
    "Redwood", "Ironclad", "Brightpath", "Silverline", "Keystone", "Horizon", "Evergreen", "Cobalt",
)  # fmt: skip
_VARIANTS = (
    "{r} Corp", "{r} Corporation", "{R} Holdings", "{r} Inc.", "{r} Group", "{r} Technologies",
    "{r} Solutions", "{r} International",
)  # fmt: skip
_INDUSTRIES = (
    "Manufacturing", "Healthcare", "Financial Services", "Retail", "Technology", "Education", "Logistics",
    "Energy", "Hospitality", "Telecommunications", "Construction", "Media",
)  # fmt: skip
_TITLES = (
    "CEO", "CFO", "CTO", "VP Sales", "VP Procurement", "Head of IT", "Operations Manager", "Procurement Lead",
    "Finance Director", "Office Manager", "IT Administrator", "Project Manager",
)  # fmt: skip
_THEMES = (
    "Cloud Migration", "Annual Renewal", "Support Upgrade", "Data Platform", "Security Audit", "Onboarding Package",
    "Hardware Refresh", "Analytics Suite", "Expansion", "Pilot Program", "Training Services", "Licensing",
)  # fmt: skip
_STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation", "Closed-Won", "Closed-Lost")
_STAGE_WEIGHTS = (0.18, 0.17, 0.17, 0.13, 0.20, 0.15)
_STAGE_PROBABILITY = {"Prospecting": 10, "Qualification": 25, "Proposal": 50, "Negotiation": 75}
_QUOTE_STAGE_WEIGHTS = {
    "Prospecting": 0.2,
    "Qualification": 0.5,
    "Proposal": 2.0,
    "Negotiation": 2.5,
    "Closed-Won": 2.0,
    "Closed-Lost": 1.5,
}
_QUOTE_STATUSES = ("Draft", "Sent", "Approved", "Rejected", "Canceled")
_LATEST_QUOTE_STATUS = {
    "Prospecting": ("Draft",),
    "Qualification": ("Draft",),
    "Proposal": ("Draft", "Sent"),
    "Negotiation": ("Sent", "Approved"),
    "Closed-Won": ("Approved",),
    "Closed-Lost": ("Rejected", "Canceled"),
}
_CONTRACT_STATUSES = ("Active", "Pending", "Expired")
_CONTRACT_WEIGHTS = (0.55, 0.15, 0.30)
_COMPANY_TYPES = ("Partner", "Vendor", "Competitor")
_DOC_KINDS = {
    "Opportunity": ("proposal", "requirements", "pricing", "meeting_notes", "rfp_response"),
    "Quote": ("quote", "price_breakdown", "terms"),
    "Contract": ("signed_contract", "sow", "amendment"),
    "Client": ("account_plan", "org_chart", "nda"),
}
_DOC_TYPE_WEIGHTS = {"Opportunity": 0.5, "Quote": 0.2, "Contract": 0.15, "Client": 0.15}
_EXTENSIONS = ("pdf", "docx", "xlsx", "pptx", "csv", "txt", "doc", "ppt", "key")
_EXTENSION_WEIGHTS = (0.45, 0.2, 0.12, 0.1, 0.04, 0.03, 0.03, 0.02, 0.01)
_NOTE_TYPE_WEIGHTS = {"Opportunity": 0.45, "Client": 0.2, "Contact": 0.15, "Quote": 0.1, "Contract": 0.1}
_NOTE_TEMPLATES = {
    "Opportunity": (
        "Call with {person}: budget confirmed, decision expected next month.",
        "{person} asked for a revised proposal with a multi-year discount.",
        "Competitor {rival} is also bidding on this deal.",
        "Legal review of the terms is in progress.",
    ),
    "Client": (
        "Quarterly business review held with {person}.",
        "Prefers invoices by email; billing contact is {person}.",
        "Evaluating {rival} as an alternative supplier.",
    ),
    "Contact": (
        "Prefers email over phone calls.",
        "Main decision maker for purchases above $50k.",
        "Met at the annual industry conference.",
    ),
    "Quote": ("Customer asked to extend the validity by two weeks.", "Discount approved by the sales director."),
    "Contract": ("Renewal reminder due 90 days before the end date.", "Signed copy received from {person}."),
}
_OPPORTUNITY_NOTES = (
    "Strong champion in the IT team.",
    "Pricing sensitivity: asked for a 10% discount.",
    "Needs security questionnaire before signature.",
    "Timeline depends on the customer's budget approval.",
)
_CONTACT_NOTES = ("Prefers email.", "Decision maker.", "Influencer on technical choices.", "Met at a trade show.")


@dataclass
class _Pools:
    """Values drawn from Faker once, in a fixed order, then sampled with the numpy generator."""

    companies: list[str]
    first_names: list[str]
    last_names: list[str]
    reps: list[str]
    addresses: list[str]
    phones: list[str]


def _unique(draw: Any, count: int) -> list[str]:
    # Order-preserving: a list plus a membership dict (never a set's iteration order).
    seen: dict[str, None] = {}
    while len(seen) < count:
        seen.setdefault(draw(), None)
    return list(seen)


def _draw_pools(seed: int, counts: dict[str, int]) -> _Pools:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    phone_formats = ("(###) ###-####", "###-###-####", "+1-###-###-####", "###.###.####")
    return _Pools(
        companies=_unique(fake.company, counts["Client"] + counts["Company"]),
        first_names=_unique(fake.first_name, 150),
        last_names=_unique(fake.last_name, max(6, counts["Contact"] // 6)),
        reps=_unique(fake.name, 12),
        addresses=[
            f"{fake.street_address()}, {fake.city()}, {fake.state_abbr()} {fake.postcode()}"
            for _ in range(counts["Client"] + counts["Company"])
        ],
        phones=[
            fake.numerify(phone_formats[i % len(phone_formats)]) for i in range(counts["Client"] + counts["Contact"])
        ],
    )


class _ArcOrg:
    """Builds the rows of one org; every random choice goes through ``self.rng``."""

    def __init__(self, world: World, seed: int, counts: dict[str, int], today: str) -> None:
        self.world = world
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.counts = counts
        self.today = dt.date.fromisoformat(today)
        self.pools = _draw_pools(seed, counts)
        self.rows: dict[str, list[Row]] = {}
        self.client_popularity: list[float] = []  # cumulative weights: a few clients have many records
        self._index: dict[str, dict[str, Row]] = {}

    # -- sampling helpers ---------------------------------------------------------------------------

    def pick(self, options: Sequence[Any], weights: Sequence[float] | None = None) -> Any:
        if weights is None:
            return options[int(self.rng.integers(len(options)))]
        return options[self.weighted_index(list(itertools.accumulate(weights)))]

    def weighted_index(self, cumulative: Sequence[float]) -> int:
        """An index drawn in proportion to the weights whose running sums are ``cumulative``."""
        at = bisect.bisect_right(cumulative, float(self.rng.random()) * cumulative[-1])
        return min(at, len(cumulative) - 1)  # guard against rounding at the very top

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def days(self, low: int, high: int) -> int:
        return int(self.rng.integers(low, high + 1))

    def date(self, offset_days: int) -> str:
        return (self.today + dt.timedelta(days=offset_days)).isoformat()

    def stamp(self, offset_days: int) -> str:
        hour, minute = self.days(8, 18), self.days(0, 59)
        return f"{self.date(offset_days)}T{hour:02d}:{minute:02d}:00"

    def covering(self, values: Sequence[str], weights: Sequence[float], n: int) -> list[str]:
        """``n`` values: each value once first (so a tiny org has them all), then weighted draws, shuffled."""
        chosen = list(values[:n]) + [self.pick(values, weights) for _ in range(n - len(values))]
        return [chosen[i] for i in self.rng.permutation(n)]

    def new_rows(self, object_name: str) -> list[Row]:
        pk = self.world.schema.object(object_name).primary_key
        self.rows[object_name] = [{pk: self.world.new_id(object_name)} for _ in range(self.counts[object_name])]
        return self.rows[object_name]

    # -- objects ------------------------------------------------------------------------------------

    def client_names(self) -> list[str]:
        n = self.counts["Client"]
        roots = list(_ROOTS) + [name for name in self.pools.last_names if name not in _ROOTS]
        clustered: list[str] = []
        for root in roots[: max(2, n // 25)]:
            size = self.days(2, 3)
            for index in self.rng.choice(len(_VARIANTS), size=size, replace=False):
                clustered.append(_VARIANTS[int(index)].format(r=root, R=root.upper()))
        names = (clustered[: n // 2] + self.pools.companies)[:n]
        return [names[i] for i in self.rng.permutation(n)]

    def clients(self) -> None:
        emails: dict[str, None] = {}
        statuses = self.covering(("Active", "Prospect", "Inactive"), (0.6, 0.25, 0.15), self.counts["Client"])
        for row, name, status in zip(self.new_rows("Client"), self.client_names(), statuses, strict=True):
            row.update(
                name=name,
                industry=self.pick(_INDUSTRIES),
                email=_unique_email(f"{self.pick(('info', 'contact', 'sales', 'office'))}@{_domain(name)}", emails)
                if self.chance(0.92)
                else None,
                phone=self.pick(self.pools.phones),
                address=self.pick(self.pools.addresses),
                status=status,
                created_date=self.stamp(-self.days(60, 1500)),
                owner=self.pick(self.pools.reps),
            )
        self.client_popularity = list(itertools.accumulate(self.rng.lognormal(0.0, 0.8, self.counts["Client"])))

    def client_index(self) -> int:
        return self.weighted_index(self.client_popularity)

    def contacts(self) -> None:
        clients = self.rows["Client"]
        emails: dict[str, None] = {}
        for i, row in enumerate(self.new_rows("Contact")):
            client = clients[i] if i < len(clients) else clients[self.client_index()]
            first, last = self.pick(self.pools.first_names), self.pick(self.pools.last_names)
            email = _unique_email(f"{_local(first)}.{_local(last)}@{_domain(client['name'])}", emails)
            row.update(
                first_name=first,
                last_name=last,
                client_id=client["client_id"],
                title=self.pick(_TITLES),
                email=email if self.chance(0.88) else None,
                phone=self.pick(self.pools.phones) if self.chance(0.7) else None,
                notes=self.pick(_CONTACT_NOTES) if self.chance(0.2) else None,
            )

    def opportunities(self) -> None:
        clients = self.rows["Client"]
        stages = self.covering(_STAGES, _STAGE_WEIGHTS, self.counts["Opportunity"])
        for row, stage in zip(self.new_rows("Opportunity"), stages, strict=True):
            client = clients[self.client_index()]
            closed = stage.startswith("Closed")
            amount = float(np.clip(self.rng.lognormal(np.log(40_000), 1.0), 500, 5_000_000))
            if stage in _STAGE_PROBABILITY:
                probability = _STAGE_PROBABILITY[stage] + 5 * self.days(-1, 1)
            else:
                probability = 99 if stage == "Closed-Won" else 1
            row.update(
                name=f"{client['name']} - {self.pick(_THEMES)}",
                client_id=client["client_id"],
                stage=stage,
                amount=round(amount / 100) * 100.0,
                close_date=self.date(-self.days(1, 540) if closed else self.days(7, 270)),
                owner=client["owner"] if self.chance(0.8) else self.pick(self.pools.reps),
                probability=probability,
                notes=self.pick(_OPPORTUNITY_NOTES) if self.chance(0.35) else None,
            )

    def quotes(self) -> None:
        opportunities = self.rows["Opportunity"]
        weights = np.array([_QUOTE_STAGE_WEIGHTS[o["stage"]] for o in opportunities])
        drawn = self.rng.choice(len(opportunities), size=self.counts["Quote"], p=weights / weights.sum())
        picks = sorted(int(i) for i in drawn)
        latest = {index: n for n, index in enumerate(picks)}  # the last quote drawn for each deal
        forced = self.covering(_QUOTE_STATUSES, (1,) * 5, len(_QUOTE_STATUSES))
        versions: dict[int, int] = {}
        for n, (row, index) in enumerate(zip(self.new_rows("Quote"), picks, strict=True)):
            opportunity = opportunities[index]
            versions[index] = versions.get(index, 0) + 1
            if n < len(forced):
                status = forced[n]
            elif latest[index] == n:
                status = self.pick(_LATEST_QUOTE_STATUS[opportunity["stage"]])
            else:
                status = self.pick(("Rejected", "Canceled", "Draft"), (0.5, 0.35, 0.15))
            created = min(0, (dt.date.fromisoformat(opportunity["close_date"]) - self.today).days - self.days(10, 90))
            row.update(
                opportunity_id=opportunity["opportunity_id"],
                version=versions[index],
                amount=round(opportunity["amount"] * float(self.rng.uniform(0.8, 1.05)), 2),
                status=status,
                valid_until=self.date(created + self.pick((30, 60, 90))),
                created_date=self.stamp(created),
                quote_prefix=f"Q{self.date(created)[:4]}-{n + 1:05d}",
            )

    def contracts(self) -> None:
        won = [o for o in self.rows["Opportunity"] if o["stage"] == "Closed-Won"]
        unsigned = [won[i] for i in self.rng.permutation(len(won))]  # one contract per won deal at most
        statuses = self.covering(_CONTRACT_STATUSES, _CONTRACT_WEIGHTS, self.counts["Contract"])
        for row, status in zip(self.new_rows("Contract"), statuses, strict=True):
            term = self.pick((365, 730, 1095))
            start = {
                "Active": -self.days(0, term - 1),
                "Pending": self.days(5, 60),
                "Expired": -self.days(1, 700) - term,
            }[status]
            deal = unsigned.pop() if unsigned and self.chance(0.8) else None
            client = self.rows["Client"][self.client_index()] if deal is None else None
            row.update(
                client_id=deal["client_id"] if deal else client["client_id"],
                opportunity_id=deal["opportunity_id"] if deal else None,
                start_date=self.date(start),
                end_date=self.date(start + term - 1),
                value=deal["amount"] if deal else round(float(self.rng.lognormal(np.log(30_000), 0.8)), 2),
                status=status,
                document_url=f"https://docs.arc-crm.example/contracts/{row['contract_id']}.pdf"
                if self.chance(0.85)
                else None,
            )

    def companies(self) -> None:
        names = self.pools.companies[self.counts["Client"] :]
        types = self.covering(_COMPANY_TYPES, (0.35, 0.35, 0.3), self.counts["Company"])
        for i, (row, kind) in enumerate(zip(self.new_rows("Company"), types, strict=True)):
            row.update(
                name=names[i],
                type=kind,
                industry=self.pick(_INDUSTRIES),
                address=self.pools.addresses[self.counts["Client"] + i],
                contacts=[self.person() for _ in range(self.days(1, 3))],
            )

    def person(self) -> str:
        return f"{self.pick(self.pools.first_names)} {self.pick(self.pools.last_names)}"

    def attach_to(self, weights: dict[str, float]) -> tuple[str, Row]:
        entity_type = self.pick(list(weights), list(weights.values()))
        return entity_type, self.pick(self.rows[entity_type])

    def label(self, entity_type: str, record: Row) -> str:
        client_id = record.get("client_id")
        if entity_type == "Quote":
            client_id = self._opportunity(record["opportunity_id"])["client_id"]
        client = record if entity_type == "Client" else self._client(client_id)
        return re.sub(r"[^A-Za-z0-9]+", "_", client["name"]).strip("_")

    def documents(self) -> None:
        for row in self.new_rows("Document"):
            entity_type, record = self.attach_to(_DOC_TYPE_WEIGHTS)
            file_name = (
                f"{self.label(entity_type, record)}_{self.pick(_DOC_KINDS[entity_type])}_v{self.days(1, 4)}."
                f"{self.pick(_EXTENSIONS, _EXTENSION_WEIGHTS)}"
            )
            pk = self.world.schema.object(entity_type).primary_key
            row.update(
                entity_type=entity_type,
                entity_id=record[pk],
                file_name=file_name,
                uploaded_by=self.pick(self.pools.reps),
                uploaded_at=self.stamp(-self.days(0, 400)),
                file_url=f"https://files.arc-crm.example/{row['document_id']}/{file_name}",
            )

    def notes(self) -> None:
        rivals = [c["name"] for c in self.rows["Company"] if c["type"] == "Competitor"]
        for row in self.new_rows("Note"):
            entity_type, record = self.attach_to(_NOTE_TYPE_WEIGHTS)
            pk = self.world.schema.object(entity_type).primary_key
            row.update(
                entity_type=entity_type,
                entity_id=record[pk],
                content=self.pick(_NOTE_TEMPLATES[entity_type]).format(person=self.person(), rival=self.pick(rivals)),
                created_by=self.pick(self.pools.reps),
                created_at=self.stamp(-self.days(0, 400)),
            )

    def _client(self, client_id: str) -> Row:
        return self._by_id("Client")[client_id]

    def _opportunity(self, opportunity_id: str) -> Row:
        return self._by_id("Opportunity")[opportunity_id]

    def _by_id(self, object_name: str) -> dict[str, Row]:
        if object_name not in self._index:
            pk = self.world.schema.object(object_name).primary_key
            self._index[object_name] = {r[pk]: r for r in self.rows[object_name]}
        return self._index[object_name]


def _local(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower()) or "contact"


def _domain(company: str) -> str:
    return re.sub(r"[^a-z0-9]", "", company.lower()) + ".com"


def _unique_email(email: str, taken: dict[str, None]) -> str:
    local, domain = email.split("@")
    candidate, n = email, 1
    while candidate in taken:
        n += 1
        candidate = f"{local}{n}@{domain}"
    taken[candidate] = None
    return candidate


def arc_counts(factor: float) -> dict[str, int]:
    """Rows per object for a size factor (1.0 is the default org; a tiny org keeps `MIN_COUNTS`)."""
    return {name: max(MIN_COUNTS[name], round(base * factor)) for name, base in BASE_COUNTS.items()}


def generate_arc(seed: int, factor: float) -> World:
    """A seeded Arc org of about ``factor`` times the default size (300 clients ... 800 notes).

    >>> world = generate_arc(seed=1, factor=0.02)
    >>> world.count("Client"), world.integrity_violations()
    (8, [])
    """
    counts = arc_counts(factor)
    world = World.empty("arc", seed)
    org = _ArcOrg(world, seed, counts, DEFAULT_TODAY)
    with world.bulk_load():
        world.conn.execute(f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?, ?)", (TODAY_META_KEY, DEFAULT_TODAY))
        for build in (org.clients, org.contacts, org.opportunities, org.quotes, org.contracts, org.companies):
            build()
        org.documents()  # documents and notes point at the rows built above
        org.notes()
        for name in BASE_COUNTS:
            world.insert_many(name, org.rows[name])
    return world
