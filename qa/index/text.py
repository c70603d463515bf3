"""The normalized token form BM25 works on: case-folded words, stop words out, Snowball stems.

Stemming goes through PyStemmer (the Snowball algorithms, C speed) so "killed" meets "kill".
"""

from __future__ import annotations

import array
import re
import sys
import unicodedata
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

import Stemmer

# A standard English stop-word list (the one Lucene and Snowball use, plus a few question words
# that carry no topic: who, what, when ...).
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't down during each few for from further had hadn't has hasn't have haven't having he he'd
    he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into
    is isn't it it's its itself let's me more most mustn't my myself no nor not of off on once only
    or other ought our ours ourselves out over own same shan't she she'd she'll she's should
    shouldn't so some such than that that's the their theirs them themselves then there there's
    these they they'd they'll they're they've this those through to too under until up very was
    wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while
    who who's whom why why's with won't would wouldn't you you'd you'll you're you've your yours
    yourself yourselves s t also""".split()
)

# English irregular verbs, "base past participle" (alternatives split by /): Snowball leaves
# "drove" and "driven" apart from "drive", so their past forms are mapped to the base first.
# A table rather than a lemmatizer package (lemminflect, simplemma): without part-of-speech
# context those map "found", "left", "saw" to find/leave/see just the same, so the list of forms
# to leave alone (_AMBIGUOUS) would be needed anyway, and this costs one dict lookup a word.
_IRREGULAR = """arise arose arisen|awake awoke awoken|bear bore borne/born|beat beat beaten|become became become
begin began begun|bend bent bent|bet bet bet|bind bound bound|bite bit bitten|bleed bled bled|blow blew blown
break broke broken|breed bred bred|bring brought brought|build built built|burn burnt burnt|buy bought bought
catch caught caught|choose chose chosen|cling clung clung|come came come|creep crept crept|deal dealt dealt
dig dug dug|draw drew drawn|dream dreamt dreamt|drink drank drunk|drive drove driven|eat ate eaten|fall fell fallen
feed fed fed|feel felt felt|fight fought fought|find found found|flee fled fled|fly flew flown|forbid forbade forbidden
forget forgot forgotten|forgive forgave forgiven|freeze froze frozen|get got gotten|give gave given|go went gone
grind ground ground|grow grew grown|hang hung hung|hear heard heard|hide hid hidden|hold held held|keep kept kept
kneel knelt knelt|know knew known|lay laid laid|lead led led|lean leant leant|leap leapt leapt|learn learnt learnt
leave left left|lend lent lent|lie lay lain|light lit lit|lose lost lost|make made made|mean meant meant|meet met met
pay paid paid|ride rode ridden|ring rang rung|rise rose risen|run ran run|say said said|see saw seen|seek sought sought
sell sold sold|send sent sent|sew sewed sewn|shake shook shaken|shine shone shone|shoot shot shot|show showed shown
shrink shrank shrunk|sing sang sung|sink sank sunk|sit sat sat|slay slew slain|sleep slept slept|slide slid slid
speak spoke spoken|speed sped sped|spend spent spent|spin spun spun|spring sprang sprung|stand stood stood
steal stole stolen|stick stuck stuck|sting stung stung|stink stank stunk|stride strode stridden|strike struck struck/stricken
strive strove striven|swear swore sworn|sweep swept swept|swim swam swum|swing swung swung|take took taken
teach taught taught|tear tore torn|tell told told|think thought thought|throw threw thrown|tread trod trodden
understand understood understood|wake woke woken|wear wore worn|weave wove woven|weep wept wept|win won won
wind wound wound|withdraw withdrew withdrawn|write wrote written|overcome overcame overcome|undertake undertook undertaken
uphold upheld upheld|withhold withheld withheld|overthrow overthrew overthrown|mislead misled misled"""
# forms that are also common words of another meaning stay as they are
_AMBIGUOUS = {"found", "ground", "left", "lay", "lie", "lit", "wound", "saw", "bore", "fell", "rose", "felt",
              "won", "meant", "spring", "light", "stick", "lean", "tear", "bound", "born", "stood"}
_BASE = {form: base for line in _IRREGULAR.replace("\n", "|").split("|")
         for base, *forms in [line.split()] for group in forms for form in group.split("/")
         if form != base and form not in _AMBIGUOUS}

# Unicode format characters (category Cf: zero-width spaces and joiners, soft hyphens, bidi
# controls, BOMs): invisible, so "Kil\u200bimanjaro" reads as one word and must match as one
_FORMAT_CHARS = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
                           "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
                           "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
                           "\U000e0020-\U000e007f]")


def normalize(text: str) -> str:
    """The form words are matched in (questions and documents alike): format characters removed,
    then NFKC (full-width letters, ligatures and composed accents become their plain forms).
    Only for matching: offsets always refer to the original text, which is never rewritten."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", _FORMAT_CHARS.sub("", text))


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
#: _WORD for a text all in ASCII (its letters and digits are [a-zA-Z0-9], its only apostrophe is
#: '): the same words, found in ~60 % of the time (a passage's ~14 us of ~23)
_ASCII_WORD = re.compile(r"[a-zA-Z0-9]+(?:'[a-zA-Z0-9]+)*")
#: PyStemmer's own cache off (size 0): _stem's lru_cache keeps the words already, and past 10,000
#: words PyStemmer purged its cache on every new word (a new word cost ~2.7 us, ~0.5 us without)
_stemmer = Stemmer.Stemmer("english", 0)


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    """Case-folded words of the text, apostrophes normalized, possessive 's dropped. An ASCII
    text's words are _ASCII_WORD's (the same words, no ’ to replace): a quoted phrase is looked
    for in every candidate's text, ~2x sooner so."""
    folded = normalize(text).casefold()
    if folded.isascii():
        found = _ASCII_WORD.findall(folded)
    else:
        found = [word.replace("’", "'") for word in _WORD.findall(folded)]
    return [word[:-2] if word.endswith("'s") else word for word in found]


