"""Segments: a generation's vectors and term counts as a few immutable file pairs, Lucene's way.

An update writes one small segment for its new passages and marks removed passages deleted (the
`deleted_passages` table); existing files are never rewritten, so adding or removing an article
costs its own passages, not the corpus. Readers search the segments together: vectors per
segment (qa/index/vectors.py) merged by score with deleted passages filtered out as any filter is, and
each segment's term postings (qa/index/postings.py) read by BM25 at query time with corpus-wide
statistics (IDF, mean length) that are those of a fresh build (qa/index/bm25.py). Merges (qa/index/merging.py) keep the number of segments and deleted rows small.

Segments hold ascending, disjoint passage id ranges (new passages always get ids above all others,
and only adjacent segments are merged), so concatenating them in order keeps ids ascending.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from qa.index import vectors
from qa.index.bm25 import TermCounts
from qa.index.postings import Postings
from qa.errors import IndexCorrupt
from qa.settings import DEFAULT_SETTINGS, IndexingSettings, RetrievalSettings
from qa.index.store import IndexMeta, IndexStore, SegmentRecord


def current_segments(db: IndexStore, meta: IndexMeta) -> list[SegmentRecord]:
    """The meta's segments; for an index written before segments, its one file pair as a segment
    (its record's sizes and checksums; its passages are every passage row)."""
    if meta.segments is not None:
        return list(meta.segments)
    record = meta.record
    first, last = db.passage_id_range() or (0, 0)
    count = record.vectors if record is not None else db.passage_count()
    if record is None:
        return [SegmentRecord(meta.generation, count, first, last)]
    return [SegmentRecord(meta.generation, count, first, last, record.vectors_size, record.vectors_crc32,
                          record.terms_size, record.terms_crc32)]


def file_names(segments: Sequence[SegmentRecord]) -> tuple[str, ...]:
    return tuple(name for s in segments for name in s.file_names)


def load_vectors(index_dir: Path, segment: SegmentRecord) -> object:
    """A segment's faiss index (IndexCorrupt naming the file when it cannot be read)."""
    return vectors.load(segment.vector_file(index_dir))


def load_counts(index_dir: Path, segment: SegmentRecord) -> TermCounts:
    """A segment's term counts, for writers (IndexCorrupt naming the file when it cannot be read)."""
    return _read_terms(index_dir, segment, TermCounts.load)


def load_postings(index_dir: Path, segment: SegmentRecord) -> Postings:
    """A segment's term postings, mapped (IndexCorrupt naming the file when it cannot be read)."""
    return _read_terms(index_dir, segment, Postings.load)


def _read_terms(index_dir: Path, segment: SegmentRecord, read):
    path = segment.terms_file(index_dir)
    try:
        return read(path)
    except (OSError, ValueError, KeyError) as exc:
        from qa.index.store import index_flag

        raise IndexCorrupt(f"{path} is damaged or missing; repair with: qa index{index_flag(index_dir)}") from exc


@dataclass
class LoadedSegments:
    """A generation's segments as read from disk, before they are checked and combined."""

    segments: list[SegmentRecord]
    vectors: list[object]  # faiss index per segment
    postings: list[Postings]  # term postings per segment
    deleted: np.ndarray  # ids of deleted passages, ascending

    def stored_ids(self) -> np.ndarray:
        """Every passage id the term files hold, deleted ones included, in segment order."""
        if not self.postings:
            return np.zeros(0, np.int64)
        return np.concatenate([p.passage_ids for p in self.postings])


def load_segments(db: IndexStore, index_dir: Path, meta: IndexMeta, deleted: Sequence[int]) -> LoadedSegments:
    """Read every segment's files (IndexCorrupt naming a file that cannot be read). An index
    written before segments gets its term counts rebuilt from the stored tokens when its one term
    file is unreadable and was never recorded (derived data), as before."""
    from qa.index import store

    segments = current_segments(db, meta)
    parts = [load_vectors(index_dir, s) for s in segments]
    for s, part in zip(segments, parts):
        if part.d != meta.dim:
            raise IndexCorrupt(f"{s.vector_file(index_dir)} has dimension {part.d}, expected {meta.dim}; "
                               "rebuild with: qa index --rebuild")
    if meta.segments is None:
        postings = [store.load_term_postings(db.conn, meta, index_dir)]
    else:
        postings = [load_postings(index_dir, s) for s in segments]
    return LoadedSegments(segments, parts, postings, np.asarray(sorted(deleted), dtype=np.int64))


def combine_counts(parts: Sequence[TermCounts], deleted: np.ndarray) -> TermCounts:
    """The segments' term counts as one (their rows in order, deleted passages left out): the
    matrix a fresh build of the live passages would have, up to the order of its terms."""
    if not parts:
        return TermCounts.build([], [])
    vocab = dict(parts[0].vocabulary)
    matrices = [parts[0].matrix]
    for part in parts[1:]:
        remap = np.empty(len(part.vocabulary), dtype=np.int64)
        for term, col in part.vocabulary.items():
            remap[col] = vocab.setdefault(term, len(vocab))
        m = part.matrix
        matrices.append(sparse.csr_matrix((m.data, remap[m.indices], m.indptr), shape=(m.shape[0], len(vocab))))
    for m in matrices:
        m.resize((m.shape[0], len(vocab)))
    matrix = matrices[0] if len(matrices) == 1 else sparse.vstack(matrices, format="csr", dtype=np.float32)
    ids = np.concatenate([p.passage_ids for p in parts])
    if deleted.size or np.any(np.diff(ids) <= 0):
        keep = ~np.isin(ids, deleted)
        order = np.argsort(ids[keep], kind="stable")  # already ascending in a whole index
        rows = np.flatnonzero(keep)[order]
        return TermCounts(ids[rows], matrix[rows], vocab).compact()  # terms only deleted passages held go
    return TermCounts(ids, matrix, vocab)  # each segment's terms are all used: so is their union


class SegmentedVectors:
    """The vectors of every segment, searched as one index: each segment's top n (its deleted
    passages and, when given, passages not allowed skipped in faiss's scan), merged by score."""

    def __init__(self, parts: Sequence[object], segments: Sequence[SegmentRecord], dim: int,
                 live_ids: np.ndarray, deleted: np.ndarray) -> None:
        self.parts = list(parts)
        self.d = dim
        self.live_ids = live_ids  # ascending
        self.deleted = deleted
        self.ntotal = int(live_ids.size)
        # parts hold ascending, disjoint id ranges: which part holds an id, and which ids of it are live
        self._firsts = np.asarray([s.first_id for s in segments], dtype=np.int64)
        self._lasts = np.asarray([s.last_id for s in segments], dtype=np.int64)
        self._live = [self._within(live_ids, i) if self._within(deleted, i).size else None
                      for i in range(len(self.parts))]  # None: nothing of it deleted, no filter
        self._readers: dict[int, vectors.StoredRows] = {}  # per part: its stored vectors by id

    def _within(self, ids: np.ndarray, part: int) -> np.ndarray:
        """The ids (ascending) inside part's range."""
        lo = np.searchsorted(ids, self._firsts[part], side="left")
        hi = np.searchsorted(ids, self._lasts[part], side="right")
        return ids[lo:hi]

    def search(self, query: np.ndarray, n: int, allowed_ids: np.ndarray | None = None,
               settings: RetrievalSettings = DEFAULT_SETTINGS) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the n nearest live passages (among `allowed_ids`, ascending, when given),
        best first; each segment searched exact or approximate (settings.nprobe) by qa/index/vectors.py."""
        found = []
        for i, part in enumerate(self.parts):
            allowed = self._live[i] if allowed_ids is None else self._within(allowed_ids, i)
            if part.ntotal and (allowed is None or allowed.size):
                found.append(vectors.search(part, query, n, allowed, settings))
        if not found:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        ids = np.concatenate([f[0] for f in found])
        scores = np.concatenate([f[1] for f in found])
        best = np.argsort(-scores, kind="stable")[:n]
        return ids[best], scores[best]

    def reconstruct(self, passage_id: int) -> np.ndarray:
        part = int(np.searchsorted(self._firsts, passage_id, side="right")) - 1
        if part < 0:
            raise KeyError(passage_id)
        return self.parts[part].reconstruct(int(passage_id))

    def reconstruct_many(self, passage_ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of these passages, one row each in order: one faiss call per segment
        (a question's ~60 BM25-only candidates one by one cost ~0.5 ms of Python calls)."""
        wanted = np.asarray(passage_ids, dtype=np.int64)
        out = np.zeros((wanted.size, self.d), dtype=np.float32)
        parts = np.searchsorted(self._firsts, wanted, side="right") - 1
        if wanted.size and parts.min() < 0:
            raise KeyError(int(wanted[parts.argmin()]))
        for part in np.unique(parts):
            rows = np.flatnonzero(parts == part)
            out[rows] = self._stored_rows(int(part))(wanted[rows])
        return out

    def _stored_rows(self, part: int) -> vectors.StoredRows:
        """The part's rows by id, made on first use (for the part held now: a benchmark may swap parts)."""
        index = self.parts[part]
        found = self._readers.get(part)
        if found is None or found.index is not index:
            found = self._readers[part] = vectors.StoredRows(index)
        return found

    def ids(self) -> np.ndarray:
        """The live passage ids, ascending."""
        return self.live_ids


# -- the merge policy ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SegmentSize:
    passages: int  # rows in its files
    deleted: int  # of them, deleted since

    @property
    def live(self) -> int:
        return self.passages - self.deleted


def sizes(segments: Sequence[SegmentRecord], deleted: np.ndarray) -> list[SegmentSize]:
    """Each segment's rows and deleted rows (deleted ids counted by the segment's id range)."""
    out = []
    for s in segments:
        gone = int(np.searchsorted(deleted, s.last_id, side="right") - np.searchsorted(deleted, s.first_id))
        out.append(SegmentSize(s.passages, gone))
    return out


def level(live: int, settings: IndexingSettings) -> int:
    """A segment's size level: segments of one level are merged merge_factor at a time."""
    floor = max(1, settings.min_merge_passages)
    return int(math.log(max(live, floor) / floor, settings.merge_factor)) if live > floor else 0


def next_merge(found: Sequence[SegmentSize], settings: IndexingSettings) -> tuple[int, int] | None:
    """The adjacent segments [start, end) to merge next, or None: a segment with too many deleted
    rows (alone); else merge_factor adjacent segments of one level (the newest such run); else, with
    more than max_segments, the adjacent pair holding the fewest live passages."""
    for i, s in enumerate(found):
        if s.passages and (s.deleted / s.passages > settings.max_deleted_share or s.live == 0):
            return i, i + 1
    levels = [level(s.live, settings) for s in found]
    run_end = len(found)
    for i in range(len(found) - 1, -1, -1):
        if i == 0 or levels[i - 1] != levels[i]:
            if run_end - i >= settings.merge_factor:
                return run_end - settings.merge_factor, run_end
            run_end = i
    if len(found) > settings.max_segments:
        pair = min(range(len(found) - 1), key=lambda i: found[i].live + found[i + 1].live)
        return pair, pair + 2
    return None
