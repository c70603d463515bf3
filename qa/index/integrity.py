"""Telling a whole index from a damaged one, so damage is never served: the reader's side.

A commit records its generation's file sizes, crc32 checksums and counts (store.GenerationRecord),
each passage row its text's hash, each document row its number of passages. What a reader checks
(this module: it changes nothing but the `suspect` mark):

- `verify_loaded`: what a reader checks every time it loads a generation (counts, checksums, ids,
  no NaN vectors); damage is one IndexCorrupt line naming the file and the command that repairs it.
- `check_citation` / `citation_problem`: the check of one cited passage before it is shown, and
  `file_state`: whether its file can be opened now and whether it changed since it was indexed.

The writer's side, `inspect` (everything `qa index --check` reports and `qa index` repairs, down to
which vectors, documents and passages are damaged) and the cheap check at every sync, is
qa/index/inspection.py; the repair is qa/index/repair.py.
"""

from __future__ import annotations

import codecs
import os
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.ingest import sources as source_scan
from qa.index import store, vectors
from qa.errors import IndexCorrupt
from qa.settings import DEFAULT_INDEXING, IndexingSettings
from qa.index.store import CitationRow, IndexMeta, IndexStore

if TYPE_CHECKING:
    from qa.index.segments import LoadedSegments


def repair_command(index_dir: Path) -> str:
    return f"qa index{store.index_flag(index_dir)}"


def file_problem(path: Path, size: int, crc32: int | None, crc_max_bytes: int | None = None) -> str | None:
    """Why a segment file does not match its record (None when it does); its crc32 is checked
    only up to crc_max_bytes (None: always), its size always."""
    try:
        if crc_max_bytes is not None and size > crc_max_bytes:
            found_size, found_crc = path.stat().st_size, crc32
        else:
            found_size, found_crc = store.file_crc32(path)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if found_size != size:
        return f"{found_size} bytes, {size} recorded"
    if crc32 is not None and found_crc != crc32:
        return "its checksum does not match the one recorded"
    return None


def verify_loaded(conn: sqlite3.Connection, meta: IndexMeta, index_dir: Path, loaded: "LoadedSegments",
                  settings: IndexingSettings = DEFAULT_INDEXING) -> None:
    """Raise IndexCorrupt (one line: what is damaged, and `qa index` to repair it) unless the
    loaded generation is whole: each segment's files as recorded (their size always, their crc32
    when no larger than settings.open_crc_max_bytes: `qa index --check` checks every one), each
    segment's vector and term files holding the same passages, as many live vectors as live term
    rows as passage rows, every vector finite."""
    fix = f"repair with: {repair_command(index_dir)}"
    for segment, index, counts in zip(loaded.segments, loaded.vectors, loaded.postings):
        for path, size, crc in ((segment.vector_file(index_dir), segment.vectors_size, segment.vectors_crc32),
                                (segment.terms_file(index_dir), segment.terms_size, segment.terms_crc32)):
            problem = file_problem(path, size, crc, settings.open_crc_max_bytes) if size is not None else None
            if problem:
                raise IndexCorrupt(f"{path} is damaged ({problem}); {fix}")
        ids = vectors.stored_ids(index)  # no copy of the vectors themselves (1.5 GB at a million)
        if not vectors.all_finite(index):
            raise IndexCorrupt(f"{segment.vector_file(index_dir)} is damaged (vectors that are not numbers); {fix}")
        if not np.array_equal(np.sort(ids), np.asarray(counts.passage_ids)):
            raise IndexCorrupt(f"{segment.vector_file(index_dir)} and {segment.terms_file(index_dir)} disagree on "
                               f"their passages; {fix}")
    rows = IndexStore(conn).passage_count()
    stored = sum(int(index.ntotal) for index in loaded.vectors)
    term_ids = loaded.stored_ids()
    held = int(np.isin(loaded.deleted, term_ids).sum())  # deleted passages the segments still hold
    if not stored - held == term_ids.size - held == rows:
        raise IndexCorrupt(f"the index in {index_dir}/ is damaged ({stored - held} vectors, "
                           f"{term_ids.size - held} term rows, {rows} passage rows); {fix}")


class DamagedCitation(IndexCorrupt):
    """A passage about to be cited is not what was indexed (the Retriever adds the repair command)."""


