"""Generators of the service-analytics categories: case trends, top issues, handle times and transfer counts.

Every question is about a period within the org's case history (a month, a quarter, a season, a year, the past N
months, quarters or weeks; never one that starts before the first case). A case belongs to a period when it was
created within it. Golds are counted over the org's cases (`case_book`); the oracle's reference queries count the
same in SQL.

**One gold under every reading.** Each category declares the readings its text leaves open, and keeps a question
only when they all give its gold:

- the period as defined, as the query tool's ``LAST_N_*`` literal, in whole calendar units (`Period.readings`),
  and a relative period without its first or without its last day (`variants`);
- ties broken either way (the first or the last of the tied records), so a tied question is dropped;
- trend and top issue (whose texts do not say which date counts): cases counted by when they were closed;
  "significantly more" read as a clear margin (a third above the next month, and two cases or more).

The handle time and transfer count policies state the rest: cases created in the period (with their assignments and
transfers, whenever made), transferred cases left out of handle times, and what "more than N" and "at least N" cases
mean.

**None** only where the near miss is in the org: the agents who managed the most cases managed exactly the
threshold, not more; the agents who qualify have no case the handle time policy times; a product had no case in the
period while a look-alike product (a name sharing its first word, or all but its brand) had some.

**Records by what they are.** About half the trend and top-issue questions name the product or account by name (the
org has look-alikes sharing the first word of the name, or a product's name but its brand, whose answers differ) or
by description (the product an account bought on a day, the account of a contact), so the oracle looks the record
up before it counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from statistics import fmean
from typing import Any

from crm_gym.api.date_literals import date_range
from crm_gym.scoring.extract import MONTH_NAMES
from crm_gym.tasks.suites.crmarena_pro.framework import (
    GenerationContext,
    Instance,
    PhraseBook,
    category_generator,
    category_readings,
    golds_under_readings,
)
from crm_gym.tasks.suites.crmarena_pro.generators import service_phrases as phrases
from crm_gym.tasks.suites.crmarena_pro.generators.case_book import Basis, Range, case_book
from crm_gym.tasks.suites.crmarena_pro.generators.common import balanced, sql_literal, today_line
from crm_gym.tasks.suites.crmarena_pro.generators.periods import Period, periods
from crm_gym.world.generate.b2b_text import BRANDS as PRODUCT_BRANDS
from crm_gym.world.generate.b2b_text import CATEGORIES as PRODUCT_THEMES

# Two averages closer than this (in days, about a minute) are a tie: an agent may compute them in other units.
_AVERAGE_MARGIN = 1 / 1440
_DAY = dt.timedelta(days=1)
Gold = tuple[str | None, ...]


class _Tie:
    """Marks a question with no single answer."""


TIE = _Tie()
Answer = str | None | _Tie


def where(period: Period, column: str) -> str:
    """SQL condition: ``column`` (an ISO date or datetime) falls within the period."""
    return f"{column} >= '{period.start.isoformat()}' AND {column} < '{period.stop.isoformat()}'"


def variants(period: Period) -> tuple[Period, ...]:
    """The period, without its first day and without its last day: a robust answer holds for all three."""
    if period.start >= period.end:
        return (period,)
    return period, replace(period, start=period.start + _DAY), replace(period, end=period.end - _DAY)


def months(period: Period) -> list[str]:
    """The calendar months ("YYYY-MM") the period touches, in order."""
    first = period.start.year * 12 + period.start.month - 1
    last = period.end.year * 12 + period.end.month - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]


def weeks(today: dt.date) -> list[Period]:
    """Short periods: the past N weeks, which end on ``today`` and start 7 N days earlier."""
    return [
        Period(
            f"past-{n}-weeks",
            f"over the past {n} weeks" if n > 1 else "over the past week",
            today - 7 * _DAY * n,
            today,
        )
        for n in (1, 2, 3)
    ]


def period_metadata(period: Period) -> dict[str, Any]:
    """The period as task metadata: its key, first and last days, and the query literal it may be read as."""
    found: dict[str, Any] = {"period": period.key, "start": period.start.isoformat(), "end": period.end.isoformat()}
    if period.literal is not None:
        found["literal"] = list(period.literal)
    elif period.key.endswith("-weeks"):
        found["literal"] = ["LAST_N_WEEKS", int(period.key.split("-")[1])]
    return found


def unique_top(rows: Sequence[Sequence[Any]], margin: float = 0) -> Answer:
    """The first column of the first row when its second column beats the next row's by more than ``margin``.

    ``rows`` are sorted best first; no rows give None.
    """
    if not rows:
        return None
    if len(rows) > 1 and abs(rows[0][1] - rows[1][1]) <= margin:
        return TIE
    return rows[0][0]


# -- periods and their readings ----------------------------------------------------------------------------------

# Declared period readings -> their names in `reading_spans` (those of `Period.readings`, and two of ours).
_SPAN_READINGS = {
    "period as the query literal": "SOQL literal",
    "period in whole calendar months (weeks)": "calendar months",
    "period without its first day": "without its first day",
    "period without its last day": "without its last day",
}


def reading_spans(today: dt.date, metadata: dict[str, Any]) -> dict[str, Range]:
    """The date ranges a reader may take the task's period to be (see `Period.readings`); a relative period also
    without its first or its last day. "The past N weeks" reads as ``LAST_N_WEEKS:n`` or as whole weeks too."""
    literal = metadata.get("literal")
    period = Period(
        metadata["period"],
        "",
        dt.date.fromisoformat(metadata["start"]),
        dt.date.fromisoformat(metadata["end"]),
        tuple(literal) if literal and literal[0] != "LAST_N_WEEKS" else None,
    )
    found = period.readings(today)
    if literal and literal[0] == "LAST_N_WEEKS":
        found["SOQL literal"] = date_range("LAST_N_WEEKS", literal[1], today)
        found["calendar months"] = (found["SOQL literal"][0], today + _DAY)
    if literal:
        for name, variant in zip(("without its first day", "without its last day"), variants(period)[1:], strict=False):
            found[name] = (variant.start, variant.stop)
    return found


def _span(ctx: GenerationContext, metadata: dict[str, Any], name: str) -> Range:
    spans = reading_spans(ctx.today, metadata)
    return spans.get(name, spans["as defined"])


def _service_periods(ctx: GenerationContext, *, with_weeks: bool) -> list[Period]:
    """The periods questions ask about: none starting before the month of the org's first case."""
    first = case_book(ctx.world).first_day.replace(day=1)
    found = periods(ctx.today, ctx.rng) + (weeks(ctx.today) if with_weeks else [])
    return [p for p in found if p.start >= first]


