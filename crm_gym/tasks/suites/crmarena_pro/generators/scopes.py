"""Populations a ranking question may compare, described the way a manager would: everyone, a territory's reps or
states named by the territory's name, or those of the territory a named account or a named rep belongs to.

Territories cover the states listed in their description and have the reps assigned to them. Names that look alike
are common in the org (the Great Lakes and Great Plains territories, Martin Industries and Martin Technologies,
reps sharing a first name), so a careless match finds the wrong population.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crm_gym.tasks.model import ToolCall
from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext
from crm_gym.tasks.suites.crmarena_pro.generators.common import sql_literal

Entity = Literal["agent", "state"]
ScopeKind = Literal["all", "territory", "account", "rep"]
SCOPED_KINDS: tuple[ScopeKind, ...] = ("territory", "account", "rep")


@dataclass(frozen=True)
class Scope:
    """Whom a question compares.

    Attributes:
        kind: "all", "territory" (named by its name), "account" (the territory covering a named account's billing
            state) or "rep" (the territory of a named rep).
        territory: The territory's (Id, Name, Description), unless ``kind`` is "all".
        named: The record the question names: the account's (Id, Name, BillingState), the rep's (Id, first name,
            last name); empty otherwise.
        members: The territory's reps (user ids).
    """

    kind: ScopeKind
    territory: tuple[str, str, str] = ("", "", "")
    named: tuple[str, str, str] = ("", "", "")
    members: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Identifies the scope within a question's key."""
        return self.named[0] or self.territory[0] or "all"

    @property
    def states(self) -> tuple[str, ...]:
        """The states the territory covers."""
        return tuple(self.territory[2].split(",")) if self.territory[2] else ()

    def population(self, entity: Entity) -> tuple[str, ...] | None:
        """The keys compared (reps or states), or None for everyone."""
        if self.kind == "all":
            return None
        return self.members if entity == "agent" else self.states

    def metadata(self) -> dict[str, str | None]:
        """The scope as task metadata: its kind, its territory and the record it names (ids)."""
        return {"scope": self.kind, "territory": self.territory[0] or None, "named": self.named[0] or None}

    def names(self) -> dict[str, str]:
        """What a question may call the scope's records: ``territory`` (without "Territory"), ``account``, ``rep``
        and their possessives."""
        territory = self.territory[1].removesuffix(" Territory")
        named = self.named[1] if self.kind == "account" else f"{self.named[1]} {self.named[2]}"
        return {
            "territory": territory,
            "account": named,
            "rep": named,
            "possessive": possessive(named),
        }

    def lookups(self, entity: Entity) -> tuple[ToolCall, ...]:
        """The oracle's calls that resolve the scope to its population (none for everyone)."""
        territory_id = sql_literal(self.territory[0])
        calls: list[str] = []
        if self.kind == "territory":
            core = self.territory[1].removesuffix(" Territory")
            calls.append(f"SELECT Id, Name, Description FROM Territory2 WHERE Name LIKE {sql_literal(f'%{core}%')}")
        elif self.kind == "account":
            state = f"%,{self.named[2]},%"
            calls.append(f"SELECT Id, Name, BillingState FROM Account WHERE Name = {sql_literal(self.named[1])}")
            covering = f"',' || Description || ',' LIKE {sql_literal(state)}"
            calls.append(f"SELECT Id, Name, Description FROM Territory2 WHERE {covering}")
        elif self.kind == "rep":
            first, last = (sql_literal(n) for n in self.named[1:])
            calls.append(f"SELECT Id, FirstName, LastName FROM User WHERE FirstName = {first} AND LastName = {last}")
            calls.append(
                f"SELECT Territory2Id FROM UserTerritory2Association WHERE UserId = {sql_literal(self.named[0])}"
            )
            if entity == "state":
                calls.append(f"SELECT Id, Name, Description FROM Territory2 WHERE Id = {territory_id}")
        if self.kind != "all" and entity == "agent":
            calls.append(f"SELECT UserId FROM UserTerritory2Association WHERE Territory2Id = {territory_id}")
        return tuple(GenerationContext.query_call(sql) for sql in calls)


def possessive(name: str) -> str:
    """``name``'s possessive form ("Acme Labs'", "Acme Inc's")."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


class OrgScopes:
    """The scopes an org offers: its territories, its accounts, and its reps assigned to a single territory whose
    full name no other user has."""

    def __init__(self, ctx: GenerationContext) -> None:
        """Read the org's territories, their reps, accounts and users."""
        members: dict[str, list[str]] = {}
        territory_of: dict[str, list[str]] = {}
        for territory, user in ctx.sql("SELECT Territory2Id, UserId FROM UserTerritory2Association ORDER BY Id"):
            members.setdefault(territory, []).append(user)
            territory_of.setdefault(user, []).append(territory)
        # Only territories that cover states and have reps, and accounts in a covered state: records that look
        # like them but belong nowhere (an org's context rot adds such) are never a question's population.
        self.territories = {
            row[0]: Scope("territory", territory=tuple(row), members=tuple(sorted(members[row[0]])))
            for row in ctx.sql("SELECT Id, Name, Description FROM Territory2 WHERE Description IS NOT NULL ORDER BY Id")
            if row[0] in members
        }
        covered = {state for t in self.territories.values() for state in t.states}
        self.accounts = [
            tuple(r) for r in ctx.sql("SELECT Id, Name, BillingState FROM Account ORDER BY Id") if r[2] in covered
        ]
        users = ctx.sql("SELECT Id, FirstName, LastName FROM User ORDER BY Id")
        full_names = [(first, last) for _, first, last in users]
        self.reps = [
            (user, first, last)
            for user, first, last in users
            if len(territory_of.get(user, ())) == 1 and full_names.count((first, last)) == 1
        ]
        self.territory_of = {user: ids[0] for user, ids in territory_of.items() if len(ids) == 1}

    def draw(self, ctx: GenerationContext, kind: ScopeKind) -> Scope:
        """A scope of ``kind``, its territory or named record drawn with the context's generator."""
        if kind == "all":
            return Scope("all")
        if kind == "territory":
            return self.territories[ctx.choice(sorted(self.territories))]
        if kind == "account":
            account = self.accounts[int(ctx.rng.integers(len(self.accounts)))]
            home = next(t for t in self.territories.values() if account[2] in t.states)
            return Scope("account", territory=home.territory, named=account, members=home.members)
        rep = self.reps[int(ctx.rng.integers(len(self.reps)))]
        home = self.territories[self.territory_of[rep[0]]]
        return Scope("rep", territory=home.territory, named=rep, members=home.members)
