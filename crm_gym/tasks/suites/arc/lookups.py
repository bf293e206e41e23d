"""Workflows that read: searches (opportunity 15.0% of production, contact, client, contract, quote, company),
opportunity details, pipeline summaries, quote details and quote comparison.

Gold answers come from reference queries over the case's seed world (background org included), never from the
tools under test. Answers are record ids (checked as a set: any order, no extra id) or a stage.
"""

from __future__ import annotations

from typing import Any

from crm_gym.tasks.model import AnswerExpectation, RecordInsert, Task, ToolCall
from crm_gym.tasks.suites.arc.book import OPEN_STAGES, REPS, STAGES, Family, uid
from crm_gym.tasks.suites.arc.cases import (
    CaseBuilder,
    call,
    case,
    ids_answer,
    listing,
    money,
    pick,
    possessive,
    stage_answer,
    stage_words,
)

Row = dict[str, Any]


def _ask(
    workflow: str,
    fam: Family,
    n: int,
    prompt: str,
    expected: AnswerExpectation,
    calls: list[ToolCall],
    answer: str,
    extra: tuple[RecordInsert, ...] = (),
) -> Task:
    return case(workflow, n, prompt, fam.org(extra), expected, calls, answer, dev=n % 10 == 9)


def _rows(fam: Family, obj: str, where: str, params: tuple[Any, ...] = ()) -> list[Row]:
    """A reference query over the family's seed world (background included)."""
    pk = fam.world.schema.object(obj).primary_key
    return sorted(fam.world.rows(obj, where, params), key=lambda r: r[pk])


def _ids(rows: list[Row], pk: str) -> AnswerExpectation:
    return ids_answer([r[pk] for r in rows])


def _find_client(client: Row) -> ToolCall:
    return call("client_search", query=client["name"])


# -- opportunity search --------------------------------------------------------------------------------


