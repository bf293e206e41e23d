"""Tool modules; importing this package registers every tool."""

from crm_gym.api.tools import records  # noqa: F401
