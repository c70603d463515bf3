"""How much a question word that no passage holds should weigh: by its rarity in English.

A word no passage holds counts in the question's weight (qa/retrieval/snapshot.py
question_weight) as the rarest word of the index: the articles lack it, so the verdict doubts
they answer. That is right for a name ("Apple" on an index about another company), wrong for a
plain word the articles say in other words: on a small index, "did qumu die" weighed "die" as much
as a name no article holds, though the article says Qumu "had been killed". So a missing word of
the English list that is not one of the question's (capitalised) names weighs
unknown_idf x its English rarity: log(most / its count) / log(most / least) over the list's
counts, 0 for the commonest word, 1 for the rarest; a word the list lacks weighs fully. Only with
a vector (qa/retrieval/pipeline.py missing_weights): by keywords only no cosine backs the coverage.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from functools import lru_cache

from qa.index.text import stem_of, words
from qa.retrieval.speller import english_columns, english_count


@lru_cache(maxsize=1)
def _log_span() -> tuple[float, float]:
    """(log of the list's largest count, log(largest / smallest)); (0, 0) when there is no list."""
    counts = [int(count) for count in english_columns()[1] if count.isdigit()]
    if not counts:
        return 0.0, 0.0
    top, least = max(counts), max(1, min(counts))
    return math.log(top), math.log(top / least)


def english_rarity(word: str) -> float:
    """0 (the commonest English word) .. 1 (the rarest, or a word the list lacks)."""
    count = english_count(word)  # the speller's table of the list, not a second one
    log_top, span = _log_span()
    if count <= 0 or span <= 0:
        return 1.0
    return min(1.0, (log_top - math.log(count)) / span)


def missing_word_shares(text: str, names: Collection[str]) -> dict[str, float]:
    """Stem -> the share of the rarest weight it counts for when no passage holds it: its English
    rarity for the question's words that are not its names (the rarest of its surface words when
    several share a stem); a stem absent here counts fully."""
    out: dict[str, float] = {}
    for word in words(text):
        stem = stem_of(word)
        if stem not in names:
            out[stem] = max(out.get(stem, 0.0), english_rarity(word))
    return out
