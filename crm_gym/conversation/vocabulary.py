"""The kinds of fact a simulated user holds: how a person names each one, and the words that ask for it.

A question asks for a slot when it contains one of the kind's phrases (compared on word stems, so "closing" asks
what "close" does), or the name of a schema field or object the slot fills, as the episode shows it (drifted
names included): see `crm_gym.conversation.matching`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SlotKind:
    """One kind of fact.

    Attributes:
        label: How a person names it when asking ("expected close date").
        asks: Words and phrases that ask for it: business words, paraphrases, the usual field names.
        objects: Schema objects whose name (as the episode shows it) asks for it ("which Product2?").
    """

    label: str
    asks: tuple[str, ...]
    objects: tuple[str, ...] = ()


SLOT_KINDS: dict[str, SlotKind] = {
    # -- Arc workflows ------------------------------------------------------------------------------------------
    "client": SlotKind(
        "client account",
        ("client", "account", "customer", "company", "organization", "organisation", "which one", "business",
         "firm", "client name", "account name", "company name"),
        ("Client",),
    ),
    "deal_name": SlotKind(
        "opportunity name",
        ("name", "called", "call it", "title", "deal name", "opportunity name", "label", "what should I call"),
    ),
    "amount": SlotKind(
        "amount",
        ("amount", "value", "worth", "how much", "price", "size", "budget", "dollar", "total", "cost", "figure",
         "money", "sum"),
    ),
    "stage": SlotKind("stage", ("stage", "phase", "pipeline stage", "step", "where in the pipeline", "how far along")),
    "close_date": SlotKind(
        "expected close date",
        ("close date", "closing date", "close", "closing", "closed", "when", "date", "deadline", "timeline",
         "timeframe", "time frame", "expected to sign", "sign"),
    ),
    "probability": SlotKind(
        "win probability",
        ("probability", "likelihood", "chance", "odds", "confidence", "confident", "percent", "percentage",
         "how likely", "likely to", "win rate", "forecast"),
    ),
    "owner": SlotKind(
        "opportunity owner",
        ("owner", "own", "assign", "assignee", "responsible", "rep", "sales rep", "who should", "hand", "manage",
         "account executive"),
    ),
    "valid_until": SlotKind(
        "valid-until date",
        ("valid", "validity", "expire", "expiry", "expiration", "good through", "good until", "until", "date",
         "when", "deadline"),
    ),
    "quote_prefix": SlotKind("quote prefix", ("prefix", "quote number", "reference", "code", "numbering")),
    "file_name": SlotKind(
        "file name",
        ("file", "file name", "filename", "document", "attachment", "which file", "name", "called", "format",
         "extension", "type of file", "file type"),
        ("Document",),
    ),
    "uploader": SlotKind(
        "uploader's name",
        ("uploader's name", "uploader name", "be the uploader", "as the uploader", "uploaded by", "upload it as",
         "who", "your name", "name", "record as", "on whose behalf", "who are you"),
    ),
    # -- CRMArena-Pro questions ---------------------------------------------------------------------------------
    "period": SlotKind(
        "time period",
        ("period", "time period", "timeframe", "time frame", "when", "month", "quarter", "season", "year",
         "date range", "dates", "date", "window", "range", "time span", "which time", "how far back", "since"),
    ),
    "product": SlotKind(
        "product",
        ("product", "item", "which product", "sku", "catalog", "model", "offering", "product id", "what product"),
        ("Product2",),
    ),
    "account": SlotKind(
        "customer account",
        ("account", "customer", "client", "company", "organization", "organisation", "which customer",
         "account id", "business"),
        ("Account",),
    ),
    "metric": SlotKind(
        "metric",
        ("metric", "measure", "which rate", "rate", "kind of", "what do you mean", "criterion", "criteria",
         "conversion", "acceptance", "sales", "closing", "closure", "ranked by", "rank", "based on",
         "in terms of", "by what", "which number", "kpi"),
    ),
}  # fmt: skip
"""Every slot kind, by key."""

DONT_KNOW = (
    "I don't know {what}.",
    "Sorry, I don't know {what}.",
    "I'm not sure about {what}; I don't know.",
)
"""How the scripted user says it does not hold a fact (``{what}`` is "that" or the kind's label)."""

NOTHING_ASKED = (
    "I don't know.",
    "Sorry, I don't know that.",
    "I'm not sure; I don't know.",
)
"""How the scripted user answers a message that asks for none of the facts it holds."""
