"""The user's library: the sources an index syncs, their state, and taking them (or one file or
folder of them) out of the index. Used by `qa sources`, `qa remove` and the UI's Sources view.

`qa remove` is the only way documents of an unavailable source (an unmounted drive, a renamed
folder) leave the index: a sync never drops them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qa.ingest import sources as source_scan
from qa.errors import QAError
from qa.index.store import IndexStore

OK = "ok"
STATES = (OK, source_scan.MISSING, source_scan.UNREADABLE, source_scan.EMPTY)


@dataclass(frozen=True)
class SourceInfo:
    """One source of the index: what it holds in the index and whether it can be read now."""

    path: str  # as recorded (absolute, links resolved)
    documents: int
    passages: int
    state: str  # ok, missing, unreadable or empty

    def as_json(self) -> dict[str, object]:
        return {"path": source_scan.printable(self.path), "documents": self.documents,
                "passages": self.passages, "state": self.state}


@dataclass(frozen=True)
class Removal:
    """What `remove` took out of the index."""

    path: str
    kind: str  # "source", "folder" (inside a source) or "file"
    documents: int
    passages: int

    def as_json(self) -> dict[str, object]:
        return {"removed": source_scan.printable(self.path), "kind": self.kind,
                "documents": self.documents, "passages": self.passages}

    def summary(self) -> str:
        from qa.wording import count

        return (f"removed {self.kind} {source_scan.printable(self.path)}: {count(self.documents, 'document')}, "
                f"{count(self.passages, 'passage')}")


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def source_state(path: str) -> str:
    """ok, missing, unreadable or empty, from one look at the source (not a walk)."""
    if not os.path.lexists(path):
        return source_scan.MISSING
    if os.path.isdir(path):
        try:
            with os.scandir(path) as entries:
                holds = any(not e.name.startswith(".") for e in entries)
        except OSError:
            return source_scan.UNREADABLE
        return OK if holds else source_scan.EMPTY
    return OK if os.access(path, os.R_OK) else source_scan.UNREADABLE


def list_sources(index_dir: Path) -> list[SourceInfo]:
    """Every source with its documents, passages and state, by path (IndexMissing without an index)."""
    with IndexStore.open(Path(index_dir)) as db:
        sources = db.sources()
        docs = db.document_passages()
    held: dict[str, list[int]] = {source: [] for source in sources}
    for _, path, passages in docs:
        holders = [s for s in sources if _under(path, os.path.realpath(s)) or _under(path, s)]
        if holders:  # a document is counted once, under the deepest source holding it
            held[max(holders, key=len)].append(passages)
    return [SourceInfo(s, len(held[s]), sum(held[s]), source_state(s)) for s in sources]


def _refuse_above_sources(path: str | os.PathLike[str], target: str, below: list[str]) -> None:
    """A folder above sources is not a path the index holds: its removal could not be kept (the
    sources under it would come back at the next sync), so it is refused, naming them."""
    if not below:
        return
    shown = ", ".join(source_scan.printable(s) for s in below[:3]) + (f" and {len(below) - 3} more" if len(below) > 3 else "")
    many = len(below) > 1
    raise QAError(f"{source_scan.printable(str(path))} is not a source: it is a folder above the "
                  f"source{'s' if many else ''} {shown}; remove {'each' if many else 'it'} "
                  f"with: qa remove {source_scan.printable(below[0])}")


@dataclass(frozen=True)
class RemovalPlan:
    """What removing a path would do: the Removal to report, and the changes that make it."""

    removal: Removal
    document_ids: list[int]
    forget: list[str]  # recorded sources to drop
    exclude: list[str]  # a file or folder inside a source, to keep out of later syncs


def plan_removal(index_dir: Path, path: str | os.PathLike[str]) -> RemovalPlan:
    """What `remove` would take out, changing nothing (the UI's confirmation names these counts).
    A source's documents that another source also holds stay. QAError for a path not held."""
    target = source_scan.absolute(path)
    with IndexStore.open(Path(index_dir)) as db:
        recorded = db.sources()
        docs = db.document_passages()
    forget = [s for s in recorded if s == target or os.path.realpath(s) == target]
    remaining = [os.path.realpath(s) for s in recorded if s not in forget]
    if not forget:
        _refuse_above_sources(path, target, [s for s in remaining if _under(s, target)])
    held = [(i, p, n) for i, p, n in docs if _under(p, target)]
    if forget:
        kind = "source"
        held = [(i, p, n) for i, p, n in held if not any(_under(p, r) for r in remaining)]
    elif held:
        kind = "file" if held[0][1] == target else "folder"
    else:
        raise QAError(f"{source_scan.printable(str(path))} is not indexed: it is not a source and holds no "
                      "indexed document (qa sources lists the sources, qa docs the documents)")
    exclude = [target] if not forget and any(_under(target, r) for r in remaining) else []
    removal = Removal(forget[0] if forget else target, kind, len(held), sum(n for _, _, n in held))
    return RemovalPlan(removal, [i for i, _, _ in held], forget, exclude)


def remove(index_dir: Path, path: str | os.PathLike[str],
           on_message: Callable[[str], None] | None = None) -> Removal:
    """Take a source, or one file or folder of a source, out of the index with its documents.
    A file or folder still inside a source is remembered as removed, so syncs do not bring it
    back (`qa index PATH` does). A path the index does not hold is a QAError."""
    plan = plan_removal(index_dir, path)
    remove_documents(Path(index_dir), plan.document_ids, forget_sources=plan.forget, exclude=plan.exclude,
                     under=source_scan.absolute(path), on_message=on_message)
    return plan.removal


def remove_documents(index_dir: Path, doc_ids: list[int], *, forget_sources: list[str] = (),
                     exclude: list[str] = (), under: str = "", on_message: Callable[[str], None] | None = None) -> None:
    """Drop documents (their passages, vectors and term counts) in a new generation, forgetting
    sources and excluding paths in the same transaction; nothing is read or embedded. Skipped
    and excluded entries `under` the path go too. A removal is a sync whose scan found only
    documents to remove: it goes through the sync's embed (nothing to embed), write and commit."""
    import time

    from qa.index import ownership, store
    from qa.index.inspection import mark_whole
    from qa.index.lock import require_writable, write_lock
    from qa.index.sync_commit import commit, merge
    from qa.index.sync_records import Records, Written
    from qa.index.write_errors import write_errors

    require_writable(index_dir)
    ownership.claim(index_dir)  # an index made before the marker is marked by its next writer
    with write_lock(index_dir, on_wait=on_message), IndexStore.open(index_dir) as db, write_errors(index_dir):
        meta = db.read_meta()

        def forget() -> None:
            if forget_sources:
                db.remove_sources(list(forget_sources))
                db.include([under])  # what was excluded inside it goes with it
            db.exclude(list(exclude), time.time())

        skipped = {p: r for p, r in db.skipped_files().items() if not _under(p, under)}
        held = {p: h for p, h in db.held_skips().items() if p in skipped}
        if exclude:
            skipped.update({source_scan.printable(p): "removed with qa remove (qa index PATH adds it back)" for p in exclude})
        if meta is None or not doc_ids:
            commit(db, Written(meta, None, None, Records(skipped=skipped, held=held, also=forget)))
            return
        store.check_format(meta, index_dir)
        _write_removal(db, index_dir, meta, doc_ids, Records(skipped=skipped, held=held, also=forget))
        merge(db, index_dir)
        mark_whole(index_dir, db.read_meta())


def _write_removal(db: IndexStore, index_dir: Path, meta, doc_ids: list[int], records) -> None:
    """The removal's plan (a scan with only documents to remove) through the sync's stages."""
    import dataclasses
    import time

    from qa.config import ChunkSettings
    from qa.index.sync_commit import commit_written, drop_uncommitted, next_generation
    from qa.index.sync_embed import embed
    from qa.index.sync_read import read_of
    from qa.index.sync_records import Analysed, Scanned, SyncRequest
    from qa.index.sync_write import write

    request = SyncRequest(index_dir, [], meta.model, False, ChunkSettings(**meta.chunking), dict(meta.bm25),
                          None, lambda *_: None, time.monotonic())
    scanned = Scanned(meta, meta.model, False, tuple(db.documents()), (), remove=tuple(doc_ids),
                      skipped=records.skipped, held=records.held)
    try:
        written = write(db, request, embed(db, request, Analysed(read_of(scanned, []), ())))
    except BaseException:
        drop_uncommitted(db, index_dir, next_generation(meta))
        raise
    commit_written(db, index_dir, dataclasses.replace(written, records=records))
