"""Naming a quote, an opportunity or a lead by what it is, as people do, when look-alike records exist.

A description picks out exactly one record, while another record shares part of it (the same account, the same
company), so a careless match fails. Each description comes with the oracle's lookup: the query an agent runs to
find the record from it. Which of a record's valid descriptions a task uses is the category's seeded choice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from crm_gym.tasks.model import ToolCall
from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext
from crm_gym.tasks.suites.crmarena_pro.generators.common import sql_literal

# Share of the tasks that name their record by what it is rather than by its Id.
NAMED_SHARE = 0.5


@dataclass(frozen=True)
class Described:
    """How a prompt names a record, and the oracle's query that finds it from that."""

    text: str
    lookup: ToolCall


@dataclass(frozen=True)
class Reference:
    """How a task refers to its record: the prompt's words, the policy's record line ("" when the prompt names
    the record) and the oracle's lookup (none when the Id is given)."""

    text: str
    policy_line: str
    lookup: tuple[ToolCall, ...]


def references(ctx: GenerationContext, described: dict[str, Described | None], noun: str) -> dict[str, Reference]:
    """How each record's task refers to it: by description for about `NAMED_SHARE` of them (drawn among those that
    have one), else by Id, given in the prompt or, as the original gives it, in the policy."""
    describable = sum(d is not None for d in described.values())
    chance = min(1.0, NAMED_SHARE * len(described) / describable) if describable else 0.0
    refs = {}
    for record_id, description in described.items():
        if description is not None and ctx.rng.random() < chance:
            refs[record_id] = Reference(description.text, "", (description.lookup,))
        elif ctx.rng.random() < 0.5:
            refs[record_id] = Reference(
                f"this {noun}", f"\n- {noun.capitalize()} Id to be considered is: {record_id}", ()
            )
        else:
            refs[record_id] = Reference(f"{noun} {record_id}", "", ())
    return refs


def article_title(ctx: GenerationContext, article_id: str) -> str:
    """The title a policy article carries in this org (tasks refer to it as an agent would find it)."""
    [(title,)] = ctx.sql('SELECT "Title" FROM "Knowledge__kav" WHERE "Id" = ?', (article_id,))
    return title


def dollars(amount: float) -> str:
    """An amount as a person writes it in a request: dollars and cents with separators."""
    return f"${amount:,.2f}"


def _unique_key(ctx: GenerationContext, counts: Counter, texts: dict[tuple, tuple[str, ...]]) -> tuple | None:
    """One of the description keys that only this record has (a seeded choice), or None."""
    unique = [key for key in texts if counts[key] == 1]
    return unique[int(ctx.rng.integers(len(unique)))] if unique else None


class QuoteDirectory:
    """The org's quotes with what a person names them by: account, product, total, status, creation day."""

    def __init__(self, ctx: GenerationContext) -> None:
        """Read every quote once (generator side)."""
        self.ctx = ctx
        self.quotes = {
            quote_id: (name, status, created, account, opp_name.removeprefix(f"{account} - "), opp_name, total or 0.0)
            for quote_id, name, status, created, account, opp_name, total in ctx.sql(
                'SELECT q."Id", q."Name", q."Status", substr(q."CreatedDate", 1, 10), a."Name", o."Name", '
                'ROUND(SUM(l."TotalPrice"), 2) FROM "Quote" q JOIN "Account" a ON a."Id" = q."AccountId" '
                'JOIN "Opportunity" o ON o."Id" = q."OpportunityId" '
                'LEFT JOIN "QuoteLineItem" l ON l."QuoteId" = q."Id" GROUP BY q."Id"'
            )
        }
        self.counts = Counter(
            key for name, status, created, account, product, _, total in self.quotes.values()
            for key in (("total", account, product, total), ("status", account, product, status),
                        ("name", name), ("created", account, created), ("account", account))
        )  # fmt: skip

    def describe(self, quote_id: str) -> Described | None:
        """A description naming only this quote, when its account has other quotes to mistake it for."""
        name, status, created, account, product, opp_name, total = self.quotes[quote_id]
        if self.counts["account", account] < 2:
            return None
        texts = {
            ("total", account, product, total): (
                f"the {account} quote for {product} that comes to {dollars(total)}",
                f"the {dollars(total)} quote for {product} at {account}",
            ),
            ("status", account, product, status): (
                f"the {account} quote for {product} with status '{status}'",
                f"{account}'s quote on the {product} deal, the one marked '{status}'",
            ),
            ("name", name): (f"the quote named '{name}'", f"quote '{name}'"),
            ("created", account, created): (
                f"the quote we created for {account} on {created}",
                f"the {account} quote dated {created}",
            ),
        }
        key = _unique_key(self.ctx, self.counts, texts)
        if key is None:
            return None
        if key[0] == "name":
            sql = f"SELECT Id, Name, Status FROM Quote WHERE Name = {sql_literal(name)}"
        else:
            where = f"o.Name = {sql_literal(opp_name)}"
            if key[0] == "created":
                where = f"q.CreatedDate LIKE {sql_literal(created + '%')}"
            sql = (
                "SELECT q.Id, q.Name, q.Status, q.CreatedDate, ROUND(SUM(l.TotalPrice), 2) AS Total FROM Quote q "
                "JOIN Account a ON a.Id = q.AccountId JOIN Opportunity o ON o.Id = q.OpportunityId "
                "LEFT JOIN QuoteLineItem l ON l.QuoteId = q.Id "
                f"WHERE a.Name = {sql_literal(account)} AND {where} GROUP BY q.Id, q.Name, q.Status, q.CreatedDate"
            )
        return Described(self.ctx.choice(texts[key]), self.ctx.query_call(sql))


