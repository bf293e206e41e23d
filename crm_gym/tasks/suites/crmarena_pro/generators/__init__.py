"""Category generators; importing this package registers all of them."""

from crm_gym.tasks.suites.crmarena_pro.generators import (  # noqa: F401
    calls,
    knowledge,
    knowledge_qa,
    privacy,
    purchases,
    sales,
    sales_periods,
    service,
    service_cases,
)
