"""SOSL-like search requests and the safe FTS5 expression behind them.

`parse_sosl` reads ``FIND {Acme*} IN ALL FIELDS RETURNING Account(Id, Name LIMIT 5), Contact LIMIT 10``.
`fts_expression` turns any search text into an FTS5 MATCH expression that SQLite always accepts: every
word and "quoted phrase" becomes a quoted FTS5 string (so no character of the input is FTS5 syntax), a
trailing ``*`` asks for a prefix match, and ``AND``, ``OR``, ``NOT`` / ``AND NOT`` (upper case) and
parentheses combine them; a misplaced operator or parenthesis is dropped rather than failing. A term repeated
in one AND or OR counts once, and a search may name at most ``config.SEARCH_MAX_TERMS`` distinct terms, of which
``config.SEARCH_MAX_PREFIX_TERMS`` prefix terms: FTS5's work grows with each term times every row it matches
(300 copies of ``a*`` took 337 s).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm_gym import config
from crm_gym.errors import CrmError

_SOSL = re.compile(
    r"""^\s*FIND\s+(?:\{(?P<braced>(?:\\.|[^\\}])*)\}|'(?P<quoted>(?:\\.|[^\\'])*)')
    \s*(?:IN\s+(?:ALL|NAME|EMAIL|PHONE|SIDEBAR)\s+FIELDS)?
    \s*(?:RETURNING\s+(?P<returning>.+?))?
    \s*(?:LIMIT\s+(?P<limit>\d{1,9}))?\s*;?\s*$""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
_RETURNING_ITEM = re.compile(
    r"\s*(?P<object>\w+)\s*(?:\((?P<fields>[^()]*?)(?:\s+LIMIT\s+(?P<limit>\d{1,9}))?\s*\))?\s*(?:,|$)",
    re.IGNORECASE,
)
_SOSL_EXAMPLE = "FIND {Acme*} IN ALL FIELDS RETURNING Account(Id, Name), Contact(Id, Name) LIMIT 10"


@dataclass(frozen=True)
class Returning:
    """One object of a RETURNING clause: its name, the fields to show (empty = defaults) and its own limit."""

    object: str
    fields: tuple[str, ...] = ()
    limit: int | None = None


@dataclass(frozen=True)
class SoslRequest:
    """A parsed SOSL search."""

    text: str
    returning: tuple[Returning, ...] = ()
    limit: int | None = None


def is_sosl(text: str) -> bool:
    """True when ``text`` is written as a SOSL statement (starts with FIND)."""
    return re.match(r"\s*FIND\b", text, re.IGNORECASE) is not None


def parse_sosl(text: str) -> SoslRequest:
    """Parse ``FIND {...} [IN ... FIELDS] [RETURNING Obj(f1, f2 [LIMIT n]), ...] [LIMIT n]``; `CrmError` if not."""
    match = _SOSL.match(text)
    if match is None:
        raise CrmError(
            f"Could not read the SOSL search {text[:200]!r}. Expected the form {_SOSL_EXAMPLE!r}; "
            "WHERE and ORDER BY inside RETURNING are not supported (use query for filters)."
        )
    term = match["braced"] if match["braced"] is not None else match["quoted"]
    returning = _parse_returning(match["returning"]) if match["returning"] else ()
    limit = int(match["limit"]) if match["limit"] else None
    return SoslRequest(text=re.sub(r"\\(.)", r"\1", term), returning=returning, limit=limit)


def format_sosl(request: SoslRequest) -> str:
    r"""The SOSL statement that `parse_sosl` reads back as ``request``.

    >>> text = "FIND {Acme\\}*} RETURNING Account(Id, Name LIMIT 5), Contact LIMIT 10"
    >>> format_sosl(parse_sosl(text)) == text and parse_sosl(format_sosl(parse_sosl(text))) == parse_sosl(text)
    True
    """
    term = re.sub(r"([\\}])", r"\\\1", request.text)
    items = []
    for item in request.returning:
        inside = ", ".join(item.fields) + (f" LIMIT {item.limit}" if item.limit is not None else "")
        items.append(f"{item.object}({inside.strip()})" if inside else item.object)
    returning = f" RETURNING {', '.join(items)}" if items else ""
    limit = f" LIMIT {request.limit}" if request.limit is not None else ""
    return f"FIND {{{term}}}{returning}{limit}"


