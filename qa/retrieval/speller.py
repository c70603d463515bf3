"""The index's own vocabulary as a speller: which words it holds, the nearest it holds to one it
does not, and the spellings of a name it holds.

The vocabulary is BM25's (Snowball stems, each with its document frequency) plus the stop
words (surface words, which BM25 drops but a question needs spelled right for the encoder:
"wat" -> "what", "abuot" -> "about"). An unknown word's candidates are the terms of the index
  - within one edit of the word or of its stem (Damerau-Levenshtein in its restricted, OSA form,
    a swap of two letters one edit: the word's one-edit variants over the letters the vocabulary
    uses, looked up in it, ~1-2 ms a word whatever the vocabulary's size, and nothing built:
    symspellpy's precomputed deletes found the same words, tested, after a ~0.3-0.5 s build paid by
    the first unknown word of every process; a scan with rapidfuzz costs 4-10 ms at 70k words),
  - and the stems of the surface words one edit from it: the English words of symspellpy's
    frequency list among its one-edit variants, and its deletes ("sackrd" -> "sacked" -> "sack",
    "broncoss" -> "broncos" -> "bronco"): a slip near the end of a word is one edit from the
    word but often two from its stem, which the stems alone miss.
The English list also says which unknown words are real words (a small index lacks "warn": it is
no slip of "war"). The question's other words rank the candidates: the one in the passage that
best matches its rarest known words ("Sper Bowl": "super" before the more frequent "spur").

Names are matched by their skeleton (vowels alike, doubled letters single): "sufian" and
"sofian", "qumu" and "qumo", "mohammed" and "muhammad" share one.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np

from qa.index.text import STOP_WORDS, stem_of

#: a misspelled first word is most likely one of these
QUESTION_WORDS = frozenset({"what", "who", "whom", "whose", "when", "where", "which", "why", "how"})
_VOWELS = str.maketrans("eiouy", "aaaaa")
#: a letter the next repeats: dropped, so each run of one letter leaves one
_REPEATED = re.compile(r"(.)(?=\1)")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
#: the stop words a word can be corrected to (the alphabetic ones)
_ALPHA_STOP_WORDS = frozenset(w for w in STOP_WORDS if w.isalpha())


class Suggestion(NamedTuple):
    term: str  # a stem of the index, or a stop word
    distance: int  # edits from the typed word to a word of this stem (2: only from its stem)
    count: int  # documents holding it (stop words: more than any stem)
    stop_word: bool
    surface: str = ""  # a real (English) word one edit from the typed one whose stem is `term` ("sacked")


def skeleton(stem: str) -> str:
    """The shape of a name that transliterations keep: vowels alike, doubled letters single,
    accents dropped ("Zurich" typed on a keyboard without "ü" finds "Zürich", "Muller" "Müller")."""
    if not stem.isascii():
        stem = "".join(ch for ch in unicodedata.normalize("NFKD", stem) if not unicodedata.combining(ch))
    return _REPEATED.sub("", stem.translate(_VOWELS))


def skeletons(stems: list[str]) -> list[str]:
    """Each stem's skeleton (`skeleton`'s), those in ASCII made in one pass over them joined by
    newlines (no stem holds one, nor is empty, so no run spans two): the tables of
    `Lexicon.variants` are ~20k stems at 10k passages, ~1.5x sooner than one substitution a stem.
    Any other stem through `skeleton` itself, whatever it does with letters beyond ASCII."""
    plain = iter(_REPEATED.sub("", "\n".join(s for s in stems if s.isascii()).translate(_VOWELS)).split("\n"))
    return [next(plain) if stem.isascii() else skeleton(stem) for stem in stems]


@lru_cache(maxsize=1)
def english_columns() -> tuple[list[str], list[str]]:
    """symspellpy's English word list (82,765 words of Google's web corpus): its words and their
    counts as written, read once a process for the speller and the answer types alike (~10 ms: one
    split of the file, each line being "word count"). The package is found, not imported
    (importing it costs ~300 ms). Empty when the package is missing."""
    spec = importlib.util.find_spec("symspellpy")
    if spec is None or spec.origin is None:
        return [], []
    parts = (Path(spec.origin).parent / "frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8").split()
    return parts[0::2], parts[1::2]


@lru_cache(maxsize=1)
def english_counts() -> dict[str, str]:
    """The English word list as word -> its count as written, made on first use (one dict of the
    columns, ~10-20 ms). A count is read as a number only when one is looked up (`english_count`):
    parsing all 82k of them, and a second table of the words for membership, took ~50 ms more of
    the first question with a word the index lacks. Every word of the list is in it, "don't" too:
    the speller only looks up words of letters."""
    words, counts = english_columns()
    return dict(zip(words, counts))


def english_count(word: str) -> int:
    """How often the English list says the word is used; 0 for a word it lacks."""
    count = english_counts().get(word)
    return int(count) if count is not None else 0


def deletes(word: str) -> set[str]:
    """The word with one letter dropped (undoes a doubled or added letter)."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@lru_cache(maxsize=256)
