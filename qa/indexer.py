"""Bringing an index in line with its sources, doing work only for what changed.

New files are read, chunked and embedded; changed files are redone (passages whose text did not
change keep their vectors); deleted files are removed; unchanged files are not even read (size
and modification time match). All changes become visible at once, in one database transaction
that also switches to the new vector file, so an interrupted run leaves the previous index
whole. Vectors embedded before an interruption are kept aside and reused by the next run.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa import sources as source_scan
from qa import store, vectors
from qa.bm25 import TermCounts
from qa.chunking import Passage, chunk
from qa.config import DEFAULT_MODEL, DEFAULT_SOURCE, FORMAT_VERSION, ChunkSettings
from qa.documents import Document, Unreadable, parse, read_limited
from qa.errors import IndexCorrupt, QAError
from qa.lock import write_lock
from qa.text import tokenize

#: on_progress(phase, done, total): phase is "reading" or "embedding"
ProgressCallback = Callable[[str, int, int], None]

#: passages embedded between two saves of the vectors kept aside for an interrupted run
CHECKPOINT_PASSAGES = 512


def _pause(phase: str) -> None:
    """Test hook: with QA_TEST_PAUSE_AT=<phase> a reindex says "qa: test pause at <phase>" on
    stderr and sleeps QA_TEST_PAUSE_SECONDS (default 60) there, so a test can kill it at a known
    point. Phases: reading (first file read), embedding (first batch of vectors saved aside),
    saved (new vector file written), committing (inside the transaction), committed."""
    if os.environ.get("QA_TEST_PAUSE_AT") == phase:
        print(f"qa: test pause at {phase}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("QA_TEST_PAUSE_SECONDS", "60")))


class _DamagedVectors(IndexCorrupt):
    """The current vector file cannot be read: the sync is redone as a rebuild."""


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

    def as_json(self) -> dict[str, object]:
        return {
            "added": self.added, "updated": self.updated, "removed": self.removed,
            "unchanged": self.unchanged, "skipped": self.skipped, "passages": self.passages,
            "embedded": self.embedded, "seconds": round(self.seconds, 3), "rebuilt": self.rebuilt,
            "skipped_files": self.skipped_files, "warnings": self.warnings,
        }

    def summary(self) -> str:
        return (f"{self.added} added, {self.updated} changed, {self.removed} removed, "
                f"{self.unchanged} unchanged, {self.skipped} skipped; {self.passages} passages "
                f"({self.embedded} embedded) in {self.seconds:.1f} s")


@dataclass
class _Known:
    id: int
    size: int
    mtime_ns: int
    sha256: str
    title: str


@dataclass
class _NewDoc:
    doc: Document
    size: int
    mtime_ns: int
    passages: list[Passage]
    replaces: int | None  # id of the document row it replaces


def embedding_text(title: str, passage_text: str, settings: ChunkSettings) -> str:
    """What the model sees for a passage (the title may be prepended as context)."""
    return f"{title}\n{passage_text}" if settings.title_in_vectors else passage_text


def bm25_text(title: str, passage_text: str, settings: ChunkSettings) -> str:
    return f"{title}\n{passage_text}" if settings.title_in_bm25 else passage_text


def _vector_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\0{text}".encode()).hexdigest()


def sync(
    index_dir: Path,
    add_paths: Iterable[str | os.PathLike[str]] = (),
    *,
    model: str | None = None,
    rebuild: bool = False,
    settings: ChunkSettings | None = None,
    embedder: object | None = None,
    on_progress: ProgressCallback | None = None,
    on_message: Callable[[str], None] | None = None,
) -> SyncReport:
    """Add `add_paths` to the index's sources, then sync every source. See module docstring."""
    started = time.monotonic()
    settings = settings or ChunkSettings()
    new_sources = [source_scan.absolute(p) for p in add_paths]
    for path in new_sources:
        if not os.path.lexists(path):
            raise QAError(f"no such file or folder: {path}")
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise QAError(f"cannot create the index folder {index_dir}: {exc.strerror}") from exc
    if not os.access(index_dir, os.W_OK):
        raise QAError(f"the index folder {index_dir} is not writable; choose another with --index DIR")
    progress = on_progress or (lambda *_: None)
    with write_lock(index_dir, on_wait=on_message):
        try:
            return _sync_once(index_dir, new_sources, model, rebuild, settings, embedder, progress, started)
        except _DamagedVectors as exc:
            report = _sync_once(index_dir, new_sources, model, True, settings, embedder, progress, started)
            report.warnings.insert(0, f"{str(exc).split(';')[0]}: rebuilt the index")
            return report
        except IndexCorrupt:
            if not rebuild:
                raise
            if not new_sources:
                raise QAError("the index database is damaged and its list of sources cannot be read; "
                              "rebuild it by naming them: qa index --rebuild PATH ...") from None
            aside = _set_aside(index_dir)
            report = _sync_once(index_dir, new_sources, model, True, settings, embedder, progress, started)
            report.warnings.insert(0, f"the damaged index database was moved to {aside}")
            return report


