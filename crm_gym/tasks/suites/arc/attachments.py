"""Attachment workflows: upload a document (14.4% of production) and add a note.

The user names the record the file belongs to (a deal, its latest quote, its contract, or the client); the agent
finds it first. Every fifth upload is negative: an upper-case extension to correct, or a forbidden file type or
an unknown deal to decline.
"""

from __future__ import annotations

from typing import Any

from crm_gym.tasks.model import Task, ToolCall
from crm_gym.tasks.suites.arc.book import REPS, Family
from crm_gym.tasks.suites.arc.cases import CaseBuilder, call, case, created, declined, pick

_KINDS = ("Proposal", "Pricing_Sheet", "Requirements", "Meeting_Notes", "SOW_Draft", "Security_Questionnaire")
_EXTENSIONS = ("pdf", "docx", "xlsx", "pptx", "pdf", "csv")


def _file(deal: dict[str, Any], n: int) -> str:
    stem = "_".join(w for w in deal["name"].replace("-", " ").split()[:2])
    return f"{stem}_{pick(_KINDS, n)}.{pick(_EXTENSIONS, n)}"


def _deal(fam: Family, n: int) -> dict[str, Any]:
    deals = fam.records["Opportunity"]
    return deals[n * 4 % len(deals)]


def _upload_case(
    fam: Family,
    n: int,
    prompt: str,
    target: tuple[str, str],
    finds: list[ToolCall],
    args: dict[str, Any],
    invalid: ToolCall | None = None,
) -> Task:
    """An upload case: the oracle's ``finds`` locate ``target`` (entity type, id), then it uploads with ``args``."""
    entity_type, entity_id = target
    return case(
        "upload_document",
        n,
        prompt,
        fam.org(),
        created("Document", {"entity_id": entity_id}, {"entity_type": entity_type, **args}),
        [*finds, call("upload_document", entity_type=entity_type, entity_id=entity_id, **args)],
        f"Uploaded {args['file_name']} to the {entity_type.lower()}.",
        negative="correct" if invalid is not None else None,
        invalid_call=invalid,
        dev=n % 10 == 9,
    )


def _to_deal(fam: Family, n: int) -> Task:
    deal = _deal(fam, n)
    file_name = _file(deal, n)
    prompt = pick(
        (
            f'Upload {file_name} to the "{deal["name"]}" opportunity.',
            f'Attach the file {file_name} to "{deal["name"]}", please.',
        ),
        n,
    )
    return _upload_case(
        fam,
        n,
        prompt,
        ("Opportunity", deal["opportunity_id"]),
        [call("opportunity_search", query=deal["name"])],
        {"file_name": file_name},
    )


def _to_deal_by(fam: Family, n: int) -> Task:
    deal = _deal(fam, n)
    file_name, uploader = _file(deal, n), pick(REPS, n + 1)
    prompt = f'This is {uploader}. Please upload {file_name} to "{deal["name"]}" and record me as the uploader.'
    return _upload_case(
        fam,
        n,
        prompt,
        ("Opportunity", deal["opportunity_id"]),
        [call("opportunity_search", query=deal["name"])],
        {"file_name": file_name, "uploaded_by": uploader},
    )


def _to_quote(fam: Family, n: int) -> Task:
    deal = next(o for o in fam.records["Opportunity"][n % 3 :] if fam.quotes(o["opportunity_id"]))
    quote = fam.quotes(deal["opportunity_id"])[-1]
    file_name = f"Quote_v{quote['version']}_{pick(('signed', 'breakdown', 'terms'), n)}.pdf"
    prompt = f'Attach {file_name} to the latest quote on "{deal["name"]}".'
    finds = [
        call("opportunity_search", query=deal["name"]),
        call("quote_search", opportunity_id=deal["opportunity_id"]),
    ]
    return _upload_case(fam, n, prompt, ("Quote", quote["quote_id"]), finds, {"file_name": file_name})


def _to_contract(fam: Family, n: int) -> Task:
    contract = pick(fam.records["Contract"], n)
    deal = next(o for o in fam.records["Opportunity"] if o["opportunity_id"] == contract["opportunity_id"])
    file_name = f"Countersigned_Contract_{fam.spec.key}.pdf"
    prompt = f'File {file_name} against the contract for the won "{deal["name"]}" deal.'
    finds = [
        call("opportunity_search", query=deal["name"]),
        call("contract_search", opportunity_id=deal["opportunity_id"]),
    ]
    return _upload_case(fam, n, prompt, ("Contract", contract["contract_id"]), finds, {"file_name": file_name})


