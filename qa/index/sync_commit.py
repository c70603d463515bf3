"""The sync's last stage: one transaction switching to the written generation, then tidying up.

`commit` applies an edit (rows dropped and inserted, tombstones, fingerprints, story groups) and
the records beside it (moved stats, skipped files, sources forgotten) in one database
transaction that also writes the new meta naming the new segment: a reader sees the old
generation until then, and a run killed before it leaves the old index whole. `write_and_commit`
is the path every new generation takes, a sync's, a repair's and a removal's: the files written,
the commit, the uncommitted files dropped on failure, then the files no generation names.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qa.errors import IndexCorrupt, InterruptedAfterCommit, QAError
from qa.index import duplicates, merging, ownership, pause, store, story_index
from qa.index.store import IndexMeta, IndexStore
from qa.index.sync_records import Committed, Edit, Records, StageHook, Written
from qa.index.text import ANALYSIS_VERSION, Analyzer, pack
from qa.index import sync_write
from qa.settings import DEFAULT_INDEXING, DEFAULT_SETTINGS, IndexingSettings, RetrievalSettings


class Conflict(QAError):
    """Another writer committed between this sync's scan and its commit (possible only if the
    write lock was bypassed): the sync is run again from the new generation."""


def commit(db: IndexStore, written: Written) -> Committed:
    """One transaction: the edit's rows and the switch to its files, with the records. Without an
    edit, only the records (sources, moved stats, skipped files)."""
    edit, records = written.edit, written.records
    with db.transaction():
        if db.generation_of() != (written.base.generation if written.base else None):
            raise Conflict("another writer committed meanwhile")
        if records is not None and records.also is not None:
            records.also()
        if edit is not None and edit.clears_pending:  # first: the new rows reuse the pages they free
            db.clear_pending_vectors()
        bands_current = edit is not None and story_index.is_current(db)
        removed = _apply(db, edit, written.meta, bands_current) if edit is not None else []
        _regroup_stories(db, edit, removed, bands_current)
        if records is not None:
            _record(db, records)
        if edit is not None:
            db.write_meta(written.meta)
        pause.at("committing")
    _analyse_missing(db, edit)
    return Committed(written, written.meta)


def _apply(db: IndexStore, edit: Edit, meta: IndexMeta, bands_current: bool) -> list:
    """The edit's rows; the fingerprints of the dropped passages (to regroup their stories)."""
    removed = story_index.removed_prints(db, list(edit.dropped)) if bands_current else []
    db.delete_documents(list(edit.dropped))
    if edit.replaces_all:
        db.clear_deleted()
    db.add_deleted(list(edit.deleted))
    now = time.time()
    for doc, passages, news in edit.documents:
        if passages:  # a document without passages gets no row (as if not indexed)
            doc_id = db.add_document(doc, list(passages), now)
            db.set_document_news(doc_id, *news)
    db.add_sentence_vectors(edit.sentences)
    db.add_analyses(edit.analyses)
    db.write_fingerprints(list(edit.fingerprints))
    _check_counts(db, meta)
    return removed


def _analyse_missing(db: IndexStore, edit: Edit | None, batch: int = DEFAULT_INDEXING.analyse_batch) -> None:
    """Store an analysis for every passage lacking one of this analyzer's (an older index's passages,
    once; all of them after ANALYSIS_VERSION was raised): questions then never analyse a passage.
    After the commit, a transaction a batch: a million passages' (~2 min once) hold neither the
    new generation back nor all their texts in memory, and a run stopped keeps what it did
    (a question analyses a passage still lacking one, as before)."""
    complete = edit is None or len(edit.analyses) == sum(len(passages) for _, passages, _ in edit.documents)
    if complete and db.analysed_version() == ANALYSIS_VERSION:
        return
    after = 0
    while True:
        with db.transaction():
            missing = db.unanalysed_passages(ANALYSIS_VERSION, after, batch)
            db.add_analyses([(pid, ANALYSIS_VERSION, *pack(Analyzer._analyse(text))) for pid, text in missing])
            if len(missing) < batch:
                db.set_analysed_version(ANALYSIS_VERSION)
                return
        after = missing[-1][0]


def _record(db: IndexStore, records: Records) -> None:
    for news in records.news:
        db.set_document_news(*news)
    db.move_stats(list(records.touched))
    if records.only is None:
        db.replace_skipped(dict(records.skipped), dict(records.held))
    else:
        db.replace_skipped_under(records.only, dict(records.skipped), dict(records.held))
    if records.html_reader is not None:
        db.set_html_reader_version(records.html_reader)


def _check_counts(db: IndexStore, meta: IndexMeta) -> None:
    """As many passage rows as vectors and term rows, or nothing is committed."""
    rows = db.passage_count()
    record = meta.record
    if record is not None and rows != record.vectors:
        raise IndexCorrupt(f"the new generation would have {record.vectors} vectors for {rows} passage rows; "
                           f"nothing was changed; check the index with: qa index --check")


