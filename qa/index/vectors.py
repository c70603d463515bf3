"""Dense vectors in faiss, saved in faiss's own file format (no pickle).

Vectors are normalized, so inner products are cosines. Every index is keyed by passage id, so
passages can be removed and added without touching the others, and `reconstruct(id)` gives a
stored vector back. Two kinds, chosen by size (RetrievalSettings.approximate_above):

- exact (IndexIDMap2 over IndexFlatIP): a scan of every vector, a few milliseconds at 100k;
- approximate (IndexIVFFlat with a hashtable from id to slot): the vectors sorted into
  lists_per_sqrt x sqrt(n) lists by k-means centroids; a question scans the `nprobe` lists whose
  centroids are nearest (at most `probe_share` of them). Vectors are stored whole (not quantised), so a reconstructed vector, and
  every score of a passage it returns, is the exact one. Its centroids are kept while passages are
  added and removed, and trained again only when the index has grown well past its lists.

Everything faiss-specific stays here: the rest of qa calls `search`, `approximate`, `add`,
`remove`, `reconstruct`, `StoredRows`, `stored_ids` and `contents`, on any index of either kind.
"""

from __future__ import annotations

import errno
import math
import os
import shutil
from pathlib import Path

import faiss
import numpy as np

from qa.errors import IndexCorrupt
from qa.settings import DEFAULT_SETTINGS, RetrievalSettings

#: k-means is trained on this many vectors a list (faiss asks for at least 39), drawn with TRAIN_SEED
TRAIN_PER_LIST = 64
TRAIN_SEED = 17
TRAIN_ITERATIONS = 10
#: vectors added to a new IVF index at a time (bounds the temporary copies)
ADD_CHUNK = 65_536
#: One question is searched on one OpenMP thread (this thread's setting only, put back after):
#: faiss splits a search over questions, so a single one gains nothing from more threads, and on
#: a busy machine their start and barrier cost far more than the scan (BENCHMARKS.md, "A million
#: passages": exact top 100 of 10k vectors, load 6: 56 ms on 2 threads, 0.35 ms on 1).


def new(dim: int) -> faiss.IndexIDMap2:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def load(path: Path) -> faiss.Index:
    try:
        return faiss.read_index(str(path))
    except RuntimeError as exc:
        from qa.index.store import index_flag

        raise IndexCorrupt(f"the vector file {path} is damaged or missing; repair with: "
                           f"qa index{index_flag(path.parent)}") from exc


