"""Prompts written the way people ask: phrase-book templates with alternatives, openers and answer formats.

A phrase-book template may mark alternatives with square brackets (``"[Can|Could] we qualify {lead}?"``, see
`crm_gym.world.generate.compose`); `ask` picks a family and a template with `GenerationContext.phrase`, then one
reading of its alternatives, so one family reads in many ways while families stay apart between the splits.
"""

from __future__ import annotations

import random
from typing import Any

from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, PhraseBook, Phrased
from crm_gym.world.generate.compose import spin

# How a request may start; most start right away.
OPENERS = ("", "", "", "", "Hi! ", "Quick question. ", "Hello. ", "One for you. ", "Quick check. ", "Morning! ")


def ask(ctx: GenerationContext, book: PhraseBook, **fields: Any) -> Phrased:
    """A prompt from ``book`` (a family this split may use), its alternatives read and its fields filled in."""
    phrased = ctx.phrase(book, **fields)
    text = spin(random.Random(int(ctx.rng.integers(2**63))), phrased.text)
    return Phrased(text[:1].upper() + text[1:], phrased.family)


def sentence(text: str) -> str:
    """``text`` with its first letter upper-cased (for a field that starts a sentence)."""
    return text[:1].upper() + text[1:]
