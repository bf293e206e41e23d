"""Read a final answer as a careful person does: find what it commits to, apart from the reasoning around it.

An answer states its values somewhere and explains itself elsewhere. The reader splits the answer into clauses
(lines, bullets, sentences, and the parts of a sentence that dashes, semicolons, "because", "while", "compared with"
... set apart; a parenthesis of more than a few words is an aside) and picks the clause that states the answer:

1. after an explicit marker ("The answer is X", "Answer: X", "Final answer", a JSON ``answer`` key), else
2. the last clause that concludes ("so X", "therefore X", "which makes X the slowest"), else
3. the first clause that names a value or says there is none, unless it only reports evidence ("I compared X and Y",
   "Y had 3 cases") and a later clause asserts something.

The clause is extended over the items of its list (bullets, "X, Y and Z") and over clauses that add to it ("It also
fails on Need"). Within it, a value named as a comparison ("ahead of Y", "rather than Y", "Y came second", "from
Quote to Negotiation") is not stated. A value offered as an alternative anywhere ("X or Y", "possibly Y", "could
also be Y") makes the answer a hedge. Some kinds read their own cues: a BANT factor the answer says the lead
*lacks* counts wherever it is said, one it says is *met* never counts; a stage the answer says the record should
*move to* wins over the stage it is *in now*.

>>> from crm_gym.scoring.extract import extractor
>>> ids = extractor("record_id", ["005Wt000003NIXCIA4"], "User")
>>> read_answer("005Wt000003NIXCIA4, ahead of 005Wt000003NISNIA4 (4.1 days).", ids).values
('005Wt000003NIXC',)
>>> read_answer("Either 005Wt000003NIXCIA4 or 005Wt000003NISNIA4.", ids).hedged
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm_gym.scoring.extract import AMBIGUOUS, STAGE_CORRECTIONS, Mention, ValueExtractor
from crm_gym.scoring.none_statements import none_statements
from crm_gym.scoring.text import plain_answer

# -- clauses ----------------------------------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*+\u2022\u25aa\u25cf]|\(?\d{1,2}[.)]|\(?[a-h][.)])\s+")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
# A full stop after these is not the end of a sentence.
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|eg|ie|cf|vs|approx|etc|no|nr|mr|ms|mrs|dr|st|jr|sr|inc|corp|ltd|co)|\b[A-Za-z])$", re.I
)
_BOUNDARY = re.compile(
    r"\s+[\u2014\u2013]+\s*|\s*[\u2014\u2013]+\s+|\s+-{1,2}\s+|\s*;\s*|\s*->\s*(?=[a-z])"
    r"|(?<!\bin),?\s+(?=(?:because|since|whereas|while|although|though|but|however|yet|given\s+that|due\s+to|as\s+(?:it|they|"
    r"he|she|the|this|that|its|their|his|her)|which|compared\s+(?:with|to)|versus|vs\.?|followed\s+by|except|apart\s+"
    r"from|unlike|whilst)\b)"
    r"|,\s+(?=(?:as|with|ahead|then|plus|whereas|and\s+(?:then|also|the\s+next|second))\b)"
    r"|,?\s+(?=(?:so(?!\s+(?:far|that|much|many|long|called|on)\b)|therefore|thus|hence|which\s+makes|making|meaning|"
    r"which\s+means|that\s+means|that\s+leaves|leaving)\b)",
    re.IGNORECASE,
)
_COLON = re.compile(r":\s+")
_PAREN = re.compile(r"\(([^()\n]*)\)")
# A line introducing the explanation: what follows it, to the next blank line or marker, is reasoning.
_EXPLANATION_LABEL = re.compile(
    r"^\s*(?:reason(?:ing|s)?|explanation|why|justification|rationale|details?|notes?|evidence|analysis|context|"
    r"supporting\s+(?:data|details|evidence)|how\s+i\s+(?:got|found)\s+(?:it|this|there)|method(?:ology)?|steps?|"
    r"work(?:ing)?|calculation|breakdown|data|findings|summary\s+of\s+(?:the\s+)?data|caveats?)\b[^:\n]{0,30}:",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Clause:
    """A stretch of the answer that states one thing."""

    start: int
    end: int
    line: int
    sentence: int
    bullet: bool
    aside: bool
    """Inside a parenthesis of more than a few words, or under an explanation heading: the answer only when nothing
    else states one."""
    first_of_line: bool
    table_row: bool = False


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, cursor = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.group() == "." and _ABBREVIATION.search(text, cursor, m.start()):
            continue
        spans.append((cursor, m.end()))
        cursor = m.end()
    if text[cursor:end].strip():
        spans.append((cursor, end))
    return spans


def _split_sentence(text: str, start: int, end: int, keep: list[tuple[int, int]]) -> list[tuple[int, int]]:
    cuts = [start]
    for m in _BOUNDARY.finditer(text, start, end):
        if m.start() > cuts[-1] and not any(a < m.end() and m.start() < b for a, b in keep):
            cuts += [m.start(), m.end()]
    for m in _COLON.finditer(text, start, end):
        if any(a < m.end() and m.start() < b for a, b in keep):
            continue
        left = text[cuts[-1] if cuts[-1] <= m.start() else start : m.start()]
        # "Agent Id: 005..." keeps its label; "005...: the slowest" is a value, then its reason.
        if len(left.split()) > 5 or re.search(r"\d{3}", left):
            cuts += [m.start(), m.end()]
    cuts = sorted(set(cuts))
    spans = []
    bounds = [*cuts, end]
    for i in range(0, len(bounds) - 1):
        a, b = bounds[i], bounds[i + 1]
        if text[a:b].strip(" \t,;:-\u2014\u2013") and not _BOUNDARY.fullmatch(text[a:b]):
            spans.append((a, b))
    return spans


def split_clauses(text: str, keep: list[tuple[int, int]] = ()) -> list[Clause]:  # type: ignore[assignment]
    """The clauses of a plain-text answer, in order (see the module docstring); no cut falls inside a ``keep`` span
    (a value such as the record name "Acme - Renewal")."""
    clauses: list[Clause] = []
    offset, sentence, explaining = 0, 0, False
    for line_no, line in enumerate(text.split("\n")):
        line_start, line_end = offset, offset + len(line)
        offset = line_end + 1
        if not line.strip():
            explaining = False
            continue
        if _EXPLANATION_LABEL.match(line):
            explaining = True
        bullet = _BULLET.match(line)
        table_row = " | " in line
        body_start = line_start + (bullet.end() if bullet else 0)
        first = True
        for s_start, s_end in _sentence_spans(text, body_start, line_end):
            sentence += 1
            asides = [
                (m.start(), m.end())
                for m in _PAREN.finditer(text, s_start, s_end)
                if len(re.findall(r"[A-Za-z]{2,}", m.group(1))) > 3
            ]
            for c_start, c_end in _split_sentence(text, s_start, s_end, keep):
                for a_start, a_end in asides:
                    if c_start <= a_start < c_end:
                        clauses.append(Clause(a_start, a_end, line_no, sentence, False, True, False))
                aside = explaining or any(a <= c_start and c_end <= b for a, b in asides)
                clauses.append(Clause(c_start, c_end, line_no, sentence, bool(bullet), aside, first, table_row))
                first = False
    return clauses


# -- cues --------------------------------------------------------------------------------------------------------------

_MARKER = re.compile(
    r"\b(?:(?:final|short|correct|my|the)\s+)?(?:answer|result|conclusion|verdict|response)(?:\s+\w+){0,4}?\s*(?:is|"
    r"would\s+be|will\s+be|:|=|-|\u2014)\s*|^\s*(?:final\s+answer|answer|result|conclusion|verdict|tl;?dr|in\s+short|"
    r"bottom\s+line)\s*[:\-\u2014]?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_CONCLUSION = re.compile(
    r"(?:^|[,;:]\s*|\s)(?:so(?!\s+(?:far|that|much|many|long|called|on)\b)|therefore|thus|hence|consequently|"
    r"accordingly|in\s+conclusion|in\s+summary|to\s+sum\s+up|overall|as\s+a\s+result|this\s+means|that\s+means|"
    r"which\s+means|meaning|which\s+makes|making|that\s+makes|this\s+makes|that\s+leaves|which\s+leaves|leaving|"
    r"the\s+winner\s+is)\b|=>|->|\u2192",
    re.IGNORECASE,
)
_PROCESS = re.compile(
    r"^\W*(?:first,?\s+|then,?\s+|next,?\s+)?(?:(?:i|we)\s+(?:\w+\s+)?(?:checked|compared|looked|reviewed|queried|"
    r"pulled|examined|analy[sz]ed|searched|ran|considered|went|counted|calculated|computed|filtered|grouped|retrieved|"
    r"read|scanned|tallied|listed|gathered|fetched)|looking\s+at|comparing|checking|reviewing|going\s+through|"
    r"after\s+(?:checking|reviewing|comparing|looking|querying)|candidates?\b|the\s+(?:data|query|results?|numbers|"
    r"figures|counts?)\s+(?:show|shows|showed|gives?|gave|returned|returns))",
    re.IGNORECASE,
)
# A value followed by its figure ("X had 5", "X: 5 cases", "X (5.2 days)", "X | 12") reports evidence.
_FIGURE_AFTER = re.compile(
    r"^['\")\]]?\s*(?:(?:19|20)\d\d\s+)?(?:\||:|=|,|\(|\u2014|-|had|has|with|at|averag\w+|closed|handled|owned|made|"
    r"converted|logged|recorded|shows?|took|sold|saw|got|brought|came\s+in\s+at)?\s*(?:\w+\s+){0,3}?\$?"
    r"(?!(?:19|20)\d\d\b)\d",
    re.IGNORECASE,
)
_FIGURE_BEFORE = re.compile(
    r"\d[\d,.]*\s*(?:%|[A-Za-z]+)?\s*[(\[]\s*$|\d[\d,.]*\s*(?:%|[A-Za-z]+)?\s*(?:for|by|from|in|during|on)\s*$"
)
# "Summer 2022 covers June, July and August": a clause that defines the period lists values as evidence.
_DEFINES = re.compile(
    r"\b(?:covers|includes|spans|comprises|consists\s+of|runs\s+from|means|is\s+made\s+up\s+of)\b", re.I
)
# Alternatives offered outright: whatever else the answer says, it has not chosen.
_ALTERNATIVE = re.compile(
    r"\bin\s+which\s+case\b|\bunless\b[^.;\n]{0,160}\b(?:would|then|becomes?|instead)\b|\bor\s+(?:possibly|perhaps|maybe)\b|"
    r"\bboth\s+(?:seem|could|might|may|look|appear)\b|\bdepending\s+on\s+(?:whether|if|how|which)\b|"
    r"\b(?:could|might|may)\s+(?:also|equally|just\s+as\s+well)\s+be\b|\b(?:might|may|could)\s+(?:well\s+)?be\s+"
    r"(?:none|n/a|null)\b|\bhard\s+to\s+say\s+(?:whether|if|which)\b|\beither\s+[^.;\n]{1,80}\bor\b",
    re.IGNORECASE,
)
_CONTRAST_BEFORE = re.compile(
    r"(?:\bnot|n't|\bnever|\bno|\brather\s+than|\binstead\s+of|\bother\s+than|\bexcept(?:\s+for)?|\bapart\s+from|\bbesides|"
    r"\bahead\s+of|\bbehind|\bthan|\bvs\.?|\bversus|\bcompared\s+(?:with|to)|\bunlike|\bexcluding|\bfollowed\s+by|"
    r"(?:,|\band)\s+then|\bbeat(?:s|ing)?|\boutpac\w*|\bedg\w*\s+out|\bsurpass\w*|\bover\s+(?=\S+\s*(?:\(|,|$))|"
    r"\bnext\s+(?:is|was|came|comes)|\bsecond(?:\s+(?:is|was|place|came|comes|best|highest|lowest|most|fewest))?|"
    r"\bthird(?:\s+\w+)?|\brunner[- ]up(?:\s+(?:is|was))?|\bpreviously|\bformerly|"
    r"\be\.?g\.?|\bfor\s+(?:example|instance)|\bsuch\s+as|\blike|\bnor|\bneither|\bruled\s+out|\beliminated|"
    r"\bdisqualified|\bexcluded|\bcloser?\s+(?:to|behind)|\b(?:couldn't|could\s+not|can't|cannot|didn't|did\s+not|"
    r"unable\s+to|failed\s+to)\s+(?:\w+\s+)?(?:find|locate|see|identify|match)|\bno\s+(?:sign|record|trace)\s+of|\b(?:up|down|rising|falling|climbing|dropping|"
    r"jump\w*|increas\w*|decreas\w*|grew|growing|compared)\s+(?:\w+\s+)?from|\bfrom(?=\s+\S+\s+(?:to|into)\b))"
    r"[\s:,'\"(]*$",
    re.IGNORECASE,
)
_CONTRAST_AFTER = re.compile(
    r"^\W{0,3}(?:\([^)]*\)\s*)?,?\s*(?:is|was|came|comes|ranks|ranked|placed|finished|follows|followed|trails|"
    r"trailed|sits)?\s*(?:a\s+)?(?:close\s+|distant\s+)?(?:second|third|next|runner[- ]up|behind|after|last|"
    r"lower|below|fewer|less|slower|faster)\b|^\W{0,3}(?:is|was|were|are)\s+(?:not|n't|never)\b|^\W{0,3}(?:is|was)"
    r"\s+(?:ruled\s+out|excluded|disqualified|eliminated)",
    re.IGNORECASE,
)
_HEDGE_BEFORE = re.compile(
    r"(?:\bor|\beither|and/or|\bmaybe|\bperhaps|\bpossibly|\bpotentially|\bcould\s+(?:also\s+)?be|"
    r"\bmight\s+(?:also\s+)?be|\bmay\s+(?:also\s+)?be|\bor\s+(?:maybe|perhaps|possibly)|\balternatively|"
    r"\bif\s+not|\botherwise|\bin\s+which\s+case|\bunless\b[^.;\n]*|\b(?:might|may|could|would)\s+(?:\w+\s+){0,3}?"
    r"(?:count|fall|fit|break|violate|apply|go|be|belong|qualify|point|mean|lean|argue|favou?r|suggest|make|"
    r"include|leave|give|get|end\s+up|come\s+out)\w*(?:\s+(?:\w+\s+){0,2}?(?:against|under|to|in|as|at|on|for|with))?"
    r"|\b(?:looking|counting|going|reading|using|taking|if\s+(?:we|you|one)\s+\w+)\s+(?:\w+\s+)?(?:instead|rather|"
    r"differently|otherwise|more\s+broadly|more\s+loosely)\b[^.;\n]*|\balternatively\b[^.;\n]*)"
    r"(?:\s+(?:the\s+)?[A-Z][\w.'-]*){0,4}[\s:,'\"(]*$",
    re.IGNORECASE,
)
_HEDGE_AFTER = re.compile(
    r"^\W{0,3}(?:\([^)]*\)\s*)?(?:is|are|would\s+be|could\s+be|might\s+be|may\s+be|seems|looks|remains)\s+(?:also\s+|"
    r"equally\s+|just\s+as\s+)?(?:plausible|possible|likely|an?\s+(?:option|candidate|possibility|alternative|contender)|"
    r"worth\s+considering|in\s+the\s+running|not\s+ruled\s+out)|^\W{0,3}(?:might|may|could|would)\s+(?:also\s+|"
    r"even\s+)?(?:be|win|edge|come\s+out|rank|lead|top|qualify|apply|count|fit)",
    re.IGNORECASE,
)
_SUBORDINATE = re.compile(
    r"\W*(?:because|since|whereas|while|whilst|although|though|given\s+that|due\s+to|as\s+(?:it|they|he|she|the|this|"
    r"that|its|their|his|her)|which|compared\s+(?:with|to)|versus|vs\.?|followed\s+by|except|apart\s+from|unlike|"
    r"ahead\s+of|with)\b",
    re.IGNORECASE,
)
_ADDS = re.compile(
    r"^\W*(?:and|plus|as\s+well\s+as|along\s+with|together\s+with|also|additionally|in\s+addition|moreover|"
    r"furthermore|(?:it|they|the\s+lead)\s+also|another\s+(?:one|task|factor)\s+is)\b",
    re.IGNORECASE,
)
_LOOKBACK = 48
_LIST_JOIN = re.compile(r"[\s,]*(?:\b(?:and|or|nor)\b|&|/)?[\s,]*", re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    """What an answer commits to.

    Attributes:
        values: The values the answer states, sorted.
        says_none: The stated answer says there is none.
        hedged: The answer offers alternatives ("X or Y", "None, or possibly X").
        head: The text read as the stated answer ("" when the answer states nothing).
    """

    values: tuple[str, ...]
    says_none: bool
    hedged: bool
    head: str


def _window(text: str, clause: Clause, mention: Mention) -> str:
    return text[max(clause.start, mention.start - _LOOKBACK) : mention.start]


def _is_contrast(text: str, clause: Clause, mention: Mention) -> bool:
    if _CONTRAST_BEFORE.search(_window(text, clause, mention)):
        return True
    return bool(_CONTRAST_AFTER.match(text[mention.end : min(clause.end, mention.end + _LOOKBACK)]))


def _is_hedge(text: str, clause: Clause, mention: Mention) -> bool:
    if _HEDGE_AFTER.match(text[mention.end : min(clause.end, mention.end + _LOOKBACK)]):
        return True
    return bool(_HEDGE_BEFORE.search(text[max(clause.start, mention.start - 4 * _LOOKBACK) : mention.start]))


@dataclass
class _ClauseView:
    clause: Clause
    stated: list[Mention]
    hedges: list[Mention]
    failing: list[Mention]
    says_none: bool
    none_hedged: bool

    @property
    def bears(self) -> bool:
        return bool(self.stated or self.hedges or self.failing or self.says_none)


class _Reader:
    def __init__(self, text: str, ex: ValueExtractor, category: str | None, mentions: list[Mention]) -> None:
        self.text = text
        self.ex = ex
        self.corrects_stage = category in STAGE_CORRECTIONS
        clauses = split_clauses(text, [(m.start, m.end) for m in mentions])
        self.views = [self._view(c, [m for m in mentions if c.start <= m.start < c.end], category) for c in clauses]

    def _view(self, clause: Clause, mentions: list[Mention], category: str | None) -> _ClauseView:
        text, stated, hedges, failing = self.text, [], [], []
        previous: tuple[Mention, bool] | None = None
        for m in mentions:
            role = self.ex.role(text, m)
            if role == "failing":
                failing.append(m)
            # "than January or December": a value listed after a comparison is one too.
            listed = previous is not None and _LIST_JOIN.fullmatch(text[previous[0].end : m.start])
            contrast = (listed and previous[1]) or _is_contrast(text, clause, m)
            previous = (m, bool(contrast))
            if role in ("met", "current") or contrast and role != "target":
                continue
            (hedges if _is_hedge(text, clause, m) else stated).append(m)
        targets = [m for m in stated if self.ex.role(text, m) == "target"]
        stated = targets or stated
        strong = [m for m in stated if m.strong]
        stated = strong or stated
        body = text[clause.start : clause.end]
        nones = list(none_statements(body, category))
        none_hedged = any(_HEDGE_BEFORE.search(body[max(0, m.start() - 4 * _LOOKBACK) : m.start()]) for m in nones)
        if nones and self.corrects_stage:  # "None: the stage (Discovery) is right": the stage named is the current one
            stated = [m for m in stated if self.ex.role(text, m) == "target"]
        return _ClauseView(clause, stated, hedges, failing, bool(nones) and not none_hedged, none_hedged)

    def _head_index(self) -> int | None:
        views = self.views
        markers = [m for m in _MARKER.finditer(self.text) if re.search(r"\w", self.text[m.end() :])]
        if markers:
            cut = markers[-1].end()
            after = [i for i, v in enumerate(views) if v.clause.end > cut and v.bears]
            if after:
                return after[0]
        candidates = [i for i, v in enumerate(views) if v.bears and not v.clause.aside]
        if not candidates:  # everything is under an explanation heading: read it all
            candidates = [i for i, v in enumerate(views) if v.bears]
        if not candidates:
            return None
        concluding = [i for i in candidates if self._concludes(i)]
        if concluding:
            return concluding[-1]
        # A clause opened by "while", "because", "compared with" ... explains; it states the answer only alone.
        main = [i for i in candidates if not _SUBORDINATE.match(self.text, views[i].clause.start, views[i].clause.end)]
        candidates = main or candidates
        first = candidates[0]
        if self._evidence(first):
            later = [i for i in candidates[1:] if not self._evidence(i)]
            if later:
                return later[0]
        return first

    def _concludes(self, i: int) -> bool:
        view = self.views[i]
        first = min((m.start for m in [*view.stated, *view.hedges]), default=view.clause.end)
        sentence_start = min(v.clause.start for v in self.views if v.clause.sentence == view.clause.sentence)
        return bool(_CONCLUSION.search(self.text, sentence_start, first))

    def _evidence(self, i: int) -> bool:
        view = self.views[i]
        sentence_start = min(v.clause.start for v in self.views if v.clause.sentence == view.clause.sentence)
        if _PROCESS.match(self.text, sentence_start, view.clause.end):
            return True
        first = min((m.start for m in view.stated), default=view.clause.end)
        if len(view.stated) >= 2 and _DEFINES.search(self.text, view.clause.start, first):
            return True
        return bool(view.stated) and all(
            _FIGURE_AFTER.match(self.text[m.end : view.clause.end])
            or _FIGURE_BEFORE.search(self.text, max(view.clause.start, m.start - 24), m.start)
            for m in view.stated
        )

    def _extend(self, i: int) -> list[int]:
        """The head clause and the clauses that continue its statement: the other items of its list (the first
        value-bearing clause of each later bullet or table row), and clauses that add to it ("and also ...")."""
        views, first = self.views, self.views[i].clause
        listed = first.bullet or first.table_row
        head, lines = [i], {first.line}
        for j in range(i + 1, len(views)):
            v, prev = views[j], views[head[-1]].clause
            c = v.clause
            if c.aside:
                continue
            if listed:
                if not (c.bullet or c.table_row):
                    break
                if c.line not in lines and v.bears:
                    head.append(j)
                    lines.add(c.line)
                continue
            if not v.bears:
                continue
            adds = _ADDS.match(self.text, c.start, c.end) and c.sentence in (prev.sentence, prev.sentence + 1)
            sibling_line = c.first_of_line and c.line == prev.line + 1 and self._bare(j) and self._bare(head[-1])
            if adds or sibling_line:
                head.append(j)
            elif c.sentence != prev.sentence:
                break
        return head

    def _alternative(self) -> bool:
        """True when the answer offers alternatives outright ("unless ..., in which case", "could also be")."""
        return any(
            not v.clause.aside and _ALTERNATIVE.search(self.text, v.clause.start, v.clause.end) for v in self.views
        ) or bool(_ALTERNATIVE.search(self.text))

    def _bare(self, i: int) -> bool:
        """A line that is nothing but values: part of a list written one value per line."""
        v = self.views[i]
        rest = self.text[v.clause.start : v.clause.end]
        for m in sorted([*v.stated, *v.hedges], key=lambda m: m.start, reverse=True):
            rest = rest[: m.start - v.clause.start] + rest[m.end - v.clause.start :]
        return len(re.findall(r"[A-Za-z]{3,}", rest)) <= 2

    def read(self) -> Reading:
        i = self._head_index()
        self.head_spans: list[tuple[int, int]] = []
        if i is None:
            return Reading((), False, False, "")
        head = self._extend(i)
        stated = {m.value for j in head for m in self.views[j].stated}
        stated |= {m.value for v in self.views if not v.clause.aside for m in v.failing}
        hedges = {m.value for v in self.views if not v.clause.aside for m in v.hedges}
        if not stated and len(hedges) == 1 and not any(v.says_none for v in self.views):
            stated, hedges = hedges, set()  # "It may be October": one value, said with doubt, is still the answer
        says_none = any(self.views[j].says_none for j in head)
        none_hedged = any(v.none_hedged for v in self.views)
        hedged = bool(hedges - stated) or ((says_none or none_hedged) and bool(stated | hedges))
        if self._alternative() and (stated or says_none or none_hedged):
            hedged = True
        text = " ".join(self.text[self.views[j].clause.start : self.views[j].clause.end].strip() for j in head)
        self.head_spans = [(self.views[j].clause.start, self.views[j].clause.end) for j in head]
        return Reading(tuple(sorted(stated)), says_none and not stated, hedged, text)


def read_answer(answer: str, ex: ValueExtractor, category: str | None = None) -> Reading:
    """Read ``answer``: the values of ``ex``'s kind it states, whether it says there is none, whether it hedges.

    Args:
        answer: The final answer, in any format (Markdown, JSON, a table, prose).
        ex: The extractor of the task's answer kind (see `crm_gym.scoring.extract.extractor`).
        category: The task category, whose own ways of saying "there is none" count.
    """
    text = plain_answer(answer)
    bare = _bare_list(text, ex)
    if bare:
        return Reading(bare, False, False, text)
    mentions = ex.mentions(text)
    ids = [m for m in mentions if not m.named]
    if not ids or len(ids) == len(mentions):
        return _Reader(text, ex, category, mentions).read()
    # Ids state the answer and names narrate it: the head is found by the ids, then a record named in the head
    # without its id ("X (005...) and Y are prospects") counts there too, unless its name fits several records.
    reader = _Reader(text, ex, category, ids)
    reading = reader.read()
    named = [
        m
        for m in mentions
        if m.named and not m.value.startswith(AMBIGUOUS) and any(a <= m.start < b for a, b in reader.head_spans)
    ]
    return _Reader(text, ex, category, sorted(ids + named, key=lambda m: m.start)).read() if named else reading


_LIST_ITEM_SPLIT = re.compile(r"\s*(?:\n|,|;|&|\+|\band\b)\s*", re.IGNORECASE)


def _bare_list(text: str, ex: ValueExtractor) -> tuple[str, ...]:
    """The values of an answer that is nothing but a list of values ("Budget and timeline", "or"), else ()."""
    items = [_BULLET.sub("", item).strip(" \t.,;:!?()[]{}<>\"'") for item in _LIST_ITEM_SPLIT.split(text)]
    items = [item for item in items if item]
    parsed = [ex.parse(item) for item in items]
    if not items or not all(parsed):
        return ()
    return tuple(sorted({p for p in parsed if p}))
