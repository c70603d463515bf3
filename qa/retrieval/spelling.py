"""Spell: the question as it is searched, its slips corrected against the index's vocabulary
(qa/retrieval/speller.py), its names' other spellings in the index found, and its names listed for the
verdict.

A word the index holds is never changed. A word it does not hold is replaced by the nearest word
it holds (one edit from the word, or from a real word one edit from it: "sackrd" -> "sacked"; a
question word for the first word; then the one in a passage with more of the question's other
words; then the most frequent), unless it is a real English word (min_real_word_count: a small
index may lack "warn"; the first word excepted, "wat" -> "what") or looks like a name the articles
simply do not mention: a capitalised word after the first is corrected only when at least
min_name_correction_length letters long, to a word one edit away ("Microsft" -> "Microsoft"), or,
shorter, to one differing by its vowels alone ("Qumo" -> "Qumu"). In a question typed all in lower
case, a word the index holds and the English list lacks is taken for a name whose other
spellings are searched ("sufian qumu" finds "Sofian Qumu").
Acronyms ("NASA", "MVPs"), words with digits and words under 3 letters are left as typed.
An abbreviation and its spelled-out form ("ceo", "chief executive") are searched as each other's
other spellings (qa/retrieval/abbreviations.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import numpy as np

from qa.retrieval.abbreviations import abbreviation_aliases
from qa.retrieval.role_verbs import role_aliases
from qa.retrieval.records import Query
from qa.settings import RetrievalSettings
from qa.retrieval.speller import QUESTION_WORDS, Lexicon, Suggestion, real_words_near, undo_slip
from qa.index.text import STOP_WORDS, normalize, stem_of, tokenize, word_spans


@dataclass(frozen=True)
class Spelling:
    """What spelling made of a question."""

    text: str  # the question as searched (slips corrected)
    corrected: dict[str, str] = field(default_factory=dict)  # word as typed -> word searched
    aliases: dict[str, str] = field(default_factory=dict)  # another spelling's stem -> the name's stem
    names: tuple[str, ...] = ()  # stems of the capitalised words after the first
    tokens: list[str] | None = None  # the tokens of `text` when spell made them (None: not yet)

    def query(self, vector: np.ndarray | None) -> Query:
        """What is searched: this text's tokens, and its vector (encoded from `text`)."""
        tokens = self.tokens if self.tokens is not None else tokenize(self.text)
        return Query(self.text, tokens, vector, self.aliases, self.names)


#: a generation's last spellings, (text, settings) -> Spelling: the chat spells a question
#: (qa/ui/topic.py, for its follow-ups) just before its search spells the same text again, on
#: another thread (~0.3 ms a question). Let go with the generation's lexicon.
_SPELLED: WeakKeyDictionary[Lexicon, dict[tuple[str, RetrievalSettings], Spelling]] = WeakKeyDictionary()
_SPELLED_LOCK = threading.Lock()
#: spellings kept a generation; more and the oldest is forgotten
SPELLINGS_KEPT = 16


def spell(lexicon: Lexicon, question: str, settings: RetrievalSettings) -> Spelling:
    """The question as it will be searched (see the module's docstring); the same Spelling again
    for a text spelled lately with equal settings on this lexicon (nothing in it is changed later)."""
    key = (question, settings)
    try:
        hash(key)
    except TypeError:  # settings holding a list (a benchmark's sweep): spelled each time
        return _spelled(lexicon, question, settings)
    with _SPELLED_LOCK:
        kept = _SPELLED.setdefault(lexicon, {})
        found = kept.get(key)
    if found is None:
        found = _spelled(lexicon, question, settings)
        with _SPELLED_LOCK:
            kept[key] = found
            if len(kept) > SPELLINGS_KEPT:
                del kept[next(iter(kept))]
    return found


