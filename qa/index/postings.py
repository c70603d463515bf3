"""One segment's term postings, stored so that opening an index reads next to nothing.

BM25 (qa/index/bm25.py) scores the way Lucene does: at query time, from each query term's postings
(the passages holding it and its count in each) and each passage's length, with corpus-wide
statistics; no weight matrix is computed when the index opens. A segment's term file (format 2)
holds its postings terms x passages, the passages' lengths and ids, in numpy's .npz container
written uncompressed, so each array is mapped from the file (`np.memmap`) instead of read: the
pages a question needs are read when it needs them, and shared with the page cache.

A term file of format 1 (passages x terms counts, qa/index/bm25.py TermCounts) is read and transposed
in memory (`Postings.from_matrix`); the index is not rewritten by a reader.
"""

from __future__ import annotations

import math
import os
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from qa.index.ownership import open_own

#: the `layout` array of a term file of format 2 (format 1 files have none)
POSTINGS_LAYOUT = 2
_LOCAL_HEADER = 30  # bytes of a zip member's local header before its name and extra field


@dataclass
class Postings:
    """Term t's passages are rows[indptr[t]:indptr[t + 1]] (positions in passage_ids, ascending),
    holding it tf[...] times each."""

    passage_ids: np.ndarray  # int64, ascending
    lengths: np.ndarray  # float32: tokens of each passage
    terms: list[str]  # term of each postings list
    indptr: np.ndarray  # int64, len(terms) + 1
    rows: np.ndarray  # int32
    tf: np.ndarray  # float32 counts

    @classmethod
    def from_matrix(cls, passage_ids: np.ndarray, matrix: sparse.csr_matrix, terms: list[str]) -> "Postings":
        """From term counts passages x terms (column j: terms[j])."""
        by_term = matrix.tocsc()  # scipy's compiled transpose: each column's rows ascending
        lengths = np.asarray(matrix.sum(axis=1), dtype=np.float32).ravel()
        return cls(np.asarray(passage_ids, dtype=np.int64), lengths, terms, by_term.indptr.astype(np.int64, copy=False),
                   by_term.indices.astype(np.int32, copy=False), by_term.data.astype(np.float32, copy=False))

    def to_matrix(self) -> sparse.csr_matrix:
        """The term counts passages x terms (for writers: merges, repairs)."""
        shape = (len(self.passage_ids), len(self.terms))
        by_term = sparse.csc_matrix((np.asarray(self.tf), np.asarray(self.rows), np.asarray(self.indptr)), shape=shape)
        return by_term.tocsr()

    def document_frequency(self) -> np.ndarray:
        return np.diff(self.indptr)

    def save(self, path: Path) -> None:
        """Write atomically (temporary file, fsync, rename), uncompressed so it can be mapped: no pickle."""
        tmp = path.with_name(path.name + ".tmp")
        with os.fdopen(open_own(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "wb") as handle:  # never via a link
            np.savez(handle, layout=np.asarray([POSTINGS_LAYOUT], dtype=np.int64), passage_ids=self.passage_ids,
                     lengths=self.lengths, indptr=self.indptr, rows=self.rows, tf=self.tf,
                     vocabulary=np.frombuffer("\n".join(self.terms).encode("utf-8"), dtype=np.uint8))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "Postings":
        """A term file of either format (format 2 mapped, format 1 read and transposed); ValueError,
        KeyError or OSError when it cannot be read."""
        arrays = mapped_arrays(path)
        if "layout" not in arrays:
            return cls.from_matrix(*read_counts(arrays))
        if int(arrays["layout"][0]) != POSTINGS_LAYOUT:
            raise ValueError(f"{path}: unknown term file layout")
        terms = _terms(arrays["vocabulary"])
        # the per-passage and per-term arrays copied (small, aligned); the postings stay mapped
        found = cls(np.array(arrays["passage_ids"]), np.array(arrays["lengths"]), terms, np.array(arrays["indptr"]),
                    arrays["rows"], arrays["tf"])
        found.check()
        return found

    def check(self) -> None:
        """ValueError unless the arrays fit together (a cheap check, not of every posting)."""
        n = len(self.passage_ids)
        if (len(self.indptr) != len(self.terms) + 1 or len(self.lengths) != n or int(self.indptr[0]) != 0
                or int(self.indptr[-1]) != len(self.rows) != len(self.tf)):
            raise ValueError("term postings do not match their vocabulary or passages")


def stored_passage_ids(path: Path) -> np.ndarray:
    """The passage ids a term file of either format holds (ValueError, KeyError or OSError when
    it cannot be read), without reading its postings."""
    found = Postings.load(path) if "layout" in (arrays := mapped_arrays(path)) else None
    return found.passage_ids if found is not None else read_counts(arrays)[0]


def read_counts(data: dict[str, np.ndarray]) -> tuple[np.ndarray, sparse.csr_matrix, list[str]]:
    """A format-1 term file's arrays: (passage ids, counts passages x terms, terms)."""
    terms = _terms(data["vocabulary"])
    shape = tuple(int(x) for x in data["shape"])
    matrix = sparse.csr_matrix((np.asarray(data["data"]), np.asarray(data["indices"]), np.asarray(data["indptr"])),
                               shape=shape)
    ids = np.array(data["passage_ids"])
    if len(terms) != shape[1] or len(ids) != shape[0]:
        raise ValueError("term counts do not match their vocabulary or passages")
    return ids, matrix, terms


def _terms(raw: np.ndarray) -> list[str]:
    text = np.asarray(raw).tobytes().decode("utf-8")
    return text.split("\n") if text else []


def mapped_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an uncompressed .npz (as np.savez writes), each mapped from the file, not
    read (ValueError for a compressed member, an object array or a file cut short)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{path}: {exc}") from exc
    if not members:
        return {}
    # plain arrays over the mapping (which they keep alive): slicing an np.memmap costs ~5 us of
    # subclass bookkeeping, ~30 slices a question
    raw = np.memmap(path, dtype=np.uint8, mode="r").view(np.ndarray)
    out = {}
    with open(path, "rb") as handle:
        for member in members:
            if member.compress_type != zipfile.ZIP_STORED:
                raise ValueError(f"{path}: {member.filename} is compressed")
            handle.seek(member.header_offset + 26)
            name_size, extra_size = struct.unpack("<HH", handle.read(4))
            handle.seek(member.header_offset + _LOCAL_HEADER + name_size + extra_size)
            version = np.lib.format.read_magic(handle)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(handle)
            if dtype.hasobject or fortran or len(shape) != 1:
                raise ValueError(f"{path}: unexpected array {member.filename}")
            start = handle.tell()
            end = start + math.prod(shape) * dtype.itemsize
            if end > raw.size:
                raise ValueError(f"{path}: {member.filename} is cut short")
            out[member.filename.removesuffix(".npy")] = raw[start:end].view(dtype)
    return out
