"""Bringing an index in line with its sources, doing work only for what changed.

New files are read, chunked and embedded; changed files are redone (passages whose text did not
change keep their vectors); deleted files are removed; unchanged files are not even read (size
and modification time match). All changes become visible at once, in one database transaction
that also switches to the new list of segments (qa/index/segments.py), so an interrupted run leaves
the previous index whole. Vectors embedded before an interruption are kept aside and reused by
the next run.

A sync is a chain of stages, each a function taking the previous stage's frozen record
(qa/index/sync_records.py) and returning its own:

    scan     (sync_scan.scan: the sources against the index)          -> Scanned
    read     (sync_read.read: files read, cut into passages)          -> Read
    analyse  (sync_read.analyse: model text, BM25 tokens, fingerprints) -> Analysed
    embed    (sync_embed.embed: reused, kept aside, else embedded)     -> Embedded
    write    (sync_write.write: the new segment's files, not current)  -> Written
    commit   (sync_commit.commit: one transaction switching to them)   -> Committed

With IndexingSettings.read_ahead_files > 0, reading and analysing run in a thread a few files
ahead of the embedding (qa/index/sync_overlap.py), with the same records as one after the other
(off as shipped: it measured slower on 2 shared cores, BENCHMARKS.md). Before the scan, a damaged index is repaired (qa/index/repair.py); after the
commit, segments are merged as the policy asks (qa/index/merging.py), each merge a commit of its
own. A repair and `qa remove` (qa/index/library.py) make their generation the same way and go
through the same write and commit. `sync(..., on_stage=)` is told of each stage, with its record
and seconds. Every SQL statement is in qa/index/store.py.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from qa.config import ChunkSettings
from qa.embedding.encoder import Encoder
from qa.errors import IndexCorrupt, QAError
from qa.index import ownership, store
from qa.index.inspection import mark_whole
from qa.index.lock import require_writable, write_lock
from qa.index.repair import RepairDone, repair
from qa.index.store import IndexStore
from qa.index.sync_commit import Conflict, after_commit, commit_written, drop_uncommitted, merge, next_generation
from qa.index.sync_embed import DamagedVectors
from qa.index.sync_overlap import read_analyse_embed
from qa.index.sync_read import bm25_text, embedding_text  # noqa: F401  (as imported from here before)
from qa.index.sync_records import (Committed, Embedded, ProgressCallback, Read, StageHook, SyncReport,
                                   SyncRequest)
from qa.index.sync_scan import scan
from qa.index.sync_write import write
from qa.index.write_errors import write_errors, write_failed
from qa.ingest import sources as source_scan
from qa.settings import DEFAULT_INDEXING, DEFAULT_SETTINGS, IndexingSettings, RetrievalSettings

__all__ = ["SyncReport", "SyncRequest", "sync", "embedding_text", "bm25_text", "ProgressCallback", "StageHook"]

#: syncs run again after a Conflict before giving up
CONFLICT_RETRIES = 3


# -- sync: the lock, retries and errors ------------------------------------------------------

def sync(
    index_dir: Path,
    add_paths: Iterable[str | os.PathLike[str]] = (),
    *,
    model: str | None = None,
    rebuild: bool = False,
    settings: ChunkSettings | None = None,
    bm25: Mapping[str, float] | None = None,
    embedder: Encoder | None = None,
    on_progress: ProgressCallback | None = None,
    on_message: Callable[[str], None] | None = None,
    indexing: IndexingSettings | None = None,
    retrieval: RetrievalSettings | None = None,
    only: Iterable[str | os.PathLike[str]] | None = None,
    on_stage: StageHook | None = None,
) -> SyncReport:
    """Add `add_paths` to the index's sources, then sync every source (or, with `only`, just those
    files and folders inside them, when that can be done safely; see sync_scan.scan). See module
    docstring; `on_stage(name, record, seconds)` is told of each stage as it ends. `bm25` (k1, b, epsilon; default store.BM25_DEFAULTS) is recorded in the index; `indexing`
    (default DEFAULT_INDEXING) says when segments are merged; `retrieval` (default: the shipped
    settings) when a segment's vectors are saved as an approximate index."""
    request = SyncRequest(index_dir, [source_scan.absolute(p) for p in add_paths], model, rebuild,
                          settings or ChunkSettings(), store.bm25_params(bm25), embedder,
                          on_progress or (lambda *_: None), time.monotonic(), indexing or DEFAULT_INDEXING,
                          retrieval or DEFAULT_SETTINGS,
                          None if only is None else tuple(dict.fromkeys(source_scan.absolute(p) for p in only)),
                          on_stage)
    for path in request.new_sources:
        if not source_scan.is_utf8(path):
            raise QAError(f"the path {source_scan.printable(path)} is not valid UTF-8; rename it to index it")
        if not os.path.lexists(path):
            raise QAError(f"no such file or folder: {path}")
        if os.path.exists(path) and not (os.path.isfile(path) or os.path.isdir(path)):
            raise QAError(f"{source_scan.printable(path)} is not a file or folder (a device, FIFO or socket); "
                          "name a file or folder of articles")
    if model is not None and embedder is None:  # a model not on this machine: said before anything is recorded
        from qa.embedding.embedder import resolve_model

        resolve_model(model)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from qa.locations import file_as_index

        raise QAError(file_as_index(index_dir)
                      or f"cannot create the index folder {index_dir}: {exc.strerror}") from exc
    require_writable(index_dir)
    ownership.claim(index_dir)  # qa's own folder, or a one-line refusal: nothing of a user's is touched
    with write_lock(index_dir, on_wait=on_message):
        try:
            return _sync_retrying(request)
        except DamagedVectors as exc:
            report = _sync_once(dataclasses.replace(request, rebuild=True))
            report.warnings.insert(0, f"{str(exc).split(';')[0]}: rebuilt the index")
            return report
        except IndexCorrupt:
            if not rebuild:
                raise
            return _rebuild_damaged(request)


