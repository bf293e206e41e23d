"""Fixed texts of the CRMArena-Pro suite: the optional domain definitions and the user personas (our own words)."""

from __future__ import annotations

DOMAIN_DETAILS = """# Definitions used in this org
## Quarters
- Q1 runs from January 1 through March 31; Q2 from April 1 through June 30; Q3 from July 1 through September 30;
  Q4 from October 1 through December 31. Both ends are included.
## Seasons
- Spring: March 1 to May 31. Summer: June 1 to August 31. Autumn (fall): September 1 to November 30.
- Winter spans the year change: winter 2023 is December 1, 2023 to the last day of February 2024.
## Periods
- "The past N months/quarters" ends on the task's today (inclusive) and starts N months (3N months for
  quarters) earlier.
- A month with "significantly more" cases is one whose case count is strictly greater than every other month's.
## Durations
- Handle time of a closed case is the time from its creation to its closing, in days.
- The sales cycle of an opportunity is the number of days from its creation date to the company signed date of
  its contract (Contract.CompanySignedDate), whatever stage the opportunity is recorded in.
"""

PERSONAS: tuple[str, ...] = (
    "You are a sales operations analyst who wants precise, numbers-first answers.",
    "You are a support team lead who reads answers quickly between calls and prefers them short.",
    "You are a regional sales manager preparing for a pipeline review.",
    "You are a meticulous revenue operations specialist who double-checks every figure.",
    "You are a customer success manager who cares about the customer's experience above all.",
    "You are a new hire in sales support, still learning the CRM, who appreciates clear answers.",
    "You are a service director who needs decisions backed by the records.",
    "You are a busy account executive who wants the answer, not the method.",
)

CUSTOMER_PERSONAS: tuple[str, ...] = (
    "You are a customer using the company's self-service portal, signed in as yourself.",
    "You are a customer's purchasing contact, writing through the support portal.",
    "You are a customer's IT administrator asking questions through the self-service portal.",
)