def _agrees(ctx: GenerationContext, metadata: dict[str, Any], gold: Gold) -> bool:
    return all(g == gold for g in golds_under_readings(ctx, metadata).values())


def _ranked(values: Mapping[str, float], highest: bool) -> list[tuple[str, float]]:
    """``values`` as rows, best first (ties by key)."""
    return sorted(values.items(), key=lambda kv: (-kv[1] if highest else kv[1], kv[0]))


def _best(values: Mapping[str, float], highest: bool, margin: float = 0, tie_last: bool = False) -> str | None:
    """The key with the highest (or lowest) value; among keys within ``margin`` of it, the first or last by key."""
    ranked = _ranked(values, highest)
    if not ranked:
        return None
    tied = [key for key, value in ranked if abs(value - ranked[0][1]) <= margin]
    return max(tied) if tie_last else min(tied)


@dataclass(frozen=True)
class Reading:
    """One way to read a question: the period's span (a name of `reading_spans`), which date puts a case in it,
    which of tied records wins, and whether "significantly more" asks for a clear margin."""

    span: str = "as defined"
    basis: Basis = "created"
    tie_last: bool = False
    clear: bool = False


AS_WRITTEN = Reading()
"""The reading the suite's texts define."""


def _declare(category: str, gold: Callable[..., Gold], **extra: Reading) -> None:
    """Declare the period readings of ``gold``, ties broken the other way, and ``extra`` readings."""
    readings = {name: Reading(span=span) for name, span in _SPAN_READINGS.items()}
    readings |= {"ties to the last": Reading(tie_last=True), **extra}
    category_readings(category, **{name: partial(gold, how=how) for name, how in readings.items()})


def _shuffled(ctx: GenerationContext, items: Sequence[Any]) -> list[Any]:
    return [items[int(i)] for i in ctx.rng.permutation(len(items))]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count(n: int, noun: str) -> str:
    """ "1 case", "3 cases"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _month_label(month: str) -> str:
    """ "2024-10" -> "October 2024"."""
    return f"{MONTH_NAMES[int(month[5:]) - 1]} {month[:4]}"


# -- naming records by what they are -----------------------------------------------------------------------------

_PHRASE_OF_FAMILY = {theme.name: theme.phrase for theme in PRODUCT_THEMES}


@dataclass(frozen=True)
class _Reference:
    """How a question names its product or account: the words, and the oracle's lookups before it counts."""

    words: str
    lookups: tuple[str, ...] = ()
    id_sentence: str = ""
    """A sentence after the question: the record's id, or what a description means."""
    mode: str = "id"


