"""Decide answered: does the best passage answer the question, or do the articles not hold it?

With a vector, the best passage answers when cosine + coverage_weight x keyword coverage +
sentence_answer_weight x its best sentence's score (+ agreement_weight when the best BM25 and the
best dense passage are from one article) reaches min_answer_score: the cosine alone cannot tell an
article on the question's topic from one that names its subject; the coverage (share of the
question's IDF weight the passage holds, words no passage has counting as the rarest, a plain
English word by its rarity, a name held in another spelling as that: qa/retrieval/pipeline.py
missing_weights) drops when
the question's names are absent, and the sentence score when they are scattered, not said
together; two independent rankings pointing at one article is evidence the articles cover the
question. Minus missing_name_weight x the share of the question's names (capitalised words after
the first) that neither the passage nor its title holds: a passage on another company's chief
executive does not answer "Who is the chief executive of Apple?". By keywords only, the coverage must reach min_keyword_coverage.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from qa.retrieval.snapshot import IndexSnapshot
from qa.settings import RetrievalSettings
from qa.index.text import ANALYZER


class AnswerSignals(NamedTuple):
    """What the rule reads of the best passage."""

    cosine: float | None  # None: keyword-only search
    coverage: float  # keyword_coverage of its text
    sentence: float  # its best sentence's score
    agree: bool  # the two rankings' first passages are from one article (hybrid only)
    missing_names: float = 0.0  # share of the question's names absent from it (title and text)


class Verdict(NamedTuple):
    answered: bool  # value >= threshold
    value: float  # what the rule compares with its threshold
    threshold: float


def keyword_coverage(snapshot: IndexSnapshot, text: str, tokens: list[str],
                     aliases: Mapping[str, str] | None = None, missing: Mapping[str, float] | None = None) -> float:
    """Share of the question's IDF weight that the text holds (a name's other spelling, in
    aliases, counting as the name; a word no passage holds weighing as `missing` says)."""
    total = snapshot.question_weight(tokens, missing)
    if not total:
        return 0.0
    have = set(tokens).intersection(_terms(text, aliases))
    missing = missing or {}
    return sum(snapshot.idf(t) or missing.get(t, 0.0) for t in have) / total


def missing_names(texts: str | tuple[str, ...], names: tuple[str, ...],
                  aliases: Mapping[str, str] | None = None) -> float:
    """Share of the question's names (stems) that the texts (e.g. a passage's title and text)
    do not hold in any spelling."""
    if not names:
        return 0.0
    held = set().union(*(_terms(text, aliases) for text in ((texts,) if isinstance(texts, str) else texts)))
    return len(set(names).difference(held)) / len(names)


def _terms(text: str, aliases: Mapping[str, str] | None) -> set[str]:
    """The text's tokens (qa/index/text.py's analysis, cached: the passage's sentences were scored
    from the same pass), a name's other spellings added as the name."""
    tokens = ANALYZER.analyse(text).tokens
    return set(tokens).union(aliases[t] for t in tokens if t in aliases) if aliases else set(tokens)


def decide(signals: AnswerSignals, settings: RetrievalSettings) -> Verdict:
    """The verdict on the best passage."""
    cosine, coverage, sentence, agree, missing = signals
    if cosine is None:
        return Verdict(coverage >= settings.min_keyword_coverage, coverage, settings.min_keyword_coverage)
    value = (cosine + settings.coverage_weight * coverage + settings.sentence_answer_weight * sentence
             + settings.agreement_weight * agree - settings.missing_name_weight * missing)
    return Verdict(value >= settings.min_answer_score, value, settings.min_answer_score)
