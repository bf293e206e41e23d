"""Arc's golden-case patterns as calls in Arc's own form, with crm_gym's own data, and how to run them.

The Arc CRM sandbox's last set of golden cases (103: 50 that succeed, 53 that are refused) covers five tools:
create_new_client, create_new_opportunity, create_quote, upload_document and modify_opportunity. Each
`Pattern` below mirrors one of them (``arc_case`` names it) with records, names and values written for
crm_gym: the same kind of seed state, the same shape of call (``updates`` objects, a free-text quote
``version``, a stage with a trailing space, ...), and the outcome Arc intends. Three patterns meet an Arc
defect that crm_gym corrects on purpose (``defect``, listed in docs/arc_compat.md): crm_gym's outcome is then
the corrected one.

``python tests/api/arc_golden_patterns.py`` prints the agreement figure; ``test_arc_golden_patterns.py``
asserts it case by case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from crm_gym import CrmError, MockCrmApi
from crm_gym.api.registry import ToolProfile

Outcome = Literal["success", "refusal"]

# Markers an argument value may hold: the id of the record the seed state made.
CLIENT, DEAL, QUOTE, CONTRACT = "<client_id>", "<opportunity_id>", "<quote_id>", "<contract_id>"
_MARKERS = {CLIENT: ("client", "client_id"), DEAL: ("deal", "opportunity_id"), QUOTE: ("quote", "quote_id")}
_MARKERS[CONTRACT] = ("contract", "contract_id")
# Arc's quote version is free text; crm_gym numbers versions itself and keeps Arc's text as version_label.
_STORED_AS = {("create_quote", "version"): "version_label"}
# A well-formed UUID that names no record, and Arc-style ids that are not UUIDs at all.
NOWHERE = "5d0c2a4e-7b1f-4c8e-9a3d-0f6e2b7c1a90"
NOT_A_UUID = "11111111-2222-3333-4444-nothere"

DEFECTS = {
    "required_email": "Arc's create_new_client demands an email its own schema leaves optional.",
    "past_close_dates": "Arc refuses close dates before the wall-clock today; a CRM's past is legitimate data.",
}


@dataclass(frozen=True)
class Seed:
    """The records that exist before the call: a client, and optionally a deal, a quote and a contract."""

    client: Mapping[str, Any] | None = None
    deal: Mapping[str, Any] | None = None
    quote: Mapping[str, Any] | None = None
    contract: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Pattern:
    """One golden-case pattern: the call in Arc's form and the outcome Arc intends.

    ``names``: for a refusal, the fragments the error must contain (the field, the value given, what is
    allowed; a marker stands for the seeded record's id). ``defect``: the Arc defect crm_gym corrects here (a
    key of `DEFECTS`); crm_gym's outcome is then the opposite of Arc's.
    """

    arc_case: str
    tool: str
    args: Mapping[str, Any]
    arc_outcome: Outcome
    seed: Seed = field(default_factory=Seed)
    names: tuple[str, ...] = ()
    defect: str | None = None

    @property
    def expected(self) -> Outcome:
        """The outcome crm_gym should give: Arc's, or the corrected one for a documented defect."""
        if self.defect is None:
            return self.arc_outcome
        return "success" if self.arc_outcome == "refusal" else "refusal"


@dataclass(frozen=True)
class PatternResult:
    """What crm_gym did with one pattern."""

    pattern: Pattern
    outcome: Outcome
    error: str | None
    state_ok: bool  # a success wrote the given values and nothing else; a refusal changed nothing
    message_ok: bool  # a refusal's error names the field, the value and what is allowed

    @property
    def as_arc_intends(self) -> bool:
        """The outcome Arc intends, with the right state and message."""
        return self.outcome == self.pattern.arc_outcome and self.state_ok and self.message_ok

    @property
    def as_corrected(self) -> bool:
        """The corrected outcome of a documented Arc defect, with the right state and message."""
        return self.pattern.defect is not None and self.outcome == self.pattern.expected and self.state_ok

    @property
    def agrees(self) -> bool:
        """As Arc intends, or as its documented defect is corrected."""
        return self.as_arc_intends or self.as_corrected


