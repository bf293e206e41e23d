"""Read answer values out of free text: record ids, months, US states, BANT factors, stages, "none" and refusals.

Extraction reads the answer's *focus*: the text after the last "answer is" / "Answer:" marker when there is one,
else the whole answer, so reasoning before "The answer is X" never counts as a second value. Inside the focus, a
bare list ("Budget and timeline", "- TX") is read item by item in any case; otherwise values are found in the prose,
and a value written capitalised ("Negotiation", "TX", "September") wins over lowercase prose words that happen to
name a value ("the quote was sent", "may"). Words that are also common English stay out of prose unless the answer
is clearly about them: lowercase state codes ("in", "or", "me"), "ID" and "OK" as codes, lowercase "may"/"march"
not followed by a number, and lowercase "need" outside a list of BANT factors.

Salesforce ids: a 15-character id is case-sensitive. The 18-character form is case-insensitive by design: its
3-character suffix records which of the first 15 characters are uppercase. An 18-character mention therefore matches
a gold id when its first 15 characters equal the gold's exactly (the suffix carries no identity), or when restoring
the case its suffix records (the suffix itself read in any case) gives the gold's 15 characters. So
``005Wt000003NIXC``, ``005Wt000003NIXCIA4``, ``005Wt000003NIXCia4`` and ``005WT000003NIXCIA4`` are one record,
while the 15-character ``005WT000003NIXC`` is another.
UUID ids (the Arc profile's) are read in any case; when the gold ids are UUIDs, every UUID mentioned counts.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from crm_gym.errors import ScoringError
from crm_gym.scoring.text import squash
from crm_gym.tasks.categories import AnswerKind
from crm_gym.world.schema import load_schema

# The categories' answers are records and picklist values of these org profiles.
_PROFILE = "crmarena_pro_b2b"
_ARC_PROFILE = "arc"

_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_LIST_SPLIT = re.compile(r"\s*(?:\n|,|;|&|\+|\band\b)\s*", re.IGNORECASE)
_EDGE_PUNCT = " \t.,;:!?()[]{}<>\"'-"

Role = Literal["failing", "met", "target", "current"]
"""What a kind-specific cue says of a mention: a BANT factor the lead fails or meets, a stage to move to or the
stage the record is in now."""


@dataclass(frozen=True)
class Mention:
    """One value named in a text, where it is named, and whether it is named deliberately."""

    value: str
    start: int
    end: int
    strong: bool
    """Written capitalised, or an id or a record name: a deliberate mention, not a prose word that happens to name
    a value ("the quote was sent", "may")."""
    named: bool = False
    """Named by the record's name rather than its id."""


class ValueExtractor(ABC):
    """Finds the canonical values of one answer kind in text; subclasses give `parse` and `mentions`."""

    kind: str

    @abstractmethod
    def parse(self, item: str) -> str | None:
        """The canonical value a bare list item names, in any case, or None."""

    @abstractmethod
    def mentions(self, text: str) -> list[Mention]:
        """Every value mentioned in running text, in order."""

    def role(self, text: str, mention: Mention) -> Role | None:
        """What the words around ``mention`` say of it, for kinds where that matters (BANT factors, stages)."""
        return None

    def extract(self, text: str) -> list[str]:
        """The set of values a short text names, sorted: a bare list item by item, else every strong mention."""
        items = [item.strip(_EDGE_PUNCT) for item in _LIST_SPLIT.split(text.strip(_EDGE_PUNCT))]
        items = [item for item in items if item]
        parsed = [self.parse(item) for item in items]
        if items and all(parsed):
            return sorted({p for p in parsed if p})
        found = self.mentions(text)
        strong = [m for m in found if m.strong]
        return sorted({m.value for m in strong or found})

    def gold_values(self, gold: Sequence[str]) -> list[str]:
        """The gold set: each gold string read as a bare list ("Authority, Need" is two factors).

        Raises:
            ScoringError: a gold string names no value of this kind.
        """
        values: set[str] = set()
        for entry in gold:
            found = self.extract(entry)
            if not found:
                raise ScoringError(f"gold value {entry!r} is not a {self.kind} value")
            values.update(found)
        return sorted(values)


