"""Client, contact and contract workflows that write: create/modify client, create/modify contact, create contract.

The client cases sit next to look-alike names: a new client whose name resembles existing ones must still be
created, and an existing client asked for again must not be duplicated (a negative case, declined).
"""

from __future__ import annotations

from crm_gym.tasks.model import Task
from crm_gym.tasks.suites.arc.book import Family, day
from crm_gym.tasks.suites.arc.cases import call, case, changed, created, declined, money, spoken_date


def build_create_client(fams: list[Family]) -> list[Task]:
    """A new look-alike client (created), and an existing client asked for again (declined: it exists)."""
    fam = fams[0]
    root = fam.spec.names[0].split()[0]
    name, email = f"{root} Shipping", f"hello@{root.lower()}shipping.com"
    new = case(
        "create_client",
        1,
        f"Add a new client, {name}: active customer in logistics, main email {email}. "
        f"They're not the same company as the other {root} accounts.",
        fam.org(),
        created("Client", {"name": name}, {"status": "Active", "industry": "Logistics", "email": email}),
        [
            call("client_search", query=name),
            call("create_new_client", name=name, status="Active", industry="Logistics", email=email),
        ],
        f"Created the client {name} (Active, Logistics, {email}).",
    )
    fam = fams[1]
    existing = fam.clients[0]
    invalid = call("create_new_client", name=existing["name"], email=existing["email"], status="Active")
    duplicate = case(
        "create_client",
        2,
        f"Create a client {existing['name']}, email {existing['email']}, active.",
        fam.org(),
        declined("Client", existing["client_id"]),
        [call("client_search", query=existing["name"]), invalid],
        f"I can't create that client: {existing['name']} already exists with the email {existing['email']}, "
        f"and emails are unique. I didn't add a duplicate; its id is {existing['client_id']}.",
        negative="decline",
        invalid_call=invalid,
    )
    return [new, duplicate]


def build_modify_client(fams: list[Family]) -> list[Task]:
    """A prospect became a customer: its status changes, nothing else."""
    fam = fams[2]
    client = next(c for c in fam.clients if c["status"] == "Prospect")
    return [
        case(
            "modify_client",
            1,
            f"{client['name']} just signed, so they're an active client now. Update their status.",
            fam.org(),
            changed("Client", client["client_id"], {"status": "Active"}),
            [
                call("client_search", query=client["name"]),
                call("modify_client", client_id=client["client_id"], status="Active"),
            ],
            f"{client['name']} is now Active.",
        )
    ]


def build_create_contact(fams: list[Family]) -> list[Task]:
    """A new person at the second client of a family (whose name contains the first's)."""
    fam = fams[4]
    client = fam.clients[1]
    first, last, title = "Ingrid", fam.spec.last_names[0], "Head of Procurement"
    email = f"ingrid.{last.lower()}@{client['email'].split('@')[1]}"
    return [
        case(
            "create_contact",
            1,
            f"Add {first} {last}, {title} at {client['name']}, email {email}, as a contact.",
            fam.org(),
            created(
                "Contact",
                {"email": email},
                {"first_name": first, "last_name": last, "title": title, "client_id": client["client_id"]},
            ),
            [
                call("client_search", query=client["name"]),
                call(
                    "create_new_contact",
                    client_id=client["client_id"],
                    first_name=first,
                    last_name=last,
                    title=title,
                    email=email,
                ),
            ],
            f"Added {first} {last} as a contact at {client['name']}.",
        )
    ]


def build_modify_contact(fams: list[Family]) -> list[Task]:
    """A promotion: one contact's title changes (another contact elsewhere shares the last name)."""
    fam = fams[3]
    client = fam.clients[1]
    contact = fam.contacts(1)[0]
    return [
        case(
            "modify_contact",
            1,
            f"{contact['first_name']} {contact['last_name']} at {client['name']} was promoted to COO. "
            "Update their title.",
            fam.org(),
            changed("Contact", contact["contact_id"], {"title": "COO"}),
            [
                call("client_search", query=client["name"]),
                call("contact_search", query=contact["last_name"], client_id=client["client_id"]),
                call("modify_contact", contact_id=contact["contact_id"], title="COO"),
            ],
            f"{contact['first_name']} {contact['last_name']}'s title is now COO.",
        )
    ]


def build_create_contract(fams: list[Family]) -> list[Task]:
    """A pending contract for a client's deal in negotiation."""
    fam = fams[7]
    deal = next(o for o in fam.records["Opportunity"] if o["stage"] == "Negotiation")
    client = next(c for c in fam.clients if c["client_id"] == deal["client_id"])
    start, end = day(17), day(17 + 364)
    values = {"start_date": start, "end_date": end, "value": deal["amount"], "status": "Pending"}
    return [
        case(
            "create_contract",
            1,
            f'Set up a contract with {client["name"]} for "{deal["name"]}": {money(deal["amount"])}, running '
            f"{spoken_date(start)} to {spoken_date(end)}. It's pending signature.",
            fam.org(),
            created(
                "Contract", {"opportunity_id": deal["opportunity_id"]}, {"client_id": client["client_id"], **values}
            ),
            [
                call("opportunity_search", query=deal["name"]),
                call(
                    "create_contract",
                    client_id=client["client_id"],
                    opportunity_id=deal["opportunity_id"],
                    **values,
                ),
            ],
            f"Created a pending contract for {deal['name']}.",
        )
    ]
