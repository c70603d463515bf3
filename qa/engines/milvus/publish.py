"""Publish: bring the Milvus collection to the catalogue's committed generation, by passage id.

The local sync has already read, hashed and embedded what changed (qa/index/indexer.py); the
publish copies the difference: rows of passages the collection lacks are inserted tagged with the
new generation, then the collection's qa.generation property is switched to it, then rows of
passages the catalogue no longer holds are deleted. Readers search only rows of generation <=
qa.generation and drop ids their catalogue does not hold, so a publish killed in any phase leaves
them answering one generation: before the switch the old one (the new rows are invisible), after it
the new one (the rows left to delete are not in the catalogue). The next publish first deletes
rows a killed one inserted above qa.generation, then diffs again. When the mean passage length
has moved more than MilvusSettings.reweigh_drift since the kept rows were weighed, they are
upserted with today's BM25 weights (same generation, same vectors: nothing re-embedded).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.engines.milvus.collection import FUNCTION_TEXT, Collection
from qa.engines.milvus.rows import passage_weights, row_of
from qa.index import store
from qa.index.lock import write_lock
from qa.retrieval.snapshot import IndexSnapshot


@dataclass
class PublishReport:
    generation: int
    inserted: int = 0
    deleted: int = 0
    cleaned: int = 0  # rows a killed publish had inserted, removed first
    reweighed: int = 0  # rows whose BM25 weights were made again (the mean passage length moved)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"published generation {self.generation} to the engine: {self.inserted} passages added, "
                f"{self.deleted} removed ({self.seconds:.1f} s)")


def pause(phase: str) -> None:
    """Test hook, as the sync's (QA_TEST_PAUSE_AT=<phase>): publish-cleaned, publish-inserting (a
    first batch inserted), publish-switching (all inserted), publish-deleting (switched)."""
    if os.environ.get("QA_TEST_PAUSE_AT") == phase:
        print(f"qa: test pause at {phase}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("QA_TEST_PAUSE_SECONDS", "60")))


def publish(index_dir: Path, collection: Collection,
            on_progress: Callable[[str, int, int], None] | None = None) -> PublishReport:
    """Publish the catalogue's committed generation (under the index's write lock: no sync commits meanwhile)."""
    started = time.monotonic()
    with write_lock(Path(index_dir)):
        conn = store.connect(Path(index_dir))
        try:
            snapshot = IndexSnapshot.load(conn, Path(index_dir))
            report = _publish(conn, snapshot, collection, on_progress or (lambda *_: None))
        finally:
            conn.close()
    report.seconds = time.monotonic() - started
    return report


def _publish(conn, snapshot: IndexSnapshot, collection: Collection,
             on_progress: Callable[[str, int, int], None]) -> PublishReport:
    meta = snapshot.meta
    was = collection.published()
    report = PublishReport(meta.generation)
    if was.model is not None and was.model != meta.model:  # every vector changed: start the collection again
        collection.client.drop_collection(collection.name)
        report.notes.append(f"the model changed ({was.model} -> {meta.model}): the collection was rebuilt")
        was = collection.published()
    collection.create(meta.dim)
    collection.load()
    rows = collection.row_generations()
    stale = [pid for pid, gen in rows.items() if gen > was.generation]
    collection.delete(stale)
    report.cleaned = len(stale)
    pause("publish-cleaned")
    visible = np.fromiter((pid for pid, gen in rows.items() if gen <= was.generation), dtype=np.int64)
    add = np.setdiff1d(snapshot.passage_ids, visible)
    remove = np.setdiff1d(visible, snapshot.passage_ids)
    report.inserted = _insert(conn, snapshot, collection, add.tolist(), on_progress)
    collection.flush()
    pause("publish-switching")
    mean = snapshot.bm25.mean_length
    weighed = was.avgdl if was.avgdl and visible.size > remove.size else mean  # what the kept rows hold
    collection.publish(meta.generation, meta.model, weighed)
    pause("publish-deleting")
    collection.delete(remove.tolist())
    report.deleted = int(remove.size)
    if abs(mean / weighed - 1) > collection.settings.reweigh_drift:
        kept = np.intersect1d(visible, snapshot.passage_ids).tolist()
        report.reweighed = _insert(conn, snapshot, collection, kept, on_progress, {i: rows[i] for i in kept})
        collection.publish(meta.generation, meta.model, mean)
    collection.flush()
    return report


def _insert(conn, snapshot: IndexSnapshot, collection: Collection, ids: list[int],
            on_progress: Callable[[str, int, int], None], kept: dict[int, int] | None = None) -> int:
    """Insert the rows of these passages, tagged with the snapshot's generation, batch by batch;
    with `kept` (id -> the generation its row has), upsert them with their generation kept: the
    same rows, their BM25 weights made with today's mean passage length."""
    db = store.IndexStore(conn)
    k1, b = snapshot.bm25.k1, snapshot.bm25.b
    step = collection.settings.insert_batch
    function = collection.bm25_source() == "function"  # Milvus's BM25 function reads title and text
    done = 0
    for start in range(0, len(ids), step):
        part = ids[start:start + step]
        cites = store.citation_rows(conn, part)
        tokens = {row.id: row.tokens.split() for row in db.tokens_of(part)}
        rows = [row_of(cites[pid], kept[pid] if kept else snapshot.generation, snapshot.vectors.reconstruct(pid),
                       passage_weights(tokens.get(pid, []), k1, b, snapshot.bm25.mean_length))
                for pid in part if pid in cites]
        if function:
            for row in rows:
                row[FUNCTION_TEXT] = f"{row['cite']['title']}\n{row['text']}"
        (collection.upsert if kept else collection.insert)(rows)
        done += len(rows)
        on_progress("publishing", done, len(ids))
        pause("publish-inserting")
    return done
