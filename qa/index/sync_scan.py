"""The sync's first stage: scan the sources and compare them with the index (nothing read).

A file whose size, modification time, inode change time and inode match its row is unchanged and
not read; new and touched files are to read (only their content tells whether a touched file
changed); rows whose file is gone are removed, unless their folder is away (an unmounted drive:
its documents are kept, with a warning). A restricted sync (a watcher's batch) scans only the
paths it names when that can be judged from them alone.

An index whose web pages were read by another HTML reader (qa/ingest/webpage.py
HTML_READER_VERSION, recorded in the meta) reads them all again, unchanged files too: their text
is extracted anew, so every citation is exact against the file (passages whose text is the same
keep their vectors). The version is recorded by the full sync that read every one of them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

from qa.config import DEFAULT_MODEL, FORMAT_VERSION
from qa.errors import IndexTooOld, QAError
from qa.index import store
from qa.index.store import DocumentRow, IndexMeta, IndexStore, StatMove
from qa.index.sync_records import Scanned, SyncRequest, ToRead
from qa.ingest import sources as source_scan
from qa.ingest import webpage
from qa.ingest.documents import is_web_page
from qa.locations import default_source


def scan(db: IndexStore, request: SyncRequest) -> Scanned:
    """What the sources hold against the index (see module docstring)."""
    meta = db.read_meta()
    model = request.model or (meta.model if meta else DEFAULT_MODEL)
    reason = None if request.rebuild else rebuild_reason(meta, model, request)
    restricted = _restricted_scan(db, request, meta, model, reason)
    if restricted is not None:
        return restricted
    rebuild = request.rebuild or reason is not None
    found = source_scan.scan(_sources(db, request.new_sources), db.excluded())
    known = _adopt_real_paths(db, {d.path: d for d in db.documents()}, found)
    deleted, unavailable = found.sort_out(known)
    _refuse_rebuild_while_away(meta, rebuild, unavailable)
    warnings = ([reason] if reason else []) + [folder.warning() for folder in unavailable]
    stale = db.html_reader_version() != webpage.HTML_READER_VERSION
    return _compared(db, Scanned(meta, model, rebuild, tuple(known.values()), (),
                                 remove=tuple(known[p].id for p in deleted), skipped=dict(found.skipped),
                                 warnings=tuple(warnings), unavailable=tuple(unavailable),
                                 unread_news=frozenset(db.documents_without_news()),
                                 reread=_web_pages(known.values()) if stale else frozenset(),
                                 html_reader=webpage.HTML_READER_VERSION if stale else None), found.files, known)


def _restricted_scan(db: IndexStore, request: SyncRequest, meta: IndexMeta | None, model: str,
                     reason: str | None) -> Scanned | None:
    """The scan of a sync restricted to `request.only`, or None when the full sync must run:
    no restriction, a new index or new sources, a rebuild, a path the restricted scan cannot
    judge (source_scan.scan_within), or a document under the paths whose folder is away."""
    if request.only is None or meta is None or request.rebuild or reason or request.new_sources:
        return None
    sources = db.sources()
    found = source_scan.scan_within(list(request.only), sources, db.excluded()) if sources else None
    if found is None or any(not source_scan.inside(p, request.only) for p in found.files):
        return None  # e.g. a link to a file elsewhere in the sources: its row is not read here
    rows = db.documents_under(request.only)
    known = {d.path: d for d in rows}
    deleted, unavailable = found.sort_out(known)
    if unavailable:
        return None
    stale = db.html_reader_version() != webpage.HTML_READER_VERSION  # its pages read again, not recorded
    return _compared(db, Scanned(meta, model, False, tuple(rows), (), remove=tuple(known[p].id for p in deleted),
                                 skipped=dict(found.skipped), only=request.only,
                                 unread_news=frozenset(db.documents_without_news() & {d.id for d in rows}),
                                 reread=_web_pages(rows) if stale else frozenset()),
                     found.files, known)


def _web_pages(rows: Iterable[DocumentRow]) -> frozenset[int]:
    """The ids of the documents read as web pages (the HTML reader's), to read again."""
    return frozenset(d.id for d in rows if is_web_page(d.path))


def _compared(db: IndexStore, scanned: Scanned, files: dict[str, os.stat_result],
              known: dict[str, DocumentRow]) -> Scanned:
    """The scan with the files to read (new, changed, needing their news, or web pages of another
    HTML reader), those unchanged, and the skipped files over budget whose stat has not moved (not
    read again)."""
    held_before = db.held_skips()
    to_read = [p for p, st in files.items() if scanned.rebuild or p not in known
               or not source_scan.same_file(known[p], st)
               or known[p].id in scanned.unread_news or known[p].id in scanned.reread]
    reading = set(to_read)
    touched = tuple(stat_move(known[p].id, st) for p, st in files.items()
                    if p in known and p not in reading and known[p].inode is None)
    held = {p: held_before[p] for p in to_read if p not in known and p in held_before
            and source_scan.same_file(held_before[p], files[p])}
    skipped = {**scanned.skipped, **{p: h.reason for p, h in held.items()}}
    return Scanned(scanned.meta, scanned.model, scanned.rebuild, scanned.known,
                   tuple(ToRead(p, known.get(p)) for p in to_read if p not in held),
                   scanned.remove, len(files) - len(to_read), touched, skipped, held, scanned.warnings,
                   scanned.unavailable, scanned.unread_news, scanned.only, scanned.reread, scanned.html_reader)


def _adopt_real_paths(db: IndexStore, known: dict[str, DocumentRow],
                      found: source_scan.Scan) -> dict[str, DocumentRow]:
    """Documents an older qa recorded under an unresolved path (through a link) found under their
    real path: recorded under it now, not read or embedded again."""
    moves = []
    for path in [p for p in known if p not in found.files]:
        real = os.path.realpath(path)
        if real != path and real in found.files and real not in known:
            known[real] = known.pop(path)._replace(path=real)
            moves.append((known[real].id, real))
    if moves:
        with db.transaction():
            db.rename_documents(moves)
    return known


def _refuse_rebuild_while_away(meta: IndexMeta | None, rebuild: bool,
                               unavailable: list[source_scan.Unavailable]) -> None:
    """A rebuild would drop the documents of folders that are away, so it stops."""
    held = sum(u.documents for u in unavailable)
    if rebuild and held and meta is not None:
        names = ", ".join(source_scan.printable(u.path) for u in unavailable if u.documents)
        raise QAError(f"cannot rebuild the index while {names} is unavailable: its {held} documents would be "
                      "lost; reconnect it, or forget it with: qa remove PATH")


def stat_move(doc_id: int, info: os.stat_result) -> StatMove:
    return StatMove(doc_id, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def rebuild_reason(meta: IndexMeta | None, model: str, request: SyncRequest) -> str | None:
    """Why the index must be rebuilt (a warning), or None. An index from a newer qa is an
    IndexTooNew error: it is never overwritten unasked."""
    if meta is None:
        return None
    try:
        store.check_format(meta, request.index_dir)
    except IndexTooOld:
        return f"index format {meta.format_version} is not {FORMAT_VERSION}: rebuilding"
    if meta.model != model:
        return f"model changed from {meta.model} to {model}: rebuilding"
    if meta.chunking != request.settings.as_dict():
        return "chunking settings changed: rebuilding"
    return None


def _sources(db: IndexStore, new_sources: list[str]) -> list[str]:
    """The index's sources with the new ones, recorded at once so that a run cut short is
    completed by the next plain `qa index`."""
    sources = db.sources()
    if not sources and not new_sources:
        default = default_source()
        if default is None:
            raise QAError("nothing to index: name a file or folder, e.g. qa index ~/articles")
        new_sources = [source_scan.absolute(default)]
    named = list(dict.fromkeys(new_sources))
    # a file or folder inside a folder source is that source's: naming it lifts its exclusion
    # (qa remove) and adds no second source counting the same documents
    adding = [p for p in named if p not in sources and not source_scan.within_another(p, sources + named)]
    with db.transaction():
        db.add_sources(adding, time.time())
        db.include(named)  # named again: no longer excluded by an earlier qa remove
    return sources + adding
