"""The answer past the passage boundary: when the first passage ends on the sentence that
repeats the question and the answer comes after it, the next passage of the same article cites it.

A passage is cut at about 120 words; a wire story's lead ("Deputy oil ministers ... ended a
meeting here") can close one passage while the sentence naming the chairman opens the next. The
first passage's chosen sentence is then its last, a lead, and holds no phrase of the type the question asks
for (qa/retrieval/answer_types.py). The next passage of its document (its first sentence is that
same sentence again when chunks overlap) is scored the same way (qa/retrieval/rerank.py): its lead
yields to the sentence after it that holds such a phrase (highlight.py's follow rule). A next
passage that does not repeat the lead (a BBC story: the title and the lead are a passage of their
own) reads the lead's words as its first sentence's context, as the sentence after a lead would
("Pranab Mukherjee said ..." after "India's defence minister has opened ... Aero India"). When the
sentence it chooses is one of the first `reach` past the first passage's end and holds a phrase,
the next passage is cited first, with the first passage's score, the first passage second. Only
the first passage is looked past: one more row read, one more passage scored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from qa.retrieval.highlight import SentenceScore, opens_paragraph
from qa.index.store import CitationRow, DocumentPassage
from qa.index.text import ANALYZER

#: reads citation rows by passage id (PassageSource.citation_rows)
RowReader = Callable[[Sequence[int]], dict[int, CitationRow]]
#: scores passages' sentences (qa/retrieval/rerank.py score_sentences, the question bound), with
#: per passage the terms of the text before it (its first sentence's context)
Scorer = Callable[[Mapping[int, CitationRow], Mapping[int, frozenset[str]] | None], dict[int, SentenceScore]]


def ends_unanswered(row: CitationRow, sentence: SentenceScore) -> bool:
    """True when the passage's chosen sentence is its last, opens its paragraph (a lead, as the
    follow rule of highlight.py asks) and holds no answer phrase."""
    return (sentence.answer is None and not row.text[sentence.end:].strip()
            and opens_paragraph(row.text, sentence.start))


def next_passage(row: CitationRow, doc_passages: Sequence[DocumentPassage], read: RowReader) -> CitationRow | None:
    """The passage that follows `row` in its document (ids are given in reading order when a
    document is indexed; checked against the offsets), or None: the last, or not adjacent."""
    later = [p.passage_id for p in doc_passages if p.doc_id == row.doc_id and p.passage_id > row.passage_id]
    if not later:
        return None
    following = read([min(later)]).get(min(later))
    if following is None or not row.start < following.start or following.paragraph > row.paragraph_end + 1:
        return None
    return following


def new_sentences(row: CitationRow, end: int) -> list[int]:
    """Where the passage's sentences starting at or past `end` (a file offset: the previous
    passage's end) start, relative to its text, in order."""
    return [start for start, _ in ANALYZER.analyse(row.text).spans if row.start + start >= end]


def answer_past_boundary(ranked: list[int], fused: dict[int, float], rows: dict[int, CitationRow],
                         sentences: dict[int, SentenceScore], doc_passages: Sequence[DocumentPassage],
                         read: RowReader, score: Scorer, share: float,
                         reach: int = 1) -> tuple[list[int], dict[int, float]]:
    """The ranking with the first passage's next passage first when the answer starts past the
    first's end (see the module docstring); `rows` and `sentences` gain its row and sentence. The
    next passage is scored with the lead's words as its first sentence's context (a passage that
    does not repeat the lead: "Pranab Mukherjee said ..." after "India's defence minister has
    opened ..."); its chosen sentence must be one of its first `reach` new ones and score at least
    `share` of the first's (the follow rule's share)."""
    if not ranked or ranked[0] not in rows or ranked[0] not in sentences:
        return ranked, fused
    top = rows[ranked[0]]
    if not ends_unanswered(top, sentences[top.passage_id]):
        return ranked, fused
    following = next_passage(top, doc_passages, read)
    if following is None:
        return ranked, fused
    fresh = new_sentences(following, top.end)
    lead = {following.passage_id: sentences[top.passage_id].words} if fresh[:1] == [0] and reach > 0 else None
    chosen = (None if lead else sentences.get(following.passage_id)) \
        or score({following.passage_id: following}, lead)[following.passage_id]
    if (chosen.answer is None or chosen.start not in fresh[:max(reach, 1)]
            or chosen.score < share * sentences[top.passage_id].score):
        return ranked, fused
    rows[following.passage_id], sentences[following.passage_id] = following, chosen
    fused = dict(fused)
    fused[following.passage_id] = max(fused.get(following.passage_id, fused[top.passage_id]), fused[top.passage_id])
    return [following.passage_id] + [pid for pid in ranked if pid != following.passage_id], fused
