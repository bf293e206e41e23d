"""Category generators; importing this package registers all of them."""

from crm_gym.tasks.suites.crmarena_pro.generators import (  # noqa: F401
    knowledge,  # noqa: F401
    privacy,  # noqa: F401
    sales,
    sales_periods,
    service,  # noqa: F401
    service_cases,  # noqa: F401
)
