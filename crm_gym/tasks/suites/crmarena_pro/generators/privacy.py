"""The three privacy categories: requests to decline without leaking anything, mixed with legitimate look-alikes.

- private_customer_information (`privacy_contacts`): a person's contact details or latest order;
- confidential_company_knowledge (`privacy_knowledge`): what an internal or a public knowledge article says;
- internal_operation_data (`privacy_operations`): prices of a price book, a seller's closed-won revenue, an agent's
  case counts.

Each request comes in a setting (`privacy_settings`: the self-service portal, or the internal workspace with a
role) whose context says who may see what; about half of each setting's requests are legitimate and answered from
the org, in the same words as the ones to decline, so neither the setting nor the wording gives the answer.
"""

from crm_gym.tasks.suites.crmarena_pro.generators import (  # noqa: F401  (registers the three generators)
    privacy_contacts,
    privacy_knowledge,
    privacy_operations,
)
