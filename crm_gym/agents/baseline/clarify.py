"""Multi-turn episodes for the baseline: ask the user once for what the plan lacks, then run the plan.

When the episode offers ``ask_user``, the baseline reads the opening request with the readers its plans use and
lists what a request of that kind needs and this one does not give: an Arc deal's name, amount, stage, dates,
probability and owner, a quote's amount, a file's name, the uploader; a CRMArena-Pro question's period, product,
customer or metric. A client named by a family name the CRM does not hold exactly ("Okafor", when there are Okafor
Foods and Okafor Farms) is looked up first and asked about too. It asks for all of it in one message, then runs the
plan for the request on the user's reply followed by the opening (the reply first, so its values are the ones the
plan's readers find first). Nothing missing: no question, the plan runs on the opening alone.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from crm_gym.agents.baseline.arc import PLANS, canonical_prompt, classify_arc_request
from crm_gym.agents.baseline.arc_deals import client_of_request, deal_values
from crm_gym.agents.baseline.arc_quotes import _ACCOUNT, _UPLOADER
from crm_gym.agents.baseline.arc_steps import Step, find_client
from crm_gym.agents.baseline.arc_text import file_names, money, quoted, without_quoted
from crm_gym.agents.baseline.plan import Plan, PlanContext
from crm_gym.agents.baseline.reading import period, record_id, today
from crm_gym.agents.baseline.router import choose_plan, is_arc

ASK_USER = "ask_user"
_DEAL_FIELDS = {
    "amount": "amount",
    "stage": "stage",
    "close_date": "expected close date",
    "probability": "win probability",
    "owner": "opportunity owner",
}
_NAMED_FIELDS = (  # (words that say a change request is about a field, the field)
    (r"\bamount\b", "amount"),
    (r"\bclose date\b", "close_date"),
    (r"\bprobability\b", "probability"),
    (r"\bstage\b", "stage"),
    (r"\bowner\b", "owner"),
)


def offers_ask_user(tools: dict[str, object]) -> bool:
    """Whether the episode is multi-turn (its tools include ``ask_user``)."""
    return ASK_USER in tools


def clarifying_plan(ctx: PlanContext) -> Plan:
    """Ask for what the request lacks (one question, if anything), then run the request's plan with the reply."""
    arc = is_arc(ctx.schema)
    missing = (yield from _arc_missing(ctx)) if arc else _question_missing(ctx)
    reply = ""
    if missing:
        listed = missing[0] if len(missing) == 1 else ", the ".join(missing[:-1]) + " and the " + missing[-1]
        reply = yield {"tool": ASK_USER, "args": {"message": f"Could you tell me the {listed}?"}}
    full = dataclasses.replace(ctx, prompt=f"{reply}\n{ctx.prompt}".strip())
    if arc:
        canonical = dataclasses.replace(full, prompt=canonical_prompt(full))
        workflow = classify_arc_request(f"{canonical_prompt(ctx)}\n{reply}")
        yield from PLANS[workflow](canonical)
    else:
        yield from choose_plan(full)(full)


def _arc_missing(ctx: PlanContext) -> Step:
    """What an Arc request of its workflow needs and does not give (labels to ask for)."""
    text = canonical_prompt(ctx)
    rest = without_quoted(text)
    uploads = re.search(r"\b(?:upload|attach)\b", rest, re.IGNORECASE)  # a file to upload may be the thing missing
    workflow = "upload_document" if uploads else classify_arc_request(text)
    missing: list[str] = []
    if workflow == "create_opportunity":
        missing += [] if quoted(text) else ["opportunity name"]
        missing += yield from _client_missing(ctx, client_of_request(text))
        given = deal_values(ctx, "create_new_opportunity", text, amount_needs_word=False)
        missing += [label for field, label in _DEAL_FIELDS.items() if field not in given]
    elif workflow == "modify_opportunity":
        given = deal_values(ctx, "modify_opportunity", text, amount_needs_word=True)
        named = [field for words, field in _NAMED_FIELDS if re.search(words, rest, re.IGNORECASE)]
        missing += [_DEAL_FIELDS[field] for field in named if field not in given]
    elif workflow == "create_quote":
        missing += [] if money(rest) is not None else ["amount"]
        missing += ["valid-until date"] if re.search(r"\b(?:expir|valid)", rest, re.IGNORECASE) else []
        missing += ["quote prefix"] if re.search(r"\bprefix\b", rest, re.IGNORECASE) else []
    elif workflow == "upload_document":
        missing += [] if file_names(rest) else ["file name"]
        if "uploader" in rest.lower() and not _UPLOADER.search(text):
            missing.append("uploader's name")
        account = _ACCOUNT.search(rest)
        if account:
            missing += yield from _client_missing(ctx, account["client"])
    return missing


def _client_missing(ctx: PlanContext, name: str | None) -> Step:
    """["client account"] when the request names no client, or one the CRM does not hold exactly."""
    if not name:
        return ["client account"]
    client = yield from find_client(ctx, name)
    return [] if client is not None else ["client account"]


_QUESTION_NEEDS: tuple[tuple[str, Callable[[PlanContext], bool], str], ...] = (
    # (what the question is about, whether the request lacks it, the label to ask for)
    (r"\bagents?\b|\bstates?\b|significantly more|particular month|one month|problem|issue|transfer|handle time",
     lambda ctx: period(ctx.prompt, today(ctx.context)) is None, "time period"),
    (r"\bproblem\b|\bissue\b|\bproducts?\b",
     lambda ctx: record_id(ctx.prompt, "product Id is") is None, "product"),
    (r"significantly more|particular month|one month|customers?\b",
     lambda ctx: record_id(ctx.prompt, "account Id is") is None and record_id(ctx.prompt, "product Id is") is None,
     "customer account"),
    (r"\brate\b", lambda ctx: not re.search(r"conver|quote|accept", ctx.prompt, re.IGNORECASE), "metric"),
    (r"\bstates?\b.*\b(?:top|best)\b|\b(?:top|best)\b.*\bstates?\b",
     # "the states we sell to" names the population, not the metric
     lambda ctx: not re.search(r"case|clos|resolv|sales|(?:sold|sell)(?!\s+to\b)", ctx.prompt, re.IGNORECASE),
     "metric"),
)  # fmt: skip


def _question_missing(ctx: PlanContext) -> list[str]:
    """What a CRMArena-Pro question is about and does not say: its period, product, customer or metric."""
    if record_id(ctx.context, "Id to be considered is") or record_id(ctx.context, "Case Id to consider"):
        return []  # a question about one record given in the context lacks nothing a user holds
    missing: list[str] = []
    for about, lacks, label in _QUESTION_NEEDS:
        if re.search(about, ctx.prompt, re.IGNORECASE) and lacks(ctx) and label not in missing:
            missing.append(label)
    return missing
