"""`qa index --check` for the engine: the collection's copy compared with the catalogue, each
difference named (the plain `qa index` that the check's remedy names publishes again)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qa.engines.milvus.collection import Collection
from qa.index import store

#: ids named per difference before the rest are counted
NAMED_IDS = 5


def _ids(ids: np.ndarray) -> str:
    shown = ", ".join(map(str, ids[:NAMED_IDS].tolist()))
    return shown + (f", ... ({ids.size} in all)" if ids.size > NAMED_IDS else "")


def compare(index_dir: Path, collection: Collection) -> list[str]:
    """What differs between the catalogue's committed generation and the engine's copy."""
    conn = store.connect(Path(index_dir))
    try:
        meta = store.read_meta(conn)
        if meta is None:
            return []
        catalogue = np.asarray(store.IndexStore(conn).passage_ids(), dtype=np.int64)
        published = collection.published()
        where = f"the engine {collection.engine} (collection {collection.name})"
        if not collection.exists():
            return [f"{where} has no copy of the index yet"]
        problems = []
        if published.generation != meta.generation:
            problems.append(f"{where} answers generation {published.generation}, the catalogue holds {meta.generation}")
        if published.model not in (None, meta.model):
            problems.append(f"{where} holds vectors of {published.model}, the catalogue {meta.model}")
        rows = collection.row_generations()
        visible = np.sort(np.fromiter((i for i, g in rows.items() if g <= published.generation), dtype=np.int64))
        stale = np.sort(np.fromiter((i for i, g in rows.items() if g > published.generation), dtype=np.int64))
        for ids, what in ((np.setdiff1d(catalogue, visible), "passages the engine lacks"),
                          (np.setdiff1d(visible, catalogue), "rows of passages the catalogue no longer holds"),
                          (stale, "rows an unfinished publish left")):
            if ids.size:
                problems.append(f"{where}: {ids.size} {what}: {_ids(ids)}")
        changed = _changed_texts(conn, collection, np.intersect1d(catalogue, visible))
        if changed.size:
            problems.append(f"{where}: {changed.size} passages whose text differs from the catalogue's: {_ids(changed)}")
        return problems
    finally:
        conn.close()


def _changed_texts(conn, collection: Collection, ids: np.ndarray) -> np.ndarray:
    step = collection.settings.id_batch
    changed: list[int] = []
    for start in range(0, ids.size, step):
        part = ids[start:start + step].tolist()
        mine = store.citation_rows(conn, part)
        changed += [int(row["id"]) for row in collection.rows(part, ["id", "text"])
                    if int(row["id"]) in mine and mine[int(row["id"])].text != row["text"]]
    return np.asarray(sorted(changed), dtype=np.int64)
