"""BM25 tokens: stop words out, stems, acronyms kept, irregular past forms met with their verb."""

from __future__ import annotations

from qa.index.text import tokenize


def test_stop_words_go_and_words_are_stemmed():
    assert tokenize("The militants were killed in the fighting") == ["milit", "kill", "fight"]


def test_capitalized_acronym_is_not_a_stop_word():
    assert "is" in tokenize("Who drove IS out of Derna?")
    assert "is" not in tokenize("Who is in Derna?")
    assert tokenize("IT spending by the WHO") == ["it", "spend", "who"]


def test_text_all_in_capitals_keeps_dropping_stop_words():
    assert tokenize("WHO IS THERE") == []


def test_irregular_past_forms_meet_the_base_verb():
    drove, driven, drive = (tokenize(w) for w in ("drove", "driven", "drives"))
    assert drove == driven == drive == ["drive"]
    assert tokenize("they wrote and had written") == tokenize("they write") * 2


def test_ambiguous_forms_keep_their_own_meaning():
    # "found" (to found a company), "left" (the side) are not rewritten to find/leave
    assert tokenize("found") != tokenize("find")
    assert tokenize("left") != tokenize("leave")


def test_invisible_characters_do_not_split_words():
    plain = tokenize("Kilimanjaro is in Tanzania")
    for hidden in ("\u200b", "\u00ad", "\u200d", "\u2060", "\ufeff", "\u200c"):
        assert tokenize(f"Kili{hidden}manjaro is in Tan{hidden}zania") == plain


def test_compatibility_forms_match_their_plain_words():
    assert tokenize("ＵＮＩＣＥＦ ﬁnances") == tokenize("UNICEF finances")
    assert tokenize("cafe\u0301 Zu\u0308rich") == tokenize("café Zürich")


def test_every_format_character_is_removed():
    import sys
    import unicodedata

    from qa.index.text import normalize

    format_chars = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert normalize("a" + "".join(format_chars) + "b") == "ab"


# -- one analyzer: no other module of qa/ splits text into words (issue 23) ---------------------
#: prose and its words: a pattern that finds exactly these in it splits text into words
PROSE = "Rebels held the town, officials said."
PROSE_WORDS = ["Rebels", "held", "the", "town", "officials", "said"]
#: word splitters that stay outside qa/index/text.py, and why
OUTSIDE_THE_ANALYZER = {
    "qa/index/duplicates.py": "its words make the MinHash signatures stored in every index: a format",
}


def _regex_literals(path):
    """The patterns written as string literals in re.compile / re.finditer / ... calls of a module."""
    import ast

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            yield node.args[0].value


def test_the_analyzer_is_the_only_word_splitter():
    """Every regex of qa/ that finds the words of plain prose is the analyzer's (qa/index/text.py),
    or is listed above with its reason: a second word splitter is a second meaning of "word"."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    splitters = {}
    for path in sorted((root / "qa").rglob("*.py")):
        for pattern in _regex_literals(path):
            try:
                found = [m.group(0) for m in re.finditer(pattern, PROSE)]
            except re.error:
                continue
            if found == PROSE_WORDS:
                splitters.setdefault(path.relative_to(root).as_posix(), []).append(pattern)
    assert "qa/index/text.py" in splitters  # the test sees a splitter where there is one
    del splitters["qa/index/text.py"]
    assert set(splitters) == set(OUTSIDE_THE_ANALYZER), splitters


# -- the ASCII word pattern (issue 23: a passage's words found in ~60 % of the time) ------------

from hypothesis import given, settings, strategies as st  # noqa: E402

_ASCII_TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=80) | \
    st.lists(st.sampled_from(["Jay-Z.", "O'Neill's", "rock'n'roll", "_x_", "a_b", "45,000", "'quoted'",
                              "don't", "WHO", "IS", "it's", "x'", "'", "\n", " ", "2006.", "US$5"]),
             max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(_ASCII_TEXT)
def test_the_ascii_pattern_finds_the_words_the_unicode_one_does(text):
    from qa.index.text import _ASCII_WORD, _WORD

    for a, b in ((0, len(text)), (len(text) // 3, len(text) - 2)):
        assert _ASCII_WORD.findall(text, a, b) == _WORD.findall(text, a, b)


# -- a passage's analysis as the index stores it (issue 23) ------------------------------------

_PROSE = st.text(max_size=200) | st.lists(st.sampled_from(
    ["The man", "SAID.", "Dr. Smith", "left", "WHO", "IS", "\n\n", "\n", "ﬁsh", "Kil\u200bimanjaro", "It's", "?",
     "“Yes.”", "1. Item", "U.S.", " "]), max_size=20).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(_PROSE)
def test_a_stored_analysis_reads_back_as_the_analyzer_makes_it(text):
    from qa.index.text import Analyzer, pack, unpack

    analysis = Analyzer._analyse(text)
    assert unpack(pack(analysis)) == analysis


def test_the_analyzer_version_is_raised_when_its_output_changes():
    """Indexes store passages' analyses under ANALYSIS_VERSION (qa/index/store.py passage_analysis)
    and read only those of the running analyzer's version: a change to sentence spans, tokens or
    stems must raise it, or an index would answer from analyses the code no longer makes. This
    pins the analyses of the seed articles' paragraphs to the version; when it fails, raise
    ANALYSIS_VERSION in qa/index/text.py and put the new digest here beside it."""
    import hashlib

    from conftest import SEEDS
    from qa.index.text import ANALYSIS_VERSION, Analyzer

    digest = hashlib.sha256()
    for path in sorted(SEEDS.glob("*.txt")):
        whole = path.read_text(encoding="utf-8")
        for passage in [whole, whole.upper(), *whole.split("\n\n")]:
            digest.update(repr(Analyzer._analyse(passage)).encode("utf-8"))
    assert (ANALYSIS_VERSION, digest.hexdigest()[:16]) == (3, "c3b53fd49cb4ecb4")
