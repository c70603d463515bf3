"""Hybrid retrieval: BM25 and dense rankings fused, with citations and a highlighted sentence.

The Searcher holds one generation of the index in memory (BM25 weights and the vector index);
passage texts and citations are read from the database for the few passages returned. When a
reindex commits a new generation, the next question reloads it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa import store, vectors
from qa.bm25 import BM25Index, best_positive
from qa.errors import IndexCorrupt, IndexMismatch, QAError
from qa.highlight import article_factor, scored_best_sentence
from qa.text import tokenize

#: candidates taken from each ranking before fusion
CANDIDATES = 100
#: how the two rankings are combined: "convex" (weighted sum of normalized scores) or "rrf"
FUSION = "convex"
#: convex fusion: share of the BM25 score (divided by the best BM25 score); the cosine gets the rest
BM25_SHARE = 0.3
#: reciprocal rank fusion constant (Cormack et al. 2009)
RRF_K = 60
#: rrf weights of the two rankings
BM25_WEIGHT = 1.0
DENSE_WEIGHT = 1.0
#: the best passage answers when cosine + COVERAGE_WEIGHT * keyword coverage + SENTENCE_ANSWER_WEIGHT
#: * its best sentence's score (+ AGREEMENT_WEIGHT when hybrid and both rankings agree) reaches
#: MIN_ANSWER_SCORE: the cosine alone cannot tell an article on the question's topic from one that
#: names its subject; the coverage (share of the question's IDF weight the passage holds, words no
#: passage has counting as the rarest) drops when the question's names are absent, and the
#: sentence score when they are scattered, not said together. The rankings agree when the best
#: BM25 passage and the best dense passage are from the same article: two independent signals
#: pointing at one article is evidence the articles cover the question
COVERAGE_WEIGHT = 0.5
SENTENCE_ANSWER_WEIGHT = 0.4
AGREEMENT_WEIGHT = 0.1
MIN_ANSWER_SCORE = 0.895
#: share of the question's term weight the best passage must hold when searching by keywords only
MIN_KEYWORD_COVERAGE = 0.6
#: hybrid: the best fused passages are re-scored by their best sentence. SENTENCE_WEIGHT x that
#: sentence's score (qa/highlight.py: the share of the question's term weight one sentence holds,
#: each word weighed within its own article, plus a share for its word pairs in order) is added
#: to their fused score, so of two passages on the topic the one that says the question's
#: distinctive words together wins
RERANK_DEPTH = 10
SENTENCE_WEIGHT = 0.4


@dataclass
class Hit:
    rank: int
    passage_id: int
    title: str
    path: str  # absolute path of the source file
    paragraph: int
    paragraph_end: int
    start: int
    end: int
    text: str
    score: float
    bm25_score: float
    dense_score: float | None
    highlight_start: int  # document coordinates
    highlight_end: int
    weak: bool = False

    @property
    def source(self) -> str:
        """The path as a user would type it: relative to the working directory when inside it."""
        return display_path(self.path)

    def as_json(self) -> dict[str, object]:
        return {
            "rank": self.rank, "title": self.title, "source": self.source, "paragraph": self.paragraph,
            "paragraph_end": self.paragraph_end, "start": self.start, "end": self.end, "text": self.text,
            "score": round(self.score, 6), "bm25": round(self.bm25_score, 4),
            "dense": None if self.dense_score is None else round(self.dense_score, 4),
            "highlight": {"start": self.highlight_start, "end": self.highlight_end}, "weak": self.weak,
        }


@dataclass
class Answer:
    question: str
    answered: bool
    hits: list[Hit] = field(default_factory=list)
    mode: str = "hybrid"  # or "keyword" when no model is loaded

    def as_json(self) -> dict[str, object]:
        return {"question": self.question, "answered": self.answered, "mode": self.mode,
                "passages": [h.as_json() for h in self.hits]}


def fuse_rrf(rankings: list[tuple[float, list[int]]], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion: each list adds weight / (k + rank) to the ids it holds."""
    fused: dict[int, float] = {}
    for weight, ranked in rankings:
        for rank, pid in enumerate(ranked):
            fused[pid] = fused.get(pid, 0.0) + weight / (k + rank + 1)
    return fused


