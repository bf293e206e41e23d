"""The seed book of the `arc` suite: families of look-alike clients with their contacts, deals, quotes and files.

Every case runs in a small generated Arc org (the background: other clients, deals and files) plus the records of
one *family*: three clients with confusable names ("Halvorsen Marine", "Halvorsen Marine Services", "Halvorsen
Maritime Group"), each with two contacts (sharing last names across the family), three deals in different stages
(the first deal of each client has the same theme, so deal names differ only by the client), quote versions on
the later-stage deals, a contract on each won deal, one document and one note. Everything is derived from the
tables below by fixed formulas: same code, same records, same ids.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from crm_gym.tasks.model import RecordInsert, SeedStateOrg
from crm_gym.world.world import World

PROFILE = "arc"
# The background org: small enough to build in a second, big enough to add noise to every search.
BASE_SEED = 11
BASE_SCALE = 0.02
# The CRM's "today" (the generated org stores config.DEFAULT_TODAY); every date in the book is relative to it.
TODAY = date(2025, 1, 15)

STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation", "Closed-Won", "Closed-Lost")
OPEN_STAGES = STAGES[:4]
_PROBABILITY = {"Prospecting": 10, "Qualification": 25, "Proposal": 50, "Negotiation": 70}
REPS = ("Dana Whitfield", "Marcus Oyelaran", "Priya Raman", "Tomas Lindgren")
_THEMES = (
    "Fleet Tracking", "Cloud Migration", "Support Renewal", "Data Warehouse", "Security Review", "Field Service App",
    "Analytics Rollout", "Hardware Refresh", "Training Program",
)  # fmt: skip
_FIRST_NAMES = ("Maria", "Jonas", "Aisha", "Kenji", "Elena", "Samuel")
_TITLES = ("VP Procurement", "Head of IT", "CFO", "Operations Manager", "Finance Director", "CTO")


@dataclass(frozen=True)
class FamilySpec:
    """One family of look-alike clients: their names, statuses, and what they share."""

    key: str
    names: tuple[str, str, str]
    statuses: tuple[str, str, str]
    industry: str
    city: str
    last_names: tuple[str, str]


FAMILIES = (
    FamilySpec("halvorsen", ("Halvorsen Marine", "Halvorsen Marine Services", "Halvorsen Maritime Group"),
               ("Active", "Prospect", "Inactive"), "Logistics", "Bergen Street, Seattle, WA", ("Berg", "Nakamura")),
    FamilySpec("brightwater", ("Brightwater Analytics", "Brightwater Analytics Ltd", "Bright Water Labs"),
               ("Active", "Active", "Prospect"), "Technology", "Harbor Road, Austin, TX", ("Osei", "Lindqvist")),
    FamilySpec("quillon", ("Quillon Health", "Quillon Health Partners", "Quillon Medical Supply"),
               ("Active", "Prospect", "Active"), "Healthcare", "Elm Avenue, Denver, CO", ("Moreau", "Patel")),
    FamilySpec("okafor", ("Okafor Foods", "Okafor Foods International", "Okafor Farms"),
               ("Active", "Active", "Inactive"), "Retail", "Market Street, Atlanta, GA", ("Okafor", "Silva")),
    FamilySpec("tesseract", ("Tesseract Robotics", "Tesseract Robotics Europe", "Tesserack Robotics"),
               ("Active", "Prospect", "Prospect"), "Manufacturing", "Mill Lane, Pittsburgh, PA", ("Novak", "Kim")),
    FamilySpec("marigold", ("Marigold Hotels", "Marigold Hotel Group", "Marigold Hospitality Partners"),
               ("Active", "Active", "Prospect"), "Hospitality", "Ocean Drive, Miami, FL", ("Reyes", "Andersen")),
    FamilySpec("kestrel", ("Kestrel Energy", "Kestrel Energy Storage", "Kestrel Power Systems"),
               ("Active", "Prospect", "Active"), "Energy", "Prairie Way, Tulsa, OK", ("Haddad", "Walsh")),
    FamilySpec("lindqvist", ("Lindqvist Construction", "Lindqvist Construction AB", "Lindquist Builders"),
               ("Active", "Inactive", "Active"), "Construction", "Quarry Road, Minneapolis, MN", ("Eriksen", "Duarte")),
)  # fmt: skip


def uid(key: str) -> str:
    """A fixed UUID for a book record (its own namespace, so it never meets a generated or created id)."""
    return str(uuid.UUID(bytes=hashlib.sha256(f"arc-suite:{key}".encode()).digest()[:16], version=4))


def day(offset: int) -> str:
    """The ISO date ``offset`` days from the book's today."""
    return (TODAY + timedelta(days=offset)).isoformat()


