"""The Arc half of the heuristic baseline: recognise the Arc org, classify the request, run the workflow's plan.

A request is sorted into one of Arc's 25 workflows by the first matching rule of `WORKFLOW_RULES`; the
workflow's plan (in ``arc_deals``, ``arc_quotes`` and ``arc_accounts``) reads the names and values out of the
prompt, finds the records with the Arc search tools (exact names only, never a look-alike), calls the workflow
tool, corrects a rejected value once when the error shows what was meant, declines when it cannot, and answers.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from crm_gym.agents.baseline import arc_accounts, arc_deals, arc_quotes
from crm_gym.agents.baseline.arc_text import file_names, without_quoted
from crm_gym.agents.baseline.plan import Plan, PlanContext

ARC_OBJECTS = ("Client", "Company", "Contact", "Contract", "Document", "Note", "Opportunity", "Quote")
_SCHEMA_LINE = re.compile(r"^\s*(?P<object>\w+)\((?P<fields>[^)]*)\)\s*$")


def _rule(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern, re.IGNORECASE)
    return lambda text: bool(compiled.search(text))


def _names_a_file(text: str) -> bool:
    return bool(file_names(text)) and bool(
        re.search(r"\b(?:upload|attach|file|put|add|store|save)\b", text, re.IGNORECASE)
    )


# (workflow, test on the prompt with its quoted names blanked), tried in order: the specific before the general.
WORKFLOW_RULES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("compare_quotes", _rule(r"\bcompare\b.*\bquotes?\b")),
    ("delete_quote", _rule(r"\b(?:delete|remove)\b.*\bquote\b")),
    ("delete_opportunity", _rule(r"\b(?:delete|remove)\b")),
    ("cancel_quote", _rule(r"\bcancel\b.*\bquote\b")),
    ("clone_opportunity", _rule(r"\b(?:clone|duplicate|copy)\b")),
    ("summarize_opportunities", _rule(r"\bsummari[sz]e\b|\bpipeline\b")),
    ("add_note", _rule(r"\badd (?:a|this) note\b|\bnote (?:to|on)\b")),
    ("upload_document", _names_a_file),
    ("quote_details", _rule(r"\bQ-[A-Z0-9]+.*\bwhich (?:opportunity|deal)\b")),
    ("create_contract", _rule(r"\b(?:set up|create|add|new)\b.*\bcontract\b")),
    (
        "view_opportunity_details",
        _rule(
            r"\bwhich (?:contract|quote)\b|\bwhat stage\b|\bpull up\b|\bwhat(?:'s| is) the (?:latest|current) quote\b"
        ),
    ),
    ("contract_search", _rule(r"\bcontracts\b")),
    ("quote_search", _rule(r"\b(?:every|all)\b.*\bquotes?\b")),
    ("modify_quote", _rule(r"\b(?:latest|current) quote\b.*\b(?:mark|set|approve|reject)")),
    ("create_quote", _rule(r"\bquote\b")),
    ("create_contact", _rule(r"\bas a (?:new )?contact\b|\bnew contact\b")),
    ("modify_contact", _rule(r"\bpromoted\b|\btitle\b")),
    ("contact_search", _rule(r"\bcontacts?\b")),
    ("create_client", _rule(r"\b(?:new|create a|add a) client\b")),
    ("company_search", _rule(r"\b(?:an?|our) (?:competitor|partner|vendor)s?\b")),
    ("client_search", _rule(r"\bwhich client\b|\bcompanies\b|\bclient account\b")),
    ("modify_client", _rule(r"\bstatus\b|\bclient now\b")),
    (
        "opportunity_search",
        _rule(
            r"\b(?:list|which|show|find the|opportunity id|id of)\b|\b(?:what|all|every)\b.*\b(?:deals|opportunities)\b"
        ),
    ),
    (
        "create_opportunity",
        _rule(
            r"\b(?:new deal|new opportunity|(?:log|open|create|set up|put in) an?\b|^add\b|^create\b)"
            r"|\badd\b.*\"\" for\b|\b(?:add|create|open|log)\s+\"\""
        ),
    ),
    ("modify_opportunity", lambda _text: True),
)

PLANS: dict[str, Callable[[PlanContext], Plan]] = {
    "create_opportunity": arc_deals.create_opportunity,
    "modify_opportunity": arc_deals.modify_opportunity,
    "clone_opportunity": arc_deals.clone_opportunity,
    "delete_opportunity": arc_deals.delete_opportunity,
    "opportunity_search": arc_deals.search_opportunities,
    "view_opportunity_details": arc_deals.view_opportunity,
    "summarize_opportunities": arc_deals.summarize_pipeline,
    "create_quote": arc_quotes.create_quote,
    "modify_quote": arc_quotes.change_quote,
    "cancel_quote": arc_quotes.cancel_quote,
    "delete_quote": arc_quotes.delete_quote,
    "compare_quotes": arc_quotes.compare_quotes,
    "quote_details": arc_quotes.quote_details,
    "upload_document": arc_quotes.upload_document,
    "add_note": arc_quotes.add_note,
    "create_contract": arc_quotes.create_contract,
    "contract_search": arc_quotes.search_contracts,
    "quote_search": arc_quotes.search_quotes,
    "create_client": arc_accounts.create_client,
    "modify_client": arc_accounts.modify_client,
    "client_search": arc_accounts.search_clients,
    "create_contact": arc_accounts.create_contact,
    "modify_contact": arc_accounts.modify_contact,
    "contact_search": arc_accounts.search_contacts,
    "company_search": arc_accounts.search_companies,
}


def classify_arc_request(prompt: str) -> str:
    """The Arc workflow a request asks for (one of `PLANS`).

    >>> classify_arc_request('Quote "Acme - Cloud Migration" at $32,200, valid until March 16, 2025.')
    'create_quote'
    >>> classify_arc_request('Set the probability on "Acme - Cloud Migration" to 60.')
    'modify_opportunity'
    """
    text = without_quoted(prompt)
    return next(name for name, matches in WORKFLOW_RULES if matches(text))


def is_arc_schema(schema_text: str) -> bool:
    """True when the schema summary describes the Arc org, whatever the drift renamed.

    The Arc org has snake_case fields (Salesforce orgs use CamelCase), documents and notes attached through
    ``entity`` fields, and quotes with a prefix; drift renames words and adds prefixes but keeps these marks.

    >>> is_arc_schema("Document(document_id, entity_id, entity_type, file_name)\\nNote(content, entity_id, "
    ...               "entity_type, note_id)\\nQuote(amount, quote_id, quote_prefix, version)")
    True
    >>> is_arc_schema("Account(Id, Name, OwnerId)\\nOpportunity(AccountId, Amount, Id, StageName)")
    False
    """
    objects = [m["fields"] for line in schema_text.splitlines() if (m := _SCHEMA_LINE.match(line))]
    fields = [f.strip() for spec in objects for f in spec.split(",") if f.strip()]
    if not fields:
        return False
    snake = sum(1 for f in fields if f == f.lower()) / len(fields)
    attached = sum(1 for spec in objects if "entity" in spec)
    return snake >= 0.9 and attached >= 2 and any("prefix" in f for f in fields)


def canonical_prompt(ctx: PlanContext) -> str:
    """The prompt with the episode's object names turned back into Arc's ("PriceQuote" -> "Quote"): drift
    rewrites object names in the prompt too, and the workflow rules and plans read the canonical words."""
    renamed = {ctx.names.object(c): c for c in ARC_OBJECTS if ctx.names.object(c) != c}
    if not renamed:
        return ctx.prompt
    words = re.compile(r"\b(" + "|".join(map(re.escape, sorted(renamed, key=len, reverse=True))) + r")\b")
    return words.sub(lambda m: renamed[m.group()], ctx.prompt)


def arc_plan(ctx: PlanContext) -> Plan:
    """The plan for an Arc request: its workflow's plan over this context (prompt in canonical object names)."""
    canonical = dataclasses.replace(ctx, prompt=canonical_prompt(ctx))
    return PLANS[classify_arc_request(canonical.prompt)](canonical)
