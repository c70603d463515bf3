"""Cutting a document into passages along paragraph and sentence boundaries.

Short paragraphs are packed together up to a target size (news paragraphs are often one
sentence, too little context on its own); a paragraph longer than the limit is cut between
sentences, with a sentence of overlap so an answer spanning the cut is still found whole.
A passage never starts or ends inside a sentence, and `doc.text[start:end] == passage.text`.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.config import ChunkSettings
from qa.documents import Document, Paragraph
from qa.sentences import sentence_spans


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
        if words <= settings.max_words:
            units.append(_Unit(para.start, para.end, para.number, words))
        else:
            units.extend(_split_paragraph(doc.text, para, settings))
    return units


def _split_paragraph(text: str, para: Paragraph, settings: ChunkSettings) -> list[_Unit]:
    """Windows of whole sentences, each up to target_words, overlapping by a few sentences."""
    sentences = sentence_spans(text, para.start, para.end)
    counts = [_words(text, s, e) for s, e in sentences]
    windows: list[_Unit] = []
    first = 0
    while first < len(sentences):
        last, words = first, counts[first]
        while last + 1 < len(sentences) and words + counts[last + 1] <= settings.target_words:
            last += 1
            words += counts[last]
        windows.append(_Unit(sentences[first][0], sentences[last][1], para.number, words))
        if last + 1 >= len(sentences):
            break
        first = max(first + 1, last + 1 - settings.overlap_sentences)
    return windows


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

    for unit in units:
        # a window cut from a long paragraph stands alone; whole paragraphs are packed
        split = unit.words > 0 and any(u.paragraph == unit.paragraph for u in group)
        if group and (split or words + unit.words > settings.target_words):
            flush()
            group, words = [], 0
        group.append(unit)
        words += unit.words
    flush()
    return passages