@dataclass(frozen=True)
class _Purchase:
    """An account's purchase of a product on a day, the only product of its kind the account bought that day."""

    account: str
    account_name: str
    day: str
    kind: str


def _lookalike_keys(field: str, name: str) -> set[str]:
    """What a loose match on a name keys on: its first word ("AstraGuard" of "AstraGuard 360 Plus", "Barnes" of
    "Barnes Group") and, for a product, the name without its brand ("Quantum Engine" of "ApexQuantum Engine")."""
    keys = {f"first:{name.split()[0]}"}
    brand = next((b for b in PRODUCT_BRANDS if name.startswith(b) and name[len(b) : len(b) + 1].isupper()), None)
    if field == "product" and brand:
        keys.add(f"core:{name[len(brand) :]}")
    return keys


class _Directory:
    """Names of the org's products and accounts, their look-alikes, and the purchases and contacts that describe
    them."""

    def __init__(self, ctx: GenerationContext) -> None:
        self.names = {
            "product": dict(ctx.sql("SELECT Id, Name FROM Product2 ORDER BY Id")),
            "account": dict(ctx.sql("SELECT Id, Name FROM Account ORDER BY Id")),
        }
        self.family = dict(ctx.sql("SELECT Id, Family FROM Product2"))
        self._sharing: dict[tuple[str, str], list[str]] = defaultdict(list)
        for field, names in self.names.items():
            for record, name in names.items():
                for key in _lookalike_keys(field, name):
                    self._sharing[(field, key)].append(record)
        lines = ctx.sql(
            'SELECT o.AccountId, a.Name, o.EffectiveDate, o.Status, oi.Product2Id FROM "Order" o '
            "JOIN Account a ON a.Id = o.AccountId JOIN OrderItem oi ON oi.OrderId = o.Id ORDER BY o.Id, oi.Id"
        )
        kinds = Counter((account, day, self.family[product]) for account, _, day, _, product in lines)
        self.purchases: dict[str, list[_Purchase]] = defaultdict(list)
        for account, name, day, status, product in lines:
            if status == "Activated" and kinds[(account, day, self.family[product])] == 1:
                kind = _PHRASE_OF_FAMILY[self.family[product]]
                self.purchases[product].append(_Purchase(account, name, day, kind))
        contacts = ctx.sql("SELECT Id, FirstName, LastName, AccountId FROM Contact ORDER BY Id")
        full_names = Counter((first, last) for _, first, last, _ in contacts)
        self.contacts: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for _, first, last, account in contacts:
            if full_names[(first, last)] == 1:
                self.contacts[account].append((first, last))

    def lookalikes(self, field: str, record: str) -> list[str]:
        """The other records a loose match on this one's name also finds (see `_lookalike_keys`)."""
        keys = _lookalike_keys(field, self.names[field][record])
        return sorted({r for key in keys for r in self._sharing[(field, key)]} - {record})


_ID_SENTENCES = {
    "product": (
        "The associated product Id is {id}.",
        "Its product Id is {id}.",
        "(Product Id: {id}.)",
        "For reference, the product record is {id}.",
    ),
    "account": (
        "The associated account Id is {id}.",
        "Its account Id is {id}.",
        "(Account Id: {id}.)",
        "For reference, the account record is {id}.",
    ),
}
_BY_NAME = {
    "product": ("{name}", "the {name}", "our {name}", "the product {name}"),
    "account": ("{name}", "our customer {name}", "the account {name}", "the {name} account"),
}
_BY_PURCHASE = (
    "the {kind} {account} bought on {day}",
    "the {kind} that {account} ordered on {day}",
    "the same {kind} {account} purchased from us on {day}",
    "the {kind} product {account} ordered on {day}",
)
# A product named by a customer's purchase: the question is about the product, not that customer's cases.
_ALL_CUSTOMERS = (
    "Count every customer's cases for that product, not only those of {account}.",
    "I mean that product across all customers, not just {account}.",
    "All customers' cases for that product count, not only those of {account}.",
)
_BY_CONTACT = (
    "the account our contact {contact} belongs to",
    "{contact}'s company",
    "the company {contact} works for",
    "the customer account of {contact}",
)
# Shares of questions naming the record by id (the original's way) and by name where it can (else by description).
_BY_ID_SHARE = 0.45
_BY_NAME_SHARE = 0.3