def save(index: faiss.Index, path: Path) -> None:
    """Write atomically: to a temporary file, flushed to disk, then renamed into place."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.unlink(missing_ok=True)  # faiss's fopen follows a link: a link left there is removed, not written through
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
    if not ids:
        return np.zeros((0, index.d), np.float32)
    return index.reconstruct_batch(np.asarray(ids, dtype=np.int64))


class StoredRows:
    """The stored vectors of an index read by passage id, the same numbers as `reconstruct`: for an
    exact index taken from a view of its storage, found with a sorted copy of its ids (faiss's
    reconstruct_batch looks each id up in a hash map and copies it: ~0.1 ms of the ~60 BM25-only
    candidates a question scores by cosine); an approximate index (vectors in lists) reconstructs.
    The index must not change while this is used (a snapshot's segments never do)."""

    def __init__(self, index: faiss.Index) -> None:
        self.index = index  # kept alive with the view below
        self._data: np.ndarray | None = None
        if ivf_of(index) is None and index.ntotal:
            ids, self._data = _views(index)
            self._order = np.argsort(ids, kind="stable")
            self._ids = ids[self._order]

    def __call__(self, wanted: np.ndarray) -> np.ndarray:
        """One row per id of `wanted` (int64), in order; KeyError for an id the index lacks."""
        if self._data is None:
            return reconstruct(self.index, wanted.tolist())
        at = np.minimum(np.searchsorted(self._ids, wanted), self._ids.size - 1)
        missing = self._ids[at] != wanted
        if missing.any():
            raise KeyError(int(wanted[missing.argmax()]))
        return self._data[self._order[at]]  # a copy (rows taken by index)


# -- exact or approximate ---------------------------------------------------------------------

#: the first bytes of a saved exact index (faiss's code for IndexIDMap2); an IVF index starts otherwise
EXACT_FILE_CODE = b"IxM2"


def saved_exact(path: Path) -> bool:
    """Whether the vector file holds an exact index, from its first bytes (no vector read: a sync
    asks this of every segment, to rewrite one saved under another threshold)."""
    with open(path, "rb") as handle:
        return handle.read(len(EXACT_FILE_CODE)) == EXACT_FILE_CODE


def ivf_of(index: faiss.Index) -> faiss.IndexIVF | None:
    """The IVF index when `index` is approximate, else None."""
    return faiss.try_extract_index_ivf(index)


def lists_for(passages: int, settings: RetrievalSettings = DEFAULT_SETTINGS) -> int:
    """How many IVF lists an index of `passages` vectors gets: lists_per_sqrt x sqrt(n), and
    never fewer than TRAIN_PER_LIST vectors a list to train each centroid on."""
    wanted = round(settings.lists_per_sqrt * math.sqrt(passages))
    return max(1, min(wanted, passages // TRAIN_PER_LIST))


def approximate(index: faiss.Index, settings: RetrievalSettings = DEFAULT_SETTINGS) -> faiss.Index:
    """The index to save: an exact index below settings.approximate_above passages, an IVF index
    at or above it. An IVF index keeps its centroids until the index has grown to need
    retrain_growth x its lists (then it is trained again), and turns exact again only below half
    the threshold (so an index near the threshold does not switch back and forth)."""
    n = int(index.ntotal)
    ivf = ivf_of(index)
    if ivf is None:
        if n == 0 or n < settings.approximate_above:
            return index
        return _ivf_from(index, lists_for(n, settings))
    if n < settings.approximate_above // 2:
        return _flat_from(index)
    if lists_for(n, settings) >= settings.retrain_growth * ivf.nlist:
        return _ivf_from(index, lists_for(n, settings))
    return index


def _ivf_from(index: faiss.Index, lists: int) -> faiss.IndexIVFFlat:
    """A new IVF index holding `index`'s vectors, its centroids trained on a seeded sample."""
    ids, data = _views(index)
    rng = np.random.default_rng(TRAIN_SEED)
    sample = np.sort(rng.choice(len(ids), size=min(len(ids), lists * TRAIN_PER_LIST), replace=False))
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(index.d), index.d, lists, faiss.METRIC_INNER_PRODUCT)
    ivf.cp.niter = TRAIN_ITERATIONS
    ivf.cp.seed = TRAIN_SEED
    ivf.cp.spherical = True  # cosine centroids
    ivf.cp.min_points_per_centroid = 1  # lists_for already keeps TRAIN_PER_LIST a list (no faiss warning)
    ivf.train(np.ascontiguousarray(data[sample]))
    ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # reconstruct(id) and remove_ids in place
    for start in range(0, len(ids), ADD_CHUNK):
        ivf.add_with_ids(np.ascontiguousarray(data[start:start + ADD_CHUNK]), ids[start:start + ADD_CHUNK])
    return ivf


def _flat_from(index: faiss.Index) -> faiss.IndexIDMap2:
    ids, data = contents(index)
    flat = new(index.d)
    add(flat, ids.tolist(), data)
    return flat


def _views(index: faiss.Index) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) of an index; for an exact index the vectors are a view of its storage (no
    copy of the whole matrix), for an IVF index a copy."""
    if ivf_of(index) is not None:
        return contents(index)
    flat = faiss.downcast_index(index.index)
    data = faiss.rev_swig_ptr(flat.get_xb(), index.ntotal * index.d).reshape(-1, index.d)
    return faiss.vector_to_array(index.id_map).astype(np.int64), data


def _lists(ivf: faiss.IndexIVF):
    """Per non-empty IVF list: its ids and its vectors (views into faiss's memory)."""
    invlists = ivf.invlists
    for number in range(ivf.nlist):
        size = invlists.list_size(number)
        if size:
            ids = faiss.rev_swig_ptr(invlists.get_ids(number), size)
            codes = faiss.rev_swig_ptr(invlists.get_codes(number), size * invlists.code_size)
            yield ids, codes.view(np.float32).reshape(size, ivf.d)


def stored_ids(index: faiss.Index) -> np.ndarray:
    """The passage ids an index holds, in its storage order (a copy; no vector is copied)."""
    ivf = ivf_of(index)
    if ivf is None:
        return faiss.vector_to_array(index.id_map).astype(np.int64)
    parts = [ids.copy() for ids, _ in _lists(ivf)]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


def all_finite(index: faiss.Index) -> bool:
    """True when every stored vector is made of numbers, checked part by part (no copy of the
    whole matrix: at a million passages that would be 1.5 GB)."""
    ivf = ivf_of(index)
    if ivf is None:
        flat = faiss.downcast_index(index.index)
        data = faiss.rev_swig_ptr(flat.get_xb(), index.ntotal * index.d)
        return all(np.isfinite(data[i:i + ADD_CHUNK * index.d]).all() for i in range(0, data.size, ADD_CHUNK * index.d))
    return all(np.isfinite(vecs).all() for _, vecs in _lists(ivf))


def contents(index: faiss.Index) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) held by an index, in its storage order (copies)."""
    ivf = ivf_of(index)
    if ivf is None:
        ids, data = _views(index)
        return ids, data.copy()
    parts = [(ids.copy(), vecs.copy()) for ids, vecs in _lists(ivf)]
    if not parts:
        return np.zeros(0, np.int64), np.zeros((0, index.d), np.float32)
    return np.concatenate([p[0] for p in parts]).astype(np.int64), np.vstack([p[1] for p in parts])


# -- search -----------------------------------------------------------------------------------

def search(index: faiss.Index, query: np.ndarray, n: int, allowed: np.ndarray | None = None,
           settings: RetrievalSettings = DEFAULT_SETTINGS) -> tuple[np.ndarray, np.ndarray]:
    """(ids, scores) of the n nearest vectors, best first; missing slots dropped. `allowed`
    (passage ids; None: all) restricts the search to those: faiss skips the others in its scan
    (an IDSelectorBitmap), so the cost is at most the unfiltered scan's. An IVF index searches
    settings.nprobe lists, more under a filter (nprobe / the share allowed, up to all of them), so
    about as many allowed vectors are compared as without one; never more than settings.probe_share
    of its lists unfiltered (a small index's few lists)."""
    total = int(index.ntotal)
    if total == 0 or (allowed is not None and allowed.size == 0):
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    ivf = ivf_of(index)
    bits = None
    selector = None
    if allowed is not None:
        flags = np.zeros(int(allowed.max()) + 1, bool)
        flags[allowed] = True
        bits = np.packbits(flags, bitorder="little")  # kept alive (here) until the search returns
        selector = faiss.IDSelectorBitmap(bits.size, faiss.swig_ptr(bits))
    if ivf is None:
        params = faiss.SearchParameters(sel=selector) if selector is not None else None
    else:
        share = 1.0 if allowed is None else allowed.size / total
        probes = min(settings.nprobe, math.ceil(settings.probe_share * ivf.nlist))
        nprobe = min(ivf.nlist, math.ceil(probes / max(share, 1e-9)))
        params = faiss.SearchParametersIVF(sel=selector, nprobe=nprobe) if selector is not None \
            else faiss.SearchParametersIVF(nprobe=nprobe)
    wanted = min(n, total if allowed is None else int(allowed.size))
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)  # see SEARCH_THREADS
    try:
        scores, found = index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), wanted,
                                     params=params)
    finally:
        faiss.omp_set_num_threads(threads)
    del bits
    keep = found[0] >= 0
    return found[0][keep], scores[0][keep]