def _sync_once(index_dir: Path, new_sources: list[str], model: str | None, rebuild: bool,
               settings: ChunkSettings, embedder: object | None, on_progress: ProgressCallback,
               started: float) -> SyncReport:
    """One sync under the lock; failures to write become a one-line QAError (the previous
    index stays as it was: nothing is visible before the final commit)."""
    try:
        conn = store.connect(index_dir, create=True)
    except sqlite3.OperationalError as exc:
        raise _write_failed(index_dir, exc) from exc
    try:
        return _sync_locked(conn, index_dir, new_sources, model, rebuild, settings, embedder,
                            on_progress, started)
    except sqlite3.OperationalError as exc:  # disk full, read-only, I/O error, locked too long
        raise _write_failed(index_dir, exc) from exc
    except sqlite3.DatabaseError as exc:
        raise IndexCorrupt(f"the index database in {index_dir}/ is damaged ({exc}); "
                           "rebuild with: qa index --rebuild PATH ...") from exc
    except OSError as exc:
        raise _write_failed(index_dir, exc) from exc
    finally:
        conn.close()


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


def _sync_locked(conn: sqlite3.Connection, index_dir: Path, new_sources: list[str], model: str | None,
                 rebuild: bool, settings: ChunkSettings, embedder: object | None,
                 on_progress: ProgressCallback, started: float) -> SyncReport:
    report = SyncReport()
    meta = store.read_meta(conn)
    model_name = model or (meta.model if meta else DEFAULT_MODEL)
    if meta and not rebuild:
        if meta.format_version > FORMAT_VERSION:
            raise QAError(f"the index in {index_dir}/ was made by a newer qa (format {meta.format_version}, "
                          f"this one writes {FORMAT_VERSION}); use that qa, or rebuild with: qa index --rebuild")
        if meta.format_version != FORMAT_VERSION:
            report.warnings.append(f"index format {meta.format_version} is not {FORMAT_VERSION}: rebuilding")
            rebuild = True
        elif meta.model != model_name:
            report.warnings.append(f"model changed from {meta.model} to {model_name}: rebuilding")
            rebuild = True
        elif meta.chunking != settings.as_dict():
            report.warnings.append("chunking settings changed: rebuilding")
            rebuild = True
    report.rebuilt = rebuild and meta is not None

    sources = [row[0] for row in conn.execute("SELECT path FROM sources ORDER BY path")]
    if not sources and not new_sources:
        default = source_scan.absolute(DEFAULT_SOURCE)
        if not os.path.isdir(default):
            raise QAError("nothing to index: name a file or folder, e.g. qa index ~/articles")
        new_sources = [default]
    # recorded at once, so that a run cut short is completed by the next plain `qa index`
    conn.executemany("INSERT OR IGNORE INTO sources(path, added_at) VALUES (?, ?)",
                     [(p, time.time()) for p in new_sources])
    sources += [p for p in new_sources if p not in sources]
    scan = source_scan.scan(sources)
    for missing in scan.missing_sources:
        report.warnings.append(f"source not found, its documents are removed from the index: {missing}")

    known = {
        path: _Known(doc_id, size, mtime_ns, sha, title)
        for doc_id, path, size, mtime_ns, sha, title in conn.execute(
            "SELECT id, path, size, mtime_ns, sha256, title FROM documents")
    }
    removed_ids = [k.id for path, k in known.items() if path not in scan.files]
    skipped = dict(scan.skipped)
    new_docs: list[_NewDoc] = []
    touched: list[tuple[int, int, int]] = []  # (mtime_ns, size, id): content same, stat moved
    to_read = [p for p, st in scan.files.items()
               if rebuild or p not in known or (known[p].size, known[p].mtime_ns) != (st.st_size, st.st_mtime_ns)]
    report.unchanged = len(scan.files) - len(to_read)
    for i, path in enumerate(to_read):
        on_progress("reading", i, len(to_read))
        old = known.get(path)
        try:
            with open(path, "rb") as handle:
                info = os.fstat(handle.fileno())
                data = read_limited(handle)
            doc = parse(Path(path), data)
        except OSError as exc:  # perhaps passing (permissions, a file being replaced): keep what we have
            skipped[path] = f"cannot read: {exc.strerror or exc}" + (" (the indexed version is kept)" if old else "")
            continue
        except Unreadable as exc:
            skipped[path] = str(exc)
            if old:
                removed_ids.append(old.id)
            continue
        finally:
            if i == 0:
                _pause("reading")
        if old and not rebuild and old.sha256 == doc.sha256:
            touched.append((info.st_mtime_ns, info.st_size, old.id))
            report.unchanged += 1
            continue
        new_docs.append(_NewDoc(doc, info.st_size, info.st_mtime_ns, chunk(doc, settings),
                                old.id if old else None))
    on_progress("reading", len(to_read), len(to_read))
    report.skipped = len(skipped)
    report.skipped_files = skipped
    report.added = sum(1 for d in new_docs if d.replaces is None)
    report.updated = sum(1 for d in new_docs if d.replaces is not None)
    report.removed = len(removed_ids)

    if meta and not rebuild and not new_docs and not removed_ids:
        # nothing to embed or remove: record new sources, moved stats and skips only
        _commit(conn, [], [], [], touched, skipped, None)
        report.passages = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        report.seconds = time.monotonic() - started
        return report

    # -- vectors: reuse what is known, embed the rest ------------------------------------
    replaced_ids = [d.replaces for d in new_docs if d.replaces is not None]
    drop_ids = removed_ids + replaced_ids
    if meta and not rebuild:
        try:
            index = vectors.load(meta.vector_file(index_dir))
        except IndexCorrupt as exc:
            raise _DamagedVectors(str(exc)) from exc
        dim = meta.dim
    else:
        index = None
        dim = 0
    texts = [embedding_text(d.doc.title, p.text, settings) for d in new_docs for p in d.passages]
    found: dict[str, np.ndarray] = {}
    if index is not None and replaced_ids:
        found.update(_reusable_vectors(conn, index, replaced_ids, model_name, settings))
    keys = [_vector_key(model_name, t) for t in texts]
    found.update(_pending_vectors(conn, [k for k in set(keys) if k not in found]))
    # identical texts are embedded once; sorted by length so each batch pads little
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in found}.items(), key=lambda kt: len(kt[1]))
    loaded_here = None
    if missing or index is None:
        if embedder is None:
            from qa.embedder import Embedder

            embedder = loaded_here = Embedder(model_name)
        dim = embedder.dim
        _embed(conn, embedder, missing, found, on_progress)
        report.embedded = len(missing)
    if index is None:
        index = vectors.new(dim)
        drop_ids = []  # a fresh index holds nothing to drop
    elif index.d != dim:
        raise IndexCorrupt(f"vector file has dimension {index.d}, expected {dim}; rebuild with: qa index --rebuild")

    # -- passage ids, the new vector file, then one transaction ----------------------------
    next_id = meta.next_passage_id if meta else 1
    rows: list[tuple[int, _NewDoc, Passage]] = []
    for d in new_docs:
        for p in d.passages:
            rows.append((next_id, d, p))
            next_id += 1
    old_passage_ids = _passage_ids(conn, drop_ids)
    vectors.remove(index, old_passage_ids)
    if rows:
        vectors.add(index, [r[0] for r in rows], np.vstack([found[k] for k in keys]))
    tokens = [tokenize(bm25_text(d.doc.title, p.text, settings)) for _, d, p in rows]
    if meta and not rebuild:
        counts = store.load_term_counts(conn, meta, index_dir).edit(old_passage_ids, [r[0] for r in rows], tokens)
    else:
        counts = TermCounts.build([r[0] for r in rows], tokens)
    generation = (meta.generation + 1) if meta else 1
    new_meta = store.IndexMeta(FORMAT_VERSION, model_name, dim, settings.as_dict(), generation, next_id)
    all_old_docs = [k.id for k in known.values()] if rebuild else drop_ids
    try:
        vectors.save(index, new_meta.vector_file(index_dir))
        counts.save(new_meta.terms_file(index_dir))
        _pause("saved")
        _commit(conn, all_old_docs, rows, tokens, touched, skipped, new_meta)
    except BaseException:
        _drop_uncommitted(conn, index_dir, new_meta)
        raise
    _pause("committed")
    _remove_old_generations(index_dir, keep={generation, generation - 1})
    if loaded_here is not None:  # torch is loaded anyway: leave questions a torch-free encoder
        from qa.embedder import prepare_question_encoder

        try:
            prepare_question_encoder(loaded_here)
        except KeyboardInterrupt:  # the index is committed: stop, and do not say otherwise
            report.warnings.append("interrupted while exporting the model for fast questions; "
                                   "the index is up to date; the next qa ask exports it")
    report.passages = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    report.seconds = time.monotonic() - started
    return report