def _sync_retrying(request: SyncRequest) -> SyncReport:
    for attempt in range(CONFLICT_RETRIES):
        try:
            return _sync_once(request)
        except Conflict:
            if attempt == CONFLICT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _rebuild_damaged(request: SyncRequest) -> SyncReport:
    """`--rebuild` of a damaged database: move it aside and rebuild from the sources it recorded
    (read from it if it opens at all) and those named; a source that cannot be recovered is said."""
    index_dir = request.index_dir
    recorded = store.recorded_sources(index_dir)
    if not recorded and not request.new_sources:
        raise QAError("the index database is damaged and its list of sources cannot be read; "
                      "rebuild it by naming them: qa index --rebuild PATH ...") from None
    excluded = store.recorded_exclusions(index_dir)
    aside = _set_aside(index_dir)
    sources = recorded + [p for p in request.new_sources if p not in recorded]
    _restore_library(index_dir, recorded, excluded)
    report = _sync_once(dataclasses.replace(request, rebuild=True))
    report.warnings.insert(0, f"the damaged index database was moved to {aside}")
    if recorded:
        report.warnings.insert(1, f"rebuilt from its recorded sources: {', '.join(recorded)}")
    else:
        report.warnings.insert(1, f"its list of sources could not be read: rebuilt from {', '.join(sources)} "
                                  "only; add any other with: qa index PATH")
    return report


def _restore_library(index_dir: Path, sources: list[str], excluded: list[str]) -> None:
    """A new database recording the damaged one's sources and what `qa remove` kept out of them
    (naming the sources to the sync instead would take those back in)."""
    db = IndexStore.open(index_dir, create=True)
    try:
        with db.transaction():
            db.add_sources(sources, time.time())
            db.exclude(excluded, time.time())
    finally:
        db.close()