def _spelled(lexicon: Lexicon, question: str, settings: RetrievalSettings) -> Spelling:
    text = normalize(question)
    pieces: list[str] = []
    corrected: dict[str, str] = {}
    aliases: dict[str, str] = {}
    names: list[str] = []
    tokens = tokenize(text)
    uncased = not any(ch.isupper() for ch in text)  # typed all in lower case: names are not capitalised
    others = sorted({t for t in tokens if t in lexicon.vocabulary}, key=lexicon.count)[:settings.context_terms]
    last = 0
    spans = word_spans(text)
    for position, match in enumerate(spans):
        typed = match.group(0)
        word = typed.casefold()
        is_name = position > 0 and typed[0].isupper() and word not in STOP_WORDS
        replacement = None
        # "wen did ...": a question word's slip, though the index holds the word (Wen Jiabao)
        slipped_wh = position == 0 and len(spans) > 1 and spans[1].group(0).casefold() in _AUXILIARIES \
            and word not in QUESTION_WORDS and word not in STOP_WORDS  # "There was ...", "It is ..."
        if settings.spelling and (slipped_wh or not lexicon.holds(word)) and _correctable(typed):
            replacement = _correction(lexicon, word, position == 0, is_name, others, settings,
                                      wh_only=lexicon.holds(word))  # "ebbers could": a name, no slip
        if replacement is not None:
            shown = _with_case(replacement, typed)
            corrected[typed] = shown
            pieces.append(text[last:match.start()] + shown)
            last = match.end()
            word = replacement
        uncased_name = not is_name and uncased and position > 0 and settings.uncased_names \
            and _uncased_name(lexicon, word)
        if is_name:
            names.append(stem_of(word))
        if is_name or uncased_name:
            stem = stem_of(word)
            if settings.spelling and len(stem) >= 4:
                for variant in lexicon.variants(stem)[:settings.max_name_variants]:
                    aliases.setdefault(variant, stem)
    pieces.append(text[last:])
    searched = "".join(pieces)  # the question's tokens serve the query unless a slip was corrected
    tokens = tokens if searched == text else tokenize(searched)
    for variant, stem in abbreviation_aliases(searched, tokens).items():  # "ceo" and "chief executive"
        aliases.setdefault(variant, stem)
    for variant, stem in role_aliases(searched).items():  # "who runs ebay": its "chief executive"
        aliases.setdefault(variant, stem)
    return Spelling(searched, corrected, aliases, tuple(dict.fromkeys(names)), tokens)


#: the words that follow a question word opening a question ("when did", "where is")
_AUXILIARIES = frozenset("did does do is was were are will would can could should has have had may might".split())


def _uncased_name(lexicon: Lexicon, word: str) -> bool:
    """In a question typed all in lower case, a word the index holds that no English list does
    ("sufian", "qumu", "mourinho") is taken for the name it is written as in the articles, so its
    other spellings are searched as they are for "Sufian" (the verdict's names stay the
    capitalised ones: BENCHMARKS.md "Questions typed in lower case")."""
    return (len(word) >= 3 and word.isalpha() and word not in STOP_WORDS and lexicon.holds(word)
            and not lexicon.is_english(word, 1))


#: a longer word is left as typed: no English word is this long, and its one-edit variants are
#: ~50 x its length strings of its length (800 letters took a second, 2,000 several)
MAX_CORRECTABLE_LETTERS = 40


def _correctable(typed: str) -> bool:
    """Three letters or more (at most MAX_CORRECTABLE_LETTERS), not an acronym ("NASA", "MVPs")."""
    acronym = typed.removesuffix("s")
    return (3 <= len(typed) <= MAX_CORRECTABLE_LETTERS and typed.isalpha()
            and not (acronym.isupper() and len(acronym) > 1))


