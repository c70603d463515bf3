"""Request: what a query typed as a request is about. "tell me about the gazprom deal", "find the
article about the mp3 survey", "news on yukos" search for "the gazprom deal", "the mp3 survey",
"yukos": the request's own words ("tell", "find", "article", "news") are in no way what the
reader looks for, yet they weigh in the keyword match and the answered rule's coverage (a
request for a story the articles hold was "not found" for its "find" and "story").

Only a lead-in that is all request is taken off, and only when words are left: "find out why
..." and "the news of the merger" are searched as typed ("what about ..." is a follow-up,
qa/retrieval/context.py, and is left to it).
"""

from __future__ import annotations

import re

_ASK = (r"(?:(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?"
        r"(?:tell|show|give|get|find|bring|send)\s+(?:me|us)|(?:please\s+)?(?:find|search|look|show|list)|"
        r"i\s+(?:want|need|would\s+like|'d\s+like|’d\s+like)(?:\s+to\s+(?:know|read|see|find))?)")
_WHAT = (r"(?:(?:the|a|an|any|all|some|all\s+the|more|other)\s+)?(?:(?:latest|recent|news|bbc)\s+)?"
         r"(?:articles?|stories|story|news|reports?|pieces?|coverage|information|info|details|anything|everything|"
         r"something|more)")
_ABOUT = r"(?:about|on|regarding|concerning|covering|mentioning|(?:that|which)\s+mentions?|for)"
# alone, only nouns that are no sentence's subject ("reports on monday said ..." is searched as typed)
_WHAT_ALONE = r"(?:(?:any|all|the\s+latest|latest)\s+)?(?:articles|stories|news|coverage|anything|everything)"
_LEAD_IN = re.compile(rf"^\W*(?:{_ASK}\s+(?:{_WHAT}\s+)?{_ABOUT}|{_WHAT_ALONE}\s+{_ABOUT}|"
                      r"(?:please\s+)?(?:search\s+for|look\s+(?:for|up)|find\s+me))\s+(?=\w)", re.I)


def requested(question: str) -> str:
    """The query without a request's lead-in ("tell me about X" -> "X"); as typed when it has
    none or nothing would be left."""
    found = _LEAD_IN.match(question)
    return question[found.end():] if found is not None else question
