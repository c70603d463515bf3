"""Printing answers for people on the command line, with rich.

Article text is wrapped in rich Text objects and never parsed as markup, so "[bold]" in an
article prints as those characters.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

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


def paragraph_range(hit: Hit) -> str:
    """"¶ 3" or "¶ 1–4": the paragraphs a passage spans, as every view cites them."""
    return f"¶ {hit.paragraph}" if hit.paragraph == hit.paragraph_end else f"¶ {hit.paragraph}–{hit.paragraph_end}"


def as_searched(question: str, corrected: dict[str, str]) -> str:
    """The question with its corrected words as they were searched ("who comanded" -> "who
    commanded"): what the "why" line and "Looked for" name, not the slips."""
    if not corrected:
        return question
    from qa.index.text import normalize, word_spans

    text = normalize(question)
    pieces, last = [], 0
    for match in word_spans(text):
        if match.group(0) in corrected:
            pieces += [text[last:match.start()], corrected[match.group(0)]]
            last = match.end()
    return "".join(pieces) + text[last:]


def looked_for(query: str) -> str:
    """What a question was searched for, as a "not found" answer says it: its key words and names
    (so the user can rephrase)."""
    from qa.retrieval.context import key_words, names

    named = names(query)
    others = [w for w in key_words(query) if w not in named]
    parts = []
    if others:
        parts.append("the words " + ", ".join(others))
    if named:
        parts.append("the names " + ", ".join(named))
    return visible(" and ".join(parts), newlines=False) if parts else "no key words (only common words)"


def citation(hit: Hit) -> str:
    page = f"p. {hit.page}, " if hit.page else ""
    away = "" if hit.available else " (file unavailable now)"
    if hit.changed:
        away += " (changed since indexed — run `qa index`)"
    about = byline(hit.date, hit.author, hit.site)
    return visible(f"[{hit.rank}] {hit.title} — {hit.source}{away}, {page}{paragraph_range(hit)}, chars {hit.start}–{hit.end}"
                   + (f" — {about}" if about else ""), newlines=False)


def byline(date: str | None, author: str | None, site: str | None) -> str:
    """'12 Mar 2024 · Omar Haddad · The Coast Courier', the parts known ('' when none is)."""
    from qa.retrieval.filters import human_date

    parts = [human_date(date) if date else None, author, site]
    return " · ".join(p for p in parts if p)




#: a story's copies named on its citation; more are counted ("also carried by 19,999 other documents: ...")
COPIES_NAMED = 3


def copies_line(hit: Hit) -> str:
    """'also carried by: b.txt (12 Mar 2024), c.html' for a story's other copies ('' when none);
    beyond COPIES_NAMED, their count and the first few: 20,000 identical files are one short line."""
    from qa.retrieval.filters import human_date

    named = [c.source + (f" ({human_date(c.date)})" if c.date else "") for c in hit.duplicates[:COPIES_NAMED]]
    if len(hit.duplicates) > COPIES_NAMED:
        return visible(f"also carried by {len(hit.duplicates):,} other documents: " + ", ".join(named) + ", …",
                       newlines=False)
    return visible("also carried by: " + ", ".join(named), newlines=False) if named else ""


def answer_phrase(hit: Hit) -> str:
    """The answer phrase inside the highlight, as shown ('' when none: qa/retrieval/answer_types.py)."""
    if hit.answer is None:
        return ""
    return visible(hit.text[hit.answer[0] - hit.start:hit.answer[1] - hit.start], newlines=False)


def support_line(hit: Hit) -> str:
    """'also in 3 other stories': the independent stories that hold its answer phrase ('' none)."""
    if not hit.support:
        return ""
    return f"“{answer_phrase(hit)}” also in {hit.support} other {'story' if hit.support == 1 else 'stories'}"


def differ_line(answer: Answer) -> str:
    """'Sources differ: “lightly injured” [1] · “killed” [2]' when the top stories give different
    answers (qa/retrieval/support.py; '' when they do not)."""
    by_rank = {hit.rank: hit for hit in answer.hits}
    shown = [f"“{answer_phrase(by_rank[r])}” [{r}]" for r in answer.sources_differ if r in by_rank]
    return "Sources differ: " + " · ".join(shown) if len(shown) > 1 else ""


def filters_line(answer: Answer) -> str:
    """'Filtered: since 1 Jan 2024 · source reuters; 3 undated documents left out' ('' unfiltered)."""
    from qa.retrieval.filters import describe

    if not answer.filters:
        return ""
    line = "Filtered: " + describe(answer.filters)
    undated = answer.filters.get("undated_excluded", 0)
    if undated:
        line += f"; {count(undated, 'document')} without a known date left out"
    return visible(line, newlines=False)


def order_line(answer: Answer) -> str:
    """"sorted by date, undated last" when the passages are not in relevance order ('' when they are)."""
    return "sorted by date, undated last" if answer.sort == "date" else ""


def passage_text(hit: Hit, dim: bool = False) -> Text:
    """The passage, its highlighted sentence in bold (reversed unless dim) and the answer phrase
    in it underlined (styles show on a terminal only)."""
    text = Text(visible(hit.text), style="dim" if dim else "")
    text.stylize("bold reverse" if not dim else "bold", hit.highlight_start - hit.start, hit.highlight_end - hit.start)
    if hit.answer is not None:
        text.stylize("underline", hit.answer[0] - hit.start, hit.answer[1] - hit.start)
    return text


def print_answer(answer: Answer) -> None:
    out = console()
    out.print(Text(f"Q: {visible(answer.question, newlines=False)}", style="bold cyan"))
    if not answer.answered:
        searched_words = looked_for(as_searched(answer.question, answer.corrected))
        out.print(Text(f"Not found in the indexed articles. Looked for {searched_words}."
                       + (" Nearest passages:" if answer.hits else ""), style="yellow"))
    if answer.corrected:
        searched = ", ".join(visible(word, newlines=False) for word in answer.corrected.values())
        out.print(Text(f"searched for: {searched}", style="dim"))
    if answer.mode != "hybrid":
        out.print(Text(f"({answer.mode} search only)", style="dim"))
    if answer.filters:
        out.print(Text(filters_line(answer), style="dim"))
    if order_line(answer):
        out.print(Text(order_line(answer), style="dim"))
    if differ_line(answer):
        out.print(Text(differ_line(answer), style="yellow"))
    for hit in answer.hits:
        out.print(Text(citation(hit) + f"  (score {hit.score:.3f})", style="dim" if hit.weak else "bold"))
        if hit.duplicates:
            out.print(Text(copies_line(hit), style="dim"))
        if hit.support:
            out.print(Text(support_line(hit), style="dim"))
        out.print(passage_text(hit, dim=hit.weak))
        out.print()