def _long_date(day: str) -> str:
    date = dt.date.fromisoformat(day)
    return f"{MONTH_NAMES[date.month - 1]} {date.day}, {date.year}"


def _tells_apart(ctx: GenerationContext, directory: _Directory, metadata: dict[str, Any], gold: Callable) -> bool:
    """Whether the record has look-alikes and each of them gives another gold: an agent who takes the wrong one of
    a loose name match answers wrong."""
    others = directory.lookalikes(metadata["field"], metadata["target"])
    mine = gold(ctx, metadata)
    return bool(others) and all(gold(ctx, {**metadata, "target": other}) != mine for other in others)


def _reference(ctx: GenerationContext, directory: _Directory, field: str, record: str, by_name_ok: bool) -> _Reference:
    """The words naming ``record`` (a product or account): by id (with its name), by name (when ``by_name_ok``: its
    look-alikes have other answers), or by description."""
    name = directory.names[field][record]
    table = "Product2" if field == "product" else "Account"
    by_name = _Reference(
        ctx.choice(_BY_NAME[field]).format(name=name),
        (f"SELECT Id, Name FROM {table} WHERE Name = {sql_literal(name)}",),
        mode="name",
    )
    described = None
    if field == "product" and directory.purchases[record]:
        # One purchase per buying account, so the few big accounts do not describe most products.
        buyers = list({p.account: p for p in directory.purchases[record]}.values())
        purchase = buyers[int(ctx.rng.integers(len(buyers)))]
        words = ctx.choice(_BY_PURCHASE).format(
            kind=purchase.kind, account=purchase.account_name, day=_long_date(purchase.day)
        )
        described = _Reference(
            words,
            id_sentence=ctx.choice(_ALL_CUSTOMERS).format(account=purchase.account_name),
            lookups=(
                f"SELECT Id, Name FROM Account WHERE Name = {sql_literal(purchase.account_name)}",
                'SELECT oi.Product2Id, p.Name, p.Family, o.Status FROM "Order" o JOIN OrderItem oi '
                "ON oi.OrderId = o.Id JOIN Product2 p ON p.Id = oi.Product2Id "
                f"WHERE o.AccountId = '{purchase.account}' AND o.EffectiveDate = '{purchase.day}'",
            ),
            mode="description",
        )
    elif field == "account" and directory.contacts[record]:
        first, last = directory.contacts[record][int(ctx.rng.integers(len(directory.contacts[record])))]
        described = _Reference(
            ctx.choice(_BY_CONTACT).format(contact=f"{first} {last}"),
            lookups=(
                "SELECT Id, AccountId FROM Contact "
                f"WHERE FirstName = {sql_literal(first)} AND LastName = {sql_literal(last)}",
            ),
            mode="description",
        )
    draw = float(ctx.rng.random())
    if draw >= _BY_ID_SHARE:
        if by_name_ok and (draw < _BY_ID_SHARE + _BY_NAME_SHARE or described is None):
            return by_name
        if described is not None:
            return described
    return _Reference(name, id_sentence=ctx.choice(_ID_SENTENCES[field]).format(id=record))


def _question(
    ctx: GenerationContext, book: PhraseBook, formats: Sequence[str], reference: _Reference, period: Period
) -> tuple[str, str]:
    """(prompt, phrasing family) of a question about a named record over a period."""
    phrased = ctx.phrase(book, target=reference.words, period=period.phrase, Period=_capital(period.phrase))
    parts = (phrased.text, reference.id_sentence, ctx.choice(formats))
    return " ".join(p for p in parts if p), phrased.family


# -- monthly_trend_analysis ------------------------------------------------------------------------------------

_TREND_SOURCES = {
    "product": 'FROM "Case" c JOIN OrderItem oi ON oi.Id = c.OrderItemId__c WHERE oi.Product2Id',
    "account": 'FROM "Case" c WHERE c.AccountId',
}
# A "significant" month has at least this many cases (candidates below it are skipped, not answered).
_TREND_MIN_CASES = 3
# "Significantly more" read as a clear margin: this share above the next month, and this many cases more.
_CLEAR_RATIO = 4 / 3
_CLEAR_CASES = 2
_TREND_PERIODS_PER_TARGET = 6
# Targets with fewer cases in the whole history cannot have a significant month in enough periods.
_TREND_MIN_TARGET_CASES = 6