def check_citation(row: object) -> None:
    """Raise DamagedCitation when a store.CitationRow must not be shown (see citation_problem)."""
    problem = citation_problem(row.text, row.text_sha1, row.path, row.encoding, row.sha256, row.start, row.end)
    if problem:
        raise DamagedCitation(f"{row.path}: passage {row.passage_id} is damaged ({problem})")


def citation_problem(text: str, recorded_hash: str | None, path: str, encoding: str, sha256: str,
                     start: int, end: int) -> str | None:
    """Why a cited passage must not be shown (None when it may): passage_problem, the file read
    only when the hash alone does not tell."""
    return passage_problem(text, recorded_hash, start, end, None) or \
        passage_problem(text, recorded_hash, start, end, cited_text(path, encoding, sha256))


#: files whose decoded text is kept for the citation check (the few cited per question)
CITED_FILES_KEPT = 16


def cited_text(path: str, encoding: str, sha256: str) -> str | None:
    """indexed_text, read once per state of the file: three cards of one article, or the same
    article cited by the next question, cost one stat each, not a read, a hash and a decode.
    The state is the file's (size, mtime_ns, ctime_ns, inode): any write moves its ctime."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return _cited_text(path, encoding, sha256, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


@lru_cache(maxsize=CITED_FILES_KEPT)
def _cited_text(path: str, encoding: str, sha256: str, size: int, mtime_ns: int, ctime_ns: int,
                inode: int) -> str | None:
    return indexed_text(path, encoding, sha256)


def forget_cited_files() -> None:
    """Drop the kept texts of cited files (a benchmark's cold question; the next check reads again)."""
    _cited_text.cache_clear()


def passage_problem(text: str, recorded_hash: str | None, start: int, end: int,
                    file_text: str | None) -> str | None:
    """Why a stored passage is not what was indexed (None when it is): its text does not match
    the hash recorded when it was written, or `file_text` (the file as indexed, see indexed_text;
    None: not known) at the passage's span. The one check of a passage, shared by the citation
    check at ask time and the inspection of `qa index --check` and the repair: what one finds, the
    others find."""
    if recorded_hash is not None and store.passage_hash(text) != recorded_hash:
        return "its text in the database was changed after it was indexed"
    if file_text is not None and file_text[start:end] != text:
        return "its text does not match the file's text at its place"
    return None


def indexed_text(path: str, encoding: str, sha256: str) -> str | None:
    """The file's decoded text when the file is as indexed (same sha256) and its text a plain
    decoding of it (not HTML or PDF, whose text is extracted); None when that cannot be told (gone,
    unreadable, changed since: the next `qa index` re-reads it)."""
    try:
        codecs.lookup(encoding)  # a plain decode; not "pdf" or "html:...", whose text is extracted
    except LookupError:
        return None
    from qa.ingest.documents import Unreadable, decode, open_regular, sha256_bytes

    try:
        with open_regular(path) as handle:  # a named pipe there now would block a plain open
            data = handle.read(8 << 20)
    except (OSError, Unreadable):
        return None

    if sha256_bytes(data) != sha256:
        return None
    try:
        return decode(data)[0]
    except Unreadable:
        return None


def is_available(path: str) -> bool:
    """Whether an indexed file can be opened now (False on an unmounted drive): for marking
    cited passages of files that are away."""
    return os.access(path, os.R_OK)


def file_state(row: CitationRow) -> tuple[bool, bool]:
    """(available, changed) of a cited passage's file: whether it can be opened now, and whether
    its stat moved since it was indexed (its offsets may no longer match: `qa index` brings it in
    line). One stat, no read: cheap enough for every answer."""
    if not is_available(row.path):
        return False, False
    try:
        info = os.stat(row.path)
    except OSError:
        return False, False
    changed = row.size is not None and row.mtime_ns is not None and not source_scan.same_file(row, info)
    return True, changed


#: the last whole sync's note of the database (qa/index/inspection.py); a reader that finds damage the
#: cheap check at a sync cannot see removes it (`suspect`)
MARK_NAME = "checked.json"


def suspect(index_dir: Path) -> None:
    """A reader found damage: the next sync inspects everything (best effort)."""
    try:
        (index_dir / MARK_NAME).unlink(missing_ok=True)
    except OSError:
        pass