def undo_slip(word: str) -> tuple[str, ...]:
    """The words the typed one may be a slip of, most likely slip first: a doubled letter made
    single, two neighbours swapped back, a dropped letter put back, another letter, an added
    letter dropped (each one edit away, in that order; repeats possible). Cached: a question's
    unknown word is looked up, then spelled, with them."""
    n = len(word)
    return tuple([word[:i] + word[i + 1:] for i in range(1, n) if word[i] == word[i - 1]]
                 + [word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(n - 1) if word[i] != word[i + 1]]
                 + [word[:i] + c + word[i:] for i in range(n + 1) for c in _LETTERS]
                 + [word[:i] + c + word[i + 1:] for i in range(n) for c in _LETTERS if c != word[i]]
                 + [word[:i] + word[i + 1:] for i in range(n)])


@lru_cache(maxsize=256)
def real_words_near(word: str) -> tuple[str, ...]:
    """The English words one edit from the word, likeliest slip first."""
    english = english_counts()
    return tuple(dict.fromkeys(w for w in undo_slip(word) if w in english))


class TermWeights(Protocol):
    """BM25's weights, term by term (qa/index/bm25.py BM25Index)."""

    size: int  # passages

    def term_weights(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        """(positions ascending, weights) of the passages holding the term."""

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage (position order) for the tokens."""


class Lexicon:
    """The words one index generation holds, and look-ups in them (built lazily, once).

    `weights`: BM25's weights of each term's passages, for ranking candidates by the question's
    other words; without them they are ranked by frequency alone."""

    def __init__(self, vocabulary: dict[str, int], document_frequency: np.ndarray,
                 weights: TermWeights | None = None) -> None:
        self.vocabulary = vocabulary
        self.document_frequency = document_frequency
        self.weights = weights
        self._stop_count = int(document_frequency.max()) + 1 if document_frequency.size else 1
        self._letters: str | None = None
        self._skeletons: dict[str, dict[str, list[str]]] | None = None
        self._by_initial: dict[str, list[str]] = {}  # stems of 4 letters or more by first letter

    def holds(self, word: str) -> bool:
        """A case-folded word the index holds (its stem) or a stop word."""
        return word in STOP_WORDS or stem_of(word) in self.vocabulary

    def is_english(self, word: str, min_count: int) -> bool:
        """A case-folded word of the English list at least this frequent (a real word, no slip)."""
        return min_count > 0 and english_count(word) >= min_count

    def count(self, term: str) -> int:
        if term in STOP_WORDS:
            return self._stop_count
        col = self.vocabulary.get(term)
        return int(self.document_frequency[col]) if col is not None else 0

    def suggestions(self, word: str, stop_words: bool = True) -> list[Suggestion]:
        """Terms one edit from the word (through a real word: `surface`), or from its stem
        (distance 2), nearest and most frequent first; the word's own stem excluded."""
        stem = stem_of(word)
        found: dict[str, Suggestion] = {}
        english = english_counts()

        def add(term: str, distance: int, surface: str = "") -> None:
            """Keep the nearest way to the term; a real word before none, the most frequent first."""
            old = found.get(term)
            rank = (distance, not surface, -english_count(surface))
            if term != stem and (old is None or rank < (old.distance, not old.surface, -english_count(old.surface))):
                found[term] = Suggestion(term, distance, self.count(term), term in STOP_WORDS, surface)

        for term, distance in self._near(word, stem):
            if term not in STOP_WORDS or stop_words:
                add(term, distance)
        for variant in real_words_near(word) + tuple(deletes(word)):
            if (variant_stem := stem_of(variant)) in self.vocabulary:
                add(variant_stem, 1, variant if variant in english else "")
        return sorted(found.values(), key=lambda s: (s.distance, -s.count, s.term))

    def _near(self, word: str, stem: str) -> list[tuple[str, int]]:
        """(term, distance) for the terms one edit from the word (a stem or a stop word: 1) or
        from its stem (a stem: 2 edits from the word, counted as such); the word itself, when a
        term, at 0 (and its stem at 1)."""
        out = []
        for probe in dict.fromkeys((word, stem)):
            for term in self.one_edit(probe):
                distance = int(term != probe)
                if probe == word:
                    out.append((term, distance))
                elif term in self.vocabulary:  # one edit from the stem
                    out.append((term, distance + 1))
        return out

    def one_edit(self, probe: str) -> list[str]:
        """The speller's words (the vocabulary's terms and the alphabetic stop words) at most one
        edit from probe: a letter dropped, two neighbours swapped, a letter added or changed, the
        added and changed ones among the letters the words use (no other can make one). Sorted."""
        if self._letters is None:
            self._letters = "".join(sorted(set("".join(self.vocabulary)) | set("".join(_ALPHA_STOP_WORDS))))
        letters, n = self._letters, len(probe)
        found = {probe, *(probe[:i] + probe[i + 1:] for i in range(n)),
                 *(probe[:i] + probe[i + 1] + probe[i] + probe[i + 2:] for i in range(n - 1)),
                 *(probe[:i] + c + probe[i:] for i in range(n + 1) for c in letters),
                 *(probe[:i] + c + probe[i + 1:] for i in range(n) for c in letters)}
        return sorted(w for w in found if w in self.vocabulary or w in _ALPHA_STOP_WORDS)

    def context(self, terms: list[str], others: list[str]) -> dict[str, float]:
        """For each term, the best BM25 score of a passage holding it, over the question's other
        (known) terms: how well it fits the rest of the question."""
        weights = self.weights
        known = [t for t in dict.fromkeys(others) if t in self.vocabulary]
        if weights is None or not known:
            return {}
        fit = np.zeros(weights.size, dtype=np.float32)
        for term in known:
            at, weight = weights.term_weights(term)
            fit[at] += weight
        out = {}
        for term in terms:
            at = weights.term_weights(term)[0] if term in self.vocabulary else ()
            if len(at):
                out[term] = float(fit[at].max())
        return out

    def variants(self, stem: str) -> list[str]:
        """Other stems of the index with the name's skeleton, most frequent first."""
        shape = skeleton(stem)
        if not shape:
            return []
        same = [t for t in self._skeletons_from(shape[0]).get(shape, ()) if t != stem]
        return sorted(same, key=lambda t: (-self.count(t), t))

    def _skeletons_from(self, initial: str) -> dict[str, list[str]]:
        """Skeleton -> stems, for the stems whose skeleton starts with `initial` (built on first
        use: a name costs the skeletons of the stems of its first letters, not of every word; the
        stems are grouped by first letter in one pass over the vocabulary, not one a letter)."""
        if self._skeletons is None:
            self._skeletons = {}
            for term in self.vocabulary:
                if len(term) >= 4 and term.isalpha():
                    self._by_initial.setdefault(term[0], []).append(term)
        if initial not in self._skeletons:
            table: dict[str, list[str]] = {}
            for first in "aeiouy" if initial == "a" else initial:
                terms = self._by_initial.get(first, [])
                for shape, term in zip(skeletons(terms), terms):
                    table.setdefault(shape, []).append(term)
            self._skeletons[initial] = table
        return self._skeletons[initial]
