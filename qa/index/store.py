"""The index's database (stdlib sqlite3): sources, documents, passages and settings.

Layout of an index folder:
  qa.sqlite           this database
  vectors.<gen>.faiss the dense vectors of the segment generation <gen> wrote
  terms.<gen>.npz     the BM25 term counts of that segment (numpy format, no pickle)
  write.lock          held by the process that is updating the index
  checked.json        the database as the last whole sync left it (qa/index/integrity.py)
  qa-index            the marker that makes the folder qa's own (qa/index/ownership.py): qa deletes
                      and rewrites only its own files, in its own folder

A generation is a list of immutable segments (the meta's `segments`) plus the passages deleted
since they were written (the `deleted_passages` table). A reindex writes one new segment for its
new passages and marks the removed ones deleted, in the same database transaction that updates
documents and passages; merges (qa/index/merging.py) rewrite a few segments into one as commits of their
own. Until a commit, readers keep seeing the previous generation, and a killed reindex or merge
leaves it intact. An index written before segments has one vector and term file pair, which is
read as its one segment (`segments` absent from the meta).

Every SQL statement qa runs is here, in `IndexStore` (tests/test_schema.py fails on any other
module that runs SQL), so the schema and its queries change together; rows come back as named
tuples, not positional ones. The schema's version is sqlite's `user_version`; `MIGRATIONS` is
its history, run in order by the next writer. Readers learn the schema once at open (`Schema`)
and never probe a column per question.
"""

from __future__ import annotations

import dataclasses
import functools
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

from qa.config import DOCUMENT_SUFFIXES, FORMAT_VERSION, READABLE_FORMAT_VERSIONS
from qa.settings import DEFAULT_BUSY, DEFAULT_SETTINGS
from qa.errors import IndexBusy, IndexCorrupt, IndexMissing, IndexTooNew, IndexTooOld, QAError

if TYPE_CHECKING:
    import numpy as np

    from qa.index.bm25 import TermCounts
    from qa.index.postings import Postings

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

#: Columns added to the first schema of this format, as (table, column, type): an index written
#: before user_version gets those it lacks from its next writer (migration 1). documents.ctime_ns
#: and inode tell a rewrite that kept the size and put the modification time back (NULL: not yet
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
MIGRATION_TABLES = "CREATE TABLE IF NOT EXISTS excluded (path TEXT PRIMARY KEY, removed_at REAL NOT NULL)"

#: news: dates, bylines and duplicate stories (migration 2), column name -> SQL type, per table.
#: An index without them reads NULL (unknown date, author and site; every passage its own story)
#: until a sync fills them in.
NEWS_COLUMNS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    # news_read: 1 once this qa has read them (NULL: a document indexed before, read again once)
    "documents": {"date": "TEXT", "author": "TEXT", "site": "TEXT", "news_read": "INTEGER"},
    # dup_hash: hash of the normalised text; minhash: its MinHash signature (uint32 bytes);
    # story: the smallest passage id of its group of (near-)identical passages, NULL when alone
    "passages": {"dup_hash": "TEXT", "minhash": "BLOB", "story": "INTEGER"},
})


def columns(conn: sqlite3.Connection, table: str) -> set[str]:
    """The columns a table has now: read by migrations only (an index written before user_version
    may hold any of the columns they add), never by a reader."""
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _add_missing(conn: sqlite3.Connection, wanted: Iterable[tuple[str, str, str]]) -> set[str]:
    """Add those of the (table, column, type) a table lacks; the names of those added."""
    added: set[str] = set()
    have: dict[str, set[str]] = {}
    for table, column, kind in wanted:
        if table not in have:
            have[table] = columns(conn, table)
        if column not in have[table]:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            added.add(column)
    return added


def _migrate_to_1(conn: sqlite3.Connection) -> None:
    """The integrity, stat and budget columns (filling the integrity ones from the rows as they
    are) and the `excluded` table."""
    added = _add_missing(conn, ADDED_COLUMNS)
    if "text_sha1" in added:
        conn.execute("UPDATE passages SET text_sha1 = qa_passage_hash(text) WHERE text_sha1 IS NULL")
    if "passages" in added:
        conn.execute("UPDATE documents SET passages = (SELECT count(*) FROM passages p "
                     "WHERE p.doc_id = documents.id) WHERE passages IS NULL")
    conn.execute(MIGRATION_TABLES)


def _migrate_to_2(conn: sqlite3.Connection) -> None:
    """The news columns (old rows read NULL) and their indexes."""
    _add_missing(conn, [(table, name, kind) for table, added in NEWS_COLUMNS.items() for name, kind in added.items()])
    conn.execute("CREATE INDEX IF NOT EXISTS passages_by_story ON passages(story)")
    # empty once every passage is fingerprinted: finding none left costs no table scan
    conn.execute("CREATE INDEX IF NOT EXISTS passages_unprinted ON passages(id) WHERE dup_hash IS NULL")


