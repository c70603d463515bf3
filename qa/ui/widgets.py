"""The chat's building blocks. Article and question text always goes into Content objects made
from plain strings (never markup), so "[bold]" or "[@click=…]" in an article shows literally."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Label, ProgressBar, Static

from qa import presenter
from qa.presenter import CUE_WORDS, score_level  # noqa: F401 (the score cue: qa/presenter.py)
from qa.retrieval.context import Turn
from qa.render import BIDI_CONTROLS, byline, count, paragraph_range
from qa.index.text import ANALYZER
from qa.ui.settings import UI

if TYPE_CHECKING:  # qa.search pulls in numpy, scipy and faiss: loaded in the background instead
    from qa.search import Answer, Hit

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BIDI = dict.fromkeys(BIDI_CONTROLS, "\ufffd")  # one set of bidi controls, the CLI's

#: style of the answering sentence (and of the passage, in the source view)
SENTENCE_STYLE = "bold reverse"
#: the second style: the question's words where a passage holds them
WORD_STYLE = "underline"
#: the answer phrase inside the answering sentence (qa/retrieval/answer_types.py)
ANSWER_STYLE = "bold underline italic"


def plain(text: str) -> Content:
    """Content showing `text` as it is: control characters become spaces and bidi controls "�"
    (one character for one, so offsets still hold; see qa.render.BIDI_CONTROLS)."""
    return Content(_CONTROL.sub(" ", text).translate(_BIDI))


def question_terms(query: str) -> frozenset[str]:
    """The search terms of a question (BM25 tokens: stemmed, no stop words)."""
    return ANALYZER.terms(query)


def term_spans(text: str, terms: frozenset[str], start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Where the words of text[start:end] that are question terms stand, relative to `start`
    ("155,000" is not "45,000"). The words are the analyzer's marks of the whole text, made once
    (the UI's engine makes them in its worker): nothing is tokenized here on a resize."""
    end = len(text) if end is None else end
    return [(s - start, e - start) for s, e, tokens in ANALYZER.marks(text)
            if start <= s and e <= end and tokens and tokens <= terms]


@dataclass(frozen=True)
class CardText:
    """What a card shows of its passage: text[start:end] (offsets into the passage text)."""

    start: int
    end: int
    total: int  # len(passage text)
    before: int  # sentences cut before and after
    after: int

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.end == self.total


def _shown(text: str) -> str:
    """A paragraph break shows as a line break, not a blank line (same length: offsets hold)."""
    return text.replace("\n\n", " \n")


def card_window(hit: Hit, width: int, max_lines: int) -> CardText:
    """The whole passage when it takes at most max_lines lines at `width`; else the highlighted
    sentence and the sentences around it, one after then one before, while they fit."""
    text = hit.text
    spans = ANALYZER.analyse(text).spans  # cached: the retrieval analysed every cited passage
    rel = hit.highlight_start - hit.start
    index = next((i for i, (s, e) in enumerate(spans) if s <= rel < e), None)
    last = next((i for i, (s, e) in enumerate(spans) if s < hit.highlight_end - hit.start <= e), index)

    def lines(start: int, end: int) -> int:
        return len(Content(_shown(text[start:end])).wrap(max(10, width - 2)))

    if index is None or lines(0, len(text)) <= max_lines:
        return CardText(0, len(text), len(text), 0, 0)
    lo = hi = index
    grew = True
    while grew:
        grew = False
        for a, b in ((lo, hi + 1), (lo - 1, hi)):
            if 0 <= a and b < len(spans) and lines(spans[a][0], spans[b][1]) <= max_lines:
                lo, hi, grew = a, b, True
    start = 0 if lo == 0 else spans[lo][0]
    end = len(text) if hi == len(spans) - 1 else spans[hi][1]
    return CardText(start, end, len(text), lo, len(spans) - 1 - hi)


def hidden_sentences(window: CardText) -> str:
    """"2 sentences before and 1 after": what a card's window leaves out."""
    parts = [(n, where) for n, where in ((window.before, "before"), (window.after, "after")) if n]
    if not parts:
        return "nothing"
    said = [f"{count(parts[0][0], 'sentence')} {parts[0][1]}"] + [f"{n} {where}" for n, where in parts[1:]]
    return " and ".join(said)


