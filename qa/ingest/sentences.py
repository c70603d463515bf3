"""Sentence boundaries with exact character spans.

A small rule-based splitter rather than a library: passages and highlights need exact offsets
into the source text, and it must run over a hundred thousand passages in seconds. The rules:
a sentence ends at . ! ? (plus any closing quotes or brackets) followed by white space and a
capital, digit or opening quote, unless the word before the stop is a known abbreviation or an
initial. A blank line always ends a sentence; a single line break only where the text's structure
says so: the next line opens a list item ("- ", "* ", "1. ", "a) "), or the line is short beside
the longest of its block (at most HEADING_SHARE of it: a heading, a dateline, a signature) and
the next opens with a capital. Otherwise the break is hard wrapping (a PDF's text layer, wire copy
wrapped at 70-80 columns, plain-text mail): "... will cost 40\nmillion dinars and take three
years." is one sentence.
"""

from __future__ import annotations

import re

from qa.ingest.metadata import is_head_line

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr gen col lt sgt capt cpt maj adm gov sen rep rev hon pres
    vs etc no nos inc ltd co corp plc bros dept est fig al approx ave blvd mt ft
    jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e u.s u.k u.n a.m p.m""".split()
)

#: the AP's abbreviations of US states, in a dateline ("HARLOW, Ore. (AP) —") and after a town:
#: abbreviations only capitalised after a town's comma, so "he fell ill." and "Midnight Mass." end sentences
_STATES = frozenset("""Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss Mo
    Mont Neb Nev Okla Ore Pa Tenn Vt Va Wash Wis Wyo""".split())

# Initials written together: "J.R. Smith", "W.H. Auden" (lower-cased)
_INITIALS = re.compile(r"[a-z](?:\.[a-z])+")
# A candidate end: terminal punctuation, optional closers, then white space (runs hold no blank line).
# Tried only where a run of stops begins, and never given back: a line of 4,000 dots ("Contents
# ........ 5") was tried from each dot to the run's end, seconds for one line.
_END = re.compile(r"""(?<![.!?…])[.!?…]++["'”’)\]]*+(?=\s+["'“‘(\[]?[A-Z0-9À-Ý])""")
# The stretch of a line from where reading starts to its end ([^\r\n]*\S[^\r\n]* read a line
# of white space again from each of its characters: quadratic in a PDF's run of blanks)
_LINE = re.compile(r"[^\r\n]+")
_ONE_BREAK = re.compile(r"[ \t\u00a0]*(?:\r\n|\r|\n)[ \t\u00a0]*")
_LIST_ITEM = re.compile(r"(?:[-*•·‣◦▪–—]|\(?(?:\d{1,3}|[a-zA-Z])[.)])\s")
_BULLET = re.compile(r"[-*•·‣◦▪–—]\s")
#: a line that stops mid-sentence: its last character is no stop, colon or closing mark
_MID_SENTENCE = re.compile(r"[\w,]")
#: how a byline or a date line opens (qa/ingest/metadata.py is_head_line says whether it is one)
_MAY_BE_HEAD = re.compile(r"[ \t*_>#`]*(?:by\s|published|first published|posted|updated|last updated|last modified"
                          r"|date\b|mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|\d)",
                          re.IGNORECASE)
#: a line at most this share of the longest line of its block, followed by a capital, ends there
HEADING_SHARE = 0.6


def _is_abbreviation(text: str, stop: int) -> bool:
    """True when the '.' at `stop` closes an abbreviation or an initial, not a sentence."""
    if text[stop] != ".":
        return False
    begin = stop
    while begin > 0 and (text[begin - 1].isalpha() or text[begin - 1] == "."):
        begin -= 1
    word = text[begin:stop].lower()
    if not word:
        return False
    if len(word) == 1 and text[begin].isupper():  # an initial: "J. Smith", not the end of "Jay-Z."
        return begin == 0 or text[begin - 1].isspace() or text[begin - 1] in "([\"'“‘"
    return word in _ABBREVIATIONS or bool(_INITIALS.fullmatch(word)) or (
        text[begin:stop] in _STATES and text[max(0, begin - 2):begin] == ", ")  # "HARLOW, Ore.", not "Midnight Mass."


def content_lines(text: str, start: int = 0, end: int | None = None) -> list[re.Match]:
    """The lines of text[start:end] holding more than white space, each from `start` or its line's
    start to its end (line breaks excluded): each character read once."""
    end = len(text) if end is None else end
    return [m for m in _LINE.finditer(text, start, end) if not m.group(0).isspace()]


def _runs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Stretches of prose: lines joined across single line breaks that are hard wrapping."""
    blocks: list[list[tuple[int, int]]] = []
    previous = None
    for line in content_lines(text, start, end):
        gap = _ONE_BREAK.fullmatch(text, previous, line.start()) if previous is not None else None
        if gap is None:
            blocks.append([])
        blocks[-1].append(line.span())
        previous = line.end()
    runs: list[tuple[int, int]] = []
    for lines in blocks:
        longest = max(e - s for s, e in lines)
        run_start = lines[0][0]
        # a byline or date line is a line of its own; read once per line, and only a line that
        # opens as one can ("By ", "Published", a weekday, a month, a number)
        heads = [len(lines) > 1 and bool(_MAY_BE_HEAD.match(text, s)) and is_head_line(text[s:e]) for s, e in lines]
        for i, ((s, e), (nxt, _)) in enumerate(zip(lines, lines[1:])):
            short = e - s <= HEADING_SHARE * longest and text[nxt].isupper()
            if short or _item_opens(text, lines, i, longest) or heads[i] or heads[i + 1]:
                runs.append((run_start, e))
                run_start = nxt
        runs.append((run_start, lines[-1][1]))
    return runs


def _item_opens(text: str, lines: list[tuple[int, int]], i: int, longest: int) -> bool:
    """The line after lines[i] opens a list item. A number or letter opening a wrapped line
    mid-sentence is none: wire copy's "... the annual meeting on April\n29. Officials ..."
    (a bullet always is; so is a number after a line that is an item itself or short, "Steps\n1. ")."""
    s, e = lines[i]
    nxt = lines[i + 1][0]
    if not _LIST_ITEM.match(text, nxt):
        return False
    return bool(_BULLET.match(text, nxt)) or not _MID_SENTENCE.fullmatch(text, e - 1, e) \
        or bool(_LIST_ITEM.match(text, s)) or e - s <= HEADING_SHARE * longest


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences in text[start:end], trimmed of white space."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    if "\n" not in text and "\r" not in text:
        runs = [(start, end)]
    else:
        runs = _runs(text, start, end)
    for run_start, run_end in runs:
        cursor = run_start
        # the run alone: _END's look-behind must not see a stop before the run's start
        for match in _END.finditer(text[run_start:run_end]):
            if _is_abbreviation(text, run_start + match.start()):
                continue
            spans.append((cursor, run_start + match.end()))
            cursor = run_start + match.end()
        spans.append((cursor, run_end))
    return [trimmed for span in spans if (trimmed := _trim(text, *span))]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
