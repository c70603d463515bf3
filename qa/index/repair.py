"""`qa index` repairs a damaged index from what is intact, before it syncs.

Found by qa/index/inspection.py's `inspect`; repaired as one new generation of one segment holding every
passage, committed like any other:

- vectors that are damaged (not numbers, not unit length, missing, a segment file unreadable) come
  from another current segment or the previous generation's files (a passage id always names the
  same text), from the vectors kept aside by an interrupted run, else are embedded again: only those;
- the term counts are rebuilt from the tokens stored with every passage;
- a document that lost passage rows, or whose passage text was changed in the database, is taken
  out (its rows, vectors and term rows), so the sync that follows reads its file again as new.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.index import store, vectors
from qa.index.bm25 import TermCounts
from qa.errors import IndexCorrupt
from qa.index.inspection import Inspection, valid_rows, vector_array
from qa.index.store import IndexMeta, IndexStore, StoredPassage


@dataclass
class Repaired:
    """The parts of a repaired generation: the passages kept, their sound vectors (in `keep`
    order), term counts rebuilt from the stored tokens, the documents taken out."""

    keep: np.ndarray
    vectors: np.ndarray
    counts: TermCounts
    dropped_documents: list[int]
    embedded: int


#: embed(passages) -> vector by passage id: vectors kept aside by an interrupted run, else embedded
#: now (the indexer's; how the model sees a passage is its business)
EmbedPassages = Callable[[list[StoredPassage]], tuple[dict[int, np.ndarray], int]]


def repaired_parts(db: IndexStore, index_dir: Path, meta: IndexMeta, found: Inspection,
                   embed: EmbedPassages) -> Repaired:
    """What the repaired generation holds (see module docstring)."""
    dropped = sorted(found.damaged_documents)
    keep = np.setdiff1d(np.asarray(db.passage_ids(), dtype=np.int64),
                        np.asarray(db.passage_ids_of(dropped), dtype=np.int64))
    have: dict[int, np.ndarray] = {}
    for path in _vector_files(db, index_dir, meta):  # the current segments, then the previous generation's
        for pid, vec in _sound_vectors(path, meta.dim).items():
            have.setdefault(pid, vec)
    missing = [int(i) for i in keep if int(i) not in have]
    embedded = 0
    if missing:
        again, embedded = embed(db.passages_by_id(missing))
        have.update(again)
    vecs = np.vstack([have[int(i)] for i in keep]).astype(np.float32) if keep.size else \
        np.zeros((0, meta.dim), np.float32)
    tokens = dict(db.passage_tokens())
    counts = TermCounts.build(keep.tolist(), [tokens[int(i)].split() for i in keep])
    return Repaired(keep, vecs, counts, dropped, embedded)


def repair_warnings(found: Inspection, repaired: Repaired) -> list[str]:
    """What `qa index` says it repaired."""
    warnings = [f"repaired: {problem}" for problem in found.problems] or ["repaired the vector and term files"]
    if repaired.embedded:
        warnings.append(f"embedded {repaired.embedded} passages again")
    if found.damaged_documents:
        warnings.append(f"read again: {', '.join(sorted(found.damaged_documents.values()))}")
    return warnings


def _vector_files(db: IndexStore, index_dir: Path, meta: IndexMeta) -> list[Path]:
    """The vector files whose passage ids name the current passages' texts: the current segments'
    and the previous committed generation's (ids are never reused, so the same id, the same text)."""
    from qa.index.segments import current_segments

    files = [s.vector_file(index_dir) for s in current_segments(db, meta)]
    if meta.segments is None:  # an index written before segments: its previous generation's file
        files.append(index_dir / store.vector_file_name(meta.generation - 1))
    files += [index_dir / name for name in meta.kept_files if name.endswith(".faiss")]
    return list(dict.fromkeys(files))


def _sound_vectors(path: Path, dim: int) -> dict[int, np.ndarray]:
    """The finite unit vectors of a vector file, by passage id ({} if unreadable)."""
    if not path.exists():
        return {}
    try:
        index = vectors.load(path)
    except IndexCorrupt:
        return {}
    if index.d != dim:
        return {}
    ids, data = vector_array(index)
    good = valid_rows(data)
    unique, counts = np.unique(ids, return_counts=True)
    good &= np.isin(ids, unique[counts == 1])
    return {int(i): v for i, v in zip(ids[good], data[good])}