def passage_content(hit: Hit, terms: frozenset[str], window: CardText | None = None) -> Content:
    """The passage (or the window of it), the answering sentence highlighted, the question's
    words in the second style, "…" where cut."""
    text = hit.text
    window = window or CardText(0, len(text), len(text), 0, 0)
    cut_start, cut_end = window.start, window.end
    rel_start, rel_end = hit.highlight_start - hit.start, hit.highlight_end - hit.start
    body = plain(_shown(text[cut_start:cut_end])).stylize(SENTENCE_STYLE, rel_start - cut_start, rel_end - cut_start)
    for s, e in term_spans(text, terms, cut_start, cut_end):
        body = body.stylize(WORD_STYLE, s, e)
    if hit.answer is not None:  # the part of it the window shows
        a, b = max(hit.answer[0] - hit.start, cut_start), min(hit.answer[1] - hit.start, cut_end)
        if a < b:
            body = body.stylize(ANSWER_STYLE, a - cut_start, b - cut_start)
    parts: list[Content | str] = []
    if cut_start > 0:
        parts.append("… ")
    parts.append(body)
    if cut_end < len(text):
        parts.append(" …")
    return Content.assemble(*parts)


def excerpt(hit: Hit, around: int = 1) -> Content:
    """The answering sentence with `around` sentences either side, highlighted, "…" where cut."""
    spans = ANALYZER.analyse(hit.text).spans
    rel = hit.highlight_start - hit.start
    index = next((i for i, (s, e) in enumerate(spans) if s <= rel < e), None)
    last = next((i for i, (s, e) in enumerate(spans) if s < hit.highlight_end - hit.start <= e), index)
    if index is None:
        return passage_content(hit, frozenset())
    lo, hi = max(0, index - around), min(len(spans) - 1, index + around)
    start = 0 if lo == 0 else spans[lo][0]
    end = len(hit.text) if hi == len(spans) - 1 else spans[hi][1]
    return passage_content(hit, frozenset(), CardText(start, end, len(hit.text), lo, len(spans) - 1 - hi))


#: a line that ends as a sentence does (else it is a title or a caption)
_SENTENCE_END = re.compile(r"""[.!?…]["'”’)\]]*$""")


def body_sentences(hit: Hit) -> list[tuple[int, int]]:
    """The passage's sentences as a reader counts them: not its title line, nor caption or
    heading lines (lines that do not end as a sentence does)."""
    text, title = hit.text, hit.title.strip()
    lines = [m for m in re.finditer(r"[^\r\n]+", text)
             if m.group(0).strip() != title and _SENTENCE_END.search(m.group(0).rstrip())]
    return [(s, e) for s, e in ANALYZER.analyse(text).spans if any(m.start() <= s < m.end() for m in lines)]


#: the question's words a card's "why" line lists at most (a pasted paragraph holds dozens)
MAX_HELD_SHOWN = 8


def why_highlighted(hit: Hit, terms: frozenset[str]) -> Content:
    """Which sentence the card highlights and why: the question's words it holds."""
    text = hit.text
    spans = body_sentences(hit)
    rel = hit.highlight_start - hit.start
    index = next((i for i, (s, e) in enumerate(spans) if s <= rel < e), None)
    last = next((i for i, (s, e) in enumerate(spans) if s < hit.highlight_end - hit.start <= e), index)
    sentence = text[rel:hit.highlight_end - hit.start]
    held: list[str] = []
    for s, e in term_spans(text, terms, rel, hit.highlight_end - hit.start):
        word = sentence[s:e]
        if word.casefold() not in (w.casefold() for w in held):
            held.append(word)
    where = f"sentence {index + 1} of {len(spans)}" if index is not None and len(spans) > 1 else "the sentence"
    if index is not None and last is not None and last > index:  # sentences pasted as the query
        where = f"sentences {index + 1}–{last + 1} of {len(spans)}"
    if not held:
        return Content.assemble((f"{where} highlighted: nearest in meaning (it holds none of the question's words)", "dim"))
    parts: list[Content | str | tuple[str, str]] = [(f"{where} highlighted: it holds ", "dim")]
    for i, word in enumerate(held[:MAX_HELD_SHOWN]):
        if i:
            parts.append((", ", "dim"))
        parts.append(Content.styled(plain(word).plain, f"{WORD_STYLE} bold"))
    if len(held) > MAX_HELD_SHOWN:  # a pasted paragraph holds them all: the list would fill the card
        parts.append((f" … ({len(held)} of the question's words)", "dim"))
    return Content.assemble(*parts)


