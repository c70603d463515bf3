"""Support across stories: how many independent stories hold a passage's answer phrase, and
whether the top stories give different answers.

A phrase (qa/retrieval/answer_types.py) is held by a story when every term of it is among the terms of the
highlighted sentence of one of that story's passages in the re-ranked head (said in answer to the
same question, not anywhere in the article); copies of one story (qa/index/duplicates.py) and the
other passages of the same article count once, as the passage's own story does not count at
all. "Federal Reserve Board chairman Paul Volcker" in ten stories outweighs one story's "Vice
Chairman Manuel Johnson". Two stories whose highlighted sentences say the question's names and
give phrases neither holds of the other ("lightly injured" against "killed ... captured") differ:
the answer shows both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from qa.retrieval.answer_types import DATE, FATE, NUMBER, PERSON, question_type
from qa.retrieval.highlight import SentenceScore, answer_clause, first_clause
from qa.retrieval.records import Hit, Query
from qa.retrieval.role_verbs import verb_roles
from qa.settings import RetrievalSettings
from qa.index.store import CitationRow
from qa.index.text import stem_of, tokenize


#: the answer types whose different phrases are different claims
DIFFERING_TYPES = (FATE, NUMBER, DATE, PERSON)
#: question terms a sentence must say before its answer can differ from another's: at least two,
#: and at least this share of them ("who is the assistant manager at Aston Villa" is not answered
#: by a sentence on Aston Villa's manager, so another story's name does not "differ" from it)
MIN_SHARED_TERMS = 2
MIN_SHARED_SHARE = 2 / 3
#: question terms that only say what kind of answer is wanted ("What happened to ...")
_QUESTION_FORM = frozenset(tokenize("happened became become fate old long"))  # "how old", "how long"


#: the words of a death, one another's in the clause test ("how many died": "killed 14 people")
_DEATH = frozenset(tokenize("died killed dead death fatalities"))
_DIED = "die"


def _deaths_as_one(words: Iterable[str]) -> set[str]:
    """The terms, each death word ("killed", "dead", "death", "fatalities") read as "die"."""
    return {_DIED if w in _DEATH else w for w in words}


#: a time of day: "1230 GMT", "10:30", "8pm", "9.30 am"
_CLOCK = re.compile(r"\d{1,2}(?:[:.]?\d{2})?\s*(?:GMT|BST|CET|EST|PST|UTC|[ap]\.?m\b)|\d{1,2}:\d{2}\b", re.IGNORECASE)


#: a clause that opens with its verb: the predicate of a subject said before an aside
_PREDICATE = re.compile(r"\s*(?:(?:had|has|have|was|were|is|are|will|would|could|can|may|might|did|does|"
                        r"also|then|later|only)\b|[a-z]+ed\b|[a-z]+ing\b)")


#: a word that makes an office another one: "Vice Chairman Manuel Johnson" holds no other answer to
#: "who is chairman of the Fed" than "chairman Paul Volcker" (deputy, former, acting ... likewise)
_OFFICE_MODIFIER = re.compile(r"\b(vice|deputy|acting|former|assistant|interim|honorary|associate|outgoing|"
                              r"incoming|co|ex)[\s-]+([a-z]+)", re.IGNORECASE)
#: how far before its phrase an office's words are read ("Federal Reserve Board Vice Chairman Manuel")
_OFFICE_REACH = 40


def _another_office(text: str, answer: tuple[int, int] | None, asked: frozenset[str]) -> bool:
    """True when the phrase names the holder of another office than the question's: a modifier the
    question lacks before an office it names, in the phrase or just before it."""
    if answer is None:
        return False
    start, end = answer
    for found in _OFFICE_MODIFIER.finditer(text, max(0, start - _OFFICE_REACH), end):
        office, modifier = stem_of(found.group(2).lower()), stem_of(found.group(1).lower())
        if found.end() >= start - 2 and office in asked and modifier not in asked:
            return True
    return False


def story_of(pid: int, rows: Mapping[int, CitationRow], stories: Mapping[int, int] | None) -> tuple[str, int]:
    """The independent story a passage belongs to: its story group, else its document."""
    if stories and pid in stories:
        return ("story", stories[pid])
    return ("doc", rows[pid].doc_id)


def phrase_key(row: CitationRow, sentence: SentenceScore, asked: frozenset[str]) -> frozenset[str]:
    """The terms of the passage's answer phrase the question does not hold (empty: no phrase)."""
    if sentence.answer is None:
        return frozenset()
    return sentence.answer_terms - asked  # the phrase's tokens, made once by qa/retrieval/highlight.py


def support(head: Sequence[int], rows: Mapping[int, CitationRow], sentences: Mapping[int, SentenceScore],
            stories: Mapping[int, int] | None, asked: frozenset[str], names: Sequence[str] = ()) -> dict[int, int]:
    """Per passage of the head with an answer phrase: how many other stories of the head hold it
    in their highlighted sentence, with the question's names this one's sentence holds (the same
    subject: "killed" said of someone else is no support)."""
    own = {pid: story_of(pid, rows, stories) for pid in head if pid in rows and pid in sentences}
    out = {}
    for pid in own:
        key = phrase_key(rows[pid], sentences[pid], asked) | (set(names) & sentences[pid].words)
        if key - set(names):
            out[pid] = len({own[other] for other in own
                            if own[other] != own[pid] and key <= sentences[other].words})
    return out


