"""Sentences composed from interchangeable parts, each record's text drawn from a stream of its own.

A template marks alternatives with square brackets: ``"[Hi|Hello] {name}, [thanks|thank you] for [calling|
writing]."`` reads in eight ways; alternatives nest (``"[a|b [c|d]]"``) and an empty one makes a part optional
(``"[really |]good"``). Fields in braces are filled after the choice, as `str.format` does. Spintax libraries on
PyPI do the same but draw from the global ``random`` module, which would tie one record's wording to every other
draw of the process; here every choice comes from the ``random.Random`` passed in.

Every record's text has its own stream (`text_rng`: the org seed, a label and the record's key), so rewording one
kind of text never moves any other draw of the org.

>>> import random
>>> spin(random.Random(0), "[Hi|Hello] {name}[, good to hear from you|].", name="Dana")
'Hello Dana.'
"""

from __future__ import annotations

import random
import re
from typing import Any

_INNERMOST = re.compile(r"\[([^\[\]]*)\]")
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +([,.;:?!])")


def text_rng(seed: int, label: str, key: str) -> random.Random:
    """The stream of one record's text: the same (seed, label, key) always gives the same draws."""
    return random.Random(f"{seed}:{label}:{key}")


def spin(r: random.Random, template: str, **fields: Any) -> str:
    """One reading of ``template``: each bracketed set of alternatives replaced by one of them, then the fields
    filled in; runs of spaces left by empty alternatives are closed up (line breaks are kept)."""
    text = template
    while (match := _INNERMOST.search(text)) is not None:
        text = text[: match.start()] + r.choice(match.group(1).split("|")) + text[match.end() :]
    text = text.format(**fields) if fields else text
    lines = (_SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(line.split())) for line in text.split("\n"))
    return "\n".join(lines)


def pick(r: random.Random, templates: tuple[str, ...], **fields: Any) -> str:
    """`spin` of one of ``templates``, chosen with ``r``."""
    return spin(r, r.choice(templates), **fields)
