"""Cutting a document into passages along paragraph and sentence boundaries.

Short paragraphs are packed together up to a target size (news paragraphs are often one
sentence, too little context on its own); a paragraph longer than the limit is cut between
sentences, with a sentence of overlap so an answer spanning the cut is still found whole.
A passage never starts or ends inside a sentence, and `doc.text[start:end] == passage.text`,
except for a "sentence" too long to be one (a line with no punctuation, a pasted table): it is
cut between words, and a word longer than MAX_PASSAGE_CHARS between characters, so no passage
is unbounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.config import ChunkSettings
from qa.ingest.documents import Document, Paragraph
from qa.ingest.sentences import sentence_spans

#: no passage is longer than this many characters (the model reads ~256 tokens anyway)
MAX_PASSAGE_CHARS = 4000

# A length measure, not qa/index/text.py's words: passages are cut at white space and counted in
# white-space pieces (target_words, max_words), and the stored passages' boundaries follow it.
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Passage:
    ordinal: int  # position in the document, from 0
    start: int
    end: int
    paragraph: int  # number of the paragraph it starts in (1-based)
    paragraph_end: int  # number of the paragraph it ends in
    text: str


def _words(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())


@dataclass
class _Unit:
    """A piece that is never cut further: a whole paragraph, or a run of its sentences."""

    start: int
    end: int
    paragraph: int
    words: int


def _units(doc: Document, settings: ChunkSettings) -> list[_Unit]:
    units: list[_Unit] = []
    for para in doc.paragraphs:
        words = _words(doc.text, para.start, para.end)
        if words <= settings.max_words and para.end - para.start <= MAX_PASSAGE_CHARS:
            units.append(_Unit(para.start, para.end, para.number, words))
        else:
            units.extend(_split_paragraph(doc.text, para, settings))
    return units


def _split_paragraph(text: str, para: Paragraph, settings: ChunkSettings) -> list[_Unit]:
    """Windows of whole sentences, each up to target_words, overlapping by a few sentences."""
    sentences = [piece for s, e in sentence_spans(text, para.start, para.end)
                 for piece in _bounded(text, s, e, settings)]
    counts = [_words(text, s, e) for s, e in sentences]
    windows: list[_Unit] = []
    first = 0
    while first < len(sentences):
        last, words = first, counts[first]
        while (last + 1 < len(sentences) and words + counts[last + 1] <= settings.target_words
               and sentences[last + 1][1] - sentences[first][0] <= MAX_PASSAGE_CHARS):
            last += 1
            words += counts[last]
        windows.append(_Unit(sentences[first][0], sentences[last][1], para.number, words))
        if last + 1 >= len(sentences):
            break
        first = max(first + 1, last + 1 - settings.overlap_sentences)
    return windows


def _bounded(text: str, start: int, end: int, settings: ChunkSettings) -> list[tuple[int, int]]:
    """The span itself when it is a sentence of sensible size; else pieces of at most
    target_words words and MAX_PASSAGE_CHARS characters, cut between words where there are any."""
    if end - start <= MAX_PASSAGE_CHARS and _words(text, start, end) <= settings.max_words:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    first = last = -1
    count = 0
    for match in _WORD.finditer(text, start, end):
        w_start, w_end = match.span()
        while w_end - w_start > MAX_PASSAGE_CHARS:  # one "word" longer than a passage
            if first >= 0:
                pieces.append((first, last))
                first, count = -1, 0
            pieces.append((w_start, w_start + MAX_PASSAGE_CHARS))
            w_start += MAX_PASSAGE_CHARS
        if first >= 0 and (count >= settings.target_words or w_end - first > MAX_PASSAGE_CHARS):
            pieces.append((first, last))
            first, count = -1, 0
        if first < 0:
            first = w_start
        last = w_end
        count += 1
    if first >= 0:
        pieces.append((first, last))
    return pieces


def chunk(doc: Document, settings: ChunkSettings = ChunkSettings()) -> list[Passage]:
    """The passages of a document, in order."""
    units = _units(doc, settings)
    passages: list[Passage] = []
    group: list[_Unit] = []
    words = 0

    def flush() -> None:
        if group:
            start, end = group[0].start, group[-1].end
            passages.append(Passage(len(passages), start, end, group[0].paragraph,
                                    group[-1].paragraph, doc.text[start:end]))

    first = doc.paragraphs[0].number if doc.paragraphs else 0
    for unit in units:
        # a window cut from a long paragraph stands alone; whole paragraphs are packed, but never
        # across one left out (a "Read more: ..." link, a caption mid-story), which would be in
        # the passage's text; the title may still stand over the lines below it (a byline, a badge)
        split = unit.words > 0 and any(u.paragraph == unit.paragraph for u in group)
        skips = bool(group) and unit.paragraph > group[-1].paragraph + 1 and group[-1].paragraph != first
        if group and (split or skips or words + unit.words > settings.target_words
                      or unit.end - group[0].start > MAX_PASSAGE_CHARS):
            flush()
            group, words = [], 0
        group.append(unit)
        words += unit.words
    flush()
    return passages
