"""Merging segments (qa/index/segments.py): a few adjacent segments rewritten as one, deleted passages
dropped, committed as a generation of its own.

Runs after a sync's commit, under the writer lock. The merged segment's files are written first;
the commit then switches the meta to the new list of segments and forgets the tombstones of the
rows it dropped, in one transaction. A kill before that commit leaves the previous generation
current and whole (the unused files are removed by the next writer); the merged segments' files
stay, named by the new meta's `kept_files`, for readers that opened them, until the next commit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np

from qa.index import segments, store, vectors
from qa.config import FORMAT_VERSION
from qa.errors import IndexCorrupt
from qa.index.inspection import vector_array
from qa.settings import DEFAULT_SETTINGS, IndexingSettings, RetrievalSettings
from qa.index.store import GenerationRecord, IndexMeta, IndexStore, SegmentRecord

#: merges one sync may run (each is a commit): bounds the work left to a sync
MAX_MERGES_PER_SYNC = 64


def manifest_files(meta: IndexMeta) -> tuple[str, ...]:
    """The vector and term files a committed meta names: its segments' and those kept for readers."""
    if meta.segments is None:  # an index written before segments: its one pair, named by its generation
        own = (store.vector_file_name(meta.generation), store.terms_file_name(meta.generation))
    else:
        own = segments.file_names(meta.segments)
    return own + tuple(meta.kept_files)


def merge_segments(db: IndexStore, index_dir: Path, settings: IndexingSettings,
                   retrieval: RetrievalSettings = DEFAULT_SETTINGS,
                   pause: Callable[[str], None] = lambda phase: None) -> IndexMeta | None:
    """Merge while the policy (segments.next_merge) finds a merge, or a segment is of the other
    kind (`_misfit`), each its own commit; the last committed meta (None: nothing merged). A merged
    segment at or above retrieval.approximate_above passages is saved as an approximate index
    (qa/index/vectors.py).
    `pause("merging")` runs between writing a merged segment and committing it (the kill tests' hook)."""
    committed = None
    for _ in range(MAX_MERGES_PER_SYNC):
        meta, deleted_ids = db.read_manifest()
        if meta is None:
            break
        current = segments.current_segments(db, meta)
        deleted = np.asarray(deleted_ids, dtype=np.int64)
        chosen = segments.next_merge(segments.sizes(current, deleted), settings) or _misfit(index_dir, current, retrieval)
        if chosen is None:
            break
        merged = _merged_meta(db, index_dir, meta, current, chosen, deleted, retrieval)
        try:
            pause("merging")
            with db.transaction():
                if db.generation_of() != meta.generation:
                    break  # another writer committed (the lock was bypassed): leave it to the next sync
                first, last = current[chosen[0]].first_id, current[chosen[1] - 1].last_id
                db.forget_deleted(first, last)
                if db.passage_count() != merged.record.passages:
                    raise IndexCorrupt(f"a merge would leave {merged.record.passages} live passages for "
                                             f"{db.passage_count()} passage rows; nothing was changed")
                db.write_meta(merged)
        finally:
            if db.generation_of() != merged.generation:  # not committed: its files go
                merged.vector_file(index_dir).unlink(missing_ok=True)
                merged.terms_file(index_dir).unlink(missing_ok=True)
        committed = merged
    return committed


def _misfit(index_dir: Path, current: list[SegmentRecord], retrieval: RetrievalSettings) -> tuple[int, int] | None:
    """A segment saved as another kind than one written now would be (exact at or above
    retrieval.approximate_above passages, from a qa whose threshold was higher; approximate below
    half of it), to rewrite alone: an existing index comes to search as a new one does."""
    for i, segment in enumerate(current):
        try:
            exact = vectors.saved_exact(segment.vector_file(index_dir))
        except OSError:
            continue  # a missing file is the integrity check's (qa/index/repair.py)
        if segment.passages >= retrieval.approximate_above if exact else segment.passages < retrieval.approximate_above // 2:
            return i, i + 1
    return None


def _merged_meta(db: IndexStore, index_dir: Path, meta: IndexMeta, current: list[SegmentRecord],
                 chosen: tuple[int, int], deleted: np.ndarray, retrieval: RetrievalSettings) -> IndexMeta:
    """Write the merged segment of current[start:end] (its live passages only, in id order) and
    return the meta that switches to it."""
    start, end = chosen
    parts = current[start:end]
    generation = meta.generation + 1
    counts = segments.combine_counts([segments.load_counts(index_dir, s) for s in parts], deleted)
    replaced: list[SegmentRecord] = []
    if counts.passage_ids.size:
        found: dict[int, np.ndarray] = {}
        for segment in parts:
            ids, data = vector_array(segments.load_vectors(index_dir, segment))
            found.update(zip(ids.tolist(), data))
        ids = counts.passage_ids
        index = vectors.new(meta.dim)
        vectors.add(index, ids.tolist(), np.vstack([found[int(i)] for i in ids]))
        index = vectors.approximate(index, retrieval)
        record = SegmentRecord(generation, int(ids.size), parts[0].first_id, parts[-1].last_id)
        vectors.save(index, record.vector_file(index_dir))
        counts.save(record.terms_file(index_dir))
        v_size, v_crc = store.file_crc32(record.vector_file(index_dir))
        t_size, t_crc = store.file_crc32(record.terms_file(index_dir))
        replaced = [dataclasses.replace(record, vectors_size=v_size, vectors_crc32=v_crc,
                                        terms_size=t_size, terms_crc32=t_crc)]
    kept = current[:start] + replaced + current[end:]
    dropped = int(np.count_nonzero((deleted >= parts[0].first_id) & (deleted <= parts[-1].last_id)))
    live = sum(s.passages for s in kept) - (int(deleted.size) - dropped)
    return dataclasses.replace(meta, format_version=FORMAT_VERSION, generation=generation, segments=tuple(kept),
                               kept_files=segments.file_names(current),
                               record=GenerationRecord(generation, live, live, live))