def fuse_convex(bm25_scores: dict[int, float], dense_scores: dict[int, float], bm25_share: float) -> dict[int, float]:
    """share * BM25 / best BM25 + (1 - share) * cosine, over the ids of either dict.

    Unlike rank fusion this keeps how far apart the scores are: a passage far ahead on one
    signal is not pulled level with one that merely ranks next to it (Bruch et al. 2023,
    "An analysis of fusion functions for hybrid retrieval"). An id missing from a dict scores 0 there.
    """
    best = max(bm25_scores.values(), default=0.0)
    scale = bm25_share / best if best > 0 else 0.0
    return {pid: scale * bm25_scores.get(pid, 0.0) + (1 - bm25_share) * dense_scores.get(pid, 0.0)
            for pid in bm25_scores.keys() | dense_scores.keys()}


def display_path(path: str) -> str:
    cwd = os.getcwd()
    if path.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(path, cwd)
    return path


class Searcher:
    """Answers questions from one index folder."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._conn = store.connect(self.index_dir)
        self.generation = -1
        self._load()

    # -- loading ---------------------------------------------------------------------
    def _load(self) -> None:
        for attempt in range(3):
            meta = store.read_meta(self._conn)
            if meta is None:
                raise QAError(f"the index in {self.index_dir}/ is empty; build it with: qa index PATH")
            store.check_format(meta, self.index_dir)
            try:
                index = vectors.load(meta.vector_file(self.index_dir))
                break
            except IndexCorrupt:
                # a reindex may have switched generations between reading meta and the file
                if attempt == 2 or store.read_meta(self._conn) == meta:
                    raise
        counts = store.load_term_counts(self._conn, meta, self.index_dir)
        if index.ntotal != len(counts.passage_ids):
            raise IndexCorrupt(f"the index in {self.index_dir}/ is inconsistent ({index.ntotal} vectors, "
                               f"{len(counts.passage_ids)} passages); rebuild with: qa index --rebuild")
        self.meta = meta
        self.generation = meta.generation
        self.passage_ids = counts.passage_ids
        self.bm25 = BM25Index.from_counts(counts)
        # the weight of a question word no passage holds: as rare as the rarest known word
        self._unknown_idf = float(self.bm25.idf.max()) if self.bm25.idf.size else 1.0
        self.vectors = index

    def refresh(self) -> bool:
        """Reload if a reindex committed a new generation; True when it did."""
        meta = store.read_meta(self._conn)
        if meta is not None and meta.generation != self.generation:
            self._load()
            return True
        return False

    @property
    def model(self) -> str:
        return self.meta.model

    @property
    def passage_count(self) -> int:
        return int(self.passage_ids.size)

    def check_model(self, model: str | None) -> None:
        if model and model != self.meta.model:
            raise IndexMismatch(f"the index was built with {self.meta.model}, not {model}; "
                                f"rebuild it with: qa index --rebuild --model {model}")

    def _idf(self, token: str) -> float:
        col = self.bm25.vocabulary.get(token)
        return float(self.bm25.idf[col]) if col is not None else 0.0

    # -- answering ---------------------------------------------------------------------
    def search(self, question: str, k: int = 3, embedder: object | None = None,
               mode: str = "hybrid", query: str | None = None) -> Answer:
        """Top k passages for the question. `query`, when given, is what is searched for
        (e.g. the question with context from earlier ones); mode: hybrid, bm25 or dense."""
        self.refresh()
        query = question if query is None else query
        if not question.strip():
            raise QAError("the question is empty; type a question")
        if embedder is None and mode != "bm25":
            mode = "bm25"
        tokens = tokenize(query)
        bm25_ranked: list[int] = []
        bm25_scores: dict[int, float] = {}
        all_bm25 = None
        if mode in ("hybrid", "bm25") and tokens:
            all_bm25 = self.bm25.scores(tokens)
            positions, scores = best_positive(all_bm25, CANDIDATES)
            bm25_ranked = [int(self.passage_ids[p]) for p in positions]
            bm25_scores = dict(zip(bm25_ranked, map(float, scores)))
        dense_ranked: list[int] = []
        dense_scores: dict[int, float] = {}
        qvec = None
        if mode in ("hybrid", "dense"):
            qvec = embedder.encode([query])[0]
            ids, scores = vectors.search(self.vectors, qvec, CANDIDATES)
            dense_ranked = [int(i) for i in ids]
            dense_scores = dict(zip(dense_ranked, map(float, scores)))
        if mode == "hybrid" and FUSION == "convex":
            self._complete(bm25_scores, dense_scores, all_bm25, qvec)
            fused = fuse_convex(bm25_scores, dense_scores, BM25_SHARE)
        else:
            fused = fuse_rrf([(BM25_WEIGHT, bm25_ranked), (DENSE_WEIGHT, dense_ranked)])
        ranked = sorted(fused, key=lambda pid: -fused[pid])
        depth = max(k, RERANK_DEPTH) if mode == "hybrid" else k
        rows = self._rows(ranked[:depth])
        total = self._question_weight(tokens)
        weights = self._article_weights({row[1] for row in rows.values()}, tokens)
        sentences = {pid: scored_best_sentence(row[-1], tokens, weights[row[1]].__getitem__, total)
                     for pid, row in rows.items()}
        if mode == "hybrid" and tokens:
            for pid in ranked[:RERANK_DEPTH]:
                if pid in sentences:
                    fused[pid] += SENTENCE_WEIGHT * sentences[pid][2]
            ranked[:depth] = sorted(ranked[:depth], key=lambda pid: -fused[pid])
        hits = self._hits(ranked[:k], rows, sentences, fused, bm25_scores, dense_scores, qvec)
        agree = mode == "hybrid" and self._same_article(bm25_ranked[:1] + dense_ranked[:1])
        answered = bool(hits) and self._is_answer(hits[0], tokens, sentences[hits[0].passage_id][2], agree)
        for hit in hits:
            hit.weak = not answered
        return Answer(question, answered, hits, "hybrid" if mode == "hybrid" else mode if mode == "dense" else "keyword")

    def _complete(self, bm25_scores: dict[int, float], dense_scores: dict[int, float],
                  all_bm25: np.ndarray | None, qvec: np.ndarray) -> None:
        """Give every candidate of either list its score in the other (0 BM25 when no term matches)."""
        missing_bm25 = [pid for pid in dense_scores if pid not in bm25_scores]
        if missing_bm25 and all_bm25 is not None:
            positions = np.searchsorted(self.passage_ids, missing_bm25)
            bm25_scores.update(zip(missing_bm25, map(float, all_bm25[positions])))
        for pid in bm25_scores:
            if pid not in dense_scores:
                dense_scores[pid] = float(self.vectors.reconstruct(pid) @ qvec)

    def _is_answer(self, hit: Hit, tokens: list[str], sentence: float | None = None, agree: bool = False) -> bool:
        """sentence: the hit's best sentence score, when the caller has it already; agree: the
        two rankings' best passages are from one article."""
        if hit.dense_score is not None:
            if sentence is None:
                sentence = scored_best_sentence(hit.text, tokens, self._idf, self._question_weight(tokens))[2]
            return (hit.dense_score + COVERAGE_WEIGHT * self._coverage(hit.text, tokens)
                    + SENTENCE_ANSWER_WEIGHT * sentence + AGREEMENT_WEIGHT * agree) >= MIN_ANSWER_SCORE
        return self._coverage(hit.text, tokens) >= MIN_KEYWORD_COVERAGE

    def _same_article(self, ids: list[int]) -> bool:
        """True when these two passages are from one document."""
        if len(ids) != 2:
            return False
        docs = self._conn.execute("SELECT DISTINCT doc_id FROM passages WHERE id IN (?, ?)", ids).fetchall()
        return len(docs) == 1

    def _article_weights(self, doc_ids: set[int], tokens: list[str]) -> dict[int, dict[str, float]]:
        """Per document, each question term's weight in it: its IDF times article_factor (how few
        of the document's passages hold it), from the in-memory BM25 postings."""
        terms = sorted(set(tokens))
        out = {doc: {t: self._idf(t) for t in terms} for doc in doc_ids}
        known = [t for t in terms if t in self.bm25.vocabulary]
        if not doc_ids or not known:
            return out
        marks = ",".join("?" * len(doc_ids))
        pairs = np.array(self._conn.execute(
            f"SELECT doc_id, id FROM passages WHERE doc_id IN ({marks})", sorted(doc_ids)).fetchall(), dtype=np.int64)
        if pairs.size == 0 or self.passage_ids.size == 0:
            return out
        positions = np.searchsorted(self.passage_ids, pairs[:, 1])
        last = self.passage_ids.size - 1
        inside = self.passage_ids[np.minimum(positions, last)] == pairs[:, 1]  # not removed meanwhile
        docs, positions = pairs[inside, 0], positions[inside]
        sizes = dict(zip(*np.unique(docs, return_counts=True)))
        weights = self.bm25.weights  # terms x passages, each row's passage positions sorted
        for term in known:
            col = self.bm25.vocabulary[term]
            postings = weights.indices[weights.indptr[col]:weights.indptr[col + 1]]
            if postings.size == 0:
                continue
            at = np.minimum(np.searchsorted(postings, positions), postings.size - 1)
            held = postings[at] == positions
            holding = dict(zip(*np.unique(docs[held], return_counts=True)))
            for doc in doc_ids:
                out[doc][term] *= article_factor(int(sizes.get(doc, 1)), int(holding.get(doc, 0)))
        return out

    def _question_weight(self, tokens: list[str]) -> float:
        """The IDF weight of the question's distinct terms, a word no passage has counting as the rarest."""
        return sum(self._idf(t) or self._unknown_idf for t in set(tokens))

    def _coverage(self, text: str, tokens: list[str]) -> float:
        total = self._question_weight(tokens)
        if not total:
            return 0.0
        have = set(tokens).intersection(tokenize(text))
        return sum(self._idf(t) for t in have) / total

    def _rows(self, ids: list[int]) -> dict[int, tuple]:
        """Citation rows (id, doc_id, title, path, paragraph, paragraph_end, start, end, text) by passage id;
        an id a reindex removed meanwhile is absent."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {r[0]: r for r in self._conn.execute(
            "SELECT p.id, p.doc_id, d.title, d.path, p.paragraph, p.paragraph_end, p.start, p.end, p.text "
            f"FROM passages p JOIN documents d ON d.id = p.doc_id WHERE p.id IN ({marks})", ids)}

    def _hits(self, ids: list[int], rows: dict[int, tuple], sentences: dict[int, tuple[int, int, float]],
              fused: dict[int, float], bm25_scores: dict[int, float], dense_scores: dict[int, float],
              qvec: np.ndarray | None) -> list[Hit]:
        hits = []
        for pid in ids:
            row = rows.get(pid)
            if row is None:  # removed by a reindex that committed meanwhile
                continue
            _, _, title, path, paragraph, paragraph_end, start, end, text = row
            dense = dense_scores.get(pid)
            if dense is None and qvec is not None:
                dense = float(self.vectors.reconstruct(pid) @ qvec)
            h_start, h_end, _ = sentences[pid]
            hits.append(Hit(len(hits) + 1, pid, title, path, paragraph, paragraph_end, start, end, text,
                            fused[pid], bm25_scores.get(pid, 0.0), dense, start + h_start, start + h_end))
        return hits

    def documents(self) -> list[tuple[str, str, int]]:
        """(title, path, passages) of every indexed document, by path."""
        return [(t, p, n) for t, p, n in self._conn.execute(
            "SELECT d.title, d.path, count(p.id) FROM documents d LEFT JOIN passages p ON p.doc_id = d.id "
            "GROUP BY d.id ORDER BY d.path")]

    def close(self) -> None:
        self._conn.close()