def _passage_ids(conn: sqlite3.Connection, doc_ids: list[int]) -> list[int]:
    ids: list[int] = []
    for i in range(0, len(doc_ids), 500):
        part = doc_ids[i:i + 500]
        marks = ",".join("?" * len(part))
        ids += [r[0] for r in conn.execute(f"SELECT id FROM passages WHERE doc_id IN ({marks})", part)]
    return ids


def _reusable_vectors(conn: sqlite3.Connection, index: object, doc_ids: list[int], model: str,
                      settings: ChunkSettings) -> dict[str, np.ndarray]:
    """Vectors of the passages of changed documents, keyed as their text would be."""
    out: dict[str, np.ndarray] = {}
    for i in range(0, len(doc_ids), 500):
        part = doc_ids[i:i + 500]
        marks = ",".join("?" * len(part))
        rows = conn.execute(
            f"SELECT p.id, p.text, d.title FROM passages p JOIN documents d ON d.id = p.doc_id "
            f"WHERE p.doc_id IN ({marks})", part).fetchall()
        if rows:
            stored = vectors.reconstruct(index, [r[0] for r in rows])
            for (pid, text, title), vec in zip(rows, stored):
                out[_vector_key(model, embedding_text(title, text, settings))] = vec
    return out


def _pending_vectors(conn: sqlite3.Connection, keys: list[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for i in range(0, len(keys), 500):
        part = keys[i:i + 500]
        marks = ",".join("?" * len(part))
        for key, blob in conn.execute(f"SELECT key, vector FROM pending_vectors WHERE key IN ({marks})", part):
            out[key] = np.frombuffer(blob, dtype=np.float32)
    return out


def _embed(conn: sqlite3.Connection, embedder: object, missing: list[tuple[str, str]],
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
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR REPLACE INTO pending_vectors(key, vector) VALUES (?, ?)",
                         [(k, v.astype(np.float32).tobytes()) for (k, _), v in zip(part, vecs)])
        conn.execute("COMMIT")
        for (k, _), v in zip(part, vecs):
            found[k] = v
        if i == 0:
            _pause("embedding")


def _commit(conn: sqlite3.Connection, drop_doc_ids: list[int], rows: list[tuple[int, _NewDoc, Passage]],
            tokens: list[list[str]], touched: list[tuple[int, int, int]], skipped: dict[str, str],
            meta: store.IndexMeta | None) -> None:
    now = time.time()
    conn.execute("BEGIN IMMEDIATE")
    try:
        for i in range(0, len(drop_doc_ids), 500):
            part = drop_doc_ids[i:i + 500]
            conn.execute(f"DELETE FROM documents WHERE id IN ({','.join('?' * len(part))})", part)
        doc_ids: dict[int, int] = {}
        for _, d, _ in rows:
            if id(d) not in doc_ids:
                cur = conn.execute(
                    "INSERT INTO documents(path, title, sha256, size, mtime_ns, encoding, indexed_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (str(d.doc.path), d.doc.title, d.doc.sha256, d.size, d.mtime_ns, d.doc.encoding, now))
                doc_ids[id(d)] = cur.lastrowid
        conn.executemany(
            "INSERT INTO passages(id, doc_id, ordinal, start, end, paragraph, paragraph_end, text, tokens) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(pid, doc_ids[id(d)], p.ordinal, p.start, p.end, p.paragraph, p.paragraph_end, p.text, " ".join(t))
             for (pid, d, p), t in zip(rows, tokens)])
        conn.executemany("UPDATE documents SET mtime_ns = ?, size = ? WHERE id = ?", touched)
        conn.execute("DELETE FROM skipped")
        conn.executemany("INSERT INTO skipped(path, reason) VALUES (?, ?)", skipped.items())
        if meta is not None:
            store.write_meta(conn, meta)
            conn.execute("DELETE FROM pending_vectors")
        _pause("committing")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _drop_uncommitted(conn: sqlite3.Connection, index_dir: Path, new_meta: store.IndexMeta) -> None:
    """Delete the new vector and term files when the commit that would have made them current failed."""
    try:
        current = store.read_meta(conn)
    except QAError:
        return
    if current is None or current.generation != new_meta.generation:
        new_meta.vector_file(index_dir).unlink(missing_ok=True)
        new_meta.terms_file(index_dir).unlink(missing_ok=True)


def _remove_old_generations(index_dir: Path, keep: set[int]) -> None:
    """Drop vector and term files of older generations (the previous one stays for readers
    mid-open) and temporary files of interrupted runs."""
    for path in [*index_dir.glob("vectors.*.faiss*"), *index_dir.glob("terms.*.npz*")]:
        parts = path.name.split(".")
        try:
            generation = int(parts[1])
        except (IndexError, ValueError):
            continue
        if generation not in keep or path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)
