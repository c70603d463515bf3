"""The index's database (stdlib sqlite3): sources, documents, passages and settings.

Layout of an index folder:
  qa.sqlite           this database
  vectors.<gen>.faiss the dense vectors of the segment generation <gen> wrote
  terms.<gen>.npz     the BM25 term counts of that segment (numpy format, no pickle)
  write.lock          held by the process that is updating the index
  checked.json        the database as the last whole sync left it (qa/integrity.py)
  qa-index            the marker that makes the folder qa's own (qa/ownership.py): qa deletes
                      and rewrites only its own files, in its own folder

A generation is a list of immutable segments (the meta's `segments`) plus the passages deleted
since they were written (the `deleted_passages` table). A reindex writes one new segment for its
new passages and marks the removed ones deleted, in the same database transaction that updates
documents and passages; merges (qa/merging.py) rewrite a few segments into one as commits of their
own. Until a commit, readers keep seeing the previous generation, and a killed reindex or merge
leaves it intact. An index written before segments has one vector and term file pair, which is
read as its one segment (`segments` absent from the meta).

Every SQL statement the indexer and the change check run is here, in `IndexStore`, so the schema
and its queries change together; rows come back as named tuples, not positional ones.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from qa.config import FORMAT_VERSION, READABLE_FORMAT_VERSIONS
from qa.settings import DEFAULT_BUSY, DEFAULT_SETTINGS
from qa.errors import IndexBusy, IndexCorrupt, IndexMissing, IndexTooNew, IndexTooOld, QAError

if TYPE_CHECKING:
    import numpy as np

    from qa.bm25 import TermCounts
    from qa.postings import Postings

DB_NAME = "qa.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY, added_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    encoding TEXT NOT NULL,
    indexed_at REAL NOT NULL,
    passages INTEGER  -- passage rows written with it: rows lost later are noticed
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,
    paragraph_end INTEGER NOT NULL,
    text TEXT NOT NULL,
    tokens TEXT NOT NULL,
    text_sha1 TEXT  -- passage_hash(text) at write: a cited passage is checked against it
);
CREATE INDEX IF NOT EXISTS passages_by_doc ON passages(doc_id);
CREATE TABLE IF NOT EXISTS skipped (path TEXT PRIMARY KEY, reason TEXT NOT NULL);
-- vectors embedded by an unfinished reindex, so the next run need not embed them again
CREATE TABLE IF NOT EXISTS pending_vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
-- passages the current generation's segments hold that were deleted since (tombstones)
CREATE TABLE IF NOT EXISTS deleted_passages (id INTEGER PRIMARY KEY);
"""

#: Columns added since the first schema of this format: an older index gets them from its next
#: writer (`migrate`), readers do without them, so FORMAT_VERSION stays. documents.ctime_ns and
#: inode tell a rewrite that kept the size and put the modification time back (NULL: not yet
#: recorded); passages.page is a PDF passage's page; passages.text_sha1 and documents.passages
#: are what the integrity checks compare (backfilled from the rows as they are; NULL in a row an
#: older qa wrote means "not recorded", never "damaged").
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("documents", "ctime_ns", "INTEGER"), ("documents", "inode", "INTEGER"), ("passages", "page", "INTEGER"),
    ("passages", "text_sha1", "TEXT"), ("documents", "passages", "INTEGER"),
    # a file skipped as over its reader's budget: its stat then, so it is not read again unchanged
    ("skipped", "size", "INTEGER"), ("skipped", "mtime_ns", "INTEGER"), ("skipped", "ctime_ns", "INTEGER"),
    ("skipped", "inode", "INTEGER"),
)
#: `excluded` holds files and folders `qa remove` took out of a source that still holds them
MIGRATION_TABLES = "CREATE TABLE IF NOT EXISTS excluded (path TEXT PRIMARY KEY, removed_at REAL NOT NULL);"


def columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


#: The BM25 parameters of the shipped ranking (see qa/bm25.py and BENCHMARKS.md); also what an
#: index written before they were recorded was built with.
BM25_DEFAULTS: Mapping[str, float] = MappingProxyType(DEFAULT_SETTINGS.bm25_params._asdict())

#: values bound per statement by `execute_in`: well under sqlite's limit on bound variables
#: (999 before sqlite 3.32, 32766 since)
IN_BATCH = 500


def bm25_params(given: Mapping[str, float] | None = None) -> dict[str, float]:
    """The BM25 parameters to record: BM25_DEFAULTS, with those `given` (k1, b, epsilon) instead."""
    params = dict(BM25_DEFAULTS)
    unknown = sorted(set(given or {}) - set(params))
    if unknown:
        raise QAError(f"unknown BM25 parameter {', '.join(unknown)}; known: {', '.join(params)}")
    params.update({key: float(value) for key, value in (given or {}).items()})
    return params


