"""crm_gym as a verifiers environment module: ``vf-eval crm-gym-env -a '{"suite": "arc", "drift_level": "high"}'``."""

from crm_gym.integrations.verifiers import load_environment

__all__ = ["load_environment"]
