"""Questions as people type them: slips corrected against the index's own words, names spelled
differently, and a question about a name the best passage lacks not "answered"."""

from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import pytest

from conftest import SEEDS
from qa.retrieval.spelling import spell
from qa.search import Searcher
from qa.settings import DEFAULT_SETTINGS
from qa.retrieval.speller import english_count, skeleton, skeletons
from qa.index.text import stem_of, words

MICROSOFT = """Microsoft releases bumper patches

Microsoft has warned PC users to update their systems with the latest security fixes for flaws in Windows programs.

In its monthly security bulletin, it flagged up eight critical security holes which could leave PCs open to attack if left unpatched. They affect Windows programs, including Internet Explorer, media player and instant messaging.
"""
# two companies' chief executives, and a third company's products: "Apple" is in no article
CHIEFS = {
    "nadella.txt": """Nadella sets out cloud plans

Satya Nadella, the chief executive of Microsoft, said on Tuesday that the company would double its spending on data centres in Europe.

Mr Nadella, who took over from Steve Ballmer in 2014, told analysts that cloud revenue had grown by a third.
""",
    "pichai.txt": """Pichai defends search changes

Sundar Pichai, the chief executive of Google, defended changes to the search engine's advertising in an interview on Monday.

Mr Pichai said the company had listened to advertisers and publishers before making the changes.
""",
    "phones.txt": """Phone makers cut prices

Samsung and Nokia cut the prices of their cheapest phones as sales slowed in the second half of the year.

Analysts said that the price cuts would squeeze the makers' margins further.
""",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory, model):
    """The seeds, an article on Microsoft's patches and articles on two chief executives."""
    from qa.index.indexer import sync

    folder = tmp_path_factory.mktemp("spelling")
    articles = folder / "articles"
    shutil.copytree(SEEDS, articles)
    (articles / "microsoft.txt").write_text(MICROSOFT, encoding="utf-8")
    for name, text in CHIEFS.items():
        (articles / name).write_text(text, encoding="utf-8")
    sync(folder / "index", [articles], embedder=model)
    return folder / "index"


@pytest.fixture(scope="module")
def searcher(index):
    searcher = Searcher(index)
    yield searcher
    searcher.close()


def test_slips_in_a_question_about_the_seeds_are_corrected_and_answered(searcher, model):
    answer = searcher.search("who comanded the Abu Salim brigde", k=3, embedder=model)
    assert answer.corrected == {"comanded": "commanded", "brigde": "brigade"}
    assert answer.answered
    assert "the commander of the al-Qaeda linked Abu Salim Brigade" in answer.hits[0].text
    data = answer.as_json()
    assert data["corrected"] == {"comanded": "commanded", "brigde": "brigade"}


def test_slips_in_stop_words_and_a_name_are_corrected(searcher, model):
    answer = searcher.search("wat did microsft warn pc users abuot", k=3, embedder=model)
    assert answer.corrected == {"wat": "what", "microsft": "microsoft", "abuot": "about"}
    assert answer.answered
    assert "Microsoft has warned PC users to update their systems" in answer.hits[0].text


def test_a_question_spelled_right_is_searched_as_typed(searcher, model):
    question = "Who commanded the Abu Salim Brigade?"
    spelled = spell(searcher.snapshot.lexicon, question, searcher.settings)
    assert spelled.text == question and spelled.corrected == {}
    assert searcher.search(question, k=1, embedder=model).corrected == {}


def test_a_word_the_index_holds_is_never_changed(index, searcher):
    """Every word of the indexed passages, asked about: none is corrected (some are one edit
    from a more frequent word: "Derbi", "Zubia", "thuwar")."""
    from qa.index import store

    conn = store.connect(index)
    held = sorted({w for row in store.all_citation_rows(conn) for w in words(row.text)})
    conn.close()
    lexicon = searcher.snapshot.lexicon
    assert len(held) > 300 and {"derbi", "zubia", "thuwar"} <= set(held)
    for start in range(0, len(held), 12):
        question = "What about " + " ".join(held[start:start + 12]) + "?"
        assert spell(lexicon, question, searcher.settings).corrected == {}, question