def answer_header(answer: Answer, order: str = "") -> str:
    """"3 passages from 2 articles": how many places the answer stands in (and in what order:
    the "order" notice, when not by relevance)."""
    passages = len(answer.hits)
    articles = len({hit.path for hit in answer.hits})
    said = f"{count(passages, 'passage')} from {count(articles, 'article')}"
    return f"{said}, {order}" if order else said


class HistoryInput(Input):
    """The question box: Up and Down recall earlier questions, as in a shell."""

    BINDINGS = [
        Binding("up", "history(-1)", "Earlier question", show=False, tooltip="Recall the previous question"),
        Binding("down", "history(1)", "Later question", show=False, tooltip="Recall the next question"),
        Binding("tab", "screen.focus_answers", "Go to the answers", show=False, tooltip="Move to the cards of the last answer"),
    ]

    def __init__(self, **kwargs: object) -> None:
        # select_on_focus off: text typed on a card is put here and the box then focused; selecting
        # it all would make the next key replace it ("Which" became "hich")
        super().__init__(select_on_focus=False, max_length=UI.question_max_chars, **kwargs)
        self.history: list[str] = []
        self._position = 0
        self._draft = ""
        self.told_cut = False  # the user was told the box is full (once until it has room again)

    async def key_ctrl_j(self) -> None:
        """Enter typed while qa starts, before the terminal is in raw mode, arrives as a line feed
        (the tty turned CR into LF), which Textual reads as Ctrl+J: it asks the question too (a
        key handler, not a binding: the help lists no second Enter)."""
        await self.action_submit()

    async def on_key(self, event: events.Key) -> None:
        """Enter is taken here, in turn with the keys typed before and after it: as a binding it
        ran only once the key had bubbled up to the app, after the box had taken the next keys
        (a conversation typed fast became "...die ofwhen was the diagnosis")."""
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()

    async def action_submit(self) -> None:
        """The question leaves the box (and joins the history) now, not when the chat handles it:
        keys typed right after go into an empty box, not onto the question or away with it."""
        question = self.value
        if question.strip():
            self.remember(question.strip())
            self.value = ""
        validation = self.validate(question) if "submitted" in self.validate_on else None
        # to the screen itself: posted here it would queue behind the keys typed after Enter, and
        # a Ctrl+N among them, bubbling up, would reach the screen before the question did
        self.screen.post_message(self.Submitted(self, question, validation))

    def insert_bounded(self, text: str) -> None:
        """Insert text at the cursor (over the selection), as much as the box holds; say so if cut."""
        start, end = sorted(self.selection)
        room = max(0, self.max_length - (len(self.value) - (end - start)))
        if len(text) > room:
            text = text[:room]
            self.restricted()
        if text:
            self.replace(text, start, end)

    def restricted(self) -> None:
        """Text did not fit (Textual's hook; it rings the bell): tell the user once, not per key,
        and on the box's border too: a flood of keys can keep the app busy past a toast's timeout."""
        if not self.told_cut:
            self.told_cut = True
            self.border_subtitle = f"cut at {self.max_length} characters"
            self.notify(f"A question holds at most {self.max_length} characters: the rest was cut.",
                        title="Question cut", severity="warning", timeout=10, markup=False)

    def watch_value(self, value: str) -> None:
        if len(value) < self.max_length and self.told_cut:
            self.told_cut = False
            self.border_subtitle = ""

    def on_paste(self, event: events.Paste) -> None:
        # before Input's own paste (which drops a paste that does not fit whole): lines joined, cut to fit
        event.prevent_default()
        event.stop()
        self.insert_bounded(" ".join(line for line in event.text.splitlines() if line.strip()))

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
    """A question in the transcript, shown at once; once decided (`decided`, by the answer
    worker), with the words it borrowed from earlier questions."""

    def __init__(self, question: str, number: int = 0) -> None:
        super().__init__(Content.assemble(("› ", "bold"), *self.shown(question)), markup=False)
        self.question = question
        self.number = number  # the chat's count of questions asked before it
        self.turn: Turn | None = None

    @staticmethod
    def shown(question: str) -> tuple:
        """The question as the chat shows it: whole, or a long one (a pasted paragraph) cut at a
        word before `question_shown_chars`, its length said, so its answer is in view below it."""
        limit = UI.question_shown_chars
        if len(question) <= limit:
            return (plain(question),)
        cut = question[:limit].rsplit(" ", 1)[0] if " " in question[:limit] else question[:limit]
        return plain(cut.rstrip()), (f" … ({len(question):,} characters)", "dim")

    def decided(self, turn: Turn) -> None:
        self.turn = turn
        if turn.follow_up:
            self.update(Content.assemble(("› ", "bold"), *self.shown(turn.question), "\n",
                                         ("  follow-up, also searched for: ", "dim italic"),
                                         (" ".join(turn.context), "dim")))


