"""Follow-up questions: carrying the topic of a conversation into the next retrieval query.

A question such as "When was he captured?" names nobody; searched alone it finds any capture.
The rule, kept simple so a user can predict it:

* A question is a **follow-up** when it holds a pronoun that points back (he, she, it, they, him,
  them, this, these, those; a possessive, his, her, its, their, only when no key word of the
  question comes before it: "why is marsh halving its dividend" and "what did george michael say
  about his music" name whose, "who is her lawyer" does not) or "else" ("who else": someone other
  than the one just found), starts with "what about", "how about", "and" or "also", or has at most
  two key words of its own (say, tell, will, would, many, much not counted) and names nobody ("How
  many died?", but not "What is the capital of Peru?", which names its subject, nor "who is jamal
  zubia", typed in lower case, whose "zubia" no English word list holds, nor "who is stephen
  dyer", "who is" and two words being a name asked about) -- unless its own words make a **topic
  of their own**. Put simply: a short question goes on with the topic when the topic's passages
  speak of it, and starts a new one when its words meet only elsewhere. Exactly, with the index at
  hand (the chat's, once loaded): it stands alone when no passage holds its own words and the
  words it would borrow (below) together, each at least `follow_up_share` (0.35) of their best
  passage alone (BM25), a word of the question counting with the index's stems that start as it
  does (`kin`: "when was the diagnosis" meets an article that says "diagnosed"). "who did the
  broadband survey" after "which players will robinson be without" meets in broadband articles,
  none about Robinson's players: it stands alone; "how many were killed" after a question about
  Pinochet's victims meets the Pinochet article and borrows its words. Pronouns and the openings
  are never overruled: "and the survey?" or "who did their survey" always go on with the topic,
  Ctrl+N always starts a new one.
* A follow-up is searched as the question **plus the names of the previous retrieval query**:
  its key words (not stop words) that hold a capital letter, the first word of the question
  excepted ("Ansar al-Sharia", "Derna"); when it has none (a question typed in lower case), all
  its key words. In order, without repeats or words the follow-up has itself, at most
  `MAX_CONTEXT_WORDS`. Names rather than every word, so that "When was he captured?" after
  "Who heads Ansar al-Sharia in Derna?" looks for a capture in that topic, not for "heads".
  Because the previous query of a follow-up already carries its context, a chain of
  follow-ups keeps the topic of the question that opened it.
* Any other question starts a new topic; so does `Conversation.clear()` (the UI's "new topic").
  So does pasted text, pronouns and all: a question of more than `PASTED_WORDS` (20) key words
  is a paragraph pasted to find where it was said, whose "it" and "they" point inside it.

The answer still cites passages; only what is searched for changes. Usable without the UI.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from qa.index.text import ANALYZER, STOP_WORDS, tokenize
from qa.retrieval.answer_types import ROLE, question_type
from qa.settings import DEFAULT_SETTINGS

if TYPE_CHECKING:
    from qa.retrieval.speller import Lexicon

#: pronouns that point back to something named earlier
BACK_POINTERS = frozenset("he she him his her hers it its they them their theirs this these those".split())
#: the ones that may point back inside the question itself, to a subject it names before them
POSSESSIVES = frozenset("his her hers its their theirs".split())
#: words that only mean something against what was asked before ("who else"): like a pronoun
RELATIVE_WORDS = frozenset({"else"})
#: the question words the stop list lacks ("whose"; "whos" is corrected to it): no topic to carry on
NO_TOPIC_QUESTION_WORDS = frozenset({"whose"})
#: openings that only make sense after an earlier question
FOLLOW_UP_OPENINGS = ("what about", "how about", "and ", "also ")
#: words that name no topic (saying, the modals, "how many / much"): a question's count of its
#: own key words leaves them out ("what did the oil official say" has two, as "who is the oil official")
UNCOUNTED_WORDS = frozenset("say says said tell tells told will would many much".split())
#: a question with this many key words or fewer is too short to stand alone
SHORT_QUESTION_WORDS = 2
#: most words borrowed from earlier questions
MAX_CONTEXT_WORDS = 12
#: a question with more key words than this was pasted (a paragraph of an article, to find where
#: it was said), not typed: its pronouns point inside it, so it is never a follow-up. A question
#: typed at the prompt has a handful ("what did he say about the fighting with the Islamic State
#: group in the city": 6); the paragraph pasted in the sixth new user's walk had 126
PASTED_WORDS = 20


def _words(text: str) -> list[str]:
    """The words as written, carried whole into a follow-up's query ("al-Sharia"; the analyzer's)."""
    return ANALYZER.written_words(text)


def key_words(text: str) -> list[str]:
    """The words of `text` that carry its topic: not stop words, not numbers alone, no repeats;
    not "else" either (a follow-up borrowing "who else quit" searches for "quit", not "else"), nor
    a question word ("whose", which is no stop word: "whos the militia leader" corrected to it)."""
    seen: set[str] = set()
    out: list[str] = []
    for word in _words(text):
        folded = word.casefold().replace("’", "'")
        if folded.endswith("'s"):
            folded = folded[:-2]
        if folded in STOP_WORDS or folded in RELATIVE_WORDS or folded in NO_TOPIC_QUESTION_WORDS or folded in seen:
            continue
        seen.add(folded)
        out.append(word)
    return out


def names(text: str) -> list[str]:
    """Key words with a capital letter, the text's first word excepted (capitalized anyway)."""
    first = next(iter(_words(text)), None)
    found = [w for w in key_words(text) if any(ch.isupper() for ch in w)]
    return found[1:] if found and found[0] == first and text.lstrip().startswith(first) else found


