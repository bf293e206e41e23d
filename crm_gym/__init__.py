"""crm_gym: a Gymnasium environment for training and evaluating CRM agents."""

from crm_gym.api import MockCrmApi
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.envs.registration import register_envs
from crm_gym.errors import CrmError, CrmGymError
from crm_gym.world.generate import build_org
from crm_gym.world.loader import load_org
from crm_gym.world.world import World

__version__ = "0.1.0"

register_envs()

__all__ = ["CrmArenaEnv", "CrmError", "CrmGymError", "MockCrmApi", "World", "__version__", "build_org", "load_org"]
