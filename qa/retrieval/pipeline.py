"""The stages after retrieval, composed: fuse -> re-rank by sentences -> decide answered -> cite.

They read passages through a PassageSource: the index (qa.interfaces.IndexReader) for the Retriever, every passage
held in memory for the benchmarks' sweeps (which call `rank_candidates` on cached candidates with
`dataclasses.replace(settings, ...)`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from qa.retrieval.boundary import answer_past_boundary
from qa.retrieval.highlight import SentenceScore
from qa.retrieval.cite import cite
from qa.retrieval.duplicates import DateReader, fold
from qa.retrieval.fusion import fuse, rank
from qa.retrieval.rarity import missing_word_shares
from qa.retrieval.records import Candidates, Hit, Query
from qa.retrieval.rerank import ArticleWeights, article_weights, rerank, score_sentences, story_shares
from qa.retrieval.sentence_vectors import dense_evidence
from qa.retrieval.shown import complete, complete_next, could_be_shown
from qa.retrieval.snapshot import IndexSnapshot
from qa.retrieval.support import differing, support, support_rerank
from qa.retrieval.pasted import widen_pasted
from qa.retrieval.quoted import quoted_first, quoted_phrases
from qa.retrieval.verdict import AnswerSignals, Verdict, decide, keyword_coverage, missing_names
from qa.settings import RetrievalSettings
from qa.index.store import CitationRow, DocumentPassage


class PassageSource(Protocol):
    """Where the stages read passages from. A source may also have `sentence_vectors(passage_ids)`
    (the local index, the passages in memory): read by qa/retrieval/sentence_vectors.py when it has;
    and `passage_dates(passage_ids)` (the local index): the fold's dates without the rows."""

    def citation_rows(self, passage_ids: Sequence[int]) -> dict[int, CitationRow]: ...

    def passages_of_documents(self, doc_ids: Iterable[int]) -> list[DocumentPassage]: ...

    def same_document(self, passage_ids: Sequence[int]) -> bool: ...


class PassagesInMemory:
    """Every passage of one generation in memory (read once with store.all_citation_rows), and
    their sentence vectors when the index has them (stored blobs by passage id, and the dimension)."""

    def __init__(self, rows: Iterable[CitationRow], sentences: Mapping[int, bytes] | None = None, dim: int = 0) -> None:
        self.rows = {row.passage_id: row for row in rows}
        self.sentences, self.dim = sentences or {}, dim
        self.by_document: dict[int, list[int]] = {}
        for row in self.rows.values():
            self.by_document.setdefault(row.doc_id, []).append(row.passage_id)

    def citation_rows(self, passage_ids: Sequence[int]) -> dict[int, CitationRow]:
        return {pid: self.rows[pid] for pid in passage_ids if pid in self.rows}

    def passages_of_documents(self, doc_ids: Iterable[int]) -> list[DocumentPassage]:
        return [DocumentPassage(doc, pid) for doc in set(doc_ids) for pid in self.by_document.get(doc, [])]

    def sentence_vectors(self, passage_ids: Sequence[int]) -> dict:
        from qa.embedding.sentences import from_blob

        return {pid: from_blob(self.sentences[pid], self.dim) for pid in passage_ids if pid in self.sentences}

    def same_document(self, passage_ids: Sequence[int]) -> bool:
        docs = {self.rows[pid].doc_id for pid in passage_ids if pid in self.rows}
        return len(passage_ids) == 2 and len(docs) == 1


@dataclass(frozen=True)
class Ranking:
    """The outcome of the stages for one query: the k passages cited, best first, and the verdict."""

    hits: list[Hit]
    sentences: dict[int, SentenceScore]  # best sentence of every passage scored (the k, or the re-ranked depth; one that cannot be shown without its answer phrase, qa/retrieval/shown.py)
    signals: AnswerSignals | None  # what the answered rule read of the first hit; None: no passage found
    verdict: Verdict | None
    differ: list[Hit] = field(default_factory=list)  # hits whose answers differ (qa/retrieval/support.py); []: none

    @property
    def answered(self) -> bool:
        return self.verdict is not None and self.verdict.answered


