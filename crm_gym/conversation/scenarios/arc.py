"""Scenarios of the `arc` suite's write workflows: create and modify opportunities, create quotes, upload documents.

Each is derived from the task itself: the workflow's write call in the reference solution gives the values the
user asked for (the invalid call of a negative case gives them as the user wrote them: "negotiations",
"3/30/2025", "sixty percent", a ``.PDF`` or ``.exe`` file), the seed records give the client's look-alikes, and the
opening is written afresh without the withheld values. What is withheld:

- create_opportunity: the deal's name and every value the request gave (stage, amount, close date, probability,
  owner); in half the cases (by task id) the client too, named in the opening only by the family name its
  look-alikes share ("Okafor": Okafor Foods, Okafor Foods International, Okafor Farms), so the agent must ask
  which one. The values the request did not give are facts the user does not know.
- modify_opportunity: the new amount, close date or probability (and stage with probability); a change of stage or
  owner alone is left single-turn, since the next stage or one of three other reps is too easy to guess.
- create_quote: the amount, and the valid-until date and quote prefix when the request gave them.
- upload_document: the file name (its extension decides a decline), the uploader when the user records
  themselves, and for a client's own document in half the cases the client.

A case whose outcome does not depend on a value the user holds (an unknown client or deal, a closed deal's
locked amount, a discount computed from the deal) has no conversational form.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from crm_gym.conversation.scenario import Slot, SlotValue, UserScenario
from crm_gym.tasks.model import SeedStateOrg, Task, ToolCall
from crm_gym.tasks.suites.arc.cases import money, spoken_date, stage_words

WRITE_TOOLS = {
    "create_opportunity": "create_new_opportunity",
    "modify_opportunity": "modify_opportunity",
    "create_quote": "create_quote",
    "upload_document": "upload_document",
}
_STATEMENTS: dict[str, tuple[str, ...]] = {
    # every statement is one a reader of requests parses: values in the forms requests use
    "deal_name": ('Call it "{value}".', 'Name it "{value}".', 'The name is "{value}".'),
    "amount": ("The amount is {value}.", "It's {value}.", "Make it {value}."),
    "stage": ("It's at the {value} stage.", "Put it in {value}.", "The stage is {value}."),
    "close_date": ("It should close {value}.", "Expected close date: {value}.", "We expect to close {value}."),
    "probability": ("Probability {value}.", "The win probability is {value}.", "Set the probability to {value}."),
    "owner": ("Let's make {value} the owner.", "The owner is {value}.", "Please make {value} the owner."),
    "valid_until": ("It's valid until {value}.", "Valid until {value}.", "Make it valid until {value}."),
    "quote_prefix": ("Use the quote prefix {value}.", "It takes the quote prefix {value}.", "Quote prefix {value}."),
    "file_name": ("The file is {value}.", "It's {value}.", "The file name is {value}."),
    "uploader": (
        "This is {value}; record me as the uploader.",
        "This is {value}, please record me as the uploader.",
        "This is {value}. I'm the uploader.",
    ),
}
_CLIENT_FOR = ("It's for {value}.", "It's for our client {value}.", "This one is for {value}.")
_CLIENT_ACCOUNT = (
    "Put it on the {value} account.",
    "Upload it to the {value} account.",
    "It goes on the {value} account.",
)
_NAMED_DEAL = ('It\'s "{value}".', 'I mean "{value}".', 'The deal is "{value}".')
_FIELDS: dict[str, tuple[str, str]] = {
    "deal_name": ("Opportunity", "name"),
    "amount": ("Opportunity", "amount"),
    "stage": ("Opportunity", "stage"),
    "close_date": ("Opportunity", "close_date"),
    "probability": ("Opportunity", "probability"),
    "owner": ("Opportunity", "owner"),
    "valid_until": ("Quote", "valid_until"),
    "quote_prefix": ("Quote", "quote_prefix"),
    "file_name": ("Document", "file_name"),
    "uploader": ("Document", "uploaded_by"),
}
_DEAL_VALUES = ("stage", "amount", "close_date", "probability", "owner")
_NAME = r"[A-Z][\w&'-]*(?: [A-Z][\w&'-]*)*"
_DEAL_WITH_CLIENT = re.compile(rf"\bthe (?P<theme>{_NAME}) deal with (?P<client>{_NAME})")
_QUOTED = re.compile(r"\"([^\"]+)\"")


def arc_scenario(task: Task) -> UserScenario | None:
    """The scenario of an `arc` task, or None when the workflow or the case has no conversational form."""
    write = _write_call(task)
    if write is None:
        return None
    build = {
        "create_opportunity": _create_opportunity,
        "modify_opportunity": _modify_opportunity,
        "create_quote": _create_quote,
        "upload_document": _upload_document,
    }[task.category]
    return build(task, write)


# -- reading the task ------------------------------------------------------------------------------------------


def _write_call(task: Task) -> ToolCall | None:
    tool = WRITE_TOOLS.get(task.category)
    calls = [c for c in (task.oracle.calls if task.oracle else ()) if c.tool == tool]
    return calls[-1] if tool and calls else None


def _raw(task: Task, field: str, value: Any) -> Any:
    """The value as the user wrote it: the invalid call's (a negative case passes it through), else the solution's."""
    invalid = task.metadata.get("invalid_call") or {}
    return invalid.get("args", {}).get(field, value)


def _seed(task: Task, obj: str) -> list[dict[str, Any]]:
    org = task.org
    return [r.values for r in org.records if r.object == obj] if isinstance(org, SeedStateOrg) else []


def _pick(task: Task, options: Sequence[Any], salt: str = "") -> Any:
    """One of ``options`` chosen by the task id (the same for every episode of the task)."""
    digest = hashlib.sha256(f"{task.id}:{salt}".encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def _ambiguous_client(task: Task, client_id: str) -> tuple[str, list[dict[str, Any]]] | None:
    """The family name a user calls the client by, and the seed clients it names (shortest name first: the one a
    guess would take), when it names two or more; else None."""
    clients = _seed(task, "Client")
    client = next((c for c in clients if c["client_id"] == client_id), None)
    if client is None:
        return None
    family = client["name"].split()[0]
    alike = [c for c in clients if c["name"].lower().startswith(family.lower())]
    if len(alike) < 2:
        return None
    return family, sorted(alike, key=lambda c: (len(c["name"]), c["name"]))


# -- values as the user says them ------------------------------------------------------------------------------


def _amount_text(value: Any) -> str:
    if isinstance(value, str):
        return f"{value} dollars"
    return f"-{money(-value)}" if value < 0 else money(value)


def _percent_text(value: Any) -> str:
    return f"{value} percent" if isinstance(value, str) else f"{value}%"


def _date_text(value: str) -> str:
    return value if "/" in value else spoken_date(value)


def _value_text(kind: str, value: Any) -> str:
    if kind == "amount":
        return _amount_text(value)
    if kind == "probability":
        return _percent_text(value)
    if kind in ("close_date", "valid_until"):
        return _date_text(value)
    if kind == "stage":
        return stage_words(value)
    return str(value)


def _slot(kind: str, task: Task, write: ToolCall, field: str | None = None) -> Slot:
    field = field or kind
    value = write.args[field]
    return Slot(
        kind=kind,
        value=SlotValue(text=_value_text(kind, _raw(task, field, value)), binding={field: value}),
        statements=_STATEMENTS[kind],
        fields=(_FIELDS[kind],),
    )


def _client_slot(
    task: Task, client: dict[str, Any], alike: list[dict[str, Any]] | None, statements: tuple[str, ...]
) -> Slot:
    def value(record: dict[str, Any]) -> SlotValue:
        return SlotValue(text=record["name"], binding={"client_id": record["client_id"], "client": record["name"]})

    return Slot(
        kind="client",
        value=value(client),
        statements=statements,
        withheld=alike is not None,
        fields=(("Client", "name"),),
        options=tuple(value(c) for c in alike or ()),
        asks=(client["name"].split()[0], *(c["name"] for c in alike or ())),
    )


def _deal_named(deal_name: str) -> Slot:
    """The deal the request is about, stated in the opening (the user can repeat it)."""
    return Slot(
        kind="deal_name",
        value=SlotValue(text=deal_name),
        statements=_NAMED_DEAL,
        withheld=False,
        fields=(("Opportunity", "name"),),
    )


def _scenario(task: Task, opening: str, slots: list[Slot], unknown: Sequence[str] = ()) -> UserScenario:
    return UserScenario(
        task_id=task.id, opening=opening, request=task.prompt, slots=tuple(slots), unknown=tuple(unknown),
        persona=task.persona,
    )  # fmt: skip


# -- the workflows ---------------------------------------------------------------------------------------------


def _create_opportunity(task: Task, write: ToolCall) -> UserScenario:
    given = [k for k in _DEAL_VALUES if k in write.args]
    client = next(c for c in _seed(task, "Client") if c["client_id"] == write.args["client_id"])
    ambiguous = _ambiguous_client(task, client["client_id"]) if _pick(task, (True, False), "client") else None
    client_words = ambiguous[0] if ambiguous else client["name"]
    opening = _pick(
        task,
        (
            f"Log a new deal for {client_words}, please.",
            f"Can you create a new opportunity for {client_words}?",
            f"Please open a new opportunity for {client_words}.",
        ),
    )
    slots = [
        _client_slot(task, client, ambiguous[1] if ambiguous else None, _CLIENT_FOR),
        _slot("deal_name", task, write, "name"),
        *(_slot(k, task, write) for k in given),
    ]
    return _scenario(task, opening, slots, unknown=[k for k in _DEAL_VALUES if k not in given])


def _deal_words(task: Task) -> str | None:
    """How the request names the deal: its quoted name, or "the <theme> deal with <client>"."""
    quoted = _QUOTED.findall(task.prompt)
    if quoted:
        return f'"{quoted[0]}"'
    found = _DEAL_WITH_CLIENT.search(task.prompt)
    return f"the {found['theme']} deal with {found['client']}" if found else None


def _modify_opportunity(task: Task, write: ToolCall) -> UserScenario | None:
    changed = sorted(k for k in write.args if k != "opportunity_id")
    deal_id = write.args["opportunity_id"]
    deal = next((o for o in _seed(task, "Opportunity") if o["opportunity_id"] == deal_id), None)
    named = _deal_words(task)
    locked = deal is not None and str(deal.get("stage", "")).startswith("Closed")
    if named is None or deal is None or locked or changed not in (["amount"], ["close_date"], ["probability"],
                                                                    ["probability", "stage"]):  # fmt: skip
        return None
    what = {
        ("amount",): ("the amount on", "the amount of"),
        ("close_date",): ("the close date of", "the expected close date of"),
        ("probability",): ("the probability on", "the win probability of"),
        ("probability", "stage"): ("the stage and the probability of", "the stage and win probability of"),
    }[tuple(changed)]
    opening = _pick(
        task,
        (
            f"Please change {what[0]} {named}.",
            f"I need to update {what[1]} {named}.",
            f"Can you change {what[0]} {named}? Things moved after today's call.",
        ),
    )
    slots = [_deal_named(deal["name"]), *(_slot(k, task, write) for k in changed)]
    return _scenario(task, opening, slots)


def _create_quote(task: Task, write: ToolCall) -> UserScenario | None:
    named = _deal_words(task)
    if named is None:
        return None
    extras = [k for k in ("valid_until", "quote_prefix") if k in write.args]
    sent = write.args.get("status") == "Sent"
    tail = {
        (): "",
        ("valid_until",): " It has an expiry date.",
        ("quote_prefix",): " It needs our quote prefix.",
    }[tuple(extras)]
    opening = _pick(
        task,
        (
            f"I need a new quote on {named}.",
            f"Please create a quote for {named}.",
            f"Can you add a quote to {named}?",
        ),
    )
    if sent:
        opening += " I already emailed it to the customer, so log it as sent."
    deal_name = named.strip('"') if named.startswith('"') else None
    slots = [*([_deal_named(deal_name)] if deal_name else []), _slot("amount", task, write)]
    slots += [_slot(k, task, write) for k in extras]
    return _scenario(task, opening + tail, slots)


def _document_words(file_name: str, names: Sequence[str]) -> str:
    """What the user calls a file without naming it: its name's words, less the client's ("pricing sheet")."""
    stem = file_name.rsplit(".", 1)[0]
    taken = {w.lower() for name in names for w in re.split(r"\W+", name) if w}
    words = [w for w in stem.split("_") if w and w.lower() not in taken]
    return " ".join(w if w.isupper() else w.lower() for w in words) or "document"


def _upload_document(task: Task, write: ToolCall) -> UserScenario | None:
    entity = write.args["entity_type"]
    file_name = write.args["file_name"]
    uploader = [_slot("uploader", task, write, "uploaded_by")] if "uploaded_by" in write.args else []
    if entity == "Client":
        client = next(c for c in _seed(task, "Client") if c["client_id"] == write.args["entity_id"])
        ambiguous = _ambiguous_client(task, client["client_id"]) if _pick(task, (True, False), "client") else None
        words = _document_words(file_name, [client["name"]])
        target = f"the {ambiguous[0] if ambiguous else client['name']} account itself"
        first = _client_slot(task, client, ambiguous[1] if ambiguous else None, _CLIENT_ACCOUNT)
    else:
        named = _deal_words(task)
        if named is None:
            return None
        deal_name = named.strip('"')
        words = _document_words(file_name, [deal_name])
        place = {"Quote": "the latest quote on ", "Contract": "the contract of the won deal "}.get(entity, "")
        target = f"{place}{named}"
        first = _deal_named(deal_name)
    me = " and record me as the uploader" if uploader else ""
    opening = _pick(
        task,
        (
            f"Please upload the {words} to {target}{me}.",
            f"Can you attach the {words} to {target}{me}?",
            f"I have the {words}: please upload it to {target}{me}.",
        ),
    )
    slots = [first, _slot("file_name", task, write, "file_name"), *uploader]
    return _scenario(task, opening, slots)
