"""Dense vectors in faiss, saved in faiss's own file format (no pickle).

An exact inner-product index (vectors are normalized, so scores are cosines) keyed by passage id,
so passages can be removed and added without touching the others. Flat search over 100k x 384
floats takes a few milliseconds on 2 cores; an approximate index is not worth its recall loss
at this size.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import faiss
import numpy as np

from qa.errors import IndexCorrupt


def new(dim: int) -> faiss.IndexIDMap2:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def load(path: Path) -> faiss.Index:
    try:
        return faiss.read_index(str(path))
    except RuntimeError as exc:
        from qa.store import index_flag

        raise IndexCorrupt(f"the vector file {path} is damaged or missing; repair with: "
                           f"qa index{index_flag(path.parent)}") from exc


def save(index: faiss.Index, path: Path) -> None:
    """Write atomically: to a temporary file, flushed to disk, then renamed into place."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        try:
            faiss.write_index(index, str(tmp))
        except RuntimeError as exc:  # faiss says only that fwrite failed: find out why
            needed = index.ntotal * (index.d * 4 + 8) + 2**20
            if shutil.disk_usage(path.parent).free < needed:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp)) from exc
            raise OSError(errno.EIO, f"cannot write the vector file ({str(exc).splitlines()[0]})", str(tmp)) from exc
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remove(index: faiss.Index, ids: list[int]) -> None:
    if ids:
        index.remove_ids(np.asarray(ids, dtype=np.int64))


def add(index: faiss.Index, ids: list[int], vectors: np.ndarray) -> None:
    if ids:
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))


def reconstruct(index: faiss.Index, ids: list[int]) -> np.ndarray:
    """The stored vectors of the given ids (to reuse them for unchanged passages)."""
    return np.vstack([index.reconstruct(int(i)) for i in ids]) if ids else np.zeros((0, index.d), np.float32)


def search(index: faiss.Index, query: np.ndarray, n: int,
           allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(ids, scores) of the n nearest vectors, best first; missing slots dropped. `allowed`
    (passage ids; None: all) restricts the search to those: faiss skips the others in its scan
    (an IDSelectorBitmap), so it costs at most the unfiltered scan."""
    total = int(index.ntotal)
    if total == 0 or (allowed is not None and allowed.size == 0):
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    wanted = min(n, total if allowed is None else int(allowed.size))
    if allowed is None:
        scores, ids = index.search(query, wanted)
    else:
        flags = np.zeros(int(allowed.max()) + 1, bool)
        flags[allowed] = True
        bits = np.packbits(flags, bitorder="little")  # kept alive until the search returns
        params = faiss.SearchParameters(sel=faiss.IDSelectorBitmap(bits.size, faiss.swig_ptr(bits)))
        scores, ids = index.search(query, wanted, params=params)
    keep = ids[0] >= 0
    return ids[0][keep], scores[0][keep]
