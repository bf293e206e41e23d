"""The `arc` suite: CRM workflow cases over the `arc` profile, weighted like the production traffic behind Arc.

`build_arc_suite` makes every case from the builders (deterministic: same code, same tasks); `python -m
crm_gym.tasks.suites.arc` writes them to ``data/suites/arc/tasks.jsonl``, which `load_arc_suite` reads.

>>> tasks = load_arc_suite("dev")
>>> all(t.suite == "arc" and t.split == "dev" for t in tasks)
True
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from crm_gym.config import data_dir
from crm_gym.tasks.model import Task, load_tasks_jsonl
from crm_gym.tasks.suites.arc import accounts, attachments, lookups, opportunities, quotes
from crm_gym.tasks.suites.arc.book import Family, families
from crm_gym.tasks.suites.arc.cases import PRODUCTION_COUNTS, SUITE

__all__ = ["BUILDERS", "PRODUCTION_COUNTS", "build_arc_suite", "load_arc_suite", "suite_path"]

# One builder per production workflow, in the order of SEEDS.md's frequency list.
BUILDERS: dict[str, Callable[[list[Family]], list[Task]]] = {
    "create_opportunity": opportunities.build_create_opportunity,
    "modify_opportunity": opportunities.build_modify_opportunity,
    "opportunity_search": lookups.build_opportunity_search,
    "upload_document": attachments.build_upload_document,
    "create_quote": quotes.build_create_quote,
    "view_opportunity_details": lookups.build_view_opportunity_details,
    "contact_search": lookups.build_contact_search,
    "clone_opportunity": opportunities.build_clone_opportunity,
    "summarize_opportunities": lookups.build_summarize_opportunities,
    "client_search": lookups.build_client_search,
    "create_client": accounts.build_create_client,
    "create_contact": accounts.build_create_contact,
    "contract_search": lookups.build_contract_search,
    "quote_search": lookups.build_quote_search,
    "create_contract": accounts.build_create_contract,
    "company_search": lookups.build_company_search,
    "modify_client": accounts.build_modify_client,
    "modify_quote": quotes.build_modify_quote,
    "cancel_quote": quotes.build_cancel_quote,
    "modify_contact": accounts.build_modify_contact,
    "add_note": attachments.build_add_note,
    "compare_quotes": lookups.build_compare_quotes,
    "delete_opportunity": opportunities.build_delete_opportunity,
    "delete_quote": quotes.build_delete_quote,
    "quote_details": lookups.build_quote_details,
}


def build_arc_suite() -> list[Task]:
    """Every case of the suite, in builder order, made fresh from the seed book."""
    fams = families()
    return [task for build in BUILDERS.values() for task in build(fams)]


def suite_path() -> Path:
    """Where the suite's task file lives: ``<data_dir>/suites/arc/tasks.jsonl``."""
    return data_dir() / "suites" / SUITE / "tasks.jsonl"


def load_arc_suite(split: str | None = None) -> list[Task]:
    """The suite's tasks as written on disk, optionally only one split ("test" or "dev")."""
    tasks = load_tasks_jsonl(suite_path())
    return list(tasks if split is None else tasks.split(split))
