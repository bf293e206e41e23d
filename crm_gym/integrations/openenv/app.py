"""The OpenEnv app as a module attribute, configured by ``CRM_GYM_*`` environment variables: the entry point
``openenv.yaml`` names (``uvicorn crm_gym.integrations.openenv.app:app``).

The app is built when ``app`` is first read (PEP 562), not on import: building it loads the suite and its org
(about 10 s for crmarena_pro), which importing the module to read its docs should not pay.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from crm_gym.integrations.openenv.environment import OpenEnvSettings, build_app


@cache
def _app() -> Any:
    return build_app(OpenEnvSettings.from_environ())


def __getattr__(name: str) -> Any:
    if name == "app":
        return _app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