def run_pattern(pattern: Pattern, profile: ToolProfile = "arc_compat") -> PatternResult:
    """Seed a fresh Arc org, make the call in Arc's form and judge what happened."""
    api = MockCrmApi(tool_profile=profile)
    ids = _seed(api, pattern.seed)
    args = {k: _resolve(v, ids) for k, v in pattern.args.items()}
    api.world.mark_baseline()
    before = api.world.state_hash()
    try:
        output = api.call(pattern.tool, args)
    except CrmError as err:
        unchanged = api.world.state_hash() == before and api.world.integrity_violations() == []
        named = bool(pattern.names) and all(_resolve(fragment, ids) in str(err) for fragment in pattern.names)
        return PatternResult(pattern, "refusal", str(err), unchanged, named)
    return PatternResult(pattern, "success", None, _wrote_exactly(api, pattern.tool, args, output), True)


def _seed(api: MockCrmApi, seed: Seed) -> dict[str, str]:
    ids: dict[str, str] = {}
    if seed.client is not None:
        ids["client"] = api.create("Client", dict(seed.client))["client_id"]
    if seed.deal is not None:
        ids["deal"] = api.create("Opportunity", {"client_id": ids["client"], **seed.deal})["opportunity_id"]
    if seed.quote is not None:
        values = {"opportunity_id": ids["deal"], "version": 1, **seed.quote}
        ids["quote"] = api.create("Quote", values)["quote_id"]
    if seed.contract is not None:
        values = {"client_id": ids["client"], "opportunity_id": ids["deal"], **seed.contract}
        ids["contract"] = api.create("Contract", values)["contract_id"]
    return ids


def _resolve(value: Any, ids: Mapping[str, str]) -> Any:
    if isinstance(value, Mapping):
        return {k: _resolve(v, ids) for k, v in value.items()}
    if isinstance(value, str) and value in _MARKERS:
        return ids[_MARKERS[value][0]]
    return value


def _wrote_exactly(api: MockCrmApi, tool: str, args: Mapping[str, Any], output: Any) -> bool:
    """The call created (or, for a modify, changed) one record holding every value given, and nothing else."""
    diff = api.world.diff()
    touched = diff.created if tool != "modify_opportunity" else diff.changed
    if len(diff.touched()) != 1 or len(touched) != 1 or not isinstance(output, dict):
        return False
    record = api.world.get(touched[0].object, touched[0].record_id)
    given = {**{k: v for k, v in args.items() if k != "updates"}, **args.get("updates", {})}
    return record == output and all(record[_STORED_AS.get((tool, k), k)] == v for k, v in given.items())


def _client(name: str, email: str, status: str = "Active") -> dict[str, Any]:
    return {"name": name, "email": email, "status": status}


def _deal(name: str, amount: float, stage: str) -> dict[str, Any]:
    return {"name": name, "amount": amount, "stage": stage}


# -- create_new_client: 10 that succeed, 8 that are refused ---------------------------------------------------

_CLIENT_SUCCESSES = [
    ("CNC-001", {"name": "Larkspur Robotics", "email": "hello@larkspur.test", "status": "Active",
                 "phone": "503-555-0142"}),
    ("CNC-002", {"name": "Fjordline Textiles", "email": "sales@fjordline.test", "status": "Prospect",
                 "industry": "Apparel"}),
    ("CNC-003", {"name": "Ostrava Brewing", "email": "office@ostravabrew.test", "status": "Inactive",
                 "address": "12 Malt Street"}),
    ("CNC-004", {"name": "Calloway Dental", "email": "front@callowaydental.test", "status": "Active",
                 "owner": "ines.moreau"}),
    ("CNC-005", {"name": "Sable Creek Farms", "email": "team@sablecreek.test", "status": "Prospect"}),
    ("CNC-006", {"name": "Pinecrest Software", "email": "info@pinecrest.test", "status": "Active"}),
    ("CNC-007", {"name": "Meridian Freight", "email": "dispatch@meridianfreight.test", "status": "Inactive",
                 "phone": "312-555-0177"}),
    ("CNC-008", {"name": "Tidewater Insurance", "email": "partners@tidewater.test", "status": "Prospect",
                 "owner": "kofi.mensah"}),
    ("CNC-009", {"name": "Quarry Hill Stone", "email": "yard@quarryhill.test", "status": "Active",
                 "address": "9 Granite Way", "industry": "Construction"}),
    ("CNC-010", {"name": "Vireo Optics", "email": "orders@vireo.test", "status": "Inactive",
                 "owner": "hana.sato", "phone": "617-555-0123"}),
]  # fmt: skip