def _domain(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum()) + ".com"


@dataclass
class Family:
    """The records of one family, by object, in insertion order; ``extra`` records may be appended for a case."""

    spec: FamilySpec
    index: int
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for obj in ("Client", "Contact", "Opportunity", "Quote", "Contract", "Document", "Note"):
            self.records[obj] = []
        for j in range(3):
            self._client(j)

    # -- construction ---------------------------------------------------------------------------------

    def _client(self, j: int) -> None:
        s, c = self.spec, self.index
        client_id = uid(f"{s.key}:client:{j}")
        self.records["Client"].append(
            {
                "client_id": client_id,
                "name": s.names[j],
                "industry": s.industry,
                "email": f"{('info', 'sales', 'office')[j]}@{_domain(s.names[j])}",
                "phone": f"+1-555-01{c}{j}-{4200 + 17 * c + 5 * j}",
                "address": f"{100 + 37 * j + 11 * c} {s.city}",
                "status": s.statuses[j],
                "created_date": f"{day(-400 - 90 * j - 13 * c)}T10:00:00",
                "owner": REPS[(c + j) % len(REPS)],
            }
        )
        for k, last in enumerate(s.last_names):
            first = _FIRST_NAMES[(c + 2 * j + k) % len(_FIRST_NAMES)]
            self.records["Contact"].append(
                {
                    "contact_id": uid(f"{s.key}:contact:{j}:{k}"),
                    "first_name": first,
                    "last_name": last,
                    "client_id": client_id,
                    "title": _TITLES[(c + j + 3 * k) % len(_TITLES)],
                    "email": f"{first.lower()}.{last.lower()}@{_domain(s.names[j])}",
                    "phone": f"+1-555-02{c}{j}-{3100 + 7 * c + 3 * j + k}",
                }
            )
        for k in range(3):
            self._deal(j, k, client_id)

    def _deal(self, j: int, k: int, client_id: str) -> None:
        s, c = self.spec, self.index
        stage = STAGES[(3 * j + k + c) % len(STAGES)]
        theme = _THEMES[(c + (0 if k == 0 else 3 * j + k)) % len(_THEMES)]
        closed = stage not in OPEN_STAGES
        oid = uid(f"{s.key}:opp:{j}:{k}")
        amount = 20_000.0 + ((31 * c + 17 * j + 13 * k) % 40) * 5_000 + 1_000 * j
        self.records["Opportunity"].append(
            {
                "opportunity_id": oid,
                "name": f"{s.names[j]} - {theme}",
                "client_id": client_id,
                "stage": stage,
                "amount": amount,
                "close_date": day(-20 - 9 * k - 5 * c if closed else 35 + 23 * k + 4 * c + 6 * j),
                "owner": REPS[(c + j + k) % len(REPS)],
                "probability": _PROBABILITY.get(stage),
            }
        )
        versions = {"Proposal": 1, "Negotiation": 2, "Closed-Won": 2, "Closed-Lost": 1}.get(stage, 0)
        latest_status = {"Proposal": "Sent", "Negotiation": "Sent", "Closed-Won": "Approved", "Closed-Lost": "Rejected"}
        for v in range(1, versions + 1):
            self.records["Quote"].append(
                {
                    "quote_id": uid(f"{s.key}:quote:{j}:{k}:{v}"),
                    "opportunity_id": oid,
                    "version": v,
                    "amount": round(amount * (0.92 + 0.04 * v), 2),
                    "status": latest_status[stage] if v == versions else "Rejected",
                    "valid_until": day(-60 + 30 * v + 7 * k),
                    "created_date": f"{day(-90 + 30 * v - 3 * k)}T09:30:00",
                    "quote_prefix": f"Q-{s.key[:4].upper()}{j}{k}",
                }
            )
        if stage == "Closed-Won":
            self.records["Contract"].append(
                {
                    "contract_id": uid(f"{s.key}:contract:{j}:{k}"),
                    "client_id": client_id,
                    "opportunity_id": oid,
                    "start_date": day(-15 - 9 * k),
                    "end_date": day(350 - 9 * k),
                    "value": amount,
                    "status": "Active",
                    "document_url": f"https://files.example.com/contracts/{s.key}-{j}{k}.pdf",
                }
            )
        if k == 0:
            self.records["Document"].append(
                {
                    "document_id": uid(f"{s.key}:doc:{j}"),
                    "entity_type": "Opportunity",
                    "entity_id": oid,
                    "file_name": f"{s.key}_{j}_requirements.pdf",
                    "uploaded_by": REPS[(c + j) % len(REPS)],
                    "uploaded_at": f"{day(-30 - j)}T11:00:00",
                }
            )
            self.records["Note"].append(
                {
                    "note_id": uid(f"{s.key}:note:{j}"),
                    "entity_type": "Opportunity",
                    "entity_id": oid,
                    "content": f"Kick-off call held; {s.last_names[0]} wants a decision before quarter end.",
                    "created_by": REPS[(c + j) % len(REPS)],
                    "created_at": f"{day(-28 - j)}T15:00:00",
                }
            )

    # -- lookups ----------------------------------------------------------------------------------------

    @property
    def clients(self) -> list[dict[str, Any]]:
        """The three clients, in the order of the spec's names (the first is the family's main client)."""
        return self.records["Client"]

    def deals(self, j: int) -> list[dict[str, Any]]:
        """The three deals of client ``j``."""
        cid = self.clients[j]["client_id"]
        return [o for o in self.records["Opportunity"] if o["client_id"] == cid]

    def deal(self, j: int, *, stages: tuple[str, ...] = STAGES, nth: int = 0) -> dict[str, Any]:
        """The ``nth`` deal of client ``j`` whose stage is one of ``stages``."""
        return [o for o in self.deals(j) if o["stage"] in stages][nth]

    def quotes(self, opportunity_id: str) -> list[dict[str, Any]]:
        """The quotes of one deal, by version."""
        return [q for q in self.records["Quote"] if q["opportunity_id"] == opportunity_id]

    def contacts(self, j: int) -> list[dict[str, Any]]:
        """The two contacts of client ``j``."""
        cid = self.clients[j]["client_id"]
        return [c for c in self.records["Contact"] if c["client_id"] == cid]

    def org(self, extra: tuple[RecordInsert, ...] = ()) -> SeedStateOrg:
        """The seed state of a case in this family: the background org, the family's records, then ``extra``."""
        inserts = [RecordInsert(object=obj, values=values) for obj, rows in self.records.items() for values in rows]
        return SeedStateOrg(profile=PROFILE, seed=BASE_SEED, scale=BASE_SCALE, records=(*inserts, *extra))

    @cached_property
    def world(self) -> World:
        """The family's seed world (built once), for reference queries that compute gold answers."""
        return self.org().build()


def families() -> list[Family]:
    """Every family of the book, freshly built (cases never share mutable records)."""
    return [Family(spec, i) for i, spec in enumerate(FAMILIES)]
