"""Conversations: tasks played against a simulated user who holds what the opening request leaves out.

`UserScenario` and `Slot` (the facts a user holds), `scenario_for` (a task's scenario), `ScriptedUser` (the
deterministic offline user), `SimulatedUser` and `make_user` (users by spec: ``scripted``, ``llm:PROVIDER:MODEL``).
See docs/conversations.md.
"""

from crm_gym.conversation.scenario import Slot, SlotValue, UserScenario
from crm_gym.conversation.scenarios import scenario_for
from crm_gym.conversation.scripted import ScriptedUser
from crm_gym.conversation.users import SimulatedUser, make_user

__all__ = ["ScriptedUser", "SimulatedUser", "Slot", "SlotValue", "UserScenario", "make_user", "scenario_for"]
