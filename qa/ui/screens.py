"""The app's screens: the chat, an article at a cited passage, the documents, help, and the
dialog that adds a file or folder to the sources."""

from __future__ import annotations

import bisect
import os
import sqlite3
import time
import unicodedata
from concurrent.futures import CancelledError, Future
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Header, Input, Label, Static
from textual.worker import get_current_worker

from qa.config import DOCUMENT_SUFFIXES
from qa.retrieval.context import Turn
from qa.ingest.documents import Document
from qa.errors import IndexCorrupt, IndexMismatch, IndexMissing, QAError
from qa.render import count, noun, paragraph_range, visible
from qa.ui.engine import REINDEXED_SINCE, Article, Engine, IndexGone, display_path, read_article
from qa.ui.messages import IndexProblem
from qa.ui.outside import line_of, unreachable, viewer_command
from qa.ui.settings import UI
from qa.ui.topic import ChatTopic
from qa.ui.widgets import (SENTENCE_STYLE, AnswerView, AnswerWords, HistoryInput, HitCard, Notice, Pending,
                           QuestionMessage, ReindexBar, StatusLine, answer_words, plain)

if TYPE_CHECKING:
    from qa.search import Answer, Hit


#: passages per answer
TOP_K = UI.top_k


class ChatScreen(Screen):
    """Questions and their cited answers, newest at the bottom; the question box keeps focus."""

    BINDINGS = [
        Binding("ctrl+n", "new_topic", "New topic", tooltip="Forget the context: the next question stands alone"),
        Binding("ctrl+y", "copy_answer", "Copy", tooltip="Send the last answer with its citations to the terminal's clipboard"),
        Binding("ctrl+s", "export", "Export", show=False, tooltip="Save the conversation as Markdown with citations (in the exports folder)"),
    ]

    class Decided(Message):
        """What a question is searched for (a follow-up or not), decided by the answer worker."""

        def __init__(self, turn: Turn, asked: QuestionMessage) -> None:
            super().__init__()
            self.turn, self.asked = turn, asked

    class Answered(Message):
        """A question's answer, found by the answer worker, with the words its view shows."""

        def __init__(self, turn: Turn, answer: Answer, words: AnswerWords, pending: Pending,
                     asked: QuestionMessage) -> None:
            super().__init__()
            self.turn, self.answer, self.words, self.pending, self.asked = turn, answer, words, pending, asked

    class SearchFailed(Message):
        """The search failed (no usable index): `problem` says why."""

        def __init__(self, pending: Pending, problem: str, index_problem: bool, gone: bool = False) -> None:
            super().__init__()
            self.pending, self.problem, self.index_problem, self.gone = pending, problem, index_problem, gone

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.topic = ChatTopic(engine.lexicon)
        self.conversation = self.topic.conversation  # read it only once the app is idle (tests)
        self.turns: list[tuple[Turn, Answer]] = []  # in the order asked, whatever order answered in
        self._asked: list[int] = []  # the number of each turn's question (`turns` is kept in its order)
        self._questions = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="transcript")
        yield ReindexBar(id="reindex")
        yield HistoryInput(placeholder="Ask a question about your articles, then Enter", id="ask")
        yield StatusLine(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#reindex").display = False
        self.query_one(HistoryInput).focus()

    async def on_key(self, event: events.Key) -> None:
        """The screen's keys (Ctrl+N, Ctrl+Y, Ctrl+S) are taken here, in turn with the questions
        submitted before them (their messages come this way too): as bindings they ran once the
        key had reached the app, and a question typed after Ctrl+N was still a follow-up."""
        if (action := self._own_action(event.key)) is not None:
            event.stop()
            event.prevent_default()
            await self.run_action(action)

    def _own_action(self, key: str) -> str | None:
        return next((binding.action for binding in self.BINDINGS
                     if isinstance(binding, Binding) and key in binding.key.split(",")), None)

    def takes_key(self, key: str) -> bool:
        """`key` is one of the screen's own (the app, handling the question box's keys as they come,
        posts it here, so it queues behind the questions submitted before it)."""
        return self._own_action(key) is not None

    def on_unmount(self) -> None:
        self.topic.close()

    def type_in(self, text: str) -> None:
        """Go on with the question: `text` (typed or pasted elsewhere) goes into the box at its
        cursor and the box takes the focus, now, so the next key lands there too."""
        box = self.query_one(HistoryInput)
        self.set_focus(box, scroll_visible=False)
        box.insert_bounded(text)

    # -- keeping the latest answer in view ------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        for card in self.query(HitCard):  # a height change alone does not resize the cards
            card.refit()
        self.keep_latest_in_view()

    def keep_latest_in_view(self) -> None:
        """After a resize the same scroll offset points elsewhere (text rewraps): put the focused
        card, else the last question, back in view once the new layout is done."""
        def show() -> None:
            focused = self.focused
            if isinstance(focused, HitCard):
                self.transcript.scroll_to_widget(focused, animate=False)
                return
            questions = self.query(QuestionMessage)
            if questions:
                self.transcript.scroll_to_widget(questions.last(), top=True, animate=False)

        self.call_after_refresh(show)

    @on(HitCard.Fitted)
    def _card_fitted(self, event: HitCard.Fitted) -> None:
        views = self.query(AnswerView)
        if views and event.card in views.last().query(HitCard):
            self.keep_latest_in_view()

    # -- transcript ------------------------------------------------------------------------
    @property
    def transcript(self) -> VerticalScroll:
        return self.query_one("#transcript", VerticalScroll)

    def say(self, text: str, kind: str = "info") -> Notice:
        notice = Notice(text, kind)
        self.transcript.mount(notice)
        self.transcript.scroll_end(animate=False)
        return notice

    @on(Input.Submitted, "#ask")
    def ask(self, event: Input.Submitted) -> None:
        question = event.value.strip()  # the box is empty again already (HistoryInput.action_submit)
        if not question:
            return
        turn = self.topic.ask(question)  # decided off the event loop, after the steps before it
        asked = QuestionMessage(question, self._questions)
        self._questions += 1
        pending = Pending()
        self.transcript.mount_all([asked, pending])
        self.call_after_refresh(self.transcript.scroll_to_widget, asked, top=True, animate=False)
        self.answer(turn, pending, asked)

    @work(thread=True, group="answer")
    def answer(self, decided: Future[Turn], pending: Pending, asked: QuestionMessage) -> None:
        """Wait for the question's Turn (a follow-up or not), say it, search it, and work out the
        words the answer's view shows (question terms, notices, the passages' sentences): nothing
        of it is tokenized on the event loop."""
        try:
            turn = decided.result()
        except CancelledError:  # the chat is closing
            return
        self.post_message(self.Decided(turn, asked))
        engine = self.engine
        try:
            answer = engine.search(turn.question, turn.query, TOP_K)
        except (IndexMissing, IndexCorrupt, IndexMismatch) as exc:
            self.post_message(self.SearchFailed(pending, str(exc), index_problem=True, gone=isinstance(exc, IndexGone)))
            return
        except QAError as exc:  # the question's fault (a date that is not one): the index is fine
            self.post_message(self.SearchFailed(pending, str(exc), index_problem=False))
            return
        note = ""
        if answer.mode != "hybrid":
            note = (f": the model could not be loaded ({engine.model_error})" if engine.model_error
                    else ": the model was still loading")
        self.post_message(self.Answered(turn, answer, answer_words(turn, answer, note), pending, asked))

    @on(Decided)
    def _decided(self, message: Decided) -> None:
        message.asked.decided(message.turn)

    @on(SearchFailed)
    def _failed(self, message: SearchFailed) -> None:
        message.pending.remove()
        self.say(message.problem, "error")
        if message.index_problem:
            self.post_message(IndexProblem(message.problem, said=True, gone=message.gone))  # the app says what to do

    @on(Answered)
    async def _answered(self, message: Answered) -> None:
        at = bisect.bisect(self._asked, message.asked.number)  # the searches end in any order
        self._asked.insert(at, message.asked.number)
        self.turns.insert(at, (message.turn, message.answer))
        self.topic.spelled(message.turn, message.answer.corrected)
        view = AnswerView(message.turn, message.answer, words=message.words)
        await self.transcript.mount(view, after=message.pending)
        await message.pending.remove()
        # the question at the top, its answer below it (once the cards have their height)
        self.call_after_refresh(self.transcript.scroll_to_widget, message.asked, top=True, animate=False)

    # -- actions -------------------------------------------------------------------------
    # focus is set now, not after a refresh (Widget.focus): the next key, already on its way,
    # must find it where the user put it ("Tab Enter" opens the first card)
    def action_focus_input(self) -> None:
        self.set_focus(self.query_one(HistoryInput), scroll_visible=False)

    def action_focus_answers(self) -> None:
        views = self.query(AnswerView)
        if not views:
            self.app.bell()
            return
        cards = views.last().query(HitCard)
        if cards:
            self.set_focus(cards.first(), scroll_visible=False)
            cards.first().scroll_visible(animate=False)

    def action_new_topic(self) -> None:
        self.topic.clear()
        last = self.transcript.children[-1] if self.transcript.children else None
        if last is None or not last.has_class("-divider"):  # Ctrl+N held: one line, not a screenful
            self.say("— new topic: the next question is searched on its own —", "divider")

    def action_copy_answer(self) -> None:
        if not self.turns:
            self.notify("Nothing to copy yet: ask a question first.", severity="warning")
            return
        from qa.ui.export import answer_text

        send_to_clipboard(self, answer_text(self.turns[-1][1]), "the last answer with its citations")

    @on(HitCard.Copy)
    def copy_hit(self, event: HitCard.Copy) -> None:
        from qa.ui.export import hit_text

        send_to_clipboard(self, hit_text(event.hit), f"passage [{event.hit.rank}] with its citation")

    @on(HitCard.Selected)
    def open_hit(self, event: HitCard.Selected) -> None:
        self.app.push_screen(SourceScreen(event.hit.path, event.hit))

    @on(HitCard.OpenOutside)
    def open_hit_outside(self, event: HitCard.OpenOutside) -> None:
        self.find_line(event.hit)

    @work(thread=True, exclusive=True, group="outside")
    def find_line(self, hit: Hit) -> None:
        """Read the file for the passage's line number, then open it outside (on the UI thread)."""
        article = read_article(hit.path, hit)
        line = line_of(article.doc.text, hit.start) if article.doc is not None else None
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(open_outside, self, hit.path, line)

    def action_export(self) -> None:
        if not self.turns:
            self.notify("Nothing to export yet: ask a question first.", severity="warning")
            return
        from qa.ui.export import conversation_markdown

        from qa.locations import WRITABLE_DATA, exports_dir

        # a folder of its own, never the working folder: that may be a source, and an export
        # indexed would answer questions with the tool's own words
        target = exports_dir() / f"qa-conversation-{time.strftime('%Y%m%d-%H%M%S')}.md"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(conversation_markdown(self.turns), encoding="utf-8")
        except OSError as exc:
            self.notify(f"Could not write {target}: {exc.strerror}; {WRITABLE_DATA}", severity="error", markup=False)
            return
        self.notify(f"Saved the conversation to {target}", title="Exported", markup=False)


class SourceScreen(Screen):
    """A whole article, scrolled to the cited passage; the passage and its sentence highlighted.
    The file is read and parsed in a worker: "loading…" stands in the article until it is.
    No printable key is bound: typing here goes back to the chat's question box (the app routes it)."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the chat, where it was (or just type a question)"),
        Binding("ctrl+c", "copy", "Copy passage", tooltip="Copy the cited passage with its citation"),
        Binding("ctrl+e", "open_outside", "Pager", tooltip="Open the file in $PAGER (or $EDITOR) at the passage"),
    ]

    class Loaded(Message):
        """The article, read by the worker (or why it could not be)."""

        def __init__(self, article: Article) -> None:
            super().__init__()
            self.article = article

    def __init__(self, path: str, hit: Hit | None = None) -> None:
        super().__init__()
        self.path = path
        self.hit = hit
        self.doc: Document | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        title = self.hit.title if self.hit else os.path.basename(self.path)
        page = f"p. {self.hit.page}, " if self.hit and self.hit.page else ""
        where = display_path(self.path) + (f", {page}{paragraph_range(self.hit)}" if self.hit else "")
        yield Static(Content.assemble(("", ""), plain(title)), markup=False, id="source-title")
        yield Static(plain(where), markup=False, id="source-where")
        with VerticalScroll(id="article"):
            yield Static(Content("loading…"), markup=False, id="source-loading", classes="notice -pending")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#article", VerticalScroll).focus()
        self.read()

    @work(thread=True, exclusive=True, group="read")
    def read(self) -> None:
        article = read_article(self.path, self.hit)
        engine = getattr(self.app, "engine", None)
        if article.changed and self.hit is not None and engine is not None and _reindexed_since(engine, self.hit):
            article = replace(article, problem=REINDEXED_SINCE)  # not "Reindex with Ctrl+R": done already
        if article.doc is None and self.hit is not None and not self.hit.available and engine is not None:
            # the file is not reachable here (another machine, an unmounted drive): the index's passages
            article = replace(article, stored=tuple(engine.stored_passages(self.hit.passage_id)))
        self.post_message(self.Loaded(article))

    @on(Loaded)
    async def show(self, message: Loaded) -> None:
        doc, problem = message.article.doc, message.article.problem
        article = self.query_one("#article", VerticalScroll)
        parts: list[Widget] = []
        if problem:
            parts.append(Notice(problem, "error"))
        self.doc = doc
        if doc is not None:
            self.query_one("#source-title", Static).update(Content.assemble(("", ""), plain(doc.title)))
            parts += [self._paragraph(doc, p.number, p.start, p.end) for p in doc.paragraphs]
        elif self.hit and message.article.stored:
            parts += [Static(plain(text), markup=False,
                             classes="paragraph -passage" if pid == self.hit.passage_id else "paragraph")
                      for pid, text in message.article.stored]
        elif self.hit:  # the passage as indexed, its sentence highlighted as on the card
            hit = self.hit
            s, e = hit.highlight_start - hit.start, hit.highlight_end - hit.start
            text = plain(hit.text).stylize(SENTENCE_STYLE, s, e)
            parts.append(Static(text, markup=False, classes="paragraph -passage"))
        await self.query_one("#source-loading").remove()
        await article.mount_all(parts)
        marked = self.query(".-passage")
        if marked:
            self.call_after_refresh(article.scroll_to_widget, marked.first(), top=True, animate=False)

    @property
    def loaded(self) -> bool:
        """True once the article (or its problem) is shown."""
        return not self.query("#source-loading")

    def _paragraph(self, doc: Document, number: int, start: int, end: int) -> Horizontal:
        text = plain(doc.text[start:end])
        hit = self.hit
        classes = "paragraph"
        if hit and start < hit.end and hit.start < end:
            classes += " -passage"
            s, e = max(hit.highlight_start, start), min(hit.highlight_end, end)
            if s < e:
                text = text.stylize(SENTENCE_STYLE, s - start, e - start)
        return Horizontal(Static(Content(f"¶ {number}"), markup=False, classes="gutter"),
                          Static(text, markup=False, classes="text"), classes=classes, id=f"p{number}")

    def action_copy(self) -> None:
        if self.hit:
            from qa.ui.export import hit_text

            send_to_clipboard(self, hit_text(self.hit), "the passage with its citation")

    def action_open_outside(self) -> None:
        line = None
        if self.doc is not None:
            line = line_of(self.doc.text, self.hit.start if self.hit else self._top_offset())
        open_outside(self, self.path, line)

    def _top_offset(self) -> int:
        """The offset of the first paragraph in view (to open the pager where the reader is)."""
        article = self.query_one("#article", VerticalScroll)
        doc = self.doc
        if doc is None:
            return 0
        for paragraph in doc.paragraphs:
            widget = self.query(f"#p{paragraph.number}")
            if widget and widget.first().virtual_region.bottom > article.scroll_y:
                return paragraph.start
        return 0


def _reindexed_since(engine: Engine, hit: Hit) -> bool:
    """engine.reindexed_since, False when the index cannot say (gone, damaged: the view says so)."""
    try:
        return bool(engine.reindexed_since(hit))
    except (QAError, sqlite3.Error):
        return False


def send_to_clipboard(screen: Screen, text: str, what: str) -> None:
    """Send text to the terminal's clipboard (OSC 52) and say so truly: sent, not surely copied."""
    screen.app.copy_to_clipboard(text)
    note_clipboard(screen, what)


def note_clipboard(screen: Screen, what: str) -> None:
    """Tell what was sent and, from a worker (it may ask tmux), how to make it arrive."""
    from qa.ui.clipboard import clipboard_note

    def tell() -> None:
        note = clipboard_note()
        message = f"Sent {what} to the terminal's clipboard" + (f"; {note}." if note else ".")
        screen.app.call_from_thread(screen.notify, message, title="Clipboard", markup=False)

    screen.run_worker(tell, thread=True, group="clipboard", exclusive=True)


def open_outside(screen: Screen, path: str, line: int | None) -> None:
    """Suspend the app, show the file in $PAGER (or $EDITOR) at `line`, and come back to the same
    place (screen, scroll and focus are untouched meanwhile)."""
    import subprocess

    from textual.app import SuspendNotSupported

    why = unreachable(path)
    if why:  # else the pager flashes its own error for a moment and is gone
        screen.notify(f"Cannot open {visible(path, newlines=False)} now: the file is {why}; the passage is shown "
                      "as indexed.", severity="warning", markup=False)
        return
    command = viewer_command(path, line)
    if command is None:
        screen.notify("No pager found: set $PAGER (or $EDITOR).", severity="warning")
        return
    try:
        with screen.app.suspend():
            subprocess.run(command, check=False)
    except SuspendNotSupported:
        screen.notify("This terminal cannot hand the screen to another program.", severity="warning")
    except OSError as exc:
        screen.notify(f"Could not run {command[0]}: {exc.strerror}", severity="error", markup=False)


def folded(text: str) -> str:
    """Text as the documents filter compares it: case and accents aside ("uber" finds "Über",
    "cafe" finds "Café"), as a person types a name whose accents their keyboard lacks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def keep_end(path: str, width: int) -> str:
    """A path cut to `width` from the left ("…business/001.txt"): the file name is what tells
    documents apart, and they often share a long folder."""
    return path if len(path) <= width else "…" + path[len(path) - width + 1:]


class DocumentsScreen(Screen):
    """The indexed articles and their passage counts. Typing filters them (every word typed must
    be in the title or the file name, as in a command palette); ↑/↓ move, Enter opens one."""

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Clear the filter, or back to the chat"),
        Binding("down", "move(1)", "Next", show=False, tooltip="Next document (Enter opens it)"),
        Binding("up", "move(-1)", "Previous", show=False, tooltip="Previous document"),
        Binding("pagedown", "move(10)", "Page down", show=False, tooltip="Ten documents down"),
        Binding("pageup", "move(-10)", "Page up", show=False, tooltip="Ten documents up"),
    ]

    #: the columns' fixed widths (the title takes the rest)
    COUNT_WIDTH = 8

    class Loaded(Message):
        """The documents list, read by the worker (or why it could not be)."""

        def __init__(self, rows: list[tuple[str, str, int]], problem: str) -> None:
            super().__init__()
            self.rows, self.problem = rows, problem

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.rows: list[tuple[str, str, int]] = []  # (title, path, passages), as loaded
        self.problem = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content("Indexed documents"), id="documents-title", markup=False)
        yield Input(placeholder="type to filter by title or file name", id="documents-filter", select_on_focus=False,
                    max_length=UI.question_max_chars)
        yield DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).loading = True
        self.query_one("#documents-filter", Input).focus()
        self.load()

    @work(thread=True, exclusive=True, group="documents")
    def load(self) -> None:
        try:
            rows = self.engine.documents()
        except QAError as exc:
            self.post_message(self.Loaded([], str(exc)))
            return
        self.post_message(self.Loaded(rows, ""))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.query_one(DataTable).loading = False
        self.rows, self.problem = message.rows, message.problem
        self.fill()

    def type_in(self, text: str) -> None:
        """Typing while the table has the focus goes on with the filter."""
        box = self.query_one("#documents-filter", Input)
        self.set_focus(box, scroll_visible=False)
        box.insert_text_at_cursor(text.replace("\n", " "))

    @on(Input.Changed, "#documents-filter")
    def filter_changed(self) -> None:
        self.fill()

    def on_resize(self, event: events.Resize) -> None:
        self.fill()

    def shown_rows(self) -> list[tuple[str, str, int]]:
        """The rows the filter lets through."""
        terms = folded(self.query_one("#documents-filter", Input).value).split()
        return [row for row in self.rows
                if all(term in folded(f"{row[0]} {display_path(row[1])}") for term in terms)]

    def fill(self) -> None:
        """(Re)build the table at the screen's width: the file column as wide as it needs (at most
        a third), the title the rest, both cut with "…"; no row is ever wider than the screen."""
        table = self.query_one(DataTable)
        title = self.query_one("#documents-title", Static)
        if self.problem:
            title.update(plain(self.problem))
            return
        rows = self.shown_rows()
        passages = sum(n for _, _, n in self.rows)
        shown = f"{len(rows)} of {len(self.rows)}" if len(rows) != len(self.rows) else f"{len(self.rows)}"
        title.update(plain(f"{shown} indexed {noun(len(self.rows), 'document')}, {count(passages, 'passage')} — "
                           "type to filter, Enter opens one"))
        width = max(40, (table.size.width or self.size.width) - 2)
        paths = [visible(display_path(path), newlines=False) for _, path, _ in rows]
        # each column has one cell of padding either side
        path_width = min(max([len(p) for p in paths] + [6]), width // 3)
        title_width = max(10, width - self.COUNT_WIDTH - path_width - 6)
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_column("Passages", width=self.COUNT_WIDTH)
        table.add_column("Source", width=path_width)
        table.add_column("Title", width=title_width)
        for (doc_title, path, passage_count), shown_path in zip(rows, paths):
            # rich Text, not str: DataTable would parse a str as markup; a newline in a file name
            # would break the row, so control characters show as harmless ones
            table.add_row(Text(f"{passage_count:>8}"), Text(keep_end(shown_path, path_width), no_wrap=True),
                          Text(visible(doc_title, newlines=False), no_wrap=True, overflow="ellipsis"), key=path)
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1), animate=False)

    def action_move(self, step: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)), animate=False)

    def action_back(self) -> None:
        box = self.query_one("#documents-filter", Input)
        if box.value:
            box.value = ""
            return
        self.app.pop_screen()

    @on(Input.Submitted, "#documents-filter")
    def open_current(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            row_key, _ = table.coordinate_to_cell_key((table.cursor_row, 0))
            self.app.push_screen(SourceScreen(str(row_key.value)))

    @on(DataTable.RowSelected)
    def open_document(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(SourceScreen(str(event.row_key.value)))


class HelpScreen(ModalScreen[None]):
    """The keys, generated from the bindings so it never goes stale; the follow-up rule."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "app.pop_screen", "Close")]

    def __init__(self, app_bindings: list[BindingType]) -> None:
        super().__init__()
        self.app_bindings = app_bindings  # the app's own keys (the screen does not import the app)

    def compose(self) -> ComposeResult:
        sections = [
            ("Anywhere", self.app_bindings),
            ("Chat", [*HistoryInput.BINDINGS, *ChatScreen.BINDINGS]),
            ("On an answer card", HitCard.BINDINGS),
            ("In an article", SourceScreen.BINDINGS),
            ("In the documents list (type to filter)", DocumentsScreen.BINDINGS),
        ]
        accent = f"bold {self.app.theme_variables.get('accent', 'cyan')}"

        def rows(pairs: list[tuple[str, str]]) -> Static:
            """A section's keys as one grid (one widget, not three a row: the help opens at once, so
            an Esc typed right after F1 finds it ready)."""
            grid = Table.grid(padding=(0, 1))
            grid.add_column(width=13, style=accent, no_wrap=True)
            grid.add_column(ratio=1)
            for keys, text in pairs:
                grid.add_row(Text(keys), Text(text))
            return Static(grid, markup=False, classes="help-rows")

        with VerticalScroll(id="help-body"):
            yield Static(Content.styled("Keys", "bold"), markup=False, classes="help-heading")
            yield rows([("Enter", "Ask the question typed in the box")])
            for heading, bindings in sections:
                yield Static(Content.styled(heading, "bold underline"), markup=False, classes="help-heading")
                yield rows([(", ".join(key_name(k) for k in binding.key.split(",")), binding.tooltip or binding.description)
                            for binding in bindings if isinstance(binding, Binding)])
            yield Static(Content.styled("Follow-up questions", "bold underline"), markup=False, classes="help-heading")
            yield Static(Content(
                "A question with he, she, it, they, this…, one starting \"what about\", or one of two key "
                "words or fewer is searched together with the names in the previous question (shown under "
                "it). Ctrl+N starts a new topic."), markup=False)
            yield Static(Content.styled("Typing", "bold underline"), markup=False, classes="help-heading")
            yield Static(Content(
                "Whatever has the focus (a card, an article), typing or pasting goes on with the question in "
                "the box: no key you can type is an action there."), markup=False)
            yield Static(Content.assemble(("Ctrl+P", "bold $accent"), " opens the command palette with every "
                                          "action. Esc closes this help."), markup=False, classes="help-heading")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()


