"""BM25 (Okapi) with rank-bm25's exact scores, computed from sparse matrices.

rank_bm25.BM25Okapi loops over every passage in Python for each query (~200 ms at 100k
passages). The score of a passage is a sum over query terms of a per-(term, passage) weight that
does not depend on the query, so the weights are computed once into a CSR matrix (terms x
passages) and a query sums a few rows. Same formula; its parameters (k1, b, the epsilon floor for
negative idf) are constructor arguments, defaulting to qa/settings.py; tests compare it with BM25Okapi.get_scores.

The raw term counts (passages x terms) are what the index stores (`TermCounts`, one .npz file
per generation, read without pickle): adding or removing an article edits a few rows, and the
weights, which depend on corpus-wide statistics, are recomputed from them in one vectorized pass.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from qa.settings import DEFAULT_SETTINGS

# Not rank-bm25's defaults (1.5, 0.75) but Anserini's values for passages (RetrievalSettings.k1/b):
# on the SQuAD benchmark (BENCHMARKS.md) they lift answer-hit@1 from 0.729 to 0.751 (BM25 alone)
# and from 0.758 to 0.780 (hybrid). Passages are short and alike in length.
K1, B, EPSILON = DEFAULT_SETTINGS.bm25_params


@dataclass
class TermCounts:
    """Term counts of every passage: row i belongs to passage_ids[i] (ascending ids)."""

    passage_ids: np.ndarray  # int64
    matrix: sparse.csr_matrix  # passages x terms, float32 counts
    vocabulary: dict[str, int]

    @classmethod
    def build(cls, passage_ids: Sequence[int], documents: Sequence[Sequence[str]],
              vocabulary: dict[str, int] | None = None) -> "TermCounts":
        vocab = dict(vocabulary) if vocabulary else {}
        cols: list[int] = []
        indptr = np.zeros(len(documents) + 1, dtype=np.int64)
        for j, tokens in enumerate(documents):
            cols.extend(vocab.setdefault(t, len(vocab)) for t in tokens)
            indptr[j + 1] = len(cols)
        matrix = sparse.csr_matrix((np.ones(len(cols), dtype=np.float32), np.asarray(cols, dtype=np.int64), indptr),
                                   shape=(len(documents), len(vocab)))
        matrix.sum_duplicates()
        return cls(np.asarray(passage_ids, dtype=np.int64), matrix, vocab)

    def lengths(self) -> np.ndarray:
        return np.asarray(self.matrix.sum(axis=1)).ravel()

    def edit(self, remove_ids: Sequence[int], add_ids: Sequence[int],
             add_documents: Sequence[Sequence[str]]) -> "TermCounts":
        """A copy without the passages `remove_ids`, plus new passages (ids above all current)."""
        keep = ~np.isin(self.passage_ids, np.asarray(remove_ids, dtype=np.int64))
        added = TermCounts.build(add_ids, add_documents, self.vocabulary)
        old = self.matrix[keep]
        old.resize((old.shape[0], len(added.vocabulary)))
        matrix = sparse.vstack([old, added.matrix], format="csr", dtype=np.float32)
        ids = np.concatenate([self.passage_ids[keep], added.passage_ids])
        return TermCounts(ids, matrix, added.vocabulary).compact()

    def compact(self) -> "TermCounts":
        """Drop terms no passage holds any more (left behind by removed passages)."""
        used = np.bincount(self.matrix.indices, minlength=len(self.vocabulary)) > 0
        if used.all():
            return self
        remap = np.cumsum(used) - 1
        matrix = sparse.csr_matrix((self.matrix.data, remap[self.matrix.indices], self.matrix.indptr),
                                   shape=(self.matrix.shape[0], int(used.sum())))
        terms = [t for t, i in sorted(self.vocabulary.items(), key=lambda kv: kv[1]) if used[i]]
        return TermCounts(self.passage_ids, matrix, {t: i for i, t in enumerate(terms)})

    def save(self, path: Path) -> None:
        """Write atomically (temporary file, fsync, rename), in numpy's format: no pickle."""
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as handle:
            np.savez(handle, passage_ids=self.passage_ids, data=self.matrix.data, indices=self.matrix.indices,
                     indptr=self.matrix.indptr, shape=np.asarray(self.matrix.shape, dtype=np.int64),
                     vocabulary=np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "TermCounts":
        with np.load(path, allow_pickle=False) as data:
            text = data["vocabulary"].tobytes().decode("utf-8")
            terms = text.split("\n") if text else []
            shape = tuple(int(x) for x in data["shape"])
            matrix = sparse.csr_matrix((data["data"], data["indices"], data["indptr"]), shape=shape)
            ids = data["passage_ids"]
        if len(terms) != shape[1] or len(ids) != shape[0]:
            raise ValueError("term counts do not match their vocabulary or passages")
        return cls(ids, matrix, {t: i for i, t in enumerate(terms)})


class BM25Index:
    """Scores passages (in the order they were given) for a query's tokens."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = K1, b: float = B,
                 epsilon: float = EPSILON) -> None:
        counts = TermCounts.build(range(len(documents)), documents)
        self._init(counts.matrix, counts.vocabulary, k1, b, epsilon)

    @classmethod
    def from_counts(cls, counts: TermCounts, k1: float = K1, b: float = B, epsilon: float = EPSILON) -> "BM25Index":
        index = cls.__new__(cls)
        index._init(counts.matrix, counts.vocabulary, k1, b, epsilon)
        return index

    def _init(self, counts: sparse.csr_matrix, vocabulary: dict[str, int], k1: float, b: float,
              epsilon: float) -> None:
        self.vocabulary = vocabulary
        self.size = counts.shape[0]
        n_terms = len(vocabulary)
        if counts.nnz == 0 or self.size == 0:
            self.weights = sparse.csr_matrix((n_terms, self.size), dtype=np.float32)
            self.idf = np.zeros(n_terms)
            return
        df = np.bincount(counts.indices, minlength=n_terms).astype(np.float64)
        idf = np.log(self.size - df + 0.5) - np.log(df + 0.5)
        idf[idf < 0] = epsilon * idf.mean()
        self.idf = idf
        lengths = np.asarray(counts.sum(axis=1)).ravel().astype(np.float64)
        norm = k1 * (1 - b + b * lengths / lengths.mean())  # per passage
        rows = np.repeat(np.arange(self.size), np.diff(counts.indptr))
        tf = counts.data.astype(np.float64)
        weight = idf[counts.indices] * tf * (k1 + 1) / (tf + norm[rows])
        # terms x passages, so a query sums a few rows
        self.weights = sparse.csr_matrix((weight.astype(np.float32), (counts.indices, rows)),
                                         shape=(n_terms, self.size))
        self.weights.sort_indices()  # a term's passages in order: search looks them up by bisection

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage (position order) for the query tokens."""
        ids = [self.vocabulary[t] for t in query if t in self.vocabulary]
        if not ids or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        # a repeated query term counts again, as in rank-bm25
        unique, repeats = np.unique(ids, return_counts=True)
        rows = self.weights[unique]
        if (repeats == 1).all():
            return np.asarray(rows.sum(axis=0)).ravel()
        return np.asarray(rows.T @ repeats.astype(np.float32)).ravel()

    def idf_of(self, token: str) -> float:
        """The term's IDF; 0 for a term no passage holds."""
        col = self.vocabulary.get(token)
        return float(self.idf[col]) if col is not None else 0.0

    def postings(self, token: str) -> np.ndarray:
        """Positions of the passages holding the term, ascending (empty for an unknown term)."""
        col = self.vocabulary.get(token)
        if col is None:
            return np.zeros(0, dtype=np.int32)
        return self.weights.indices[self.weights.indptr[col]:self.weights.indptr[col + 1]]

    def top(self, query: Sequence[str], n: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, scores) of the n best passages with a positive score, best first."""
        return best_positive(self.scores(query), n)


def best_positive(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions, scores) of the n highest positive scores, best first. Public so that a caller
    holding all scores already (the hybrid fusion reuses them) need not score twice."""
    positive = np.flatnonzero(scores > 0)
    if positive.size > n:
        positive = positive[np.argpartition(-scores[positive], n - 1)[:n]]
    order = np.argsort(-scores[positive], kind="stable")
    return positive[order], scores[positive[order]]