_LOOKBACK = 40  # characters: enough for "the lead lacks a", bounded so long answers stay linear


def _before(pattern: re.Pattern[str], text: str, mention: Mention) -> bool:
    """True when ``pattern`` (anchored with ``$``) matches the text just before the mention, on its line."""
    start = max(text.rfind("\n", 0, mention.start) + 1, mention.start - _LOOKBACK)
    return bool(pattern.search(text, start, mention.start))


def _after(pattern: re.Pattern[str], text: str, mention: Mention) -> bool:
    """True when ``pattern`` matches right after the mention, on its line."""
    return bool(pattern.match(text[mention.end : mention.end + _LOOKBACK].split("\n", 1)[0]))


def _word_pattern(names: Iterable[str]) -> re.Pattern[str]:
    """A case-insensitive alternation of names, longest first, whose words may be joined by any spacing."""
    alternatives = (r"[\s/_.-]*".join(map(re.escape, re.findall(r"[A-Za-z0-9]+", n))) for n in names)
    return re.compile(r"\b(" + "|".join(sorted(alternatives, key=len, reverse=True)) + r")\b", re.IGNORECASE)


class _Vocabulary(ValueExtractor):
    """Values from a fixed list of names (stages, BANT factors), any case and spacing; aliases map to a name."""

    def __init__(self, names: Iterable[str], kind: str, aliases: Mapping[str, str] | None = None) -> None:
        self.kind = kind
        self._canonical = {squash(n): n for n in names if squash(n)}
        self._canonical.update({squash(a): n for a, n in (aliases or {}).items()})
        self._pattern = _word_pattern([*self._canonical.values(), *(aliases or {})])

    def parse(self, item: str) -> str | None:
        return self._canonical.get(squash(item))

    def _accept(self, text: str, match: re.Match[str]) -> bool:
        return True

    def mentions(self, text: str) -> list[Mention]:
        return [
            Mention(self._canonical[squash(m.group())], m.start(), m.end(), m.group()[0].isupper())
            for m in self._pattern.finditer(text)
            if self._accept(text, m)
        ]


