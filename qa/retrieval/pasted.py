"""Pasted: a paragraph of an article pasted as the query is highlighted whole.

A reporter who pastes two or three sentences wants their source, and to see them there: the
chosen sentence is one of them, and the highlight is widened over the sentences around it that
the query holds word for word (case, punctuation and spacing aside; at least MIN_WORDS words
each, so a short line like "he said." is no evidence). A query of one sentence, or a sentence
the query does not hold, keeps the highlight it had.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from qa.index.store import CitationRow
from qa.index.text import ANALYZER, word_run
from qa.retrieval.highlight import SentenceScore

#: a sentence of fewer words is too common to show the query was pasted from it
MIN_WORDS = 4


def pasted_span(text: str, span: tuple[int, int], query: str) -> tuple[int, int]:
    """The highlight (start, end) of `text` widened over the neighbouring sentences the query
    holds verbatim, when the sentence at `span` is one the query holds; else `span`."""
    held = _held(query)
    if held is None:
        return span
    spans = ANALYZER.analyse(text).spans

    def pasted(i: int) -> bool:
        sentence = word_run(text[spans[i][0]:spans[i][1]])
        return len(sentence.split()) >= MIN_WORDS and sentence in held

    at = next((i for i, (start, end) in enumerate(spans) if start <= span[0] < end), None)
    if at is None or not pasted(at):
        return span
    first, last = at, at
    while first > 0 and pasted(first - 1):
        first -= 1
    while last + 1 < len(spans) and pasted(last + 1):
        last += 1
    return (spans[first][0], max(spans[last][1], span[1])) if (first, last) != (at, at) else span


@lru_cache(maxsize=16)
def _held(query: str) -> str | None:
    """The query's word_run, None when it is too short to hold two pasted sentences (cached: each
    cited passage of a question asks for it)."""
    held = word_run(query)
    return None if len(held.split()) < 2 * MIN_WORDS else held


def widen_pasted(sentences: Mapping[int, SentenceScore], rows: Mapping[int, CitationRow],
                 cited: Sequence[int], query: str) -> dict[int, SentenceScore]:
    """The chosen sentences, those of the cited passages widened over what the query pasted."""
    out = dict(sentences)
    for pid in cited:
        if pid in rows and pid in out:
            start, end = pasted_span(rows[pid].text, (out[pid].start, out[pid].end), query)
            out[pid] = out[pid]._replace(start=start, end=end)
    return out
