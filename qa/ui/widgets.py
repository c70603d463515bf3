"""The chat's building blocks. Article and question text always goes into Content objects made
from plain strings (never markup), so "[bold]" or "[@click=…]" in an article shows literally."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Label, ProgressBar, Static

from qa.context import Turn
from qa.sentences import sentence_spans
from qa.settings import DEFAULT_SETTINGS

if TYPE_CHECKING:  # qa.search pulls in numpy, scipy and faiss: loaded in the background instead
    from qa.search import Answer, Hit

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

#: style of the answering sentence (and of the passage, in the source view)
SENTENCE_STYLE = "bold reverse"


def plain(text: str) -> Content:
    """Content showing `text` as it is: control characters become spaces so offsets still hold."""
    return Content(_CONTROL.sub(" ", text))




def score_level(hit: Hit, top: Hit) -> int:
    """0-5 for the score cue. With the model: the hit's score, the one the cards are ordered by
    (keywords, meaning and its best sentence), so a card never shows more bars than the one above
    it; by keywords only: the BM25 score relative to the best."""
    if hit.dense_score is not None:  # calibrated on the ranking score's scale: qa/settings.py
        return max(0, min(5, int((hit.score - DEFAULT_SETTINGS.cue_floor) / DEFAULT_SETTINGS.cue_step)))
    if top.bm25_score <= 0:
        return 0
    return max(0, min(5, round(5 * hit.bm25_score / top.bm25_score)))


#: the score cue in words, by level
CUE_WORDS = ("no match", "faint", "weak", "fair", "good", "strong")


def excerpt(hit: Hit, around: int = 1) -> Content:
    """The answering sentence with `around` sentences either side, highlighted, "…" where cut."""
    text = hit.text
    rel_start, rel_end = hit.highlight_start - hit.start, hit.highlight_end - hit.start
    spans = sentence_spans(text)
    index = next((i for i, (s, e) in enumerate(spans) if s <= rel_start < e), None)
    if index is None:
        cut_start, cut_end = 0, len(text)
    else:
        cut_start = spans[max(0, index - around)][0]
        cut_end = spans[min(len(spans) - 1, index + around)][1]
        if cut_start <= 0:
            cut_start = 0
        if cut_end >= len(text.rstrip()):
            cut_end = len(text)
    # a paragraph break shows as a line break, not a blank line (same length: offsets hold)
    body = plain(text[cut_start:cut_end].replace("\n\n", " \n")).stylize(SENTENCE_STYLE, rel_start - cut_start, rel_end - cut_start)
    parts: list[Content | str] = []
    if cut_start > 0:
        parts.append("… ")
    parts.append(body)
    if cut_end < len(text):
        parts.append(" …")
    return Content.assemble(*parts)


class HistoryInput(Input):
    """The question box: Up and Down recall earlier questions, as in a shell."""

    BINDINGS = [
        Binding("up", "history(-1)", "Earlier question", show=False, tooltip="Recall the previous question"),
        Binding("down", "history(1)", "Later question", show=False, tooltip="Recall the next question"),
        Binding("tab", "screen.focus_answers", "Go to the answers", show=False, tooltip="Move to the cards of the last answer"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._position = 0
        self._draft = ""

    def remember(self, question: str) -> None:
        if not self.history or self.history[-1] != question:
            self.history.append(question)
        self._position = len(self.history)
        self._draft = ""

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._position == len(self.history):
            self._draft = self.value
        self._position = max(0, min(len(self.history), self._position + step))
        self.value = self._draft if self._position == len(self.history) else self.history[self._position]
        self.cursor_position = len(self.value)


class QuestionMessage(Static):
    """A question in the transcript, with the words it borrowed from earlier questions."""

    def __init__(self, turn: Turn) -> None:
        text = Content.assemble(("› ", "bold"), plain(turn.question))
        if turn.follow_up:
            text = Content.assemble(text, "\n", ("  follow-up, also searched for: ", "dim italic"),
                                    (" ".join(turn.context), "dim"))
        super().__init__(text, markup=False)
        self.turn = turn


class Notice(Static):
    """A line of the app speaking (not an article): errors, 'not found', 'keyword search only'."""

    def __init__(self, text: str, kind: str = "info") -> None:
        super().__init__(plain(text), markup=False, classes=f"notice -{kind}")


class HitCard(Widget, can_focus=True):
    """One cited passage. Enter (or a click) opens the article at the passage."""

    BINDINGS = [
        Binding("enter", "open", "Open", tooltip="Open the article at this passage (or click the card)"),
        Binding("c", "copy", "Copy", show=False, tooltip="Copy this passage with its citation"),
        Binding("up,k", "move(-1)", "Previous", show=False, tooltip="Previous card"),
        Binding("down,j", "move(1)", "Next", show=False, tooltip="Next card"),
        Binding("escape", "screen.focus_input", "Back to question", show=False, tooltip="Back to the question box (or just type)"),
    ]

    class Selected(Message):
        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    class Copy(Message):
        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    def __init__(self, hit: Hit, top: Hit) -> None:
        super().__init__(classes="-weak" if hit.weak else "")
        self.hit = hit
        self.top = top

    def compose(self) -> ComposeResult:
        hit = self.hit
        paragraphs = f"¶ {hit.paragraph}" if hit.paragraph == hit.paragraph_end else f"¶ {hit.paragraph}–{hit.paragraph_end}"
        level = score_level(hit, self.top)
        yield Static(Content.assemble((f"[{hit.rank}] ", "bold"), plain(hit.title)), markup=False, classes="title")
        # with the model the cue is the ranking score; by keywords only it is relative to the
        # best passage, so it gets no word
        cue_word = f" {CUE_WORDS[level]}" if hit.dense_score is not None else ""
        yield Static(Content.assemble("— ", plain(hit.source), f", {paragraphs}   ",
                                      ("▰" * level, "$text-success" if not hit.weak else ""), ("▱" * (5 - level), "dim"),
                                      (cue_word, "dim")),
                     markup=False, classes="where")
        yield Static(excerpt(hit), markup=False, classes="passage")

    def on_click(self, event: events.Click) -> None:
        self.post_message(self.Selected(self.hit))

    def action_open(self) -> None:
        self.post_message(self.Selected(self.hit))

    def action_copy(self) -> None:
        self.post_message(self.Copy(self.hit))

    def action_move(self, step: int) -> None:
        cards = list(self.screen.query(HitCard))
        index = cards.index(self) + step
        if 0 <= index < len(cards):
            cards[index].focus()
            cards[index].scroll_visible(animate=False)

    def on_key(self, event: events.Key) -> None:
        # typing on a card goes on with the question
        if event.is_printable and event.character and event.character not in "ckj?":
            event.stop()
            box = self.screen.query_one(HistoryInput)
            box.focus()
            box.insert_text_at_cursor(event.character)


class AnswerView(Widget):
    """An answer: its notices, then one card per passage."""

    def __init__(self, turn: Turn, answer: Answer, model_note: str = "") -> None:
        super().__init__()
        self.turn = turn
        self.answer = answer
        self.model_note = model_note

    def compose(self) -> ComposeResult:
        answer = self.answer
        if answer.mode != "hybrid":
            yield Notice(f"keyword search only{self.model_note}", "mode")
        if not answer.answered:
            yield Notice("Not found in the indexed articles." + (" Nearest passages:" if answer.hits else ""),
                         "missing")
        for hit in answer.hits:
            yield HitCard(hit, answer.hits[0])


class Pending(Static):
    """Stands where an answer will appear while it is being searched."""

    def __init__(self) -> None:
        super().__init__(Content("searching…"), markup=False, classes="notice -pending")


class StatusLine(Widget):
    """One line: search mode (model state), index size, and pending changes in the sources."""

    mode: reactive[str] = reactive("")
    mode_kind: reactive[str] = reactive("info")
    stats: reactive[str] = reactive("")
    changes: reactive[str] = reactive("")

    def render(self) -> Content:
        style = {"ok": "bold $success", "warn": "bold $warning", "info": "$text-muted"}.get(self.mode_kind, "")
        parts: list[Content | str | tuple[str, str]] = [(self.mode, style)]
        if self.stats:
            parts += [" · ", plain(self.stats)]
        if self.changes:
            parts += [" · ", (self.changes, "bold $warning")]
        return Content.assemble(*parts)


class ReindexBar(Horizontal):
    """The progress of a reindex; hidden when none is running."""

    def compose(self) -> ComposeResult:
        yield Label(Content("reindexing"), id="reindex-phase", markup=False)
        yield ProgressBar(id="reindex-progress", show_eta=False)

    def show(self, phase: str, done: int, total: int) -> None:
        self.display = True
        self.query_one("#reindex-phase", Label).update(Content(f"{phase} "))
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