def _sync_once(request: SyncRequest) -> SyncReport:
    """One sync under the lock; failures to write become a one-line QAError (the previous
    index stays as it was: nothing is visible before the final commit)."""
    index_dir = request.index_dir
    try:
        db = IndexStore.open(index_dir, create=True)
    except sqlite3.OperationalError as exc:
        raise write_failed(index_dir, exc) from exc
    try:
        with write_errors(index_dir):
            return _run_stages(db, request)
    finally:
        db.close()


def _set_aside(index_dir: Path) -> Path:
    """Move a damaged database (and its journal) out of the way, keeping it for inspection."""
    aside = index_dir / f"{store.DB_NAME}.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
    for suffix in ("", "-journal", "-wal", "-shm"):
        path = index_dir / (store.DB_NAME + suffix)
        if path.exists():
            os.replace(path, aside.with_name(aside.name + suffix))
    return aside


def _run_stages(db: IndexStore, request: SyncRequest) -> SyncReport:
    """repair, then scan -> read -> analyse -> embed -> write -> commit, then merge (see module docstring)."""
    repaired = _timed(request, "repair", lambda: repair(db, request))
    if repaired.warnings:  # a repaired index is synced whole
        request = dataclasses.replace(request, only=None)
    scanned = _timed(request, "scan", lambda: scan(db, request))
    for name, (record, seconds) in zip(("read", "analyse", "embed"), read_analyse_embed(db, request, scanned)):
        request.stage_done(name, record, seconds)
    embedded: Embedded = record
    t0 = time.perf_counter()
    try:
        written = write(db, request, embedded)
    except BaseException:
        drop_uncommitted(db, request.index_dir, next_generation(scanned.meta))
        raise
    request.stage_done("write", written, time.perf_counter() - t0)
    committed = commit_written(db, request.index_dir, written, request.on_stage)
    with after_commit():
        warnings = _timed(request, "merge", lambda: merge(db, request.index_dir, request.indexing, request.retrieval))
        report = _report(embedded.analysed.read, repaired, embedded, committed, warnings)
        if embedded.loaded_embedder is not None and committed.meta is not None:
            _export_question_encoder(embedded.loaded_embedder, report)  # torch is loaded anyway: questions go torch-free
        return _finished(report, db, request)


def _timed(request: SyncRequest, name: str, stage: Callable[[], object]):
    t0 = time.perf_counter()
    record = stage()
    request.stage_done(name, record, time.perf_counter() - t0)
    return record


def _report(read: Read, repaired: RepairDone, embedded: Embedded, committed: Committed,
            merge_warnings: list[str]) -> SyncReport:
    scanned = read.scanned
    return SyncReport(added=sum(d.replaces is None for d in read.documents),
                      updated=sum(d.replaces is not None and not d.reread for d in read.documents),
                      reread=sum(d.reread for d in read.documents), removed=len(read.remove),
                      unchanged=read.unchanged, skipped=len(read.skipped),
                      embedded=repaired.embedded + embedded.embedded,
                      rebuilt=scanned.rebuild and scanned.meta is not None, skipped_files=read.skipped,
                      warnings=list(repaired.warnings) + list(scanned.warnings) + merge_warnings,
                      unavailable=list(scanned.unavailable))


def _finished(report: SyncReport, db: IndexStore, request: SyncRequest) -> SyncReport:
    report.passages = db.passage_count()
    meta = db.read_meta()
    report.sentence_vectors = meta is None or meta.sentence_vectors
    mark_whole(request.index_dir, meta)  # the next sync's cheap check starts from here
    report.seconds = time.monotonic() - request.started
    return report


def _export_question_encoder(embedder: Encoder, report: SyncReport) -> None:
    from qa.embedding.embedder import prepare_question_encoder

    try:
        prepare_question_encoder(embedder)
    except KeyboardInterrupt:  # the index is committed: stop, and do not say otherwise
        report.warnings.append("interrupted while exporting the model for fast questions; "
                               "the index is up to date; the next qa ask exports it")
