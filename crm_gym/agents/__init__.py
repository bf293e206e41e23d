"""Policies: one protocol (`Policy`), LLM policies, an offline baseline, the oracle and a random floor."""

from crm_gym.agents.base import AgentFailureError, Policy, PolicyInfrastructureError, PolicyStep, Usage
from crm_gym.agents.baseline import BaselinePolicy
from crm_gym.agents.reference import OraclePolicy, RandomPolicy

__all__ = [
    "AgentFailureError",
    "BaselinePolicy",
    "OraclePolicy",
    "Policy",
    "PolicyInfrastructureError",
    "PolicyStep",
    "RandomPolicy",
    "Usage",
]
