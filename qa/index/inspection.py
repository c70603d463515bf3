"""Telling a whole index from a damaged one: the writer's side, what `qa index --check` reports
and a sync repairs (qa/index/repair.py), changing nothing itself.

- `inspect`: everything an index records about itself, down to which vectors, documents and
  passages are damaged (each passage row by integrity.passage_problem, the check a citation gets).
- `quick_problem` / `mark_whole`: the cheap check at every sync, and its record of a whole index.

What a reader checks (a generation as loaded, a citation) is qa/index/integrity.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.index import store, vectors
from qa.errors import IndexCorrupt, QAError
from qa.index.integrity import MARK_NAME, file_problem, indexed_text, passage_problem, repair_command
from qa.index.ownership import open_own
from qa.settings import DEFAULT_INDEXING, IndexingSettings
from qa.index.store import IndexMeta, IndexStore


def vector_array(index: object) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) held by a loaded vector index, exact or approximate, in its order (copies)."""
    return vectors.contents(index)


def valid_rows(data: np.ndarray) -> np.ndarray:
    """Per stored vector: True when it is finite and of unit length (as every embedding is)."""
    # one pass, no copy: a NaN or infinite component makes the squared norm NaN or infinite, and
    # damaged bytes read as huge floats overflow it to infinity: neither is a unit vector
    with np.errstate(over="ignore", invalid="ignore"):
        squared = np.einsum("ij,ij->i", data, data, dtype=np.float32)
        return np.isfinite(squared) & (np.abs(np.sqrt(squared) - 1.0) <= DEFAULT_INDEXING.vector_norm_tolerance)


# -- a full inspection ----------------------------------------------------------------------------

@dataclass
class Inspection:
    """What is damaged in an index, for `qa index --check` (problems) and the repair (the rest)."""

    index_dir: Path
    meta: IndexMeta | None
    problems: list[str] = field(default_factory=list)
    documents: int = 0
    passages: int = 0
    vectors_damaged: bool = False  # the vector file is not as recorded, or unreadable
    terms_damaged: bool = False  # the term file is not as recorded, unreadable, or disagrees
    bad_vector_ids: set[int] = field(default_factory=set)  # passages whose vector is damaged or missing
    damaged_documents: dict[int, str] = field(default_factory=dict)  # doc id -> path: re-read them
    segments: int = 0  # vector and term file pairs (qa/index/segments.py)
    deleted: int = 0  # passages the segments hold that were deleted since (merges drop them)
    database_damaged: bool = False  # sqlite finds the database itself damaged: only a rebuild helps

    @property
    def whole(self) -> bool:
        return not self.problems

    @property
    def remedy(self) -> str:
        """The command that repairs what was found: `qa index`, or `qa index --rebuild` for a
        damaged database."""
        if self.database_damaged:
            return f"qa index --rebuild{store.index_flag(self.index_dir)}"
        return repair_command(self.index_dir)

    def as_json(self) -> dict[str, object]:
        return {"index": str(self.index_dir), "whole": self.whole, "documents": self.documents,
                "passages": self.passages, "generation": self.meta.generation if self.meta else None,
                "segments": self.segments, "deleted": self.deleted, "problems": self.problems,
                "repair": None if self.whole else self.remedy}


def check_index(index_dir: Path) -> Inspection:
    """`qa index --check`: open the index and inspect it; a database too damaged to open is a
    problem it reports like any other (a missing or busy index stays an error)."""
    try:
        db = IndexStore.open(index_dir)
    except IndexCorrupt as exc:
        return _damaged_database(index_dir, exc)
    with db:
        return inspect(db, index_dir)


def inspect(db: IndexStore, index_dir: Path) -> Inspection:
    """Check everything an index records about itself, changing nothing (see module docstring):
    sqlite's own check of the database, every segment's files in full (size, crc32, readable,
    sound vectors), whatever their size, every passage row as a citation is checked. Damage sqlite
    reports is a problem (`database_damaged`), never an exception."""
    try:
        return _inspect(db, index_dir)
    except (sqlite3.DatabaseError, IndexCorrupt) as exc:
        if store.is_busy(exc):
            raise
        return _damaged_database(index_dir, exc)


def _damaged_database(index_dir: Path, exc: Exception) -> Inspection:
    cause = exc.__cause__ if isinstance(exc.__cause__, sqlite3.DatabaseError) else exc
    why = str(cause).split("; rebuild with")[0]
    found = Inspection(index_dir, None, database_damaged=True)
    found.problems.append(why if isinstance(cause, QAError) else
                          f"the index database {index_dir / store.DB_NAME} is damaged ({why})")
    return found


