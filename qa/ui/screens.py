"""The app's screens: the chat, an article at a cited passage, the documents, help, and the
dialog that adds a file or folder to the sources."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from qa.context import Conversation, Turn
from qa.documents import Document
from qa.errors import QAError
from qa.render import visible
from qa.ui.engine import Article, Engine, display_path, read_article
from qa.ui.messages import IndexProblem
from qa.ui.widgets import (SENTENCE_STYLE, AnswerView, HistoryInput, HitCard, Notice, Pending,
                           QuestionMessage, ReindexBar, StatusLine, plain)

if TYPE_CHECKING:
    from qa.search import Answer, Hit


#: passages per answer
TOP_K = 3


class ChatScreen(Screen):
    """Questions and their cited answers, newest at the bottom; the question box keeps focus."""

    BINDINGS = [
        Binding("ctrl+n", "new_topic", "New topic", tooltip="Forget the context: the next question stands alone"),
        Binding("ctrl+y", "copy_answer", "Copy", tooltip="Copy the last answer with its citations to the clipboard"),
        Binding("ctrl+s", "export", "Export", show=False, tooltip="Save the conversation as Markdown with citations (in the working folder)"),
    ]

    class Answered(Message):
        """A question's answer, found by the answer worker."""

        def __init__(self, turn: Turn, answer: Answer, note: str, pending: Pending, asked: QuestionMessage) -> None:
            super().__init__()
            self.turn, self.answer, self.note, self.pending, self.asked = turn, answer, note, pending, asked

    class SearchFailed(Message):
        """The search failed (no usable index): `problem` says why."""

        def __init__(self, pending: Pending, problem: str) -> None:
            super().__init__()
            self.pending, self.problem = pending, problem

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.conversation = Conversation()
        self.turns: list[tuple[Turn, Answer]] = []

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
        question = event.value.strip()
        if not question:
            return
        box = self.query_one(HistoryInput)
        box.remember(question)
        box.value = ""
        turn = self.conversation.ask(question)
        asked = QuestionMessage(turn)
        pending = Pending()
        self.transcript.mount_all([asked, pending])
        self.call_after_refresh(self.transcript.scroll_to_widget, asked, top=True, animate=False)
        self.answer(turn, pending, asked)

    @work(thread=True, group="answer")
    def answer(self, turn: Turn, pending: Pending, asked: QuestionMessage) -> None:
        engine = self.engine
        try:
            answer = engine.search(turn.question, turn.query, TOP_K)
        except QAError as exc:
            self.post_message(self.SearchFailed(pending, str(exc)))
            return
        note = ""
        if answer.mode != "hybrid":
            note = (f": the model could not be loaded ({engine.model_error})" if engine.model_error
                    else ": the model was still loading")
        self.post_message(self.Answered(turn, answer, note, pending, asked))

    @on(SearchFailed)
    def _failed(self, message: SearchFailed) -> None:
        message.pending.remove()
        self.say(message.problem, "error")
        self.post_message(IndexProblem(message.problem))  # the app says what to do about it

    @on(Answered)
    async def _answered(self, message: Answered) -> None:
        self.turns.append((message.turn, message.answer))
        await self.transcript.mount(AnswerView(message.turn, message.answer, message.note), after=message.pending)
        await message.pending.remove()
        # the question at the top, its answer below it (once the cards have their height)
        self.call_after_refresh(self.transcript.scroll_to_widget, message.asked, top=True, animate=False)

    # -- actions -------------------------------------------------------------------------
    def action_focus_input(self) -> None:
        self.query_one(HistoryInput).focus()

    def action_focus_answers(self) -> None:
        views = self.query(AnswerView)
        if not views:
            self.app.bell()
            return
        cards = views.last().query(HitCard)
        if cards:
            cards.first().focus()
            cards.first().scroll_visible(animate=False)

    def action_new_topic(self) -> None:
        self.conversation.clear()
        self.say("— new topic: the next question is searched on its own —", "divider")

    def action_copy_answer(self) -> None:
        if not self.turns:
            self.notify("Nothing to copy yet: ask a question first.", severity="warning")
            return
        from qa.export import answer_text

        self.app.copy_to_clipboard(answer_text(self.turns[-1][1]))
        self.notify("Copied the last answer with its citations.")

    @on(HitCard.Copy)
    def copy_hit(self, event: HitCard.Copy) -> None:
        from qa.export import hit_text

        self.app.copy_to_clipboard(hit_text(event.hit))
        self.notify(f"Copied passage [{event.hit.rank}] with its citation.", markup=False)

    @on(HitCard.Selected)
    def open_hit(self, event: HitCard.Selected) -> None:
        self.app.push_screen(SourceScreen(event.hit.path, event.hit))

    def action_export(self) -> None:
        if not self.turns:
            self.notify("Nothing to export yet: ask a question first.", severity="warning")
            return
        from qa.export import conversation_markdown

        name = f"qa-conversation-{time.strftime('%Y%m%d-%H%M%S')}.md"
        try:
            Path(name).write_text(conversation_markdown(self.turns), encoding="utf-8")
        except OSError as exc:
            self.notify(f"Could not write {name}: {exc.strerror}", severity="error", markup=False)
            return
        self.notify(f"Saved the conversation to {os.path.abspath(name)}", title="Exported", markup=False)