def _trend_sql(source: str, record_id: str, period: Period) -> str:
    return (
        f"SELECT substr(c.CreatedDate, 1, 7) AS month, COUNT(*) AS cases {source} = '{record_id}' "
        f"AND {where(period, 'c.CreatedDate')} GROUP BY month ORDER BY cases DESC, month"
    )


def _trend_counts(ctx: GenerationContext, metadata: dict[str, Any], how: Reading = AS_WRITTEN) -> Counter[str]:
    span = _span(ctx, metadata, how.span)
    return case_book(ctx.world).months(span, metadata["field"], metadata["target"], how.basis)


def trend_gold(
    ctx: GenerationContext,
    metadata: dict[str, Any],
    how: Reading = AS_WRITTEN,
) -> Gold:
    """The month (with its year) whose cases outnumber every other month's, under one reading; None when there is
    none (no case, or no clear margin when ``clear``)."""
    counts = _trend_counts(ctx, metadata, how)
    ranked = _ranked(counts, highest=True)
    if not ranked:
        return (None,)
    n, second = ranked[0][1], (ranked[1][1] if len(ranked) > 1 else 0)
    if how.clear and (n < _CLEAR_RATIO * second or n - second < _CLEAR_CASES):
        return (None,)
    return (_month_label(str(_best(counts, highest=True, tie_last=how.tie_last))),)


_declare(
    "monthly_trend_analysis",
    trend_gold,
    **{"cases counted when closed": Reading(basis="closed"), "significantly means a clear margin": Reading(clear=True)},
)


@category_generator("monthly_trend_analysis")
def monthly_trend_analysis(ctx: GenerationContext) -> list[Instance]:
    """The month of a period in which a product's or an account's cases outnumber every other month's."""
    return balanced(ctx, _trend_instances(ctx), share=0.06)


def _trend_instances(ctx: GenerationContext) -> Iterator[Instance]:
    directory = _Directory(ctx)
    candidates = [p for p in _service_periods(ctx, with_weeks=False) if 3 <= len(months(p)) <= 12]
    totals = Counter()
    for case in case_book(ctx.world).cases:
        totals[("product", case.product)] += 1
        totals[("account", case.account)] += 1
    for field in ("product", "account"):
        for record in directory.names[field]:
            if totals[(field, record)] < _TREND_MIN_TARGET_CASES:
                continue
            found = 0
            for period in _shuffled(ctx, candidates):
                metadata = {**period_metadata(period), "field": field, "target": record}
                ranked = _ranked(_trend_counts(ctx, metadata), highest=True)
                if not ranked or ranked[0][1] < _TREND_MIN_CASES or unique_top(ranked) is TIE:
                    continue
                names = [MONTH_NAMES[int(m[5:]) - 1] for m in months(period)]
                gold = trend_gold(ctx, metadata)
                if gold == (None,) or names.count(gold[0].split()[0]) > 1 or not _agrees(ctx, metadata, gold):
                    continue
                yield _trend_instance(ctx, directory, metadata, period, gold)
                found += 1
                if found == _TREND_PERIODS_PER_TARGET:
                    break


def _trend_instance(
    ctx: GenerationContext, directory: _Directory, metadata: dict[str, Any], period: Period, gold: Gold
) -> Instance:
    field, record = metadata["field"], metadata["target"]
    reference = _reference(ctx, directory, field, record, _tells_apart(ctx, directory, metadata, trend_gold))
    prompt, family = _question(ctx, phrases.TREND, phrases.TREND_FORMATS, reference, period)
    calls = (*reference.lookups, _trend_sql(_TREND_SOURCES[field], record, period))
    return Instance(
        key=f"{record}:{period.key}",
        prompt=prompt,
        policy=today_line(ctx),
        answers=gold,
        calls=tuple(ctx.query_call(sql) for sql in calls),
        oracle_answer=str(gold[0]),
        record_id=record,
        metadata={**metadata, "named_by": reference.mode},
        phrasing=family,
    )


# -- top_issue_identification ------------------------------------------------------------------------------------

_ISSUE_CANDIDATES_PER_PRODUCT = 3


def _issue_sql(product: str, period: Period) -> str:
    return (
        'SELECT c.IssueId__c, i.Name, COUNT(*) AS cases FROM "Case" c '
        "JOIN OrderItem oi ON oi.Id = c.OrderItemId__c JOIN Issue__c i ON i.Id = c.IssueId__c "
        f"WHERE oi.Product2Id = '{product}' AND {where(period, 'c.CreatedDate')} "
        "GROUP BY c.IssueId__c, i.Name ORDER BY cases DESC, c.IssueId__c"
    )