def is_follow_up(question: str) -> bool:
    """True when the question leans on an earlier one by its words alone (see the module docstring
    for the rule; a short one may still stand alone by the index, `topic_of_its_own`). Pasted
    text (more than PASTED_WORDS key words) never does."""
    if len(key_words(question)) > PASTED_WORDS:
        return False
    return points_back(question) or is_short(question)


def points_back(question: str) -> bool:
    """A follow-up by an opening ("and ...") or a pronoun pointing back: never overruled."""
    lowered = question.strip().casefold()
    return any(lowered.startswith(opening) for opening in FOLLOW_UP_OPENINGS) or _points_back(question)


def is_short(question: str) -> bool:
    """At most two key words of its own (`UNCOUNTED_WORDS` aside) and no name: a follow-up unless
    the index says otherwise.
    A question of no words at all ("🚋🚋", "???") leans on nothing ("why?" has a word)."""
    if not _words(question):
        return False
    own = [w for w in key_words(question) if w.casefold() not in UNCOUNTED_WORDS]
    return (len(own) <= SHORT_QUESTION_WORDS and not names(question) and not _uncased_names(question, own)
            and not (len(own) == 2 and question_type(question) == ROLE))  # "who is stephen dyer": a name


def _points_back(question: str) -> bool:
    """A pronoun whose referent the question does not hold: any of he/she/it/they/this...; a
    possessive only before the question's first key word ("who is her lawyer", not "why did
    butler praise her coach", whose "her" is Butler's)."""
    seen_key_word = False
    for word in _words(question):
        folded = word.casefold()
        if folded in RELATIVE_WORDS or folded in BACK_POINTERS and not (seen_key_word and folded in POSSESSIVES):
            return True
        seen_key_word = seen_key_word or (folded not in STOP_WORDS and not folded.isdigit())
    return False


def _uncased_names(question: str, own: list[str]) -> bool:
    """In a question typed all in lower case ("who is jamal zubia"), a word no English word list
    holds is a name: the question names its subject, as "Who is Jamal Zubia?" does."""
    if any(ch.isupper() for ch in question):
        return False
    from qa.retrieval.speller import english_counts

    english = english_counts()
    return bool(english) and any(w.isalpha() and len(w) >= 3 and w.casefold() not in english for w in own)


#: each generation's stems in order (a generation replaced is let go with its lexicon)
_SORTED_TERMS: WeakKeyDictionary[Lexicon, list[str]] = WeakKeyDictionary()


def _sorted_terms(lexicon: Lexicon) -> list[str]:
    """The index's stems in order, for finding those that start alike (sorted once per generation)."""
    terms = _SORTED_TERMS.get(lexicon)
    if terms is None:
        terms = _SORTED_TERMS[lexicon] = sorted(lexicon.vocabulary)
    return terms


