"""crm_gym: a Gymnasium environment for training and evaluating CRM agents.

Importing the package registers the env ids (``CrmArena-v0``).
"""

from crm_gym import errors
from crm_gym.api import MockCrmApi
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.envs.registration import register_envs
from crm_gym.errors import CrmError, CrmGymError
from crm_gym.scoring.dimensions import ScoreResult
from crm_gym.tasks.model import Task
from crm_gym.tasks.suites import list_suites, load_suite
from crm_gym.world.generate import build_org
from crm_gym.world.loader import load_org
from crm_gym.world.world import World

__version__ = "0.1.0"

register_envs()

__all__ = [
    "CrmArenaEnv",
    "CrmError",
    "CrmGymError",
    "MockCrmApi",
    "ScoreResult",
    "Task",
    "World",
    "__version__",
    "build_org",
    "errors",
    "list_suites",
    "load_org",
    "load_suite",
]
