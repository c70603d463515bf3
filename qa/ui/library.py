"""The Sources view (F3): each source of the index with its documents, passages and state (ok,
missing, unreadable, empty); Delete removes the selected one after a y/n confirmation. Listing and
removing run in thread workers through the engine facade and report back as Messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from qa.errors import QAError
from qa.render import count, visible
from qa.ui.engine import Engine, display_path
from qa.ui.messages import IndexLoaded, ReindexNote, SourceRemoved
from qa.ui.widgets import plain

if TYPE_CHECKING:
    from qa.library import SourceInfo

#: how each state reads in the list
STATE_WORDS = {"ok": "ok", "missing": "missing (unmounted or renamed?)", "unreadable": "unreadable",
               "empty": "empty (its documents are kept)"}


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question: y (or Enter) answers yes, n (or Esc) no."""

    BINDINGS = [Binding("y,enter", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Label(plain(self.question), markup=False)
            yield Label(Content("y removes · n (or Esc) keeps it"), id="confirm-hint", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class SourcesScreen(Screen):
    """The index's sources; Delete removes the one under the cursor (after y/n)."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the chat"),
        Binding("delete", "remove", "Remove", tooltip="Remove the selected source and its documents from the index"),
    ]

    class Loaded(Message):
        """The sources, read by the worker (or why they could not be)."""

        def __init__(self, rows: list[SourceInfo], problem: str) -> None:
            super().__init__()
            self.rows, self.problem = rows, problem

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.rows: list[SourceInfo] = []  # as loaded

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content("Sources"), id="sources-title", markup=False)
        yield DataTable(id="sources", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    @work(thread=True, exclusive=True, group="sources")
    def load(self) -> None:
        try:
            self.post_message(self.Loaded(self.engine.sources(), ""))
        except QAError as exc:
            self.post_message(self.Loaded([], str(exc)))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.rows = message.rows
        title = self.query_one("#sources-title", Static)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        if message.problem:
            title.update(plain(message.problem))
            return
        title.update(plain(f"{count(len(self.rows), 'source')} — Delete removes the "
                           "selected one from the index (its files are not touched)"))
        table.add_column("Documents", width=9)
        table.add_column("Passages", width=8)
        table.add_column("State", width=18)
        table.add_column("Source")
        for info in self.rows:
            state = Text(STATE_WORDS.get(info.state, info.state), style="" if info.state == "ok" else "bold yellow")
            table.add_row(Text(f"{info.documents:>9}"), Text(f"{info.passages:>8}"), state,
                          Text(visible(display_path(info.path), newlines=False), no_wrap=True, overflow="ellipsis"),
                          key=info.path)

    @property
    def selected(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key((table.cursor_row, 0))
        return str(row_key.value)

    def action_remove(self) -> None:
        path = self.selected
        if path is None:
            return
        if getattr(self.app, "reindexing", False):
            self.notify("A reindex is running: remove the source when it is done.", severity="warning")
            return
        info = next(i for i in self.rows if i.path == path)

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_source(path)

        self.app.push_screen(ConfirmScreen(
            f"Remove {visible(display_path(path), newlines=False)} and its {info.documents} documents "
            f"({info.passages} passages) from the index? The files stay where they are."), answered)

    # not named "remove": that is Widget.remove, which Textual awaits when the screen is closed
    @work(thread=True, exclusive=True, group="remove")
    def remove_source(self, path: str) -> None:
        try:
            # what the indexer says meanwhile (e.g. waiting for another writer) the app notifies
            removal = self.engine.remove_source(path, on_message=lambda note: self.app.post_message(ReindexNote(note)))
            self.post_message(SourceRemoved(removal.summary(), "", self.engine.open()))
        except QAError as exc:
            self.post_message(SourceRemoved("", str(exc), None))

    @on(SourceRemoved)
    def removed(self, message: SourceRemoved) -> None:
        if message.problem:
            self.notify(message.problem, title="Not removed", severity="error", markup=False)
        else:
            self.notify(message.summary, title="Removed", markup=False)
        if message.stats is not None:
            self.app.post_message(IndexLoaded(message.stats))
        self.load()
