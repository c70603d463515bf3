"""`qa index --watch`: sync the index whenever its sources change (watchfiles, debounced).

The model is loaded once, at the first sync that has something to embed, and kept for the next
ones. Folders that are away (unmounted, renamed) are not watched, and their documents are kept;
every few seconds the sources are looked at again, so a folder that comes back (or a drive
mounted on an empty folder) is watched and synced. A batch of changes syncs only the paths it
names (the full sync falls back on anything unusual); every FULL_SYNC_MS a full sync runs.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qa.config import DEFAULT_MODEL
from qa.embedding.encoder import SpanEncoder
from qa.errors import IndexMissing, QAError

#: changes are gathered until none came for STEP_MS (at most DEBOUNCE_MS), then one sync runs
STEP_MS = 300
DEBOUNCE_MS = 2000
#: how often the sources are looked at again for a folder that went away or came back
RECHECK_MS = 3000
#: a change syncs only the paths the watcher reported (qa/index/sync_scan.py); a full sync
#: runs this often anyway, so a change whose event was lost is not missed for long
FULL_SYNC_MS = 300_000


class LazyEmbedder:
    """The passage encoder (qa/embedding/embedder.py passage_encoder, as every path that embeds passages:
    the model's ONNX export when it can be made), loaded at its first use and kept (watch syncs
    many times)."""

    def __init__(self, model: str) -> None:
        self.model_name = model
        self._inner = None
        self._lock = threading.Lock()

    def _model(self):
        with self._lock:
            if self._inner is None:
                from qa.embedding.embedder import passage_encoder

                self._inner = passage_encoder(self.model_name)
            return self._inner

    def preload(self) -> None:
        """Load the model in the background, so the first change does not wait for it."""
        def load() -> None:
            try:
                self._model()
            except Exception:  # noqa: BLE001 - the sync that needs it reports the failure
                pass

        threading.Thread(target=load, name="qa-watch-model", daemon=True).start()

    @property
    def dim(self) -> int:
        return self._model().dim

    def encode(self, texts, batch_size=64, on_batch=None):
        return self._model().encode(texts, batch_size=batch_size, on_batch=on_batch)

    def encode_spans(self, texts, spans, batch_size=64, on_batch=None):
        """The sentence vectors too, as a sync's own encoder gives them (without this a watch's
        sync made none, and the whole index lost them: the highlight fell back to the words)."""
        model = self._model()
        if isinstance(model, SpanEncoder):
            return model.encode_spans(texts, spans, batch_size=batch_size, on_batch=on_batch)
        return model.encode(texts, batch_size=batch_size, on_batch=on_batch), [None] * len(texts)


@dataclass
class WatchState:
    syncing: bool = False  # True while a sync runs (an interrupt then leaves the index as it was)
    syncs: int = 0


def _index_model(index_dir: Path, model: str | None) -> str:
    from qa.index.store import IndexStore

    if model:
        return model
    try:
        with IndexStore.open(index_dir) as db:
            meta = db.read_meta()
    except (IndexMissing, QAError):
        return DEFAULT_MODEL
    return meta.model if meta else DEFAULT_MODEL


def watch_targets(index_dir: Path) -> dict[str, tuple[int, int]]:
    """The folders to watch (each source folder, a source file's folder) that are there now,
    with their (device, inode): a drive mounted on a folder changes them."""
    from qa.index.changes import list_sources

    targets: dict[str, tuple[int, int]] = {}
    for source in list_sources(index_dir):
        folder = source if os.path.isdir(source) else os.path.dirname(source)
        try:
            info = os.stat(folder)
            with os.scandir(folder):
                pass
        except OSError:
            continue
        targets[folder] = (info.st_dev, info.st_ino)
    return targets


def _filter(index_dir: Path) -> Callable[[object, str], bool]:
    from watchfiles import DefaultFilter

    default = DefaultFilter()
    index_prefix = os.path.realpath(index_dir) + os.sep

    def keep(change: object, path: str) -> bool:
        if os.path.realpath(path).startswith(index_prefix) or os.path.basename(path).startswith("."):
            return False
        return default(change, path)

    return keep


def watch(index_dir: Path, paths: list[str], *, model: str | None, report: Callable[[object], None],
          warn: Callable[[str], None], state: WatchState, stop: threading.Event | None = None) -> None:
    """Sync now, then on every change of the sources until `stop` is set (or KeyboardInterrupt)."""
    from qa.engines.writers import open_writer

    writer = open_writer(index_dir)  # the engine the index records
    embedder = LazyEmbedder(_index_model(index_dir, model))
    stop = stop or threading.Event()

    last_full = time.monotonic()

    def run_sync(add: list[str], only: list[str] | None = None) -> None:
        nonlocal last_full
        state.syncing = True
        if only is None:
            last_full = time.monotonic()
        try:
            report(writer.sync(add, model=model, embedder=embedder, on_message=warn, only=only))
        except QAError as exc:  # e.g. another writer holds the index too long: try on the next change
            if not state.syncs:
                raise
            warn(f"sync failed: {exc}")
        finally:
            state.syncing = False
            state.syncs += 1

    run_sync(paths)
    embedder.preload()
    while not stop.is_set():
        targets = watch_targets(index_dir)
        if not targets:
            stop.wait(RECHECK_MS / 1000)
            if watch_targets(index_dir):
                run_sync([])
            continue
        try:
            _watch_batches(index_dir, targets, stop, run_sync, lambda: last_full)
        except RuntimeError as exc:  # watchfiles' WatchfilesRustInternalError ends its watcher
            if "decode path" not in str(exc):
                raise
            run_sync([])  # a name that is not UTF-8: the full sync reports it; then watch again


def _watch_batches(index_dir: Path, targets: dict[str, tuple[int, int]], stop: threading.Event,
                   run_sync: Callable[..., None], last_full: Callable[[], float]) -> None:
    """Sync each batch of changes under `targets` until they change or `stop` is set."""
    from watchfiles import watch as watch_changes

    from qa.index.changes import pending_changes

    first_tick = True
    for changes in watch_changes(*targets, watch_filter=_filter(index_dir), debounce=DEBOUNCE_MS, step=STEP_MS,
                                 stop_event=stop, rust_timeout=RECHECK_MS, yield_on_timeout=True):
        if changes:
            run_sync([], sorted({path for _, path in changes}))
        elif time.monotonic() - last_full() > FULL_SYNC_MS / 1000:  # an event lost is not missed for long
            run_sync([])
        elif watch_targets(index_dir) != targets:  # a folder went away or came back
            run_sync([])
            break
        elif first_tick and pending_changes(index_dir):  # changed while the watcher was starting
            run_sync([])
        first_tick = False
