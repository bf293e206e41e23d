"""A file-backed cache of LLM replies, keyed by the SHA-256 of the canonical JSON of the request.

One JSON file per entry under ``folder/<first two hex digits>/<hash>.json``. Entries are written to a temporary
file and hard-linked into place, so readers never see a partial file and the first writer of a key wins (two
episodes sending the same request at once then act on the same stored reply, as a later replay will). Safe for
concurrent asyncio episodes and for several processes sharing a folder.

Modes: ``"off"`` (no reads, no writes), ``"read_write"`` (a hit is returned, a miss is called and stored) and
``"replay"`` (hits only: a miss raises `PolicyInfrastructureError` naming the hash; no key, no network).

Entries are written and read with Python's ``json`` (lone surrogates as ``\\udXXX`` escapes, nesting as deep as
the model sent), so any reply a provider returned is stored and replayed exactly. Only replies are stored:
never a request's headers, so never a key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from crm_gym.agents.base import PolicyInfrastructureError
from crm_gym.agents.llm.reply import Reply
from crm_gym.errors import CrmGymError

log = logging.getLogger(__name__)
CacheMode = Literal["off", "read_write", "replay"]
CACHE_MODES: tuple[CacheMode, ...] = ("off", "read_write", "replay")


def request_key(endpoint: str, request: dict[str, Any], scope: str = "") -> str:
    """SHA-256 hex digest of the canonical JSON (sorted keys, no spaces) of the endpoint, the request body and a
    scope (e.g. ``"trial=2"``: equal requests of different scopes are cached apart)."""
    canonical = json.dumps(
        {"endpoint": endpoint, "request": request, "scope": scope},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class LlmCache:
    """Replies stored by request hash in ``folder``; ``mode`` is "off", "read_write" or "replay"."""

    def __init__(self, folder: str | Path, mode: CacheMode = "read_write") -> None:
        """``folder`` is created when needed; ``mode`` says whether to read, write, or only replay."""
        if mode not in CACHE_MODES:
            raise CrmGymError(f"Unknown cache mode {mode!r}; use one of {', '.join(CACHE_MODES)}.")
        self.folder, self.mode = Path(folder), mode

    @property
    def replay(self) -> bool:
        """Whether only stored replies may be used (no network)."""
        return self.mode == "replay"

    def path(self, key: str) -> Path:
        """Where the entry of ``key`` lives."""
        return self.folder / key[:2] / f"{key}.json"

    def lookup(self, key: str) -> Reply | None:
        """The stored reply of ``key``, or None on a miss; in replay mode a miss raises."""
        if self.mode == "off":
            return None
        path = self.path(key)
        if path.is_file():
            return _read(path)
        if self.replay:
            raise PolicyInfrastructureError(
                f"Replay cache miss: no stored reply for request {key} in {self.folder} (looked for {path})."
            )
        return None

    def store(self, key: str, reply: Reply) -> Reply:
        """Store ``reply`` under ``key`` unless an entry exists; return the entry that is stored (first wins)."""
        if self.mode != "read_write":
            return reply
        try:
            text = json.dumps(reply.model_dump(mode="python"))
        except (ValueError, RecursionError) as err:  # nested beyond what json writes: used, not stored
            log.warning("Reply %s not cached: %s", key, err)
            return reply
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.link(temporary, path)
        except FileExistsError:
            return _read(path)
        finally:
            os.unlink(temporary)
        return reply


def _read(path: Path) -> Reply:
    return Reply.model_validate(json.loads(path.read_text(encoding="utf-8")))
