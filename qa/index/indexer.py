"""Bringing an index in line with its sources, doing work only for what changed.

New files are read, chunked and embedded; changed files are redone (passages whose text did not
change keep their vectors); deleted files are removed; unchanged files are not even read (size
and modification time match). All changes become visible at once, in one database transaction
that also switches to the new list of segments (qa/index/segments.py), so an interrupted run leaves
the previous index whole. Vectors embedded before an interruption are kept aside and reused by
the next run.

A sync runs four stages, each a function of its own: `plan_sync` (scan the sources, compare
them with the index: a `SyncPlan`), `gather_vectors` (reuse, then embed the rest),
`build_generation` + `write_generation` (one new segment for the new passages; removed ones are
marked deleted, no existing file is rewritten), `commit` (one transaction switching to them).
Then segments are merged as the policy asks (qa/index/merging.py), each merge a commit of its own.
Every SQL statement is in qa/index/store.py.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import sqlite3
import sys
import time
from itertools import zip_longest
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.ingest import sources as source_scan
from qa.index import duplicates, merging, ownership, segments, store, story_index, vectors
from qa.index.bm25 import TermCounts
from qa.ingest.chunking import Passage, chunk
from qa.config import DEFAULT_MODEL, FORMAT_VERSION, ChunkSettings
from qa.ingest.documents import Document, OverBudget, Unreadable, max_bytes, page_at, parse, read_limited
from qa.errors import IndexCorrupt, IndexTooOld, QAError
from qa.index.inspection import inspect, mark_whole, quick_problem
from qa.embedding.encoder import Encoder
from qa.locations import default_source
from qa.index.lock import write_lock
from qa.index.repair import repair_warnings, repaired_parts
from qa.settings import DEFAULT_INDEXING, DEFAULT_SETTINGS, IndexingSettings, RetrievalSettings
from qa.ingest.sources import Unavailable
from qa.index.store import DocumentRow, HeldSkip, IndexMeta, IndexStore, NewDocument, NewPassage, SegmentRecord, StatMove
from qa.index.text import tokenize

#: on_progress(phase, done, total): phase is "reading" or "embedding"
ProgressCallback = Callable[[str, int, int], None]

#: passages embedded between two saves of the vectors kept aside for an interrupted run
CHECKPOINT_PASSAGES = 512


def _pause(phase: str) -> None:
    """Test hook: with QA_TEST_PAUSE_AT=<phase> a reindex says "qa: test pause at <phase>" on
    stderr and sleeps QA_TEST_PAUSE_SECONDS (default 60) there, so a test can kill it at a known
    point. Phases: reading (first file read), embedding (first batch of vectors saved aside),
    saved (new segment written), committing (inside the transaction), committed, merging (a
    merged segment written, before the commit that switches to it)."""
    if os.environ.get("QA_TEST_PAUSE_AT") == phase:
        print(f"qa: test pause at {phase}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("QA_TEST_PAUSE_SECONDS", "60")))


class _DamagedVectors(IndexCorrupt):
    """The current vector file cannot be read: the sync is redone as a rebuild."""


class _Conflict(QAError):
    """Another writer committed between this sync's plan and its commit (possible only if the
    write lock was bypassed): the sync is planned again from the new generation."""


#: syncs planned again after a _Conflict before giving up
CONFLICT_RETRIES = 3


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0
    passages: int = 0
    embedded: int = 0
    seconds: float = 0.0
    rebuilt: bool = False
    skipped_files: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: source folders away for now (missing, empty, unreadable): their documents were kept
    unavailable: list[Unavailable] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "added": self.added, "updated": self.updated, "removed": self.removed,
            "unchanged": self.unchanged, "skipped": self.skipped, "passages": self.passages,
            "embedded": self.embedded, "seconds": round(self.seconds, 3), "rebuilt": self.rebuilt,
            "skipped_files": self.skipped_files, "warnings": self.warnings,
            "unavailable": [u.as_json() for u in self.unavailable],
        }

    def summary(self) -> str:
        return (f"{self.added} added, {self.updated} changed, {self.removed} removed, "
                f"{self.unchanged} unchanged, {self.skipped} skipped; {self.passages} passages "
                f"({self.embedded} embedded) in {self.seconds:.1f} s")


@dataclass(frozen=True)
class SyncRequest:
    """What one sync was asked to do: `sync`'s arguments, resolved."""

    index_dir: Path
    new_sources: list[str]  # absolute paths to add to the index's sources
    model: str | None  # None: the index's model (DEFAULT_MODEL for a new index)
    rebuild: bool
    settings: ChunkSettings
    bm25: dict[str, float]  # the BM25 parameters to record (see store.bm25_params)
    embedder: Encoder | None  # None: load the model when there is something to embed
    on_progress: ProgressCallback
    started: float  # time.monotonic() when the sync was called
    indexing: IndexingSettings = DEFAULT_INDEXING  # segments and merges (qa/index/segments.py)
    retrieval: RetrievalSettings = DEFAULT_SETTINGS  # when the vectors go approximate (qa/index/vectors.py)
    #: real paths of files or folders inside the sources that changed (a watcher's batch): only
    #: they are scanned and only their documents read; None: every source (see plan_sync)
    only: tuple[str, ...] | None = None


@dataclass
class ReadDocument:
    """A file to add or update, read and cut into passages."""

    doc: Document
    size: int
    mtime_ns: int
    passages: list[Passage]
    replaces: int | None  # id of the document row it replaces
    ctime_ns: int | None = None
    inode: int | None = None


