"""A question word no passage holds, on a small index (verdict24): a plain English word the
articles say in other words ("die" for "had been killed") weighs by its English rarity, a name
fully, and a name typed in another spelling ("Muller" for "Müller") as the spelling held.
Synthetic text, the stand-in embedder: no model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from qa.index import store
from qa.retrieval.pipeline import missing_weights
from qa.retrieval.rarity import english_rarity, missing_word_shares
from qa.retrieval.snapshot import IndexSnapshot
from qa.retrieval.speller import english_columns
from qa.retrieval.spelling import spell
from qa.retrieval.verdict import AnswerSignals, decide, keyword_coverage
from qa.settings import DEFAULT_SETTINGS
from tests.robust_util import HashEmbedder

pytestmark = pytest.mark.skipif(not english_columns()[0], reason="symspellpy's English word list is not installed")

#: a small index, most of its passages naming Torvek (so the name weighs little), none saying "die"
TORVEK = {
    "clash.txt": "Torvek militia routed in Hadra\n\nFighters loyal to Ilan Torvek were routed in Hadra. "
                 "Torvek had been killed in the fighting, his aides said on Monday.\n",
    "convoy.txt": "Torvek convoy attacked\n\nGunmen fired at a convoy of Torvek fighters near Hadra. "
                  "The driver was injured.\n",
    "port.txt": "Hadra port reopens\n\nThe port of Hadra reopened after repairs. Torvek fighters guard its gate.\n",
    "aides.txt": "Torvek aides named\n\nTwo aides of Torvek were named to the Hadra council on Friday.\n",
    "rail.txt": "Rail fares to rise\n\nRail fares will rise by four percent in January, the operators said.\n",
    "ink.txt": "Ink helps drive democracy\n\nThe republic is using invisible ink in its elections.\n",
    "wheat.txt": "Wheat harvest falls\n\nThe wheat harvest fell by a tenth after a dry spring, farmers said.\n",
}
KILLED = "Fighters loyal to Ilan Torvek were routed in Hadra. Torvek had been killed in the fighting, his aides said on Monday."

ZURICH = {
    "award.txt": "Café owner in Zürich wins award\n\nThe café owner Renée Müller, 54, won the Städtepreis on "
                 "Tuesday for her crème brûlée.\n\nThe award was handed over by the mayor of Zürich, Corine Mauch.\n",
    "ink.txt": "Ink helps drive democracy\n\nThe republic is using invisible ink in its elections to prevent "
               "multiple voting.\n",
    "rail.txt": "Rail fares to rise\n\nRail fares will rise by four percent in January, the operators said.\n",
}


def _index(tmp_path: Path, articles: dict[str, str]) -> Path:
    from qa.index.indexer import sync

    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    sync(tmp_path / "index", [folder], embedder=HashEmbedder())
    return tmp_path / "index"


@pytest.fixture
def torvek(tmp_path):
    conn = store.connect(_index(tmp_path, TORVEK))
    yield IndexSnapshot.load(conn, tmp_path / "index")
    conn.close()


def _coverage(snapshot: IndexSnapshot, question: str, text: str, settings=DEFAULT_SETTINGS) -> float:
    query = spell(snapshot.lexicon, question, settings).query(None)
    return keyword_coverage(snapshot, text, query.tokens, query.aliases, missing_weights(snapshot, query, settings))


def test_a_common_word_weighs_less_than_a_rare_one_and_a_word_the_list_lacks_fully():
    assert english_rarity("die") < english_rarity("grandmother") < 1.0
    assert english_rarity("torvek") == 1.0
    assert 0.0 <= english_rarity("the") < 0.05


def test_a_capitalised_name_counts_fully_though_the_english_list_has_it():
    shares = missing_word_shares("Who is the chief executive of Apple?", ("appl",))
    assert "appl" not in shares  # not lowered: missing, it counts as the rarest
    assert shares["chief"] < 1.0


def test_did_he_die_is_answered_by_had_been_killed_on_a_small_index(torvek):
    """The passage holds the name, not "die": main weighed "die" as the rarest word of the index
    (coverage ~0.19 here, 0.26 on the seeds' "did qumu die"), "Not found" at any middling cosine;
    by its English rarity the coverage nearly doubles and the verdict (a cosine of 0.5, the two
    rankings agreeing) is answered."""
    coverage = _coverage(torvek, "did Torvek die", KILLED)
    off = _coverage(torvek, "did Torvek die", KILLED, replace(DEFAULT_SETTINGS, missing_word_rarity=False))
    assert coverage > 1.5 * off
    assert decide(AnswerSignals(0.5, coverage, coverage, True), DEFAULT_SETTINGS).answered
    assert not decide(AnswerSignals(0.5, off, off, True), DEFAULT_SETTINGS).answered


def test_a_missing_name_still_counts_as_the_rarest_word(torvek):
    """Another man's name the index lacks, capitalised or typed in lower case (no English word):
    its weight is the rarest word's, as before."""
    for question in ("did Orlan Vesk die", "did orlan vesk die"):
        query = spell(torvek.lexicon, question, DEFAULT_SETTINGS).query(None)
        weights = missing_weights(torvek, query, DEFAULT_SETTINGS)
        assert weights["vesk"] == pytest.approx(torvek.unknown_idf)
        assert weights["die"] < torvek.unknown_idf / 2
    assert _coverage(torvek, "did Orlan Vesk die", KILLED) == 0.0


def test_by_keywords_only_a_missing_word_still_counts_as_the_rarest(torvek):
    """Without a cosine to back the coverage (--mode bm25) the rarity is not applied (held-out
    "false" lost 0.004 by keywords only); a name's other spelling is lent in every mode."""
    query = spell(torvek.lexicon, "did Torvek die", DEFAULT_SETTINGS).query(None)
    assert missing_weights(torvek, query, DEFAULT_SETTINGS, rarity=False)["die"] == pytest.approx(torvek.unknown_idf)


def test_a_name_typed_without_its_accents_counts_as_the_name_held(tmp_path):
    """"Renee Muller": the article writes "Renée Müller"; the name is searched in that spelling,
    and now also weighs in the coverage as that spelling (main: nought, while the question's
    weight counted it as the rarest word: coverage 0, "Not found" under the right article)."""
    index = _index(tmp_path, ZURICH)
    conn = store.connect(index)
    try:
        snapshot = IndexSnapshot.load(conn, index)
        text = ZURICH["award.txt"].split("\n\n")[1]
        assert _coverage(snapshot, "how old is Renee Muller", text) > 0.7
        assert _coverage(snapshot, "who is Renee Muller", text) == pytest.approx(1.0)
    finally:
        conn.close()