#: sentence vectors (migration 3, issue 24): per passage its sentences' centred late-chunked vectors
#: (qa/embedding/sentences.py) as one float16 blob, gone with the passage; and the same kept aside
#: beside a pending vector by an interrupted sync. Used only where the meta says every passage of
#: the generation was given them (IndexMeta.sentence_vectors).
SENTENCE_TABLE = ("CREATE TABLE IF NOT EXISTS sentence_vectors (passage_id INTEGER PRIMARY KEY "
                  "REFERENCES passages(id) ON DELETE CASCADE, vectors BLOB NOT NULL)")


def _migrate_to_3(conn: sqlite3.Connection) -> None:
    """The sentence vector table (empty: an older index has none until it is rebuilt) and the
    pending vectors' sentence column (NULL: kept aside by an older qa, none)."""
    conn.execute(SENTENCE_TABLE)
    _add_missing(conn, [("pending_vectors", "sentences", "BLOB")])


#: passages' analyses (migration 4, issue 23): the analyzer's sentence spans and tokens of each
#: passage made when it is written (qa/index/text.py `pack`), so a question does not analyse a
#: passage its process meets for the first time; `version` is the analyzer's ANALYSIS_VERSION then
#: (rows of another version are not read). An older index's passages have none until written again:
#: they are analysed as they are asked for, as before.
ANALYSIS_TABLE = ("CREATE TABLE IF NOT EXISTS passage_analysis (passage_id INTEGER PRIMARY KEY "
                  "REFERENCES passages(id) ON DELETE CASCADE, version INTEGER NOT NULL, spans BLOB NOT NULL, "
                  "sentence_tokens TEXT NOT NULL, tokens TEXT)")


#: the meta key saying which analyzer version every passage has an analysis of (a commit that finds
#: it missing or another analyses those passages that lack one, then sets it)
ANALYSED_KEY = "analysed"

#: the meta key saying which version of the HTML reader (qa/ingest/webpage.py HTML_READER_VERSION)
#: every indexed web page's text is of (absent: an index made before it was recorded, read as 0); a
#: sync of an index of another version reads its web pages again, and sets it once it read them all
HTML_READER_KEY = "html_reader"


def _migrate_to_4(conn: sqlite3.Connection) -> None:
    """The passage analysis table (empty)."""
    conn.execute(ANALYSIS_TABLE)


class Migration(NamedTuple):
    version: int  # the user_version once it has run
    apply: Callable[[sqlite3.Connection], None]


#: The schema's history, in order: the next writer runs those after the index's user_version
#: (0: written before qa recorded one; steps 1 and 2 then add only what it lacks), in one
#: transaction under its lock. A new column or table is a new step here, never a probe elsewhere.
MIGRATIONS: tuple[Migration, ...] = (Migration(1, _migrate_to_1), Migration(2, _migrate_to_2),
                                     Migration(3, _migrate_to_3), Migration(4, _migrate_to_4))
