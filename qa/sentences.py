"""Sentence boundaries with exact character spans.

A small rule-based splitter rather than a library: passages and highlights need exact offsets
into the source text, and it must run over a hundred thousand passages in seconds. The rules:
a sentence ends at . ! ? (plus any closing quotes or brackets) followed by white space and a
capital, digit or opening quote, unless the word before the stop is a known abbreviation or an
initial; a line break always ends a sentence.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr gen col lt sgt capt cpt maj adm gov sen rep rev hon pres
    vs etc no nos inc ltd co corp plc bros dept est fig al approx ave blvd mt ft
    jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e u.s u.k u.n a.m p.m""".split()
)

# A candidate end: terminal punctuation, optional closers, then white space without a newline.
_END = re.compile(r"""[.!?…]+["'”’)\]]*(?=[ \t\u00a0]+["'“‘(\[]?[A-Z0-9À-Ý])""")
_LINE = re.compile(r"[^\r\n]+")


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
    if len(word) == 1 and text[begin].isupper():  # an initial: "J. Smith"
        return True
    return word in _ABBREVIATIONS


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences in text[start:end], trimmed of white space."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text, start, end):
        cursor = line.start()
        for match in _END.finditer(text, line.start(), line.end()):
            if _is_abbreviation(text, match.start()):
                continue
            spans.append((cursor, match.end()))
            cursor = match.end()
        spans.append((cursor, line.end()))
    return [trimmed for span in spans if (trimmed := _trim(text, *span))]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
