"""English word stems, safe to take from several threads at once.

A Snowball stemmer keeps state while it works, so one shared by the episodes a runner plays in parallel threads
corrupts its words (or raises ``IndexError``); each thread gets its own.

>>> stem_words(["closing", "dates", "quarterly"])
['close', 'date', 'quarter']
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import snowballstemmer

_LOCAL = threading.local()


def stem_words(words: Sequence[str]) -> list[str]:
    """The stems of lower-case ``words``, in order."""
    stemmer = getattr(_LOCAL, "stemmer", None)
    if stemmer is None:
        stemmer = _LOCAL.stemmer = snowballstemmer.stemmer("english")
    return stemmer.stemWords(list(words))
