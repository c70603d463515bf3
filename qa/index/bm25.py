"""BM25 (Okapi) with rank-bm25's exact scores, computed the way Lucene does: at query time.

rank_bm25.BM25Okapi loops over every passage in Python for each query (~200 ms at 100k passages).
A passage's score is a sum over the query's terms of idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b +
b * len / avgdl)); here each query term's postings (qa/index/postings.py: the passages holding it, its
count in each) are read from every segment and weighed in one vectorized pass, with corpus-wide
statistics (live passages, document frequencies over the segments minus deleted passages, mean
length of the live passages). Nothing is computed per passage and term when an index opens, so
opening costs mapping the term files, not a weight matrix (5.7 s at 1M passages before).
Parameters (k1, b, the epsilon floor for negative idf) are constructor arguments, defaulting to
qa/settings.py; tests compare the scores with BM25Okapi.get_scores.

The raw term counts (passages x terms, `TermCounts`) are what writers edit: adding or removing an
article edits a few rows. A segment's term file stores them as postings (terms x passages).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy import sparse

from qa.index.postings import Postings
from qa.settings import DEFAULT_SETTINGS

# Not rank-bm25's defaults (1.5, 0.75) but Anserini's values for passages (RetrievalSettings.k1/b):
# on the SQuAD benchmark (BENCHMARKS.md) they lift answer-hit@1 from 0.729 to 0.751 (BM25 alone)
# and from 0.758 to 0.780 (hybrid). Passages are short and alike in length.
K1, B, EPSILON = DEFAULT_SETTINGS.bm25_params
#: postings (positions, with their weights or alone) of the terms questions asked, kept by the
#: index (one generation: a new one is a new BM25Index); past this many numbers all are forgotten
#: (a memory bound: at most 8 bytes a number, 16 MB). A term asked again (half of a question's
#: terms, over 400 questions) costs no copy and no weighing of its postings.
POSTINGS_KEPT = 1 << 21


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

    def terms(self) -> list[str]:
        """The vocabulary's terms in column order."""
        return sorted(self.vocabulary, key=self.vocabulary.__getitem__)

    def postings(self) -> Postings:
        return Postings.from_matrix(self.passage_ids, self.matrix, self.terms())

    def save(self, path: Path) -> None:
        """Write atomically as postings (qa/index/postings.py: format 2, numpy's format, no pickle)."""
        self.postings().save(path)

    @classmethod
    def load(cls, path: Path) -> "TermCounts":
        """A term file of either format."""
        found = Postings.load(path)
        matrix = found.to_matrix().astype(np.float32)
        return cls(np.asarray(found.passage_ids, dtype=np.int64), matrix, {t: i for i, t in enumerate(found.terms)})