class Notice(Static):
    """A line of the app speaking (not an article): errors, 'not found', 'keyword search only'."""

    def __init__(self, text: str, kind: str = "info") -> None:
        super().__init__(plain(text), markup=False, classes=f"notice -{kind}")


class HitCard(Widget, can_focus=True):
    """One cited passage: the whole passage when it fits, else the highlighted sentence and the
    sentences around it (→ or a click on the "more" line shows the whole). Enter (or a click
    elsewhere) opens the article at the passage. No printable key is bound here: typing on a
    card goes on with the question (the app routes it to the question box)."""

    BINDINGS = [
        Binding("enter", "open", "Open", tooltip="Open the article at this passage (or click the card)"),
        Binding("right", "expand(True)", "Whole passage", show=False, tooltip="Show the whole passage in the card (← shows less)"),
        Binding("left", "expand(False)", "Less", show=False, tooltip="Show the highlighted sentence and what fits around it"),
        Binding("ctrl+c", "copy", "Copy", show=False, tooltip="Copy this passage with its citation"),
        Binding("ctrl+e", "open_outside", "Pager", show=False, tooltip="Open the file in $PAGER (or $EDITOR) at the passage"),
        Binding("up", "move(-1)", "Previous", show=False, tooltip="Previous card"),
        Binding("down", "move(1)", "Next", show=False, tooltip="Next card"),
        Binding("escape", "screen.focus_input", "Back to question", show=False, tooltip="Back to the question box (or just type)"),
    ]

    expanded: reactive[bool] = reactive(False)

    class Selected(Message):
        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    class Copy(Message):
        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    class Fitted(Message):
        """The card fitted its passage to a new width (its height may have changed)."""

        def __init__(self, card: HitCard) -> None:
            super().__init__()
            self.card = card

    class OpenOutside(Message):
        """Open the passage's file in an external pager or editor."""

        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    def __init__(self, hit: Hit, top: Hit, query: str = "") -> None:
        super().__init__(classes="-weak" if hit.weak else "")
        self.hit = hit
        self.top = top
        self.terms = question_terms(query)
        self.window: CardText | None = None  # what the passage line shows (set once the width is known)
        self._width = 0
        self._lines = UI.card_max_lines

    def compose(self) -> ComposeResult:
        """Title; where it is (its marks, the score cue and its word); the byline and the passage's
        notice lines (qa/presenter.py, the words `qa ask` prints); why this sentence; the passage."""
        hit = self.hit
        level = score_level(hit, self.top)
        said = presenter.hit_notices(hit, self.top)
        yield Static(Content.assemble((f"[{hit.rank}] ", "bold"), plain(hit.title)), markup=False, classes="title")
        yield Static(self._where(said, level), markup=False, classes="where")
        lines = [n.text for n in said if n.kind not in presenter.MARK_KINDS and n.kind != presenter.CUE_KIND]
        about = [part for part in (byline(hit.date, hit.author, hit.site), *lines) if part]
        if about:  # when the article states its date, author or site, and where the story ran too
            yield Static(plain(" · ".join(about)), markup=False, classes="why")
        yield Static(why_highlighted(hit, self.terms), markup=False, classes="why")
        yield Static(passage_content(hit, self.terms), markup=False, classes="passage")
        yield Static("", markup=False, classes="more")

    def _where(self, said: list, level: int, width: int = 0) -> Content:
        """"— file (marks), p. N, ¶ N–M   ▰▰▱▱▱ word": within `width`, the file's path is cut from
        the left ("…/desk/story.txt"), so a deep folder never hides the file name, ¶ and score."""
        hit = self.hit
        marks = "".join(f" ({n.text})" for n in said if n.kind in presenter.MARK_KINDS)
        cue_word = "".join(f" {n.text}" for n in said if n.kind == presenter.CUE_KIND)
        page = f"p. {hit.page}, " if hit.page else ""
        rest = f", {page}{paragraph_range(hit)}   "
        source = plain(hit.source).plain
        room = width - len("— ") - len(marks) - len(rest) - 5 - len(cue_word)
        if width and len(source) > room:
            source = "…" + source[len(source) - max(room, 12) + 1:]
        return Content.assemble("— ", plain(source), (marks, "dim") if marks else ("", ""), rest,
                                ("▰" * level, "$text-success" if not hit.weak else ""), ("▱" * (5 - level), "dim"),
                                (cue_word, "dim"))

    def on_resize(self, event: events.Resize) -> None:
        self.refit()

    def refit(self) -> None:
        """Fit the passage (and the citation line) again if the card's width or the chat's height changed."""
        width = self.query_one(".passage").content_size.width
        lines = self._line_budget()
        if width and (width, lines) != (self._width, self._lines):
            self._width, self._lines = width, lines
            self.query_one(".where", Static).update(
                self._where(presenter.hit_notices(self.hit, self.top), score_level(self.hit, self.top), width))
            self._show()
            self.post_message(self.Fitted(self))

    def _line_budget(self) -> int:
        """Lines the passage may take: the setting, and no more than fits on screen under its question."""
        node = self.parent
        while node is not None and not isinstance(node, ScrollableContainer):
            node = node.parent
        height = node.scrollable_content_region.height if isinstance(node, Widget) else self.screen.size.height
        return max(3, min(UI.card_max_lines, height - UI.card_overhead_lines))

    def watch_expanded(self) -> None:
        self._show()

    def _show(self) -> None:
        """Fit the passage to the card's width: whole, or a window around its highlighted sentence."""
        if not self._width:
            return
        hit = self.hit
        fitted = card_window(hit, self._width, self._lines)
        self.window = CardText(0, len(hit.text), len(hit.text), 0, 0) if self.expanded else fitted
        self.query_one(".passage", Static).update(passage_content(hit, self.terms, self.window))
        more = self.query_one(".more", Static)
        if not fitted.whole and not self.expanded:
            more.update(Content.styled(f"▸ {hidden_sentences(fitted)} not shown: → or click here for the whole "
                                       "passage", "dim"))
        elif self.expanded and not fitted.whole:
            more.update(Content.styled("◂ ← or click here for less", "dim"))
        else:
            more.update("")
        more.display = not fitted.whole

    def on_click(self, event: events.Click) -> None:
        if event.widget is not None and event.widget.has_class("more"):
            self.expanded = not self.expanded
            return
        self.post_message(self.Selected(self.hit))

    def action_open(self) -> None:
        self.post_message(self.Selected(self.hit))

    def action_expand(self, whole: bool) -> None:
        self.expanded = whole

    def action_copy(self) -> None:
        self.post_message(self.Copy(self.hit))

    def action_open_outside(self) -> None:
        self.post_message(self.OpenOutside(self.hit))

    def action_move(self, step: int) -> None:
        cards = list(self.screen.query(HitCard))
        index = cards.index(self) + step
        if 0 <= index < len(cards):
            self.screen.set_focus(cards[index], scroll_visible=False)  # now: the next key goes there
            cards[index].scroll_visible(animate=False)