def passage_hash(text: str) -> str:
    """The content hash recorded with each passage row (sha1 of its UTF-8 text)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def database_identity(index_dir: Path) -> tuple[int, int] | None:
    """(device, inode) of the index folder's database file now; None when there is none. An open
    index whose database is no longer this file (the folder deleted, or replaced by another
    index) still answers from its open, deleted files until it is opened again."""
    try:
        st = os.stat(Path(index_dir) / DB_NAME)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def migrate(conn: sqlite3.Connection) -> None:
    """Bring an index written by an earlier qa of this format up to the current schema: add the
    columns of ADDED_COLUMNS it lacks (filling the integrity ones from the rows) and new tables."""
    missing = [(table, column, kind) for table, column, kind in ADDED_COLUMNS if column not in columns(conn, table)]
    if missing:
        conn.create_function("qa_passage_hash", 1, passage_hash, deterministic=True)
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table, column, kind in missing:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            added = {column for _, column, _ in missing}
            if "text_sha1" in added:
                conn.execute("UPDATE passages SET text_sha1 = qa_passage_hash(text) WHERE text_sha1 IS NULL")
            if "passages" in added:
                conn.execute("UPDATE documents SET passages = (SELECT count(*) FROM passages p "
                             "WHERE p.doc_id = documents.id) WHERE passages IS NULL")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    conn.executescript(MIGRATION_TABLES)
    add_news_columns(conn)


@dataclass(frozen=True)
class GenerationRecord:
    """What a commit recorded of its generation, so damage is told at load: how many live vectors,
    term rows and passage rows it has (the three agree in a whole index) and, for an index written
    before segments, the size and checksum (zlib.crc32) of its one vector and term file (0 in a
    segmented index: each SegmentRecord has its own)."""

    generation: int
    vectors: int
    terms: int
    passages: int
    vectors_size: int = 0
    vectors_crc32: int = 0
    terms_size: int = 0
    terms_crc32: int = 0


@dataclass(frozen=True)
class SegmentRecord:
    """One immutable segment: the vector and term files of the passages `first_id`..`last_id`
    (ids ascending, disjoint from every other segment's range), written by generation `id`, with
    their sizes and crc32 as written (None: an older index's file pair, never recorded)."""

    id: int
    passages: int  # rows in each file, deleted passages included
    first_id: int
    last_id: int
    vectors_size: int | None = None
    vectors_crc32: int | None = None
    terms_size: int | None = None
    terms_crc32: int | None = None

    def vector_file(self, index_dir: Path) -> Path:
        return index_dir / vector_file_name(self.id)

    def terms_file(self, index_dir: Path) -> Path:
        return index_dir / terms_file_name(self.id)

    @property
    def file_names(self) -> tuple[str, str]:
        return vector_file_name(self.id), terms_file_name(self.id)


def file_crc32(path: Path, chunk: int = 1 << 20) -> tuple[int, int]:
    """(size, crc32) of a file, read in chunks (about 1 GB/s)."""
    crc = size = 0
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            crc = zlib.crc32(block, crc)
            size += len(block)
    return size, crc


@dataclass(frozen=True)
class IndexMeta:
    format_version: int
    model: str
    dim: int
    chunking: dict[str, int]
    generation: int
    next_passage_id: int
    #: the BM25 parameters the index was built with (k1, b, epsilon)
    bm25: dict[str, float] = field(default_factory=lambda: dict(BM25_DEFAULTS))
    #: the commit's record of this generation (None: written by a qa that did not record one)
    record: GenerationRecord | None = None
    #: the segments, in passage id order (None: an index written before segments, whose one
    #: vector and term file pair is named by its generation; see qa/segments.py)
    segments: tuple[SegmentRecord, ...] | None = None
    #: the previous generation's files, kept for readers that opened it (removed at the next commit)
    kept_files: tuple[str, ...] = ()

    def vector_file(self, index_dir: Path) -> Path:
        return index_dir / vector_file_name(self.generation)

    def terms_file(self, index_dir: Path) -> Path:
        return index_dir / terms_file_name(self.generation)


def vector_file_name(generation: int) -> str:
    return f"vectors.{generation}.faiss"


def terms_file_name(generation: int) -> str:
    return f"terms.{generation}.npz"


# -- rows -----------------------------------------------------------------------------------

class DocumentRow(NamedTuple):
    """An indexed file, as a sync compares it with the file on disk."""

    id: int
    path: str
    size: int
    mtime_ns: int
    sha256: str
    title: str
    ctime_ns: int | None = None  # None: recorded by an older qa (size and mtime decide)
    inode: int | None = None


class StoredPassage(NamedTuple):
    """An indexed passage with its article's title: what its vector was embedded from."""

    id: int
    title: str
    text: str


class StoredPassageRow(NamedTuple):
    """A passage row as the integrity check reads it (qa/integrity.py's passage_problem)."""

    passage_id: int
    doc_id: int
    path: str
    encoding: str
    sha256: str
    start: int
    end: int
    text: str
    text_sha1: str | None


class PassageTokens(NamedTuple):
    id: int
    tokens: str  # the BM25 tokens, space-separated


class NewDocument(NamedTuple):
    path: str
    title: str
    sha256: str
    size: int
    mtime_ns: int
    encoding: str
    ctime_ns: int | None = None
    inode: int | None = None


class NewPassage(NamedTuple):
    id: int
    ordinal: int
    start: int
    end: int
    paragraph: int
    paragraph_end: int
    text: str
    tokens: str  # the BM25 tokens, space-separated
    page: int | None = None  # the PDF page the passage starts on (None: not a PDF)


class HeldSkip(NamedTuple):
    """A file skipped as over its reader's budget, with its stat when it was (sources.same_file
    compares it): it stays skipped, unread, until its stat moves."""

    reason: str
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int


class StatMove(NamedTuple):
    """A file whose content is unchanged but whose size or modification time moved."""

    id: int
    size: int
    mtime_ns: int
    ctime_ns: int | None = None
    inode: int | None = None


# -- the batched IN helper ---------------------------------------------------------------------

def execute_in(conn: sqlite3.Connection, sql: str, values: Sequence[object]) -> list[tuple]:
    """Run `sql`, whose `IN ({marks})` takes `values`, in batches of IN_BATCH (sqlite limits the
    variables of one statement); every batch's rows, in order. For SELECT and DELETE alike."""
    if "({marks})" not in sql:
        raise ValueError("the statement needs an 'IN ({marks})' for the values")
    rows: list[tuple] = []
    for i in range(0, len(values), IN_BATCH):
        part = list(values[i:i + IN_BATCH])
        rows += conn.execute(sql.replace("{marks}", ",".join("?" * len(part))), part).fetchall()
    return rows


# -- opening, meta and format ------------------------------------------------------------------

def busy_wait_seconds() -> float:
    """How long a command waits for a database another process holds before saying "busy"
    ($QA_BUSY_WAIT, default DEFAULT_BUSY.wait_seconds)."""
    try:
        return max(0.0, float(os.environ.get("QA_BUSY_WAIT", DEFAULT_BUSY.wait_seconds)))
    except ValueError:
        return DEFAULT_BUSY.wait_seconds


def is_busy(exc: BaseException) -> bool:
    """True for sqlite's SQLITE_BUSY / SQLITE_LOCKED ("database is locked"): another process holds
    the database; it is whole, and waiting (or trying again) is the answer, never a rebuild."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def database_error(exc: sqlite3.Error, index_dir: Path) -> QAError:
    """The user's view of a sqlite error: IndexBusy for a database another process holds,
    IndexCorrupt (with the rebuild advice) only for real damage ("file is not a database",
    "malformed"), otherwise a one-line QAError naming the failure."""
    if is_busy(exc):
        from qa.lock import holder

        return IndexBusy(f"the index in {index_dir}/ is busy (held by {holder(index_dir, index_dir / DB_NAME)}); "
                         "try again when it is done")
    if isinstance(exc, sqlite3.OperationalError):  # I/O error, disk full, read-only, no such table
        return QAError(f"cannot read the index in {index_dir}/: {exc}")
    return IndexCorrupt(f"the index database {index_dir / DB_NAME} is damaged ({exc}); "
                        f"rebuild with: qa index --rebuild{index_flag(index_dir)}")


def index_flag(index_dir: Path) -> str:
    """" --index DIR" unless DIR is where qa looks by default (for commands in messages)."""
    from qa.config import index_dir_from

    return "" if Path(index_dir) == index_dir_from(None) else f" --index {index_dir}"


class WaitingConnection(sqlite3.Connection):
    """A connection that waits out a database held by another process, with a note after
    DEFAULT_BUSY.note_after_seconds, and raises IndexBusy (never a "damaged" error) after
    busy_wait_seconds(). sqlite's own busy timeout is the same: each statement is retried
    while the wait lasts (safe: a busy statement has done nothing)."""

    index_dir: Path = Path(".")
    on_busy: Callable[[str], None] | None = None

    def execute(self, sql: str, parameters: object = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        return self._waiting(sqlite3.Connection.execute, sql, parameters)

    def executemany(self, sql: str, parameters: object, /) -> sqlite3.Cursor:  # type: ignore[override]
        if not isinstance(parameters, (list, tuple)):
            parameters = list(parameters)  # type: ignore[call-overload]  # a retry must see them again
        return self._waiting(sqlite3.Connection.executemany, sql, parameters)

    def executescript(self, script: str, /) -> sqlite3.Cursor:  # type: ignore[override]
        return self._waiting(sqlite3.Connection.executescript, script)

    def _waiting(self, run: Callable[..., sqlite3.Cursor], *args: object) -> sqlite3.Cursor:
        started = time.monotonic()
        noted = False
        while True:
            try:
                return run(self, *args)
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise
                waited = time.monotonic() - started
                if waited >= busy_wait_seconds():
                    raise IndexBusy(_busy_message(self.index_dir, waited)) from exc
                if not noted:
                    noted = True
                    self._note()
                time.sleep(0.05)

    def _note(self) -> None:
        from qa.lock import holder

        message = f"the index is busy (being updated by {holder(self.index_dir, self.index_dir / DB_NAME)}); waiting"
        if self.on_busy is not None:
            self.on_busy(message)
        else:
            print(f"qa: {message}", file=sys.stderr, flush=True)


def _busy_message(index_dir: Path, waited: float) -> str:
    from qa.lock import holder

    return (f"the index in {index_dir}/ is busy: {holder(index_dir, index_dir / DB_NAME)} has held it for {waited:.0f} s; "
            "try again when it is done")


def connect(index_dir: Path, *, create: bool = False,
            on_busy: Callable[[str], None] | None = None) -> sqlite3.Connection:
    """Open the database; with create=False a missing index is an IndexMissing error. The connection
    may be used from any thread (the UI's workers run on a pool), one at a time: callers serialise.
    A database another process holds is waited for (see WaitingConnection; `on_busy` gets the
    note, default: stderr)."""
    path = index_dir / DB_NAME
    if not create and not path.exists():
        raise IndexMissing(f"no index in {index_dir}/; build one with: qa index PATH (e.g. qa index seeds)")
    options = dict(timeout=DEFAULT_BUSY.note_after_seconds, isolation_level=None, check_same_thread=False,
                   factory=WaitingConnection)
    try:
        if create:
            index_dir.mkdir(parents=True, exist_ok=True)
        if create or os.access(index_dir, os.W_OK):
            # a reader may have to roll back a journal left by a killed writer: it needs write access
            conn = sqlite3.connect(path, **options)
        else:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, **options)
        conn.index_dir, conn.on_busy = index_dir, on_busy
        conn.execute("PRAGMA foreign_keys = ON")
        if create:
            conn.executescript(SCHEMA)
            migrate(conn)
        else:
            conn.execute("SELECT count(*) FROM meta").fetchone()
    except sqlite3.DatabaseError as exc:
        raise database_error(exc, index_dir) from exc
    return conn


def read_meta(conn: sqlite3.Connection) -> IndexMeta | None:
    """The index's settings, or None for a database no reindex has completed in yet."""
    return IndexStore(conn).read_meta()


def write_meta(conn: sqlite3.Connection, meta: IndexMeta) -> None:
    IndexStore(conn).write_meta(meta)


def _meta_from(values: dict[str, str]) -> IndexMeta:
    """IndexMeta from the meta table's key -> value (KeyError, ValueError when damaged)."""
    bm25 = bm25_params(json.loads(values["bm25"])) if "bm25" in values else dict(BM25_DEFAULTS)
    return IndexMeta(
        format_version=int(values["format_version"]),
        model=values["model"],
        dim=int(values["dim"]),
        chunking=json.loads(values["chunking"]),
        generation=int(values["generation"]),
        next_passage_id=int(values["next_passage_id"]),
        bm25=bm25,
        record=_record_from(values.get("record"), int(values["generation"])),
        segments=_segments_from(values.get("segments"), int(values["generation"])),
        kept_files=tuple(json.loads(values.get("kept_files", "[]"))),
    )


def _segments_from(value: str | None, generation: int) -> tuple[SegmentRecord, ...] | None:
    """The segments, if this generation's: a qa from before segments that committed since wrote
    its one file pair and left the key as it was (None: read that pair, as it wrote it)."""
    if value is None:
        return None
    recorded = json.loads(value)
    if recorded["generation"] != generation:
        return None
    return tuple(SegmentRecord(**item) for item in recorded["segments"])


def _record_from(value: str | None, generation: int) -> GenerationRecord | None:
    """The record, if it is this generation's (an older qa may have committed since without one)."""
    if value is None:
        return None
    record = GenerationRecord(**json.loads(value))
    return record if record.generation == generation else None


def _meta_values(meta: IndexMeta) -> dict[str, str]:
    return {
        "format_version": str(meta.format_version),
        "model": meta.model,
        "dim": str(meta.dim),
        "chunking": json.dumps(meta.chunking, sort_keys=True),
        "generation": str(meta.generation),
        "next_passage_id": str(meta.next_passage_id),
        "bm25": json.dumps(meta.bm25, sort_keys=True),
        **({"record": json.dumps(dataclasses.asdict(meta.record), sort_keys=True)} if meta.record else {}),
        **({"segments": json.dumps({"generation": meta.generation,
                                    "segments": [dataclasses.asdict(s) for s in meta.segments]})}
           if meta.segments is not None else {}),
        "kept_files": json.dumps(list(meta.kept_files)),
    }


def check_format(meta: IndexMeta, index_dir: Path) -> None:
    """The one format check, for readers and the indexer alike: IndexTooNew for an index made by
    a newer qa (never overwritten unasked), IndexTooOld for one an older qa made (rebuilt)."""
    if meta.format_version > FORMAT_VERSION:
        raise IndexTooNew(
            f"the index in {index_dir}/ was made by a newer qa (format version {meta.format_version}, this "
            f"qa reads {FORMAT_VERSION}); use that qa, or rebuild it with: qa index --rebuild"
        )
    if meta.format_version not in READABLE_FORMAT_VERSIONS:
        raise IndexTooOld(
            f"the index in {index_dir}/ has format version {meta.format_version}, this qa reads "
            f"version {FORMAT_VERSION}; rebuild it with: qa index --rebuild"
        )


def load_term_postings(conn: sqlite3.Connection, meta: IndexMeta, index_dir: Path) -> "Postings":
    """The BM25 term postings of the current generation (an index from before segments);
    rebuilt from the passages' stored tokens when the file is missing or unreadable (it is
    derived data)."""
    from qa.bm25 import TermCounts
    from qa.postings import Postings

    try:
        return Postings.load(meta.terms_file(index_dir))
    except (OSError, ValueError, KeyError):
        rows = IndexStore(conn).passage_tokens()
        return TermCounts.build([r.id for r in rows], [r.tokens.split() for r in rows]).postings()


def _damaged(conn: sqlite3.Connection, exc: sqlite3.DatabaseError) -> QAError:
    return database_error(exc, getattr(conn, "index_dir", Path(".")))


class IndexStore:
    """The index database and every statement run on it by the indexer and the change check.

    Wraps an open connection (autocommit: writes that belong together go in `transaction()`).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @classmethod
    def open(cls, index_dir: Path, *, create: bool = False) -> "IndexStore":
        return cls(connect(index_dir, create=create))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "IndexStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, taken at once (BEGIN IMMEDIATE); rolled back on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    # -- meta --------------------------------------------------------------------------------
    def read_meta(self) -> IndexMeta | None:
        """The index's settings, or None for a database no reindex has completed in yet."""
        try:
            values = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.conn, exc) from exc
        if "generation" not in values:
            return None
        try:
            return _meta_from(values)
        except (KeyError, ValueError, TypeError, AttributeError, QAError) as exc:
            raise IndexCorrupt(f"the index settings are damaged ({exc}); rebuild with: qa index --rebuild") from exc

    def write_meta(self, meta: IndexMeta) -> None:
        values = _meta_values(meta)
        if "segments" not in values:
            self.conn.execute("DELETE FROM meta WHERE key = 'segments'")
        self.conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", values.items())

    # -- deleted passages (tombstones) of the current generation's segments ----------------------
    def deleted_ids(self) -> list[int]:
        """Ids of passages a segment still holds that were deleted since, ascending (an index
        written before segments, not yet migrated, has none)."""
        if "deleted_passages" not in self._tables():
            return []
        return [row[0] for row in self.conn.execute("SELECT id FROM deleted_passages ORDER BY id")]

    def add_deleted(self, ids: Iterable[int]) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO deleted_passages(id) VALUES (?)", [(int(i),) for i in ids])

    def forget_deleted(self, first_id: int, last_id: int) -> None:
        """The segments holding these ids were rewritten without them (a merge)."""
        self.conn.execute("DELETE FROM deleted_passages WHERE id BETWEEN ? AND ?", (first_id, last_id))

    def clear_deleted(self) -> None:
        self.conn.execute("DELETE FROM deleted_passages")

    def read_manifest(self) -> tuple[IndexMeta | None, list[int]]:
        """The meta and its deleted passages as of one commit (one read transaction: a writer
        committing meanwhile cannot pair one generation's meta with another's deletions)."""
        if self.conn.in_transaction:
            return self.read_meta(), self.deleted_ids()
        self.conn.execute("BEGIN")
        try:
            return self.read_meta(), self.deleted_ids()
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    # -- sources and files -------------------------------------------------------------------
    def sources(self) -> list[str]:
        """The files and folders the index syncs, by path."""
        return [row[0] for row in self.conn.execute("SELECT path FROM sources ORDER BY path")]

    def add_sources(self, paths: Iterable[str], added_at: float) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO sources(path, added_at) VALUES (?, ?)",
                              [(p, added_at) for p in paths])

    def documents(self) -> list[DocumentRow]:
        extra = ", ctime_ns, inode" if "inode" in columns(self.conn, "documents") else ""
        return [DocumentRow(*row) for row in self.conn.execute(
            f"SELECT id, path, size, mtime_ns, sha256, title{extra} FROM documents")]

    def documents_under(self, paths: Sequence[str]) -> list[DocumentRow]:
        """The document rows at these paths or inside these folders (a restricted sync reads
        only these): by the path's unique index, not a scan of every row."""
        extra = ", ctime_ns, inode" if "inode" in columns(self.conn, "documents") else ""
        rows: dict[int, DocumentRow] = {}
        for path in dict.fromkeys(paths):
            folder = path.rstrip("/") + "/"
            for row in self.conn.execute(
                    f"SELECT id, path, size, mtime_ns, sha256, title{extra} FROM documents "
                    "WHERE path = ? OR (path >= ? AND path < ?)", (path, folder, folder[:-1] + "0")):
                rows[row[0]] = DocumentRow(*row)
        return list(rows.values())

    def skipped_paths(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT path FROM skipped")}

    # -- passages ----------------------------------------------------------------------------
    def passage_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM passages").fetchone()[0]

    def max_passage_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM passages").fetchone()[0]

    def passage_ids(self) -> list[int]:
        return [row[0] for row in self.conn.execute("SELECT id FROM passages ORDER BY id")]

    def passage_id_range(self) -> tuple[int, int] | None:
        """(lowest, highest) passage id, None without passages: two look-ups of the primary key."""
        low, high = self.conn.execute("SELECT min(id), max(id) FROM passages").fetchone()
        return None if low is None else (int(low), int(high))

    def document_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    def has_column(self, table: str, column: str) -> bool:
        return column in columns(self.conn, table)

    def documents_missing_passages(self) -> list[tuple[int, str, int | None, int]]:
        """(id, path, passages recorded, passage rows present) of documents that lost passage rows
        (fewer than recorded; none at all where nothing was recorded)."""
        recorded = "d.passages" if self.has_column("documents", "passages") else "NULL"
        return self.conn.execute(
            f"SELECT d.id, d.path, {recorded} AS recorded, count(p.id) AS present FROM documents d "
            "LEFT JOIN passages p ON p.doc_id = d.id GROUP BY d.id "
            "HAVING present < coalesce(recorded, 1) ORDER BY d.path").fetchall()

    def database_problems(self) -> list[str]:
        """sqlite's own check of the database file (PRAGMA quick_check): [] when it is sound."""
        lines = [line.strip() for row in self.conn.execute("PRAGMA quick_check") for line in str(row[0]).splitlines()]
        return [] if lines == ["ok"] else [line for line in lines if line and not line.startswith("***")]

    def stored_passages(self) -> Iterator["StoredPassageRow"]:
        """Every passage row with what checking it needs (its document's path, encoding and
        sha256), by document: read as it is iterated, not all at once."""
        hashed = "p.text_sha1" if self.has_column("passages", "text_sha1") else "NULL"
        cursor = self.conn.execute(
            f"SELECT p.id, p.doc_id, d.path, d.encoding, d.sha256, p.start, p.end, p.text, {hashed} "
            "FROM passages p JOIN documents d ON d.id = p.doc_id ORDER BY p.doc_id, p.id")
        for row in cursor:
            yield StoredPassageRow(*row)

    def passages_by_id(self, ids: Sequence[int]) -> list[StoredPassage]:
        """These passages (id, title, text), to embed them again."""
        return [StoredPassage(*row) for row in execute_in(
            self.conn, "SELECT p.id, d.title, p.text FROM passages p JOIN documents d ON d.id = p.doc_id "
            "WHERE p.id IN ({marks})", ids)]

    def generation_of(self) -> int | None:
        """The committed generation (read inside a commit, to see whether another writer committed)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else None

    def passage_ids_of(self, doc_ids: Sequence[int]) -> list[int]:
        """The ids of the passages of these documents."""
        return [row[0] for row in execute_in(self.conn, "SELECT id FROM passages WHERE doc_id IN ({marks})", doc_ids)]

    def passages_of(self, doc_ids: Sequence[int]) -> list[StoredPassage]:
        """The passages of these documents, with their title (to key their stored vectors)."""
        return [StoredPassage(*row) for row in execute_in(
            self.conn, "SELECT p.id, d.title, p.text FROM passages p JOIN documents d ON d.id = p.doc_id "
            "WHERE p.doc_id IN ({marks})", doc_ids)]

    def passage_tokens(self) -> list[PassageTokens]:
        """Every passage's BM25 tokens, by id (to rebuild the term counts)."""
        try:
            return [PassageTokens(*row) for row in self.conn.execute("SELECT id, tokens FROM passages ORDER BY id")]
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.conn, exc) from exc

    def passage_texts(self) -> list[str]:
        """Every passage's text, by id (benchmarks/speed.py's encode rate)."""
        return [row[0] for row in self.conn.execute("SELECT text FROM passages ORDER BY id")]

    # -- vectors kept aside by an unfinished reindex -------------------------------------------
    def pending_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        rows = execute_in(self.conn, "SELECT key, vector FROM pending_vectors WHERE key IN ({marks})", keys)
        import numpy as np  # not at import: the UI reads the store and must start without numpy

        return {key: np.frombuffer(blob, dtype=np.float32) for key, blob in rows}

    def save_pending_vectors(self, vectors: Iterable[tuple[str, np.ndarray]]) -> None:
        """Keep vectors aside, committed at once, so a run cut short after this need not redo them."""
        with self.transaction():
            self.conn.executemany("INSERT OR REPLACE INTO pending_vectors(key, vector) VALUES (?, ?)",
                                  [(k, v.astype("float32").tobytes()) for k, v in vectors])

    def clear_pending_vectors(self) -> None:
        self.conn.execute("DELETE FROM pending_vectors")

    # -- the writes of a commit (call inside `transaction()`) -------------------------------------
    def delete_documents(self, doc_ids: Sequence[int]) -> None:
        """Delete documents and, by cascade, their passages."""
        execute_in(self.conn, "DELETE FROM documents WHERE id IN ({marks})", doc_ids)

    def add_document(self, doc: NewDocument, passages: Sequence[NewPassage], indexed_at: float) -> int:
        """Insert a document and its passages; the document's new id."""
        cur = self.conn.execute(
            "INSERT INTO documents(path, title, sha256, size, mtime_ns, encoding, ctime_ns, inode, indexed_at, passages) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*doc, indexed_at, len(passages)))
        doc_id = cur.lastrowid
        self.conn.executemany(
            "INSERT INTO passages(id, doc_id, ordinal, start, end, paragraph, paragraph_end, text, tokens, page, "
            "text_sha1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(p.id, doc_id, *p[1:], passage_hash(p.text)) for p in passages])
        return doc_id

    def move_stats(self, moves: Sequence[StatMove]) -> None:
        self.conn.executemany("UPDATE documents SET mtime_ns = ?, size = ?, ctime_ns = ?, inode = ? WHERE id = ?",
                              [(m.mtime_ns, m.size, m.ctime_ns, m.inode, m.id) for m in moves])

    def replace_skipped(self, skipped: Mapping[str, str], held: Mapping[str, HeldSkip] = MappingProxyType({})) -> None:
        """The skipped files, `held` (over budget) with their stat."""
        self.conn.execute("DELETE FROM skipped")
        self._insert_skipped(skipped, held)

    def replace_skipped_under(self, paths: Sequence[str], skipped: Mapping[str, str],
                              held: Mapping[str, HeldSkip] = MappingProxyType({})) -> None:
        """A restricted sync's skipped files: those at or inside `paths` replaced, the rest kept."""
        for path in dict.fromkeys(paths):
            folder = path.rstrip("/") + "/"
            self.conn.execute("DELETE FROM skipped WHERE path = ? OR (path >= ? AND path < ?)",
                              (path, folder, folder[:-1] + "0"))
        self._insert_skipped(skipped, held)

    def _insert_skipped(self, skipped: Mapping[str, str], held: Mapping[str, HeldSkip]) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO skipped(path, reason) VALUES (?, ?)",
                              [(p, r) for p, r in skipped.items() if p not in held])
        self.conn.executemany("INSERT OR REPLACE INTO skipped(path, reason, size, mtime_ns, ctime_ns, inode) "
                              "VALUES (?, ?, ?, ?, ?, ?)", [(p, *h) for p, h in held.items()])

    def held_skips(self) -> dict[str, HeldSkip]:
        """Files skipped as over their reader's budget, by path, with their stat then."""
        if "inode" not in columns(self.conn, "skipped"):
            return {}
        return {row[0]: HeldSkip(*row[1:]) for row in self.conn.execute(
            "SELECT path, reason, size, mtime_ns, ctime_ns, inode FROM skipped WHERE inode IS NOT NULL")}

    # -- the user's library: sources, removals, exclusions (qa sources, qa remove) ---------------
    def skipped_files(self) -> dict[str, str]:
        """Files the last sync did not index, with why."""
        return dict(self.conn.execute("SELECT path, reason FROM skipped ORDER BY path"))

    def remove_sources(self, paths: Sequence[str]) -> None:
        execute_in(self.conn, "DELETE FROM sources WHERE path IN ({marks})", paths)

    def excluded(self) -> set[str]:
        """Files and folders `qa remove` took out of a source that still holds them."""
        if "excluded" not in self._tables():
            return set()
        return {row[0] for row in self.conn.execute("SELECT path FROM excluded")}

    def exclude(self, paths: Iterable[str], removed_at: float) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO excluded(path, removed_at) VALUES (?, ?)",
                              [(p, removed_at) for p in paths])

    def include(self, paths: Sequence[str]) -> None:
        """Take paths (and what is under them) off the excluded list: named again by `qa index`."""
        for path in paths:
            self.conn.execute("DELETE FROM excluded WHERE path = ? OR substr(path, 1, ?) = ?",
                              (path, len(path) + 1, path.rstrip("/") + "/"))

    def rename_documents(self, moves: Sequence[tuple[int, str]]) -> None:
        """Record documents under another path (an older index's unresolved path, now the real one)."""
        self.conn.executemany("UPDATE documents SET path = ? WHERE id = ?", [(path, i) for i, path in moves])

    def document_passages(self) -> list[tuple[int, str, int]]:
        """(id, path, passages) of every document, by path."""
        return self.conn.execute(
            "SELECT d.id, d.path, count(p.id) FROM documents d LEFT JOIN passages p ON p.doc_id = d.id "
            "GROUP BY d.id ORDER BY d.path").fetchall()

    def _tables(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

# -- reads for retrieval ------------------------------------------------------------------------
# What the search side reads (qa/retrieval/): citation rows, the passages of documents, the
# same-article check and the documents list, as typed rows.


class CitationRow(NamedTuple):
    """A passage with what citing it needs."""

    passage_id: int
    doc_id: int
    title: str
    path: str
    paragraph: int
    paragraph_end: int
    start: int
    end: int
    text: str
    #: what the citation check reads (qa/integrity.py): the hash recorded with the text (None: not
    #: recorded), the document's encoding and the sha256 of its file when indexed
    text_sha1: str | None = None
    encoding: str = ""
    sha256: str = ""
    page: int | None = None  # the PDF page the passage starts on (None: not a PDF, or an older index)
    date: str | None = None  # the document's publication date (ISO), author and site; None: unknown
    author: str | None = None
    site: str | None = None
    #: the file's stat when indexed (ctime_ns, inode None in an older index): a cited passage
    #: whose file's stat moved since is marked changed (sources.same_file)
    size: int | None = None
    mtime_ns: int | None = None
    ctime_ns: int | None = None
    inode: int | None = None


class DocumentPassage(NamedTuple):
    doc_id: int
    passage_id: int


class DocumentListing(NamedTuple):
    """An indexed document and how many passages it has."""

    title: str
    path: str
    passages: int


def _citation_sql(conn: sqlite3.Connection) -> str:
    """The citation rows' SELECT; a column an older index lacks (the hash, the PDF page, the
    news fields) reads NULL."""
    have = columns(conn, "passages")
    stat = "d.ctime_ns, d.inode" if "inode" in columns(conn, "documents") else "NULL, NULL"
    return ("SELECT p.id, p.doc_id, d.title, d.path, p.paragraph, p.paragraph_end, p.start, p.end, p.text, "
            f"{'p.text_sha1' if 'text_sha1' in have else 'NULL'}, d.encoding, d.sha256, "
            f"{'p.page' if 'page' in have else 'NULL'}, "
            f"{'d.date, d.author, d.site' if 'story' in have else 'NULL, NULL, NULL'}, "
            f"d.size, d.mtime_ns, {stat} "
            "FROM passages p JOIN documents d ON d.id = p.doc_id")


def citation_rows(conn: sqlite3.Connection, passage_ids: Iterable[int]) -> dict[int, CitationRow]:
    """Citation rows by passage id; an id a reindex removed meanwhile is absent."""
    rows = execute_in(conn, _citation_sql(conn) + " WHERE p.id IN ({marks})", list(passage_ids))
    return {row[0]: CitationRow(*row) for row in rows}


def all_citation_rows(conn: sqlite3.Connection) -> list[CitationRow]:
    """Every passage's citation row, by id (benchmarks hold them in memory)."""
    return [CitationRow(*row) for row in conn.execute(_citation_sql(conn) + " ORDER BY p.id")]


def passages_of_documents(conn: sqlite3.Connection, doc_ids: Iterable[int]) -> list[DocumentPassage]:
    """(doc_id, passage_id) of every passage of these documents."""
    return [DocumentPassage(*row) for row in
            execute_in(conn, "SELECT doc_id, id FROM passages WHERE doc_id IN ({marks})", sorted(set(doc_ids)))]


def same_document(conn: sqlite3.Connection, passage_ids: Sequence[int]) -> bool:
    """True when these two passages are from one document (False for fewer than two)."""
    if len(passage_ids) != 2:
        return False
    docs = conn.execute("SELECT DISTINCT doc_id FROM passages WHERE id IN (?, ?)", list(passage_ids)).fetchall()
    return len(docs) == 1


def document_list(conn: sqlite3.Connection) -> list[DocumentListing]:
    """Every indexed document with its passage count, by path."""
    return [DocumentListing(*row) for row in conn.execute(
        "SELECT d.title, d.path, count(p.id) FROM documents d LEFT JOIN passages p ON p.doc_id = d.id "
        "GROUP BY d.id ORDER BY d.path")]


# -- news: dates, bylines and duplicate stories ------------------------------------------------
# Added by a migration (`add_news_columns`): an index written before reads them as NULL (unknown
# date, author and site; every passage its own story) until a sync fills them in.

#: column name -> SQL type, per table
NEWS_COLUMNS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    # news_read: 1 once this qa has read them (NULL: a document indexed before, read again once)
    "documents": {"date": "TEXT", "author": "TEXT", "site": "TEXT", "news_read": "INTEGER"},
    # dup_hash: hash of the normalised text; minhash: its MinHash signature (uint32 bytes);
    # story: the smallest passage id of its group of (near-)identical passages, NULL when alone
    "passages": {"dup_hash": "TEXT", "minhash": "BLOB", "story": "INTEGER"},
})


