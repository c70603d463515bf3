"""The Sources view (F3): each source of the index with its documents, passages and state (ok,
missing, unreadable, empty); Delete removes the selected one after a y/n confirmation. Listing and
removing run in thread workers through the engine facade and report back as Messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
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
    from qa.index.library import Removal, SourceInfo

#: how each state reads in the list: one word, so the column fits at 80 columns...
STATE_WORDS = {"ok": "ok", "missing": "missing", "unreadable": "unreadable", "empty": "empty"}
#: ...and what it means, said once under the title when a source is in that state
STATE_NOTES = {"missing": "missing: unmounted or renamed? Its documents are kept.",
               "unreadable": "unreadable: qa may not read it now. Its documents are kept.",
               "empty": "empty: its documents are kept."}


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


def removal_question(removal: Removal) -> str:
    """The confirmation, with the counts the removal will take out (those another source also
    holds stay: a file source inside a folder source takes none)."""
    shown = visible(display_path(removal.path), newlines=False)
    if not removal.documents:
        return (f"Remove {shown} from the sources? It takes no document out of the index: it holds none "
                "that another source does not. The files stay where they are.")
    return (f"Remove {shown} and its {count(removal.documents, 'document')} "
            f"({count(removal.passages, 'passage')}) from the index? The files stay where they are.")


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

    class Planned(Message):
        """What removing a source would take out (read by a worker before asking), or why it cannot."""

        def __init__(self, path: str, removal: Removal | None, problem: str) -> None:
            super().__init__()
            self.path, self.removal, self.problem = path, removal, problem

    #: the fixed columns' widths (the source takes the rest of the screen)
    COLUMNS = (("Documents", 9), ("Passages", 8), ("State", 10))

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.rows: list[SourceInfo] = []  # as loaded
        self.problem = ""

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
        self.rows, self.problem = message.rows, message.problem
        self.fill()

    def on_resize(self, event: events.Resize) -> None:
        self.fill()

    def fill(self) -> None:
        """(Re)build the table at the screen's width: the source column takes what the others
        leave, so a reload or a resize never shrinks it to "/tmp/…"."""
        title = self.query_one("#sources-title", Static)
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        if self.problem:
            title.update(plain(self.problem))
            return
        states = dict.fromkeys(info.state for info in self.rows)
        notes = "".join(f"\n{STATE_NOTES[state]}" for state in states if state in STATE_NOTES)
        title.update(plain(f"{count(len(self.rows), 'source')} — Delete removes the selected one from the index "
                           f"(its files are not touched){notes}"))
        width = max(40, (table.size.width or self.size.width) - 2)
        fixed = sum(w for _, w in self.COLUMNS) + 2 * (len(self.COLUMNS) + 1)  # a cell of padding either side
        for name, column_width in self.COLUMNS:
            table.add_column(name, width=column_width)
        source_width = max(12, width - fixed)
        table.add_column("Source", width=source_width)
        for info in self.rows:
            state = Text(STATE_WORDS.get(info.state, info.state), style="" if info.state == "ok" else "bold yellow")
            shown = visible(display_path(info.path), newlines=False)
            if len(shown) > source_width:  # the end of a path tells sources apart: cut its start
                shown = "…" + shown[len(shown) - source_width + 1:]
            table.add_row(Text(f"{info.documents:>9}"), Text(f"{info.passages:>8}"), state,
                          Text(shown, no_wrap=True, overflow="ellipsis"), key=info.path)
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1), animate=False)

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
        self.plan(path)

    @work(thread=True, exclusive=True, group="plan")
    def plan(self, path: str) -> None:
        """Read what the removal would take out, so the question names those counts."""
        try:
            self.post_message(self.Planned(path, self.engine.plan_removal(path), ""))
        except QAError as exc:
            self.post_message(self.Planned(path, None, str(exc)))

    @on(Planned)
    def confirm(self, message: Planned) -> None:
        removal, path = message.removal, message.path
        if removal is None:
            self.notify(message.problem, title="Cannot remove", severity="error", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_source(path)

        self.app.push_screen(ConfirmScreen(removal_question(removal)), answered)

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