@dataclass(frozen=True)
class AnswerWords:
    """What an answer's view reads of words, worked out by the answer worker (issue #23: nothing
    tokenized on the event loop): its notices, the words searched (not the slips). The cards'
    question terms and the passages' sentences and word marks are left in the analyzer's caches."""

    notices: list[presenter.Notice]
    searched: str


def answer_words(turn: Turn, answer: Answer, model_note: str = "") -> AnswerWords:
    """The words an AnswerView shows; call it where the answer was found (a worker)."""
    searched = presenter.as_searched(turn.query, answer.corrected)
    question_terms(searched)
    for hit in answer.hits:  # the cards' windows, "why" lines and underlined words read these
        ANALYZER.analyse(hit.text)
        ANALYZER.marks(hit.text)
    return AnswerWords(presenter.answer_notices(answer, turn.query, model_note), searched)


class AnswerView(Widget):
    """An answer: a header saying where it stands ("3 passages from 2 articles"), its notices,
    then one card per passage."""

    def __init__(self, turn: Turn, answer: Answer, model_note: str = "", words: AnswerWords | None = None) -> None:
        super().__init__()
        self.turn = turn
        self.answer = answer
        self.words = words or answer_words(turn, answer, model_note)

    def compose(self) -> ComposeResult:
        """The answer's notices (qa/presenter.py, the words `qa ask` prints), the order in the header."""
        answer = self.answer
        said = self.words.notices
        for notice in said:
            if notice.kind != "order":
                yield Notice(notice.text, "missing" if notice.kind == "missing" else "mode")
        if answer.hits:
            order = "".join(n.text for n in said if n.kind == "order")
            yield Static(Content.styled(answer_header(answer, order), "dim"), markup=False, classes="answer-header")
        for hit in answer.hits:
            yield HitCard(hit, answer.hits[0], self.words.searched)


