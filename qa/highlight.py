"""Choosing the sentence of a passage that best answers the question, and scoring it.

Each sentence is scored by the share of the question's term weight (inverse document frequency:
names and rare words count most) that it holds, plus a smaller share (bigram_weight) for the
question's word pairs that stand side by side in it too (word order as a cheap proximity signal).
The sentence with the highest score is highlighted; ties go to the earlier sentence. The same
score re-ranks the best hybrid passages (qa/retrieval/rerank.py).

A word's weight also depends on its own article (article_factor): a word found in every
passage of an article (its subject, "Super Bowl" in an article on the Super Bowl) says which
article but not which passage, so within that article it counts for less than a word only one
passage holds. The weights (bigram_weight, the article share) are in qa/settings.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import NamedTuple

from qa.sentences import sentence_spans
from qa.text import tokenize


class SentenceScore(NamedTuple):
    """The best sentence of a passage: its span relative to the passage text, and its score."""

    start: int
    end: int
    score: float


def article_factor(passages: int, holding: int, share: float) -> float:
    """How much of a word's weight it keeps in an article of `passages` passages of which
    `holding` hold it: 1 when one passage holds it (or the article has one passage), down to
    1 - share as every passage does. The rarity is BM25's IDF within the article, divided by its
    value for a word held once."""
    if passages <= 1 or holding <= 1:
        return 1.0
    rarity = math.log1p((passages - holding + 0.5) / (holding + 0.5)) / math.log1p((passages - 0.5) / 1.5)
    return 1.0 - share + share * rarity


def scored_best_sentence(passage_text: str, query_tokens: list[str], weight: Callable[[str], float],
                         total_weight: float, bigram_weight: float,
                         aliases: Mapping[str, str] | None = None) -> SentenceScore:
    """The best sentence: the share of total_weight its question terms carry, plus
    bigram_weight x the share of the question's term pairs it holds side by side. aliases: other
    spellings of the question's names (stem -> the name's stem), counted as the name."""
    spans = sentence_spans(passage_text)
    if not spans:
        return SentenceScore(0, len(passage_text), 0.0)
    wanted = set(query_tokens)
    pairs = set(zip(query_tokens, query_tokens[1:]))
    (best_start, best_end), best_score = spans[0], 0.0
    for start, end in spans:
        tokens = tokenize(passage_text[start:end])
        if aliases:
            tokens = [aliases.get(t, t) for t in tokens]
        score = sum(weight(t) for t in wanted.intersection(tokens)) / total_weight if total_weight else 0.0
        if pairs:
            score += bigram_weight * len(pairs.intersection(zip(tokens, tokens[1:]))) / len(pairs)
        if score > best_score + 1e-9:
            best_start, best_end, best_score = start, end, score
    return SentenceScore(best_start, best_end, best_score)