@dataclass
class SyncPlan:
    """What a sync will do, found by scanning the sources and comparing them with the index."""

    meta: IndexMeta | None  # the index's settings before the sync (None: nothing committed yet)
    model: str  # the model the new generation's vectors come from
    rebuild: bool  # every file is read and embedded again
    known: list[DocumentRow]  # every document of the index before the sync
    documents: list[ReadDocument] = field(default_factory=list)  # to add or update, in scan order
    remove: list[int] = field(default_factory=list)  # ids of documents whose file is gone or unreadable
    unchanged: int = 0  # files left as they are
    touched: list[StatMove] = field(default_factory=list)  # same content, moved size or modification time
    skipped: dict[str, str] = field(default_factory=dict)  # path -> why it is not indexed
    #: skipped files over their reader's budget, with their stat: not read again until it moves
    held: dict[str, HeldSkip] = field(default_factory=dict)
    #: those the index held before the sync (IndexStore.held_skips)
    held_before: dict[str, HeldSkip] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unavailable: list[Unavailable] = field(default_factory=list)  # folders away: documents kept
    #: ids of unchanged documents indexed before dates were read (an older index): read again for them
    unread_news: set[int] = field(default_factory=set)
    #: their date, author and site, read now: (id, date, author, site)
    news: list[tuple[int, str | None, str | None, str | None]] = field(default_factory=list)
    #: a restricted sync's paths: `known` and `skipped` are those at or inside them only
    only: tuple[str, ...] | None = None
    #: the files scanned (real path -> stat) and the index's rows by path, compared by _read_scanned
    scan_files: dict[str, os.stat_result] = field(default_factory=dict)
    known_by_path: dict[str, DocumentRow] = field(default_factory=dict)

    @property
    def to_add(self) -> list[ReadDocument]:
        return [d for d in self.documents if d.replaces is None]

    @property
    def to_update(self) -> list[ReadDocument]:
        return [d for d in self.documents if d.replaces is not None]

    @property
    def incremental(self) -> bool:
        """True when the new generation edits the current one (False: built from scratch)."""
        return self.meta is not None and not self.rebuild

    @property
    def dropped_ids(self) -> list[int]:
        """Documents whose rows (and passages, vectors) the new generation no longer has."""
        if self.rebuild:
            return [d.id for d in self.known]
        return self.remove + [d.replaces for d in self.to_update]

    def needs_generation(self, bm25: Mapping[str, float]) -> bool:
        """False when only sources, moved stats and skips are to be recorded."""
        return (not self.incremental or bool(self.documents) or bool(self.remove)
                or self.meta.bm25 != dict(bm25))


@dataclass
class GatheredVectors:
    """Every new passage's vector and their dimension."""

    dim: int
    keys: list[str]  # one per new passage, in plan order
    found: dict[str, np.ndarray]  # vector by key
    embedded: int  # vectors computed by this sync
    loaded_embedder: Encoder | None  # an encoder this sync loaded itself


@dataclass
class Generation:
    """The new generation: its settings (the segments it keeps), the rows to insert, its own new
    segment's vectors and term counts, and the passages it deletes."""

    meta: IndexMeta
    documents: list[tuple[NewDocument, list[NewPassage]]]
    index: object | None  # faiss index of the new passages (None: none, so no new segment)
    counts: TermCounts  # term counts of the new passages
    #: per new passage, what finds its copies (qa/index/duplicates.py); by passage id
    fingerprints: list[store.Fingerprint] = field(default_factory=list)
    #: per new document (same order as `documents`), its date, author and site
    news: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)
    #: passages of the kept segments deleted by this generation (tombstones)
    deleted: list[int] = field(default_factory=list)
    #: deleted passages the generation's segments hold after its commit (old ones and `deleted`)
    tombstones: int = 0
    #: its segment replaces every earlier one (a rebuild or a repair): earlier tombstones go
    replaces_all: bool = False


def embedding_text(title: str, passage_text: str, settings: ChunkSettings) -> str:
    """What the model sees for a passage (the title may be prepended as context)."""
    return f"{title}\n{passage_text}" if settings.title_in_vectors else passage_text


def bm25_text(title: str, passage_text: str, settings: ChunkSettings) -> str:
    return f"{title}\n{passage_text}" if settings.title_in_bm25 else passage_text


