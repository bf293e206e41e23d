"""The named_entity_disambiguation generator: a contact names a purchase loosely (a product type, or a name shared
by near-duplicate products) and when they bought it; the account's orders of that day tell which product it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, Instance, category_generator
from crm_gym.tasks.suites.crmarena_pro.generators.common import balanced, today_line
from crm_gym.world.generate.b2b_text import CATEGORIES as PRODUCT_THEMES

_NED_PROMPTS = (
    "Can you show me the {thing} I purchased {when}?",
    "Display the {thing} that I bought {when}.",
    "Please pull up the {thing} I ordered {when}.",
)
# Purchases older than this are not asked about by a relative date.
_NED_MAX_DAYS = 365
# Every this many purchases, a date without any purchase is asked about too (its answer is None).
_NED_NONE_EVERY = 4
_PHRASE_OF_FAMILY = {theme.name: theme.phrase for theme in PRODUCT_THEMES}


def _when(days: int) -> str:
    return {1: "yesterday", 7: "a week ago", 14: "two weeks ago"}.get(days, f"{days} days ago")


def _orders_sql(contact: str) -> str:
    return (
        'SELECT o.EffectiveDate, o.Status, oi.Product2Id, p.Name, p.Family, p.Description FROM "Order" o '
        "JOIN OrderItem oi ON oi.OrderId = o.Id JOIN Product2 p ON p.Id = oi.Product2Id "
        f"WHERE o.BillToContactId = '{contact}' ORDER BY o.EffectiveDate DESC, p.Name"
    )


def _shared_names(ctx: GenerationContext) -> dict[str, str]:
    """Each near-duplicate product's shared name: the shortest name of its group."""
    names = dict(ctx.sql("SELECT Id, Name FROM Product2"))
    return {
        product: min((names[p] for p in group), key=len)
        for group in ctx.planted.near_duplicate_products
        for product in group
    }


def _describe(product: str, family: str, shared: dict[str, str]) -> tuple[str, Callable[[str, str], bool]]:
    """A product's loose description and a test of which products (name, family) it fits.

    Near-duplicate products are named by the name their group shares; the others by their product type.
    """
    if product in shared:
        base = shared[product]
        return base, lambda other_name, _: other_name == base or other_name.startswith(base + " ")
    return _PHRASE_OF_FAMILY[family], lambda _, other_family: other_family == family


@category_generator("named_entity_disambiguation")
def named_entity_disambiguation(ctx: GenerationContext) -> list[Instance]:
    """The product a contact means by a loose name and a purchase date; None when nothing fits that day."""
    return balanced(ctx, _ned_instances(ctx))


def _ned_instances(ctx: GenerationContext) -> Iterator[Instance]:
    shared = _shared_names(ctx)
    first = (ctx.today - dt.timedelta(days=_NED_MAX_DAYS)).isoformat()
    purchases = ctx.sql(
        'SELECT o.BillToContactId, o.AccountId, o.EffectiveDate, oi.Product2Id, p.Family FROM "Order" o '
        "JOIN OrderItem oi ON oi.OrderId = o.Id JOIN Product2 p ON p.Id = oi.Product2Id "
        "WHERE o.Status = 'Activated' AND o.EffectiveDate >= ? AND o.EffectiveDate < ? ORDER BY oi.Id",
        (first, ctx.today.isoformat()),
    )
    seen: set[str] = set()
    for n, (contact, account, day, product, family) in enumerate(purchases):
        thing, fits = _describe(product, family, shared)
        days = (ctx.today - dt.date.fromisoformat(day)).days
        candidates = [(days, product)]
        if n % _NED_NONE_EVERY == 0:
            candidates.append((days + int(ctx.rng.integers(2, 30)), None))
        for ago, gold in candidates:
            when = (ctx.today - dt.timedelta(days=ago)).isoformat()
            key = f"{contact}:{when}:{product}"
            if key in seen:
                continue
            # Every product the account ordered that day (any contact, any status) that the description fits.
            bought = ctx.sql(
                'SELECT DISTINCT oi.Product2Id, p.Name, p.Family FROM "Order" o JOIN OrderItem oi ON oi.OrderId = o.Id '
                "JOIN Product2 p ON p.Id = oi.Product2Id WHERE o.AccountId = ? AND o.EffectiveDate = ?",
                (account, when),
            )
            if [p for p, p_name, p_family in bought if fits(p_name, p_family)] != ([gold] if gold else []):
                continue
            seen.add(key)
            prompt = ctx.choice(_NED_PROMPTS).format(thing=thing, when=_when(ago))
            yield Instance(
                key=key,
                prompt=f"{prompt} Return only the Id of the product from the contact's relevant past transaction, "
                "or None if there is no such purchase.",
                policy=f"- Contact Id interacting: {contact}\n{today_line(ctx)}",
                answers=(gold,),
                calls=(ctx.query_call(_orders_sql(contact)),),
                oracle_answer=gold or "None",
                record_id=contact,
                metadata={"date": when, "description": thing, "near_duplicate": product in shared},
            )
