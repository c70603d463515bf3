"""Who runs it: a question that asks for the head of a body by a verb ("who runs ebay", "who heads
the imf", "who is in charge of man utd", "who manages chelsea") is answered in news copy by a role
before a name ("EBay president and chief executive Meg Whitman", "IMF boss Rodrigo Rato", "Chelsea
manager Jose Mourinho"), a sentence that holds none of the question's verb. The roles such a verb
stands for are searched as other spellings of it (Spelling.aliases: weighed at name_variant_weight
in BM25, counted as the question's word in a highlighted sentence), and a name a role stands
before is the answer phrase (qa/retrieval/highlight.py, AnswerEvidence.roles).

Asked the same questions as "who is the chief executive / leader / manager of X", the BBC articles'
top passage held the head's name 9 -> 19 times of 27 (BENCHMARKS.md "heads24").
"""

from __future__ import annotations

import re

from qa.index.text import stem_of

#: the roles a body's head is named by in news copy
_HEAD = ("chief", "executive", "boss", "chairman", "chairwoman", "head", "president", "director", "governor", "leader")
#: the verb (as the question's stem) -> the roles it asks who holds
_ROLES_OF = {
    "run": _HEAD, "head": _HEAD, "charg": _HEAD, "helm": _HEAD, "boss": _HEAD,
    "lead": ("leader", "head", "chief", "boss", "president", "chairman"),
    "manag": ("manager", "boss", "coach"),
    "coach": ("coach", "manager", "boss"),
    "chair": ("chairman", "chairwoman", "chair"),
}
#: "who runs", "who is running", "who ran", "who heads", "who is in charge of", "who is the boss of"
_ASKS_HEAD = re.compile(
    r"^\W*who(?:\s+(?:is|was|'s|’s))?\s+(?:(?:currently|now|actually)\s+)?"
    r"(?P<verb>runs?|running(?!\s+(?:for|in|against|as|away|on|out)\b)|heads?|heading|headed|leads?|leading|led|manages?|managing|managed|"
    r"coach(?:es)?|coaching|coached|chairs?|chairing|chaired)\s+(?=\w)|"
    r"^\W*who(?:\s+(?:is|was|'s|’s))\s+(?:(?:the|currently|now)\s+)?"
    r"(?:in\s+(?P<charge>charge)|(?P<boss>boss|head)|at\s+the\s+(?P<helm>helm))\s+(?:of|at)\s+(?=\w)", re.I)
#: past and -ing forms whose stem is not the verb's ("ran" is not asked, nor "running for": "who ran
#: the marathon", "who is running for mayor" ask for a runner and a candidate)
_VERB_STEMS = {"running": "run", "led": "lead", "leading": "lead", "heading": "head", "headed": "head"}


def asked_head(question: str) -> tuple[str, frozenset[str]] | None:
    """The question's own stem for the verb that asks who heads a body, and the stems of the roles
    that name its head; None when the question asks no such thing."""
    found = _ASKS_HEAD.match(question)
    if found is None:
        return None
    word = next(w for w in found.groupdict().values() if w).casefold()
    verb = stem_of(_VERB_STEMS.get(word, word))
    roles = _ROLES_OF.get(verb)
    if roles is None:
        return None
    return verb, frozenset(stem_of(role) for role in roles)


def head_aliases(question: str) -> dict[str, str]:
    """The roles' stems to search as other spellings of the question's verb (stem -> the verb's
    stem); {} for any other question."""
    head = asked_head(question)
    if head is None:
        return {}
    verb, roles = head
    return {role: verb for role in sorted(roles) if role != verb}


def asked_head_roles(question: str) -> frozenset[str]:
    """The stems of the roles that name the head the question asks for; empty for any other question."""
    head = asked_head(question)
    return head[1] if head is not None else frozenset()