_BANT = ("Budget", "Authority", "Need", "Timeline")
# Lowercase "need" is usually the verb; it names the factor only next to another factor in a list.
_FACTOR_BEFORE = re.compile(r"(?:budget|authority|timeline)\s*(?:,|/|&|,?\s*\b(?:and|or))\s*$", re.IGNORECASE)
_FACTOR_AFTER = re.compile(r"\s*(?:,|/|&|,?\s*(?:and|or)\b)\s*(?:budget|authority|timeline)", re.IGNORECASE)
# What the words next to a factor say of it: "lacks budget", "no clear authority", "budget is missing" (failing);
# "meets the budget", "budget is confirmed" (met).
_FAIL_BEFORE = re.compile(
    r"(?:\bbut\s+not|\bfail(?:s|ed|ing)?(?:\s+(?:on|the|its|at))*|\black(?:s|ing|ed)?(?:\s+(?:of|a|an|any|the|clear|real|"
    r"defined|confirmed))*|\bmissing|\bno(?:\s+(?:clear|real|defined|confirmed|set|allocated|actual|concrete|"
    r"identified|firm|urgent))*|\bwithout(?:\s+(?:a|an|any|the|clear|real))*|\bnot\s+(?:meet(?:ing)?|satisf(?:y|ying)|"
    r"pass(?:ing)?)(?:\s+(?:the|its))*|\binsufficient|\bunclear|\bunconfirmed|\bweak|\bshort\s+on|\bfalls?\s+short"
    r"\s+on|\bproblems?\s+with(?:\s+the)?|\bissues?\s+with(?:\s+the)?|\bconcerns?\s+(?:about|with|over)(?:\s+the)?|"
    r"(?:doesn't|does\s+not|don't|do\s+not)\s+(?:have|meet|satisfy|show)(?:\s+(?:a|an|any|the|clear|real))*)\s*$",
    re.IGNORECASE,
)
_FAIL_AFTER = re.compile(
    r"\s*(?:\([^)]*\)\s*)?(?:(?:is|are|was|were|remains?|looks?|seems?)\s+(?:still\s+|also\s+)?(?:not\s+(?:met|"
    r"satisfied|confirmed|clear|established|in\s+place|there)|missing|lacking|unmet|unclear|unknown|insufficient|"
    r"absent|weak|a\s+(?:problem|concern|gap|blocker|red\s+flag)|an\s+issue|undefined|unconfirmed|too\s+\w+|"
    r"(?:\w+\s+)?(?:short|off|out\s+of\s+range|(?:too\s+)?far\s+out))|(?:fails?|failed|falls?\s+short|isn't\s+met|"
    r"aren't\s+met|not\s+met|gap|issue|problem|concern)\b|\s*[:=|-]?\s*(?:fail\w*|no|missing|not\s+met|x|unmet)\b|"
    r"\s*[:=|-]?\s*[\u274c\u2717\u2718\u2716\u26d4\U0001f6ab])",
    re.IGNORECASE,
)
_MET_BEFORE = re.compile(
    r"(?:\bmeets?(?:\s+(?:the|its|a))*|\bsatisf(?:y|ies)(?:\s+(?:the|its))*|\bpass(?:es)?(?:\s+(?:on|the))*|"
    r"\bclear|\bconfirmed|\bsolid|\bstrong|\bdefined|\bapproved|\ballocated|\bhas(?:\s+(?:a|the|clear|real))*|"
    r"\bwith(?:\s+(?:a|the|clear|real))*|\bgood(?:\s+on)?)\s*$",
    re.IGNORECASE,
)
_MET_AFTER = re.compile(
    r"\s*(?:\([^)]*\)\s*)?(?:(?:is|are|was|were|looks?|seems?)\s+(?:also\s+|all\s+|both\s+)?(?:met|satisfied|fine|ok(?:ay)?|"
    r"good|confirmed|clear|covered|in\s+place|there|established|solid|strong|present|fulfilled|not\s+(?:a|an)\s+"
    r"(?:issue|problem|concern))|(?:checks?\s+out|holds?\s+up|passes|passed)\b|\s*[:=|-]?\s*(?:ok|met|pass\w*|yes|"
    r"fine|satisfied)\b|\s*[:=|-]?\s*[\u2705\u2713\u2714\u2611])",
    re.IGNORECASE,
)


# "meets Budget, Need and Timeline": a cue before a list of factors speaks of each of them.
_FACTOR_LIST = r"(?:(?:budget|authority|need|timeline)\s*(?:,\s*(?:and\s+|or\s+)?|\band\b|\bor\b|&|/)\s*)*"
_FAIL_BEFORE_LIST = re.compile(_FAIL_BEFORE.pattern[:-4] + r"\s*" + _FACTOR_LIST + r"$", re.IGNORECASE)
_MET_BEFORE_LIST = re.compile(_MET_BEFORE.pattern[:-4] + r"\s*" + _FACTOR_LIST + r"$", re.IGNORECASE)


# What people say for each factor when they do not name it: used only when an answer names no factor at all.
_BANT_WORDS = {
    "Budget": r"funds?|funding|money|afford\w*|financ\w*|spend|cash|price\s+range|pricing\s+approval",
    "Authority": r"decision[- ]?makers?|sign[- ]?off|sign(?:ing)?\s+authority|final\s+say|approv(?:e|al|er)|"
    r"buying\s+power|power\s+to\s+(?:buy|decide|sign)|(?:can't|cannot|can\s+not)\s+(?:decide|sign)",
    "Need": r"pain(?:\s+points?)?|use\s+case|requirements?|no\s+real\s+problem|business\s+case|necessity|interest",
    "Timeline": r"timing|time\s*frame|time\s*line|deadline|schedule|urgency|(?:next|this)\s+(?:year|quarter)|"
    r"(?:\d+|several|a\s+few|many)\s+(?:months|years|quarters)\s+(?:out|away)|go[- ]live\s+date|when\s+to\s+buy",
}
_BANT_WORD = re.compile("|".join(f"(?P<{f}>\\b(?:{p})\\b)" for f, p in _BANT_WORDS.items()), re.IGNORECASE)