def _inspect(db: IndexStore, index_dir: Path) -> Inspection:
    """`inspect`'s checks; damage sqlite finds (its quick_check, or a query failing) is raised."""
    from qa.index.segments import current_segments

    damage = db.database_problems()
    if damage:
        more = f", and {len(damage) - 1} more" if len(damage) > 1 else ""
        raise sqlite3.DatabaseError(f"sqlite's check: {damage[0]}{more}")
    meta, deleted_ids = db.read_manifest()
    found = Inspection(index_dir, meta)
    if meta is None:
        return found
    try:
        store.check_format(meta, index_dir)
    except QAError as exc:
        found.problems.append(str(exc))
        return found
    passage_ids = np.asarray(db.passage_ids(), dtype=np.int64)
    found.passages = int(passage_ids.size)
    found.documents = db.document_count()
    segments = current_segments(db, meta)
    deleted = np.asarray(deleted_ids, dtype=np.int64)
    found.segments, found.deleted = len(segments), int(deleted.size)
    _inspect_vectors(found, segments, passage_ids, deleted)
    _inspect_terms(found, segments, passage_ids, deleted, derived=meta.segments is None)
    _inspect_rows(db, found)
    if (found.vectors_damaged or found.terms_damaged) and not found.problems:
        found.problems.append(f"the vector and term files hold passages the database does not have "
                              f"({found.passages} passage rows)")
    record = meta.record
    if record is not None and record.passages != found.passages and not found.problems:
        found.problems.append(f"{found.passages} passage rows, {record.passages} recorded at the last commit")
    return found


def _inspect_vectors(found: Inspection, segments: list, passage_ids: np.ndarray, deleted: np.ndarray) -> None:
    """Each segment's vector file: as recorded, readable, its vectors finite unit vectors, each
    live passage held once; a damaged file is a problem naming it."""
    held: list[np.ndarray] = []
    good_ids: list[np.ndarray] = []
    for segment in segments:
        path = segment.vector_file(found.index_dir)
        problem = file_problem(path, segment.vectors_size, segment.vectors_crc32) \
            if segment.vectors_size is not None else None
        mine = passage_ids[(passage_ids >= segment.first_id) & (passage_ids <= segment.last_id)]
        try:
            index = vectors.load(path)
        except IndexCorrupt:
            found.vectors_damaged = True
            found.problems.append(f"{path} is damaged ({problem or 'unreadable'})")
            continue
        ids, data = vector_array(index)
        good = valid_rows(data)
        held.append(ids)
        good_ids.append(ids[good])
        lost = np.setdiff1d(mine, ids[good]).size
        if problem or lost or not good.all():
            found.vectors_damaged = True
            damage = [problem] if problem else []
            if lost:
                damage.append(f"{lost} of {mine.size} passages without a sound vector")
            found.problems.append(f"{path} is damaged ({'; '.join(damage) or 'vectors that are not numbers'})")
    stored = np.concatenate(held) if held else np.zeros(0, np.int64)
    unique, counts = np.unique(stored, return_counts=True)
    sound = np.concatenate(good_ids) if good_ids else np.zeros(0, np.int64)
    sound = sound[np.isin(sound, unique[counts == 1])]
    found.bad_vector_ids = set(np.setdiff1d(passage_ids, sound).tolist())
    if found.bad_vector_ids and not found.vectors_damaged:
        found.vectors_damaged = True
        found.problems.append(f"{len(found.bad_vector_ids)} of {passage_ids.size} passages have no sound vector "
                              "in any segment")
    if np.setdiff1d(stored, np.concatenate([passage_ids, deleted])).size:
        found.vectors_damaged = True  # vectors of passage rows that are gone: reported with the rows


def _inspect_terms(found: Inspection, segments: list, passage_ids: np.ndarray, deleted: np.ndarray,
                   derived: bool = False) -> None:
    """Each segment's term file: as recorded and readable; together (deleted passages left out),
    the passage rows' ids. `derived`: an index from before segments, whose one term file, never
    recorded, readers rebuild from the stored tokens when it cannot be read
    (`store.load_term_postings`; the first qa wrote none): no damage then."""
    from qa.index.postings import stored_passage_ids

    stored: list[np.ndarray] = []
    for segment in segments:
        path = segment.terms_file(found.index_dir)
        problem = file_problem(path, segment.terms_size, segment.terms_crc32) \
            if segment.terms_size is not None else None
        if problem is None:
            try:
                stored.append(stored_passage_ids(path))
                continue
            except (OSError, ValueError, KeyError):
                if derived and segment.terms_size is None:
                    stored.append(passage_ids)  # what the rebuilt postings hold
                    continue
                problem = "unreadable"
        found.terms_damaged = True
        found.problems.append(f"{path} is damaged ({problem})")
    if not found.terms_damaged:
        ids = np.concatenate(stored) if stored else np.zeros(0, np.int64)
        # other ids than the passage rows': reported with the rows (or at the end of inspect)
        found.terms_damaged = not np.array_equal(np.sort(ids[~np.isin(ids, deleted)]), passage_ids)


