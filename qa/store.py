"""The index's database (stdlib sqlite3): sources, documents, passages and settings.

Layout of an index folder:
  qa.sqlite           this database
  vectors.<gen>.faiss the dense vectors of generation <gen> (the database names the current one)
  terms.<gen>.npz     the BM25 term counts of generation <gen> (numpy format, no pickle)
  write.lock          held by the process that is updating the index

A reindex writes new vector and term files, then switches to them in the same database transaction that
updates documents and passages. Until that commit, readers keep seeing the previous generation,
and a killed reindex leaves it intact.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qa.config import FORMAT_VERSION
from qa.errors import IndexCorrupt, IndexMissing

if TYPE_CHECKING:
    from qa.bm25 import TermCounts

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
    indexed_at REAL NOT NULL
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
    tokens TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_by_doc ON passages(doc_id);
CREATE TABLE IF NOT EXISTS skipped (path TEXT PRIMARY KEY, reason TEXT NOT NULL);
-- vectors embedded by an unfinished reindex, so the next run need not embed them again
CREATE TABLE IF NOT EXISTS pending_vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
"""


@dataclass(frozen=True)
class IndexMeta:
    format_version: int
    model: str
    dim: int
    chunking: dict[str, int]
    generation: int
    next_passage_id: int

    def vector_file(self, index_dir: Path) -> Path:
        return index_dir / vector_file_name(self.generation)

    def terms_file(self, index_dir: Path) -> Path:
        return index_dir / terms_file_name(self.generation)


def vector_file_name(generation: int) -> str:
    return f"vectors.{generation}.faiss"


def terms_file_name(generation: int) -> str:
    return f"terms.{generation}.npz"


def load_term_counts(conn: sqlite3.Connection, meta: IndexMeta, index_dir: Path) -> "TermCounts":
    """The BM25 term counts of the current generation; rebuilt from the passages' stored tokens
    when the file is missing or unreadable (it is derived data)."""
    from qa.bm25 import TermCounts

    try:
        return TermCounts.load(meta.terms_file(index_dir))
    except (OSError, ValueError, KeyError):
        try:
            rows = conn.execute("SELECT id, tokens FROM passages ORDER BY id").fetchall()
        except sqlite3.DatabaseError as exc:
            raise IndexCorrupt(f"the index database is damaged ({exc}); rebuild with: qa index --rebuild") from exc
        return TermCounts.build([r[0] for r in rows], [r[1].split() for r in rows])


def connect(index_dir: Path, *, create: bool = False) -> sqlite3.Connection:
    """Open the database; with create=False a missing index is an IndexMissing error."""
    path = index_dir / DB_NAME
    if not create and not path.exists():
        raise IndexMissing(f"no index in {index_dir}/; build one with: qa index PATH (e.g. qa index seeds)")
    try:
        if create:
            index_dir.mkdir(parents=True, exist_ok=True)
        if create or os.access(index_dir, os.W_OK):
            # a reader may have to roll back a journal left by a killed writer: it needs write access
            conn = sqlite3.connect(path, timeout=30.0, isolation_level=None)
        else:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30.0, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        if create:
            conn.executescript(SCHEMA)
        else:
            conn.execute("SELECT count(*) FROM meta").fetchone()
    except sqlite3.DatabaseError as exc:
        raise IndexCorrupt(f"the index database {path} is damaged ({exc}); rebuild with: qa index --rebuild PATH ...") from exc
    return conn


def read_meta(conn: sqlite3.Connection) -> IndexMeta | None:
    """The index's settings, or None for a database no reindex has completed in yet."""
    try:
        rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise IndexCorrupt(f"the index database is damaged ({exc}); rebuild with: qa index --rebuild") from exc
    if "generation" not in rows:
        return None
    try:
        return IndexMeta(
            format_version=int(rows["format_version"]),
            model=rows["model"],
            dim=int(rows["dim"]),
            chunking=json.loads(rows["chunking"]),
            generation=int(rows["generation"]),
            next_passage_id=int(rows["next_passage_id"]),
        )
    except (KeyError, ValueError) as exc:
        raise IndexCorrupt(f"the index settings are damaged ({exc}); rebuild with: qa index --rebuild") from exc