class BM25Index:
    """Scores passages (position i: passage_ids[i], ascending) for a query's tokens, from the
    postings of one or more segments, deleted passages left out."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = K1, b: float = B,
                 epsilon: float = EPSILON) -> None:
        counts = TermCounts.build(range(len(documents)), documents)
        self._init([counts.postings()], np.zeros(0, np.int64), k1, b, epsilon)

    @classmethod
    def from_counts(cls, counts: TermCounts, k1: float = K1, b: float = B, epsilon: float = EPSILON) -> "BM25Index":
        return cls.from_segments([counts.postings()], np.zeros(0, np.int64), k1, b, epsilon)

    @classmethod
    def from_segments(cls, parts: Sequence[Postings], deleted: np.ndarray, k1: float = K1, b: float = B,
                      epsilon: float = EPSILON) -> "BM25Index":
        """Over the segments' postings (ascending, disjoint id ranges), the passages `deleted` left out."""
        index = cls.__new__(cls)
        index._init(list(parts), np.asarray(deleted, dtype=np.int64), k1, b, epsilon)
        return index

    def _init(self, parts: list[Postings], deleted: np.ndarray, k1: float, b: float, epsilon: float) -> None:
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self._parts = parts
        live = [~np.isin(p.passage_ids, deleted) if deleted.size else None for p in parts]
        ids = [p.passage_ids if keep is None else p.passage_ids[keep] for p, keep in zip(parts, live)]
        self.passage_ids = np.concatenate(ids).astype(np.int64) if ids else np.zeros(0, np.int64)
        self._ordered = bool(np.all(np.diff(self.passage_ids) > 0))  # segments in id order, as written
        if not self._ordered:
            self.passage_ids = np.sort(self.passage_ids)
        self.size = int(self.passage_ids.size)
        # per segment: its rows' positions (a deleted row's: size, a slot the scores drop)
        self._positions = []
        total = 0.0
        for part, keep in zip(parts, live):
            at = np.searchsorted(self.passage_ids, part.passage_ids)
            if keep is not None:
                at[~keep] = self.size
            self._positions.append(at)
            total += float(np.sum(part.lengths if keep is None else part.lengths[keep], dtype=np.float64))
        mean_length = total / self.size if total > 0 else 1.0  # passages of no token (all stop words): no 0/0
        self.mean_length = mean_length  # what a Milvus publish weighs term counts with (qa/engines/milvus/rows.py)
        self._norms = [(k1 * (1 - b + b * p.lengths.astype(np.float64) / mean_length)).astype(np.float32)
                       for p in parts]
        self._columns: dict[str, int] = {}  # every segment's terms, some maybe only in deleted passages
        self._column_of = [np.fromiter((self._columns.setdefault(t, len(self._columns)) for t in p.terms),
                                       dtype=np.int64, count=len(p.terms)) for p in parts]
        self._kept: dict[tuple[str, object], object] = {}  # (kind, column or token) -> its postings, read-only
        self._kept_size = 0
        self._term_of = []  # per segment: column -> its term's index there (-1: none)
        for columns in self._column_of:
            local = np.full(len(self._columns), -1, dtype=np.int64)
            local[columns] = np.arange(columns.size)
            self._term_of.append(local)

    @cached_property
    def document_frequency(self) -> np.ndarray:
        """Live passages holding each term (by column), counted on first use."""
        df = np.zeros(len(self._columns), dtype=np.int64)
        for part, at, columns in zip(self._parts, self._positions, self._column_of):
            df[columns] += part.document_frequency() - _deleted_postings(part, at == self.size)
        return df

    @cached_property
    def idf(self) -> np.ndarray:
        """Each term's IDF (by column; 0 for a term only deleted passages held), rank-bm25's: a
        negative one floored at epsilon times the mean over the live terms."""
        df = self.document_frequency.astype(np.float64)
        held = df > 0
        idf = np.zeros(df.size)
        idf[held] = np.log(self.size - df[held] + 0.5) - np.log(df[held] + 0.5)
        if held.any():
            idf[held & (idf < 0)] = self.epsilon * idf[held].mean()
        return idf

    @cached_property
    def vocabulary(self) -> dict[str, int]:
        """term -> column (of idf, document_frequency) of every term a live passage holds."""
        df = self.document_frequency
        return self._columns if df.all() else {t: c for t, c in self._columns.items() if df[c]}

    def _segment_postings(self, col: int) -> Iterator[tuple[int, slice]]:
        """(segment, slice of its postings arrays) holding the term of column col."""
        for i, part in enumerate(self._parts):
            term = int(self._term_of[i][col])
            if term >= 0:
                yield i, slice(int(part.indptr[term]), int(part.indptr[term + 1]))

    def _weighed(self, col: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """(positions, BM25 weights) of the term's postings per segment (deleted rows at position
        size), kept for the next question (_keep). The mapped postings are copied slice by slice:
        aligned, and only what is needed."""
        found = self._kept.get(("weighed", col))
        if found is None:
            scale = np.float32(self.idf[col] * (self.k1 + 1))
            found = []
            for i, span in self._segment_postings(col):
                rows, tf = np.array(self._parts[i].rows[span]), np.array(self._parts[i].tf[span])
                found.append((self._positions[i][rows], tf * scale / (tf + self._norms[i][rows])))
            self._keep(("weighed", col), found, [array for pair in found for array in pair])
        return found  # type: ignore[return-value]

    def _keep(self, key: tuple[str, object], value: object, arrays: list[np.ndarray]) -> None:
        """Keep a term's postings (made read-only: every caller shares them) within POSTINGS_KEPT."""
        size = sum(int(a.size) for a in arrays)
        if self._kept_size + size > POSTINGS_KEPT:
            self._kept.clear()
            self._kept_size = 0
        if size <= POSTINGS_KEPT:
            for array in arrays:
                array.flags.writeable = False
            self._kept[key] = value
            self._kept_size += size

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage (position order) for the query tokens."""
        repeats = Counter(self._columns[t] for t in query if t in self._columns)
        out = np.zeros(self.size + 1, dtype=np.float32)
        # a repeated query term counts again, as in rank-bm25; columns in ascending order (a
        # Counter, not np.unique: ~20 us for a question's few columns)
        for col, repeat in sorted(repeats.items()):
            for at, weight in self._weighed(col):
                out[at] += weight * np.float32(repeat)  # a passage once per segment: no repeated index
        return out[:self.size]

    def term_weights(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        """(positions ascending, BM25 weights) of the live passages holding the term."""
        col = self.vocabulary.get(token)
        if col is None:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        found = list(self._weighed(col))
        at = np.concatenate([f[0] for f in found])
        weights = np.concatenate([f[1] for f in found])
        live = at < self.size
        at, weights = at[live], weights[live]
        if not self._ordered:
            order = np.argsort(at)
            at, weights = at[order], weights[order]
        return at, weights

    def idf_of(self, token: str) -> float:
        """The term's IDF; 0 for a term no passage holds."""
        col = self.vocabulary.get(token)
        return float(self.idf[col]) if col is not None else 0.0

    def postings(self, token: str) -> np.ndarray:
        """Positions of the passages holding the term, ascending (empty for an unknown term)."""
        col = self.vocabulary.get(token)
        if col is None:
            return np.zeros(0, dtype=np.int64)
        at = self._kept.get(("postings", col))
        if at is None:
            at = np.concatenate([self._positions[i][np.array(self._parts[i].rows[span])]
                                 for i, span in self._segment_postings(col)])
            at = at[at < self.size]
            at = at if self._ordered else np.sort(at)
            self._keep(("postings", col), at, [at])
        return at  # type: ignore[return-value]

    def top(self, query: Sequence[str], n: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, scores) of the n best passages with a positive score, best first."""
        return best_positive(self.scores(query), n)


def _deleted_postings(part: Postings, deleted: np.ndarray, step: int = 1 << 23) -> np.ndarray:
    """Per term of the segment, how many of its postings are deleted rows (`deleted`: bool per
    row), in slices of the postings: a pass over the segment without a copy of it."""
    out = np.zeros(len(part.terms), dtype=np.int64)
    if not deleted.any():
        return out
    for start in range(0, len(part.rows), step):
        at = start + np.flatnonzero(deleted[np.asarray(part.rows[start:start + step])])
        if at.size:
            out += np.bincount(np.searchsorted(part.indptr, at, side="right") - 1, minlength=out.size)
    return out


def best_positive(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions, scores) of the n highest positive scores, best first. Public so that a caller
    holding all scores already (the hybrid fusion reuses them) need not score twice."""
    positive = np.flatnonzero(scores > 0)
    if positive.size > n:
        positive = positive[np.argpartition(-scores[positive], n - 1)[:n]]
    order = np.argsort(-scores[positive], kind="stable")
    return positive[order], scores[positive[order]]