def _to_client(fam: Family, n: int) -> Task:
    client = fam.clients[n % 2]
    file_name = f"{client['name'].split()[0]}_Mutual_NDA.pdf"
    prompt = f"Upload our mutual NDA, {file_name}, to the {client['name']} account itself."
    finds = [call("client_search", query=client["name"])]
    return _upload_case(fam, n, prompt, ("Client", client["client_id"]), finds, {"file_name": file_name})


def _upper_extension(fam: Family, n: int) -> Task:
    deal = _deal(fam, n)
    stem = _file(deal, n).rsplit(".", 1)[0]
    prompt = f'Upload {stem}.PDF to "{deal["name"]}".'
    invalid = call(
        "upload_document", entity_type="Opportunity", entity_id=deal["opportunity_id"], file_name=f"{stem}.PDF"
    )
    return _upload_case(
        fam,
        n,
        prompt,
        ("Opportunity", deal["opportunity_id"]),
        [call("opportunity_search", query=deal["name"])],
        {"file_name": f"{stem}.pdf"},
        invalid,
    )


def _forbidden_type(fam: Family, n: int, extension: str) -> Task:
    deal = _deal(fam, n)
    file_name = f"{_file(deal, n).rsplit('.', 1)[0]}.{extension}"
    invalid = call("upload_document", entity_type="Opportunity", entity_id=deal["opportunity_id"], file_name=file_name)
    return case(
        "upload_document",
        n,
        f'Can you upload {file_name} to "{deal["name"]}"?',
        fam.org(),
        declined("Opportunity", deal["opportunity_id"]),
        [call("opportunity_search", query=deal["name"]), invalid],
        f"I can't upload {file_name}: the CRM only accepts pdf, doc, docx, ppt, pptx, xlsx, csv, txt and key files. "
        "Nothing was uploaded; please send it in one of those formats.",
        negative="decline",
        invalid_call=invalid,
    )


def _executable(fam: Family, n: int) -> Task:
    return _forbidden_type(fam, n, "exe")


def _archive(fam: Family, n: int) -> Task:
    return _forbidden_type(fam, n, "zip")


def _unknown_deal(fam: Family, n: int) -> Task:
    client = fam.clients[0]
    name = f"{client['name']} - Quantum Ledger Pilot"
    file_name = "Quantum_Ledger_Proposal.pdf"
    return case(
        "upload_document",
        n,
        f'Upload {file_name} to the "{name}" opportunity.',
        fam.org(),
        declined("Client", client["client_id"]),
        [call("opportunity_search", query=name)],
        f"I couldn't find an opportunity called \"{name}\", so I can't upload the file. Which deal is it for?",
        negative="decline",
        invalid_call=call("upload_document", entity_type="Opportunity", entity_id=name, file_name=file_name),
    )


_POSITIVE: tuple[CaseBuilder, ...] = (_to_deal, _to_deal_by, _to_quote, _to_deal, _to_contract, _to_client)
_NEGATIVE: tuple[CaseBuilder, ...] = (_upper_extension, _executable, _unknown_deal, _archive, _upper_extension)


def build_upload_document(fams: list[Family], count: int = 25) -> list[Task]:
    """``count`` upload cases; every fifth is negative."""
    return [
        (_NEGATIVE[(n // 5 - 1) % 5] if n % 5 == 0 else _POSITIVE[(n - 1) % 6])(pick(fams, n + 2), n)
        for n in range(1, count + 1)
    ]


def build_add_note(fams: list[Family]) -> list[Task]:
    """A note on a deal, in the user's words."""
    fam = fams[3]
    deal = fam.deal(1, stages=("Proposal", "Negotiation"))
    content = "Customer asked for a security questionnaire before legal review."
    return [
        case(
            "add_note",
            1,
            f'Add a note to "{deal["name"]}": {content}',
            fam.org(),
            created("Note", {"entity_id": deal["opportunity_id"]}, {"entity_type": "Opportunity", "content": content}),
            [
                call("opportunity_search", query=deal["name"]),
                call("add_note", entity_type="Opportunity", entity_id=deal["opportunity_id"], content=content),
            ],
            f"Added the note to {deal['name']}.",
        )
    ]
