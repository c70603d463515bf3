"""Printing answers for people on the command line, with rich: the words of every notice come
from qa/presenter.py (the UI shows the same ones); this module only lays them out and colours them.

Article text is wrapped in rich Text objects and never parsed as markup, so "[bold]" in an
article prints as those characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from qa.presenter import CUE_KIND, MARK_KINDS, answer_notices, citation_marks, hit_notices
# the notices' words are qa/presenter.py's; these names stay importable from here
from qa.presenter import (answer_phrase, as_searched, copies_line, differ_line, filters_line,  # noqa: F401
                          looked_for, order_line, support_line)
from qa.wording import count, noun  # noqa: F401 (the UI words its counts through render)

if TYPE_CHECKING:  # types only: the UI imports this module at start-up, before numpy and faiss
    from qa.search import Answer, Hit

_console: Console | None = None

# Control characters (ESC above all) would reach the terminal raw and could move the cursor,
# recolour or retitle it; each is shown as one replacement character, so offsets still hold.
# So are the bidi embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069): in a
# terminal that reorders text they would turn the rest of the line around ("Trojan Source"), so
# a title "\u202eevil.txt" could pass for another file. Right-to-left letters themselves are kept.
BIDI_CONTROLS = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_CONTROLS = {c: "\ufffd" for c in [*range(0, 9), *range(11, 32), *range(127, 160), *BIDI_CONTROLS]}
_CONTROLS_AND_NEWLINES = {**_CONTROLS, 9: " ", 10: " ", 13: " "}
_LONE_CR = re.compile(r"\r(?!\n)")
#: a character visible() would change: a text without one (nearly every passage) is returned as
#: it is, since str.translate with a dict looks every character up in Python (~40 % of a piped
#: text answer's CPU, once a passage's text and citation)
_CHANGED = re.compile("[" + "".join(map(chr, sorted(_CONTROLS))) + "]")
_CHANGED_OR_NEWLINE = re.compile("[" + "".join(map(chr, sorted(_CONTROLS_AND_NEWLINES))) + "]")


def visible(text: str, newlines: bool = True) -> str:
    """The text with control characters made harmless (newlines kept unless newlines=False;
    a CR line end shows as a line break, one character for one so highlight offsets hold)."""
    if newlines:
        if not _CHANGED.search(text):
            return text
        return _LONE_CR.sub("\n", text).replace("\r", " ").translate(_CONTROLS)
    if not _CHANGED_OR_NEWLINE.search(text):
        return text
    return text.translate(_CONTROLS_AND_NEWLINES)


def console() -> Console:
    global _console
    if _console is None:
        _console = Console(highlight=False)
        # piped output is not wrapped at 80 columns: each passage stays one logical line
        _console.soft_wrap = not _console.is_terminal
    return _console


def paragraph_range(hit: Hit) -> str:
    """"¶ 3" or "¶ 1–4": the paragraphs a passage spans, as every view cites them."""
    return f"¶ {hit.paragraph}" if hit.paragraph == hit.paragraph_end else f"¶ {hit.paragraph}–{hit.paragraph_end}"


def citation(hit: Hit) -> str:
    """'[1] Title — file (its marks), p. 2, ¶ 3, chars 10–90 — date · author · site'."""
    page = f"p. {hit.page}, " if hit.page else ""
    away = "".join(f" ({mark.text})" for mark in citation_marks(hit))
    about = byline(hit.date, hit.author, hit.site)
    return visible(f"[{hit.rank}] {hit.title} — {hit.source}{away}, {page}{paragraph_range(hit)}, chars {hit.start}–{hit.end}"
                   + (f" — {about}" if about else ""), newlines=False)


def byline(date: str | None, author: str | None, site: str | None) -> str:
    """'12 Mar 2024 · Omar Haddad · The Coast Courier', the parts known ('' when none is)."""
    from qa.retrieval.filters import human_date

    parts = [human_date(date) if date else None, author, site]
    return " · ".join(p for p in parts if p)


#: around the highlighted sentence on a terminal that shows no styles (TERM=dumb: Emacs' M-x
#: shell), where bold and reverse are dropped and nothing would say which sentence answers
PLAIN_MARKS = ("**", "**")


@dataclass(frozen=True)
class Line:
    """One line print_answer prints (a passage's text is one line): its characters, made visible
    already, its style and its styled spans (style, start, end). Piped without colours only the
    characters are written, so no rich Text is made (each re-checks its text for control
    characters, one Python look-up a character: ~40 % of a piped answer's CPU)."""

    text: str
    style: str = ""
    spans: tuple[tuple[str, int, int], ...] = ()

    def rich(self) -> Text:
        out = Text(self.text, style=self.style)
        for style, start, end in self.spans:
            out.stylize(style, start, end)
        return out


def passage_line(hit: Hit, dim: bool = False, dumb: bool = False) -> Line:
    """The passage, its highlighted sentence in bold (reversed unless dim) and the answer phrase
    in it underlined (styles show on a terminal only; on a terminal without styles, dumb: TERM=dumb,
    the sentence is set between PLAIN_MARKS)."""
    body, a, b = visible(hit.text), hit.highlight_start - hit.start, hit.highlight_end - hit.start
    if dumb:
        return Line(body[:a] + PLAIN_MARKS[0] + body[a:b] + PLAIN_MARKS[1] + body[b:])
    spans = [("bold reverse" if not dim else "bold", a, b)]
    if hit.answer is not None:
        spans.append(("underline", hit.answer[0] - hit.start, hit.answer[1] - hit.start))
    return Line(body, "dim" if dim else "", tuple(spans))


def print_answer(answer: Answer) -> None:
    """The question, the answer's notices (qa/presenter.py), then each passage: its citation with
    its marks and score (and the score in words), its notice lines, its text. Piped without
    colours, the same characters are written without rich's rendering (~1.2 ms a question)."""
    out = console()
    terminal = out.is_terminal
    lines = answer_lines(answer, dumb=terminal and out.is_dumb_terminal)
    # rich's Text drops a few control characters visible() has already replaced, so a line's
    # characters are its Text's plain text; tabs are the rewrite left
    if terminal or out.color_system is not None or any(_RICH_REWRITES.search(line.text) for line in lines):
        for line in lines:
            out.print(line.rich())
        return
    out.file.write("".join(line.text + "\n" for line in lines))
    out.file.flush()


#: what rich changes in a Text it prints, even piped: tabs expanded to columns, these control
#: characters dropped (visible() has made every other one harmless)
_RICH_REWRITES = re.compile("[\t\x07\x08\x0b\x0c\r]")


def answer_lines(answer: Answer, dumb: bool = False) -> list[Line]:
    """What print_answer prints, one Line a line ("" a blank line); dumb: see passage_line."""
    lines = [Line(f"Q: {visible(answer.question, newlines=False)}", "bold cyan")]
    for notice in answer_notices(answer):
        lines.append(Line(visible(notice.text, newlines=False), "yellow" if notice.warning else "dim"))
    for hit in answer.hits:
        said = [n for n in hit_notices(hit, answer.hits[0]) if n.kind not in MARK_KINDS]  # marks: citation()
        cue = "".join(f", {n.text}" for n in said if n.kind == CUE_KIND)
        lines.append(Line(citation(hit) + f"  (score {hit.score:.3f}{cue})", "dim" if hit.weak else "bold"))
        for notice in said:
            if notice.kind != CUE_KIND:
                lines.append(Line(visible(notice.text, newlines=False), "dim"))
        lines += [passage_line(hit, dim=hit.weak, dumb=dumb), Line("")]
    return lines