class _Bant(_Vocabulary):
    def __init__(self) -> None:
        super().__init__(_BANT, "bant")

    def mentions(self, text: str) -> list[Mention]:
        named = super().mentions(text)
        if named:
            return named
        return [Mention(str(m.lastgroup), m.start(), m.end(), False) for m in _BANT_WORD.finditer(text)]

    def _accept(self, text: str, match: re.Match[str]) -> bool:
        if match.group() != "need":
            return True
        return bool(_FACTOR_BEFORE.search(text, max(0, match.start() - _LOOKBACK), match.start())) or bool(
            _FACTOR_AFTER.match(text, match.end())
        )

    def role(self, text: str, mention: Mention) -> Role | None:
        if _before(_FAIL_BEFORE_LIST, text, mention) or _after(_FAIL_AFTER, text, mention):
            return "failing"
        if _before(_MET_BEFORE_LIST, text, mention) or _after(_MET_AFTER, text, mention):
            return "met"
        return None


# Where a stage mention stands: "should be moved to X", "the correct stage is X" (target); "currently X", "from X
# to", "instead of X" (current).
_TARGET_BEFORE = re.compile(
    r"(?:\b(?:should|must|needs?\s+to|ought\s+to|has\s+to|would)\s+(?:\w+\s+){0,2}?(?:be|move|go|change|advance|"
    r"revert|shift|drop|return|progress|sit)(?:\s+(?:back|forward|down|up))?(?:\s+(?:to|into|in|at|as))?|\b(?:correct|"
    r"right|appropriate|proper|accurate|true|actual|expected|real)\s+(?:stage|label|stage\s+name)\s*(?:is|would\s+be|"
    r"should\s+be|:|=)?|\b(?:mov|chang|updat|set|advanc|revert|correct|fix|rectif|reclassif|downgrad|upgrad|"
    r"promot|demot|bump)\w*\s+(?:it\s+|the\s+(?:stage|opportunity|deal)\s+)?(?:back\s+|forward\s+|down\s+|up\s+)?"
    r"(?:to|into)|\bbelongs?\s+(?:in|to|at)|->|=>|\u2192|\bto)\s*$",
    re.IGNORECASE,
)
_CURRENT_BEFORE = re.compile(
    r"(?:\bcurrent(?:ly)?(?:\s+(?:stage|set\s+to|listed\s+as|recorded\s+as|marked\s+as|in|at|is|sits\s+in))*|"
    r"\b(?:is|was|sits|stays|remains)\s+(?:still\s+)?(?:in|at)|\bfrom|\binstead\s+of|\brather\s+than|\bnot|\bout\s+of|"
    r"\brecorded\s+(?:as|in)|\blisted\s+(?:as|in)|\bmarked\s+(?:as|in)|\bexisting)\s*:?\s*$",
    re.IGNORECASE,
)


_NEGATED_TARGET = re.compile(
    r"(?:\bnot|n't|\bnever|\bnone\s+of\s+\w+|\bno\s+\w+)\s+(?:\w+\s+){0,2}?(?:belong|be|move|go|fit|match)\w*\s+"
    r"(?:in|to|into|at|with)?\s*$",
    re.IGNORECASE,
)


