"""Quoted: a phrase typed in quotes is wanted as written. '"weapons of mass destruction"' or
'"hit our books"' asks for the passages that say it, word for word; the rankings weigh its words
one by one, and common words ("hit", "books") put stories that hold them apart first. The
candidates that hold every quoted phrase (case, punctuation and spacing aside) go first, in
their order, before the sentence re-ranking and again after it. One quoted word is no phrase
(often a scare quote, '"me" in media'): it is searched as a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from qa.index.store import CitationRow
from qa.index.text import normalize, word_run

_QUOTED = re.compile(r"[\"“”]([^\"“”]{1,300})[\"“”]")


def quoted_phrases(question: str) -> tuple[str, ...]:
    """The phrases of two words or more the question quotes, as word_run makes them."""
    found = (word_run(m.group(1)) for m in _QUOTED.finditer(question))
    return tuple(dict.fromkeys(p for p in found if len(p.split()) >= 2))


def quoted_first(ranked: list[int], rows: Callable[[Sequence[int]], Mapping[int, CitationRow]],
                 phrases: Sequence[str]) -> list[int]:
    """The ranked passage ids, those whose title or text holds every phrase first (each part in
    its order); unchanged when none does."""
    if not phrases:
        return ranked
    texts = rows(ranked)
    wanted = [word for p in phrases for word in p.split() if "'" not in word]
    holding = {pid for pid, row in texts.items() if _holds(f"{row.title}\n{row.text}", phrases, wanted)}
    if not holding:
        return ranked
    return [pid for pid in ranked if pid in holding] + [pid for pid in ranked if pid not in holding]


def _holds(text: str, phrases: Sequence[str], wanted: Sequence[str]) -> bool:
    """Whether the text's word_run holds every phrase. `wanted`: the phrases' words without an
    apostrophe, each in the text's folded form wherever the text holds it as a word (a word of
    the run is a word of the folded text, its ’ written ' and a possessive 's dropped), so a text
    lacking one is skipped before its words are split (~150 candidates a quoted question)."""
    folded = normalize(text).casefold()
    if not all(word in folded for word in wanted):
        return False
    run = word_run(text)
    return all(p in run for p in phrases)
