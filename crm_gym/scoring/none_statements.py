"""Recognise "there is none" however it is said: "None", "Nobody qualifies", and each category's own way.

Where a task's right answer can be None, people rarely write "None": they say what None means for that task.
"The lead is qualified" (lead_qualification), "The current stage is correct" (wrong_stage_rectification), "The
configuration is valid" (invalid_config), "The quote can be approved as priced" (quote_approval), "The agent did not
violate any policy" (policy_violation_identification), "Every not-started task matches the stage"
(activity_priority), "The contact never bought such a product" (named_entity_disambiguation). Each category lists
its own phrasings; the generic ones ("None", "N/A", "no agent qualifies", "there is no such record", "nobody") hold
everywhere.

A phrase counts only as a statement: not negated ("the lead is not qualified"), not inside a condition or an
alternative ("return None if no agent qualifies", "if the lead is qualified", "TX or none"), and not a comparison
("none of the other agents", "no more than 5 cases").

>>> says_none("The quote complies with the approval policy.", "quote_approval")
True
>>> says_none("The quote does not comply with the approval policy.", "quote_approval")
False
>>> says_none("Return the Id, or None if no violation is found.")
False
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_GENERIC = (
    r"\bnone\b(?!\s+(?:of\s+the\s+others?|other\s+than|the\s+less)\b)(?!\s+(?:has|had|have)\s+(?:more|fewer|less)\b)",
    r"\bn/a\b|\bnull\b|\bnil\b|\bnot\s+applicable\b|\bnobody\b|\bno[\s-]?one\b",
    r"\bno\s+(?!other\b|more\b|less\b|later\b|fewer\b|longer\b|doubt\b|problems?\b|issues?\s+with\b|concerns?\b|"
    r"change\s+in\b|need\b|way\b|matter\b)(?:[\w'-]+\s+){0,3}?(?:qualif\w*|match\w*|meets?|fits?|appl(?:y|ies)|exists?|"
    r"found|available|eligible|violat\w*|breach\w*|satisf\w*|had|has|have|was|were|is|are|did|closed|handled|managed|"
    r"recorded|made|reported|logged|cases?|purchases?|orders?|records?|agents?|states?|articles?|issues?|products?|"
    r"tasks?|polic(?:y|ies)|violations?|results?|data|activity|sales|leads?|deals?|opportunit(?:y|ies)|candidates?|"
    r"such|one|winner|answer)\b",
    r"\bthere\s+(?:is|are|was|were|'s)\s+no\b|\bthere\s+(?:is|are|was|were)\s*n[o']t\s+(?:a|an|any)\b|\bthere\s+"
    r"(?:aren't|isn't|wasn't|weren't)\s+(?:a|an|any)\b",
    r"\b(?:does|do|did)\s*(?:not|n't)\s+exist\b|\bnot\s+a\s+single\b|\bnot\s+any\b",
    r"\bnothing\s+(?:[\w'-]+\s+)?(?:found|matche[sd]|qualifie[sd]|to\s+report|turned\s+up|came\s+up|fits|applies)\b",
    r"\bzero\s+(?:agents?|cases?|records?|matches|results|states?|tasks?|purchases?|violations?|candidates?)\b",
    r"\b(?:couldn't|could\s+not|can't|cannot|didn't|did\s+not|was\s+unable\s+to|unable\s+to)\s+(?:[\w'-]+\s+)?"
    r"(?:find|locate)\b",
    r"\bcame\s+up\s+(?:empty|with\s+nothing)\b|\bempty\s+result\b",
)

_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "lead_qualification": (
        r"\b(?:lead|it|they|prospect|he|she)\s+(?:[\w'-]+\s+){0,2}?(?:is|are|'s|can\s+be|should\s+be|would\s+be|may\s+be|"
        r"does|do)\s+(?:fully\s+|indeed\s+|considered\s+|properly\s+)?qualif(?:ied|iable|y)\b",
        r"\b(?:lead|it|they|prospect)\s+(?:[\w'-]+\s+){0,2}?qualif(?:ies|y)\b(?!\s+(?:on|for)\s+(?:only|just)\b)",
        r"\b(?:meets?|satisf(?:y|ies)|pass(?:es)?|clears?|checks?\s+off|ticks?)\s+(?:all|every|each|all\s+of\s+the)\s+"
        r"(?:four\s+|4\s+)?(?:of\s+the\s+)?(?:bant\s+)?(?:factors?|criteria|criterion|requirements?|checks?|boxes|"
        r"conditions)\b",
        r"\ball\s+(?:four\s+|4\s+)?(?:of\s+the\s+)?(?:bant\s+)?(?:factors|criteria|requirements|conditions)\s+"
        r"(?:[\w'-]+\s+)?(?:met|satisfied|fulfilled|covered|in\s+place|check\s+out|pass|hold|are\s+fine)\b",
        r"\bno\s+(?:[\w'-]+\s+)?(?:bant\s+)?(?:factors?|criteria)\s+(?:[\w'-]+\s+)?(?:fail\w*|missing|unmet|lacking|short)\b",
        r"\b(?:fails?|lacks?|misses)\s+(?:none|nothing|no\s+factors?)\b|\bfully\s+qualified\b|\bqualified\s+lead\b",
        r"\bnothing\s+(?:is\s+)?(?:missing|lacking)\b|\bqualifies\s+on\s+all\b|^\W*(?:yes\W+)?(?:fully\s+)?qualified\b|"
        r"\bnothing\s+(?:blocks|stops|disqualifies|holds\s+back)\b|\bgood\s+to\s+(?:go|qualify)\b",
    ),
    "wrong_stage_rectification": (
        r"\bstage\b[^.;!?\n]{0,40}?\b(?:is|looks|seems|appears|remains)\s+(?:to\s+be\s+)?(?:already\s+)?(?:correct|"
        r"accurate|right|appropriate|fine|ok(?:ay)?|consistent|valid|proper|correctly\s+set|up\s+to\s+date|good)\b",
        r"\b(?:stage|it|opportunity|deal)\s+(?:[\w'-]+\s+){0,2}?(?:reflects?|matches|fits|is\s+consistent\s+with|aligns?\s+"
        r"with|lines?\s+up\s+with|corresponds?\s+to)\s+(?:the\s+|its\s+)?(?:recorded\s+|logged\s+)?(?:tasks?|"
        r"activities|work)\b",
        r"\bno\s+(?:stage\s+)?(?:change|update|correction|adjustment|fix)\s+(?:is\s+)?(?:needed|required|necessary|"
        r"warranted)\b",
        r"\b(?:does\s*n[o']t|does\s+not|don't|do\s+not)\s+need\s+(?:a|any|to\s+(?:change|be\s+changed|move))\b",
        r"\b(?:should|can|may|ought\s+to)\s+(?:stay|remain)\b|\bleave\s+(?:it|the\s+stage)\s+(?:as\s+is|unchanged)\b",
        r"\b(?:is|are)\s+(?:already\s+)?in\s+the\s+(?:right|correct|proper|appropriate)\s+stage\b",
        r"\bcorrectly\s+(?:staged|set|recorded)\b",
    ),
    "activity_priority": (
        r"\b(?:all|every|each)\s+(?:[\w'-]+\s+){0,3}?(?:tasks?|activities)\s+(?:[\w'-]+\s+){0,3}?(?:match|fit|belong|align|"
        r"(?:is|are)\s+consistent|correspond|(?:is|are)\s+appropriate|(?:is|are)\s+in\s+line)",
        r"\bno\s+(?:[\w'-]+\s+){0,2}?(?:tasks?|activities)\s+(?:[\w'-]+\s+){0,3}?(?:mismatch\w*|out\s+of\s+(?:stage|place|line)|"
        r"misaligned|(?:do|does)\s*(?:not|n't)\s+(?:match|fit|belong))",
        r"\bno\s+(?:mismatch(?:ed|es)?|misaligned|out-of-stage|wrong-stage)\b|\bnone\s+(?:is|are)\s+out\s+of\b",
    ),
    "invalid_config": (
        r"\b(?:configuration|config|setup|set-up|product\s+mix|combination|quote|products)\s+(?:[\w'-]+\s+){0,3}?(?:is|are|"
        r"looks|seems|'s)\s+(?:fully\s+|perfectly\s+|entirely\s+|completely\s+)?(?:valid|allowed|fine|ok(?:ay)?|"
        r"compliant|permitted|acceptable|correct|in\s+order|legit(?:imate)?)\b",
        r"\b(?:complies|compliant|conforms|adheres|in\s+compliance)\b",
        r"\b(?:doesn't|does\s+not|don't|do\s+not)\s+(?:violate|break|breach|contravene|infringe)\s+(?:any|a\s+single)\b",
        r"\b(?:violates?|breaks?|breaches?)\s+(?:no|none|nothing)\b|\bno\s+(?:invalid|forbidden|disallowed)\b",
    ),
    "quote_approval": (
        r"\b(?:can|could|may)\s+(?:[\w'-]+\s+)?be\s+approved\b|\bapprovable\b|\bok\s+to\s+approve\b",
        r"\b(?:is|are|stays?|remains?)\s+(?:well\s+|all\s+)?(?:within|inside|under)\s+(?:the\s+|our\s+)?(?:[\w'-]+\s+)?"
        r"(?:polic(?:y|ies)|limits?|rules|thresholds?|guidelines|caps?)\b",
        r"\b(?:complies|compliant|conforms|adheres|in\s+compliance|within\s+policy)\b",
        r"\b(?:doesn't|does\s+not|don't|do\s+not)\s+(?:violate|break|breach|exceed|contravene)\s+(?:any|a\s+single)\b",
        r"\b(?:violates?|breaks?|breaches?)\s+(?:no|none|nothing)\b",
    ),
    "policy_violation_identification": (
        r"\b(?:agent|rep|representative|they|he|she|it|staff|support)\s+(?:[\w'-]+\s+){0,2}?(?:did\s*(?:not|n't)|didn't|"
        r"never|has\s*(?:not|n't)|hasn't|does\s*(?:not|n't))\s+(?:[\w'-]+\s+)?(?:violate|break|breach|go\s+against|"
        r"contravene|deviate\s+from)\b",
        r"\b(?:followed|complied\s+with|adhered\s+to|respected|stayed\s+within|kept\s+to|was\s+consistent\s+with)\s+"
        r"(?:all\s+|every\s+|the\s+|our\s+)?(?:[\w'-]+\s+)?(?:polic(?:y|ies)|rules|guidelines|articles|procedures?)\b",
        r"\b(?:conversation|chat|case|agent|behaviou?r|handling|exchange)\s+(?:[\w'-]+\s+){0,2}?(?:is|was|were)\s+"
        r"(?:fully\s+|entirely\s+)?(?:compliant|within\s+policy|in\s+line\s+with|consistent\s+with)\b",
        r"\b(?:violates?|broke|breaks?|breached)\s+(?:no|none|nothing)\b|\bcompliant\b",
    ),
    "named_entity_disambiguation": (
        r"\b(?:did\s*(?:not|n't)|didn't|never|has\s*(?:not|n't)|hasn't|have\s*(?:not|n't))\s+(?:[\w'-]+\s+){0,2}?(?:buy|"
        r"bought|purchase[ds]?|order(?:ed)?|acquire[ds]?)\b",
        r"\bno\s+(?:such\s+|matching\s+|relevant\s+|corresponding\s+)?(?:purchase|order|transaction|product|item)",
    ),
}

# A negation just before a phrase turns it around: "not qualified", "isn't valid" are matched by the phrase itself.
_NEGATED_BEFORE = re.compile(r"(?:\bnot|n't|\bnever|\bno\s+longer|\bhardly)\s+(?:[\w'-]+\s+){0,1}$", re.IGNORECASE)
# "Return None if ...", "if no agent is found", "whether the lead qualifies", "TX or none".
_CONDITION_BEFORE = re.compile(
    r"\b(?:if|whether|unless|when|once|until|in\s+case)\b[^,.;:!?\n]*$|\b(?:or|either)\s+(?:[\w'-]+\s+){0,2}$", re.I
)
# "if no agent qualifies", and "there is no information I can give" (a refusal, not an absence).
_CONDITION_AFTER = re.compile(
    r"\s+(?:if|when|unless|otherwise|whenever)\b|\s+(?:[\w'-]+\s+)?(?:that\s+)?(?:i|we)\s+(?:can|could|am\s+able|may)\b",
    re.IGNORECASE,
)
_LOOKBACK = 60

_COMPILED: dict[str | None, re.Pattern[str]] = {}


def _pattern(category: str | None) -> re.Pattern[str]:
    if category not in _COMPILED:
        parts = _GENERIC + _BY_CATEGORY.get(category or "", ())
        _COMPILED[category] = re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)
    return _COMPILED[category]


def none_statements(text: str, category: str | None = None) -> Iterator[re.Match[str]]:
    """Every phrase of ``text`` that states there is none (negated, conditional and alternative phrases left out)."""
    for match in _pattern(category).finditer(text):
        before = text[max(0, match.start() - _LOOKBACK) : match.start()]
        if _NEGATED_BEFORE.search(before) or _CONDITION_BEFORE.search(before):
            continue
        if _CONDITION_AFTER.match(text, match.end()):
            continue
        yield match


def says_none(text: str, category: str | None = None) -> bool:
    """True when ``text`` states that there is no such value, generically or in ``category``'s own words.

    >>> says_none("No agent meets the criteria."), says_none("Agent 005Wt000003NIXC meets them.")
    (True, False)
    >>> says_none("The lead is qualified.", "lead_qualification"), says_none("The lead is qualified.")
    (True, False)
    """
    return next(none_statements(text, category), None) is not None