class SourceScreen(Screen):
    """A whole article, scrolled to the cited passage; the passage and its sentence highlighted.
    The file is read and parsed in a worker: "loading…" stands in the article until it is."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", tooltip="Back to the chat, where it was"),
        Binding("c", "copy", "Copy passage", tooltip="Copy the cited passage with its citation"),
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

    def compose(self) -> ComposeResult:
        yield Header()
        title = self.hit.title if self.hit else os.path.basename(self.path)
        where = display_path(self.path) + (f", ¶ {self.hit.paragraph}" if self.hit else "")
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
        self.post_message(self.Loaded(read_article(self.path, self.hit)))

    @on(Loaded)
    async def show(self, message: Loaded) -> None:
        doc, problem = message.article.doc, message.article.problem
        article = self.query_one("#article", VerticalScroll)
        parts: list[Widget] = []
        if problem:
            parts.append(Notice(problem, "error"))
        if doc is not None:
            self.query_one("#source-title", Static).update(Content.assemble(("", ""), plain(doc.title)))
            parts += [self._paragraph(doc, p.number, p.start, p.end) for p in doc.paragraphs]
        elif self.hit:
            parts.append(Static(plain(self.hit.text), markup=False, classes="paragraph -passage"))
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
            from qa.export import hit_text

            self.app.copy_to_clipboard(hit_text(self.hit))
            self.notify("Copied the passage with its citation.")


class DocumentsScreen(Screen):
    """The indexed articles and their passage counts; Enter opens one."""

    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    class Loaded(Message):
        """The documents list, read by the worker (or why it could not be)."""

        def __init__(self, rows: list[tuple[str, str, int]], problem: str) -> None:
            super().__init__()
            self.rows, self.problem = rows, problem

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content("Indexed documents"), id="documents-title", markup=False)
        yield DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Passages", "Source", "Title")
        table.loading = True
        table.focus()
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
        table = self.query_one(DataTable)
        table.loading = False
        title = self.query_one("#documents-title", Static)
        if message.problem:
            title.update(plain(message.problem))
            return
        passages = sum(n for _, _, n in message.rows)
        title.update(plain(f"{len(message.rows)} indexed documents, {passages} passages — Enter opens one"))
        for doc_title, path, count in message.rows:
            # rich Text, not str: DataTable would parse a str as markup; a newline in a file name
            # would break the row, so control characters show as harmless ones
            table.add_row(Text(f"{count:>8}"), Text(visible(display_path(path), newlines=False)),
                          Text(visible(doc_title, newlines=False)), key=path)

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
        ]
        def row(keys: str, text: str) -> Horizontal:
            return Horizontal(Static(Content.styled(keys, "bold $accent"), markup=False, classes="keys"),
                              Static(Content(text), markup=False, classes="what"), classes="help-row")

        with VerticalScroll(id="help-body"):
            yield Static(Content.styled("Keys", "bold"), markup=False, classes="help-heading")
            yield row("Enter", "Ask the question typed in the box")
            for heading, bindings in sections:
                yield Static(Content.styled(heading, "bold underline"), markup=False, classes="help-heading")
                for binding in bindings:
                    if isinstance(binding, Binding):
                        yield row(", ".join(key_name(k) for k in binding.key.split(",")),
                                  binding.tooltip or binding.description)
            yield Static(Content.styled("Follow-up questions", "bold underline"), markup=False, classes="help-heading")
            yield Static(Content(
                "A question with he, she, it, they, this…, one starting \"what about\", or one of two key "
                "words or fewer is searched together with the names in the previous question (shown under "
                "it). Ctrl+N starts a new topic."), markup=False)
            yield Static(Content.assemble(("Ctrl+P", "bold $accent"), " opens the command palette with every "
                                          "action. Esc closes this help."), markup=False, classes="help-heading")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()


_KEY_NAMES = {"question_mark": "?", "escape": "Esc", "enter": "Enter", "up": "↑", "down": "↓", "tab": "Tab"}


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
            yield Label(Content("Add a file or folder of articles (.txt .md .html) to the index"), markup=False)
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
