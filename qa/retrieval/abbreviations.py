"""Abbreviations a reporter types and the words the articles spell out: "ceo" finds "Chief
executive Lorna Whitcombe", "prime minister" finds "the PM". Each is searched as another
spelling of the other (Spelling.aliases: weighed at name_variant_weight in BM25, counted as the
question's word in a highlighted sentence, a word no passage holds weighing as the other:
qa/retrieval/pipeline.py missing_weights), both ways, from this one table."""

from __future__ import annotations

from collections.abc import Sequence

from qa.index.text import stem_of, tokenize, word_spans

#: abbreviation -> its spelled-out form (common in news copy)
FORMS: dict[str, str] = {
    "ceo": "chief executive", "cfo": "chief financial officer", "coo": "chief operating officer",
    "pm": "prime minister", "mp": "member of parliament", "mps": "members of parliament",
    "us": "united states", "usa": "united states", "uk": "united kingdom", "eu": "european union",
    "un": "united nations", "gdp": "gross domestic product", "ipo": "initial public offering",
    "imf": "international monetary fund", "wto": "world trade organization", "nhs": "national health service",
    "ecb": "european central bank", "opec": "organization of petroleum exporting countries",
    "mep": "member of the european parliament", "nato": "north atlantic treaty organization",
}
_SPELLED = {short: tuple(tokenize(form)) for short, form in FORMS.items()}  # once, at import
#: also a common word ("tell us"): an abbreviation only typed in capitals or after one of these
_AMBIGUOUS = frozenset({"us"})
_BEFORE_NAME = frozenset("the in from a an".split())


def abbreviation_aliases(text: str, tokens: Sequence[str]) -> dict[str, str]:
    """Stems to search as other spellings of the question's own (stem -> the question's stem): an
    abbreviation's spelled-out words, and the abbreviation of a form the question spells out.
    `tokens`: the text's (tokenized once a question)."""
    spans = word_spans(text)
    typed = [m.group(0) for m in spans]
    lowered = [w.casefold() for w in typed]
    out: dict[str, str] = {}
    for i, word in enumerate(lowered):
        form = FORMS.get(word)
        if form is None or (word in _AMBIGUOUS and not typed[i].isupper()
                            and not (i and lowered[i - 1] in _BEFORE_NAME)):
            continue
        for stem in _SPELLED[word]:
            out.setdefault(stem, stem_of(word))
    asked = set(tokens)
    for short, spelled in _SPELLED.items():
        if asked.issuperset(spelled) and stem_of(short) not in asked:
            out.setdefault(stem_of(short), spelled[0])
    return out