class _Stage(_Vocabulary):
    def role(self, text: str, mention: Mention) -> Role | None:
        if _before(_NEGATED_TARGET, text, mention):
            return "current"
        if _before(_TARGET_BEFORE, text, mention):
            return "target"
        if _before(_CURRENT_BEFORE, text, mention):
            return "current"
        return None


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_WORD = re.compile(
    r"\b(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?",
    re.IGNORECASE,
)
_MONTH_ITEM = re.compile(_MONTH_WORD.pattern + r"(?:[\s,]+\d{1,4}(?:st|nd|rd|th)?)*", re.IGNORECASE)
# Lowercase, these are verbs ("it may be", "to mar"); they name a month only before a day or year.
_MONTH_VERBS = frozenset({"may", "mar", "march"})
_NUMBER_AFTER = re.compile(r"\s*\d")


def _month(word: str) -> str:
    return next(m for m in _MONTHS if m.lower().startswith(word.lower()[:3]))


# "October 2024", "Oct. 3, 2024", "October of 2024": the year a month mention carries.
_YEAR_MONTH = re.compile(r"(?<![\d-])((?:19|20)\d\d)-(0[1-9]|1[0-2])(?![\d])")
_YEAR_AFTER = re.compile(r"\s*(?:\d{1,2}(?:st|nd|rd|th)?\s*)?,?\s*(?:of\s+)?((?:19|20)\d\d)\b")


class _Month(ValueExtractor):
    """Month names; a mention followed by a year ("October 2024") carries it, so a gold with a year can tell
    October 2024 from October 2023, while a gold without one accepts any."""

    kind = "month"

    def parse(self, item: str) -> str | None:
        match = _MONTH_ITEM.fullmatch(item)
        if not match:
            return None
        year = _YEAR_AFTER.match(item, match.end(1))
        return f"{_month(match.group(1))} {year.group(1)}" if year else _month(match.group(1))

    def mentions(self, text: str) -> list[Mention]:
        found = [
            Mention(f"{_MONTHS[int(m.group(2)) - 1]} {m.group(1)}", m.start(), m.end(), True)
            for m in _YEAR_MONTH.finditer(text)
        ]
        for m in _MONTH_WORD.finditer(text):
            word = m.group(1)
            if word in _MONTH_VERBS and not _NUMBER_AFTER.match(text, m.end()):
                continue
            year = _YEAR_AFTER.match(text, m.end())
            value = f"{_month(word)} {year.group(1)}" if year else _month(word)
            found.append(Mention(value, m.start(), m.end(), word[0].isupper()))
        return sorted(found, key=lambda mention: mention.start)


def align_months(found: Sequence[str], expected: Sequence[str]) -> list[str]:
    """Month values compared at the gold's precision: a year the gold does not give is dropped; a month stated
    without a year takes the gold's year for that month.

    >>> align_months(["October 2023"], ["October"]), align_months(["October"], ["October 2024"])
    (['October'], ['October 2024'])
    >>> align_months(["October 2023"], ["October 2024"])
    ['October 2023']
    """
    years = {value.split()[0]: value for value in expected if " " in value}
    aligned = set()
    for value in found:
        month = value.split()[0]
        if month not in years:
            aligned.add(month)
        elif " " not in value:
            aligned.add(years[month])
        else:
            aligned.add(value)
    return sorted(aligned)


