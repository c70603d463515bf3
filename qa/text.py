"""The normalized token form BM25 works on: case-folded words, stop words out, Snowball stems.

Stemming goes through PyStemmer (the Snowball algorithms, C speed) so "killed" meets "kill".
"""

from __future__ import annotations

import re
from functools import lru_cache

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

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    """Case-folded words of the text, apostrophes normalized, possessive 's dropped."""
    out = []
    for match in _WORD.finditer(text.casefold()):
        word = match.group(0).replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        out.append(word)
    return out


def tokenize(text: str) -> list[str]:
    """BM25 tokens: words that are not stop words, stemmed."""
    return [_stem(w) for w in words(text) if w not in STOP_WORDS]
