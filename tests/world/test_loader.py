"""Loading an org from a SQLite dump in the CRMArena-Pro layout (written here with sqlite3, as the real one is)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from crm_gym import build_org, load_org
from crm_gym.errors import OrgLoadError
from crm_gym.world.generate.policies import org_policies
from crm_gym.world.loader import insertion_order
from crm_gym.world.schema import load_schema

USER, OTHER_USER = "005Wt000003NIXCIA4", "005Wt000003NDqDIAW"
ACCOUNT, CONTACT = "001Wt00000PBkzqIAD", "003Wt00000JquxeIAB"
PRODUCT, BOOK, ENTRY = "01tWt000006hVJdIAM", "01sWt000000Gz1EIAS", "01uWt000001uKnIIAU"
ORDER, ITEM, ISSUE, CASE = "801Wt00000FjeU4IAJ", "802Wt000008ZbQXIA0", "a03Wt00000JqnHwIAJ", "500Wt00000DDzSnIAL"
LEAD = "00QWt0000089AekMAE"

# Tables of the dump with their rows; columns follow the Salesforce export, values are as such dumps store them.
DUMP: dict[str, list[dict[str, Any]]] = {
    "User": [
        {"Id": USER, "FirstName": "Ana", "LastName": "Diaz", "Username": "ana@org.example.com",
         "Email": "ana@org.example.com", "IsActive": "true"},
        {"Id": OTHER_USER, "FirstName": "Bo", "LastName": "Chen", "Username": "bo@org.example.com",
         "Email": "bo@org.example.com", "IsActive": "false"},
    ],
    "Account": [
        {"Id": ACCOUNT, "Name": "Acme Robotics", "Industry": "Technology", "NumberOfEmployees": 1200.0,
         "ShippingState": "CA", "Rating__c": "Hot", "CreatedDate": "2021-03-04 10:15:00"},
    ],
    "Contact": [{"Id": CONTACT, "FirstName": "Ying", "LastName": "Liu", "AccountId": ACCOUNT, "Email": ""}],
    "Product2": [{"Id": PRODUCT, "Name": "SecureAnalytics Pro", "IsActive": 1}],
    "Pricebook2": [{"Id": BOOK, "Name": "Standard Price Book", "ValidFrom": "2020-01-01T00:00:00.000+0000"}],
    "PricebookEntry": [{"Id": ENTRY, "Pricebook2Id": BOOK, "Product2Id": PRODUCT, "UnitPrice": "199.5"}],
    "Order": [
        {"Id": ORDER, "AccountId": ACCOUNT, "OwnerId": USER, "Pricebook2Id": BOOK, "Status": "Activated",
         "EffectiveDate": "2021-05-06T00:00:00.000+0000"},
    ],
    "OrderItem": [
        {"Id": ITEM, "OrderId": ORDER, "PriceBookEntryId": ENTRY, "Product2Id": PRODUCT, "Quantity": 3,
         "UnitPrice": 199.5},
    ],
    "Issue__c": [{"Id": ISSUE, "Name": "Login Problems", "IssueDescription__c": "Users cannot sign in."}],
    "Case": [
        {"Id": CASE, "Subject": "Cannot log in", "Status": "Closed", "Priority": "High", "AccountId": ACCOUNT,
         "ContactId": CONTACT, "OwnerId": OTHER_USER, "OrderItemId__c": ITEM, "IssueId__c": ISSUE,
         "CreatedDate": "2021-06-01T09:00:00.000+0000", "ClosedDate": "2021-06-02T11:30:00.000+0000"},
    ],
    "CaseHistory__c": [
        {"Id": "a0HWt000000A1aAIAS", "CaseId__c": CASE, "Field__c": "Owner Assignment", "OldValue__c": None,
         "NewValue__c": USER, "CreatedDate": "2021-06-01T09:05:00.000+0000"},
        {"Id": "a0HWt000000A1aBIAS", "CaseId__c": CASE, "Field__c": "Owner Assignment", "OldValue__c": USER,
         "NewValue__c": OTHER_USER, "CreatedDate": "2021-06-01T12:00:00.000+0000"},
    ],
    "EmailMessage": [
        {"Id": "02sWt000001AbCdIAK", "ParentId": CASE, "RelatedToId": CASE, "Subject": "Login",
         "ToIds": f"['{USER}']", "MessageDate": "2021-06-01 09:30:00"},
    ],
    "Lead": [
        {"Id": LEAD, "LastName": "Park", "Company": "Nimbus", "Status": "New", "IsConverted": "false",
         "OwnerId": USER, "CreatedDate": "2021-02-01T08:00:00Z"},
    ],
    "VoiceCallTranscript__c": [
        {"Id": "a0VWt000000B2bBIAS", "LeadId__c": LEAD, "TranscriptBody__c": "Agent: Hello.\nLead: Hi.",
         "CreatedDate": "2021-02-03T08:00:00Z"},
    ],
    "Task": [
        {"Id": "00TWt000002zEpkMAE", "Subject": "Call back", "Status": "Not Started", "Priority": "High",
         "WhoId": LEAD, "OwnerId": USER, "ActivityDate": "2021-02-10T00:00:00Z"},
    ],
}  # fmt: skip


def _write_dump(path: Path, tables: dict[str, list[dict[str, Any]]], skip: tuple[str, ...] = ()) -> Path:
    """Write a dump: every object of the profile as a table (empty unless given rows), loosely typed like exports."""
    conn = sqlite3.connect(path)
    for name in load_schema("crmarena_pro_b2b").objects:
        if name in skip:
            continue
        rows = tables.get(name, [])
        columns = list(dict.fromkeys(c for row in rows for c in row)) or ["Id"]
        conn.execute(f'CREATE TABLE "{name}" ({", ".join(f"{c!r}" for c in columns)})')
        for row in rows:
            conn.execute(
                f'INSERT INTO "{name}" ({", ".join(f"{c!r}" for c in row)}) VALUES ({", ".join("?" * len(row))})',
                list(row.values()),
            )
    conn.commit()
    conn.close()
    return path


def _with(table: str, index: int, **changes: Any) -> dict[str, list[dict[str, Any]]]:
    tables = {name: [dict(r) for r in rows] for name, rows in DUMP.items()}
    tables[table][index].update(changes)
    return tables


def test_a_dump_in_the_salesforce_layout_loads_and_normalises(tmp_path: Path) -> None:
    world = load_org(_write_dump(tmp_path / "org.db", DUMP))
    assert world.integrity_violations() == []
    assert {name: world.count(name) for name in DUMP} == {name: len(rows) for name, rows in DUMP.items()}
    account = world.get("Account", ACCOUNT)
    assert account["NumberOfEmployees"] == 1200 and account["CreatedDate"] == "2021-03-04T10:15:00Z"
    assert "Rating__c" not in account
    assert world.get("Order", ORDER)["EffectiveDate"] == "2021-05-06"
    assert world.get("OrderItem", ITEM)["PricebookEntryId"] == ENTRY
    assert world.get("PricebookEntry", ENTRY)["UnitPrice"] == 199.5
    assert world.get("Case", CASE)["ClosedDate"] == "2021-06-02T11:30:00Z"
    assert world.get("Contact", CONTACT)["Email"] is None
    assert world.get("User", OTHER_USER)["IsActive"] is False
    assert world.get("Lead", LEAD)["IsConverted"] is False
    assert world.get("EmailMessage", "02sWt000001AbCdIAK")["ToIds"] == [USER]
    assert world.get("Issue__c", ISSUE)["Description__c"] == "Users cannot sign in."
    assert world.get("VoiceCallTranscript__c", "a0VWt000000B2bBIAS")["Body__c"].startswith("Agent: Hello.")
    assert world.get("Task", "00TWt000002zEpkMAE")["ActivityDate"] == "2021-02-10"
    assert world.diff().created == []
    assert not world.exists("Account", world.new_id("Account"))


def test_a_generated_org_survives_a_round_trip_through_a_file(tmp_path: Path) -> None:
    org = build_org("crmarena_pro_b2b", seed=5, scale="tiny")
    target = sqlite3.connect(tmp_path / "generated.db")
    org.conn.backup(target)
    target.close()
    loaded = load_org(tmp_path / "generated.db")
    assert loaded.state_hash() == org.state_hash()
    assert org_policies(loaded) == org_policies(org)


def test_insertion_order_puts_every_referenced_object_first() -> None:
    schema = load_schema("crmarena_pro_b2b")
    order = insertion_order(schema)
    assert sorted(order) == sorted(schema.objects)
    for name, obj in schema.objects.items():
        for field, spec in obj.references().items():
            targets = [spec.to] if spec.type == "reference" else schema.polymorphic_targets(name, field)
            assert all(order.index(t) <= order.index(name) for t in targets), (name, field)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(OrgLoadError, match=re.escape(f"No org dump at {str(tmp_path / 'nope.db')!r}")):
        load_org(tmp_path / "nope.db")


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("just some text, not a database " * 50)
    with pytest.raises(OrgLoadError, match="'notes.db' is not a readable SQLite database"):
        load_org(tmp_path / "notes.db")


def test_missing_tables_are_listed_unless_a_partial_dump_is_allowed(tmp_path: Path) -> None:
    path = _write_dump(tmp_path / "partial.db", DUMP, skip=("Event", "Territory2"))
    with pytest.raises(OrgLoadError, match="has no table for Event, Territory2"):
        load_org(path)
    world = load_org(path, allow_missing_tables=True)
    assert world.count("Event") == 0 and world.count("Case") == 1


def test_a_table_without_its_id_column_is_refused(tmp_path: Path) -> None:
    tables = {**DUMP, "Issue__c": [{"Name": "Login Problems"}]}
    with pytest.raises(OrgLoadError, match="Table 'Issue__c' has no 'Id' column"):
        load_org(_write_dump(tmp_path / "noid.db", tables))


def test_a_value_of_the_wrong_type_names_table_column_and_row(tmp_path: Path) -> None:
    tables = _with("Account", 0, NumberOfEmployees="a lot")
    tables["Account"] = [{**{k: v for k, v in tables["Account"][0].items() if k != "Id"}, "Id": ACCOUNT}]
    path = _write_dump(tmp_path / "badtype.db", tables)
    expected = f"Table 'Account': 1 of 1 rows have values of the wrong type: row Id={ACCOUNT!r}: column "
    with pytest.raises(OrgLoadError, match=re.escape(expected + "'NumberOfEmployees' = 'a lot': expected a whole")):
        load_org(path)


def test_a_dangling_reference_names_the_field_and_the_missing_record(tmp_path: Path) -> None:
    missing_user = "005Wt000009ZZZZIAA"
    path = _write_dump(tmp_path / "dangling.db", _with("Case", 0, OwnerId=missing_user))
    expected = f"Table 'Case': 1 of 1 rows break the schema's constraints: row Id={CASE!r}: OwnerId = "
    with pytest.raises(OrgLoadError, match=re.escape(expected + f"{missing_user!r} points at no User")):
        load_org(path)


def test_a_value_outside_an_enum_is_counted_among_the_bad_rows(tmp_path: Path) -> None:
    tables = _with("Case", 0, Status="Open-ish")
    tables["Case"].append({**tables["Case"][0], "Id": "500Wt00000DDzSoIAL", "Status": "Closed"})
    expected = f"Table 'Case': 1 of 2 rows break the schema's constraints: row Id={CASE!r}: CHECK constraint failed"
    with pytest.raises(OrgLoadError, match=re.escape(expected)):
        load_org(_write_dump(tmp_path / "enum.db", tables))


def test_rows_that_clash_with_each_other_are_reported(tmp_path: Path) -> None:
    tables = _with("User", 1, Username="ana@org.example.com")
    expected = f"Table 'User': 1 of 2 rows break the schema's constraints: row Id={OTHER_USER!r}: UNIQUE constraint"
    with pytest.raises(OrgLoadError, match=re.escape(expected)):
        load_org(_write_dump(tmp_path / "clash.db", tables))
