"""Choosing the sentence of a passage that best answers the question.

Each sentence is scored by the inverse document frequency of the question's terms it holds
(rare words such as names count most), so the sentence sharing the question's most telling
words wins; ties go to the earlier sentence.
"""

from __future__ import annotations

from collections.abc import Callable

from qa.sentences import sentence_spans
from qa.text import tokenize


def best_sentence(passage_text: str, query_tokens: list[str], idf: Callable[[str], float]) -> tuple[int, int]:
    """(start, end) of the best sentence, relative to the passage text."""
    spans = sentence_spans(passage_text)
    if not spans:
        return 0, len(passage_text)
    wanted = set(query_tokens)
    best, best_score = spans[0], 0.0
    for start, end in spans:
        found = wanted.intersection(tokenize(passage_text[start:end]))
        score = sum(idf(t) for t in found)
        if score > best_score + 1e-9:
            best, best_score = (start, end), score
    return best