def _vector_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\0{text}".encode()).hexdigest()


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
) -> SyncReport:
    """Add `add_paths` to the index's sources, then sync every source (or, with `only`, just those
    files and folders inside them, when that can be done safely; see plan_sync). See module docstring.
    `bm25` (k1, b, epsilon; default store.BM25_DEFAULTS) is recorded in the index; `indexing`
    (default DEFAULT_INDEXING) says when segments are merged; `retrieval` (default: the shipped
    settings) when a segment's vectors are saved as an approximate index."""
    request = SyncRequest(index_dir, [source_scan.absolute(p) for p in add_paths], model, rebuild,
                          settings or ChunkSettings(), store.bm25_params(bm25), embedder,
                          on_progress or (lambda *_: None), time.monotonic(), indexing or DEFAULT_INDEXING,
                          retrieval or DEFAULT_SETTINGS,
                          None if only is None else tuple(dict.fromkeys(source_scan.absolute(p) for p in only)))
    for path in request.new_sources:
        if not source_scan.is_utf8(path):
            raise QAError(f"the path {source_scan.printable(path)} is not valid UTF-8; rename it to index it")
        if not os.path.lexists(path):
            raise QAError(f"no such file or folder: {path}")
        if os.path.exists(path) and not (os.path.isfile(path) or os.path.isdir(path)):
            raise QAError(f"{source_scan.printable(path)} is not a file or folder (a device, FIFO or socket); "
                          "name a file or folder of articles")
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise QAError(f"cannot create the index folder {index_dir}: {exc.strerror}") from exc
    if not os.access(index_dir, os.W_OK):
        raise QAError(f"the index folder {index_dir} is not writable; choose another with --index DIR")
    ownership.claim(index_dir)  # qa's own folder, or a one-line refusal: nothing of a user's is touched
    with write_lock(index_dir, on_wait=on_message):
        try:
            return _sync_retrying(request)
        except _DamagedVectors as exc:
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
        except _Conflict:
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
    aside = _set_aside(index_dir)
    sources = recorded + [p for p in request.new_sources if p not in recorded]
    report = _sync_once(dataclasses.replace(request, new_sources=sources, rebuild=True))
    report.warnings.insert(0, f"the damaged index database was moved to {aside}")
    if recorded:
        report.warnings.insert(1, f"rebuilt from its recorded sources: {', '.join(recorded)}")
    else:
        report.warnings.insert(1, f"its list of sources could not be read: rebuilt from {', '.join(sources)} "
                                  "only; add any other with: qa index PATH")
    return report


def _sync_once(request: SyncRequest) -> SyncReport:
    """One sync under the lock; failures to write become a one-line QAError (the previous
    index stays as it was: nothing is visible before the final commit)."""
    index_dir = request.index_dir
    try:
        db = IndexStore.open(index_dir, create=True)
    except sqlite3.OperationalError as exc:
        raise _write_failed(index_dir, exc) from exc
    try:
        with _write_errors(index_dir):
            return _run_stages(db, request)
    finally:
        db.close()


