"""Adapters for the LLM trainers people use: TRL (`integrations.trl`), verifiers (`integrations.verifiers`) and
OpenEnv (`integrations.openenv`). Each speaks the env through `crm_gym.envs.chat`; none is imported by
``import crm_gym`` (their libraries are extras)."""