def _correction(lexicon: Lexicon, word: str, first: bool, is_name: bool, others: list[str],
                settings: RetrievalSettings, wh_only: bool = False) -> str | None:
    """The surface word to search instead of this unknown one (or, wh_only, of a word the index
    holds opening the question: only a question word, "wen did" -> "when"); None: leave it."""
    real = lexicon.is_english(word, settings.min_real_word_count)  # a real word is no slip...
    # ...unless it is the first word and one edit from a question word ("wat": "what")
    if real and not first:
        return None
    if is_name:
        return _name_correction(lexicon, word, others, settings)
    found = lexicon.suggestions(word)
    if len(word) < 4:
        found = [s for s in found if s.stop_word]
    if real or wh_only:
        found = [s for s in found if s.term in QUESTION_WORDS]
    if not found:
        return None
    best = _best(lexicon, found, first, others, word)
    return best.term if best.stop_word else _surface(word, best.term, best.surface)


def _name_correction(lexicon: Lexicon, word: str, others: list[str], settings: RetrievalSettings) -> str | None:
    """A name one edit from a name of the index, when at least min_name_correction_length
    letters long; else one that differs by its vowels only."""
    stem = stem_of(word)
    found = lexicon.suggestions(word, stop_words=False)
    if found and len(word) >= settings.min_name_correction_length:
        best = _best(lexicon, found, False, others, word)
        return _surface(word, best.term, best.surface)
    variants = [v for v in lexicon.variants(stem) if len(v) == len(stem)]
    return _surface(word, variants[0]) if variants else None


def _best(lexicon: Lexicon, found: list[Suggestion], first: bool, others: list[str], word: str = "") -> Suggestion:
    """The nearest candidate; among equals a question word for the first word, then the one
    that shares a passage with more of the question's other words, then one the typed word is
    the candidate less a letter ("wher": "where", not "when"; fast typing drops letters), then
    the most frequent."""
    nearest = min(s.distance for s in found)
    found = [s for s in found if s.distance == nearest]
    fit = lexicon.context([s.term for s in found], others) if len(found) > 1 else {}
    return min(found, key=lambda s: (not (first and s.term in QUESTION_WORDS), not s.surface,
                                     -round(fit.get(s.term, 0.0), 1), not _less_a_letter(word, s.surface or s.term),
                                     -s.count, s.term))


def _less_a_letter(typed: str, word: str) -> bool:
    """True when `typed` is `word` with one letter left out."""
    return len(word) == len(typed) + 1 and any(word[:i] + word[i + 1:] == typed for i in range(len(word)))


def _surface(typed: str, stem: str, real: str = "") -> str:
    """A word whose stem is `stem`, one edit from the typed word, the likeliest slip first (an
    English word before others): "playd" -> "played", "kuechlyy" -> "kuechly", "tetze" -> "tetzel";
    else `real` (a real word one edit away, "wroote" -> "wrote"); else the typed word's ending on
    the stem ("comanded": "comand" -> "command" + "ed"), or a plain form of the stem."""
    prefix = stem[:-1]
    found = next((w for w in real_words_near(typed) if w.startswith(prefix) and stem_of(w) == stem), real)
    found = found or next((w for w in undo_slip(typed) if w.startswith(prefix) and stem_of(w) == stem), "")
    if found:
        return found
    typed_stem = stem_of(typed)
    tries = [stem + typed[len(typed_stem):]] if typed.startswith(typed_stem) else []
    tries += [stem, stem + "e", stem[:-1] + "y", stem + "s"]
    return next((w for w in tries if stem_of(w) == stem), stem)


def _with_case(word: str, typed: str) -> str:
    """The corrected word in the typed word's case; mixed case ("BSkkyB", "iPhnoe") letter by
    letter, each letter that matches the typed one from either end taking its case."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if not any(ch.isupper() for ch in typed[1:]):
        return word[:1].upper() + word[1:] if typed[:1].isupper() else word
    out, low, n = list(word), typed.lower(), min(len(word), len(typed))
    for order in (range(n), range(-1, -n - 1, -1)):
        for i in order:
            if word[i] != low[i]:
                break
            out[i] = typed[i]
    if typed[0].isupper():
        out[0] = out[0].upper()
    return "".join(out)
