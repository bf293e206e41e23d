"""Arc attachment tools: upload a document to, or add a note on, a client, opportunity, quote, contract or contact."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from crm_gym.api.registry import FieldRef, tool
from crm_gym.api.tools.arc_common import arc_id, create_record, given, world_now
from crm_gym.errors import CrmError

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi


def _entity_id(api: MockCrmApi, object_name: str, entity_type: Any, entity_id: Any) -> str:
    # Check the type first so a bad type is reported as such, not as a malformed id.
    spec = api.schema.object(object_name).fields["entity_type"]
    if entity_type not in spec.values:
        raise CrmError(f"{object_name}.entity_type: {entity_type!r} is not allowed; expected {spec.allowed()}.")
    return arc_id(entity_id, entity_type, "entity_id")


@tool(writes=True, group="arc")
def upload_document(
    api: MockCrmApi,
    entity_type: Annotated[str, FieldRef("Document", "entity_type")],
    entity_id: Annotated[str, FieldRef("Document", "entity_id")],
    file_name: Annotated[str, FieldRef("Document", "file_name")],
    uploaded_by: Annotated[str | None, FieldRef("Document", "uploaded_by")] = None,
    file_url: Annotated[str | None, FieldRef("Document", "file_url")] = None,
) -> dict[str, Any]:
    """Attach a document to an opportunity, contract, quote or client; returns it with its new document_id.

    uploaded_at is the CRM's current date. file_name may hold only letters, digits, ".", "_" and "-" (no
    spaces) and must end in .pdf, .doc, .docx, .ppt, .pptx, .xlsx, .csv, .txt or .key (lower case), e.g.
    "Acme_Proposal_v2.pdf". Fails and creates nothing when entity_type is not exactly an allowed value
    (case-sensitive), entity_id is not the UUID of an existing record of that type, or the file name breaks
    the rule above.

    Args:
        entity_type: The kind of record the document belongs to, case-sensitive.
        entity_id: UUID of that record.
        file_name: File name with its extension, e.g. "Q3_pricing.xlsx".
        uploaded_by: Name of the person uploading.
        file_url: Where the file is stored, http(s).
    """
    spec = api.schema.object("Document").fields["file_name"]
    if isinstance(file_name, str) and spec.pattern and not re.match(spec.pattern, file_name.strip()):
        raise CrmError(
            f"Document.file_name: {file_name!r} is not allowed; use only letters, digits, '.', '_' and '-' (no "
            f"spaces) and end with one of the allowed extensions, in lower case (the name must match {spec.pattern})."
        )
    values = given(file_name=file_name, uploaded_by=uploaded_by, file_url=file_url)
    values.update(
        entity_type=entity_type,
        entity_id=_entity_id(api, "Document", entity_type, entity_id),
        uploaded_at=world_now(api.world),
    )
    return create_record(api, "Document", values)


@tool(writes=True, group="arc")
def add_note(
    api: MockCrmApi,
    entity_type: Annotated[str, FieldRef("Note", "entity_type")],
    entity_id: Annotated[str, FieldRef("Note", "entity_id")],
    content: Annotated[str, FieldRef("Note", "content")],
    created_by: Annotated[str | None, FieldRef("Note", "created_by")] = None,
) -> dict[str, Any]:
    """Add a free-text note to an opportunity, client, contact, quote or contract; returns it with its note_id.

    created_at is the CRM's current date. Fails and creates nothing when entity_type is not exactly an
    allowed value (case-sensitive), entity_id is not the UUID of an existing record of that type, or
    content is empty.

    Args:
        entity_type: The kind of record the note is about, case-sensitive.
        entity_id: UUID of that record.
        content: The note text.
        created_by: Name of the author.
    """
    values = given(content=content, created_by=created_by)
    values.update(
        entity_type=entity_type,
        entity_id=_entity_id(api, "Note", entity_type, entity_id),
        created_at=world_now(api.world),
    )
    return create_record(api, "Note", values)
