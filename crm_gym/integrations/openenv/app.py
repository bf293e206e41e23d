"""The OpenEnv app as a module attribute, configured by ``CRM_GYM_*`` environment variables: the entry point
``openenv.yaml`` names (``uvicorn crm_gym.integrations.openenv.app:app``)."""

from crm_gym.integrations.openenv.environment import OpenEnvSettings, build_app

app = build_app(OpenEnvSettings.from_environ())