def _all_deals_of(fam: Family, n: int) -> Task:
    client = fam.clients[n // 6 % 3]
    rows = _rows(fam, "Opportunity", "client_id = ?", (client["client_id"],))
    prompt = pick(
        (
            f"What deals do we have with {client['name']}? Give me their ids.",
            f"List every opportunity for {client['name']}.",
        ),
        n,
    )
    calls = [_find_client(client), call("opportunity_search", client_id=client["client_id"])]
    return _ask(
        "opportunity_search", fam, n, prompt, _ids(rows, "opportunity_id"), calls, listing(rows, "opportunity_id")
    )


def _open_deals_of(fam: Family, n: int) -> Task:
    client = fam.clients[(n // 6 + 1) % 3]
    marks = ", ".join("?" for _ in OPEN_STAGES)
    rows = _rows(fam, "Opportunity", f"client_id = ? AND stage IN ({marks})", (client["client_id"], *OPEN_STAGES))
    prompt = f"Which of {possessive(client['name'])} opportunities are still open (not closed won or lost)?"
    calls = [_find_client(client), call("opportunity_search", client_id=client["client_id"])]
    return _ask(
        "opportunity_search", fam, n, prompt, _ids(rows, "opportunity_id"), calls, listing(rows, "opportunity_id")
    )


def _one_theme(fam: Family, n: int) -> Task:
    client = fam.clients[1]
    deal = fam.deals(1)[0]  # same theme as the first client's first deal: the look-alike trap
    theme = deal["name"].split(" - ", 1)[1]
    prompt = f"Find the {theme} opportunity for {client['name']}. I need its id."
    calls = [_find_client(client), call("opportunity_search", client_id=client["client_id"], query=theme)]
    return _ask(
        "opportunity_search",
        fam,
        n,
        prompt,
        ids_answer([deal["opportunity_id"]]),
        calls,
        listing([deal], "opportunity_id"),
    )


def _owner_stage(fam: Family, n: int) -> Task:
    stage = pick(OPEN_STAGES, n // 6)
    owners = [r for r in REPS if _rows(fam, "Opportunity", "owner = ? AND stage = ?", (r, stage))]
    owner = pick(owners, n // 6 + 1)
    rows = _rows(fam, "Opportunity", "owner = ? AND stage = ?", (owner, stage))
    prompt = f"Show me {owner}'s deals that are in {stage_words(stage)}."
    calls = [call("opportunity_search", owner=owner, stage=stage)]
    return _ask(
        "opportunity_search", fam, n, prompt, _ids(rows, "opportunity_id"), calls, listing(rows, "opportunity_id")
    )


def _over_amount(fam: Family, n: int) -> Task:
    j = (n // 6 + 2) % 3
    client = fam.clients[j]
    amounts = sorted(o["amount"] for o in fam.deals(j))
    floor = amounts[0] + 1_000  # at least one deal above and one below
    rows = _rows(fam, "Opportunity", "client_id = ? AND amount > ?", (client["client_id"], floor))
    prompt = f"Which {client['name']} deals are worth more than {money(floor)}?"
    calls = [_find_client(client), call("opportunity_search", client_id=client["client_id"], min_amount=floor)]
    return _ask(
        "opportunity_search", fam, n, prompt, _ids(rows, "opportunity_id"), calls, listing(rows, "opportunity_id")
    )


def _by_name(fam: Family, n: int) -> Task:
    deal = pick(fam.records["Opportunity"], n + n // 6)
    prompt = f'What\'s the opportunity id of "{deal["name"]}"?'
    calls = [call("opportunity_search", query=deal["name"])]
    return _ask(
        "opportunity_search",
        fam,
        n,
        prompt,
        ids_answer([deal["opportunity_id"]]),
        calls,
        listing([deal], "opportunity_id"),
    )


_SEARCHES: tuple[CaseBuilder, ...] = (_all_deals_of, _open_deals_of, _one_theme, _owner_stage, _over_amount, _by_name)


def build_opportunity_search(fams: list[Family], count: int = 26) -> list[Task]:
    """``count`` opportunity searches over the families."""
    return [_SEARCHES[(n - 1) % len(_SEARCHES)](pick(fams, 3 * n + 2), n) for n in range(1, count + 1)]


# -- details and summaries ------------------------------------------------------------------------------


def _details_call(deal: Row) -> list[ToolCall]:
    return [
        call("opportunity_search", query=deal["name"]),
        call("view_opportunity_details", opportunity_id=deal["opportunity_id"]),
    ]


def _stage_of(fam: Family, n: int) -> Task:
    deal = pick(fam.records["Opportunity"], n * 2)
    stage = _rows(fam, "Opportunity", "opportunity_id = ?", (deal["opportunity_id"],))[0]["stage"]
    prompt = f'Pull up "{deal["name"]}" for me. What stage is it in?'
    return _ask(
        "view_opportunity_details", fam, n, prompt, stage_answer(stage), _details_call(deal), f"It is in {stage}."
    )


def _current_quote(fam: Family, n: int) -> Task:
    deal = pick([o for o in fam.records["Opportunity"] if fam.quotes(o["opportunity_id"])], n)
    latest = max(_rows(fam, "Quote", "opportunity_id = ?", (deal["opportunity_id"],)), key=lambda q: q["version"])
    prompt = f'Looking at "{deal["name"]}": which quote is the current one, i.e. the latest version?'
    answer = f"The latest quote is version {latest['version']}: {latest['quote_id']}."
    return _ask("view_opportunity_details", fam, n, prompt, _ids([latest], "quote_id"), _details_call(deal), answer)


def _signed_contract(fam: Family, n: int) -> Task:
    contract = pick(fam.records["Contract"], n)
    deal = next(o for o in fam.records["Opportunity"] if o["opportunity_id"] == contract["opportunity_id"])
    rows = _rows(fam, "Contract", "opportunity_id = ?", (deal["opportunity_id"],))
    prompt = f'Which contract did we sign for "{deal["name"]}"? Send me its id.'
    return _ask(
        "view_opportunity_details",
        fam,
        n,
        prompt,
        _ids(rows, "contract_id"),
        _details_call(deal),
        listing(rows, "contract_id", "status"),
    )


_DETAILS: tuple[CaseBuilder, ...] = (_stage_of, _current_quote, _signed_contract)


def build_view_opportunity_details(fams: list[Family], count: int = 10) -> list[Task]:
    """``count`` questions answered from one deal's details."""
    return [_DETAILS[(n - 1) % len(_DETAILS)](pick(fams, n), n) for n in range(1, count + 1)]


def build_summarize_opportunities(fams: list[Family], count: int = 2) -> list[Task]:
    """Which stage holds the largest share of a rep's (or a client's) pipeline value."""
    tasks = []
    for n in range(1, count + 1):
        fam = pick(fams, n + 2)
        if n % 2:
            owner = pick(REPS, n)
            where, params, whom, args = "owner = ?", (owner,), possessive(owner), {"owner": owner}
        else:
            client = fam.clients[0]
            where, params, whom = "client_id = ?", (client["client_id"],), possessive(client["name"])
            args = {"client_id": client["client_id"]}
        totals = {
            s: sum(o["amount"] or 0 for o in _rows(fam, "Opportunity", where, params) if o["stage"] == s)
            for s in STAGES
        }
        top = max(STAGES, key=lambda s: (totals[s], -STAGES.index(s)))
        calls = (
            [call("summarize_opportunities", **args)]
            if n % 2
            else [_find_client(client), call("summarize_opportunities", **args)]
        )
        prompt = f"Summarize {whom} pipeline: which stage holds the most money?"
        tasks.append(
            _ask(
                "summarize_opportunities",
                fam,
                n,
                prompt,
                stage_answer(top),
                calls,
                f"{top}, with {money(totals[top])}.",
            )
        )
    return tasks


# -- other searches --------------------------------------------------------------------------------------


def build_contact_search(fams: list[Family], count: int = 4) -> list[Task]:
    """Contacts of a client, or one person by name among namesakes at look-alike clients."""
    tasks = []
    for n in range(1, count + 1):
        fam = pick(fams, n + 3)
        client = fam.clients[n % 2]
        if n % 2:
            rows = _rows(fam, "Contact", "client_id = ?", (client["client_id"],))
            prompt = f"Who are our contacts at {client['name']}?"
            calls = [_find_client(client), call("contact_search", client_id=client["client_id"])]
        else:
            person = fam.contacts(n % 2)[0]
            rows = [person]
            prompt = f"I need the contact record of {person['first_name']} {person['last_name']} at {client['name']}."
            calls = [
                _find_client(client),
                call("contact_search", query=person["last_name"], client_id=client["client_id"]),
            ]
        tasks.append(
            _ask(
                "contact_search",
                fam,
                n,
                prompt,
                _ids(rows, "contact_id"),
                calls,
                listing(rows, "contact_id", "last_name"),
            )
        )
    return tasks


def build_client_search(fams: list[Family]) -> list[Task]:
    """A client by email (among look-alike names), and a family's prospects."""
    fam = fams[5]
    client = fam.clients[1]
    by_email = _ask(
        "client_search",
        fam,
        1,
        f"Which client account uses the email {client['email']}?",
        ids_answer([client["client_id"]]),
        [call("client_search", query=client["email"])],
        listing([client], "client_id"),
    )
    fam = fams[2]
    root = fam.spec.names[0].split()[0]
    rows = _rows(fam, "Client", "name LIKE ? AND status = 'Prospect'", (f"%{root}%",))
    prospects = _ask(
        "client_search",
        fam,
        2,
        f"Which of the {root} companies are still prospects rather than customers?",
        _ids(rows, "client_id"),
        [call("client_search", query=root, status="Prospect")],
        listing(rows, "client_id"),
    )
    return [by_email, prospects]


def build_contract_search(fams: list[Family]) -> list[Task]:
    """A client's active contracts."""
    fam = fams[3]
    client = next(c for c in fam.clients if any(k["client_id"] == c["client_id"] for k in fam.records["Contract"]))
    rows = _rows(fam, "Contract", "client_id = ? AND status = 'Active'", (client["client_id"],))
    return [
        _ask(
            "contract_search",
            fam,
            1,
            f"What active contracts do we have with {client['name']}?",
            _ids(rows, "contract_id"),
            [_find_client(client), call("contract_search", client_id=client["client_id"], status="Active")],
            listing(rows, "contract_id", "status"),
        )
    ]


def build_quote_search(fams: list[Family]) -> list[Task]:
    """A client's rejected quotes (over all its deals)."""
    fam = fams[0]
    client = fam.clients[1]
    sql = "status = 'Rejected' AND opportunity_id IN (SELECT opportunity_id FROM Opportunity WHERE client_id = ?)"
    rows = _rows(fam, "Quote", sql, (client["client_id"],))
    return [
        _ask(
            "quote_search",
            fam,
            1,
            f"Find every rejected quote we've given {client['name']}.",
            _ids(rows, "quote_id"),
            [_find_client(client), call("quote_search", client_id=client["client_id"], status="Rejected")],
            listing(rows, "quote_id", "quote_prefix"),
        )
    ]


_COMPANIES = (
    ("Fjordline Partners", "Partner", "Logistics"),
    ("Fjordline Freight", "Competitor", "Logistics"),
    ("Fjord Systems", "Vendor", "Technology"),
)


def build_company_search(fams: list[Family]) -> list[Task]:
    """Which of three look-alike companies is a competitor."""
    fam = fams[0]
    extra = tuple(
        RecordInsert(
            object="Company",
            values={"company_id": uid(f"company:{i}"), "name": name, "type": kind, "industry": industry},
        )
        for i, (name, kind, industry) in enumerate(_COMPANIES)
    )
    rival = next(r.values for r in extra if r.values["type"] == "Competitor")
    return [
        _ask(
            "company_search",
            fam,
            1,
            "Which of the Fjordline companies is a competitor of ours?",
            ids_answer([rival["company_id"]]),
            [call("company_search", query="Fjordline", type="Competitor")],
            f"{rival['name']}: {rival['company_id']}.",
            extra,
        )
    ]


def build_quote_details(fams: list[Family]) -> list[Task]:
    """The deal a quote (known by its prefix and version) belongs to."""
    fam = fams[4]
    quote = next(q for q in fam.records["Quote"] if q["version"] == 2)
    deal = _rows(fam, "Opportunity", "opportunity_id = ?", (quote["opportunity_id"],))[0]
    return [
        _ask(
            "quote_details",
            fam,
            1,
            f"Quote {quote['quote_prefix']} version 2 just came back signed. Which opportunity is it for?",
            ids_answer([deal["opportunity_id"]]),
            [call("quote_search", query=quote["quote_prefix"]), call("quote_details", quote_id=quote["quote_id"])],
            f"It belongs to {deal['name']} ({deal['opportunity_id']}).",
        )
    ]


def build_compare_quotes(fams: list[Family]) -> list[Task]:
    """The cheaper of a deal's two quote versions."""
    fam = fams[6]
    deal = next(o for o in fam.records["Opportunity"] if len(fam.quotes(o["opportunity_id"])) == 2)
    quotes = _rows(fam, "Quote", "opportunity_id = ?", (deal["opportunity_id"],))
    cheaper = min(quotes, key=lambda q: q["amount"])
    return [
        _ask(
            "compare_quotes",
            fam,
            1,
            f'Compare the two quotes on "{deal["name"]}". Which one is cheaper?',
            ids_answer([cheaper["quote_id"]]),
            [
                call("opportunity_search", query=deal["name"]),
                call("quote_search", opportunity_id=deal["opportunity_id"]),
                call("compare_quotes", quote_ids=[q["quote_id"] for q in quotes]),
            ],
            f"The cheaper one is version {cheaper['version']}: {cheaper['quote_id']} at {money(cheaper['amount'])}.",
        )
    ]