_STATES = {
    "Alabama": "AL",
    "Alaska": "AK",
    "Arizona": "AZ",
    "Arkansas": "AR",
    "California": "CA",
    "Colorado": "CO",
    "Connecticut": "CT",
    "Delaware": "DE",
    "District of Columbia": "DC",
    "Florida": "FL",
    "Georgia": "GA",
    "Hawaii": "HI",
    "Idaho": "ID",
    "Illinois": "IL",
    "Indiana": "IN",
    "Iowa": "IA",
    "Kansas": "KS",
    "Kentucky": "KY",
    "Louisiana": "LA",
    "Maine": "ME",
    "Maryland": "MD",
    "Massachusetts": "MA",
    "Michigan": "MI",
    "Minnesota": "MN",
    "Mississippi": "MS",
    "Missouri": "MO",
    "Montana": "MT",
    "Nebraska": "NE",
    "Nevada": "NV",
    "New Hampshire": "NH",
    "New Jersey": "NJ",
    "New Mexico": "NM",
    "New York": "NY",
    "North Carolina": "NC",
    "North Dakota": "ND",
    "Ohio": "OH",
    "Oklahoma": "OK",
    "Oregon": "OR",
    "Pennsylvania": "PA",
    "Rhode Island": "RI",
    "South Carolina": "SC",
    "South Dakota": "SD",
    "Tennessee": "TN",
    "Texas": "TX",
    "Utah": "UT",
    "Vermont": "VT",
    "Virginia": "VA",
    "Washington": "WA",
    "West Virginia": "WV",
    "Wisconsin": "WI",
    "Wyoming": "WY",
}
_CODES = frozenset(_STATES.values())
_STATE_NAME = _word_pattern(_STATES)
_STATE_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}(?![A-Za-z0-9])")
# In CRM prose "ID" is the word id and "OK" is okay: as codes they count only as the whole answer.
_PROSE_ONLY_WORDS = frozenset({"ID", "OK"})


class _State(ValueExtractor):
    kind = "state"

    def __init__(self) -> None:
        self._names = {squash(name): code for name, code in _STATES.items()}

    def parse(self, item: str) -> str | None:
        return item.upper() if item.upper() in _CODES else self._names.get(squash(item))

    def mentions(self, text: str) -> list[Mention]:
        spans: list[Mention] = []
        for m in _STATE_NAME.finditer(text):
            spans.append(Mention(self._names[squash(m.group())], m.start(), m.end(), m.group()[0].isupper()))
        for m in _STATE_CODE.finditer(text):
            if m.group() in _CODES and m.group() not in _PROSE_ONLY_WORDS:
                spans.append(Mention(m.group(), m.start(), m.end(), True))
        return sorted(spans, key=lambda mention: mention.start)


_ID_TOKEN = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z]*[0-9])([A-Za-z0-9]{18}|[A-Za-z0-9]{15})(?![A-Za-z0-9])")


