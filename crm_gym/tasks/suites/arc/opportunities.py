"""Opportunity workflows that write: create (24.3% of production), modify (19.4%), clone, delete.

Every case first finds its records by name, as a user's request gives names, never ids. One case in six (create)
or five (modify) is negative: the user's value breaks a rule, and the agent either corrects it when the intent is
clear ("negotiations" -> "Negotiation") or declines (probability 125, a closed deal's amount).
"""

from __future__ import annotations

from typing import Any

from crm_gym.tasks.model import Task, ToolCall
from crm_gym.tasks.suites.arc.book import OPEN_STAGES, REPS, TODAY, Family, day
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
    stage_words,
    us_date,
)

_NEW_THEMES = (
    "Route Optimization", "Loyalty Platform", "Payroll Integration", "IoT Sensors", "Disaster Recovery",
    "Procurement Portal", "Mobile App Rebuild", "Energy Monitoring", "Inventory Forecasting", "Customer Portal",
)  # fmt: skip
_PROBABILITY = {"Prospecting": 10, "Qualification": 30, "Proposal": 50, "Negotiation": 75}
_UNKNOWN_CLIENTS = ("Zephyrine Textiles", "Northgate Optics", "Calloway Biotech", "Ostrander Freight")
_WORD_PERCENT = {40: "forty", 50: "fifty", 60: "sixty", 70: "seventy"}


# -- create ------------------------------------------------------------------------------------------------