def _regroup_stories(db: IndexStore, edit: Edit | None, removed: list, bands_current: bool) -> None:
    """Fingerprint passages indexed before fingerprints were (an older index), then regroup the
    copies of each story when passages came or went: only around what changed (qa/index/story_index.py),
    or all of them after a large change or for an index without the band table."""
    missing = db.unprinted_passages()
    if missing:
        db.write_fingerprints(duplicates.fingerprints(missing))
    if not missing and (edit is None or not (edit.fingerprints or edit.dropped or not edit.replaces_all)):
        return  # nothing came or went (a repair that kept every document)
    added = list(edit.fingerprints) if edit is not None else []
    changed = len(added) + len(removed)
    if missing or (edit is not None and edit.replaces_all) or not bands_current \
            or changed > max(DEFAULT_INDEXING.regroup_all_min, DEFAULT_INDEXING.regroup_all_share * db.passage_count()):
        story_index.regroup_all(db)
    else:
        story_index.regroup_changed(db, removed, added)


def write_and_commit(db: IndexStore, index_dir: Path, edit: Edit, records: Records | None,
                     on_stage: StageHook | None = None) -> Committed:
    """Write the edit's files and commit them (see module docstring); `on_stage` is told of both."""
    t0 = time.perf_counter()
    try:
        written = sync_write.write_files(index_dir, edit, records)
    except BaseException:
        drop_uncommitted(db, index_dir, edit.meta.generation)
        raise
    if on_stage is not None:
        on_stage("write", written, time.perf_counter() - t0)
    return commit_written(db, index_dir, written, on_stage)


def commit_written(db: IndexStore, index_dir: Path, written: Written,
                   on_stage: StageHook | None = None) -> Committed:
    """Commit written files; on any failure (an interrupt too) the uncommitted files go."""
    t0 = time.perf_counter()
    try:
        if written.edit is not None:
            pause.at("saved")
        committed = commit(db, written)
    except BaseException:
        if written.meta is not None:
            drop_uncommitted(db, index_dir, written.meta.generation)
        raise
    with after_commit():
        if written.edit is not None:
            pause.at("committed")
            remove_unlisted_files(index_dir, written.meta)
        if on_stage is not None:
            on_stage("commit", committed, time.perf_counter() - t0)
    return committed


@contextmanager
def after_commit() -> Iterator[None]:
    """Work after a commit: an interrupt there leaves the new index, and must not be told as one
    that left the index as it was."""
    try:
        yield
    except InterruptedAfterCommit:
        raise
    except KeyboardInterrupt as exc:
        raise InterruptedAfterCommit() from exc


def drop_uncommitted(db: IndexStore, index_dir: Path, generation: int) -> None:
    """Delete the new segment's files when the write or the commit that would have made them
    current failed."""
    try:
        current = db.read_meta()
    except QAError:
        return
    if current is None or current.generation != generation:
        (index_dir / store.vector_file_name(generation)).unlink(missing_ok=True)
        (index_dir / store.terms_file_name(generation)).unlink(missing_ok=True)


def next_generation(base: IndexMeta | None) -> int:
    return base.generation + 1 if base else 1


def remove_unlisted_files(index_dir: Path, meta: IndexMeta) -> None:
    """Drop vector and term files the committed generation does not name (its segments, and the
    previous generation's files, kept for readers mid-open), and temporary files of interrupted runs:
    only the exact names qa writes, of generations up to this one (ownership.segment_generation),
    never a user's `vectors.1.faiss.bak`."""
    keep = set(merging.manifest_files(meta))
    for name in os.listdir(index_dir):
        generation = ownership.segment_generation(name)
        if generation is not None and generation <= meta.generation and name not in keep:
            (index_dir / name).unlink(missing_ok=True)


def merge(db: IndexStore, index_dir: Path, settings: IndexingSettings = DEFAULT_INDEXING,
          retrieval: RetrievalSettings = DEFAULT_SETTINGS) -> list[str]:
    """Merge segments as the policy asks (qa/index/merging.py), each merge a commit of its own; a merge
    that cannot be written leaves the index whole and is a warning, not a failed sync."""
    try:
        merged = merging.merge_segments(db, index_dir, settings, retrieval, pause=lambda phase: pause.at(phase))
    except (OSError, QAError, sqlite3.OperationalError) as exc:
        if isinstance(exc, sqlite3.OperationalError) and store.is_busy(exc):
            raise
        return [f"could not merge the index's segments ({getattr(exc, 'strerror', None) or exc}); "
                "the index is whole and the next qa index merges them"]
    if merged is not None:
        remove_unlisted_files(index_dir, merged)
    return []
