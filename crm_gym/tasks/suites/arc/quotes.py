"""Quote workflows that write: create (11.9% of production), modify, cancel and delete.

The user names the deal, never an id; the version is set by the CRM. Every fifth create case is negative: a US
date or an amount in words to correct, a negative amount or an unknown deal to decline.
"""

from __future__ import annotations

from typing import Any

from crm_gym.tasks.model import Task, ToolCall
from crm_gym.tasks.suites.arc.book import Family, day
from crm_gym.tasks.suites.arc.cases import (
    CaseBuilder,
    call,
    case,
    changed,
    created,
    declined,
    deleted,
    money,
    pick,
    spoken_date,
    us_date,
)

_QUOTED_STAGES = ("Qualification", "Proposal", "Negotiation")
_UNKNOWN_DEALS = ("Atlantis Upgrade", "Polar Express Rollout", "Nimbus Archive Project")


def _deal(fam: Family, n: int) -> dict[str, Any]:
    deals = [o for o in fam.records["Opportunity"] if o["stage"] in _QUOTED_STAGES]
    return deals[n * 7 % len(deals)]


def _find(deal: dict[str, Any]) -> ToolCall:
    return call("opportunity_search", query=deal["name"])


def _quote_case(
    fam: Family,
    n: int,
    prompt: str,
    deal: dict[str, Any],
    args: dict[str, Any],
    invalid: ToolCall | None = None,
    reads: tuple[ToolCall, ...] = (),
) -> Task:
    """A create case: the oracle finds the deal (then makes ``reads``) and creates the quote with ``args``.

    The version is the deal's next one; ``invalid`` marks a case whose value the agent must correct.
    """
    version = len(fam.quotes(deal["opportunity_id"])) + 1
    fields = {"status": "Draft", "valid_until": None, "quote_prefix": None} | args | {"version": version}
    return case(
        "create_quote",
        n,
        prompt,
        fam.org(),
        created("Quote", {"opportunity_id": deal["opportunity_id"]}, fields),
        [_find(deal), *reads, call("create_quote", opportunity_id=deal["opportunity_id"], **args)],
        f"Created quote version {version} for {deal['name']} at {money(args['amount'])}.",
        negative="correct" if invalid is not None else None,
        invalid_call=invalid,
        dev=n % 10 == 9,
    )


def _amount(deal: dict[str, Any], n: int) -> float:
    return round(deal["amount"] * (0.9 + 0.01 * (n % 8)), -2)


def _quote_basic(fam: Family, n: int) -> Task:
    deal = _deal(fam, n)
    amount = _amount(deal, n)
    prompt = pick(
        (
            f'Create a quote for {money(amount)} on "{deal["name"]}".',
            f'I need a new quote on the "{deal["name"]}" opportunity, {money(amount)}.',
        ),
        n,
    )
    return _quote_case(fam, n, prompt, deal, {"amount": amount})


def _quote_valid_until(fam: Family, n: int) -> Task:
    deal = _deal(fam, n)
    amount, until = _amount(deal, n), day(30 + 15 * (n % 4))
    prompt = f'Quote "{deal["name"]}" at {money(amount)}, valid until {spoken_date(until)}.'
    return _quote_case(fam, n, prompt, deal, {"amount": amount, "valid_until": until})


def _quote_sent(fam: Family, n: int) -> Task:
    deal = _deal(fam, n)
    amount = _amount(deal, n)
    prompt = f'I already emailed the customer a {money(amount)} quote for "{deal["name"]}"; log it as sent.'
    return _quote_case(fam, n, prompt, deal, {"amount": amount, "status": "Sent"})


def _quote_prefix(fam: Family, n: int) -> Task:
    deal = _deal(fam, n)
    amount = _amount(deal, n)
    prefix = f"Q-{fam.spec.key[:5].upper()}-{n:02d}"
    prompt = f'Add a quote to "{deal["name"]}": {money(amount)}, quote prefix {prefix}.'
    return _quote_case(fam, n, prompt, deal, {"amount": amount, "quote_prefix": prefix})


def _quote_discount(fam: Family, n: int) -> Task:
    deal = _deal(fam, n)
    amount = round(deal["amount"] * 0.9, 2)
    prompt = f'Create a quote on "{deal["name"]}" at the deal\'s amount less a 10% discount.'
    reads = (call("view_opportunity_details", opportunity_id=deal["opportunity_id"]),)
    return _quote_case(fam, n, prompt, deal, {"amount": amount}, reads=reads)


def _quote_us_date(fam: Family, n: int) -> Task:
    deal = _deal(fam, n)
    amount, until = _amount(deal, n), day(200 + n)
    prompt = f'Make a {money(amount)} quote for "{deal["name"]}" that\'s good through {us_date(until)}.'
    invalid = call("create_quote", opportunity_id=deal["opportunity_id"], amount=amount, valid_until=us_date(until))
    return _quote_case(fam, n, prompt, deal, {"amount": amount, "valid_until": until}, invalid)


