"""crm_gym as an OpenEnv environment (``openenv`` 0.10): typed models, the server environment, an app factory
and an async client.

One server reaches every trainer that consumes OpenEnv (TRL, verifiers v1, NeMo Gym, SkyRL). Each WebSocket
session gets its own `CrmArenaEnv` (its own live SQLite org), created and stepped on the session's own thread,
so sessions never see each other's state. Start it with ``crm-gym serve --protocol openenv`` or in a container
(``Dockerfile`` and ``openenv.yaml`` at the repository root); talk to it with `CrmGymClient`.
"""

from crm_gym.integrations.openenv.client import CrmGymClient
from crm_gym.integrations.openenv.environment import CrmGymEnvironment, OpenEnvSettings, build_app
from crm_gym.integrations.openenv.models import CrmAction, CrmObservation, CrmState

__all__ = [
    "CrmAction",
    "CrmGymClient",
    "CrmGymEnvironment",
    "CrmObservation",
    "CrmState",
    "OpenEnvSettings",
    "build_app",
]