def test_spelling_can_be_turned_off(searcher):
    off = replace(DEFAULT_SETTINGS, spelling=False)
    assert spell(searcher.snapshot.lexicon, "who comanded the brigde", off).corrected == {}


def test_a_short_unknown_name_is_left_as_typed(searcher):
    """A name the articles do not mention is not 'corrected' into a word they do."""
    spelled = spell(searcher.snapshot.lexicon, "Who is the chief executive of Apple?", searcher.settings)
    assert spelled.corrected == {} and spelled.names == ("appl",)


def test_sufian_and_sofian_qumu_are_one_man(searcher):
    assert skeleton("sufian") == skeleton("sofian") and skeleton("qumu") == skeleton("qumo")
    lexicon = searcher.snapshot.lexicon
    assert spell(lexicon, "Was Sufian Qumu captured?", searcher.settings).aliases == {"sofian": "sufian"}
    assert spell(lexicon, "Was Sofian Qumu captured?", searcher.settings).aliases == {"sufian": "sofian"}
    for name in ("Sufian", "Sofian"):
        assert "Sofian Qumu, a senior IS fighter" in _highlight(searcher, f"Was {name} Qumu a senior fighter?"), name
    assert "Sufian al Qumu, head of" in _highlight(searcher, "Where did gunmen attack Sofian?")


def test_skeletons_made_together_are_each_stems_own():
    """The tables of names' other spellings make every stem's skeleton in one pass over the stems
    joined: the same as one at a time, no run of letters spanning two stems, accented ones too."""
    stems = ["sufian", "zürich", "sofian", "muhammad", "mohammed", "aaron", "nass", "ssam", "müller", "qumu"]
    assert skeletons(stems) == [skeleton(s) for s in stems]
    assert skeleton("mohammed") == skeleton("muhammad") == "mahamad" and skeletons([]) == []


def test_english_counts_are_read_as_numbers_only_when_looked_up():
    """The English list's counts: a word's as a number, 0 for one the list lacks."""
    assert english_count("the") > english_count("warn") > 0 == english_count("sackrd") == english_count("")


def test_a_question_typed_in_lower_case_finds_the_names_other_spellings(searcher, model):
    """People type fast and skip capitals: "sufian qumu" is the name "Sufian Qumu" (the index
    holds it, no English list does), so "Sofian" in the other story is still the same man and the
    seeds' disagreement on his fate is shown as it is for the capitalised question."""
    lexicon = searcher.snapshot.lexicon
    lower = spell(lexicon, "what became of sufian al qumu", searcher.settings)
    cased = spell(lexicon, "What became of Sufian al Qumu", searcher.settings)
    assert lower.aliases == cased.aliases == {"sofian": "sufian"}
    assert spell(lexicon, "What became of sufian al qumu", searcher.settings).aliases == {}  # cased: as typed
    answer = searcher.search("what became of sufian al qumu", k=3, embedder=model)
    assert answer.sources_differ == [1, 2]


def test_a_names_other_spelling_adds_to_bm25_at_a_lower_weight(index, searcher):
    plain = Searcher(index, settings=replace(searcher.settings, name_variant_weight=0.0))
    both = searcher.search("Where did gunmen attack Sofian?", k=1, embedder=None).hits[0]
    alone = plain.search("Where did gunmen attack Sofian?", k=1, embedder=None).hits[0]
    full = searcher.search("Where did gunmen attack Sufian?", k=1, embedder=None).hits[0]
    assert both.passage_id == full.passage_id != alone.passage_id  # the attack on Sufian al Qumu
    assert "Sufian" in both.text and "Sofian" not in both.text
    assert both.bm25_score < full.bm25_score  # the other spelling weighs less than the name
    plain.close()


def _highlight(searcher, question: str) -> str:
    top = searcher.search(question, k=1, embedder=None).hits[0]  # BM25 alone
    return top.text[top.highlight_start - top.start:top.highlight_end - top.start]


def test_a_name_misspelled_by_a_vowel_is_corrected(searcher, model):
    answer = searcher.search("Where was Sufian al Qumo attacked?", k=1, embedder=model)
    assert answer.corrected == {"Qumo": "Qumu"}
    assert "Lathroun" in answer.hits[0].text


