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


def citation(hit: Hit) -> str:
    paragraphs = f"¶ {hit.paragraph}" if hit.paragraph == hit.paragraph_end else f"¶ {hit.paragraph}–{hit.paragraph_end}"
    return visible(f"[{hit.rank}] {hit.title} — {hit.source}, {paragraphs}, chars {hit.start}–{hit.end}", newlines=False)


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
    if answer.corrected:
        searched = ", ".join(visible(word, newlines=False) for word in answer.corrected.values())
        out.print(Text(f"searched for: {searched}", style="dim"))
    if answer.mode != "hybrid":
        out.print(Text(f"({answer.mode} search only)", style="dim"))
    for hit in answer.hits:
        out.print(Text(citation(hit) + f"  (score {hit.score:.3f})", style="dim" if hit.weak else "bold"))
        out.print(passage_text(hit, dim=hit.weak))
        out.print()