def support_rerank(ranked: list[int], scores: dict[int, float], counts: Mapping[int, int], depth: int,
                   settings: RetrievalSettings) -> tuple[list[int], dict[int, float]]:
    """Add support_weight x (other stories holding the phrase, at most support_cap) / support_cap
    to the head's scores and re-sort it (new list and dict)."""
    if not settings.support_weight or not counts:
        return ranked, scores
    scores = dict(scores)
    for pid, n in counts.items():
        scores[pid] += settings.support_weight * min(n, settings.support_cap) / settings.support_cap
    head = sorted(ranked[:depth], key=lambda pid: -scores[pid])
    return head + ranked[depth:], scores


def differing(hits: Sequence[Hit], rows: Mapping[int, CitationRow], sentences: Mapping[int, SentenceScore],
              stories: Mapping[int, int] | None, query: Query) -> list[Hit]:
    """The first hit and the first later one of another story whose answers differ (see the
    module docstring); [] when they agree or either has no phrase. The later one's highlighted
    sentence must hold every question term the first's holds (the same claim about the same
    subject; "happened", "became", "old" only shape the question; at least MIN_SHARED_TERMS of them) and
    neither sentence the other's phrase. Places are left out: "in Libya" and "in Derna" are both
    right. A highlighted sentence's terms are its SentenceScore's words (the sentence cite
    highlights, a name's other spellings as the name), not tokenized again."""
    if not hits or hits[0].answer is None or question_type(query.text) not in DIFFERING_TYPES:
        return []
    if verb_roles(query.text):
        return []  # "who runs X": its chairman, its chief executive, last year's boss are all right answers
    asked = frozenset(query.tokens) | frozenset(query.aliases)
    top = hits[0]
    key, terms = phrase_key(rows[top.passage_id], sentences[top.passage_id], asked), _deaths_as_one(sentences[top.passage_id].words)
    content = _deaths_as_one(set(query.tokens) - _QUESTION_FORM)
    if len(terms & content) < max(MIN_SHARED_TERMS, MIN_SHARED_SHARE * len(content)):
        return []  # "Where is Derna?": any two sentences naming Derna would "differ"
    if not _said_of(rows[top.passage_id].text, sentences[top.passage_id], content):
        return []
    # the question's terms the sentence leaves to its story ("Its review forecasts growth of 6-6.5%"
    # in a story on India): another story's answer differs only when that story says them too
    about = (content - terms) & _story_terms(rows[top.passage_id])
    for hit in hits[1:]:
        if hit.answer is None or story_of(hit.passage_id, rows, stories) == story_of(top.passage_id, rows, stories):
            continue
        other, other_terms = phrase_key(rows[hit.passage_id], sentences[hit.passage_id], asked), \
            _deaths_as_one(sentences[hit.passage_id].words)
        if (key and other and not other <= terms and not key <= other_terms
                and terms & content <= other_terms
                and _said_of(rows[hit.passage_id].text, sentences[hit.passage_id], content)
                and not any(_another_office(rows[pid].text, sentences[pid].answer, asked)
                            for pid in (top.passage_id, hit.passage_id))
                and about <= _story_terms(rows[hit.passage_id])
                and _clock(rows[top.passage_id].text, top.answer) == _clock(rows[hit.passage_id].text, hit.answer)):
            return [top, hit]
    return []


def _story_terms(row: CitationRow) -> set[str]:
    """The terms of a passage and its title: what its story is about."""
    return _deaths_as_one(tokenize(row.title + " " + row.text))


def _clock(text: str, answer: tuple[int, int]) -> bool:
    """True when the phrase is a time of day ("1230 GMT", "10:30", "8pm"): the hour of a day
    another story gives as a date ("16 March") is no other answer."""
    return bool(_CLOCK.match(text[answer[0]:answer[1] + 5]))


def _said_of(text: str, sentence: SentenceScore, content: set[str]) -> bool:
    """True when the phrase's own clause holds a question term beside the phrase: the answer is
    said of what was asked. "his arrest ... in 1998 ..., and the death of his boyfriend Anselmo
    Feleppa" gives 1998 for the arrest, not for "when did anselmo feleppa die"; "But Nigel Williams
    told the Scottish Daily Mail" names who spoke, not whom Matt Williams was compared to."""
    if sentence.answer is None:
        return False
    (a, b), (p, q) = answer_clause(text, (sentence.start, sentence.end), sentence.answer), sentence.answer
    if not content.isdisjoint(_deaths_as_one(tokenize(text[a:p] + " " + text[q:b]))):
        return True
    # a predicate after an aside ("Sofian Qumu, a senior fighter who defected, had been killed"): its subject's clause
    return a > sentence.start and bool(_PREDICATE.match(text, a)) and \
        not content.isdisjoint(_deaths_as_one(tokenize(text[slice(*first_clause(text, (sentence.start, sentence.end)))])))