_KEY_NAMES = {"question_mark": "?", "escape": "Esc", "enter": "Enter", "up": "↑", "down": "↓", "tab": "Tab",
              "left": "←", "right": "→", "pageup": "PgUp", "pagedown": "PgDn"}


def key_name(key: str) -> str:
    """A key as people write it: Ctrl+R, F1, Esc."""
    key = key.strip()
    if key in _KEY_NAMES:
        return _KEY_NAMES[key]
    *modifiers, last = key.split("+")
    if len(last) > 1:  # f1, home
        last = last.upper() if last[0] == "f" and last[1:].isdigit() else last.capitalize()
    elif modifiers:
        last = last.upper()
    return "+".join([*(m.capitalize() for m in modifiers), last])


class PathSuggester(Suggester):
    """Completes file and folder names as they are typed (Right arrow accepts)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        expanded = os.path.expanduser(value)
        folder, stem = os.path.split(expanded)
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            return None
        for name in names:
            if name.startswith(stem) and name != stem and (stem.startswith(".") or not name.startswith(".")):
                full = os.path.join(folder, name)
                suffix = name[len(stem):] + ("/" if os.path.isdir(full) else "")
                return value + suffix
        return None


class AddSourceScreen(ModalScreen[str | None]):
    """Asks for a file or folder of articles to add to the index's sources."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="add-dialog"):
            types = " ".join(sorted(DOCUMENT_SUFFIXES))  # the one list of what is read
            yield Label(Content(f"Add a file or folder of articles ({types}) to the index"), markup=False)
            yield Input(placeholder="path, e.g. ~/articles", suggester=PathSuggester(), id="add-path")
            yield Label(Content("Enter adds and indexes it · → completes · Esc cancels"), id="add-hint",
                        markup=False)

    @on(Input.Submitted, "#add-path")
    def submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            return
        path = os.path.abspath(os.path.expanduser(value))
        if not os.path.exists(path):
            self.query_one("#add-hint", Label).update(plain(f"No such file or folder: {value}"))
            self.query_one("#add-hint").add_class("-error")
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