def word_run(text: str) -> str:
    """The text's words (as `words` finds them) space-separated and space-bounded: a phrase is held
    word for word, case and punctuation aside, when its word_run is a substring of the text's
    (a quoted phrase, a pasted sentence)."""
    return " " + " ".join(words(text)) + " "


def tokenize(text: str) -> list[str]:
    """BM25 tokens: words that are not stop words, stemmed.

    An upper-case word of two letters or more is an acronym, not a stop word ("IS" the group,
    "US", "WHO"), unless the whole text is in capitals (then case tells nothing). Irregular
    past forms are first mapped to their verb ("drove", "driven" -> "drive").
    """
    text = normalize(text)
    shouting = not any(ch.islower() for ch in text)
    out = []
    for raw in (_ASCII_WORD if text.isascii() else _WORD).findall(text):
        token, acronym = _token(raw)
        if token is not None and not (acronym and shouting):
            out.append(token)
    return out


@lru_cache(maxsize=200_000)
def _token(raw: str) -> tuple[str | None, bool]:
    """One word's token as tokenize makes it (None: a stop word), and whether it is a stop word
    kept only as an acronym (two capitals or more, in a text not all in capitals). Cached: a
    word's form is worked out once per process, not once per sentence it is in."""
    word = raw.casefold().replace("’", "'")
    if word.endswith("'s"):
        word, raw = word[:-2], raw[:-2]
    if word in STOP_WORDS:
        return (_stem(_BASE.get(word, word)), True) if len(raw) >= 2 and raw.isupper() else (None, False)
    return _stem(_BASE.get(word, word)), False


class Analysis(NamedTuple):
    """A passage as the stages after retrieval read it: its sentences' spans (qa/ingest/sentences.py),
    each sentence's tokens (as tokenize makes them of the sentence alone) and the whole text's."""

    spans: tuple[tuple[int, int], ...]
    sentence_tokens: tuple[tuple[str, ...], ...]
    tokens: tuple[str, ...]