def add_news_columns(conn: sqlite3.Connection) -> None:
    """The migration: add the news columns an older index lacks (old rows read NULL)."""
    for table, added in NEWS_COLUMNS.items():
        have = columns(conn, table)
        for name, kind in added.items():
            if name not in have:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
    conn.execute("CREATE INDEX IF NOT EXISTS passages_by_story ON passages(story)")
    # empty once every passage is fingerprinted: finding none left costs no table scan
    conn.execute("CREATE INDEX IF NOT EXISTS passages_unprinted ON passages(id) WHERE dup_hash IS NULL")


def has_news_columns(conn: sqlite3.Connection) -> bool:
    """False for an index no sync of this qa has opened yet (a reader does not migrate)."""
    return "story" in columns(conn, "passages")


def _news_fields(conn: sqlite3.Connection) -> str:
    return "d.date, d.author, d.site" if has_news_columns(conn) else "NULL, NULL, NULL"


class Fingerprint(NamedTuple):
    """What finds a passage's copies: the hash of its normalised text and its MinHash signature."""

    passage_id: int
    dup_hash: str
    minhash: bytes | None  # None: too few words to compare


class StoryMember(NamedTuple):
    """A copy of a story: a passage in a group of (near-)identical ones, with its document."""

    story: int
    passage_id: int
    path: str
    title: str
    date: str | None