def write_meta(conn: sqlite3.Connection, meta: IndexMeta) -> None:
    values = {
        "format_version": str(meta.format_version),
        "model": meta.model,
        "dim": str(meta.dim),
        "chunking": json.dumps(meta.chunking, sort_keys=True),
        "generation": str(meta.generation),
        "next_passage_id": str(meta.next_passage_id),
    }
    conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", values.items())


def check_format(meta: IndexMeta, index_dir: Path) -> None:
    if meta.format_version > FORMAT_VERSION:
        raise IndexCorrupt(
            f"the index in {index_dir}/ was made by a newer qa (format version {meta.format_version}, this "
            f"qa reads {FORMAT_VERSION}); use that qa, or rebuild it with: qa index --rebuild"
        )
    if meta.format_version != FORMAT_VERSION:
        raise IndexCorrupt(
            f"the index in {index_dir}/ has format version {meta.format_version}, this qa reads "
            f"version {FORMAT_VERSION}; rebuild it with: qa index --rebuild"
        )


# -- reads for retrieval ------------------------------------------------------------------------
# What the search side reads (qa/retrieval/): citation rows, the passages of documents, the
# same-article check and the documents list, as typed rows. (Imports kept here so that this block
# is one append; hoist them when merging.)
from collections.abc import Iterable, Sequence  # noqa: E402
from typing import NamedTuple  # noqa: E402

#: ids per `IN (...)` statement: under sqlite's historical limit of 999 bound variables
IN_BATCH = 900


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


class DocumentPassage(NamedTuple):
    doc_id: int
    passage_id: int


class DocumentRow(NamedTuple):
    """An indexed document and how many passages it has."""

    title: str
    path: str
    passages: int


def select_in(conn: sqlite3.Connection, sql: str, ids: Iterable[int]) -> list[tuple]:
    """Rows of `sql`, whose one `{marks}` placeholder is filled with `?`s for the ids, run in
    batches of IN_BATCH so that no statement exceeds sqlite's variable limit."""
    values = list(ids)
    rows: list[tuple] = []
    for at in range(0, len(values), IN_BATCH):
        batch = values[at:at + IN_BATCH]
        rows.extend(conn.execute(sql.format(marks=",".join("?" * len(batch))), batch).fetchall())
    return rows


_CITATION_SQL = ("SELECT p.id, p.doc_id, d.title, d.path, p.paragraph, p.paragraph_end, p.start, p.end, p.text "
                 "FROM passages p JOIN documents d ON d.id = p.doc_id")


def citation_rows(conn: sqlite3.Connection, passage_ids: Iterable[int]) -> dict[int, CitationRow]:
    """Citation rows by passage id; an id a reindex removed meanwhile is absent."""
    rows = select_in(conn, _CITATION_SQL + " WHERE p.id IN ({marks})", passage_ids)
    return {row[0]: CitationRow(*row) for row in rows}


def all_citation_rows(conn: sqlite3.Connection) -> list[CitationRow]:
    """Every passage's citation row, by id (benchmarks hold them in memory)."""
    return [CitationRow(*row) for row in conn.execute(_CITATION_SQL + " ORDER BY p.id")]


def passages_of_documents(conn: sqlite3.Connection, doc_ids: Iterable[int]) -> list[DocumentPassage]:
    """(doc_id, passage_id) of every passage of these documents."""
    return [DocumentPassage(*row) for row in
            select_in(conn, "SELECT doc_id, id FROM passages WHERE doc_id IN ({marks})", sorted(set(doc_ids)))]


def same_document(conn: sqlite3.Connection, passage_ids: Sequence[int]) -> bool:
    """True when these two passages are from one document (False for fewer than two)."""
    if len(passage_ids) != 2:
        return False
    docs = conn.execute("SELECT DISTINCT doc_id FROM passages WHERE id IN (?, ?)", list(passage_ids)).fetchall()
    return len(docs) == 1


def document_list(conn: sqlite3.Connection) -> list[DocumentRow]:
    """Every indexed document with its passage count, by path."""
    return [DocumentRow(*row) for row in conn.execute(
        "SELECT d.title, d.path, count(p.id) FROM documents d LEFT JOIN passages p ON p.doc_id = d.id "
        "GROUP BY d.id ORDER BY d.path")]