#: The analyzer's output for a passage as the index stores it (qa/index/store.py, passage_analysis):
#: its sentences' spans (int32 pairs), each sentence's tokens (space-separated, sentences on lines)
#: and the whole text's tokens when they are not those sentences' tokens in a row (None).
class StoredAnalysis(NamedTuple):
    spans: bytes
    sentence_tokens: str
    tokens: str | None


#: Raised whenever the analyzer's output for some text changes (sentence spans, tokens, stems):
#: analyses stored under another version are not read (the text is analysed as it is asked for),
#: so an index keeps answering as the code it runs would. tests/test_text.py pins the output on
#: the seed articles to this number. 3: a number opening a wrapped line mid-sentence opens no list
#: item (qa/ingest/sentences.py; the seeds' analyses are unchanged, a wire story's are not).
ANALYSIS_VERSION = 3


def pack(analysis: Analysis) -> StoredAnalysis:
    """An analysis as stored (tokens hold no white space: they are words of the word pattern)."""
    bounds = array.array("i", [bound for span in analysis.spans for bound in span])
    if sys.byteorder == "big":  # stored little-endian, as faiss and numpy files are read here
        bounds.byteswap()
    joined = tuple(t for tokens in analysis.sentence_tokens for t in tokens)
    return StoredAnalysis(bounds.tobytes(), "\n".join(" ".join(tokens) for tokens in analysis.sentence_tokens),
                          None if joined == analysis.tokens else " ".join(analysis.tokens))


def unpack(stored: StoredAnalysis) -> Analysis:
    bounds = array.array("i")
    bounds.frombytes(stored.spans)
    if sys.byteorder == "big":
        bounds.byteswap()
    pairs = iter(bounds)
    per = tuple([tuple(line.split(" ")) if line else () for line in stored.sentence_tokens.split("\n")]) if bounds else ()
    if stored.tokens is None:
        whole = tuple(chain.from_iterable(per))
    else:
        whole = tuple(stored.tokens.split(" ")) if stored.tokens else ()
    return Analysis(tuple(zip(pairs, pairs)), per, whole)


#: a word as a reader marks it: a number with separators is one ("45,000", not "45" and "000")
_MARK_WORD = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
#: a word as written, a hyphen joining its parts ("al-Sharia" whole, capital kept): the words a
#: follow-up carries into its query and a "not found" answer names (qa/retrieval/context.py); the
#: query they join is tokenized as any other
_WRITTEN_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
#: a word's place in its text and its tokens (what the UI underlines when the question holds them)
Mark = tuple[int, int, frozenset[str]]

#: passages analysed and kept (by text: ids are per index, and an app may switch indexes); a
#: question reads ~10-30, the UI's cards and `qa ask -` come back to the same ones
ANALYSIS_CACHE = 4096
#: passages whose UI word marks are kept (a frozenset a word: ~30 KB a passage; the UI shows
#: three cards an answer) and questions whose terms are
MARKS_CACHE = 256
_LOWER = re.compile("[a-z]")