def _quote_words(fam: Family, n: int) -> Task:
    deal = _deal(fam, n)
    prompt = f'Create a quote of fifty thousand dollars for "{deal["name"]}".'
    invalid = call("create_quote", opportunity_id=deal["opportunity_id"], amount="fifty thousand")
    return _quote_case(fam, n, prompt, deal, {"amount": 50_000.0}, invalid)


def _quote_negative(fam: Family, n: int) -> Task:
    deal = _deal(fam, n)
    prompt = f'Put a quote of -$2,000 on "{deal["name"]}" to reflect the credit we owe them.'
    invalid = call("create_quote", opportunity_id=deal["opportunity_id"], amount=-2_000.0)
    return case(
        "create_quote",
        n,
        prompt,
        fam.org(),
        declined("Opportunity", deal["opportunity_id"]),
        [_find(deal), invalid],
        "I can't create a quote with a negative amount: quote amounts must be 0 or more. No quote was created; "
        "a credit would need to be handled outside the quote.",
        negative="decline",
        invalid_call=invalid,
    )


def _quote_unknown_deal(fam: Family, n: int) -> Task:
    client = fam.clients[n % 3]
    name = f"{client['name']} - {pick(_UNKNOWN_DEALS, n)}"
    prompt = f'Create a {money(40_000 + 1_000 * n)} quote for the "{name}" deal.'
    return case(
        "create_quote",
        n,
        prompt,
        fam.org(),
        declined("Client", client["client_id"]),
        [call("opportunity_search", query=name)],
        f"I couldn't find an opportunity called \"{name}\", so I can't create the quote. Which deal should it go on?",
        negative="decline",
        invalid_call=call("create_quote", opportunity_id=name, amount=float(40_000 + 1_000 * n)),
    )


_POSITIVE: tuple[CaseBuilder, ...] = (_quote_basic, _quote_valid_until, _quote_sent, _quote_prefix, _quote_discount)
_NEGATIVE: tuple[CaseBuilder, ...] = (_quote_us_date, _quote_negative, _quote_words, _quote_unknown_deal)


def build_create_quote(fams: list[Family], count: int = 21) -> list[Task]:
    """``count`` create-quote cases; every fifth is negative."""
    return [
        (_NEGATIVE[(n // 5 - 1) % 4] if n % 5 == 0 else _POSITIVE[(n - 1) % 5])(pick(fams, n + 5), n)
        for n in range(1, count + 1)
    ]


def _latest_quote(fam: Family, status: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first deal (in book order) whose latest quote has ``status``, and that quote."""
    for deal in fam.records["Opportunity"]:
        quotes = fam.quotes(deal["opportunity_id"])
        if quotes and quotes[-1]["status"] == status:
            return deal, quotes[-1]
    raise LookupError(f"no deal of family {fam.spec.key!r} has a latest quote in status {status!r}")


def _quote_steps(deal: dict[str, Any]) -> list[ToolCall]:
    return [_find(deal), call("quote_search", opportunity_id=deal["opportunity_id"])]


def build_modify_quote(fams: list[Family]) -> list[Task]:
    """The customer accepted the sent quote: mark it approved."""
    fam = fams[2]
    deal, quote = _latest_quote(fam, "Sent")
    prompt = f'The customer accepted our latest quote on "{deal["name"]}". Mark it approved.'
    return [
        case(
            "modify_quote",
            1,
            prompt,
            fam.org(),
            changed("Quote", quote["quote_id"], {"status": "Approved"}),
            [*_quote_steps(deal), call("modify_quote", quote_id=quote["quote_id"], status="Approved")],
            f"Quote version {quote['version']} on {deal['name']} is now Approved.",
        )
    ]


def build_cancel_quote(fams: list[Family]) -> list[Task]:
    """Withdraw the sent quote of a deal."""
    fam = fams[5]
    deal, quote = _latest_quote(fam, "Sent")
    prompt = f'Pricing changed. Please cancel the quote we sent for "{deal["name"]}".'
    return [
        case(
            "cancel_quote",
            1,
            prompt,
            fam.org(),
            changed("Quote", quote["quote_id"], {"status": "Canceled"}),
            [*_quote_steps(deal), call("cancel_quote", quote_id=quote["quote_id"])],
            f"Canceled quote version {quote['version']} on {deal['name']}.",
        )
    ]


def build_delete_quote(fams: list[Family]) -> list[Task]:
    """Delete a deal's superseded first quote version."""
    fam = fams[6]
    deal = next(o for o in fam.records["Opportunity"] if o["stage"] == "Negotiation")
    quote = fam.quotes(deal["opportunity_id"])[0]
    prompt = f'Delete version 1 of the quote on "{deal["name"]}", it was superseded. Yes, I\'m sure.'
    return [
        case(
            "delete_quote",
            1,
            prompt,
            fam.org(),
            deleted("Quote", quote["quote_id"]),
            [*_quote_steps(deal), call("delete_quote", quote_id=quote["quote_id"])],
            f"Deleted quote version 1 of {deal['name']}.",
        )
    ]