_CLIENT_REFUSALS = [
    Pattern("CNC-101", "create_new_client", _client("Ardent Mills", "ops@ardentmills.test", "prospect"), "refusal",
            names=("Client.status", "'prospect'", "'Prospect'")),
    Pattern("CNC-102", "create_new_client", _client("Brisa Solar", "brisa-solar.test"), "refusal",
            names=("Client.email", "'brisa-solar.test'", "an email address")),
    Pattern("CNC-103", "create_new_client", _client("Cobalt Ridge West", "deals@cobaltridge.test"), "refusal",
            seed=Seed(client=_client("Cobalt Ridge", "deals@cobaltridge.test")),
            names=("Client.email", "'deals@cobaltridge.test'", "emails are unique")),
    Pattern("CNC-104", "create_new_client", {"name": "Dunmore Legal", "status": "Prospect"}, "refusal",
            defect="required_email"),
    Pattern("CNC-105", "create_new_client", _client("Elmstead Clinics", "care@elmstead.test", " Inactive"),
            "refusal", names=("Client.status", "' Inactive'", "'Inactive'")),
    Pattern("CNC-106", "create_new_client", _client("  ", "blank@nameless.test"), "refusal",
            names=("Client.name", "'  '", "at least one character")),
    Pattern("CNC-107", "create_new_client", {**_client("Foxglove Media", "studio@foxglove.test"), "segment": "SMB"},
            "refusal", names=("'segment'", "'SMB'", "Arguments: name")),
    Pattern("CNC-108", "create_new_client", _client(20417, "billing@numbered.test"), "refusal",  # type: ignore[arg-type]
            names=("'name'", "20417", "expected text")),
]  # fmt: skip

# -- create_new_opportunity: 10 that succeed, 15 that are refused ------------------------------------------------

_OPPORTUNITY_SUCCESSES = [
    ("CNO-001", {"name": "Larkspur Arm Retrofit", "amount": 64_000.0, "stage": "Prospecting"}),
    ("CNO-002", {"name": "Fjordline Dye Line", "amount": 88_000.0, "stage": "Qualification",
                 "owner": "ines.moreau", "probability": 30}),
    ("CNO-003", {"name": "Ostrava Taproom Fit-out", "amount": 152_500.0, "stage": "Proposal",
                 "notes": "Wants a phased install"}),
    ("CNO-004", {"name": "Calloway Imaging Suite", "amount": 240_000.0, "stage": "Negotiation",
                 "close_date": "2025-10-31"}),
    ("CNO-005", {"name": "Sable Creek Irrigation", "amount": 71_000.0, "stage": "Closed-Won"}),
    ("CNO-006", {"name": "Pinecrest Seat Licences", "amount": 118_000.0, "stage": "Closed-Lost",
                 "notes": "Chose an open-source stack"}),
    ("CNO-007", {"name": "Meridian Route Planner", "amount": 199_000.0, "stage": "Negotiation", "probability": 60}),
    ("CNO-008", {"name": "Tidewater Claims Portal", "amount": 305_000.0, "stage": "Qualification",
                 "owner": "kofi.mensah"}),
    ("CNO-009", {"name": "Quarry Hill Fleet Telematics", "amount": 377_000.0, "stage": "Prospecting",
                 "probability": 15, "close_date": "2026-03-31"}),
    ("CNO-010", {"name": "Vireo Lens Coating", "amount": 226_000.0, "stage": "Negotiation",
                 "owner": "hana.sato", "notes": "Needs an extended warranty"}),
]  # fmt: skip

_OPP_CLIENT = Seed(client=_client("Harrowgate Metals", "buyers@harrowgate.test"))


def _opportunity(name: str, extra: Mapping[str, Any], amount: Any = 90_000.0, stage: str = "Proposal") -> dict:
    return {"client_id": CLIENT, "name": name, "amount": amount, "stage": stage, **extra}