class DocumentDetails(NamedTuple):
    """An indexed document, its passage count, date, author and site (`qa docs`)."""

    title: str
    path: str
    passages: int
    date: str | None
    author: str | None
    site: str | None


def document_details(conn: sqlite3.Connection) -> list[DocumentDetails]:
    """Every indexed document with its passage count and news fields, by path."""
    return [DocumentDetails(*row) for row in conn.execute(
        f"SELECT d.title, d.path, count(p.id), {_news_fields(conn)} FROM documents d "
        "LEFT JOIN passages p ON p.doc_id = d.id GROUP BY d.id ORDER BY d.path")]


class DocumentFacts(NamedTuple):
    """What the filters test of a document."""

    id: int
    path: str
    date: str | None
    site: str | None


def set_document_news(conn: sqlite3.Connection, doc_id: int, date: str | None, author: str | None,
                      site: str | None) -> None:
    conn.execute("UPDATE documents SET date = ?, author = ?, site = ?, news_read = 1 WHERE id = ?",
                 (date, author, site, doc_id))


def documents_without_news(conn: sqlite3.Connection) -> set[int]:
    """Ids of documents whose date, author and site were never read (indexed by an older qa)."""
    if "news_read" not in columns(conn, "documents"):
        return set()  # a reader's connection to an index not migrated: nothing to do from here
    return {row[0] for row in conn.execute("SELECT id FROM documents WHERE news_read IS NULL")}


