"""Telling a whole index from a damaged one, so damage is never served.

A commit records its generation's file sizes, crc32 checksums and counts (store.GenerationRecord),
each passage row its text's hash, each document row its number of passages. Three uses:

- `verify_loaded`: what a reader checks every time it loads a generation (counts, checksums, ids,
  no NaN vectors); damage is one IndexCorrupt line naming the file and the command that repairs it.
- `inspect`: everything `qa index --check` reports and `qa index` repairs (qa/repair.py), down to
  which vectors, documents and passages are damaged.
- `citation_problem`: the check of one cited passage before it is shown.
"""

from __future__ import annotations

import codecs
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa import store, vectors
from qa.errors import IndexCorrupt, QAError
from qa.store import IndexMeta, IndexStore

#: a stored vector is a unit vector: one whose norm is further than this from 1 is damaged
NORM_TOLERANCE = 1e-3


def repair_command(index_dir: Path) -> str:
    return f"qa index{store.index_flag(index_dir)}"


def vector_array(index: object) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) held by a loaded vector index, exact or approximate, in its order (copies)."""
    return vectors.contents(index)


def valid_rows(data: np.ndarray) -> np.ndarray:
    """Per stored vector: True when it is finite and of unit length (as every embedding is)."""
    finite = np.isfinite(data).all(axis=1)
    with np.errstate(over="ignore", invalid="ignore"):  # damaged bytes may read as huge floats
        norms = np.linalg.norm(np.where(np.isfinite(data), data, 0.0).astype(np.float64), axis=1)
    return finite & (np.abs(norms - 1.0) <= NORM_TOLERANCE)


def file_problem(path: Path, size: int, crc32: int) -> str | None:
    """Why a generation file does not match its record (None when it does)."""
    try:
        found_size, found_crc = store.file_crc32(path)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if found_size != size:
        return f"{found_size} bytes, {size} recorded"
    if found_crc != crc32:
        return "its checksum does not match the one recorded"
    return None


def verify_loaded(conn: sqlite3.Connection, meta: IndexMeta, index_dir: Path, index: object,
                  term_ids: np.ndarray) -> None:
    """Raise IndexCorrupt (one line: what is damaged, and `qa index` to repair it) unless the
    loaded generation is whole: files as recorded, as many vectors as term rows as passage rows,
    the same ids in both files, every vector finite."""
    fix = f"repair with: {repair_command(index_dir)}"
    record = meta.record
    if record is not None:
        for path, size, crc in ((meta.vector_file(index_dir), record.vectors_size, record.vectors_crc32),
                                (meta.terms_file(index_dir), record.terms_size, record.terms_crc32)):
            problem = file_problem(path, size, crc)
            if problem:
                raise IndexCorrupt(f"{path} is damaged ({problem}); {fix}")
    rows = IndexStore(conn).passage_count()
    if not index.ntotal == len(term_ids) == rows:
        raise IndexCorrupt(f"the index in {index_dir}/ is damaged ({index.ntotal} vectors, {len(term_ids)} "
                           f"term rows, {rows} passage rows); {fix}")
    ids = vectors.stored_ids(index)  # no copy of the vectors themselves (1.5 GB at a million)
    if not vectors.all_finite(index):
        raise IndexCorrupt(f"{meta.vector_file(index_dir)} is damaged (vectors that are not numbers); {fix}")
    if not np.array_equal(np.sort(ids), np.asarray(term_ids)):
        raise IndexCorrupt(f"{meta.vector_file(index_dir)} and {meta.terms_file(index_dir)} disagree on "
                           f"their passages; {fix}")


class DamagedCitation(IndexCorrupt):
    """A passage about to be cited is not what was indexed (the Retriever adds the repair command)."""


def check_citation(row: object) -> None:
    """Raise DamagedCitation when a store.CitationRow must not be shown (see citation_problem)."""
    problem = citation_problem(row.text, row.text_sha1, row.path, row.encoding, row.sha256, row.start, row.end)
    if problem:
        raise DamagedCitation(f"{row.path}: passage {row.passage_id} is damaged ({problem})")


def citation_problem(text: str, recorded_hash: str | None, path: str, encoding: str, sha256: str,
                     start: int, end: int) -> str | None:
    """Why a cited passage must not be shown (None when it may): its text does not match the hash
    recorded when it was written, or, where the file is as indexed (same sha256; plain text, not
    HTML), the file's text at the passage's span."""
    if recorded_hash is not None and store.passage_hash(text) != recorded_hash:
        return "its text in the database was changed after it was indexed"
    try:
        codecs.lookup(encoding)  # a plain decode; not "pdf" or "html:...", whose text is extracted
    except LookupError:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read(8 << 20)
    except OSError:
        return None  # gone or unreadable: the next `qa index` deals with it
    from qa.documents import Unreadable, decode, sha256_bytes

    if sha256_bytes(data) != sha256:
        return None  # the file changed since: the next `qa index` re-reads it
    try:
        decoded = decode(data)[0]
    except Unreadable:
        return None
    if decoded[start:end] != text:
        return "its text does not match the file's text at its place"
    return None


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

    @property
    def whole(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, object]:
        return {"index": str(self.index_dir), "whole": self.whole, "documents": self.documents,
                "passages": self.passages, "generation": self.meta.generation if self.meta else None,
                "problems": self.problems}


def inspect(db: IndexStore, index_dir: Path) -> Inspection:
    """Check everything an index records about itself, changing nothing (see module docstring)."""
    meta = db.read_meta()
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
    _inspect_vectors(found, meta, passage_ids)
    _inspect_terms(db, found, meta, passage_ids)
    _inspect_rows(db, found)
    if (found.vectors_damaged or found.terms_damaged) and not found.problems:
        found.problems.append(f"the vector and term files hold passages the database does not have "
                              f"({found.passages} passage rows)")
    record = meta.record
    if record is not None and record.passages != found.passages and not found.problems:
        found.problems.append(f"{found.passages} passage rows, {record.passages} recorded at the last commit")
    return found


def _inspect_vectors(found: Inspection, meta: IndexMeta, passage_ids: np.ndarray) -> None:
    path = meta.vector_file(found.index_dir)
    record = meta.record
    problem = file_problem(path, record.vectors_size, record.vectors_crc32) if record else None
    try:
        index = vectors.load(path)
    except IndexCorrupt:
        found.vectors_damaged = True
        found.bad_vector_ids = set(passage_ids.tolist())
        found.problems.append(f"{path} is damaged ({problem or 'unreadable'})")
        return
    ids, data = vector_array(index)
    good = valid_rows(data)
    unique, counts = np.unique(ids, return_counts=True)
    good &= np.isin(ids, unique[counts == 1])
    have = set(ids[good].tolist())
    found.bad_vector_ids = {int(i) for i in passage_ids if int(i) not in have}
    extra = np.setdiff1d(ids, passage_ids).size
    if problem or found.bad_vector_ids or not good.all():
        found.vectors_damaged = True
        damage = [problem] if problem else []
        if found.bad_vector_ids:
            damage.append(f"{len(found.bad_vector_ids)} of {passage_ids.size} passages without a sound vector")
        found.problems.append(f"{path} is damaged ({'; '.join(damage) or 'vectors that are not numbers'})")
    elif extra:  # vectors of passage rows that are gone: reported with the rows
        found.vectors_damaged = True


def _inspect_terms(db: IndexStore, found: Inspection, meta: IndexMeta, passage_ids: np.ndarray) -> None:
    from qa.bm25 import TermCounts

    path = meta.terms_file(found.index_dir)
    record = meta.record
    problem = file_problem(path, record.terms_size, record.terms_crc32) if record else None
    if problem is None:
        try:
            counts = TermCounts.load(path)
            # other ids than the passage rows': reported with the rows (or at the end of inspect)
            found.terms_damaged = not np.array_equal(counts.passage_ids, passage_ids)
            return
        except (OSError, ValueError, KeyError):
            problem = "unreadable"
    found.terms_damaged = True
    found.problems.append(f"{path} is damaged ({problem})")


def _inspect_rows(db: IndexStore, found: Inspection) -> None:
    """Documents that lost passage rows, and passage rows whose text is not what was written."""
    for doc_id, path, recorded, present in db.documents_missing_passages():
        found.damaged_documents[doc_id] = path
        found.problems.append(f"{path}: {present} of its {recorded or 'at least 1'} passages are in the database")
    for doc_id, path, passage_id in db.passages_not_matching_hash():
        found.damaged_documents[doc_id] = path
        found.problems.append(f"{path}: the text of passage {passage_id} was changed in the database")