def discount_context(weights: ArticleWeights, query: Query, snapshot: IndexSnapshot, factor: float,
                     missing: Mapping[str, float] | None = None) -> float:
    """A follow-up's borrowed words weigh `factor` x theirs in every article (in place); the
    question's weight as the sentences are then scored against. They found the story; the
    sentence that answers is the one with the question's own words ("who is her lawyer" after
    "whats snoop doggs real name": not the "real name" sentence the reader has just seen)."""
    for terms in weights.values():
        for term in query.context & terms.keys():
            terms[term] *= factor
    unknown = snapshot.unknown_idf
    missing = missing or {}
    return sum((snapshot.idf(t) or missing.get(t, unknown)) * (factor if t in query.context else 1.0)
               for t in set(query.tokens))


def missing_weights(snapshot: IndexSnapshot, query: Query, settings: RetrievalSettings,
                    rarity: bool = True) -> dict[str, float]:
    """What each question word no passage holds weighs in the question's weight: as its heaviest
    other spelling the index holds ("ceo" as "chief executive", "Muller" typed as the article's
    "Müller"), else as the rarest word, a plain English word that is not a name x its English
    rarity (qa/retrieval/rarity.py, settings.missing_word_rarity; `rarity` False: not, as by
    keywords only, where no cosine backs the coverage: held-out "false" -0.004). {}: all held."""
    unknown = [t for t in dict.fromkeys(query.tokens) if not snapshot.idf(t)]
    if not unknown:
        return {}
    lent: dict[str, float] = {}
    for alias, stem in query.aliases.items():
        lent[stem] = max(lent.get(stem, 0.0), snapshot.idf(alias))
    shares = missing_word_shares(query.text, query.names) if rarity and settings.missing_word_rarity else {}
    return {t: lent.get(t) or snapshot.unknown_idf * shares.get(t, 1.0) for t in unknown}


def lend_weights(weights: ArticleWeights, missing: Mapping[str, float]) -> None:
    """A question word no passage holds weighs, in each article's sentence weights, as
    missing_weights says (in place): else its weight is nought and the sentence that says it in
    another spelling ("chief executive" for "ceo", "Müller" for "Muller") gains nothing by it."""
    for held in weights.values():
        for term, weight in missing.items():
            if term in held and not held[term]:
                held[term] = weight


def _date_reader(source: PassageSource) -> DateReader:
    """The source's own look-up of passages' dates when it has one (the local index's reads no
    texts), else its citation rows' dates."""
    own = getattr(source, "passage_dates", None)
    if own is not None:
        return own
    return lambda passage_ids: {pid: row.date for pid, row in source.citation_rows(passage_ids).items()}


#: the modes whose head is re-ranked by its sentences: keyword search too (the UI's first question
#: while the model loads, `--mode bm25`): its sentences' words, answer types and support need no vector
RERANKED_MODES = ("hybrid", "bm25")


def keyword_rerank(settings: RetrievalSettings) -> RetrievalSettings:
    """The re-rank's weights for keyword search: its fused score is BM25 / best alone, spread over
    0..1 where the hybrid's BM25 part spans bm25_share, so the sentence evidence and the support
    are scaled by keyword_rerank_scale to weigh against it as they do in the hybrid."""
    scale = settings.keyword_rerank_scale
    return replace(settings, sentence_weight=settings.sentence_weight * scale,
                   support_weight=settings.support_weight * scale)


