"""The org's cases and their owner assignments, read once, and the counts the service questions rank.

The service generators ask the same questions of many date ranges: every period a question may name, under every
reading of it (`periods.Period.readings`). Counting in memory keeps that cheap; the oracle's reference queries
state the same counts in SQL, and the tests recount them independently.

A range is a half-open ``(start, stop)`` pair of dates; a record falls in it when the date part of its stamp does.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from weakref import WeakKeyDictionary

from crm_gym.world.world import World

Range = tuple[dt.date, dt.date]
Basis = Literal["created", "closed"]
"""What puts a case in a range: its creation (the suite's rule) or its closing (a reading a question's text may leave
open)."""


@dataclass(frozen=True)
class Assignment:
    """One 'Owner Assignment' row of a case's history: who passed the case on (None for the first) and to whom."""

    from_agent: str | None
    to_agent: str


@dataclass(frozen=True)
class CaseRecord:
    """A case with what the service questions read of it."""

    id: str
    created: str
    closed: str | None
    status: str
    owner: str
    account: str
    product: str
    issue: str
    assignments: tuple[Assignment, ...]

    @property
    def handle_days(self) -> float | None:
        """Days from creation to closing for a closed case never transferred (the handle time policy), else None."""
        if self.status != "Closed" or self.closed is None or len(self.assignments) != 1:
            return None
        opened, closed = (dt.datetime.fromisoformat(s.replace("Z", "+00:00")) for s in (self.created, self.closed))
        return (closed - opened).total_seconds() / 86400


@dataclass(frozen=True)
class AgentStats:
    """Per agent over the cases of a range: cases managed, transfers made, and handle times (days) of the cases
    the handle time policy counts."""

    managed: Counter[str]
    transfers: Counter[str]
    handle_days: dict[str, list[float]]


def _day(stamp: str | None) -> str:
    return (stamp or "")[:10]


class CaseBook:
    """The cases of one org, ordered by when they were created and when they were closed."""

    def __init__(self, world: World) -> None:
        """Read every case, its product (through its order item) and its owner assignments."""
        history: dict[str, list[Assignment]] = defaultdict(list)
        for case, old, new in world.conn.execute(
            "SELECT CaseId__c, OldValue__c, NewValue__c FROM CaseHistory__c "
            "WHERE Field__c = 'Owner Assignment' ORDER BY CreatedDate, Id"
        ):
            history[case].append(Assignment(old, new))
        rows = world.conn.execute(
            "SELECT c.Id, c.CreatedDate, c.ClosedDate, c.Status, c.OwnerId, c.AccountId, oi.Product2Id, c.IssueId__c "
            'FROM "Case" c JOIN OrderItem oi ON oi.Id = c.OrderItemId__c ORDER BY c.CreatedDate, c.Id'
        ).fetchall()
        self.cases: tuple[CaseRecord, ...] = tuple(
            CaseRecord(*row[:8], assignments=tuple(history[row[0]])) for row in rows
        )
        by_closed = sorted((c for c in self.cases if c.closed), key=lambda c: (c.closed, c.id))
        self._ordered: dict[str, tuple[tuple[CaseRecord, ...], list[str]]] = {
            "created": (self.cases, [_day(c.created) for c in self.cases]),
            "closed": (tuple(by_closed), [_day(c.closed) for c in by_closed]),
        }
        self._agents: dict[tuple[Range, Basis], AgentStats] = {}

    @property
    def first_day(self) -> dt.date:
        """The day the org's first case was created: no question asks about a period before it."""
        return dt.date.fromisoformat(_day(self.cases[0].created))

    def in_range(self, span: Range, basis: Basis = "created") -> Sequence[CaseRecord]:
        """The cases created (or closed) within ``span``, oldest first (by that stamp)."""
        ordered, stamps = self._ordered[basis]
        return ordered[bisect_left(stamps, span[0].isoformat()) : bisect_left(stamps, span[1].isoformat())]

    def months(self, span: Range, field: str, value: str, basis: Basis = "created") -> Counter[str]:
        """Cases per month ("YYYY-MM", by the same stamp) of the cases in ``span`` whose ``field`` is ``value``
        (``field``: "product" or "account")."""
        return Counter(
            ((c.closed if basis == "closed" else c.created) or "")[:7]
            for c in self.in_range(span, basis)
            if getattr(c, field) == value
        )

    def issues(self, span: Range, products: Sequence[str], basis: Basis = "created") -> Counter[str]:
        """Cases per issue of the cases in ``span`` about one of ``products``."""
        return Counter(c.issue for c in self.in_range(span, basis) if c.product in products)

    def agents(self, span: Range, basis: Basis = "created") -> AgentStats:
        """What each agent did with the cases created (or closed) in ``span``: every agent a case was ever assigned
        to managed it once; each assignment away from an agent is a transfer of theirs; handle times are those of
        the cases the handle time policy counts."""
        key = (span, basis)
        if key not in self._agents:
            managed: Counter[str] = Counter()
            transfers: Counter[str] = Counter()
            handle: dict[str, list[float]] = defaultdict(list)
            for case in self.in_range(span, basis):
                managed.update({a.to_agent for a in case.assignments})
                transfers.update(a.from_agent for a in case.assignments if a.from_agent)
                if case.handle_days is not None:
                    handle[case.owner].append(case.handle_days)
            self._agents[key] = AgentStats(managed, transfers, dict(handle))
        return self._agents[key]


_BOOKS: WeakKeyDictionary[World, CaseBook] = WeakKeyDictionary()


def case_book(world: World) -> CaseBook:
    """The case book of ``world``, read on first use (generators read pristine orgs, which never change)."""
    if world not in _BOOKS:
        _BOOKS[world] = CaseBook(world)
    return _BOOKS[world]
