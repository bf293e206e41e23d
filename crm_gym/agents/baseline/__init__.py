"""The offline baseline agent: `BaselinePolicy` and the plans it runs."""

from crm_gym.agents.baseline.policy import BaselinePolicy

__all__ = ["BaselinePolicy"]
