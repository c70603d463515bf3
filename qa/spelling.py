"""The index's own vocabulary as a speller: which words it holds, the nearest it holds to one it
does not, and the spellings of a name it holds.

The vocabulary is BM25's (Snowball stems, each with its document frequency) plus the stop
words (surface words, which BM25 drops but a question needs spelled right for the encoder:
"wat" -> "what", "abuot" -> "about"). A slip is looked up with SymSpell (symspellpy): its
precomputed deletes find every word within one edit (Damerau-Levenshtein in its restricted, OSA
form: a swap of two letters is one edit) in ~10 microseconds whatever the vocabulary's size,
where a scan with rapidfuzz costs 4-10 ms at 70k words. The deletes are built on the first
unknown word (~0.8 s at 25k stems), never at start-up.

Names are matched by their skeleton (vowels alike, doubled letters single): "sufian" and
"sofian", "qumu" and "qumo", "mohammed" and "muhammad" share one.
"""

from __future__ import annotations

import gc
import re
from typing import NamedTuple

import numpy as np

from qa.text import STOP_WORDS, stem_of

#: a misspelled first word is most likely one of these
QUESTION_WORDS = frozenset({"what", "who", "whom", "whose", "when", "where", "which", "why", "how"})
_VOWELS = str.maketrans("eiouy", "aaaaa")
_RUNS = re.compile(r"(.)\1+")
#: one edit: what a single slip (swap, drop, double, wrong key) makes of a word
MAX_EDIT = 1


class Suggestion(NamedTuple):
    term: str  # a stem of the index, or a stop word
    distance: int
    count: int  # documents holding it (stop words: more than any stem)
    stop_word: bool


def skeleton(stem: str) -> str:
    """The shape of a name that transliterations keep: vowels alike, doubled letters single."""
    return _RUNS.sub(r"\1", stem.translate(_VOWELS))


class Lexicon:
    """The words one index generation holds, and look-ups in them (built lazily, once)."""

    def __init__(self, vocabulary: dict[str, int], document_frequency: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.document_frequency = document_frequency
        self._stop_count = int(document_frequency.max()) + 1 if document_frequency.size else 1
        self._symspell = None
        self._skeletons: dict[str, dict[str, list[str]]] | None = None

    def holds(self, word: str) -> bool:
        """A case-folded word the index holds (its stem) or a stop word."""
        return word in STOP_WORDS or stem_of(word) in self.vocabulary

    def count(self, term: str) -> int:
        if term in STOP_WORDS:
            return self._stop_count
        col = self.vocabulary.get(term)
        return int(self.document_frequency[col]) if col is not None else 0

    def suggestions(self, word: str, stop_words: bool = True) -> list[Suggestion]:
        """Terms within one edit of the word's stem (or, stop words, of the word), nearest and most
        frequent first; the word's own stem excluded."""
        from symspellpy import Verbosity

        speller = self._speller()
        stem = stem_of(word)
        found: dict[str, int] = {}
        for probe in {word, stem}:
            for item in speller.lookup(probe, Verbosity.ALL, max_edit_distance=MAX_EDIT, transfer_casing=False):
                is_stop = item.term in STOP_WORDS
                if (probe == stem and item.term in self.vocabulary) or (is_stop and stop_words):
                    found[item.term] = min(found.get(item.term, MAX_EDIT + 1), item.distance)
        found.pop(stem, None)
        out = [Suggestion(t, d, self.count(t), t in STOP_WORDS) for t, d in found.items()]
        return sorted(out, key=lambda s: (s.distance, -s.count, s.term))

    def variants(self, stem: str) -> list[str]:
        """Other stems of the index with the name's skeleton, most frequent first."""
        shape = skeleton(stem)
        if not shape:
            return []
        same = [t for t in self._skeletons_from(shape[0]).get(shape, ()) if t != stem]
        return sorted(same, key=lambda t: (-self.count(t), t))

    def _skeletons_from(self, initial: str) -> dict[str, list[str]]:
        """Skeleton -> stems, for the stems whose skeleton starts with `initial` (built on first
        use: a name costs a pass over the vocabulary's first letters, not a skeleton of each word)."""
        if self._skeletons is None:
            self._skeletons = {}
        if initial not in self._skeletons:
            firsts = "aeiouy" if initial == "a" else initial
            table: dict[str, list[str]] = {}
            for term in self.vocabulary:
                if term[:1] in firsts and len(term) >= 4 and term.isalpha():
                    table.setdefault(skeleton(term), []).append(term)
            self._skeletons[initial] = table
        return self._skeletons[initial]

    def _speller(self):
        if self._symspell is None:
            from symspellpy import SymSpell

            speller = SymSpell(max_dictionary_edit_distance=MAX_EDIT, prefix_length=7)
            for term, col in self.vocabulary.items():
                speller.create_dictionary_entry(term, int(self.document_frequency[col]) or 1)
            for word in STOP_WORDS:
                if word.isalpha():
                    speller.create_dictionary_entry(word, self._stop_count)
            self._symspell = speller
            # its ~10 deletes a word are long-lived: kept out of the cyclic collector's sweeps,
            # which would otherwise walk them all (8-16 ms pauses at 25k words)
            gc.freeze()
        return self._symspell
