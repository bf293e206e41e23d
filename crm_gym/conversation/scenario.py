"""`UserScenario`: what a simulated user holds for one task, and which of it the opening request leaves out.

A scenario is derived from a task (`crm_gym.conversation.scenarios.scenario_for`): the opening request (deliberately
incomplete), the facts the user holds as `Slot` values (each withheld from the opening, or stated in it), the kinds
of fact the user does not know, and the persona. The same task runs single-turn (the task's own prompt, everything
in it) or multi-turn (the opening, and a user who answers questions); a slot is withheld only where another value
would change the task's gold, so guessing it instead of asking fails (the guessing base rate is measured by
`crm_gym.conversation.base_rate`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crm_gym.conversation.vocabulary import SLOT_KINDS


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SlotValue(_Frozen):
    """One value of a slot: the words the user says, and what it sets in the task's reference solution.

    Attributes:
        text: The value as the user states it ("$162,500", "July 2021", "Okafor Foods International").
        binding: The canonical values this value puts into the reference solution's calls, by role (a deal's
            ``{"amount": 162500.0}``, a period's ``{"start": "2021-07-01", "stop": "2021-08-01"}``): a guess with
            another value is played by substituting its binding for the true one (`crm_gym.conversation.base_rate`).
    """

    text: str = Field(min_length=1)
    binding: dict[str, Any] = Field(default_factory=dict)


class Slot(_Frozen):
    """One fact the user holds.

    Attributes:
        kind: What the fact is, a key of `crm_gym.conversation.vocabulary.SLOT_KINDS` ("amount", "period", ...):
            the words that ask for it and its label come from there.
        value: The fact.
        statements: Sentences the user says it with, ``{value}`` standing for the value; one is drawn per reply.
        withheld: True when the opening leaves it out (the agent must ask); False when the opening states it.
        fields: Schema fields, ``(object, field)``, the fact fills: a question may name them, under drift too.
        options: For a choice among known candidates (which of three look-alike clients), every candidate, the most
            likely first: a policy that guesses takes the first.
        asks: Words of this scenario that ask for the slot besides its kind's (a look-alike family's shared name:
            "which Okafor?").
    """

    kind: str
    value: SlotValue
    statements: tuple[str, ...] = Field(min_length=1)
    withheld: bool = True
    fields: tuple[tuple[str, str], ...] = ()
    options: tuple[SlotValue, ...] = ()
    asks: tuple[str, ...] = ()

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in SLOT_KINDS:
            raise ValueError(f"slot kind {kind!r} is not one of {sorted(SLOT_KINDS)}")
        return kind

    @field_validator("statements")
    @classmethod
    def _states_the_value(cls, statements: tuple[str, ...]) -> tuple[str, ...]:
        missing = [s for s in statements if "{value}" not in s]
        if missing:
            raise ValueError(f"every statement must contain {{value}}; these do not: {missing!r}")
        return statements

    @property
    def label(self) -> str:
        """How a person names the fact when asking for it ("expected close date")."""
        return SLOT_KINDS[self.kind].label

    def statement(self, index: int) -> str:
        """Statement ``index`` (modulo their number) with the value filled in."""
        return self.statements[index % len(self.statements)].replace("{value}", self.value.text)


class UserScenario(_Frozen):
    """What the simulated user of one task holds (see the module docstring).

    Attributes:
        task_id: The task it belongs to.
        opening: The first message of a multi-turn episode: the request with the withheld slots left out.
        request: The complete request (the task's own prompt): what the user wants done; never shown to the agent.
        slots: The facts the user holds, withheld or stated in the opening; one slot per kind.
        unknown: Kinds of fact the user does not know (keys of `SLOT_KINDS`): asked for them, it says so.
        persona: Who the user is.
    """

    task_id: str
    opening: str = Field(min_length=1)
    request: str = Field(min_length=1)
    slots: tuple[Slot, ...]
    unknown: tuple[str, ...] = ()
    persona: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> UserScenario:
        kinds = [s.kind for s in self.slots]
        if len(set(kinds)) != len(kinds):
            raise ValueError(
                f"a scenario holds one slot per kind; repeated: {sorted({k for k in kinds if kinds.count(k) > 1})}"
            )
        if not any(s.withheld for s in self.slots):
            raise ValueError("a scenario withholds at least one slot (else the task has no conversational form)")
        clash = set(self.unknown) & set(kinds)
        unknown_kinds = set(self.unknown) - set(SLOT_KINDS)
        if clash or unknown_kinds:
            raise ValueError(
                f"unknown kinds must be known kinds the user holds no slot of (held: {sorted(clash)}, "
                f"not a kind: {sorted(unknown_kinds)})"
            )
        return self

    @property
    def withheld(self) -> tuple[Slot, ...]:
        """The slots the opening leaves out."""
        return tuple(s for s in self.slots if s.withheld)

    def slot(self, kind: str) -> Slot | None:
        """The slot of ``kind``, or None."""
        return next((s for s in self.slots if s.kind == kind), None)

    def question(self) -> str:
        """One question that asks for every withheld slot (the oracle's question)."""
        labels = [s.label for s in self.withheld]
        listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        return f"Could you tell me the {listed}?"