def write_fingerprints(conn: sqlite3.Connection, prints: Iterable[Fingerprint]) -> None:
    conn.executemany("UPDATE passages SET dup_hash = ?, minhash = ? WHERE id = ?",
                     [(f.dup_hash, f.minhash, f.passage_id) for f in prints])


def fingerprints(conn: sqlite3.Connection) -> list[Fingerprint]:
    """Every fingerprinted passage's, by id."""
    return [Fingerprint(*row) for row in conn.execute(
        "SELECT id, dup_hash, minhash FROM passages WHERE dup_hash IS NOT NULL ORDER BY id")]


def unprinted_passages(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """(id, text) of passages with no fingerprint yet (written before the migration)."""
    return conn.execute("SELECT id, text FROM passages WHERE dup_hash IS NULL ORDER BY id").fetchall()


def story_map(conn: sqlite3.Connection) -> dict[int, int]:
    """passage id -> story id of every passage with a copy (through the story index: fast)."""
    if not has_news_columns(conn):
        return {}
    return dict(conn.execute("SELECT id, story FROM passages WHERE story IS NOT NULL"))


def stories_of(conn: sqlite3.Connection, passage_ids: Sequence[int]) -> dict[int, int]:
    """passage id -> story id of those of these passages with a copy: what one question needs
    (by primary key; the whole map of a million passages costs ~1 s to read)."""
    if not passage_ids or not has_news_columns(conn):
        return {}
    return dict(execute_in(conn, "SELECT id, story FROM passages WHERE story IS NOT NULL AND id IN ({marks})",
                           list(passage_ids)))


def set_stories(conn: sqlite3.Connection, stories: Mapping[int, int]) -> None:
    """Make `stories` (passage id -> story id) the groups: changed rows only."""
    old = story_map(conn)
    conn.executemany("UPDATE passages SET story = NULL WHERE id = ?", [(pid,) for pid in old if pid not in stories])
    conn.executemany("UPDATE passages SET story = ? WHERE id = ?",
                     [(s, pid) for pid, s in stories.items() if old.get(pid) != s])


def story_members(conn: sqlite3.Connection, story_ids: Sequence[int]) -> list[StoryMember]:
    """Every copy of these stories, with its document's path, title and date."""
    if not story_ids or not has_news_columns(conn):
        return []
    return [StoryMember(*row) for row in execute_in(
        conn, "SELECT p.story, p.id, d.path, d.title, d.date FROM passages p JOIN documents d ON d.id = p.doc_id "
        "WHERE p.story IN ({marks}) ORDER BY p.id", list(story_ids))]


def document_facts(conn: sqlite3.Connection) -> list[DocumentFacts]:
    fields = "date, site" if has_news_columns(conn) else "NULL, NULL"
    return [DocumentFacts(*row) for row in conn.execute(f"SELECT id, path, {fields} FROM documents ORDER BY id")]


def passage_documents(conn: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray]:
    """(passage ids ascending, their document ids), read from the doc_id index alone."""
    from itertools import chain

    import numpy as np  # not at import: see pending_vectors

    cursor = conn.execute("SELECT id, doc_id FROM passages ORDER BY id")
    table = np.fromiter(chain.from_iterable(cursor), dtype=np.int64).reshape(-1, 2)
    return table[:, 0], table[:, 1]