def kin(lexicon: Lexicon, token: str, letters: int) -> list[str]:
    """Other stems of the index that start as the token does, all but its last two letters and at
    least `letters` of them, and go on for two letters at most: a noun's and its verb's stems
    ("diagnosis" diagnosi, "diagnosed" diagnos; not "deadlin" and deadliest). None for a token
    of `letters` letters or fewer."""
    if len(token) <= letters:
        return []
    prefix = token[:max(letters, len(token) - 2)]
    terms = _sorted_terms(lexicon)
    out = []
    for term in terms[bisect.bisect_left(terms, prefix):]:
        if not term.startswith(prefix):
            break
        if term != token and len(term) <= len(prefix) + 2:
            out.append(term)
    return out


def topic_of_its_own(lexicon: Lexicon, question: str, topic: list[str], share: float,
                     kin_letters: int = DEFAULT_SETTINGS.follow_up_kin) -> bool:
    """True when no passage holds the question's own words and the topic's together, each at
    least `share` of its best passage: the question's words meet elsewhere ("broadband survey"
    in broadband articles, none about the rugby topic). BM25 weights of one generation; words the
    index lacks count for nothing, and with none of the question's or the topic's known there is
    nothing to tell: False (the words' rule stands)."""
    import numpy as np  # not at the UI's start-up

    weights = lexicon.weights
    own = [t for t in dict.fromkeys(tokenize(question)) if t in lexicon.vocabulary]
    own += [k for t in own for k in kin(lexicon, t, kin_letters) if k not in own]
    borrowed = [t for t in dict.fromkeys(tokenize(" ".join(topic))) if t in lexicon.vocabulary and t not in own]
    if weights is None or not own or not borrowed:
        return False
    scores = (weights.scores(own), weights.scores(borrowed))  # BM25's own sums: no copy of a posting
    held = scores[0] > 0  # the passages holding a word of the question
    together = np.minimum(scores[0][held] / scores[0].max(), scores[1][held] / scores[1].max())
    return bool(together.size) and float(together.max()) < share


@dataclass
class Turn:
    """One question as it will be searched."""

    question: str
    query: str  # what is searched: the question, plus context words for a follow-up
    context: list[str] = field(default_factory=list)  # the words borrowed from earlier questions

    @property
    def follow_up(self) -> bool:
        return bool(self.context)


class Conversation:
    """Remembers the previous retrieval query so that follow-ups can borrow its key words.
    `share`: the settings' `follow_up_share` (see `topic_of_its_own`)."""

    def __init__(self, share: float = DEFAULT_SETTINGS.follow_up_share) -> None:
        self.previous_query: str | None = None
        self.share = share

    def ask(self, question: str, words: str | None = None, lexicon: Lexicon | None = None) -> Turn:
        """The Turn for the next question; it becomes the previous one. `words`: the question's
        own words when it has more (a filter prefix, "since:2024 Who ..."): only they are searched
        and carried into follow-ups. `lexicon`: the index's (its snapshot's), to let a short
        question with a topic of its own stand alone; without it (no index loaded yet) the words'
        rule alone decides."""
        words = question if words is None else words
        context: list[str] = []
        if self.previous_query is not None and is_follow_up(words):
            own = {w.casefold() for w in key_words(words)}
            topic = names(self.previous_query) or key_words(self.previous_query)
            context = [w for w in topic if w.casefold() not in own][:MAX_CONTEXT_WORDS]
            if context and lexicon is not None and not points_back(words) \
                    and topic_of_its_own(lexicon, words, context, self.share):
                context = []
        query = f"{words} {' '.join(context)}" if context else words
        self.previous_query = query
        return Turn(question, query, context)

    def spelled(self, turn: Turn, corrected: Mapping[str, str]) -> None:
        """The words searched for a turn's misspelled ones (`Answer.corrected`) are what its
        follow-ups borrow and show ("also searched for: … killed", not "kiled"); nothing when a
        newer question was asked meanwhile."""
        if self.previous_query != turn.query or not corrected:
            return
        query = turn.query
        for typed, searched in corrected.items():
            query = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", lambda _: searched, query)
        self.previous_query = query

    def clear(self) -> None:
        """Start a new topic: the next question is searched on its own."""
        self.previous_query = None