SCHEMA_VERSION = MIGRATIONS[-1].version


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def data_version(conn: sqlite3.Connection) -> int:
    """A number that changes when another connection commits to the database (sqlite's
    data_version): a reader that sees the same number knows nothing was committed since, without
    reading the meta table (~0.2 ms a question)."""
    try:
        return int(conn.execute("PRAGMA data_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise _damaged(conn, exc) from exc


def migrate(conn: sqlite3.Connection) -> None:
    """Bring an index written by an earlier qa of this format up to SCHEMA_VERSION (the writer's
    open, under its write lock): the pending migrations and the new user_version, all or none."""
    if schema_version(conn) >= SCHEMA_VERSION:
        return
    conn.create_function("qa_passage_hash", 1, passage_hash, deterministic=True)
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = schema_version(conn)  # read in the transaction: another writer may have migrated
        for step in MIGRATIONS:
            if step.version > version:
                step.apply(conn)
                conn.execute(f"PRAGMA user_version = {int(step.version)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


@dataclass(frozen=True)
class Schema:
    """What an index's tables hold, learnt once when a connection opens (and again when a reader
    loads a new generation): the statements are built from it, no column is probed per question."""

    version: int  # its user_version (0: written before qa recorded one)
    tables: Mapping[str, frozenset[str]]  # table -> its columns

    def has(self, table: str, column: str | None = None) -> bool:
        return table in self.tables and (column is None or column in self.tables[table])


def _probe(conn: sqlite3.Connection, version: int) -> Schema:
    """The tables and columns a database has now, in one statement."""
    tables: dict[str, set[str]] = {}
    for table, column in conn.execute("SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
                                      "WHERE m.type = 'table'"):
        tables.setdefault(table, set()).add(column)
    return Schema(version, MappingProxyType({t: frozenset(c) for t, c in tables.items()}))


@functools.lru_cache(maxsize=None)
def schema_at(version: int) -> Schema:
    """The schema migrations 1..version leave (built once per process in memory, so it cannot
    drift from MIGRATIONS)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.executescript(SCHEMA)
        conn.create_function("qa_passage_hash", 1, passage_hash, deterministic=True)
        for step in MIGRATIONS:
            if step.version <= version:
                step.apply(conn)
        return _probe(conn, version)
    finally:
        conn.close()


def read_schema(conn: sqlite3.Connection) -> Schema:
    """The schema of an open database: its user_version says it (a newer qa's reads as this qa's
    current one); an index written before user_version (0) is probed once."""
    version = schema_version(conn)
    if version == 0:
        return _probe(conn, 0)
    return schema_at(min(version, SCHEMA_VERSION))


def learn_schema(conn: sqlite3.Connection) -> Schema:
    """Read the schema and keep it with the connection (qa's connections; a plain one is read again)."""
    schema = read_schema(conn)
    try:
        conn.schema = schema  # type: ignore[attr-defined]
    except AttributeError:
        pass
    return schema


def schema_of(conn: sqlite3.Connection) -> Schema:
    """The schema learnt when the connection opened."""
    schema = getattr(conn, "schema", None)
    return schema if schema is not None else learn_schema(conn)


#: The BM25 parameters of the shipped ranking (see qa/index/bm25.py and BENCHMARKS.md); also what an
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
    #: vector and term file pair is named by its generation; see qa/index/segments.py)
    segments: tuple[SegmentRecord, ...] | None = None
    #: the previous generation's files, kept for readers that opened it (removed at the next commit)
    kept_files: tuple[str, ...] = ()
    #: every passage of this generation was given its sentence vectors (a new index or a rebuild
    #: by a qa that makes them, kept by syncs that make them for each passage they add): only then
    #: are they read (an older index answers as it did; `qa index --rebuild` makes them)
    sentence_vectors: bool = False

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
    """A passage row as the integrity check reads it (qa/index/integrity.py's passage_problem)."""

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
    variables of one statement); every batch's rows, in order. For SELECT, UPDATE and DELETE alike.
    A batch's marks are as many as the next power of two, the rest NULL (which no IN matches): a
    few statement texts in all, each prepared once and then found in sqlite3's statement cache
    (a question's ~4 reads of 1-60 ids otherwise prepared each one again: ~20 us each). Never
    NOT IN, which a NULL turns false for every row."""
    if "({marks})" not in sql or "NOT IN ({MARKS})" in sql.upper():
        raise ValueError("the statement needs an 'IN ({marks})' (not NOT IN) for the values")
    rows: list[tuple] = []
    for i in range(0, len(values), IN_BATCH):
        part = list(values[i:i + IN_BATCH])
        size = min(IN_BATCH, 1 << (len(part) - 1).bit_length()) if part else 0
        rows += conn.execute(sql.replace("{marks}", ",".join("?" * size)), part + [None] * (size - len(part))).fetchall()
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


class DamagedDatabase(IndexCorrupt, sqlite3.DatabaseError):
    """sqlite found the database damaged in the middle of a statement (any reader: `qa docs`, `qa
    sources`, the UI's lists, a question). Both a QAError, so the command line and the UI say it
    in one line with the rebuild advice, and a sqlite3.DatabaseError, so the code that already
    handles sqlite's damage (the inspection, the writers' error mapping) still does."""


def is_damage(exc: BaseException) -> bool:
    """True for sqlite's SQLITE_CORRUPT / SQLITE_NOTADB ("database disk image is malformed",
    "file is not a database"): the file itself is damaged; rebuilding is the way out."""
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(exc, DamagedDatabase):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    return type(exc) is sqlite3.DatabaseError


def database_error(exc: sqlite3.Error, index_dir: Path) -> QAError:
    """The user's view of a sqlite error: IndexBusy for a database another process holds,
    IndexCorrupt (with the rebuild advice) only for real damage ("file is not a database",
    "malformed"), otherwise a one-line QAError naming the failure."""
    if isinstance(exc, DamagedDatabase):
        return exc
    if is_busy(exc):
        from qa.index.lock import holder

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
    schema: Schema | None = None  # learnt at open (learn_schema)

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
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc):
                    raise
                raise DamagedDatabase(str(database_error(exc, self.index_dir))) from exc

    def _note(self) -> None:
        from qa.index.lock import holder

        message = f"the index is busy (being updated by {holder(self.index_dir, self.index_dir / DB_NAME)}); waiting"
        if self.on_busy is not None:
            self.on_busy(message)
        else:
            print(f"qa: {message}", file=sys.stderr, flush=True)


def _busy_message(index_dir: Path, waited: float) -> str:
    from qa.index.lock import holder

    return (f"the index in {index_dir}/ is busy: {holder(index_dir, index_dir / DB_NAME)} has held it for {waited:.0f} s; "
            "try again when it is done")


def connect(index_dir: Path, *, create: bool = False,
            on_busy: Callable[[str], None] | None = None) -> sqlite3.Connection:
    """Open the database; with create=False a missing index is an IndexMissing error. The connection
    may be used from any thread (the UI's workers run on a pool), one at a time: callers serialise.
    A database another process holds is waited for (see WaitingConnection; `on_busy` gets the
    note, default: stderr)."""
    path = index_dir / DB_NAME
    if path.is_symlink():  # a reader too: sqlite would follow it (and may roll back a journal through it)
        from qa.index.ownership import link_error

        raise link_error(path)
    if not create and not path.exists():
        from qa.locations import articles_as_index, file_as_index

        raise IndexMissing(file_as_index(index_dir) or articles_as_index(index_dir, DOCUMENT_SUFFIXES)
                           or f"no index in {index_dir}/; build one with: qa index PATH (e.g. qa index seeds)")
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
        learn_schema(conn)
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
        # the generation that wrote the flag: an older qa's commit since leaves it stale, so off
        sentence_vectors=values.get("sentence_vectors") == values["generation"],
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
        **({"sentence_vectors": str(meta.generation)} if meta.sentence_vectors else {}),
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
    from qa.index.bm25 import TermCounts
    from qa.index.postings import Postings

    try:
        return Postings.load(meta.terms_file(index_dir))
    except (OSError, ValueError, KeyError):
        rows = IndexStore(conn).passage_tokens()
        return TermCounts.build([r.id for r in rows], [r.tokens.split() for r in rows]).postings()


def _damaged(conn: sqlite3.Connection, exc: sqlite3.DatabaseError) -> QAError:
    return database_error(exc, getattr(conn, "index_dir", Path(".")))


class IndexStore:
    """The index database and every SQL statement qa runs on it: the indexer's, the change
    check's, the integrity checks' and the search side's.

    Wraps an open connection (autocommit: writes that belong together go in `transaction()`).
    Statements that read a column an older index may lack are built from the schema learnt at
    open (`schema_of`), never by probing per call.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @property
    def schema(self) -> Schema:
        return schema_of(self.conn)

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
        """The index's settings, or None for a database no reindex has completed in yet. A reader
        of an index older than this qa's schema notices a writer's migration here (its version:
        no column is probed)."""
        try:
            schema = self.schema
            if schema.version < SCHEMA_VERSION and schema_version(self.conn) != schema.version:
                learn_schema(self.conn)
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
        if "sentence_vectors" not in values:
            self.conn.execute("DELETE FROM meta WHERE key = 'sentence_vectors'")
        self.conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", values.items())

    # -- deleted passages (tombstones) of the current generation's segments ----------------------
    def deleted_ids(self) -> list[int]:
        """Ids of passages a segment still holds that were deleted since, ascending (an index
        written before segments, not yet migrated, has none)."""
        if not self.schema.has("deleted_passages"):
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
        extra = ", ctime_ns, inode" if self.schema.has("documents", "inode") else ""
        return [DocumentRow(*row) for row in self.conn.execute(
            f"SELECT id, path, size, mtime_ns, sha256, title{extra} FROM documents")]

    def documents_under(self, paths: Sequence[str]) -> list[DocumentRow]:
        """The document rows at these paths or inside these folders (a restricted sync reads
        only these): by the path's unique index, not a scan of every row."""
        extra = ", ctime_ns, inode" if self.schema.has("documents", "inode") else ""
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
        return self.schema.has(table, column)

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

    def tokens_of(self, passage_ids: Sequence[int]) -> list[PassageTokens]:
        """These passages' BM25 tokens (a Milvus publish weighs them: qa/engines/milvus/rows.py)."""
        return [PassageTokens(*row) for row in execute_in(
            self.conn, "SELECT id, tokens FROM passages WHERE id IN ({marks})", list(passage_ids))]

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

    def pending_sentences(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The sentence vectors kept aside with these pending vectors (blobs; none kept: absent)."""
        if not self.schema.has("pending_vectors", "sentences"):
            return {}
        rows = execute_in(self.conn, "SELECT key, sentences FROM pending_vectors WHERE key IN ({marks}) "
                                     "AND sentences IS NOT NULL", keys)
        return dict(rows)

    def save_pending_sentences(self, blobs: Iterable[tuple[str, bytes]]) -> None:
        """Keep sentence vectors aside beside their pending vectors (saved just before)."""
        with self.transaction():
            self.conn.executemany("UPDATE pending_vectors SET sentences = ? WHERE key = ?",
                                  [(b, k) for k, b in blobs])

    def clear_pending_vectors(self) -> None:
        self.conn.execute("DELETE FROM pending_vectors")

    def sentence_vectors(self, passage_ids: Sequence[int]) -> dict[int, bytes]:
        """The sentence vector blobs of these passages that have them (qa/embedding/sentences.py)."""
        if not self.schema.has("sentence_vectors"):
            return {}
        return dict(execute_in(self.conn, "SELECT passage_id, vectors FROM sentence_vectors "
                                          "WHERE passage_id IN ({marks})", passage_ids))

    def all_sentence_vectors(self) -> dict[int, bytes]:
        if not self.schema.has("sentence_vectors"):
            return {}
        return dict(self.conn.execute("SELECT passage_id, vectors FROM sentence_vectors"))

    def analyses(self, passage_ids: Sequence[int], version: int) -> dict[int, tuple[bytes, str, str | None]]:
        """The stored analyses (qa/index/text.py StoredAnalysis fields) of these passages that have
        one made by the analyzer of `version`."""
        if not self.schema.has("passage_analysis"):
            return {}
        rows = execute_in(self.conn, "SELECT passage_id, version, spans, sentence_tokens, tokens FROM passage_analysis "
                                     "WHERE passage_id IN ({marks})", passage_ids)
        return {pid: (spans, per, whole) for pid, made_by, spans, per, whole in rows if made_by == version}

    def add_analyses(self, rows: Iterable[tuple[int, int, bytes, str, str | None]]) -> None:
        """Store passages' analyses as (passage id, analyzer version, spans, sentence tokens, tokens)
        (inside the commit that inserts the passages)."""
        self.conn.executemany("INSERT OR REPLACE INTO passage_analysis(passage_id, version, spans, sentence_tokens, "
                              "tokens) VALUES (?, ?, ?, ?, ?)", list(rows))

    def unanalysed_passages(self, version: int, after: int = 0, limit: int = -1) -> list[tuple[int, str]]:
        """(id, text) of passages without an analysis of this analyzer version (an older index's), by
        id: the first `limit` (-1: all) of those with an id above `after`."""
        return self.conn.execute("SELECT p.id, p.text FROM passages p LEFT JOIN passage_analysis a "
                                 "ON a.passage_id = p.id AND a.version = ? WHERE a.passage_id IS NULL AND p.id > ? "
                                 "ORDER BY p.id LIMIT ?", (version, after, limit)).fetchall()

    def analysed_version(self) -> int | None:
        """The analyzer version every passage has a stored analysis of (None: not known to be so)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (ANALYSED_KEY,)).fetchone()
        return int(row[0]) if row is not None and row[0].isdigit() else None

    def set_analysed_version(self, version: int) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (ANALYSED_KEY, str(version)))

    def html_reader_version(self) -> int:
        """The HTML reader version every indexed web page was read with (0: not recorded, an older index)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (HTML_READER_KEY,)).fetchone()
        return int(row[0]) if row is not None and row[0].isdigit() else 0

    def set_html_reader_version(self, version: int) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (HTML_READER_KEY, str(version)))

    def add_sentence_vectors(self, rows: Iterable[tuple[int, bytes]]) -> None:
        """Store passages' sentence vectors (inside the commit that inserts the passages)."""
        self.conn.executemany("INSERT OR REPLACE INTO sentence_vectors(passage_id, vectors) VALUES (?, ?)", list(rows))

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
        if not self.schema.has("skipped", "inode"):
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
        if not self.schema.has("excluded"):
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

    def recorded_passages(self) -> list[StoredPassage]:
        """Every passage (id, title, text), in no particular order (benchmarks/scale.py's reuse of
        an index's vectors)."""
        return [StoredPassage(*row) for row in self.conn.execute(
            "SELECT p.id, d.title, p.text FROM passages p JOIN documents d ON d.id = p.doc_id")]

    # -- reads for retrieval: citation rows, the passages of documents, the documents list ---------
    def _citation_sql(self) -> str:
        """The citation rows' SELECT; a column an older index lacks (the hash, the PDF page, the
        news fields, the stat) reads NULL."""
        has = self.schema.has
        stat = "d.ctime_ns, d.inode" if has("documents", "inode") else "NULL, NULL"
        return ("SELECT p.id, p.doc_id, d.title, d.path, p.paragraph, p.paragraph_end, p.start, p.end, p.text, "
                f"{'p.text_sha1' if has('passages', 'text_sha1') else 'NULL'}, d.encoding, d.sha256, "
                f"{'p.page' if has('passages', 'page') else 'NULL'}, {self._news_fields()}, "
                f"d.size, d.mtime_ns, {stat} "
                "FROM passages p JOIN documents d ON d.id = p.doc_id")

    def citation_rows(self, passage_ids: Iterable[int]) -> dict[int, CitationRow]:
        """Citation rows by passage id; an id a reindex removed meanwhile is absent."""
        rows = execute_in(self.conn, self._citation_sql() + " WHERE p.id IN ({marks})", list(passage_ids))
        return {row[0]: CitationRow(*row) for row in rows}

    def analysed_citation_rows(self, passage_ids: Sequence[int], version: int
                               ) -> tuple[dict[int, CitationRow], dict[int, tuple[bytes, str, str | None]]]:
        """Citation rows by passage id, and the stored analyses (of this analyzer version) of those
        that have one, in one statement (a second one cost ~0.1 ms a question)."""
        if not self.schema.has("passage_analysis"):
            return self.citation_rows(passage_ids), {}
        sql = self._citation_sql().replace(" FROM passages p", ", a.spans, a.sentence_tokens, a.tokens FROM passages p", 1)
        rows = execute_in(self.conn, sql + " LEFT JOIN passage_analysis a ON a.passage_id = p.id "
                          f"AND a.version = {int(version)} WHERE p.id IN ({{marks}})", list(passage_ids))
        return ({row[0]: CitationRow(*row[:-3]) for row in rows},
                {row[0]: row[-3:] for row in rows if row[-3] is not None})

    def all_citation_rows(self) -> list[CitationRow]:
        """Every passage's citation row, by id (benchmarks hold them in memory)."""
        return [CitationRow(*row) for row in self.conn.execute(self._citation_sql() + " ORDER BY p.id")]

    def passages_of_documents(self, doc_ids: Iterable[int]) -> list[DocumentPassage]:
        """(doc_id, passage_id) of every passage of these documents."""
        return [DocumentPassage(*row) for row in execute_in(
            self.conn, "SELECT doc_id, id FROM passages WHERE doc_id IN ({marks})", sorted(set(doc_ids)))]

    def same_document(self, passage_ids: Sequence[int]) -> bool:
        """True when these two passages are from one document (False for fewer than two)."""
        if len(passage_ids) != 2:
            return False
        docs = self.conn.execute("SELECT DISTINCT doc_id FROM passages WHERE id IN (?, ?)",
                                 list(passage_ids)).fetchall()
        return len(docs) == 1

    def document_list(self) -> list[DocumentListing]:
        """Every indexed document with its passage count, by path."""
        return [DocumentListing(*row) for row in self.conn.execute(
            "SELECT d.title, d.path, count(p.id) FROM documents d LEFT JOIN passages p ON p.doc_id = d.id "
            "GROUP BY d.id ORDER BY d.path")]

    def passage_documents(self) -> tuple[np.ndarray, np.ndarray]:
        """(passage ids ascending, their document ids), read from the doc_id index alone."""
        from itertools import chain

        import numpy as np  # not at import: see pending_vectors

        cursor = self.conn.execute("SELECT id, doc_id FROM passages ORDER BY id")
        table = np.fromiter(chain.from_iterable(cursor), dtype=np.int64).reshape(-1, 2)
        return table[:, 0], table[:, 1]

    # -- news: dates, bylines and duplicate stories (migration 2; NULL in an index without) -------
    def has_news(self) -> bool:
        """False for an index no sync of this qa has opened yet (a reader does not migrate)."""
        return self.schema.has("passages", "story")

    def _news_fields(self) -> str:
        return "d.date, d.author, d.site" if self.has_news() else "NULL, NULL, NULL"

    def document_details(self) -> list[DocumentDetails]:
        """Every indexed document with its passage count and news fields, by path."""
        return [DocumentDetails(*row) for row in self.conn.execute(
            f"SELECT d.title, d.path, count(p.id), {self._news_fields()} FROM documents d "
            "LEFT JOIN passages p ON p.doc_id = d.id GROUP BY d.id ORDER BY d.path")]

    def document_facts(self) -> list[DocumentFacts]:
        fields = "date, site" if self.has_news() else "NULL, NULL"
        return [DocumentFacts(*row) for row in self.conn.execute(f"SELECT id, path, {fields} FROM documents ORDER BY id")]

    def set_document_news(self, doc_id: int, date: str | None, author: str | None, site: str | None) -> None:
        self.conn.execute("UPDATE documents SET date = ?, author = ?, site = ?, news_read = 1 WHERE id = ?",
                          (date, author, site, doc_id))

    def documents_without_news(self) -> set[int]:
        """Ids of documents whose date, author and site were never read (indexed by an older qa)."""
        if not self.schema.has("documents", "news_read"):
            return set()  # a reader's connection to an index not migrated: nothing to do from here
        return {row[0] for row in self.conn.execute("SELECT id FROM documents WHERE news_read IS NULL")}

    def write_fingerprints(self, prints: Iterable[Fingerprint]) -> None:
        self.conn.executemany("UPDATE passages SET dup_hash = ?, minhash = ? WHERE id = ?",
                              [(f.dup_hash, f.minhash, f.passage_id) for f in prints])

    def fingerprints(self) -> list[Fingerprint]:
        """Every fingerprinted passage's, by id."""
        return [Fingerprint(*row) for row in self.conn.execute(
            "SELECT id, dup_hash, minhash FROM passages WHERE dup_hash IS NOT NULL ORDER BY id")]

    def unprinted_passages(self) -> list[tuple[int, str]]:
        """(id, text) of passages with no fingerprint yet (written before the migration)."""
        return self.conn.execute("SELECT id, text FROM passages WHERE dup_hash IS NULL ORDER BY id").fetchall()

    def story_map(self) -> dict[int, int]:
        """passage id -> story id of every passage with a copy (through the story index: fast)."""
        if not self.has_news():
            return {}
        return dict(self.conn.execute("SELECT id, story FROM passages WHERE story IS NOT NULL"))

    def passage_dates(self, passage_ids: Sequence[int]) -> dict[int, str | None]:
        """passage id -> its document's publication date (None: unknown) of those that exist: what
        folding a story's copies compares (qa/retrieval/duplicates.py), their texts not read."""
        if not passage_ids:
            return {}
        date = "d.date" if self.has_news() else "NULL"
        return dict(execute_in(self.conn, f"SELECT p.id, {date} FROM passages p JOIN documents d ON d.id = p.doc_id "
                               "WHERE p.id IN ({marks})", list(passage_ids)))

    def stories_of(self, passage_ids: Sequence[int]) -> dict[int, int]:
        """passage id -> story id of those of these passages with a copy: what one question needs
        (by primary key; the whole map of a million passages costs ~1 s to read)."""
        if not passage_ids or not self.has_news():
            return {}
        return dict(execute_in(self.conn, "SELECT id, story FROM passages WHERE story IS NOT NULL AND id IN ({marks})",
                               list(passage_ids)))

    def set_stories(self, stories: Mapping[int, int]) -> None:
        """Make `stories` (passage id -> story id) the groups: changed rows only."""
        old = self.story_map()
        self.conn.executemany("UPDATE passages SET story = NULL WHERE id = ?",
                              [(pid,) for pid in old if pid not in stories])
        self.set_story_of([(s, pid) for pid, s in stories.items() if old.get(pid) != s])

    def set_story_of(self, changes: Iterable[tuple[int | None, int]]) -> None:
        """(story, passage id): these passages' stories."""
        self.conn.executemany("UPDATE passages SET story = ? WHERE id = ?", list(changes))

    def story_members(self, story_ids: Sequence[int]) -> list[StoryMember]:
        """Every copy of these stories, with its document's path, title and date."""
        if not story_ids or not self.has_news():
            return []
        return [StoryMember(*row) for row in execute_in(
            self.conn, "SELECT p.story, p.id, d.path, d.title, d.date FROM passages p JOIN documents d "
            "ON d.id = p.doc_id WHERE p.story IN ({marks}) ORDER BY p.id", list(story_ids))]

    def prints_with_stories(self, by: str, values: Sequence[int]) -> list[tuple[Fingerprint, int | None]]:
        """(fingerprint, story) of the fingerprinted passages whose `by` ("doc_id", "story" or
        "id") is one of `values`."""
        if by not in ("doc_id", "story", "id"):
            raise ValueError(f"passages are not selected by {by!r}")
        rows = execute_in(self.conn, f"SELECT id, dup_hash, minhash, story FROM passages WHERE {by} IN ({{marks}}) "
                          "AND dup_hash IS NOT NULL", list(values))
        return [(Fingerprint(pid, digest, minhash), story) for pid, digest, minhash, story in rows]

    def merge_stories(self, story: int, labels: Sequence[int]) -> None:
        """Make `story` the story of the stories `labels` and of the passages with those ids."""
        execute_in(self.conn, f"UPDATE passages SET story = {int(story)} WHERE story IN ({{marks}})", labels)
        execute_in(self.conn, f"UPDATE passages SET story = {int(story)} WHERE id IN ({{marks}})", labels)

    # -- the story band table (qa/index/story_index.py): made by its regroup_all, not by a migration ----
    def bands_upto(self) -> int | None:
        """The largest passage id the band table covers (None: no table, an index from before it)."""
        try:
            row = self.conn.execute("SELECT max_id FROM story_bands_upto").fetchone()
        except sqlite3.OperationalError:
            return None
        return None if row is None else int(row[0])

    def set_bands_upto(self, max_id: int) -> None:
        self.conn.execute("UPDATE story_bands_upto SET max_id = ?", (max_id,))

    def rebuild_bands(self, rows: Iterable[tuple[int, int]]) -> None:
        """The band table afresh with these (key, passage id) rows, covering none yet."""
        self.conn.execute("DROP TABLE IF EXISTS story_bands")
        self.conn.execute("DROP TABLE IF EXISTS story_bands_upto")
        self.conn.execute(BANDS_TABLE)
        self.add_bands(rows)
        self.conn.execute(BANDS_INDEX)
        self.conn.execute(BANDS_UPTO)
        self.conn.execute("INSERT INTO story_bands_upto VALUES (0)")

    def add_bands(self, rows: Iterable[tuple[int, int]]) -> None:
        self.conn.executemany("INSERT INTO story_bands(key, passage_id) VALUES (?, ?)", list(rows))

    def drop_bands(self, rows: Iterable[tuple[int, int]]) -> None:
        self.conn.executemany("DELETE FROM story_bands WHERE key = ? AND passage_id = ?", list(rows))

    def band_passages(self, keys: Sequence[int]) -> set[int]:
        """Ids of the passages with any of these band keys."""
        return {pid for (pid,) in execute_in(self.conn, "SELECT passage_id FROM story_bands WHERE key IN ({marks})",
                                             keys)}


# -- reads for retrieval ------------------------------------------------------------------------
# What the search side reads (qa/retrieval/): citation rows, the passages of documents, the
# same-article check, the documents list and the copies of stories, as typed rows.


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
    #: what the citation check reads (qa/index/integrity.py): the hash recorded with the text (None: not
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


class DocumentFacts(NamedTuple):
    """What the filters test of a document."""

    id: int
    path: str
    date: str | None
    site: str | None


# -- the story band table (qa/index/story_index.py) ----------------------------------------------------
BANDS_TABLE = "CREATE TABLE story_bands (key INTEGER NOT NULL, passage_id INTEGER NOT NULL)"
#: made after the table is filled: building it from the filled table is ~5x faster than inserting
#: 16 random keys per passage into an indexed table (~4 s against ~20 s at 100k passages)
BANDS_INDEX = "CREATE INDEX story_bands_by_key ON story_bands(key, passage_id)"
#: the largest passage id the band table covers: a passage above it was added by a qa that does
#: not keep the table (an older one), so it is built afresh
BANDS_UPTO = "CREATE TABLE story_bands_upto (max_id INTEGER NOT NULL)"


# -- the reads of a caller holding a bare connection (the search side, benchmarks) -------------
# One line each over IndexStore, which owns the statements.

def citation_rows(conn: sqlite3.Connection, passage_ids: Iterable[int]) -> dict[int, CitationRow]:
    return IndexStore(conn).citation_rows(passage_ids)


def all_citation_rows(conn: sqlite3.Connection) -> list[CitationRow]:
    return IndexStore(conn).all_citation_rows()


def sentence_vectors(conn: sqlite3.Connection, passage_ids: Sequence[int]) -> dict[int, bytes]:
    return IndexStore(conn).sentence_vectors(passage_ids)


def analysed_citation_rows(conn: sqlite3.Connection, passage_ids: Sequence[int], version: int
                           ) -> tuple[dict[int, CitationRow], dict[int, tuple[bytes, str, str | None]]]:
    return IndexStore(conn).analysed_citation_rows(passage_ids, version)


def all_sentence_vectors(conn: sqlite3.Connection) -> dict[int, bytes]:
    return IndexStore(conn).all_sentence_vectors()


def passages_of_documents(conn: sqlite3.Connection, doc_ids: Iterable[int]) -> list[DocumentPassage]:
    return IndexStore(conn).passages_of_documents(doc_ids)


def same_document(conn: sqlite3.Connection, passage_ids: Sequence[int]) -> bool:
    return IndexStore(conn).same_document(passage_ids)


def document_list(conn: sqlite3.Connection) -> list[DocumentListing]:
    return IndexStore(conn).document_list()


def document_details(conn: sqlite3.Connection) -> list[DocumentDetails]:
    return IndexStore(conn).document_details()


def document_facts(conn: sqlite3.Connection) -> list[DocumentFacts]:
    return IndexStore(conn).document_facts()


def passage_documents(conn: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray]:
    return IndexStore(conn).passage_documents()


def fingerprints(conn: sqlite3.Connection) -> list[Fingerprint]:
    return IndexStore(conn).fingerprints()


def story_map(conn: sqlite3.Connection) -> dict[int, int]:
    return IndexStore(conn).story_map()


def passage_dates(conn: sqlite3.Connection, passage_ids: Sequence[int]) -> dict[int, str | None]:
    return IndexStore(conn).passage_dates(passage_ids)


def stories_of(conn: sqlite3.Connection, passage_ids: Sequence[int]) -> dict[int, int]:
    return IndexStore(conn).stories_of(passage_ids)


def story_members(conn: sqlite3.Connection, story_ids: Sequence[int]) -> list[StoryMember]:
    return IndexStore(conn).story_members(story_ids)


def recorded_sources(index_dir: Path) -> list[str]:
    """The sources a damaged database records, if that part of it can still be read (a plain
    read-only connection: no schema, no waiting)."""
    return _read_damaged(index_dir, "SELECT path FROM sources ORDER BY path")


def recorded_exclusions(index_dir: Path) -> list[str]:
    """The files and folders `qa remove` kept out of sources that a damaged database records, if
    that part can still be read: a rebuild keeps them out, as the user asked."""
    return _read_damaged(index_dir, "SELECT path FROM excluded ORDER BY path")


def _read_damaged(index_dir: Path, sql: str) -> list[str]:
    try:
        conn = sqlite3.connect(f"file:{index_dir / DB_NAME}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error:
        return []
    try:
        return [str(row[0]) for row in conn.execute(sql)]
    except sqlite3.Error:
        return []
    finally:
        conn.close()


# -- the engine an index publishes to (qa/engines/): its URI in the meta table, never a credential --
ENGINE_KEY = "engine"


def read_engine(conn: sqlite3.Connection) -> str | None:
    """The engine URI the index records (None: the local engine)."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (ENGINE_KEY,)).fetchone()
    except sqlite3.DatabaseError as exc:
        raise _damaged(conn, exc) from exc
    return None if row is None else str(row[0])


def write_engine(conn: sqlite3.Connection, uri: str | None) -> None:
    """Record (None: forget) the engine URI (the connection autocommits: one statement, one commit)."""
    if uri is None:
        conn.execute("DELETE FROM meta WHERE key = ?", (ENGINE_KEY,))
    else:
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (ENGINE_KEY, uri))