def top_issue_gold(
    ctx: GenerationContext,
    metadata: dict[str, Any],
    how: Reading = AS_WRITTEN,
) -> Gold:
    """The issue of the most cases about the product in the period, under one reading; None without a case."""
    return (_best(_issue_counts(ctx, metadata, how), highest=True, tie_last=how.tie_last),)


def _issue_counts(ctx: GenerationContext, metadata: dict[str, Any], how: Reading = AS_WRITTEN) -> Counter[str]:
    return case_book(ctx.world).issues(_span(ctx, metadata, how.span), (metadata["target"],), how.basis)


_declare("top_issue_identification", top_issue_gold, **{"cases counted when closed": Reading(basis="closed")})


@category_generator("top_issue_identification")
def top_issue_identification(ctx: GenerationContext) -> list[Instance]:
    """The issue reported most for a product in a period; None when the product had no case in it while a
    look-alike product did."""
    return balanced(ctx, _issue_instances(ctx), share=0.1)


def _issue_instances(ctx: GenerationContext) -> Iterator[Instance]:
    directory = _Directory(ctx)
    book = case_book(ctx.world)
    candidates = _service_periods(ctx, with_weeks=False)
    for product in directory.names["product"]:
        wanted = {"some": _ISSUE_CANDIDATES_PER_PRODUCT, "none": 1}
        for period in _shuffled(ctx, candidates):
            metadata = {**period_metadata(period), "field": "product", "target": product}
            ranked = _ranked(_issue_counts(ctx, metadata), highest=True)
            gold = top_issue_gold(ctx, metadata)
            kind = "none" if gold == (None,) else "some"
            if not wanted[kind] or unique_top(ranked) is TIE or not _agrees(ctx, metadata, gold):
                continue
            near_miss = None
            if kind == "none":
                span = (period.start, period.stop)
                busy = [o for o in directory.lookalikes("product", product) if book.issues(span, (o,))]
                if not busy:
                    continue
                other = busy[0]
                near_miss = (
                    f"no case about {directory.names['product'][product]} was created {period.phrase}, but "
                    f"{directory.names['product'][other]} had "
                    f"{_count(sum(book.issues(span, (other,)).values()), 'case')} then"
                )
            wanted[kind] -= 1
            yield _issue_instance(ctx, directory, metadata, period, gold, near_miss)
            if not any(wanted.values()):
                break


def _issue_instance(
    ctx: GenerationContext,
    directory: _Directory,
    metadata: dict[str, Any],
    period: Period,
    gold: Gold,
    near_miss: str | None,
) -> Instance:
    product = metadata["target"]
    reference = _reference(ctx, directory, "product", product, _tells_apart(ctx, directory, metadata, top_issue_gold))
    prompt, family = _question(ctx, phrases.TOP_ISSUE, phrases.TOP_ISSUE_FORMATS, reference, period)
    return Instance(
        key=f"{product}:{period.key}",
        prompt=prompt,
        policy=today_line(ctx),
        answers=gold,
        calls=tuple(ctx.query_call(sql) for sql in (*reference.lookups, _issue_sql(product, period))),
        oracle_answer=gold[0] or "None",
        record_id=product,
        metadata={**metadata, "named_by": reference.mode},
        near_miss=near_miss,
        phrasing=family,
    )


# -- handle_time and transfer_count --------------------------------------------------------------------------------

_AGENT_SCOPE = """- A case belongs to a period when it was created (CreatedDate) within the period; its assignments and
  transfers count with it, whenever they were made.
- Every assignment of a case to an agent is a CaseHistory__c row with Field__c 'Owner Assignment': NewValue__c is
  the agent who received the case, OldValue__c the agent who passed it on (empty for the first assignment).
- The past N weeks end on today's date and start 7 x N days earlier.
- "Agents who managed more than N cases": count each case of the period once for every agent it was ever assigned
  to, whether as its first agent or after a transfer. "More than N cases" leaves out an agent who managed exactly
  N; "at least N cases" and "N or more cases" keep them."""

HANDLE_TIME_POLICY = f"""## Handle Time Policy
- Handle time: the time from a case's creation (CreatedDate) to its closing (ClosedDate); only closed cases have one.
- Handle time is measured only on cases never transferred: such a case has exactly one 'Owner Assignment' row, and
  its time counts for that agent. An agent's average handle time is the mean over those cases; agents without such
  a case have none.
{_AGENT_SCOPE}"""

