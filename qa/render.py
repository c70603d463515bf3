"""Printing answers for people on the command line, with rich.

Article text is wrapped in rich Text objects and never parsed as markup, so "[bold]" in an
article prints as those characters.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.text import Text

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: the UI imports this module at start-up, before numpy and faiss
    from qa.search import Answer, Hit

_console: Console | None = None

# Control characters (ESC above all) would reach the terminal raw and could move the cursor,
# recolour or retitle it; each is shown as one replacement character, so offsets still hold.
_CONTROLS = {c: "\ufffd" for c in [*range(0, 9), *range(11, 32), *range(127, 160)]}
_CONTROLS_AND_NEWLINES = {**_CONTROLS, 9: " ", 10: " ", 13: " "}
_LONE_CR = re.compile(r"\r(?!\n)")


def visible(text: str, newlines: bool = True) -> str:
    """The text with control characters made harmless (newlines kept unless newlines=False;
    a CR line end shows as a line break, one character for one so highlight offsets hold)."""
    if newlines:
        return _LONE_CR.sub("\n", text).replace("\r", " ").translate(_CONTROLS)
    return text.translate(_CONTROLS_AND_NEWLINES)


def console() -> Console:
    global _console
    if _console is None:
        _console = Console(highlight=False)
        # piped output is not wrapped at 80 columns: each passage stays one logical line
        _console.soft_wrap = not _console.is_terminal
    return _console


def byline(date: str | None, author: str | None, site: str | None) -> str:
    """'12 Mar 2024 · Omar Haddad · The Coast Courier', the parts known ('' when none is)."""
    from qa.retrieval.filters import human_date

    parts = [human_date(date) if date else None, author, site]
    return " · ".join(p for p in parts if p)


def citation(hit: Hit) -> str:
    paragraphs = f"¶ {hit.paragraph}" if hit.paragraph == hit.paragraph_end else f"¶ {hit.paragraph}–{hit.paragraph_end}"
    about = byline(hit.date, hit.author, hit.site)
    return visible(f"[{hit.rank}] {hit.title} — {hit.source}, {paragraphs}, chars {hit.start}–{hit.end}"
                   + (f" — {about}" if about else ""), newlines=False)


def copies_line(hit: Hit) -> str:
    """'also carried by: b.txt (12 Mar 2024), c.html' for a story's other copies ('' when none)."""
    from qa.retrieval.filters import human_date

    named = [c.source + (f" ({human_date(c.date)})" if c.date else "") for c in hit.duplicates]
    return visible("also carried by: " + ", ".join(named), newlines=False) if named else ""


def filters_line(answer: Answer) -> str:
    """'Filtered: since 1 Jan 2024 · source reuters; 3 undated documents left out' ('' unfiltered)."""
    from qa.retrieval.filters import describe

    if not answer.filters:
        return ""
    line = "Filtered: " + describe(answer.filters)
    undated = answer.filters.get("undated_excluded", 0)
    if undated:
        line += f"; {undated} document{'s' if undated != 1 else ''} without a known date left out"
    return visible(line, newlines=False)


def passage_text(hit: Hit, dim: bool = False) -> Text:
    text = Text(visible(hit.text), style="dim" if dim else "")
    text.stylize("bold reverse" if not dim else "bold", hit.highlight_start - hit.start, hit.highlight_end - hit.start)
    return text


def print_answer(answer: Answer) -> None:
    out = console()
    out.print(Text(f"Q: {visible(answer.question, newlines=False)}", style="bold cyan"))
    if not answer.answered:
        out.print(Text("Not found in the indexed articles." + (" Nearest passages:" if answer.hits else ""),
                       style="yellow"))
    if answer.mode != "hybrid":
        out.print(Text(f"({answer.mode} search only)", style="dim"))
    if answer.filters:
        out.print(Text(filters_line(answer), style="dim"))
    for hit in answer.hits:
        out.print(Text(citation(hit) + f"  (score {hit.score:.3f})", style="dim" if hit.weak else "bold"))
        if hit.duplicates:
            out.print(Text(copies_line(hit), style="dim"))
        out.print(passage_text(hit, dim=hit.weak))
        out.print()
