"""Check that what an agent sends is plain, bounded JSON before anything else reads it.

An agent's action or a tool's arguments may come from a model, a network or a hostile caller: a dict nested a
thousand levels deep, a list that contains itself, keys that are not strings, a lone surrogate (not encodable
as UTF-8, so SQLite and JSON writers fail on it), an integer beyond SQLite's 64 bits, NaN, 50 MB of text. `check`
walks the value once, without recursion, and stops at the first problem or as soon as a bound is passed, so a
huge value is refused after reading about as much as the bound allows.

>>> check({"tool": "get", "args": {"id": "001"}}, where="action")
16
>>> check({"values": {"Amount": 2**70}}, where="args")
Traceback (most recent call last):
...
crm_gym.errors.CrmError: args.values.Amount: 1180591620717411303424 is outside the 64-bit integers SQLite stores...
"""

from __future__ import annotations

import math
from typing import Any

from crm_gym import config
from crm_gym.errors import CrmError, brief

INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def check(
    value: Any,
    *,
    where: str,
    max_chars: int = config.ACTION_MAX_CHARS,
    max_depth: int = config.ACTION_MAX_DEPTH,
    max_values: int = config.ACTION_MAX_VALUES,
) -> int:
    """Raise `CrmError` naming the place (``where.key[3]``) of the first thing in ``value`` that is not bounded JSON.

    Returns the characters of text ``value`` carries (strings and keys), at most ``max_chars``. Lists and tuples
    are arrays; dicts need string keys; strings must be valid Unicode; integers must fit in 64 bits; floats
    must be finite. At most ``max_depth`` levels of nesting and ``max_values`` values in all.
    """
    chars = values = 0
    stack: list[tuple[Any, str, int, frozenset[int]]] = [(value, where, 0, frozenset())]
    while stack:
        item, path, depth, ancestors = stack.pop()
        values += 1
        if values > max_values:
            raise CrmError(f"{where} holds more than {max_values:,} values; send less.")
        if isinstance(item, str):
            chars += len(item)
            if chars > max_chars:
                raise CrmError(
                    f"{where} holds more than {max_chars:,} characters of text ({path} alone has "
                    f"{len(item):,}); send less."
                )
            _check_text(item, path)
        elif item is None or isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not INT_MIN <= item <= INT_MAX:
                raise CrmError(
                    f"{path}: {brief(item)} is outside the 64-bit integers SQLite stores ({INT_MIN} to {INT_MAX})."
                )
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise CrmError(f"{path}: {item!r} is not a JSON number; send a finite number.")
        elif isinstance(item, list | tuple | dict):
            if id(item) in ancestors:
                raise CrmError(f"{path} contains itself; send a JSON value (a tree, not a cycle).")
            if depth >= max_depth:
                raise CrmError(f"{path} is nested more than {max_depth} levels deep; send a flatter value.")
            if values + len(item) > max_values:  # before a huge container's items are even listed
                raise CrmError(f"{where} holds more than {max_values:,} values; send less.")
            inner = ancestors | {id(item)}
            if isinstance(item, dict):
                for key, child in item.items():
                    if not isinstance(key, str):
                        raise CrmError(f"{path} has the key {brief(key)}; JSON object keys must be strings.")
                    chars += len(key)
                    _check_text(key, f"{path} key {brief(key)}")
                    stack.append((child, f"{path}.{key}", depth + 1, inner))
            else:
                stack.extend((child, f"{path}[{i}]", depth + 1, inner) for i, child in enumerate(item))
        else:
            raise CrmError(
                f"{path}: a {type(item).__name__} is not a JSON value; send text, numbers, lists or objects."
            )
    return min(chars, max_chars)


def within_size(
    value: Any, *, max_chars: int = config.ACTION_MAX_CHARS, max_values: int = config.ACTION_MAX_VALUES
) -> bool:
    """Whether ``value`` holds at most ``max_chars`` characters of text and ``max_values`` values, whatever else is
    wrong with it (a cheap bound before serialising a refused value); False for a container met twice (a cycle)."""
    chars = values = 0
    seen: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        values += 1
        if isinstance(item, str | bytes):
            chars += len(item)
        elif isinstance(item, list | tuple | dict | set | frozenset):
            if id(item) in seen or values + len(item) > max_values:
                return False
            seen.add(id(item))
            if isinstance(item, dict):
                chars += sum(len(k) for k in item if isinstance(k, str))
                stack.extend(item.values())
            else:
                stack.extend(item)
        if chars > max_chars or values > max_values:
            return False
    return True


def _check_text(text: str, path: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        bad = text[err.start]
        raise CrmError(
            f"{path} is not valid Unicode text: {bad!r} at position {err.start} is a lone surrogate; send UTF-8 text."
        ) from err