TRANSFER_COUNT_POLICY = f"""## Transfer Count Policy
- Transfer count: how many times an agent passed a case on to another agent. Each 'Owner Assignment' row whose
  OldValue__c is agent A adds one transfer to agent A (none to the receiving agent).
- An agent who managed cases but passed none on has a transfer count of 0.
{_AGENT_SCOPE}"""

_PERIOD_CASES = (
    'WITH period_cases AS (SELECT Id, OwnerId, Status, CreatedDate, ClosedDate FROM "Case" WHERE {where}), '
    "assignments AS (SELECT h.CaseId__c AS case_id, h.OldValue__c AS from_agent, h.NewValue__c AS to_agent "
    "FROM CaseHistory__c h JOIN period_cases pc ON pc.Id = h.CaseId__c WHERE h.Field__c = 'Owner Assignment'), "
    "managed AS (SELECT to_agent AS agent, COUNT(DISTINCT case_id) AS cases FROM assignments GROUP BY to_agent)"
)


def _handle_time_sql(period: Period, more_than: int, order: str) -> str:
    return (
        _PERIOD_CASES.format(where=where(period, "CreatedDate"))
        + ", single AS (SELECT case_id FROM assignments GROUP BY case_id HAVING COUNT(*) = 1) "
        "SELECT pc.OwnerId AS agent, AVG(julianday(pc.ClosedDate) - julianday(pc.CreatedDate)) AS avg_handle_days, "
        "COUNT(*) AS timed_cases, m.cases AS managed FROM period_cases pc JOIN single s ON s.case_id = pc.Id "
        f"JOIN managed m ON m.agent = pc.OwnerId WHERE pc.Status = 'Closed' AND m.cases > {more_than} "
        f"GROUP BY pc.OwnerId, m.cases ORDER BY avg_handle_days {order}, pc.OwnerId"
    )


def _transfer_sql(period: Period, more_than: int, order: str) -> str:
    return (
        _PERIOD_CASES.format(where=where(period, "CreatedDate"))
        + ", transfers AS (SELECT from_agent AS agent, COUNT(*) AS n FROM assignments WHERE from_agent IS NOT NULL "
        "GROUP BY from_agent) SELECT m.agent, COALESCE(t.n, 0) AS transfers, m.cases AS managed FROM managed m "
        f"LEFT JOIN transfers t ON t.agent = m.agent WHERE m.cases > {more_than} "
        f"ORDER BY transfers {order}, m.agent"
    )


def _agent_values(ctx: GenerationContext, metadata: dict[str, Any], how: Reading = AS_WRITTEN) -> dict[str, float]:
    stats = case_book(ctx.world).agents(_span(ctx, metadata, how.span), how.basis)
    eligible = [a for a, n in stats.managed.items() if n > metadata["more_than"]]
    if metadata["measure"] == "handle_time":
        return {a: fmean(stats.handle_days[a]) for a in eligible if a in stats.handle_days}
    return {a: float(stats.transfers[a]) for a in eligible}


def agent_gold(
    ctx: GenerationContext,
    metadata: dict[str, Any],
    how: Reading = AS_WRITTEN,
) -> Gold:
    """The agent with the highest or lowest average handle time or transfer count, under one reading; None when no
    agent qualifies."""
    values = _agent_values(ctx, metadata, how)
    return (_best(values, highest=metadata["order"] == "DESC", margin=_margin(metadata), tie_last=how.tie_last),)


def _margin(metadata: dict[str, Any]) -> float:
    return _AVERAGE_MARGIN if metadata["measure"] == "handle_time" else 0


_declare("handle_time", agent_gold)
_declare("transfer_count", agent_gold)


@dataclass(frozen=True)
class _AgentQuestion:
    """How one agent-ranking category asks, and how its reference query ranks agents."""

    measure: str
    policy: str
    sql: Callable[[Period, int, str], str]
    # (words, SQL order) per direction: the ranking words a question may use.
    directions: tuple[tuple[tuple[str, ...], str], ...]
    book: PhraseBook


_HANDLE_TIME = _AgentQuestion(
    measure="handle_time",
    policy=HANDLE_TIME_POLICY,
    sql=_handle_time_sql,
    directions=((("shortest", "lowest", "quickest"), "ASC"), (("longest", "highest", "slowest"), "DESC")),
    book=phrases.HANDLE_TIME,
)
_TRANSFER_COUNT = _AgentQuestion(
    measure="transfer_count",
    policy=TRANSFER_COUNT_POLICY,
    sql=_transfer_sql,
    directions=(
        (("most", "highest number of", "largest number of"), "DESC"),
        (("fewest", "lowest number of", "smallest number of"), "ASC"),
    ),
    book=phrases.TRANSFER_COUNT,
)