def restore_id_case(record_id: str) -> str:
    """The case-sensitive 15-character id an 18-character id stands for, using its suffix read in any case.

    A 15-character id, or an 18-character one whose suffix is not a checksum, comes back as its first 15 characters.

    >>> restore_id_case("005wt000003nixcia4")
    '005Wt000003NIXC'
    """
    head, suffix = record_id[:15], record_id[15:].upper()
    if len(suffix) != 3 or any(ch not in _CHECKSUM_ALPHABET for ch in suffix):
        return head
    bits = [_CHECKSUM_ALPHABET.index(ch) for ch in suffix]
    return "".join(ch.upper() if bits[i // 5] >> (i % 5) & 1 else ch.lower() for i, ch in enumerate(head))


# Something an agent meant as an id: a long token mixing letters and digits, or hyphenated hex.
_ID_LIKE = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{12,20}(?![A-Za-z0-9])|"
    r"\b[0-9a-f]{8}(?:-[0-9a-f]{2,12}){2,5}\b",
    re.IGNORECASE,
)
_UUID_TOKEN = re.compile(
    r"(?<![0-9A-Za-z-])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9A-Za-z-])", re.IGNORECASE
)
AMBIGUOUS = "ambiguous-name:"
"""The value of a record name that more than one candidate record bears: it names no record for sure."""


def _adjacent(text: str, name: Mention, span: tuple[int, int]) -> bool:
    """True when only punctuation, spacing or the word "id" separate a name from an id."""
    between = text[name.end : span[0]] if name.end <= span[0] else text[span[1] : name.start]
    return (
        len(between) <= 12
        and re.fullmatch(r"[\s()\[\]:,;=|\u2014\u2013-]*(?:(?:user\s+)?id\b[\s:=]*)?[\s(`'\"]*", between, re.I)
        is not None
    )


def salesforce_identity(token: str) -> str:
    """The record a 15- or 18-character Salesforce id names: its case-sensitive 15-character form.

    An 18-character id is case-insensitive: its 3-character suffix records which of the first 15 characters are
    upper case, and that decides the record, however the id was typed. A suffix that is no checksum (a character
    outside its alphabet, or a digit marked upper case) names no record (``invalid-id:...``).

    >>> salesforce_identity("005Wt000003NIXCIA4"), salesforce_identity("005WT000003NIXCia4")
    ('005Wt000003NIXC', '005Wt000003NIXC')
    >>> salesforce_identity("005Wt000003NIXCIA9")
    'invalid-id:005Wt000003NIXCIA9'
    """
    if len(token) == 15:
        return token
    head, suffix = token[:15], token[15:].upper()
    if any(ch not in _CHECKSUM_ALPHABET for ch in suffix):
        return "invalid-id:" + token
    bits = [_CHECKSUM_ALPHABET.index(ch) >> k & 1 for ch in suffix for k in range(5)]
    if any(bit and not ch.isalpha() for bit, ch in zip(bits, head, strict=True)):
        return "invalid-id:" + token
    return restore_id_case(token)


class _Names:
    """Record names resolved to their ids: the longest name wins, and a name two records share resolves to neither."""

    def __init__(self, names: Mapping[str, str], identity: Callable[[str], str]) -> None:
        by_name: dict[str, set[str]] = {}
        for record_id, name in names.items():
            if name and re.search(r"[A-Za-z]", name):
                by_name.setdefault(squash(name), set()).add(identity(record_id))
        self._ids = {key: (next(iter(ids)) if len(ids) == 1 else AMBIGUOUS + key) for key, ids in by_name.items()}
        spelled = {name for name in names.values() if name and squash(name) in self._ids}
        alternatives = (r"[\W_]*".join(map(re.escape, re.findall(r"[A-Za-z0-9]+", n))) for n in spelled)
        ordered = sorted(alternatives, key=len, reverse=True)
        self._pattern = re.compile(r"\b(" + "|".join(ordered) + r")\b", re.IGNORECASE) if ordered else None

    def mentions(self, text: str) -> list[Mention]:
        if self._pattern is None:
            return []
        return [
            Mention(self._ids[squash(m.group())], m.start(), m.end(), True, named=True)
            for m in self._pattern.finditer(text)
        ]


class _RecordId(ValueExtractor):
    """Record ids: Salesforce ids of the objects whose key prefixes are given (any id when none are) or UUIDs, and the
    names of candidate records when they are known."""

    kind = "record_id"

    def __init__(
        self, prefixes: Iterable[str], gold: Sequence[str] = (), names: Mapping[str, str] | None = None
    ) -> None:
        self._prefixes = tuple(sorted({p.lower() for p in prefixes}))
        self._gold = frozenset(g[:15] for g in gold)
        self._names = _Names(names or {}, self._identity)

    def parse(self, item: str) -> str | None:
        return None  # ids are always read from the prose: they are never English words

    def _identity(self, token: str) -> str:
        if _UUID_TOKEN.fullmatch(token):
            return token.lower()
        return salesforce_identity(token)

    def mentions(self, text: str) -> list[Mention]:
        found = [
            Mention(self._identity(m.group()), m.start(), m.end(), True)
            for m in _ID_TOKEN.finditer(text)
            if not self._prefixes or m.group()[:3].lower() in self._prefixes
        ]
        found += [Mention(m.group().lower(), m.start(), m.end(), True) for m in _UUID_TOKEN.finditer(text)]
        # A name next to an id (or a mistyped one) is that id's label: "Brian Neal (005...)" is judged by the id.
        ids = [(m.start(), m.end()) for m in _ID_LIKE.finditer(text)]
        found += [n for n in self._names.mentions(text) if not any(_adjacent(text, n, span) for span in ids)]
        return sorted(found, key=lambda mention: mention.start)

    def gold_values(self, gold: Sequence[str]) -> list[str]:
        bad = [g for g in gold if not (_ID_TOKEN.fullmatch(g.strip()) or _UUID_TOKEN.fullmatch(g.strip()))]
        if bad:
            raise ScoringError(f"gold value {bad[0]!r} is not a 15- or 18-character Salesforce id or a UUID")
        return sorted({self._identity(g.strip()) for g in gold})


@cache
def _stages(profile: str) -> tuple[str, ...]:
    fields = load_schema(profile).objects["Opportunity"].fields
    return fields["StageName" if "StageName" in fields else "stage"].values


# CRMArena-Pro's closed stage is one label; people say which way it closed.
_STAGE_ALIASES = {"Closed Won": "Closed", "Closed Lost": "Closed", "Closed-Won": "Closed", "Closed-Lost": "Closed"}


def _stage_extractor(gold: Sequence[str], corrects_stage: bool) -> _Vocabulary:
    """Stages of the gold's profile; where the task corrects a stage, "currently X" and "move to Y" are told apart."""
    kind = _Stage if corrects_stage else _Vocabulary
    crm = _stages(_PROFILE)
    if all(squash(g) in {squash(s) for s in crm} for g in gold):
        return kind(crm, "stage", _STAGE_ALIASES)
    return kind(dict.fromkeys([*_stages(_ARC_PROFILE), *gold]), "stage")


def key_prefix(object_name: str | None) -> str | None:
    """The Salesforce key prefix of an object of the task org, or None when unknown."""
    objects = load_schema(_PROFILE).objects
    return objects[object_name].id_prefix if object_name in objects else None


# Categories whose answer is the stage a record should move to, not the stage it is in.
STAGE_CORRECTIONS = frozenset({"wrong_stage_rectification"})


def extractor(
    kind: AnswerKind,
    gold: Sequence[str],
    id_object: str | None = None,
    names: Mapping[str, str] | None = None,
    category: str | None = None,
) -> ValueExtractor:
    """The extractor for one answer kind; gold values choose the stage vocabulary or widen the id prefixes.

    Args:
        kind: The answer kind.
        gold: The gold values (for ids: their prefixes count as the object's; for stages: which profile's labels).
        id_object: For record ids, the object whose ids answer the task.
        names: For record ids, candidate records' names by id: a name then stands for its record.
        category: The task category (for stages: whether the answer is a correction).

    >>> extractor("bant", ["Budget"]).extract("Budget and timeline.")
    ['Budget', 'Timeline']
    """
    if kind == "record_id":
        prefix = key_prefix(id_object)
        prefixes = [g.strip()[:3] for g in gold if not _UUID_TOKEN.fullmatch(g.strip())] + ([prefix] if prefix else [])
        if gold and not prefixes:
            prefixes = ["-"]  # UUID golds: no Salesforce id is a candidate
        return _RecordId(prefixes, [g.strip() for g in gold], names)
    if kind == "stage":
        return _stage_extractor(gold, category in STAGE_CORRECTIONS)
    simple: dict[str, type[ValueExtractor]] = {"bant": _Bant, "month": _Month, "state": _State}
    if kind not in simple:
        raise ScoringError(
            f"answer kind {kind!r} has no value extractor (free text is scored by fuzzy_match, refusals by "
            f"evaluate_privacy); kinds: record_id, stage, {', '.join(simple)}"
        )
    return simple[kind]()


def record_ids_in(text: str) -> list[str]:
    """Every record id a text mentions (Salesforce ids as their 15-character form, UUIDs lower-cased), in order."""
    found = [(m.start(), restore_id_case(m.group())) for m in _ID_TOKEN.finditer(text)]
    found += [(m.start(), m.group().lower()) for m in _UUID_TOKEN.finditer(text)]
    return [value for _, value in sorted(found)]


MONTH_NAMES: tuple[str, ...] = tuple(_MONTHS)
"""The twelve month names, January first."""
STATE_CODES: tuple[str, ...] = tuple(sorted(_CODES))
"""Two-letter codes of the US states (and DC) the state extractor accepts."""