def test_a_question_about_a_name_no_article_holds_is_not_answered(searcher, model):
    assert searcher.search("Who is the chief executive of Google?", k=1, embedder=model).answered
    apple = searcher.search("Who is the chief executive of Apple?", k=1, embedder=model)
    assert "chief executive" in apple.hits[0].text and not apple.answered


def test_the_text_output_says_what_was_searched(searcher, model, capsys):
    from qa.render import print_answer

    print_answer(searcher.search("who comanded the Abu Salim brigde", k=1, embedder=model))
    assert "searched for: commanded, brigade" in capsys.readouterr().out


# -- the speller on small vocabularies built here (no model) ---------------------------------------
def _lexicon(passages: list[str]):
    from qa.index.bm25 import BM25Index
    from qa.retrieval.speller import Lexicon
    from qa.index.text import tokenize

    bm25 = BM25Index([tokenize(p) for p in passages])
    return Lexicon(bm25.vocabulary, bm25.document_frequency, bm25)


def test_a_slip_at_the_end_of_a_word_is_corrected_through_the_words_it_could_be():
    """"sackrd" is one edit from "sacked" but two from its stem "sack", which the stems alone miss;
    "coachh" (a doubled letter) is one delete from "coach"."""
    lexicon = _lexicon(["The club sacked its coach after the defeat.", "The coach was sacked on Monday."])
    assert "sackrd" not in lexicon.vocabulary and stem_of("sacked") == "sack"
    spelled = spell(lexicon, "When was the coach sackrd?", DEFAULT_SETTINGS)
    assert spelled.corrected == {"sackrd": "sacked"}
    assert spell(lexicon, "Why was the coachh sacked?", DEFAULT_SETTINGS).corrected == {"coachh": "coach"}


def test_a_real_word_the_index_lacks_is_left_as_typed():
    """A small index without "warn" holds "war": "warn" is a word, not a slip of it."""
    lexicon = _lexicon(["The war in Libya went on for months.", "Microsoft released patches for Windows."])
    question = "What did Microsoft warn about?"
    assert spell(lexicon, question, DEFAULT_SETTINGS).corrected == {}
    anything = replace(DEFAULT_SETTINGS, min_real_word_count=0)  # without the English list: a slip
    slip = spell(lexicon, question, anything).corrected
    assert list(slip) == ["warn"] and stem_of(slip["warn"]) == "war"


def test_the_questions_other_words_choose_between_corrections():
    """"sper" is one edit from "spur" (in more passages) and from "super": the one in a passage
    with the question's other words wins."""
    lexicon = _lexicon(["Denver won the super bowl final.", "A spur of the hills.", "The spur road.",
                        "Riders spur the horse."])
    assert lexicon.count("spur") > lexicon.count("super")
    assert spell(lexicon, "who won the sper bowl final", DEFAULT_SETTINGS).corrected == {"sper": "super"}
    assert spell(lexicon, "which horse did riders sper", DEFAULT_SETTINGS).corrected == {"sper": "spur"}


def test_a_question_word_slip_is_corrected_though_the_index_holds_it():
    """"wen did ...": the index holds "wen" (Wen Jiabao), but before "did" it is "when"; "Wen
    Jiabao said ..." is left as typed."""
    lexicon = _lexicon(["Premier Wen Jiabao spoke in Beijing.", "Reuters revenue fell in 2004."])
    assert lexicon.holds("wen")
    assert spell(lexicon, "wen did reuters revenue fall", DEFAULT_SETTINGS).corrected == {"wen": "when"}
    assert spell(lexicon, "Wen Jiabao spoke where", DEFAULT_SETTINGS).corrected == {}
    assert spell(lexicon, "There was revenue in what year", DEFAULT_SETTINGS).corrected == {}  # not "where"


def test_a_name_opening_a_statement_is_never_made_another_word():
    """"ebbers could face how many years": a name the index holds, before "could", is the subject
    of a statement, not a slipped question word; only a question word may replace it ("wen did")."""
    lexicon = _lexicon(["Bernie Ebbers could face 85 years in jail.", "The tide ebbed and the river ebbs."])
    assert lexicon.holds("ebbers")
    for question in ("ebbers could face how many years", "ebbers did face jail", "Ebbers is facing how many years"):
        assert spell(lexicon, question, DEFAULT_SETTINGS).corrected == {}, question