_OPPORTUNITY_REFUSALS = [
    Pattern("CNO-101", "create_new_opportunity", _opportunity("Harrowgate Smelter", {}, stage="Qualifcation"),
            "refusal", _OPP_CLIENT, ("Opportunity.stage", "'Qualifcation'", "'Qualification'")),
    Pattern("CNO-102", "create_new_opportunity", _opportunity("Harrowgate Kiln", {"probability": 140}), "refusal",
            _OPP_CLIENT, ("probability", "140", "<= 99")),
    Pattern("CNO-103", "create_new_opportunity", {**_opportunity("Ghost Client Deal", {}), "client_id": NOT_A_UUID},
            "refusal", Seed(), ("client_id", repr(NOT_A_UUID), "a UUID like")),
    Pattern("CNO-104", "create_new_opportunity", _opportunity("Harrowgate Furnace", {"close_date": "11/30/2025"}),
            "refusal", _OPP_CLIENT, ("close_date", "'11/30/2025'", "YYYY-MM-DD")),
    Pattern("CNO-105", "create_new_opportunity", _opportunity("Harrowgate Foundry", {"probability": "seventy"}),
            "refusal", _OPP_CLIENT, ("probability", "'seventy'", "a whole number")),
    Pattern("CNO-106", "create_new_opportunity", _opportunity("Harrowgate Rolling Mill", {}, stage="Proposal "),
            "refusal", _OPP_CLIENT, ("Opportunity.stage", "'Proposal '", "'Proposal'")),
    Pattern("CNO-107", "create_new_opportunity", _opportunity("Harrowgate Crane", {"probability": 0}), "refusal",
            _OPP_CLIENT, ("probability", "0", ">= 1")),
    Pattern("CNO-108", "create_new_opportunity", _opportunity("Harrowgate Hoist", {"probability": 100}), "refusal",
            _OPP_CLIENT, ("probability", "100", "<= 99")),
    Pattern("CNO-109", "create_new_opportunity", _opportunity("Harrowgate Press", {"probability": 0.6}), "refusal",
            _OPP_CLIENT, ("probability", "0.6", "a whole number")),
    Pattern("CNO-110", "create_new_opportunity", _opportunity("Harrowgate Audit", {}, amount=0), "refusal",
            _OPP_CLIENT, ("Opportunity.amount", "0", "> 0")),
    Pattern("CNO-111", "create_new_opportunity", _opportunity("Harrowgate Megaplant", {}, amount=31_000_000.0),
            "refusal", _OPP_CLIENT, ("Opportunity.amount", "31000000.0", "<= 10000000")),
    Pattern("CNO-112", "create_new_opportunity", _opportunity("Harrowgate Spares", {}, amount="95k"), "refusal",
            _OPP_CLIENT, ("amount", "'95k'", "a number")),
    Pattern("CNO-113", "create_new_opportunity", _opportunity("Harrowgate Backdated", {"close_date": "2022-06-30"}),
            "refusal", _OPP_CLIENT, defect="past_close_dates"),
    Pattern("CNO-114", "create_new_opportunity", _opportunity("Harrowgate Leap Day", {"close_date": "2026-02-29"}),
            "refusal", _OPP_CLIENT, ("Opportunity.close_date", "'2026-02-29'", "an ISO date")),
    Pattern("CNO-115", "create_new_opportunity",
            _opportunity("Harrowgate Timed", {"close_date": "2026-01-15T17:30:00Z"}), "refusal", _OPP_CLIENT,
            ("close_date", "'2026-01-15T17:30:00Z'", "YYYY-MM-DD")),
]  # fmt: skip

# -- create_quote: 10 that succeed, 10 that are refused ---------------------------------------------------------

_QUOTE_SUCCESSES = [
    ("CQT-001", "Prospecting", {"amount": 64_000.0, "status": "Draft", "version": "v1"}),
    ("CQT-002", "Qualification", {"amount": 88_000.0, "status": "Sent", "quote_prefix": "FJD-26"}),
    ("CQT-003", "Proposal", {"amount": 150_000.0, "status": "Approved", "valid_until": "2025-09-30"}),
    ("CQT-004", "Negotiation", {"amount": 238_000.0, "status": "Rejected"}),
    ("CQT-005", "Closed-Won", {"amount": 71_000.0, "status": "Canceled"}),
    ("CQT-006", "Prospecting", {"amount": 117_500.0, "status": "Draft", "version": "v2"}),
    ("CQT-007", "Negotiation", {"amount": 195_000.0, "status": "Sent", "version": "2.3", "quote_prefix": "MRD-RP"}),
    ("CQT-008", "Qualification", {"amount": 300_000.0, "status": "Approved", "valid_until": "2026-01-31"}),
    ("CQT-009", "Prospecting", {"amount": 377_000.0, "status": "Draft", "quote_prefix": "QHS-TEL"}),
    ("CQT-010", "Negotiation", {"amount": 226_000.0, "status": "Approved", "version": "R4"}),
]