def rank_candidates(snapshot: IndexSnapshot, source: PassageSource, query: Query, candidates: Candidates,
                    mode: str, k: int, settings: RetrievalSettings,
                    stories: Mapping[int, int] | None = None) -> Ranking:
    """Fuse the candidates, fold copies of one story (`stories`: passage id -> story id, see
    qa/retrieval/duplicates.py), re-rank the best by their best sentence (hybrid), cite the first
    k and decide whether the first answers."""
    fused = fuse(candidates, mode, settings)
    ranked = rank(fused)
    if stories:
        ranked, fused = fold(ranked, fused, stories, _date_reader(source))
    depth = max(k, settings.rerank_depth) if mode in RERANKED_MODES else k
    quoted = quoted_phrases(query.text)  # '"hit our books"': the passages that say it first
    ranked = quoted_first(ranked, source.citation_rows, quoted)
    rows = source.citation_rows(ranked[:depth])
    doc_ids = {row.doc_id for row in rows.values()}
    doc_passages = source.passages_of_documents(doc_ids)
    weights = article_weights(snapshot, doc_passages, doc_ids, query.tokens, settings.article_share)
    missing = missing_weights(snapshot, query, settings, rarity=mode != "bm25")
    lend_weights(weights, missing)  # "ceo" as "chief executive" weighs, "Muller" as "Müller"
    total = snapshot.question_weight(query.tokens, missing)
    if query.context:
        total = discount_context(weights, query, snapshot, settings.follow_up_context, missing)

    def score(some: Mapping[int, CitationRow], before: Mapping[int, frozenset[str]] | None = None,
              pending: dict[int, Callable[[], SentenceScore]] | None = None) -> dict[int, SentenceScore]:
        dense = dense_evidence(source, some, query.vector, settings.sentence_vector_weight)
        return score_sentences(some, query.tokens, weights, total, settings, query.aliases, query.text, dense,
                               before, pending)

    reranked = mode in RERANKED_MODES and bool(query.tokens)
    weights_of_mode = settings if mode == "hybrid" else keyword_rerank(settings)
    pending: dict[int, Callable[[], SentenceScore]] = {}  # answer phrases left for the passages that may be shown
    sentences = score(rows, pending=pending if reranked else None)
    asked = frozenset(query.tokens) | frozenset(query.aliases)
    if reranked:
        shares = story_shares(snapshot, doc_ids, query.tokens)
        story = {pid: shares[row.doc_id] for pid, row in rows.items()}
        ranked, fused = rerank(ranked, fused, sentences, depth, weights_of_mode, candidates.bm25, story)
        complete(sentences, pending, could_be_shown(ranked, fused, depth, k, settings))
    counts = support(ranked[:depth], rows, sentences, stories, asked, query.names)
    if reranked:
        ranked, fused = support_rerank(ranked, fused, counts, depth, weights_of_mode)
        if settings.next_passage:
            complete_next(sentences, pending, rows, ranked)
            ranked, fused = answer_past_boundary(ranked, fused, rows, sentences, doc_passages,
                                                 source.citation_rows, score, settings.follow_share,
                                                 settings.next_passage_reach)
    ranked = quoted_first(ranked, source.citation_rows, quoted)
    complete(sentences, pending, ranked[:k])  # none left by could_be_shown's bound: the k shown have theirs
    hits = cite(ranked[:k], rows, widen_pasted(sentences, rows, ranked[:k], query.text), fused, candidates)
    if not hits:
        return Ranking(hits, sentences, None, None)
    for hit in hits:
        hit.support = counts.get(hit.passage_id, 0)
    differ = differing(hits, rows, sentences, stories, query)
    signals, verdict = _verdict(snapshot, source, query, candidates, mode, hits, sentences, settings)
    return Ranking(hits, sentences, signals, verdict, differ)


def _verdict(snapshot: IndexSnapshot, source: PassageSource, query: Query, candidates: Candidates, mode: str,
             hits: list[Hit], sentences: Mapping[int, SentenceScore],
             settings: RetrievalSettings) -> tuple[AnswerSignals, Verdict]:
    """What the answered rule reads of the first hit, and its verdict (every hit weak without one)."""
    agree = mode == "hybrid" and source.same_document(candidates.bm25_ranked[:1] + candidates.dense_ranked[:1])
    top = hits[0]
    coverage = keyword_coverage(snapshot, top.text, query.tokens, query.aliases,
                                missing_weights(snapshot, query, settings, rarity=mode != "bm25"))
    signals = AnswerSignals(top.dense_score, coverage, sentences[top.passage_id].match, agree,
                            missing_names((top.title, top.text), query.names, query.aliases))
    verdict = decide(signals, settings)
    for hit in hits:
        hit.weak = not verdict.answered
    return signals, verdict
