"""The Textual app: starts at once, loads the index and the model in background workers, watches
the sources for changes and reindexes them on request while the chat keeps working.

Long work runs in Textual thread workers that post Messages (qa/ui/messages.py); the handlers
below are the only code that changes the screen. Quitting cancels the workers: a reindex stops at
its next progress step and leaves the index as it was."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.widgets import Input
from textual.worker import Worker, get_current_worker

from qa.config import DEFAULT_SOURCE
from qa.errors import QAError
from qa.render import count
from qa.ui.commands import QACommands
from qa.ui.engine import EmbedderFactory, Engine, IndexGone, IndexStats, load_embedder
from qa.ui.library import ConfirmScreen, SourcesScreen
from qa.ui.messages import (IndexLoaded, IndexProblem, ModelLoaded, Reindexed, ReindexFailed, ReindexNote,
                            ReindexProgress, SourcesChanged)
from qa.ui.screens import AddSourceScreen, ChatScreen, DocumentsScreen, HelpScreen, SourceScreen
from qa.ui.settings import UI
from qa.ui.widgets import HistoryInput, ReindexBar, StatusLine, short_path

#: seconds between two looks at the sources for new or changed files
POLL_SECONDS = UI.poll_seconds


class QAApp(App[None]):
    """Ask questions of the indexed articles; answers are cited passages."""

    CSS_PATH = "qa.tcss"
    TITLE = "qa"
    SUB_TITLE = "ask your news articles"
    COMMANDS = App.COMMANDS | {QACommands}
    # The keys that open a screen with a box to type in are priority bindings: the app acts on them
    # before the focused question box sees them, so letters typed right after F2 reach the new
    # screen's filter instead of the question box (a key that bubbles up from the box to the app
    # arrives after the keys typed behind it).
    BINDINGS = [
        Binding("f1", "help", "Help", tooltip="This help"),
        # priority: "Anywhere" in the help includes the help itself (a modal screen, which holds
        # back the app's other bindings: Ctrl+Q and Ctrl+R did nothing there)
        Binding("ctrl+r", "reindex", "Reindex", tooltip="Sync the index with its sources (new, changed, removed files)",
                priority=True),
        Binding("ctrl+o", "add_source", "Add", tooltip="Add a file or folder of articles to the sources and index it",
                priority=True),
        Binding("f2", "documents", "Docs", tooltip="The indexed articles and their passage counts", priority=True),
        Binding("f3", "sources", "Sources", tooltip="The sources with their state; remove one (Delete, then y)",
                priority=True),
        Binding("ctrl+q", "quit", "Quit", show=False, tooltip="Quit", priority=True),
    ]

    def __init__(self, index_dir: Path | str, *, embedder_factory: EmbedderFactory = load_embedder,
                 poll_seconds: float | None = POLL_SECONDS, watch_terminal: bool = False) -> None:
        super().__init__()
        self.watch_terminal = watch_terminal  # end when the terminal hangs up (run() turns it on)
        self.index_dir = Path(index_dir)
        self.engine = Engine(self.index_dir, embedder_factory)
        self.poll_seconds = poll_seconds
        self.chat = ChatScreen(self.engine)
        self.reindexing = False
        self.has_index = False
        self._gone = False  # the index the app had open is away (said once; "back" when it returns)
        self.auto_sync = UI.auto_sync
        self._auto_synced: frozenset[str] | None = None  # the changes the last automatic sync was for
        self._away: tuple[str, ...] = ()  # the warning lines of the source folders away, as last told
        self._seen: frozenset[str] = frozenset()  # the files seen changed (a sync names those it skipped)
        self._shown: dict[tuple[str, str, str], float] = {}  # each notification: until when it shows
        self._index_worker: Worker[None] | None = None

    @property
    def busy(self) -> bool:
        """True while a worker runs (tests wait on it)."""
        return any(not worker.is_finished for worker in self.workers)

    def get_default_screen(self) -> ChatScreen:
        return self.chat

    @property
    def status(self) -> StatusLine:
        return self.chat.query_one(StatusLine)

    def on_ready(self) -> None:
        # after the first paint: the screen shows before anything heavy starts
        self.status.mode = "loading index…"
        self.status.index = short_path(str(self.index_dir))
        self._index_worker = self.load_index()
        self.load_model()
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self.poll_sources)

    def on_mount(self) -> None:
        if self.watch_terminal:
            from qa.ui.hangup import HangupWatch

            loop = asyncio.get_running_loop()
            self._hangup = HangupWatch(lambda: loop.call_soon_threadsafe(self.exit),
                                       interval=UI.hangup_check_seconds, grace=UI.hangup_grace_seconds)
            self._hangup.start()

    def on_unmount(self) -> None:
        self.engine.close()

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Textual's notify, but a notification already on screen is not shown again: a held key
        (Ctrl+R during a reindex, Ctrl+Y) stacked 30 toasts, and past a screenful some stayed
        drawn after they expired, until the terminal was resized."""
        now, key = time.monotonic(), (str(message), title, str(severity))
        if self._shown.get(key, 0.0) > now:
            return
        self._shown = {k: until for k, until in self._shown.items() if until > now}
        self._shown[key] = now + (self.NOTIFICATION_TIMEOUT if timeout is None else timeout)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # -- typing is never lost ------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        # Here, before Textual forwards a key to the focused widget: the app sees keys one by one
        # in the order typed, so moving the focus now sends the next key to the right place.
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            if self._route_typing(event) or (isinstance(event, events.Key) and await self._box_key_now(event)):
                return
        await super().on_event(event)

    async def _box_key_now(self, event: events.Key) -> bool:
        """A key for the question box, handled here and now, in the order typed. Forwarded, it would
        be queued to the box, which inserts letters at once but leaves Enter, Tab and the arrows to
        the bindings, checked when the key comes back to the app: in a burst of keys ("q1" Enter
        "q2", read together from a fast typist or while the app was busy) q2 went in before q1
        was asked, and "q1q2" was asked as one question."""
        box = self.chat.focused if self.screen is self.chat else None
        if not isinstance(box, HistoryInput):
            return False
        self.app_focus = True
        if await self._check_bindings(event.key, priority=True):
            return True
        if event.is_printable and event.character:
            box.insert_bounded(event.character)
            return True
        if self.chat.takes_key(event.key):  # Ctrl+N after a question: in turn with its Submitted
            self.chat.post_message(events.Key(event.key, event.character))
            return True
        return await box.handle_key(event) or await self._check_bindings(event.key)

    def _route_typing(self, event: events.Key | events.Paste) -> bool:
        """A printable key or a paste on a card, in the article view or anywhere but a text box
        goes into the question box (from the documents list: into its filter). True if taken."""
        if isinstance(event, events.Key):
            if not event.is_printable or not event.character:
                return False
            text = event.character
        else:
            text = " ".join(line for line in event.text.splitlines() if line.strip())
        if isinstance(self.screen, HelpScreen):  # the help says typing goes to the question: it closes
            self.pop_screen()
        screen = self.screen
        if isinstance(screen, DocumentsScreen):
            if isinstance(screen.focused, Input):
                return False
            screen.type_in(text)
            return True
        if isinstance(screen, (SourceScreen, SourcesScreen)):  # F3's list has no box: typing was lost there
            while len(self.screen_stack) > 1 and isinstance(self.screen, _LEFT_FOR_THE_CHAT):
                self.pop_screen()
        if self.screen is not self.chat or isinstance(self.chat.focused, Input):
            return False
        self.chat.type_in(text)
        return True

    # -- loading -------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="index")
    def load_index(self) -> None:
        try:
            stats = self.engine.open()
        except QAError as exc:
            self.post_message(IndexProblem(str(exc)))
            return
        self.post_message(IndexLoaded(stats, initial=True))

    def on_index_loaded(self, message: IndexLoaded) -> None:
        self._show_index(message.stats, message.initial)

    def _show_index(self, stats: IndexStats, initial: bool) -> None:
        greet = (initial or not self.has_index) and not self.chat.turns
        if self._gone:
            self.chat.say(f"The index is back: {count(stats.documents, 'article')} indexed.")
            greet = False
        self.has_index, self._gone = True, False
        self.status.stats = str(stats)
        self._show_mode()
        if greet:
            self.chat.say(f"{count(stats.documents, 'article')} indexed. Type a question below and press Enter; "
                          "answers are passages of the articles, cited. F1 lists the keys.")

    def on_index_problem(self, message: IndexProblem) -> None:
        """No usable index: say so and offer the reindex."""
        self.has_index = False
        self.status.stats = "index gone" if message.gone else "no index"
        self._show_mode()
        problem = "" if message.said else f"{message.problem}\n"  # a failed question said it already
        if message.gone:  # the user's index, away: no reindex offered (it would make a new one there)
            if not self._gone and problem:
                self.chat.say(message.problem, "error")
            self._gone = True
            return
        if "qa index --rebuild" in message.problem:  # a damaged database: a reindex cannot mend it
            self.chat.say(f"{problem}The app cannot rebuild it: quit (Ctrl+Q) and run that command "
                          "in a terminal.", "error")
            return
        self.chat.say(f"{problem}Press Ctrl+R to index {DEFAULT_SOURCE}/ (the default source, when "
                      "there are none yet), or Ctrl+O to add a folder of articles.", "error")

    @work(thread=True, exclusive=True, group="model")
    def load_model(self) -> None:
        self.engine.load_model()
        self.post_message(ModelLoaded(self.engine.model_error))

    def on_model_loaded(self, message: ModelLoaded) -> None:
        self._show_mode()
        if message.error:
            self.notify(f"Keyword search only: {message.error}", title="Model not loaded",
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
        if not self.reindexing and self._index_worker is not None and self._index_worker.is_finished:
            self.check_sources()

    @work(thread=True, exclusive=True, group="poll")
    def check_sources(self) -> None:
        """Files changed in the sources? And did another process (qa index) change the index?"""
        had_index = self.engine.searcher is not None
        try:
            # a different generation, or a different database file (the folder deleted and rebuilt)
            if self.engine.replaced() or self.engine.on_disk_generation() != self.engine.generation:
                self.post_message(IndexLoaded(self.engine.open()))
            changes = self.engine.pending_changes()
        except QAError as exc:
            if had_index and self.engine.searcher is None:  # it was open and is gone: say so once
                self.post_message(IndexProblem(str(exc), gone=isinstance(exc, IndexGone)))
            return
        except OSError:
            return
        if not get_current_worker().is_cancelled:
            counts = [(len(changes.added), "new"), (len(changes.changed), "changed"), (len(changes.removed), "removed")]
            what = ", ".join(f"{n} {label}" for n, label in counts if n)
            self.post_message(SourcesChanged(f"sources changed: {what}" if changes else "",
                                             frozenset(changes.added + changes.changed + changes.removed),
                                             tuple(away.warning() for away in changes.unavailable)))

    def on_sources_changed(self, message: SourcesChanged) -> None:
        """Sync by itself when files changed (once per set of changes: a sync that leaves the same
        changes is not retried in a loop); a folder that is away is a warning, never "removed"."""
        if message.summary:
            self._seen = message.changed
        if message.warnings != self._away:
            self._away = message.warnings
            for warning in message.warnings:
                self.notify(warning, title="Source unavailable", severity="warning", timeout=10, markup=False)
        away = ""
        if message.warnings:
            more = len(message.warnings) - 1
            away = message.warnings[0] + (f" (+{more} more)" if more else "")
        if message.summary and self.auto_sync and message.changed != self._auto_synced and not self.reindexing:
            self._auto_synced = message.changed
            self.status.changes = " · ".join(part for part in (f"{message.summary} — syncing", away) if part)
            self.action_reindex()
            return
        if not message.summary:
            self._auto_synced = None
        summary = f"{message.summary} — Ctrl+R reindexes" if message.summary else ""
        self.status.changes = " · ".join(part for part in (summary, away) if part)

    def action_toggle_auto_sync(self) -> None:
        self.auto_sync = not self.auto_sync
        self._auto_synced = None
        said = ("The index syncs by itself when its sources change." if self.auto_sync
                else "Automatic sync is off: Ctrl+R syncs.")
        self.notify(said, title=f"Automatic sync {'on' if self.auto_sync else 'off'}")

    def action_toggle_date_order(self) -> None:
        self.engine.sort = "relevance" if self.engine.sort == "date" else "date"
        said = ("Answers list their passages by date, unknown dates last." if self.engine.sort == "date"
                else "Answers list their passages by relevance.")
        self.notify(said, title=f"Order: {self.engine.sort}")

    # -- reindexing -------------------------------------------------------------------------
    def action_reindex(self, add_paths: list[str] | None = None) -> None:
        if self._gone:  # a sync now would make a new index in the folder of the user's own, only away
            self.notify("The index is away (its folder is gone); reindexing waits until it is back.",
                        severity="warning")
            return
        if self.reindexing:
            self.notify("A reindex is already running.", severity="warning")
            return
        self.reindexing = True
        self.chat.query_one(ReindexBar).show("waiting for the model" if not self.engine.model_done.is_set()
                                             else "starting", 0, 1)
        self.reindex(list(add_paths or []))

    @work(thread=True, exclusive=True, group="reindex")
    def reindex(self, add_paths: list[str]) -> None:
        worker = get_current_worker()
        try:
            report, stats = self.engine.reindex(
                add_paths, on_progress=lambda *step: self.post_message(ReindexProgress(*step)),
                on_message=lambda text: self.post_message(ReindexNote(text)),
                cancelled=lambda: worker.is_cancelled)
        except QAError as exc:
            self.post_message(ReindexFailed(str(exc)))
        except Exception as exc:  # a bug must not leave the bar up; the old index is intact
            self.post_message(ReindexFailed(f"unexpected error: {type(exc).__name__}: {exc}"))
        else:
            self.post_message(Reindexed(report, stats, tuple(os.path.realpath(p) for p in add_paths)))

    def on_reindex_progress(self, message: ReindexProgress) -> None:
        if self.reindexing:
            self.chat.query_one(ReindexBar).show(message.phase, message.done, message.total)

    def on_reindex_note(self, message: ReindexNote) -> None:
        self.notify(message.text, markup=False)

    def on_reindexed(self, message: Reindexed) -> None:
        self.reindexing = False
        self.chat.query_one(ReindexBar).display = False
        self.status.changes = ""
        self._show_index(message.stats, initial=False)
        summary = message.report.summary()
        # one line per part ("; "), so no narrow width leaves "s" of "0.4 s" alone on a line
        self.chat.say(f"Reindexed: {summary.replace('; ', chr(10))}", "done")
        reread = getattr(message.report, "reread_line", lambda: None)()  # the HTML reader changed since indexed
        if reread:
            self.chat.say(reread[0].upper() + reread[1:], "done")
        for warning in message.report.warnings:
            self.chat.say(f"warning: {warning}", "error")
        # the files just added or seen changed: an article overwritten by a binary file left the index
        # with "1 skipped" as all that was said (every unsupported file of a folder, each sync, is not)
        seen, self._seen = self._seen, frozenset()
        for line in skipped_of(message.report.skipped_files, message.added + tuple(seen)):
            self.chat.say(line, "error")
        self.notify(summary.replace("; ", "\n"), title="Reindexed", markup=False)

    def on_reindex_failed(self, message: ReindexFailed) -> None:
        self.reindexing = False
        self.chat.query_one(ReindexBar).display = False
        self.chat.say(f"Reindex failed: {message.problem} (the index is as it was)", "error")
        self.notify(message.problem, title="Reindex failed", severity="error", markup=False)

    # -- other screens ---------------------------------------------------------------------
    def action_add_source(self) -> None:
        def added(path: str | None) -> None:
            if path:
                self.action_reindex([path])

        if self._switch_to(AddSourceScreen):
            self.push_screen(AddSourceScreen(), added)

    def action_documents(self) -> None:
        if self._switch_to(DocumentsScreen):
            self.push_screen(DocumentsScreen(self.engine))

    def action_sources(self) -> None:
        if self._switch_to(SourcesScreen):
            self.push_screen(SourcesScreen(self.engine))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.BINDINGS))

    def _switch_to(self, kind: type) -> bool:
        """Before F2, F3 or Ctrl+O opens its screen: back to one of that kind already open, or off
        the help, lists and dialogs on top; True when it must still be opened. Each key pushed a
        screen over the others, so F2 F3 F2 F3 (or F1 then F2) piled up screens, one Esc each."""
        if any(isinstance(screen, kind) for screen in self.screen_stack):
            while not isinstance(self.screen, kind):
                self.pop_screen()
            return False
        while len(self.screen_stack) > 1 and isinstance(self.screen, _PASSING):
            self.pop_screen()
        return True

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """The palette's Screenshot, saved beside the conversation exports: Textual's default
        folder, ~/Downloads, is often missing (a server, a container), and the save then failed
        with "Failed to save screenshot" and no reason."""
        from qa.locations import WRITABLE_DATA, exports_dir

        folder = Path(path) if path else exports_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.notify(f"Could not write {folder}: {exc.strerror}; {WRITABLE_DATA}", severity="error", markup=False)
            return None
        name = filename or f"qa-screenshot-{time.strftime('%Y%m%d-%H%M%S')}.svg"
        return super().deliver_screenshot(name, str(folder), time_format)