class Pending(Static):
    """Stands where an answer will appear while it is being searched."""

    def __init__(self) -> None:
        super().__init__(Content("searching…"), markup=False, classes="notice -pending")


def short_path(path: str, cwd: str | None = None, home: str | None = None) -> str:
    """A folder as the status line names it: relative and ending in "/" inside the working folder
    ("index/"), else from "~" inside the home folder, else its last two parts ("…/qa/index")."""
    cwd = os.getcwd() if cwd is None else cwd
    home = os.path.expanduser("~") if home is None else home
    path = os.path.abspath(path)
    if path.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(path, cwd) + os.sep
    if home not in ("", os.sep) and path.startswith(home.rstrip(os.sep) + os.sep):
        return "~" + path[len(home.rstrip(os.sep)):]
    parts = [part for part in path.split(os.sep) if part]
    return path if len(parts) <= 3 else "…" + os.sep + os.sep.join(parts[-2:])


class StatusLine(Widget):
    """One line: search mode (model state), index size, which index is open, and pending changes
    in the sources (or a source folder that is away)."""

    mode: reactive[str] = reactive("")
    mode_kind: reactive[str] = reactive("info")
    stats: reactive[str] = reactive("")
    index: reactive[str] = reactive("")
    changes: reactive[str] = reactive("")

    def render(self) -> Content:
        """The warning of pending changes right after the mode: at 80 columns the end of the line
        (the open index's path) is what is cut, never "sources changed: …, Ctrl+R syncs"."""
        style = {"ok": "bold $success", "warn": "bold $warning", "info": "$text-muted"}.get(self.mode_kind, "")
        parts: list[Content | str | tuple[str, str]] = [(self.mode, style)]
        if self.changes:
            parts += [" · ", (self.changes, "bold $warning")]
        if self.stats:
            parts += [" · ", plain(self.stats)]
        if self.index:
            parts += [" · ", plain(f"index {self.index}").stylize("$text-muted")]
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
