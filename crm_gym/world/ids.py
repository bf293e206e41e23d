"""Record ids: deterministic UUIDs (Arc) and Salesforce-style 18-character ids with key prefixes."""

from __future__ import annotations

import hashlib
import uuid

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_UPPER_FLAGS = str.maketrans({ch: "1" if ch.isupper() else "0" for ch in _BASE62})
# Salesforce's pod identifier sits after the key prefix; CRMArena-Pro's org uses "Wt".
_POD = "Wt"


def deterministic_uuid(seed: int, object_name: str, n: int) -> str:
    """A version-4-shaped UUID derived from (seed, object, counter): same inputs, same id, in any process."""
    digest = hashlib.sha256(f"{seed}:{object_name}:{n}".encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


def _base62(n: int, width: int) -> str:
    chars = []
    while n:
        n, rem = divmod(n, 62)
        chars.append(_BASE62[rem])
    return "".join(reversed(chars)).rjust(width, "0")


def salesforce_checksum(id15: str) -> str:
    """The 3-character suffix that turns a case-sensitive 15-character id into an 18-character one."""
    if len(id15) != 15:
        raise ValueError(f"a 15-character id is needed, got {id15!r}")
    # One translate call marks upper-case letters (generators make tens of thousands of ids); the first
    # character of a chunk is its lowest bit, so each chunk's flags are read reversed.
    flags = id15.translate(_UPPER_FLAGS)
    if flags.strip("01"):
        flags = "".join("1" if ch.isupper() else "0" for ch in id15)
    return "".join(_CHECKSUM_ALPHABET[int(flags[i : i + 5][::-1], 2)] for i in (0, 5, 10))


def salesforce_id(prefix: str, n: int, seed: int = 0) -> str:
    """An 18-character Salesforce id: key prefix, pod, a 10-character record number, checksum.

    The record number mixes the counter with the seed so two orgs of different seeds share no ids.
    """
    if len(prefix) != 3:
        raise ValueError(f"a Salesforce key prefix has 3 characters, got {prefix!r}")
    mixed = (seed * 1_000_003 + 10_000_000 + n * 7919) % (62**10)
    id15 = prefix + _POD + _base62(mixed, 10)
    return id15 + salesforce_checksum(id15)


def is_salesforce_id(value: str) -> bool:
    """True for a well-formed 15- or 18-character Salesforce id (checksum verified for 18)."""
    if len(value) == 15:
        return value.isalnum()
    if len(value) == 18 and value.isalnum():
        return salesforce_checksum(value[:15]) == value[15:]
    return False