#: screens that typing leaves for the chat's question box
_LEFT_FOR_THE_CHAT = (SourceScreen, DocumentsScreen, SourcesScreen)
#: screens F2, F3 and Ctrl+O replace rather than open over (an article stays under them)
_PASSING = (HelpScreen, DocumentsScreen, SourcesScreen, ConfirmScreen, AddSourceScreen)


def skipped_of(skipped: dict[str, str], added: tuple[str, ...], names: int = 3) -> list[str]:
    """Why files of what was just added (Ctrl+O) or seen changed were not indexed, a line per
    reason with the first few names: else "1 skipped" is all a person learns of the file."""
    by_reason: dict[str, list[str]] = {}
    for path, reason in skipped.items():
        if any(path == a or path.startswith(a.rstrip(os.sep) + os.sep) for a in added):
            by_reason.setdefault(re.sub(r" \(.*?\)$", "", reason), []).append(os.path.basename(path))
    return [f"skipped {count(len(files), 'file')} ({reason}): {', '.join(files[:names])}"
            f"{', …' if len(files) > names else ''}" for reason, files in by_reason.items()]


def run(index_dir: Path | str) -> int:
    return run_app(QAApp(index_dir, watch_terminal=True))


def run_app(app: QAApp, **options: Any) -> int:
    """Run the app (options go to App.run) and return the exit status: 0, the hangup status, or 1
    after an unexpected error, told in one line with the traceback in a log (qa/ui/crash.py)."""
    from qa.ui.crash import report

    captured = io.StringIO()  # Textual prints an unhandled error's traceback to sys.stderr on exit
    try:
        with contextlib.redirect_stderr(captured):
            app.run(**options)
    except Exception as exc:
        return report(exc, captured.getvalue())
    hangup = getattr(app, "_hangup", None)
    if hangup is not None and hangup.hung_up.is_set():
        from qa.ui.hangup import HANGUP_STATUS

        return HANGUP_STATUS
    if app.return_code:
        # Textual keeps the first unhandled error here (it has no public accessor); the log has
        # its report either way
        return report(getattr(app, "_exception", None), captured.getvalue())
    sys.stderr.write(captured.getvalue())
    return 0
