"""`qa index` repairs a damaged index from what is intact, before it syncs.

Found by qa/index/inspection.py's `inspect`; repaired as one new generation of one segment holding every
passage, committed like any other:

- vectors that are damaged (not numbers, not unit length, missing, a segment file unreadable) come
  from another current segment or the previous generation's files (a passage id always names the
  same text), from the vectors kept aside by an interrupted run, else are embedded again: only those;
- the term counts are rebuilt from the tokens stored with every passage;
- a document that lost passage rows, or whose passage text was changed in the database, is taken
  out (its rows, vectors and term rows), so the sync that follows reads its file again as new.

`repair` makes the repaired generation an `Edit` (qa/index/sync_records.py) and hands it to the
sync's own write and commit (qa/index/sync_commit.py's `write_and_commit`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.config import FORMAT_VERSION
from qa.index import store, vectors
from qa.index.bm25 import TermCounts
from qa.errors import IndexCorrupt, QAError
from qa.index.inspection import Inspection, inspect, quick_problem, valid_rows, vector_array
from qa.index.store import IndexMeta, IndexStore, StoredPassage
from qa.index.sync_commit import write_and_commit
from qa.index.sync_embed import embed_again
from qa.index.sync_records import Edit, SyncRequest
from qa.index.sync_scan import rebuild_reason


@dataclass(frozen=True)
class RepairDone:
    """What `repair` did: warnings saying what was repaired (none: nothing was), and how many
    passages it embedded again (counted in the sync's `embedded`)."""

    warnings: list[str] = field(default_factory=list)
    embedded: int = 0


def repair(db: IndexStore, request: SyncRequest) -> RepairDone:
    """Commit a repaired generation when the current one is damaged: the sync that follows starts
    from a whole index. Cheap when the index is as the last sync left it (inspection.quick_problem)."""
    meta = db.read_meta()
    if meta is None or request.rebuild:
        return RepairDone()
    try:
        if rebuild_reason(meta, request.model or meta.model, request):
            return RepairDone()  # everything is redone anyway
    except QAError:
        return RepairDone()  # a newer qa's index: the scan refuses it
    if quick_problem(db, request.index_dir, meta, request.indexing) is None:
        return RepairDone()  # as the last whole sync left it: the full inspection is `qa index --check`'s
    found = inspect(db, request.index_dir)
    if found.database_damaged:  # sqlite's own damage: the rows cannot be trusted, only a rebuild helps
        raise IndexCorrupt(f"{found.problems[0]}; rebuild with: {found.remedy}")
    if found.whole and not (found.vectors_damaged or found.terms_damaged):
        return RepairDone()
    repaired = repaired_parts(db, request.index_dir, meta, found,
                              lambda passages: embed_again(db, request, meta, passages))
    write_and_commit(db, request.index_dir, repaired_edit(db, request, meta, repaired), None)
    return RepairDone(repair_warnings(found, repaired), repaired.embedded)


def repaired_edit(db: IndexStore, request: SyncRequest, meta: IndexMeta, repaired: Repaired) -> Edit:
    """One segment of every passage kept, replacing every earlier one (the damaged files are not
    kept for readers); the damaged documents dropped; the vectors kept aside left for the sync."""
    index = None
    if repaired.keep.size:
        index = vectors.new(meta.dim)
        vectors.add(index, repaired.keep.tolist(), repaired.vectors)
        index = vectors.approximate(index, request.retrieval)
    new_meta = dataclasses.replace(meta, format_version=FORMAT_VERSION, generation=meta.generation + 1, record=None,
                                   segments=(), kept_files=(),
                                   next_passage_id=max(meta.next_passage_id, db.max_passage_id() + 1))
    return Edit(meta, new_meta, (), index, repaired.counts, dropped=tuple(repaired.dropped_documents),
                replaces_all=True, clears_pending=False)


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