_QUOTE_DEAL = Seed(
    client=_client("Juniper Kilns", "kilns@juniper.test"), deal=_deal("Juniper Kiln Refit", 120_000.0, "Proposal")
)


def _quote(extra: Mapping[str, Any]) -> dict[str, Any]:
    return {"opportunity_id": DEAL, "amount": 110_000.0, "status": "Draft", **extra}


_QUOTE_REFUSALS = [
    Pattern("CQT-101", "create_quote", _quote({"status": "sent"}), "refusal", _QUOTE_DEAL,
            ("Quote.status", "'sent'", "'Sent'")),
    Pattern("CQT-102", "create_quote", _quote({"amount": -2_500.0}), "refusal", _QUOTE_DEAL,
            ("Quote.amount", "-2500.0", "> 0")),
    Pattern("CQT-103", "create_quote", {**_quote({}), "opportunity_id": NOT_A_UUID}, "refusal", Seed(),
            ("opportunity_id", repr(NOT_A_UUID), "a UUID like")),
    Pattern("CQT-104", "create_quote", _quote({"status": "PendingReview"}), "refusal", _QUOTE_DEAL,
            ("Quote.status", "'PendingReview'", "'Draft'")),
    Pattern("CQT-105", "create_quote", {"opportunity_id": DEAL, "status": "Draft"}, "refusal", _QUOTE_DEAL,
            ("'amount'", "needs the argument", "a number > 0")),
    Pattern("CQT-106", "create_quote", _quote({"status": "Approved "}), "refusal", _QUOTE_DEAL,
            ("Quote.status", "'Approved '", "'Approved'")),
    Pattern("CQT-107", "create_quote", _quote({"amount": 0.0}), "refusal", _QUOTE_DEAL,
            ("Quote.amount", "0.0", "> 0")),
    Pattern("CQT-108", "create_quote", _quote({"amount": 12_500_000.0}), "refusal", _QUOTE_DEAL,
            ("Quote.amount", "12500000.0", "<= 10000000")),
    Pattern("CQT-109", "create_quote", _quote({"amount": "110 grand"}), "refusal", _QUOTE_DEAL,
            ("amount", "'110 grand'", "a number")),
    Pattern("CQT-110", "create_quote", _quote({"status": 2}), "refusal", _QUOTE_DEAL,
            ("status", "2", "one of 'Draft'")),
]  # fmt: skip

# -- upload_document: 10 that succeed, 8 that are refused ------------------------------------------------------

_DOC_CLIENT = Seed(client=_client("Kittiwake Ferries", "fleet@kittiwake.test"))
_DOC_DEAL = Seed(client=_DOC_CLIENT.client, deal=_deal("Kittiwake Hull Survey", 95_000.0, "Qualification"))
_DOC_QUOTE = Seed(client=_DOC_CLIENT.client, deal=_DOC_DEAL.deal, quote={"amount": 93_000.0, "status": "Draft"})
_DOC_CONTRACT = Seed(
    client=_DOC_CLIENT.client,
    deal=_deal("Kittiwake Dock Lease", 210_000.0, "Negotiation"),
    contract={"status": "Active", "value": 210_000.0},
)
_UPLOADS = [
    ("UD-001", _DOC_CLIENT, "Client", CLIENT, "kittiwake-welcome-pack.pdf"),
    ("UD-002", _DOC_CLIENT, "Client", CLIENT, "kittiwake-safety-policy.docx"),
    ("UD-003", _DOC_CLIENT, "Client", CLIENT, "kittiwake-qbr.key"),
    ("UD-004", _DOC_DEAL, "Opportunity", DEAL, "Hull-Survey-Pitch.pptx"),
    ("UD-005", _DOC_DEAL, "Opportunity", DEAL, "hull_survey_costs.xlsx"),
    ("UD-006", _DOC_DEAL, "Opportunity", DEAL, "hull-survey-scope.pdf"),
    ("UD-007", _DOC_QUOTE, "Quote", QUOTE, "survey-quote-signed.pdf"),
    ("UD-008", _DOC_QUOTE, "Quote", QUOTE, "survey-quote-markup.docx"),
    ("UD-009", _DOC_CONTRACT, "Contract", CONTRACT, "dock-lease-executed.pdf"),
    ("UD-010", _DOC_CONTRACT, "Contract", CONTRACT, "dock-lease-addendum-1.pdf"),
]