def _workload(ctx: GenerationContext, more_than: int) -> str:
    """Agents who managed more than ``more_than`` cases, said one of the ways people say it."""
    at_least = more_than + 1
    options = [f"at least {_count(at_least, 'case')}", f"{at_least} or more cases"]
    options.append(f"more than {_count(more_than, 'case')}" if more_than else "at least one case")
    return ctx.choice(options)


def _near_miss(ctx: GenerationContext, metadata: dict[str, Any], period: Period) -> str | None:
    """What a careful agent finds when no agent qualifies: the busiest agents managed exactly the threshold, or the
    agents who qualify have no case the handle time policy times; None when neither holds."""
    stats = case_book(ctx.world).agents((period.start, period.stop))
    n = metadata["more_than"]
    eligible = sorted(a for a, k in stats.managed.items() if k > n)
    if eligible:
        return (
            f"{len(eligible)} agent(s) managed more than {_count(n, 'case')} {period.phrase}, but none of their "
            f"cases was closed without a transfer (e.g. {eligible[0]})"
        )
    busiest = sorted(a for a, k in stats.managed.items() if k == n)
    if n and busiest:
        return f"the busiest agents {period.phrase} managed exactly {_count(n, 'case')}, not more ({busiest[0]})"
    return None


# A period asked about has at least this many cases; fewer make a ranking of two or three agents.
_AGENT_MIN_PERIOD_CASES = 15
_MANAGED_LADDER = (0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80)


def _thresholds(managed: Counter[str]) -> list[int]:
    """Thresholds of the period that pick different agents (the lowest of each), and the busiest agent's count (no
    agent managed more: the None question)."""
    picked: dict[frozenset[str], int] = {}
    for n in _MANAGED_LADDER:
        eligible = frozenset(a for a, k in managed.items() if k > n)
        if eligible:
            picked.setdefault(eligible, n)
    return sorted({*picked.values(), max(managed.values(), default=0)})


def _agent_instances(ctx: GenerationContext, question: _AgentQuestion) -> Iterator[Instance]:
    book = case_book(ctx.world)
    for period in _service_periods(ctx, with_weeks=True):
        if len(book.in_range((period.start, period.stop))) < _AGENT_MIN_PERIOD_CASES:
            continue
        managed = book.agents((period.start, period.stop)).managed
        for words, order in question.directions:
            for more_than in _thresholds(managed):
                metadata = {**period_metadata(period), "measure": question.measure, "order": order}
                metadata["more_than"] = more_than
                ranked = _ranked(_agent_values(ctx, metadata), highest=order == "DESC")
                if unique_top(ranked, _margin(metadata)) is TIE:
                    continue
                gold = agent_gold(ctx, metadata)
                near_miss = _near_miss(ctx, metadata, period) if gold == (None,) else None
                if (gold == (None,) and near_miss is None) or not _agrees(ctx, metadata, gold):
                    continue
                extreme = ctx.choice(words)
                phrased = ctx.phrase(
                    question.book,
                    extreme=extreme,
                    extreme_cap=_capital(extreme),
                    period=period.phrase,
                    Period=_capital(period.phrase),
                    workload=_workload(ctx, more_than),
                )
                yield Instance(
                    key=f"{period.key}:{order}:{more_than}",
                    prompt=f"{phrased.text} {ctx.choice(phrases.AGENT_FORMATS)}",
                    policy=f"{question.policy}\n\n{today_line(ctx)}",
                    answers=gold,
                    calls=(ctx.query_call(question.sql(period, more_than, order)),),
                    oracle_answer=gold[0] or "None",
                    metadata=metadata,
                    near_miss=near_miss,
                    phrasing=phrased.family,
                )


@category_generator("handle_time")
def handle_time(ctx: GenerationContext) -> list[Instance]:
    """The agent with the shortest or longest average handle time in a period; None when no agent qualifies."""
    return balanced(ctx, _agent_instances(ctx, _HANDLE_TIME))


@category_generator("transfer_count")
def transfer_count(ctx: GenerationContext) -> list[Instance]:
    """The agent with the most or fewest transfers in a period; None when no agent qualifies."""
    return balanced(ctx, _agent_instances(ctx, _TRANSFER_COUNT))