def test_a_dropped_letter_is_the_likelier_slip():
    """"wher" is one edit from "when" and from "where": a letter left out is how fast typing slips."""
    lexicon = _lexicon(["The Mini factory is in Oxford."])
    assert spell(lexicon, "wher is the mini factory", DEFAULT_SETTINGS).corrected == {"wher": "where"}


def test_an_acronym_is_never_corrected():
    lexicon = _lexicon(["The dams on the river were built in 1950."])
    for question in ("How many DSMs were built?", "Who built the DAMS?"):
        assert spell(lexicon, question, DEFAULT_SETTINGS).corrected == {}, question


def test_what_was_searched_replaces_the_slips_in_the_question():
    from qa.render import as_searched, looked_for

    searched = as_searched("who comanded the Abu Salim brigde?", {"comanded": "commanded", "brigde": "brigade"})
    assert searched == "who commanded the Abu Salim brigade?"
    assert "commanded" in looked_for(searched) and "comanded" not in looked_for(searched)


def test_a_correction_is_spelled_as_the_word_was_meant():
    """The word shown and searched is one edit from the slip, its case as typed: not a stem with
    the typed ending ("Kuechlys"), nor "writee" for a slip of "wrote" (whose stem is "write")."""
    lexicon = _lexicon(["Luke Kuechly made ten tackles for the Panthers.", "BSkyB bought the rights.",
                        "He wrote a book about the team."])
    cases = {"How many tackles did Kuechlyy make?": {"Kuechlyy": "Kuechly"},
             "What did BSkkyB buy?": {"BSkkyB": "BSkyB"},
             "What did he wroote about the team?": {"wroote": "wrote"}}
    for question, corrected in cases.items():
        assert spell(lexicon, question, DEFAULT_SETTINGS).corrected == corrected, question


def test_the_words_one_edit_away_are_symspells_without_its_build():
    """The speller's one-edit look-up finds what symspellpy's precomputed deletes find (OSA, a
    swap one edit; accented letters and digits too), for slips of every kind, with no table built."""
    from symspellpy import SymSpell, Verbosity

    from qa.retrieval.speller import _ALPHA_STOP_WORDS

    lexicon = _lexicon(["Zürich and São Paulo signed a deal in 2015 with the café owners.",
                        "The council met on Tuesday to discuss the budget for beyond 2005.",
                        "Broncos coach Kubiak sacked the quarterback; the Panthers won."])
    reference = SymSpell(max_dictionary_edit_distance=1, prefix_length=7)
    for term in [*lexicon.vocabulary, *_ALPHA_STOP_WORDS]:
        reference.create_dictionary_entry(term, 1)
    words = [*lexicon.vocabulary, "the", "about"]
    probes = {p for w in words for p in (w, w[1:], w[:-1] + "x", w + "s", w[1:2] + w[0] + w[2:], w[:2] + "é" + w[3:])}
    for probe in sorted(probes | {"zurich", "cafe", "201", "quarterbakc", "a", ""}):
        want = sorted(item.term for item in reference.lookup(probe, Verbosity.ALL, max_edit_distance=1,
                                                             transfer_casing=False))
        assert lexicon.one_edit(probe) == want, probe


def test_a_word_longer_than_any_english_word_is_left_as_typed():
    """A pasted run of letters is no slip, though one letter from a run an article holds: its
    one-edit variants were ~50 x its length strings of its length (a second at 800 letters,
    gigabytes at 3,000); the question's slips are still corrected."""
    held = "abcdefghij" * 300
    lexicon = _lexicon(["The club sacked its coach after the defeat.", f"The coach was sacked on Monday {held}."])
    typed = held[:-1] + "x"
    spelled = spell(lexicon, f"When was the coach sackrd {typed}?", DEFAULT_SETTINGS)
    assert spelled.corrected == {"sackrd": "sacked"} and typed in spelled.text
