"""Arc attachment tools: upload_document and add_note."""

from __future__ import annotations

import pytest

from crm_gym import MockCrmApi
from crm_gym.config import DEFAULT_TODAY

MISSING = "00000000-0000-4000-8000-000000000000"
EXTENSIONS = ("pdf", "doc", "docx", "ppt", "pptx", "xlsx", "csv", "txt", "key")


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_upload_document_accepts_every_allowed_extension(api: MockCrmApi, deal, extension: str) -> None:
    oid = deal["opportunity"]["opportunity_id"]
    doc = api.upload_document("Opportunity", oid, f"Acme_Proposal-v2.final.{extension}", uploaded_by="Dana")
    assert api.world.get("Document", doc["document_id"]) == doc
    assert (doc["entity_id"], doc["uploaded_at"]) == (oid, f"{DEFAULT_TODAY}T09:00:00")


@pytest.mark.parametrize(
    "file_name", ["Q3 report.pdf", "setup.exe", "report.PDF", "../etc/passwd.txt", "notes", ".pdf"]
)
def test_upload_document_refuses_bad_file_names(api: MockCrmApi, deal, refused, file_name: str) -> None:
    args = {"entity_type": "Opportunity", "entity_id": deal["opportunity"]["opportunity_id"], "file_name": file_name}
    message = refused(api, "upload_document", args, r"Document\.file_name")
    assert "letters, digits, '.', '_' and '-'" in message


def test_upload_document_refuses_bad_targets(api: MockCrmApi, deal, refused) -> None:
    oid = deal["opportunity"]["opportunity_id"]
    base = {"file_name": "a.pdf"}
    refused(api, "upload_document", {**base, "entity_type": "opportunity", "entity_id": oid}, "'opportunity' is not")
    refused(api, "upload_document", {**base, "entity_type": "Contact", "entity_id": oid}, r"Document\.entity_type")
    refused(api, "upload_document", {**base, "entity_type": "Quote", "entity_id": oid}, "not the id of an existing")
    refused(api, "upload_document", {**base, "entity_type": "Opportunity", "entity_id": "42"}, "a UUID like")
    refused(api, "upload_document", {**base, "entity_type": "Client", "entity_id": MISSING}, "existing Client")
    refused(api, "upload_document", {"entity_type": "Opportunity", "entity_id": oid}, "needs the argument 'file_name'")


@pytest.mark.parametrize("entity", ["client", "contact", "opportunity", "quote"])
def test_add_note_on_each_kind_of_record(api: MockCrmApi, deal, entity: str) -> None:
    record = deal[entity]
    entity_type = entity.capitalize()
    note = api.add_note(entity_type, record[f"{entity}_id"], "Follow up next week", created_by="Dana")
    assert api.world.get("Note", note["note_id"]) == note
    assert note["created_at"] == f"{DEFAULT_TODAY}T09:00:00"


def test_add_note_refusals(api: MockCrmApi, deal, refused) -> None:
    cid = deal["client"]["client_id"]
    refused(api, "add_note", {"entity_type": "Client", "entity_id": cid, "content": "  "}, r"Note\.content")
    refused(api, "add_note", {"entity_type": "Document", "entity_id": cid, "content": "x"}, r"Note\.entity_type")
    refused(api, "add_note", {"entity_type": "Contact", "entity_id": cid, "content": "x"}, "existing Contact")
    refused(api, "add_note", {"entity_type": "Client", "entity_id": cid}, "needs the argument 'content'")