def _has_lower(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] holds a lower-case letter (tokenize's test for a text in capitals)."""
    if text.isascii():
        return _LOWER.search(text, start, end) is not None
    return any(ch.islower() for ch in text[start:end])


class Analyzer:
    """The one owner of how text is split into words, tokens and sentences: tokenize, words,
    stem_of and word_spans (module functions, the same for every caller); `analyse`, a
    passage's sentences and tokens computed once and cached; `marks`, the UI's words with their
    tokens; `terms`, a question's token set; `written_words`, words as a person wrote them.
    (tests/test_text.py checks that no other module of qa/ splits text into words.)"""

    tokenize = staticmethod(tokenize)
    words = staticmethod(words)

    def __init__(self, cache_size: int = ANALYSIS_CACHE) -> None:
        self.analyse = lru_cache(maxsize=cache_size)(self._stored_or_made)
        self.marks = lru_cache(maxsize=MARKS_CACHE)(self._marks)
        self.terms = lru_cache(maxsize=MARKS_CACHE)(self._terms)
        self._stored: dict[str, StoredAnalysis] = {}

    def give(self, text: str, stored: StoredAnalysis) -> None:
        """The analysis of a passage as the index stored it (read with its row): `analyse` unpacks
        it the first time the text is asked for, instead of analysing the text (~10 us, not ~115)."""
        if len(self._stored) >= ANALYSIS_CACHE:
            self._stored.clear()
        self._stored[text] = stored

    def _stored_or_made(self, text: str) -> Analysis:
        stored = self._stored.pop(text, None)
        return unpack(stored) if stored is not None else self._analyse(text)

    @staticmethod
    def _marks(text: str) -> tuple[Mark, ...]:
        """Every word of the text as a reader sees it, with its tokens (cached: a card's marks are
        made once, off the UI's event loop, and read again on every resize)."""
        return tuple((m.start(), m.end(), frozenset(tokenize(m.group(0)))) for m in _MARK_WORD.finditer(text))

    @staticmethod
    def _terms(text: str) -> frozenset[str]:
        """A question's terms: its tokens as a set (cached: every card of an answer reads them)."""
        return frozenset(tokenize(text))

    @staticmethod
    def written_words(text: str) -> list[str]:
        """The words of a text as written: case kept, a hyphenated word whole ("al-Sharia")."""
        return _WRITTEN_WORD.findall(text)

    @staticmethod
    def stem_of(word: str) -> str:
        return stem_of(word)

    @staticmethod
    def word_spans(text: str) -> list[re.Match]:
        return word_spans(text)

    @staticmethod
    def _analyse(text: str) -> Analysis:
        """One pass of the word pattern over the text, sentence by sentence: each word's token
        (cached per word) goes to its sentence, which drops an acronym-only stop word when the
        sentence is all capitals, and to the whole text's list, which drops it when the whole
        text is. Text that normalize changes (offsets move with NFKC) is tokenized sentence by
        sentence, as tokenize normalizes each."""
        from qa.ingest.sentences import sentence_spans

        spans = tuple(sentence_spans(text))
        if not text.isascii() and normalize(text) != text:
            per = tuple(tuple(tokenize(text[a:b])) for a, b in spans)
            return Analysis(spans, per, tuple(tokenize(text)))
        shouting = not _has_lower(text, 0, len(text))
        find = _ASCII_WORD.findall if text.isascii() else _WORD.findall
        whole: list[str] = []
        per_sentence: list[tuple[str, ...]] = []
        for a, b in spans:  # sentences hold every word: they split the text at white space only
            if _has_lower(text, a, b):  # (so the text is not all capitals either) acronyms are tokens
                kept = tuple([t for t, _ in map(_token, find(text, a, b)) if t is not None])
                per_sentence.append(kept)
                whole.extend(kept)
                continue
            pairs = [_token(raw) for raw in find(text, a, b)]  # a sentence in capitals
            per_sentence.append(tuple(t for t, acronym in pairs if t is not None and not acronym))
            whole.extend(t for t, acronym in pairs if t is not None and not (acronym and shouting))
        return Analysis(spans, tuple(per_sentence), tuple(whole))


def word_spans(text: str) -> list[re.Match]:
    """The words of a text as tokenize sees them (matches in the text as given: normalize it first)."""
    return list((_ASCII_WORD if text.isascii() else _WORD).finditer(text))


@lru_cache(maxsize=200_000)
def stem_of(word: str) -> str:
    """The BM25 token of one case-folded word (irregular past forms mapped to their verb first)."""
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return _stem(_BASE.get(word, word))


#: the analyzer every stage shares (its cache is the process's)
ANALYZER = Analyzer()