@contextmanager
def _write_errors(index_dir: Path) -> Iterator[None]:
    """A write that fails (disk full, read-only, I/O error) is one line saying the previous index
    is unchanged; busy is IndexBusy, damage IndexCorrupt (store.database_error)."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if store.is_busy(exc):
            raise store.database_error(exc, index_dir) from exc
        raise _write_failed(index_dir, exc) from exc
    except sqlite3.DatabaseError as exc:
        raise store.database_error(exc, index_dir) from exc
    except OSError as exc:
        raise _write_failed(index_dir, exc) from exc


def _write_failed(index_dir: Path, exc: Exception) -> QAError:
    if getattr(exc, "errno", None) == errno.ENOSPC or "full" in str(exc):
        reason = "the disk is full"
    else:
        reason = getattr(exc, "strerror", None) or str(exc)
    return QAError(f"could not update the index in {index_dir}/: {reason}; the previous index is unchanged")


def _set_aside(index_dir: Path) -> Path:
    """Move a damaged database (and its journal) out of the way, keeping it for inspection."""
    aside = index_dir / f"{store.DB_NAME}.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
    for suffix in ("", "-journal", "-wal", "-shm"):
        path = index_dir / (store.DB_NAME + suffix)
        if path.exists():
            os.replace(path, aside.with_name(aside.name + suffix))
    return aside


def _run_stages(db: IndexStore, request: SyncRequest) -> SyncReport:
    """repair -> plan -> gather vectors -> write the new generation -> commit, then tidy up."""
    repaired = repair_stage(db, request)
    if repaired.warnings:  # a repaired index is synced whole
        request = dataclasses.replace(request, only=None)
    plan = plan_sync(db, request)
    report = _planned_report(plan)
    report.warnings[:0] = repaired.warnings
    report.embedded = repaired.embedded
    if not plan.needs_generation(request.bm25):
        commit(db, plan, None)  # record new sources, moved stats and skips only
        report.warnings += _merge(db, request.index_dir, request.indexing, request.retrieval)  # one a killed run left undone
        return _finished(report, db, request)
    gathered = gather_vectors(db, request, plan)
    report.embedded += gathered.embedded  # with what a repair embedded
    generation = build_generation(db, request, plan, gathered)
    try:
        write_generation(request.index_dir, generation)
        _pause("saved")
        commit(db, plan, generation)
    except BaseException:
        _drop_uncommitted(db, request.index_dir, generation.meta)
        raise
    _pause("committed")
    _remove_unlisted_files(request.index_dir, generation.meta)
    report.warnings += _merge(db, request.index_dir, request.indexing, request.retrieval)
    if gathered.loaded_embedder is not None:  # torch is loaded anyway: leave questions a torch-free encoder
        _export_question_encoder(gathered.loaded_embedder, report)
    return _finished(report, db, request)


# -- stage 0: repair what is damaged (qa/index/integrity.py finds it, qa/index/repair.py's parts) -----------------

@dataclass
class RepairDone:
    """What repair_stage did: warnings saying what was repaired (none: nothing was), and how many
    passages it embedded again (counted in the sync's `embedded`)."""

    warnings: list[str] = field(default_factory=list)
    embedded: int = 0


def repair_stage(db: IndexStore, request: SyncRequest) -> RepairDone:
    """Commit a repaired generation when the current one is damaged (see qa/index/repair.py): the sync
    that follows starts from a whole index."""
    meta = db.read_meta()
    if meta is None or request.rebuild:
        return RepairDone()
    try:
        if _rebuild_reason(meta, request.model or meta.model, request):
            return RepairDone()  # everything is redone anyway
    except QAError:
        return RepairDone()  # a newer qa's index: the plan refuses it
    if quick_problem(db, request.index_dir, meta, request.indexing) is None:
        return RepairDone()  # as the last whole sync left it: the full inspection is `qa index --check`'s
    found = inspect(db, request.index_dir)
    if found.database_damaged:  # sqlite's own damage: the rows cannot be trusted, only a rebuild helps
        raise IndexCorrupt(f"{found.problems[0]}; rebuild with: {found.remedy}")
    if found.whole and not (found.vectors_damaged or found.terms_damaged):
        return RepairDone()
    repaired = repaired_parts(db, request.index_dir, meta, found,
                              lambda passages: _embed_again(db, request, meta, passages))
    index = None
    if repaired.keep.size:
        index = vectors.new(meta.dim)
        vectors.add(index, repaired.keep.tolist(), repaired.vectors)
        index = vectors.approximate(index, request.retrieval)
    # one segment of every passage; the damaged files are not kept for readers
    new_meta = dataclasses.replace(meta, format_version=FORMAT_VERSION, generation=meta.generation + 1, record=None, segments=(), kept_files=(),
                                   next_passage_id=max(meta.next_passage_id, db.max_passage_id() + 1))
    generation = Generation(new_meta, [], index, repaired.counts, replaces_all=True)
    try:
        write_generation(request.index_dir, generation)
        with db.transaction():
            if db.generation_of() != meta.generation:
                raise _Conflict("another writer committed during the repair")
            db.delete_documents(repaired.dropped_documents)
            if repaired.dropped_documents:
                story_index.regroup_all(db)  # their passages' stories and band keys go too
            db.clear_deleted()
            _check_counts(db, generation)
            db.write_meta(generation.meta)
    except BaseException:
        _drop_uncommitted(db, request.index_dir, generation.meta)
        raise
    _remove_unlisted_files(request.index_dir, generation.meta)  # the damaged files go
    return RepairDone(repair_warnings(found, repaired), repaired.embedded)


def _embed_again(db: IndexStore, request: SyncRequest, meta: IndexMeta,
                 passages: list[store.StoredPassage]) -> tuple[dict[int, np.ndarray], int]:
    """Vectors of passages whose vectors were lost: kept aside by an interrupted run, else
    embedded now; (vector by passage id, how many embedded)."""
    texts = {p.id: embedding_text(p.title, p.text, request.settings) for p in passages}
    keys = {pid: _vector_key(meta.model, text) for pid, text in texts.items()}
    pending = db.pending_vectors(sorted(set(keys.values())))
    found = {pid: pending[key] for pid, key in keys.items() if key in pending}
    todo = [pid for pid in texts if pid not in found]
    if todo:
        embedder = request.embedder
        if embedder is None:  # the same encoder as the sync's (its ONNX export when it can be made)
            from qa.embedding.embedder import passage_encoder

            embedder = passage_encoder(meta.model)
        request.on_progress("embedding", 0, len(todo))
        found.update(zip(todo, embedder.encode([texts[pid] for pid in todo])))
        request.on_progress("embedding", len(todo), len(todo))
    return found, len(todo)


def _planned_report(plan: SyncPlan) -> SyncReport:
    return SyncReport(added=len(plan.to_add), updated=len(plan.to_update), removed=len(plan.remove),
                      unchanged=plan.unchanged, skipped=len(plan.skipped),
                      rebuilt=plan.rebuild and plan.meta is not None,
                      skipped_files=plan.skipped, warnings=plan.warnings, unavailable=plan.unavailable)


def _finished(report: SyncReport, db: IndexStore, request: SyncRequest) -> SyncReport:
    report.passages = db.passage_count()
    mark_whole(request.index_dir, db.read_meta())  # the next sync's cheap check starts from here
    report.seconds = time.monotonic() - request.started
    return report


def _export_question_encoder(embedder: Encoder, report: SyncReport) -> None:
    from qa.embedding.embedder import prepare_question_encoder

    try:
        prepare_question_encoder(embedder)
    except KeyboardInterrupt:  # the index is committed: stop, and do not say otherwise
        report.warnings.append("interrupted while exporting the model for fast questions; "
                               "the index is up to date; the next qa ask exports it")


# -- stage 1: plan ------------------------------------------------------------------------------

def plan_sync(db: IndexStore, request: SyncRequest) -> SyncPlan:
    """Scan the sources and compare them with the index; files to add or update are read and
    chunked here (only their content tells whether a touched file changed)."""
    meta = db.read_meta()
    model = request.model or (meta.model if meta else DEFAULT_MODEL)
    reason = None if request.rebuild else _rebuild_reason(meta, model, request)
    plan = _restricted_plan(db, request, meta, model, reason)
    if plan is not None:
        return _read_scanned(plan, request)
    plan = SyncPlan(meta, model, request.rebuild or reason is not None, known=db.documents())
    if reason:
        plan.warnings.append(reason)
    scan = source_scan.scan(_sources(db, request.new_sources), db.excluded())
    known = _adopt_real_paths(db, {d.path: d for d in plan.known}, scan)
    deleted, plan.unavailable = scan.sort_out(known)
    _keep_unavailable(plan)
    plan.remove = [known[p].id for p in deleted]
    plan.skipped = dict(scan.skipped)
    plan.held_before = db.held_skips()
    plan.unread_news = db.documents_without_news()
    plan.scan_files, plan.known_by_path = scan.files, known
    return _read_scanned(plan, request)


def _restricted_plan(db: IndexStore, request: SyncRequest, meta: IndexMeta | None, model: str,
                     reason: str | None) -> SyncPlan | None:
    """The plan of a sync restricted to `request.only`, or None when the full sync must run:
    no restriction, a new index or new sources, a rebuild, a path the restricted scan cannot
    judge (source_scan.scan_within), or a document under the paths whose folder is away."""
    if request.only is None or meta is None or request.rebuild or reason or request.new_sources:
        return None
    sources = db.sources()
    scan = source_scan.scan_within(list(request.only), sources, db.excluded()) if sources else None
    if scan is None or any(not source_scan.inside(p, request.only) for p in scan.files):
        return None  # e.g. a link to a file elsewhere in the sources: its row is not read here
    rows = db.documents_under(request.only)
    known = {d.path: d for d in rows}
    deleted, unavailable = scan.sort_out(known)
    if unavailable:
        return None
    plan = SyncPlan(meta, model, False, known=rows, only=request.only)
    plan.remove = [known[p].id for p in deleted]
    plan.skipped = dict(scan.skipped)
    plan.held_before = db.held_skips()
    plan.unread_news = db.documents_without_news() & {d.id for d in rows}
    plan.scan_files, plan.known_by_path = scan.files, known
    return plan


def _read_scanned(plan: SyncPlan, request: SyncRequest) -> SyncPlan:
    """Compare the scanned files with the index's rows; read the new and touched ones."""
    files, known = plan.scan_files, plan.known_by_path
    to_read = [p for p, st in files.items() if plan.rebuild or p not in known
               or not source_scan.same_file(known[p], st)
               or known[p].id in plan.unread_news]
    plan.unchanged = len(files) - len(to_read)
    plan.touched = [_stat_move(known[p].id, st) for p, st in files.items()
                    if p in known and p not in to_read and known[p].inode is None]
    held = {p: plan.held_before[p] for p in to_read if p not in known and p in plan.held_before
            and source_scan.same_file(plan.held_before[p], files[p])}
    plan.skipped.update({p: h.reason for p, h in held.items()})
    plan.held.update(held)
    to_read = [p for p in to_read if p not in held]
    for i, path in enumerate(to_read):
        request.on_progress("reading", i, len(to_read))
        try:
            _read_file(plan, path, known.get(path), request.settings)
        finally:
            if i == 0:
                _pause("reading")
    request.on_progress("reading", len(to_read), len(to_read))
    return plan


def _adopt_real_paths(db: IndexStore, known: dict[str, DocumentRow],
                      scan: source_scan.Scan) -> dict[str, DocumentRow]:
    """Documents an older qa recorded under an unresolved path (through a link) found under their
    real path: recorded under it (at commit), not read or embedded again."""
    moves = []
    for path in [p for p in known if p not in scan.files]:
        real = os.path.realpath(path)
        if real != path and real in scan.files and real not in known:
            known[real] = known.pop(path)._replace(path=real)
            moves.append((known[real].id, real))
    if moves:
        with db.transaction():
            db.rename_documents(moves)
    return known


def _keep_unavailable(plan: SyncPlan) -> None:
    """Warn once per folder that is away; a rebuild would drop their documents, so it stops."""
    for folder in plan.unavailable:
        plan.warnings.append(folder.warning())
    held = sum(u.documents for u in plan.unavailable)
    if plan.rebuild and held and plan.meta is not None:
        names = ", ".join(source_scan.printable(u.path) for u in plan.unavailable if u.documents)
        raise QAError(f"cannot rebuild the index while {names} is unavailable: its {held} documents would be "
                      "lost; reconnect it, or forget it with: qa remove PATH")


def _stat_move(doc_id: int, info: os.stat_result) -> StatMove:
    return StatMove(doc_id, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _rebuild_reason(meta: IndexMeta | None, model: str, request: SyncRequest) -> str | None:
    """Why the index must be rebuilt (a warning), or None. An index from a newer qa is an
    IndexTooNew error: it is never overwritten unasked."""
    if meta is None:
        return None
    try:
        store.check_format(meta, request.index_dir)
    except IndexTooOld:
        return f"index format {meta.format_version} is not {FORMAT_VERSION}: rebuilding"
    if meta.model != model:
        return f"model changed from {meta.model} to {model}: rebuilding"
    if meta.chunking != request.settings.as_dict():
        return "chunking settings changed: rebuilding"
    return None


def _sources(db: IndexStore, new_sources: list[str]) -> list[str]:
    """The index's sources with the new ones, recorded at once so that a run cut short is
    completed by the next plain `qa index`."""
    sources = db.sources()
    if not sources and not new_sources:
        default = default_source()
        if default is None:
            raise QAError("nothing to index: name a file or folder, e.g. qa index ~/articles")
        new_sources = [source_scan.absolute(default)]
    named = list(dict.fromkeys(new_sources))
    # a file or folder inside a folder source is that source's: naming it lifts its exclusion
    # (qa remove) and adds no second source counting the same documents
    adding = [p for p in named if p not in sources and not source_scan.within_another(p, sources + named)]
    with db.transaction():
        db.add_sources(adding, time.time())
        db.include(named)  # named again: no longer excluded by an earlier qa remove
    return sources + adding


def _read_file(plan: SyncPlan, path: str, old: DocumentRow | None, settings: ChunkSettings) -> None:
    """Read one new or touched file into the plan: to add or update, unchanged, or skipped."""
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            data = read_limited(handle, max_bytes(Path(path)))
        doc = parse(Path(path), data)
    except OSError as exc:  # perhaps passing (permissions, a file being replaced): keep what we have
        plan.skipped[path] = f"cannot read: {exc.strerror or exc}" + (" (the indexed version is kept)" if old else "")
        return
    except Unreadable as exc:
        plan.skipped[path] = str(exc)
        if isinstance(exc, OverBudget):  # not read again until the file changes
            plan.held[path] = HeldSkip(str(exc), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        if old:
            plan.remove.append(old.id)
        return
    if old and not plan.rebuild and old.sha256 == doc.sha256:
        plan.touched.append(_stat_move(old.id, info))
        plan.unchanged += 1
        if old.id in plan.unread_news:
            plan.news.append((old.id, doc.date, doc.author, doc.site))
        return
    plan.documents.append(ReadDocument(doc, info.st_size, info.st_mtime_ns, chunk(doc, settings),
                                       old.id if old else None, info.st_ctime_ns, info.st_ino))


# -- stage 2: gather vectors --------------------------------------------------------------------

def gather_vectors(db: IndexStore, request: SyncRequest, plan: SyncPlan) -> GatheredVectors:
    """A vector for every new passage: the stored one of an unchanged passage of an updated
    file, one kept aside by an interrupted run, else embedded now (with progress)."""
    dim = plan.meta.dim if plan.incremental else 0
    texts = [embedding_text(d.doc.title, p.text, request.settings) for d in plan.documents for p in d.passages]
    keys = [_vector_key(plan.model, t) for t in texts]
    found: dict[str, np.ndarray] = {}
    replaced = [d.replaces for d in plan.to_update]
    if plan.incremental and replaced:
        found.update(_reusable_vectors(db, request.index_dir, plan.meta, replaced, plan.model, request.settings))
    found.update(db.pending_vectors([k for k in set(keys) if k not in found]))
    # identical texts are embedded once; sorted by length so each batch pads little
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in found}.items(), key=lambda kt: len(kt[1]))
    embedder, loaded = request.embedder, None
    if missing or not plan.incremental:
        if embedder is None:  # the model's ONNX export when it can be made, else torch
            from qa.embedding.embedder import passage_encoder

            embedder = loaded = passage_encoder(plan.model)
        if plan.incremental and embedder.dim != dim:
            raise IndexCorrupt(f"the index's vectors have dimension {dim}, the model's {embedder.dim}; "
                               "rebuild with: qa index --rebuild")
        dim = embedder.dim
        _embed(db, embedder, missing, found, request.on_progress)
    return GatheredVectors(dim, keys, found, len(missing), loaded)


def _reusable_vectors(db: IndexStore, index_dir: Path, meta: IndexMeta, doc_ids: list[int], model: str,
                      settings: ChunkSettings) -> dict[str, np.ndarray]:
    """Vectors of the passages of changed documents, keyed as their text would be: read from the
    segments holding them only."""
    passages = db.passages_of(doc_ids)
    ids = np.asarray([p.id for p in passages], dtype=np.int64)
    stored: dict[int, np.ndarray] = {}
    for segment in segments.current_segments(db, meta):
        held = ids[(ids >= segment.first_id) & (ids <= segment.last_id)]
        if held.size:
            try:
                index = segments.load_vectors(index_dir, segment)
            except IndexCorrupt as exc:
                raise _DamagedVectors(str(exc)) from exc
            stored.update(zip(held.tolist(), vectors.reconstruct(index, held.tolist())))
    return {_vector_key(model, embedding_text(p.title, p.text, settings)): stored[p.id] for p in passages}


def _embed(db: IndexStore, embedder: Encoder, missing: list[tuple[str, str]],
           found: dict[str, np.ndarray], on_progress: ProgressCallback) -> None:
    """Embed in checkpoints: each batch of vectors is saved aside before going on."""
    total = len(missing)
    done = 0
    on_progress("embedding", 0, total)
    for i in range(0, total, CHECKPOINT_PASSAGES):
        part = missing[i:i + CHECKPOINT_PASSAGES]

        def advance(n: int) -> None:
            nonlocal done
            done += n
            on_progress("embedding", done, total)

        vecs = embedder.encode([t for _, t in part], on_batch=advance)
        if not np.isfinite(vecs).all():  # a damaged model: NaN vectors would match nothing, silently
            raise QAError("the embedding model gives vectors that are not numbers (a damaged model or model "
                          "cache?); nothing was written. Delete the cache (~/.cache/qa, $QA_CACHE_DIR) and run qa index")
        db.save_pending_vectors(zip([k for k, _ in part], vecs))
        found.update(zip([k for k, _ in part], vecs))
        if i == 0:
            _pause("embedding")


# -- stage 3: the new generation's files -------------------------------------------------------

def build_generation(db: IndexStore, request: SyncRequest, plan: SyncPlan,
                     gathered: GatheredVectors) -> Generation:
    """Number the new passages, edit (or build) the vectors and term counts in memory."""
    # never below an id in use, whatever the meta says (ids are checked again at commit)
    first_id = max(plan.meta.next_passage_id if plan.meta else 1, db.max_passage_id() + 1)
    documents, ids, tokens = _numbered_passages(plan.documents, request.settings, first_id)
    old_ids = db.passage_ids_of(plan.dropped_ids) if plan.incremental else []
    index = None
    if ids:
        index = vectors.new(gathered.dim)
        vectors.add(index, ids, np.vstack([gathered.found[k] for k in gathered.keys]))
        index = vectors.approximate(index, request.retrieval)  # exact, or IVF above the size threshold
    counts = TermCounts.build(ids, tokens)
    previous = segments.current_segments(db, plan.meta) if plan.meta else []
    kept = tuple(previous) if plan.incremental else ()
    tombstones = len(db.deleted_ids()) + len(old_ids) if plan.incremental else 0
    meta = IndexMeta(FORMAT_VERSION, plan.model, gathered.dim, request.settings.as_dict(),
                     (plan.meta.generation + 1) if plan.meta else 1, first_id + len(ids), dict(request.bm25),
                     segments=kept, kept_files=segments.file_names(previous))
    prints = duplicates.fingerprints((p.id, p.text) for _, rows in documents for p in rows)
    news = [(d.doc.date, d.doc.author, d.doc.site) for d in plan.documents]
    return Generation(meta, documents, index, counts, prints, news, old_ids, tombstones, not plan.incremental)


def _numbered_passages(read: list[ReadDocument], settings: ChunkSettings, first_id: int
                       ) -> tuple[list[tuple[NewDocument, list[NewPassage]]], list[int], list[list[str]]]:
    """The rows to insert, passage ids counting up from first_id, and each passage's BM25 tokens."""
    documents: list[tuple[NewDocument, list[NewPassage]]] = []
    ids: list[int] = []
    tokens: list[list[str]] = []
    for d in read:
        rows = []
        for p in d.passages:
            words = tokenize(bm25_text(d.doc.title, p.text, settings))
            pid = first_id + len(ids)
            rows.append(NewPassage(pid, p.ordinal, p.start, p.end, p.paragraph, p.paragraph_end, p.text,
                                   " ".join(words), page_at(d.doc, p.start)))
            ids.append(pid)
            tokens.append(words)
        documents.append((NewDocument(str(d.doc.path), d.doc.title, d.doc.sha256, d.size, d.mtime_ns,
                                      d.doc.encoding, d.ctime_ns, d.inode), rows))
    return documents, ids, tokens


def write_generation(index_dir: Path, generation: Generation) -> None:
    """Save the new segment's vector and term files, if it has new passages (not yet current:
    the commit switches to them), recording their sizes and checksums (store.SegmentRecord), and
    put the generation's live counts in its meta (store.GenerationRecord). No other file is written."""
    meta = generation.meta
    kept = list(meta.segments or ())
    if generation.index is not None:
        ids = generation.counts.passage_ids
        segment = SegmentRecord(meta.generation, int(ids.size), int(ids[0]), int(ids[-1]))
        vectors.save(generation.index, segment.vector_file(index_dir))
        generation.counts.save(segment.terms_file(index_dir))
        vector_size, vector_crc = store.file_crc32(segment.vector_file(index_dir))
        terms_size, terms_crc = store.file_crc32(segment.terms_file(index_dir))
        kept.append(dataclasses.replace(segment, vectors_size=vector_size, vectors_crc32=vector_crc,
                                        terms_size=terms_size, terms_crc32=terms_crc))
    live = sum(s.passages for s in kept) - generation.tombstones
    record = store.GenerationRecord(meta.generation, live, live, live)
    generation.meta = dataclasses.replace(meta, segments=tuple(kept), record=record)


# -- stage 4: commit ----------------------------------------------------------------------------

def commit(db: IndexStore, plan: SyncPlan, generation: Generation | None,
           also: Callable[[], None] | None = None) -> None:
    """One transaction: the plan's rows and, with a generation, the switch to its files.
    Without one, only sources, moved stats and skipped files are recorded. `also` runs in the
    same transaction (qa remove forgets its sources there)."""
    now = time.time()
    with db.transaction():
        _check_unchanged_since(db, plan)
        if also is not None:
            also()
        removed: list = []
        bands_current = generation is not None and story_index.is_current(db)
        if generation is not None:
            if bands_current:  # their stories are regrouped (qa/index/story_index.py)
                removed = story_index.removed_prints(db, plan.dropped_ids)
            db.delete_documents(plan.dropped_ids)
            if generation.replaces_all:
                db.clear_deleted()
            db.add_deleted(generation.deleted)
            for (doc, passages), news in zip_longest(generation.documents, generation.news):
                if passages:  # a document without passages gets no row (as if not indexed)
                    doc_id = db.add_document(doc, passages, now)
                    if news is not None:
                        db.set_document_news(doc_id, *news)
            db.write_fingerprints(generation.fingerprints)
            _check_counts(db, generation)
        _regroup_stories(db, generation, removed, bands_current)
        for news in plan.news:
            db.set_document_news(*news)
        db.move_stats(plan.touched)
        if plan.only is None:
            db.replace_skipped(plan.skipped, plan.held)
        else:
            db.replace_skipped_under(plan.only, plan.skipped, plan.held)
        if generation is not None:
            db.write_meta(generation.meta)
            db.clear_pending_vectors()
        _pause("committing")


def _check_unchanged_since(db: IndexStore, plan: SyncPlan) -> None:
    """Inside the commit's transaction (sqlite's write lock held): the generation the plan was
    made from is still the current one, so its passage ids are free and its edits complete."""
    if db.generation_of() != (plan.meta.generation if plan.meta else None):
        raise _Conflict("another writer committed meanwhile")


def _check_counts(db: IndexStore, generation: Generation) -> None:
    """As many passage rows as vectors and term rows, or nothing is committed."""
    rows = db.passage_count()
    record = generation.meta.record
    if record is not None and rows != record.vectors:
        raise IndexCorrupt(f"the new generation would have {record.vectors} vectors for {rows} passage rows; "
                           f"nothing was changed; check the index with: qa index --check")


def remove_documents(index_dir: Path, doc_ids: list[int], *, forget_sources: list[str] = (),
                     exclude: list[str] = (), under: str = "", on_message: Callable[[str], None] | None = None) -> None:
    """Drop documents (their passages, vectors and term counts) in a new generation, forgetting
    sources and excluding paths in the same transaction; nothing is read or embedded. Skipped
    and excluded entries `under` the path go too (qa remove, see qa/index/library.py)."""
    ownership.claim(index_dir)  # an index made before the marker is marked by its next writer
    with write_lock(index_dir, on_wait=on_message), IndexStore.open(index_dir) as db, _write_errors(index_dir):
        meta = db.read_meta()

        def forget() -> None:
            if forget_sources:
                db.remove_sources(list(forget_sources))
                db.include([under])  # what was excluded inside it goes with it
            db.exclude(exclude, time.time())

        skipped = {p: r for p, r in db.skipped_files().items() if not (p == under or p.startswith(under.rstrip("/") + "/"))}
        held = {p: h for p, h in db.held_skips().items() if p in skipped}
        if exclude:
            skipped.update({source_scan.printable(p): "removed with qa remove (qa index PATH adds it back)" for p in exclude})
        if meta is None or not doc_ids:
            with db.transaction():
                forget()
                db.replace_skipped(skipped, held)
            return
        store.check_format(meta, index_dir)
        plan = SyncPlan(meta, meta.model, False, known=db.documents(), remove=list(doc_ids), skipped=skipped,
                        held=held)
        request = SyncRequest(index_dir, [], meta.model, False, ChunkSettings(**meta.chunking), dict(meta.bm25),
                              None, lambda *_: None, time.monotonic())
        generation = build_generation(db, request, plan, gather_vectors(db, request, plan))
        try:
            write_generation(index_dir, generation)
            commit(db, plan, generation, also=forget)
        except BaseException:
            _drop_uncommitted(db, index_dir, generation.meta)
            raise
        _remove_unlisted_files(index_dir, generation.meta)
        _merge(db, index_dir, DEFAULT_INDEXING)
        mark_whole(index_dir, db.read_meta())


def _regroup_stories(db: IndexStore, generation: Generation | None, removed: list, bands_current: bool) -> None:
    """Fingerprint passages indexed before fingerprints were (an older index), then regroup the
    copies of each story when passages came or went: only around what changed (qa/index/story_index.py),
    or all of them after a large change or for an index without the band table."""
    missing = db.unprinted_passages()
    if missing:
        db.write_fingerprints(duplicates.fingerprints(missing))
    if generation is None and not missing:
        return
    added = generation.fingerprints if generation is not None else []
    changed = len(added) + len(removed)
    if missing or (generation is not None and generation.replaces_all) or not bands_current \
            or changed > max(DEFAULT_INDEXING.regroup_all_min, DEFAULT_INDEXING.regroup_all_share * db.passage_count()):
        story_index.regroup_all(db)
    else:
        story_index.regroup_changed(db, removed, added)


def _drop_uncommitted(db: IndexStore, index_dir: Path, new_meta: IndexMeta) -> None:
    """Delete the new segment's files when the commit that would have made them current failed."""
    try:
        current = db.read_meta()
    except QAError:
        return
    if current is None or current.generation != new_meta.generation:
        new_meta.vector_file(index_dir).unlink(missing_ok=True)
        new_meta.terms_file(index_dir).unlink(missing_ok=True)


def _remove_unlisted_files(index_dir: Path, meta: IndexMeta) -> None:
    """Drop vector and term files the committed generation does not name (its segments, and the
    previous generation's files, kept for readers mid-open), and temporary files of interrupted runs:
    only the exact names qa writes, of generations up to this one (ownership.segment_generation),
    never a user's `vectors.1.faiss.bak`."""
    keep = set(merging.manifest_files(meta))
    for name in os.listdir(index_dir):
        generation = ownership.segment_generation(name)
        if generation is not None and generation <= meta.generation and name not in keep:
            (index_dir / name).unlink(missing_ok=True)


def _merge(db: IndexStore, index_dir: Path, settings: IndexingSettings,
           retrieval: RetrievalSettings = DEFAULT_SETTINGS) -> list[str]:
    """Merge segments as the policy asks (qa/index/merging.py), each merge a commit of its own; a merge
    that cannot be written leaves the index whole and is a warning, not a failed sync."""
    try:
        merged = merging.merge_segments(db, index_dir, settings, retrieval, pause=_pause)
    except (OSError, QAError, sqlite3.OperationalError) as exc:
        if isinstance(exc, sqlite3.OperationalError) and store.is_busy(exc):
            raise
        return [f"could not merge the index's segments ({getattr(exc, 'strerror', None) or exc}); "
                "the index is whole and the next qa index merges them"]
    if merged is not None:
        _remove_unlisted_files(index_dir, merged)
    return []