def _upload(entity_type: str, entity_id: str, file_name: str) -> dict[str, Any]:
    return {"entity_type": entity_type, "entity_id": entity_id, "file_name": file_name}


_UPLOAD_REFUSALS = [
    Pattern("UD-101", "upload_document", _upload("opportunity", DEAL, "hull-notes.pdf"), "refusal", _DOC_DEAL,
            ("Document.entity_type", "'opportunity'", "'Opportunity'")),
    Pattern("UD-102", "upload_document", _upload("Opportunity", NOWHERE, "orphan-deck.pdf"), "refusal", Seed(),
            ("Document.entity_id", repr(NOWHERE), "the id of an existing Opportunity")),
    Pattern("UD-103", "upload_document", _upload("Client", "kittiwake", "fleet-list.csv"), "refusal", _DOC_CLIENT,
            ("entity_id", "'kittiwake'", "a UUID like")),
    Pattern("UD-104", "upload_document", _upload("Client", CLIENT, ""), "refusal", _DOC_CLIENT,
            ("Document.file_name", "''", "letters, digits")),
    Pattern("UD-105", "upload_document", _upload("Client", CLIENT, "fleet list.pdf"), "refusal", _DOC_CLIENT,
            ("Document.file_name", "'fleet list.pdf'", "no spaces")),
    Pattern("UD-106", "upload_document", _upload("Client", CLIENT, "installer.msi"), "refusal", _DOC_CLIENT,
            ("Document.file_name", "'installer.msi'", "pdf|doc|docx")),
    Pattern("UD-107", "upload_document", _upload("Client", CLIENT, "fleet_overview"), "refusal", _DOC_CLIENT,
            ("Document.file_name", "'fleet_overview'", "allowed extensions")),
    Pattern("UD-108", "upload_document", _upload("Contract", CLIENT, "misfiled.pdf"), "refusal", _DOC_CLIENT,
            ("Document.entity_id", CLIENT, "the id of an existing Contract")),
]  # fmt: skip

# -- modify_opportunity with Arc's updates object: 10 that succeed, 12 that are refused -------------------------

_MODIFY_SUCCESSES = [
    ("MOP-001", "Prospecting", {"stage": "Qualification", "probability": 30}),
    ("MOP-002", "Qualification", {"amount": 142_000.0, "stage": "Negotiation"}),
    ("MOP-003", "Proposal", {"notes": "Rival vendor offered free installation", "probability": 35}),
    ("MOP-004", "Negotiation", {"close_date": "2025-11-14", "probability": 75}),
    ("MOP-005", "Negotiation", {"stage": "Closed-Won", "notes": "Signed after the board meeting"}),
    ("MOP-006", "Negotiation", {"stage": "Proposal", "amount": 104_000.0}),
    ("MOP-007", "Negotiation", {"owner": "kofi.mensah", "probability": 62}),
    ("MOP-008", "Qualification", {"notes": "Security review booked for next week"}),
    ("MOP-009", "Prospecting", {"probability": 12, "notes": "Budget frozen until Q3"}),
    ("MOP-010", "Negotiation", {"stage": "Closed-Lost", "notes": "Went with the incumbent"}),
]


def _modify_seed(stage: str) -> Seed:
    return Seed(
        client=_client("Lumen Bay Resorts", "events@lumenbay.test"), deal=_deal("Lumen Bay Spa Wing", 118_000.0, stage)
    )


def _modify(updates: Mapping[str, Any]) -> dict[str, Any]:
    return {"opportunity_id": DEAL, "updates": dict(updates)}