def _inspect_rows(db: IndexStore, found: Inspection) -> None:
    """Documents that lost passage rows, and passage rows that are not what was indexed
    (passage_problem: the check a citation gets, each file read once)."""
    for doc_id, path, recorded, present in db.documents_missing_passages():
        found.damaged_documents[doc_id] = path
        found.problems.append(f"{path}: {present} of its {recorded or 'at least 1'} passages are in the database")
    document, file_text = None, None
    for row in db.stored_passages():
        if row.doc_id in found.damaged_documents:
            continue  # one problem per document: it is read again whole
        if row.doc_id != document:
            document, file_text = row.doc_id, indexed_text(row.path, row.encoding, row.sha256)
        problem = passage_problem(row.text, row.text_sha1, row.start, row.end, file_text)
        if problem:
            found.damaged_documents[row.doc_id] = row.path
            found.problems.append(f"{row.path}: passage {row.passage_id} is damaged ({problem})")


# -- the cheap check at every sync ------------------------------------------------------------------
#
# `inspect` reads every passage row and every vector (~1.2 s at 100k passages, ten times that at a
# million), too much for a sync that adds one article. So a sync that left the index whole records
# the database file as it left it (size, modification time, SQLite's change counter) in MARK_NAME;
# the next sync's `quick_problem` compares that, the counts and the segment files (their sizes, and
# the crc32 of those no larger than open_crc_max_bytes, as a reader checks them at open), and only
# when something differs runs the full `inspect`. Whatever else edits the database (sqlite3, a crash
# mid-write, another qa command) changes its file, so its rows are inspected in full; a reader that
# finds damage the cheap check cannot see (NaN in a large vector file, an edited citation) removes
# the mark (`suspect`), so the `qa index` its error names inspects everything.


def _database_stamp(index_dir: Path) -> list[int] | None:
    """(size, mtime_ns, SQLite's file change counter) of the database; None when it has a WAL
    (whose commits may leave the main file's header as it was)."""
    path = index_dir / store.DB_NAME
    try:
        if (index_dir / (store.DB_NAME + "-wal")).exists():
            return None
        with open(path, "rb") as handle:
            header = handle.read(28)
            info = os.fstat(handle.fileno())
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, int.from_bytes(header[24:28], "big")]


def mark_whole(index_dir: Path, meta: IndexMeta | None) -> None:
    """Record the database as a sync that left the index whole leaves it (best effort: without
    the mark the next sync inspects everything)."""
    stamp = _database_stamp(index_dir)
    mark = index_dir / MARK_NAME
    try:
        if stamp is None or meta is None:
            mark.unlink(missing_ok=True)
            return
        temporary = mark.with_name(MARK_NAME + ".tmp")
        with os.fdopen(open_own(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "w") as handle:
            handle.write(json.dumps({"generation": meta.generation, "database": stamp}))
        os.replace(temporary, mark)  # a link at `mark` is replaced, not followed
    except (OSError, QAError):
        pass


def quick_problem(db: IndexStore, index_dir: Path, meta: IndexMeta,
                  settings: IndexingSettings = DEFAULT_INDEXING) -> str | None:
    """Why the index must be inspected in full before a sync (None: the cheap checks pass): the
    database is not as the last whole sync left it, a segment file is not as recorded (size;
    crc32 up to settings.open_crc_max_bytes), or the passage rows are not as many as recorded."""
    from qa.index.segments import current_segments

    try:
        mark = json.loads((index_dir / MARK_NAME).read_text())
    except (OSError, ValueError):
        return "no record of a whole index"
    if not isinstance(mark, dict) or mark.get("generation") != meta.generation \
            or mark.get("database") != _database_stamp(index_dir):
        return "the database changed since the last sync"
    if meta.segments is None or meta.record is None:
        return "an index written before segments"
    for segment in current_segments(db, meta):
        for path, size, crc in ((segment.vector_file(index_dir), segment.vectors_size, segment.vectors_crc32),
                                (segment.terms_file(index_dir), segment.terms_size, segment.terms_crc32)):
            problem = file_problem(path, size, crc, settings.open_crc_max_bytes) if size is not None else "unrecorded"
            if problem:
                return f"{path.name}: {problem}"
    if db.passage_count() != meta.record.passages:
        return "passage rows not as recorded"
    return None
