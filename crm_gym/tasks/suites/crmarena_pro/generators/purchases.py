"""The named_entity_disambiguation generator: a contact asks about a product they bought on some day, naming it by
its exact name or by what it is ("the storage array"); the contact's orders of that day tell which product it is.

The rule text settles what readers could disagree on: a contact's purchases are the orders billed to them, and a
product named by its name is the product of exactly that name (the "X Plus" is not the "X"). What it leaves open is
declared as readings, and a question is kept only when they all give its gold: the day may be read loosely (three
days either way), draft orders may count as purchases, and "I purchased" may mean the contact's whole account.

The answer is None only for a checkable near miss: the contact asks for one edition of a near-duplicate product by
its exact name and bought the other edition that very day (and never the one they name).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from crm_gym.scoring.extract import MONTH_NAMES
from crm_gym.tasks.suites.crmarena_pro.framework import (
    GenerationContext,
    Instance,
    PhraseBook,
    category_generator,
    category_readings,
)
from crm_gym.tasks.suites.crmarena_pro.generators.common import balanced, sql_literal, today_line
from crm_gym.tasks.suites.crmarena_pro.generators.rankings import PRODUCT_LINE_PHRASE

CATEGORY = "named_entity_disambiguation"
# Purchases older than this are not asked about.
_MAX_DAYS = 365
# A loose reader takes "12 days ago" to mean any day this close to it.
_SLACK_DAYS = 3
# A None question's contact never bought the edition they name, in the whole of the org's history.
_HISTORY_DAYS = 3 * 366
# Share of questions kept whose answer needs no telling apart (the contact bought one product that day, and nothing
# else the description fits on other days).
_PLAIN_SHARE = 0.35
_POLICY = (
    "- A contact's purchases are the orders billed to them (Order.BillToContactId), made on the order's "
    "EffectiveDate.\n"
    '- A product the contact names is the product of exactly that name: an edition such as "X Plus" or "X Lite" is '
    'a different product from "X".'
)

_OPENERS = PhraseBook(
    families={
        "bare": ("",),
        "greeting": ("Hi.", "Hello there.", "Good morning."),
        "history": (
            "I'm checking my order history.",
            "I'm going through my recent purchases.",
            "I'm reconciling our invoices.",
        ),
        "problem": (
            "I have an issue with a recent purchase.",
            "Something isn't working with one of my products.",
            "I need to register a product for support.",
        ),
        "polite": ("Thanks for your help earlier.", "Thanks in advance.", "Sorry to bother you again."),
        "hurry": ("I'm in a bit of a hurry.", "I need this quickly, please.", "This is urgent for us."),
    }
)
_QUESTIONS = PhraseBook(
    families={
        "show-me": ("can you show me the {thing} I purchased {when}?", "show me the {thing} I bought {when}, please."),
        "pull-up": ("please pull up the {thing} I ordered {when}.", "pull up the {thing} that I got {when}."),
        "display": ("display the {thing} that I bought {when}.", "display the {thing} I purchased {when}."),
        "looking-for": (
            "I'm looking for the {thing} I bought {when}.",
            "I'm trying to find the {thing} I ordered {when}.",
        ),
        "which-product": (
            "which product is the {thing} I purchased {when}?",
            "which exact product was the {thing} I bought {when}?",
        ),
        "need-record": (
            "I need the record of the {thing} I purchased {when}.",
            "I need to see the {thing} I ordered {when}.",
        ),
        "find": ("find the {thing} I bought {when}, please.", "could you find the {thing} I ordered {when}?"),
        "about": (
            "about the {thing} I purchased {when}: which product is it in your system?",
            "regarding the {thing} I bought {when}, can you look it up?",
        ),
        "what-do-you-have": (
            "what do you have on the {thing} I ordered {when}?",
            "what's on file for the {thing} I purchased {when}?",
        ),
    }
)
_ANSWERS = PhraseBook(
    families={
        "return-only": (
            "Return only the Id of the product from the contact's relevant past transaction, or None if there is no "
            "such purchase.",
            "Return only the product's Id, or None if no such purchase exists.",
        ),
        "reply-with": (
            "Reply with the product Id alone, or None if I made no such purchase.",
            "Reply with just the Id of that product (None if there was no such purchase).",
        ),
        "just-id": (
            "Just the product's record Id, please; None if you can't find that purchase.",
            "Just the product Id is enough, or None if nothing matches.",
        ),
        "answer-only": (
            "Answer with the Id of the product only, or None if there was no such purchase.",
            "Answer only with a product Id, or with None if I bought no such product then.",
        ),
        "give-me": (
            "Give me only the Product2 Id, or None if nothing matches.",
            "Give me the product's Id and nothing else (None if there is no such purchase).",
        ),
    }
)


def _when(ctx: GenerationContext, day: dt.date) -> str:
    """How the contact says when they bought it: days ago for recent purchases, else (or sometimes) the date."""
    ago = (ctx.today - day).days
    dated = f"on {MONTH_NAMES[day.month - 1]} {day.day}" + (f", {day.year}" if day.year != ctx.today.year else "")
    options = [dated, f"on {day.isoformat()}"]
    if ago <= 60:
        options += [{1: "yesterday", 7: "a week ago", 14: "two weeks ago", 21: "three weeks ago"}.get(ago, "")]
        options += [f"{ago} days ago" if ago > 1 else "yesterday"]
    return ctx.choice([o for o in options if o])


def _fitting(
    ctx: GenerationContext, metadata: Mapping[str, Any], *, whole_account: bool, drafts: bool, slack: int
) -> tuple[str | None, ...]:
    """The products on the day's orders the description fits: of the contact (or their account), activated (or any
    status), on the day (or within ``slack`` days of it)."""
    day = dt.date.fromisoformat(metadata["date"])
    who = ("o.AccountId", metadata["account"]) if whole_account else ("o.BillToContactId", metadata["contact"])
    field = "p.Name" if metadata["by"] == "name" else "p.Family"
    status = "" if drafts else "AND o.Status = 'Activated'"
    first, last = (day + dt.timedelta(days=d) for d in (-slack, slack))
    rows = ctx.sql(
        'SELECT DISTINCT oi.Product2Id FROM "Order" o JOIN OrderItem oi ON oi.OrderId = o.Id '
        f"JOIN Product2 p ON p.Id = oi.Product2Id WHERE {who[0]} = ? AND o.EffectiveDate BETWEEN ? AND ? "
        f"AND {field} = ? {status} ORDER BY oi.Product2Id",
        (who[1], first.isoformat(), last.isoformat(), metadata["value"]),
    )
    return tuple(r[0] for r in rows) or (None,)


def _gold(ctx: GenerationContext, metadata: Mapping[str, Any]) -> tuple[str | None, ...]:
    return _fitting(ctx, metadata, whole_account=False, drafts=False, slack=0)


category_readings(
    CATEGORY,
    **{
        "near date": lambda ctx, md: _fitting(ctx, md, whole_account=False, drafts=False, slack=_SLACK_DAYS),
        "draft orders count": lambda ctx, md: _fitting(ctx, md, whole_account=False, drafts=True, slack=0),
        "the account's orders": lambda ctx, md: _fitting(ctx, md, whole_account=True, drafts=False, slack=0),
        "loosest": lambda ctx, md: _fitting(ctx, md, whole_account=True, drafts=True, slack=_SLACK_DAYS),
    },
)


@category_generator(CATEGORY)
def named_entity_disambiguation(ctx: GenerationContext) -> list[Instance]:
    """The product a contact means by its name or what it is and a purchase day; None for an edition near miss."""
    return balanced(ctx, _instances(ctx), share=0.08)


def _instances(ctx: GenerationContext) -> Iterator[Instance]:
    sibling = {a: b for pair in ctx.planted.near_duplicate_products for a, b in (pair, pair[::-1])}
    names = dict(ctx.sql("SELECT Id, Name FROM Product2"))
    first = (ctx.today - dt.timedelta(days=_MAX_DAYS)).isoformat()
    purchases = ctx.sql(
        'SELECT DISTINCT o.BillToContactId, o.AccountId, o.EffectiveDate, oi.Product2Id, p.Family FROM "Order" o '
        "JOIN OrderItem oi ON oi.OrderId = o.Id JOIN Product2 p ON p.Id = oi.Product2Id "
        "WHERE o.Status = 'Activated' AND o.EffectiveDate >= ? AND o.EffectiveDate < ? "
        "ORDER BY o.EffectiveDate, o.BillToContactId, oi.Product2Id",
        (first, ctx.today.isoformat()),
    )
    for contact, account, day, product, family in purchases:
        asks = [("name", names[product], product), ("family", family, product)]
        if product in sibling:  # the other edition, by its exact name: a near miss
            asks.append(("name", names[sibling[product]], None))
        for by, value, expected in asks:
            metadata = {"contact": contact, "account": account, "date": day, "by": by, "value": value}
            answers = _gold(ctx, metadata)
            if answers != (expected,):
                continue  # another product fits too, or the sibling was bought that day as well
            if expected and not _look_alikes(ctx, metadata) and ctx.rng.random() > _PLAIN_SHARE:
                continue
            if not expected and _fitting(ctx, metadata, whole_account=False, drafts=True, slack=_HISTORY_DAYS)[0]:
                continue  # the contact did buy the edition they name, another day: they may misremember the day
            near_miss = None if expected else f"the contact bought the {names[product]} on {day}, not the {value}"
            yield _instance(ctx, metadata, answers, near_miss)


def _look_alikes(ctx: GenerationContext, metadata: Mapping[str, Any]) -> bool:
    """True when the contact bought something else that day, or something the description fits on another day."""
    field = "p.Name" if metadata["by"] == "name" else "p.Family"
    ((others,),) = ctx.sql(
        'SELECT COUNT(*) FROM "Order" o JOIN OrderItem oi ON oi.OrderId = o.Id JOIN Product2 p ON p.Id = oi.Product2Id '
        f"WHERE o.BillToContactId = ? "
        f"AND (o.EffectiveDate = ? AND {field} != ? OR o.EffectiveDate != ? AND {field} = ?)",
        (metadata["contact"], metadata["date"], metadata["value"], metadata["date"], metadata["value"]),
    )
    return others > 0


def _instance(
    ctx: GenerationContext, metadata: dict[str, Any], answers: tuple[str | None, ...], near_miss: str | None
) -> Instance:
    contact, day = metadata["contact"], dt.date.fromisoformat(metadata["date"])
    thing = metadata["value"] if metadata["by"] == "name" else PRODUCT_LINE_PHRASE[metadata["value"]]
    fields = {"thing": thing, "when": _when(ctx, day)}
    opener, asked, answer = (ctx.phrase(book, **fields) for book in (_OPENERS, _QUESTIONS, _ANSWERS))
    orders = (
        'SELECT o.Id, o.EffectiveDate, o.Status, oi.Product2Id, p.Name, p.Family, p.Description FROM "Order" o '
        "JOIN OrderItem oi ON oi.OrderId = o.Id JOIN Product2 p ON p.Id = oi.Product2Id "
        f"WHERE o.BillToContactId = {sql_literal(contact)} AND o.EffectiveDate = {sql_literal(day.isoformat())}"
    )
    return Instance(
        key=f"{contact}:{day}:{metadata['by']}:{metadata['value']}",
        prompt=" ".join(p.text for p in (opener, asked, answer) if p.text),
        policy=f"- Contact Id interacting: {contact}\n{_POLICY}\n{today_line(ctx)}",
        answers=answers,
        calls=(ctx.query_call(orders),),
        oracle_answer=answers[0] or "None",
        record_id=contact,
        metadata=metadata,
        near_miss=near_miss,
        phrasing=f"{opener.family}+{asked.family}+{answer.family}",
    )
