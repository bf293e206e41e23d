"""Tool modules; importing this package registers every tool."""

from crm_gym.api.tools import (  # noqa: F401  (imported to register their tools)
    arc_attachments,
    arc_clients,
    arc_companies,
    arc_compat,
    arc_contacts,
    arc_contracts,
    arc_opportunities,
    arc_opportunity_views,
    arc_quote_views,
    arc_quotes,
    query,
    records,
    search,
)
