"""Who runs it: a question that asks by a verb who holds a role ("who runs ebay", "who heads the
imf", "who is in charge of man utd", "who manages chelsea", "who speaks for uefa", "who founded
linux") is answered in news copy by the role before a name ("EBay president and chief executive
Meg Whitman", "IMF boss Rodrigo Rato", "Uefa spokesman Rob Faulkner", "Linux founder Linus
Torvalds"), a sentence that holds none of the question's verb. The roles such a verb stands for are
searched as other spellings of it (Spelling.aliases: weighed at name_variant_weight in BM25,
counted as the question's word in a highlighted sentence), and a sentence where one stands before
a name weighs more (qa/retrieval/highlight.py, AnswerEvidence.roles, role_holder_weight).

BENCHMARKS.md "Who runs it".
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.index.text import stem_of

#: the roles a body's head is named by in news copy
_HEAD = ("chief", "executive", "boss", "chairman", "chairwoman", "head", "president", "director", "governor", "leader")
_SPEAKER = ("spokesman", "spokeswoman", "spokesperson")
#: the verb (as the question's stem) -> the roles it asks who holds
_ROLES_OF = {
    "run": _HEAD, "head": _HEAD, "charg": _HEAD, "helm": _HEAD, "boss": _HEAD,
    "lead": ("leader", "head", "chief", "boss", "president", "chairman"),
    "manag": ("manager", "boss", "coach"),
    "coach": ("coach", "manager", "boss"),
    "chair": ("chairman", "chairwoman", "chair"),
    "speak": _SPEAKER,
    "found": ("founder", "co-founder", "creator"),
    "repres": ("lawyer", "solicitor", "barrister", "agent", "attorney") + _SPEAKER,
    "own": ("owner", "proprietor", "chairman"),
}
#: "who runs", "who is running", "who heads", "who is in charge of", "who is the boss of", "who
#: speaks for", "who founded", "who represents", "who owns"
_ASKS_ROLE = re.compile(
    r"^\W*who(?:\s+(?:is|was|'s|’s))?\s+(?:(?:currently|now|actually|first|originally)\s+)?"
    r"(?P<verb>runs?|running(?!\s+(?:for|in|against|as|away|on|out)\b)|heads?|heading|headed|leads?|leading|led|"
    r"manages?|managing|managed|coach(?:es)?|coaching|coached|chairs?|chairing|chaired|founded|"
    r"represents?|representing|owns?)\s+(?=\w)|"
    r"^\W*who(?:\s+(?:is|was|'s|’s))?\s+(?P<speak>speaks?|spoke|speaking)\s+for\s+(?=\w)|"
    r"^\W*who(?:\s+(?:is|was|'s|’s))\s+(?:(?:the|currently|now)\s+)?"
    r"(?:in\s+(?P<charge>charge)|(?P<boss>boss|head)|at\s+the\s+(?P<helm>helm))\s+(?:of|at)\s+(?=\w)", re.I)
#: forms whose stem is not the verb's ("ran" is not asked, nor "running for": "who ran the
#: marathon", "who is running for mayor" ask for a runner and a candidate)
_VERB_STEMS = {"running": "run", "led": "lead", "leading": "lead", "heading": "head", "headed": "head",
               "spoke": "speak", "speaking": "speak", "speaks": "speak"}


@lru_cache(maxsize=1024)
def asked_by_verb(question: str) -> tuple[str, frozenset[str]] | None:
    """The question's own stem for the verb that asks who holds a role, and the stems of the roles
    it stands for; None when the question asks no such thing. Read once a question (its spelling,
    its sentences' evidence and "Sources differ" each ask)."""
    found = _ASKS_ROLE.match(question)
    if found is None:
        return None
    word = next(w for w in found.groupdict().values() if w).casefold()
    verb = stem_of(_VERB_STEMS.get(word, word))
    roles = _ROLES_OF.get(verb)
    if roles is None:
        return None
    return verb, frozenset(stem_of(role) for role in roles)


def role_aliases(question: str) -> dict[str, str]:
    """The roles' stems to search as other spellings of the question's verb (stem -> the verb's
    stem); {} for any other question."""
    asked = asked_by_verb(question)
    if asked is None:
        return {}
    verb, roles = asked
    return {role: verb for role in sorted(roles) if role != verb}


def verb_roles(question: str) -> frozenset[str]:
    """The stems of the roles the question's verb asks who holds; empty for any other question."""
    asked = asked_by_verb(question)
    return asked[1] if asked is not None else frozenset()