def _new_deal(fam: Family, n: int, j: int) -> dict[str, Any]:
    """The values a user asks for in create case ``n`` (client ``j`` of the family)."""
    client = fam.clients[j]
    stage = OPEN_STAGES[(n // 4 + n // 3) % len(OPEN_STAGES)]
    return {
        "client": client,
        "name": f"{client['name']} - {pick(_NEW_THEMES, 3 * n + n // 8)}",
        "stage": stage,
        "amount": 15_000.0 + (n * 7919 % 60) * 2_500,
        "close_date": day(40 + n * 13 % 200),
        "probability": _PROBABILITY[stage],
    }


def _create_call(d: dict[str, Any], **values: Any) -> ToolCall:
    return call("create_new_opportunity", client_id=d["client"]["client_id"], name=d["name"], **values)


def _create_case(fam: Family, n: int, prompt: str, d: dict[str, Any], fields: dict[str, Any], **kw: Any) -> Task:
    """A create case whose oracle finds the client by name and creates the deal with ``fields``."""
    # What the user did not give must stay empty: an invented amount or date is a wrong record.
    expected_fields = {"name": d["name"], "stage": "Prospecting", "amount": None, "close_date": None}
    expected_fields |= {"probability": None} | fields
    return case(
        "create_opportunity",
        n,
        prompt,
        fam.org(),
        created("Opportunity", {"client_id": d["client"]["client_id"]}, expected_fields),
        [call("client_search", query=d["client"]["name"]), _create_call(d, **fields)],
        f'Created the opportunity "{d["name"]}" for {d["client"]["name"]}.',
        **kw,
    )


def _create_full(fam: Family, n: int) -> Task:
    d = _new_deal(fam, n, n // 4 % 2)
    prompt = pick(
        (
            f'Create a new opportunity for {d["client"]["name"]} called "{d["name"]}". It\'s at the '
            f"{stage_words(d['stage'])} stage, worth {money(d['amount'])}, expected to close "
            f"{spoken_date(d['close_date'])}, {d['probability']}% probability.",
            f'New deal for {d["client"]["name"]}: "{d["name"]}", {money(d["amount"])}, '
            f"{stage_words(d['stage'])}, closing {spoken_date(d['close_date'])}, probability {d['probability']}%.",
        ),
        n,
    )
    fields = {k: d[k] for k in ("stage", "amount", "close_date", "probability")}
    return _create_case(fam, n, prompt, d, fields)


def _create_minimal(fam: Family, n: int) -> Task:
    d = _new_deal(fam, n, (n // 4 + 1) % 3)
    prompt = pick(
        (
            f'Log an opportunity "{d["name"]}" for {d["client"]["name"]}, about {money(d["amount"])}. '
            "Nothing else is known yet.",
            f'Please add a deal called "{d["name"]}" under {d["client"]["name"]} with an amount of '
            f"{money(d['amount'])}.",
        ),
        n,
    )
    return _create_case(fam, n, prompt, d, {"amount": d["amount"]})


def _create_owner(fam: Family, n: int) -> Task:
    d = _new_deal(fam, n, (n // 4 + 2) % 3)
    owner = pick(REPS, n // 4)
    prompt = (
        f'Open an opportunity "{d["name"]}" for {d["client"]["name"]} in {stage_words(d["stage"])}, closing '
        f"{spoken_date(d['close_date'])}, and make {owner} the owner."
    )
    return _create_case(fam, n, prompt, d, {"stage": d["stage"], "close_date": d["close_date"], "owner": owner})


def _create_shorthand(fam: Family, n: int) -> Task:
    d = _new_deal(fam, n, n // 4 % 3)
    d["amount"] = float(1_000 * (40 + n * 37 % 900))
    short = f"${d['amount'] / 1_000_000:g}M" if d["amount"] >= 1_000_000 else f"${d['amount'] / 1_000:g}k"
    prompt = (
        f'Can you set up a {short} opportunity for {d["client"]["name"]}? Name it "{d["name"]}", '
        f"{stage_words(d['stage'])} stage."
    )
    return _create_case(fam, n, prompt, d, {"stage": d["stage"], "amount": d["amount"]})


def _create_bad_stage(fam: Family, n: int) -> Task:
    d = _new_deal(fam, n, 0)
    d["stage"] = "Negotiation"
    prompt = f'Add "{d["name"]}" for {d["client"]["name"]}, stage negotiations, {money(d["amount"])}.'
    fields = {"stage": "Negotiation", "amount": d["amount"]}
    invalid = _create_call(d, stage="negotiations", amount=d["amount"])
    return _create_case(fam, n, prompt, d, fields, negative="correct", invalid_call=invalid)


def _create_us_date(fam: Family, n: int) -> Task:
    d = _new_deal(fam, n, 1)
    prompt = (
        f'Create the opportunity "{d["name"]}" for {d["client"]["name"]}, {money(d["amount"])}, close date '
        f"{us_date(d['close_date'])}."
    )
    fields = {"amount": d["amount"], "close_date": d["close_date"]}
    invalid = _create_call(d, amount=d["amount"], close_date=us_date(d["close_date"]))
    return _create_case(fam, n, prompt, d, fields, negative="correct", invalid_call=invalid)


def _create_word_probability(fam: Family, n: int) -> Task:
    d = _new_deal(fam, n, 0)
    d["probability"] = pick(sorted(_WORD_PERCENT), n)
    word = _WORD_PERCENT[d["probability"]]
    prompt = (
        f'New opportunity for {d["client"]["name"]}: "{d["name"]}", {stage_words(d["stage"])}, '
        f"probability {word} percent."
    )
    fields = {"stage": d["stage"], "probability": d["probability"]}
    invalid = _create_call(d, stage=d["stage"], probability=word)
    return _create_case(fam, n, prompt, d, fields, negative="correct", invalid_call=invalid)


def _create_unknown_client(fam: Family, n: int) -> Task:
    stranger = pick(_UNKNOWN_CLIENTS, n)
    name = f"{stranger} - {pick(_NEW_THEMES, n)}"
    prompt = f'Create an opportunity "{name}" for our client {stranger}, {money(60_000 + 5_000 * n)}.'
    answer = (
        f"I couldn't find a client called {stranger} in the CRM, so I can't create the opportunity. "
        "If it's a new customer, I can create the client first."
    )
    return case(
        "create_opportunity",
        n,
        prompt,
        fam.org(),
        declined("Client", fam.clients[0]["client_id"]),
        [call("client_search", query=stranger)],
        answer,
        negative="decline",
        invalid_call=call("create_new_opportunity", client_id=stranger, name=name),
    )


def _create_declined(fam: Family, n: int, prompt: str, d: dict[str, Any], bad: dict[str, Any], why: str) -> Task:
    invalid = _create_call(d, **bad)
    return case(
        "create_opportunity",
        n,
        prompt,
        fam.org(),
        declined("Client", d["client"]["client_id"]),
        [call("client_search", query=d["client"]["name"]), invalid],
        f"I can't create \"{d['name']}\": {why} Nothing was created; tell me the right value and I'll add it.",
        negative="decline",
        invalid_call=invalid,
    )


def _create_probability_125(fam: Family, n: int) -> Task:
    d = _new_deal(fam, n, 0)
    prompt = f'Create "{d["name"]}" for {d["client"]["name"]} with a 125% probability, we\'re that sure.'
    why = "the CRM takes a win probability from 1 to 99 percent, and 125 is out of range."
    return _create_declined(fam, n, prompt, d, {"probability": 125}, why)


def _create_huge_amount(fam: Family, n: int) -> Task:
    d = _new_deal(fam, n, 1)
    prompt = f'Put in a $25 million opportunity for {d["client"]["name"]}, call it "{d["name"]}".'
    why = "opportunity amounts are limited to $10,000,000 in the CRM, so $25,000,000 is refused."
    return _create_declined(fam, n, prompt, d, {"amount": 25_000_000.0}, why)


_CREATE_POSITIVE: tuple[CaseBuilder, ...] = (_create_full, _create_minimal, _create_owner, _create_shorthand)
_CREATE_NEGATIVE: tuple[CaseBuilder, ...] = (
    _create_bad_stage,
    _create_unknown_client,
    _create_us_date,
    _create_probability_125,
    _create_word_probability,
    _create_huge_amount,
    _create_bad_stage,
)


def build_create_opportunity(fams: list[Family], count: int = 42) -> list[Task]:
    """``count`` create cases over the families; every sixth is negative."""
    return [
        (_CREATE_NEGATIVE[(n // 6 - 1) % 7] if n % 6 == 0 else _CREATE_POSITIVE[(n - 1) % 4])(pick(fams, 3 * n), n)
        for n in range(1, count + 1)
    ]


# -- modify ------------------------------------------------------------------------------------------------


def _open_deal(fam: Family, n: int, unlike: dict[str, Any] | None = None) -> dict[str, Any]:
    """An open deal of the family for case ``n``; with ``unlike``, one whose fields differ from those values."""
    deals = [
        o
        for o in fam.records["Opportunity"]
        if o["stage"] in OPEN_STAGES and not any(o[k] == v for k, v in (unlike or {}).items())
    ]
    return deals[(n * 5 + n // 8) % len(deals)]


def _client_of(fam: Family, deal: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in fam.clients if c["client_id"] == deal["client_id"])


def _theme(deal: dict[str, Any]) -> str:
    return deal["name"].split(" - ", 1)[1]


def _find_deal(fam: Family, deal: dict[str, Any], n: int) -> tuple[str, list[ToolCall]]:
    """How the user names the deal, and the oracle's calls that find it."""
    client = _client_of(fam, deal)
    if n % 2:
        return f'"{deal["name"]}"', [call("opportunity_search", query=deal["name"])]
    return (
        f"the {_theme(deal)} deal with {client['name']}",
        [
            call("client_search", query=client["name"]),
            call("opportunity_search", client_id=client["client_id"], query=_theme(deal)),
        ],
    )


def _modify_case(
    fam: Family,
    n: int,
    prompt: str,
    deal: dict[str, Any],
    finds: list[ToolCall],
    fields: dict[str, Any],
    invalid: ToolCall | None = None,
) -> Task:
    """A modify case whose oracle finds the deal and changes exactly ``fields``; ``invalid`` marks a correction."""
    return case(
        "modify_opportunity",
        n,
        prompt,
        fam.org(),
        changed("Opportunity", deal["opportunity_id"], fields),
        [*finds, call("modify_opportunity", opportunity_id=deal["opportunity_id"], **fields)],
        f"Updated {deal['name']}: " + ", ".join(f"{k} is now {v}" for k, v in fields.items()) + ".",
        negative="correct" if invalid is not None else None,
        invalid_call=invalid,
        dev=n % 10 == 9,
    )


def _next_stage(stage: str) -> str:
    i = OPEN_STAGES.index(stage)
    return OPEN_STAGES[i + 1] if i + 1 < len(OPEN_STAGES) else "Closed-Won"


def _modify_stage(fam: Family, n: int) -> Task:
    deal = _open_deal(fam, n)
    named, finds = _find_deal(fam, deal, n)
    stage = _next_stage(deal["stage"])
    words = "we won it, please mark it closed won" if stage == "Closed-Won" else f"move it to {stage_words(stage)}"
    return _modify_case(fam, n, f"Update {named}: {words}.", deal, finds, {"stage": stage})


def _modify_amount(fam: Family, n: int) -> Task:
    deal = _open_deal(fam, n)
    named, finds = _find_deal(fam, deal, n)
    amount = deal["amount"] + 12_500
    prompt = pick(
        (
            f"The customer expanded scope: bump the amount on {named} to {money(amount)}.",
            f"Set {named} to {money(amount)}.",
        ),
        n,
    )
    return _modify_case(fam, n, prompt, deal, finds, {"amount": amount})


def _modify_close_date(fam: Family, n: int) -> Task:
    deal = _open_deal(fam, n)
    named, finds = _find_deal(fam, deal, n)
    close = day(60 + n * 11 % 120)
    prompt = f"Procurement is slow, push the close date of {named} to {spoken_date(close)}."
    return _modify_case(fam, n, prompt, deal, finds, {"close_date": close})


def _modify_probability(fam: Family, n: int) -> Task:
    deal = _open_deal(fam, n)
    named, finds = _find_deal(fam, deal, n)
    probability = min(95, (deal["probability"] or 10) + 15)
    prompt = f"After today's call I'm more confident about {named}. Raise its probability to {probability}%."
    return _modify_case(fam, n, prompt, deal, finds, {"probability": probability})


def _modify_owner(fam: Family, n: int) -> Task:
    deal = _open_deal(fam, n)
    named, finds = _find_deal(fam, deal, n)
    owner = next(r for r in REPS[n % len(REPS) :] + REPS if r != deal["owner"])
    prompt = f"{deal['owner']} is going on leave, so hand {named} over to {owner}."
    return _modify_case(fam, n, prompt, deal, finds, {"owner": owner})


def _modify_stage_and_probability(fam: Family, n: int) -> Task:
    deal = _open_deal(fam, n)
    named, finds = _find_deal(fam, deal, n)
    # A deal already in negotiation goes back to proposal: the customer reopened pricing.
    stage = "Proposal" if deal["stage"] == "Negotiation" else _next_stage(deal["stage"])
    probability = _PROBABILITY[stage] - 5 if deal["stage"] == "Negotiation" else _PROBABILITY[stage] + 5
    prompt = f"For {named}: stage {stage_words(stage)}, probability {probability} percent."
    return _modify_case(fam, n, prompt, deal, finds, {"stage": stage, "probability": probability})


def _modify_bad_stage(fam: Family, n: int) -> Task:
    deal = _open_deal(fam, n, {"stage": "Negotiation"})
    named, finds = _find_deal(fam, deal, n)
    invalid = call("modify_opportunity", opportunity_id=deal["opportunity_id"], stage="Negotiations")
    return _modify_case(fam, n, f"Change {named} to Negotiations.", deal, finds, {"stage": "Negotiation"}, invalid)


def _modify_us_date(fam: Family, n: int) -> Task:
    deal = _open_deal(fam, n)
    named, finds = _find_deal(fam, deal, n)
    close = day(90 + n % 30)
    invalid = call("modify_opportunity", opportunity_id=deal["opportunity_id"], close_date=us_date(close))
    prompt = f"New close date for {named}: {us_date(close)}."
    return _modify_case(fam, n, prompt, deal, finds, {"close_date": close}, invalid)


def _modify_word_probability(fam: Family, n: int) -> Task:
    probability = pick(sorted(_WORD_PERCENT), n)
    deal = _open_deal(fam, n, {"probability": probability})
    named, finds = _find_deal(fam, deal, n)
    word = _WORD_PERCENT[probability]
    invalid = call("modify_opportunity", opportunity_id=deal["opportunity_id"], probability=word)
    prompt = f"Set the probability on {named} to {word}."
    return _modify_case(fam, n, prompt, deal, finds, {"probability": probability}, invalid)


def _modify_declined(fam: Family, n: int, deal: dict[str, Any], prompt: str, bad: dict[str, Any], why: str) -> Task:
    _, finds = _find_deal(fam, deal, 1)
    invalid = call("modify_opportunity", opportunity_id=deal["opportunity_id"], **bad)
    return case(
        "modify_opportunity",
        n,
        prompt,
        fam.org(),
        declined("Opportunity", deal["opportunity_id"]),
        [*finds, invalid],
        f"I can't make that change to {deal['name']}: {why} The deal is unchanged.",
        negative="decline",
        invalid_call=invalid,
    )


def _modify_closed_deal(fam: Family, n: int) -> Task:
    deal = next(o for o in fam.records["Opportunity"] if o["stage"] == "Closed-Won")
    amount = deal["amount"] + 20_000
    prompt = f'The customer added seats. Change the amount on "{deal["name"]}" to {money(amount)}.'
    why = "it is Closed-Won, and a closed deal's amount, stage, probability and close date are locked."
    return _modify_declined(fam, n, deal, prompt, {"amount": amount}, why)


def _modify_probability_125(fam: Family, n: int) -> Task:
    deal = _open_deal(fam, n)
    prompt = f'Set the probability on "{deal["name"]}" to 125.'
    why = "the win probability must be a whole number from 1 to 99, and 125 is out of range."
    return _modify_declined(fam, n, deal, prompt, {"probability": 125}, why)


def _modify_negative_amount(fam: Family, n: int) -> Task:
    deal = _open_deal(fam, n)
    prompt = f'They\'re getting a credit, so set the amount of "{deal["name"]}" to -15000.'
    why = "an opportunity amount must be more than 0; a negative amount is refused."
    return _modify_declined(fam, n, deal, prompt, {"amount": -15_000.0}, why)


_MODIFY_POSITIVE: tuple[CaseBuilder, ...] = (
    _modify_stage,
    _modify_amount,
    _modify_close_date,
    _modify_probability,
    _modify_owner,
    _modify_stage_and_probability,
)
_MODIFY_NEGATIVE: tuple[CaseBuilder, ...] = (
    _modify_bad_stage,
    _modify_closed_deal,
    _modify_us_date,
    _modify_probability_125,
    _modify_word_probability,
    _modify_negative_amount,
    _modify_closed_deal,
)


def build_modify_opportunity(fams: list[Family], count: int = 34) -> list[Task]:
    """``count`` modify cases over the families; every fifth is negative."""
    return [
        (_MODIFY_NEGATIVE[(n // 5 - 1) % 7] if n % 5 == 0 else _MODIFY_POSITIVE[(n - 1) % 6])(pick(fams, 3 * n + 1), n)
        for n in range(1, count + 1)
    ]


# -- clone and delete ------------------------------------------------------------------------------------


def build_clone_opportunity(fams: list[Family], count: int = 3) -> list[Task]:
    """Renewals: clone a won deal under a new name and close date, in prospecting."""
    tasks = []
    for n in range(1, count + 1):
        fam = pick(fams, n + 1)
        source = next(o for o in fam.records["Opportunity"] if o["stage"] == "Closed-Won")
        name = f"{source['name']} {TODAY.year + 1}"
        close = day(300 + 10 * n)
        prompt = (
            f'We want to renew "{source["name"]}". Clone it as "{name}", back in prospecting, closing '
            f"{spoken_date(close)}; keep everything else the same."
        )
        overrides = {"name": name, "stage": "Prospecting", "close_date": close}
        copied = {k: source[k] for k in ("client_id", "amount", "owner", "probability")}
        tasks.append(
            case(
                "clone_opportunity",
                n,
                prompt,
                fam.org(),
                created("Opportunity", {"name": name}, {**copied, **overrides}),
                [
                    call("opportunity_search", query=source["name"]),
                    call("clone_opportunity", opportunity_id=source["opportunity_id"], **overrides),
                ],
                f"Cloned {source['name']} as {name} (Prospecting, closing {close}).",
            )
        )
    return tasks


def build_delete_opportunity(fams: list[Family], count: int = 1) -> list[Task]:
    """Delete a lost deal by name (its quotes, files and notes go with it)."""
    tasks = []
    for n in range(1, count + 1):
        fam = pick(fams, n + 4)
        deal = next(o for o in fam.records["Opportunity"] if o["stage"] == "Closed-Lost")
        prompt = f'"{deal["name"]}" was entered by mistake. Please delete it, I confirm.'
        tasks.append(
            case(
                "delete_opportunity",
                n,
                prompt,
                fam.org(),
                deleted("Opportunity", deal["opportunity_id"]),
                [
                    call("opportunity_search", query=deal["name"]),
                    call("delete_opportunity", opportunity_id=deal["opportunity_id"]),
                ],
                f"Deleted {deal['name']} and its quotes.",
            )
        )
    return tasks