class OpportunityDirectory:
    """The org's opportunities with what a person names them by: account, product, amount, close date."""

    def __init__(self, ctx: GenerationContext) -> None:
        """Read every opportunity once (generator side)."""
        self.ctx = ctx
        self.opps = {
            opp_id: (name, account, name.removeprefix(f"{account} - "), amount or 0.0, close)
            for opp_id, name, account, amount, close in ctx.sql(
                'SELECT o."Id", o."Name", a."Name", o."Amount", o."CloseDate" FROM "Opportunity" o '
                'JOIN "Account" a ON a."Id" = o."AccountId"'
            )
        }
        self.counts = Counter(
            key for name, account, _, amount, close in self.opps.values()
            for key in (("name", name), ("amount", name, amount), ("close", name, close), ("account", account))
        )  # fmt: skip

    def describe(self, opp_id: str) -> Described | None:
        """A description naming only this opportunity, when its account has other opportunities."""
        name, account, product, amount, close = self.opps[opp_id]
        if self.counts["account", account] < 2:
            return None
        texts = {
            ("name", name): (
                f"the {account} opportunity for {product}",
                f"the {product} deal with {account}",
                f"our {account} opportunity on {product}",
            ),
            ("amount", name, amount): (
                f"the {account} opportunity for {product} worth {dollars(amount)}",
                f"the {dollars(amount)} {product} deal with {account}",
            ),
            ("close", name, close): (
                f"the {product} deal with {account} closing {close}",
                f"the {account} opportunity for {product} with close date {close}",
            ),
        }
        key = _unique_key(self.ctx, self.counts, texts)
        if key is None:
            return None
        sql = (
            "SELECT o.Id, o.Name, o.StageName, o.Amount, o.CloseDate FROM Opportunity o "
            f"JOIN Account a ON a.Id = o.AccountId WHERE a.Name = {sql_literal(account)} "
            f"AND o.Name = {sql_literal(name)}"
        )
        return Described(self.ctx.choice(texts[key]), self.ctx.query_call(sql))


class LeadDirectory:
    """The org's leads with what a person names them by: name, company, title."""

    def __init__(self, ctx: GenerationContext) -> None:
        """Read every lead once (generator side)."""
        self.ctx = ctx
        self.leads = {
            lead_id: (first, last, company, title)
            for lead_id, first, last, company, title in ctx.sql(
                'SELECT "Id", "FirstName", "LastName", "Company", "Title" FROM "Lead"'
            )
        }
        self.counts = Counter(
            key for first, last, company, _ in self.leads.values()
            for key in (("person", first, last, company), ("company", company), ("name", first, last))
        )  # fmt: skip

    def describe(self, lead_id: str) -> Described | None:
        """A description by name and company, when another lead shares the company or the name."""
        first, last, company, title = self.leads[lead_id]
        lookalike = self.counts["company", company] > 1 or self.counts["name", first, last] > 1
        if not lookalike or self.counts["person", first, last, company] != 1:
            return None
        text = self.ctx.choice(
            (
                f"{first} {last} from {company}",
                f"the lead {first} {last} at {company}",
                f"{first} {last} ({title}, {company})",
                f"{first} {last} of {company}",
            )
        )
        sql = (
            "SELECT Id, FirstName, LastName, Company, Title, State, Status, OwnerId FROM Lead "
            f"WHERE Company = {sql_literal(company)}"
        )
        return Described(text, self.ctx.query_call(sql))