_MODIFY_REFUSALS = [
    Pattern("MOP-101", "modify_opportunity", _modify({"stage": "Propsal"}), "refusal", _modify_seed("Qualification"),
            ("Opportunity.stage", "'Propsal'", "'Proposal'")),
    Pattern("MOP-102", "modify_opportunity", _modify({"probability": -5}), "refusal", _modify_seed("Qualification"),
            ("probability", "-5", ">= 1")),
    Pattern("MOP-103", "modify_opportunity", _modify({"account_manager": "ines.moreau"}), "refusal",
            _modify_seed("Negotiation"), ("'account_manager'", "'ines.moreau'", "Fields: name, stage")),
    Pattern("MOP-104", "modify_opportunity", _modify({"probability": "likely"}), "refusal",
            _modify_seed("Qualification"), ("probability", "'likely'", "a whole number")),
    Pattern("MOP-105", "modify_opportunity", _modify({"stage": " Negotiation"}), "refusal",
            _modify_seed("Proposal"), ("Opportunity.stage", "' Negotiation'", "'Negotiation'")),
    Pattern("MOP-106", "modify_opportunity", _modify({"probability": 0}), "refusal", _modify_seed("Qualification"),
            ("probability", "0", ">= 1")),
    Pattern("MOP-107", "modify_opportunity", _modify({"probability": 57.5}), "refusal", _modify_seed("Proposal"),
            ("probability", "57.5", "a whole number")),
    Pattern("MOP-108", "modify_opportunity", _modify({"amount": 0.0}), "refusal", _modify_seed("Negotiation"),
            ("Opportunity.amount", "0.0", "> 0")),
    Pattern("MOP-109", "modify_opportunity", _modify({"amount": 10_000_000.5}), "refusal", _modify_seed("Negotiation"),
            ("Opportunity.amount", "10000000.5", "<= 10000000")),
    Pattern("MOP-110", "modify_opportunity", _modify({"close_date": "2021-09-30"}), "refusal",
            _modify_seed("Negotiation"), defect="past_close_dates"),
    Pattern("MOP-111", "modify_opportunity", _modify({"close_date": "2026-06-30 09:00"}), "refusal",
            _modify_seed("Qualification"), ("Opportunity.close_date", "'2026-06-30 09:00'", "YYYY-MM-DD")),
    Pattern("MOP-112", "modify_opportunity", _modify({"stage": "Proposal"}), "refusal", _modify_seed("Closed-Won"),
            ("stage", "'Proposal'", "locked once a deal closes")),
]  # fmt: skip


def _successes() -> list[Pattern]:
    out = [Pattern(case, "create_new_client", args, "success") for case, args in _CLIENT_SUCCESSES]
    for (case, args), (_, client) in zip(_OPPORTUNITY_SUCCESSES, _CLIENT_SUCCESSES, strict=True):
        seed = Seed(client={k: client[k] for k in ("name", "email", "status")})
        out.append(Pattern(case, "create_new_opportunity", {"client_id": CLIENT, **args}, "success", seed))
    for (case, stage, args), (_, deal) in zip(_QUOTE_SUCCESSES, _OPPORTUNITY_SUCCESSES, strict=True):
        holder = _client(f"Quote Holder {case}", f"{case.lower()}@quotes.test")
        seed = Seed(client=holder, deal=_deal(deal["name"], deal["amount"], stage))
        out.append(Pattern(case, "create_quote", {"opportunity_id": DEAL, **args}, "success", seed))
    out += [Pattern(case, "upload_document", _upload(kind, ref, name), "success", seed)
            for case, seed, kind, ref, name in _UPLOADS]  # fmt: skip
    out += [Pattern(case, "modify_opportunity", _modify(updates), "success", _modify_seed(stage))
            for case, stage, updates in _MODIFY_SUCCESSES]  # fmt: skip
    return out


PATTERNS: list[Pattern] = sorted(
    [*_successes(), *_CLIENT_REFUSALS, *_OPPORTUNITY_REFUSALS, *_QUOTE_REFUSALS, *_UPLOAD_REFUSALS, *_MODIFY_REFUSALS],
    key=lambda p: (p.tool, p.arc_case),
)


def agreement(results: list[PatternResult]) -> dict[str, int]:
    """The figure: how many patterns behave as Arc intends, how many as a documented defect is corrected."""
    return {
        "cases": len(results),
        "as_arc_intends": sum(r.as_arc_intends for r in results),
        "as_corrected": sum(r.as_corrected and not r.as_arc_intends for r in results),
        "agree": sum(r.agrees for r in results),
    }


if __name__ == "__main__":
    for profile in ("arc_compat", "default"):
        results = [run_pattern(p, profile) for p in PATTERNS]
        print(f"tool_profile={profile}: {agreement(results)}")
        for result in results:
            if not result.as_arc_intends:
                print(f"  {result.pattern.arc_case} {result.outcome}: defect {result.pattern.defect} {result.error}")