def _parse_returning(clause: str) -> tuple[Returning, ...]:
    items, position = [], 0
    while position < len(clause):
        item = _RETURNING_ITEM.match(clause, position)
        if item is None or item.end() == position:
            raise CrmError(
                f"Could not read RETURNING {clause!r}: list objects with optional field lists, "
                "e.g. RETURNING Account(Id, Name LIMIT 5), Contact. WHERE and ORDER BY there are not supported."
            )
        if re.search(r"\b(WHERE|ORDER\s+BY|OFFSET|USING|WITH)\b", item["fields"] or "", re.IGNORECASE):
            raise CrmError(
                f"RETURNING {item['object']}(...) supports a field list and LIMIT only; WHERE and ORDER BY there "
                "are not supported: search first, then filter the ids with query."
            )
        fields = tuple(f.strip() for f in (item["fields"] or "").split(",") if f.strip())
        limit = int(item["limit"]) if item["limit"] else None
        items.append(Returning(object=item["object"], fields=fields, limit=limit))
        position = item.end()
    return tuple(items)


# -- FTS5 expression ------------------------------------------------------------------------------------

_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"?(?P<phrase_star>\*)?|(?P<paren>[()])|(?P<word>[^\s()"]+)')
_OPERATORS = {"AND", "OR", "NOT"}
_MAX_DEPTH = 8


@dataclass(frozen=True)
class _Token:
    kind: str  # "term", "(", ")", "AND", "OR", "NOT"
    text: str = ""
    prefix: bool = False


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text.replace("\x00", " ")):  # FTS5 strings end at a NUL
        if match["paren"]:
            tokens.append(_Token(match["paren"]))
        elif match["word"] in _OPERATORS:
            tokens.append(_Token(match["word"]))
        else:
            raw = match["phrase"] if match["phrase"] is not None else match["word"]
            prefix = bool(match["phrase_star"]) or (match["word"] or "").endswith("*")
            words = raw.rstrip("*") if match["word"] else raw
            if any(ch.isalnum() for ch in words):
                tokens.append(_Token("term", words, prefix))
    terms = {t for t in tokens if t.kind == "term"}
    prefixes = [t for t in terms if t.prefix]
    if len(terms) > config.SEARCH_MAX_TERMS or len(prefixes) > config.SEARCH_MAX_PREFIX_TERMS:
        raise CrmError(
            f"The search names {len(terms)} distinct words or phrases ({len(prefixes)} with a prefix*); at most "
            f"{config.SEARCH_MAX_TERMS} are allowed, {config.SEARCH_MAX_PREFIX_TERMS} of them prefix* terms. "
            "Search for the few most distinctive words."
        )
    return tokens


class _Parser:
    """Recursive descent over the tokens: or := and (OR and)*; and := atom ([AND] atom | [AND] NOT atom)*."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0
        self.depth = 0

    def _peek(self) -> str | None:
        return self.tokens[self.at].kind if self.at < len(self.tokens) else None

    def parse(self) -> str | None:
        parts = []
        while self._peek() is not None:
            expr = self._or()
            if expr:
                parts.append(expr)
            if self._peek() is not None and self.at < len(self.tokens):
                self.at += 1  # a stray ")" or operator that started nothing: skip it
        return _join(parts, "AND")

    def _or(self) -> str | None:
        parts = [self._and()]
        while self._peek() == "OR":
            self.at += 1
            parts.append(self._and())
        return _join([p for p in parts if p], "OR")

    def _and(self) -> str | None:
        # "a b NOT c" keeps a and b without c; NOT applies to the conjunction so far, which FTS5 reads the same.
        parts: list[str] = []
        while (kind := self._peek()) in ("AND", "NOT", "term", "("):
            if kind in ("AND", "NOT"):
                self.at += 1
            if kind == "NOT":
                excluded, conjunction = self._atom(), _join(parts, "AND")
                if conjunction and excluded:
                    parts = [f"({conjunction} NOT {excluded})"]
            elif kind != "AND" and (operand := self._atom()):
                parts.append(operand)
        return _join(parts, "AND")

    def _atom(self) -> str | None:
        kind = self._peek()
        if kind == "term":
            token = self.tokens[self.at]
            self.at += 1
            quoted = '"' + token.text.replace('"', '""') + '"'
            return quoted + " *" if token.prefix else quoted
        if kind == "(" and self.depth >= _MAX_DEPTH:
            while self._peek() == "(":  # too deep: read the rest at this level
                self.at += 1
            return self._atom()
        if kind == "(":
            self.at += 1
            self.depth += 1
            expr = self._or()
            self.depth -= 1
            if self._peek() == ")":
                self.at += 1
            return expr
        return None


def _join(parts: list[str], operator: str) -> str | None:
    parts = list(dict.fromkeys(parts))  # "a AND a" and "a OR a" are "a"
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + f" {operator} ".join(parts) + ")"


def fts_expression(text: str) -> str | None:
    """A valid FTS5 MATCH expression for ``text``, or None when it holds no word to search for.

    Raises `CrmError` when ``text`` names more distinct terms than a search may combine.

    >>> fts_expression('acme* OR "big deal" NOT (lost')
    '("acme" * OR ("big deal" NOT "lost"))'
    """
    return _Parser(_tokens(text)).parse()
