"""The Textual app: starts at once, loads the index and the model in the background, watches the
sources for changes and reindexes them on request while the chat keeps working."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.worker import get_current_worker

from qa.changes import pending_changes
from qa.config import DEFAULT_SOURCE
from qa.errors import QAError
from qa.ui.commands import QACommands
from qa.ui.engine import EmbedderFactory, Engine, load_embedder
from qa.ui.screens import AddSourceScreen, ChatScreen, DocumentsScreen, HelpScreen
from qa.ui.widgets import ReindexBar, StatusLine

#: seconds between two looks at the sources for new or changed files
POLL_SECONDS = 3.0


class QAApp(App[None]):
    """Ask questions of the indexed articles; answers are cited passages."""

    CSS_PATH = "qa.tcss"
    TITLE = "qa"
    SUB_TITLE = "ask your news articles"
    COMMANDS = App.COMMANDS | {QACommands}
    BINDINGS = [
        Binding("f1", "help", "Help", tooltip="This help (also ? when not typing)"),
        Binding("question_mark", "help", "Help", show=False, tooltip="This help, when the question box is not focused"),
        Binding("ctrl+r", "reindex", "Reindex", tooltip="Sync the index with its sources (new, changed, removed files)"),
        Binding("ctrl+o", "add_source", "Add files", tooltip="Add a file or folder of articles to the sources and index it"),
        Binding("f2", "documents", "Docs", tooltip="The indexed articles and their passage counts"),
        Binding("ctrl+q", "quit", "Quit", show=False, tooltip="Quit"),
    ]

    def __init__(self, index_dir: Path | str, *, embedder_factory: EmbedderFactory = load_embedder,
                 poll_seconds: float | None = POLL_SECONDS) -> None:
        super().__init__()
        self.index_dir = Path(index_dir)
        self.engine = Engine(self.index_dir, embedder_factory)
        self.poll_seconds = poll_seconds
        self.chat = ChatScreen()
        self.reindexing = False
        self.has_index = False
        self._threads: list[threading.Thread] = []

    # -- background threads ---------------------------------------------------------------
    # Loading the index or the model and reindexing run on daemon threads rather than Textual
    # thread workers: quitting must not wait for them (a reindex cut short leaves the index as
    # it was, by design). Short jobs (a search, the documents list) are Textual workers.
    def in_background(self, fn: Callable[..., None], *args: Any) -> threading.Thread:
        thread = threading.Thread(target=fn, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()
        return thread

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        """call_from_thread, unless the app has closed meanwhile."""
        try:
            self.call_from_thread(fn, *args)
        except RuntimeError:
            pass

    @property
    def busy(self) -> bool:
        """True while a background thread runs (tests wait on it)."""
        self._threads = [t for t in self._threads if t.is_alive()]
        return bool(self._threads)

    def get_default_screen(self) -> ChatScreen:
        return self.chat

    @property
    def status(self) -> StatusLine:
        return self.chat.query_one(StatusLine)

    def on_ready(self) -> None:
        # after the first paint: the screen shows before anything heavy starts
        self.status.mode = "loading index…"
        self._index_thread = self.in_background(self.load_index)
        self.in_background(self.load_model)
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self.poll_sources)

    def on_unmount(self) -> None:
        self.engine.close()

    # -- loading -------------------------------------------------------------------------
    def load_index(self) -> None:
        try:
            documents, passages = self.engine.open()
        except QAError as exc:
            self.post(self.index_problem, str(exc))
            return
        self.post(self._index_loaded, documents, passages, True)

    def _index_loaded(self, documents: int, passages: int, first: bool) -> None:
        self.has_index = True
        self.status.stats = f"{documents} articles, {passages} passages"
        self._show_mode()
        if first and not self.chat.turns:
            self.chat.say(f"{documents} articles indexed. Type a question below and press Enter; "
                          "answers are passages of the articles, cited. F1 lists the keys.")

    def index_problem(self, message: str) -> None:
        """No usable index: say so and offer the reindex."""
        self.has_index = False
        self.status.stats = "no index"
        self._show_mode()
        self.chat.say(f"{message}\nPress Ctrl+R to index {DEFAULT_SOURCE}/ (the default source, when there "
                      "are none yet), or Ctrl+O to add a folder of articles.", "error")

    def load_model(self) -> None:
        self.engine.load_model()
        self.post(self._model_loaded)

    def _model_loaded(self) -> None:
        self._show_mode()
        if self.engine.model_error:
            self.notify(f"Keyword search only: {self.engine.model_error}", title="Model not loaded",
                        severity="warning", timeout=10, markup=False)

    def _show_mode(self) -> None:
        status = self.status
        if not self.engine.model_done.is_set():
            status.mode, status.mode_kind = "◌ loading model…", "info"
        elif self.engine.model_ready:
            status.mode, status.mode_kind = "● hybrid", "ok"
        else:
            status.mode, status.mode_kind = "▲ keyword search only (model not loaded)", "warn"

    # -- watching the sources -----------------------------------------------------------------
    def poll_sources(self) -> None:
        if not self.reindexing and not self._index_thread.is_alive():
            self.check_sources()

    @work(thread=True, exclusive=True, group="poll")
    def check_sources(self) -> None:
        """Files changed in the sources? And did another process (qa index) change the index?"""
        try:
            if self.engine.on_disk_generation() != self.engine.generation:
                documents, passages = self.engine.open()
                self.post(self._index_loaded, documents, passages, not self.has_index)
            changes = pending_changes(self.index_dir)
        except (QAError, OSError):
            return
        if not get_current_worker().is_cancelled:
            counts = [(len(changes.added), "new"), (len(changes.changed), "changed"), (len(changes.removed), "removed")]
            what = ", ".join(f"{n} {label}" for n, label in counts if n)
            text = f"sources changed: {what} — Ctrl+R reindexes" if changes else ""
            self.post(setattr, self.status, "changes", text)

    # -- reindexing -------------------------------------------------------------------------
    def action_reindex(self, add_paths: list[str] | None = None) -> None:
        if self.reindexing:
            self.notify("A reindex is already running.", severity="warning")
            return
        self.reindexing = True
        self.chat.query_one(ReindexBar).show("waiting for the model" if not self.engine.model_done.is_set()
                                             else "starting", 0, 1)
        self.in_background(self.reindex, list(add_paths or []))

    def reindex(self, add_paths: list[str]) -> None:
        from qa.indexer import sync

        self.engine.model_done.wait()  # one model in memory, not two
        bar = self.chat.query_one(ReindexBar)

        def progress(phase: str, done: int, total: int) -> None:
            self.post(bar.show, phase, done, total)

        try:
            report = sync(self.index_dir, add_paths, embedder=self.engine.embedder, on_progress=progress,
                          on_message=lambda m: self.notify(m, markup=False))
            documents, passages = self.engine.open()
        except QAError as exc:
            self.post(self._reindex_failed, str(exc))
            return
        except Exception as exc:  # a bug must not leave the bar up; the old index is intact
            self.post(self._reindex_failed, f"unexpected error: {type(exc).__name__}: {exc}")
            return
        self.post(self._reindexed, report, documents, passages)

    def _reindexed(self, report: object, documents: int, passages: int) -> None:
        self.reindexing = False
        self.chat.query_one(ReindexBar).display = False
        self.status.changes = ""
        first = not self.has_index
        self._index_loaded(documents, passages, first)
        summary = report.summary()  # type: ignore[attr-defined]
        self.chat.say(f"Reindexed: {summary}", "done")
        for warning in report.warnings:  # type: ignore[attr-defined]
            self.chat.say(f"warning: {warning}", "error")
        self.notify(summary, title="Reindexed", markup=False)

    def _reindex_failed(self, message: str) -> None:
        self.reindexing = False
        self.chat.query_one(ReindexBar).display = False
        self.chat.say(f"Reindex failed: {message} (the index is as it was)", "error")
        self.notify(message, title="Reindex failed", severity="error", markup=False)

    # -- other screens ---------------------------------------------------------------------
    def action_add_source(self) -> None:
        def added(path: str | None) -> None:
            if path:
                self.action_reindex([path])

        self.push_screen(AddSourceScreen(), added)

    def action_documents(self) -> None:
        if not isinstance(self.screen, DocumentsScreen):
            self.push_screen(DocumentsScreen())

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def run(index_dir: Path | str) -> int:
    QAApp(index_dir).run()
    return 0
