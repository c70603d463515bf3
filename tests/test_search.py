"""Answers on the seeds: the right passage, its citation, the highlight, and 'not found'."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from qa.ingest.documents import load
from qa.errors import QAError
from qa.retrieval.snapshot import IndexSnapshot
from qa.search import Searcher


@pytest.fixture(scope="module")
def searcher(seed_index) -> Searcher:
    return Searcher(seed_index)


def _check_citation(hit) -> None:
    doc = load(Path(hit.path))
    assert doc.text[hit.start:hit.end] == hit.text
    assert hit.start <= hit.highlight_start < hit.highlight_end <= hit.end
    assert hit.title == doc.title and hit.paragraph >= 1


def test_who_heads_ansar_al_sharia(searcher, model):
    answer = searcher.search("Who heads Ansar al-Sharia in Derna?", k=3, embedder=model)
    assert answer.answered and answer.mode == "hybrid"
    top = answer.hits[0]
    assert "Sufian al Qumu" in top.text and Path(top.path).name == "000_cd1c624dfe4b4cd0.txt"
    assert "Sufian al Qumu" in top.text[top.highlight_start - top.start:top.highlight_end - top.start]
    for hit in answer.hits:
        _check_citation(hit)


def test_who_drove_is_out_of_derna(searcher, model):
    answer = searcher.search("Who drove IS out of Derna?", k=3, embedder=model)
    top = answer.hits[0]
    assert answer.answered
    assert "Abu Salim Martyrs Brigade" in top.text and Path(top.path).name == "002_0e2a9cc3038cee0a.txt"
    _check_citation(top)


def test_keyword_mode_works_without_a_model(searcher):
    answer = searcher.search("Who heads Ansar al-Sharia in Derna?", k=3, embedder=None)
    assert answer.mode == "keyword" and answer.answered
    assert "Sufian al Qumu" in answer.hits[0].text
    assert all(h.dense_score is None for h in answer.hits)


def test_off_topic_question_is_not_answered(searcher, model):
    answer = searcher.search("What is the recipe for a chocolate sponge cake?", k=3, embedder=model)
    assert not answer.answered
    assert all(h.weak for h in answer.hits)


def test_keyword_mode_off_topic_is_not_answered(searcher):
    answer = searcher.search("What is the recipe for a chocolate sponge cake?", k=3)
    assert not answer.answered


def test_k_limits_the_passages(searcher, model):
    assert len(searcher.search("Derna", k=1, embedder=model).hits) == 1
    assert len(searcher.search("Derna", k=5, embedder=model).hits) == 5


def test_empty_question_is_an_error(searcher):
    with pytest.raises(QAError, match="empty"):
        searcher.search("   ")


def test_boilerplate_never_answers(searcher, model):
    answer = searcher.search("How do I sign up to the newsletters and unsubscribe via Mailchimp?", k=9, embedder=model)
    assert all("Mailchimp" not in h.text and "newsletter" not in h.text for h in answer.hits)


def test_word_pairs_in_order_choose_the_sentence():
    from qa.retrieval.highlight import scored_best_sentence

    text = "The bank of the river flooded. Flood waters reached the river bank by noon."
    idf = {"river": 1.0, "bank": 1.0}.get
    start, end, score, *_ = scored_best_sentence(text, ["river", "bank"], lambda t: idf(t, 0.0), 2.0, 0.4)
    assert text[start:end] == "Flood waters reached the river bank by noon."  # both hold both words
    assert score == pytest.approx(1.0 + 0.4)  # all the weight, and the one pair side by side


def test_the_passage_saying_the_question_in_one_sentence_wins(tmp_path, embedder):
    """Two passages on the topic hold the question's words; the re-ranking by best sentence puts
    first the one whose single sentence holds them, which plain fusion ranks second."""
    from qa.index.indexer import sync
    from qa.settings import DEFAULT_SETTINGS

    folder = tmp_path / "articles"
    folder.mkdir()
    for i, topic in enumerate(["football match", "school budget", "train timetable", "film festival",
                               "bakery prices", "tennis final", "hospital wait", "election count"]):
        (folder / f"other{i}.txt").write_text(  # so that BM25's word weights mean something
            f"News about the {topic}\n\nThe {topic} was discussed on Monday by the local council. "
            f"Officials said the {topic} would be reviewed next year.\n", encoding="utf-8")
    (folder / "a.txt").write_text(
        "Harbour works\n\nThe harbour crane was repainted in 1932 by the port company.\n\n"
        "Dock workers later rebuilt the warehouses along the quay.\n", encoding="utf-8")
    (folder / "b.txt").write_text(
        "The harbour crane\n\nThe harbour crane stands by the quay. The crane is old and the harbour is busy. "
        "Someone repainted the gates last spring. The crane, the harbour and the quay draw visitors.\n",
        encoding="utf-8")
    sync(tmp_path / "index", [folder], embedder=embedder)
    searcher = Searcher(tmp_path / "index")
    question = "When was the harbour crane repainted?"
    first = searcher.search(question, k=2, embedder=embedder).hits[0]
    assert first.path.endswith("a.txt") and "1932" in searcher_text(first)
    plain = Searcher(tmp_path / "index", settings=replace(DEFAULT_SETTINGS, sentence_weight=0.0))
    assert plain.search(question, k=2, embedder=embedder).hits[0].path.endswith("b.txt")


def searcher_text(hit) -> str:
    return hit.text[hit.highlight_start - hit.start:hit.highlight_end - hit.start]


def test_article_factor_lowers_words_every_passage_of_an_article_holds():
    from qa.retrieval.highlight import article_factor

    assert article_factor(1, 1, 0.5) == 1.0  # a one-passage article: nothing to tell apart
    assert article_factor(12, 1, 0.5) == 1.0  # one passage holds it: it points at that passage
    assert article_factor(12, 12, 0.5) < article_factor(12, 6, 0.5) < article_factor(12, 2, 0.5) < 1.0
    assert 0.5 <= article_factor(12, 12, 0.5) < article_factor(12, 12, 0.3)  # at least 1 - share
    assert article_factor(12, 12, 0.0) == 1.0


def _lighthouse_index(tmp_path, embedder, settings=None):
    """An article whose passages all name the lighthouse (and all but its title Ronan), among
    short articles that all say 'opened'; one of them names a museum. Small passages (the title
    line is one), so that the article has several."""
    from qa.config import ChunkSettings
    from qa.index.indexer import sync

    folder = tmp_path / "articles"
    folder.mkdir(exist_ok=True)
    (folder / "lighthouse.txt").write_text(
        "The old lighthouse\n\n"
        "The lighthouse keeper lives on Ronan with his family and three dogs all year round, far from town.\n\n"
        "Visitors reach the lighthouse on Ronan by ferry from the harbour every morning in the summer season.\n\n"
        "The lighthouse on Ronan was painted red. A museum was built beside it and opened in 1990 after years.\n",
        encoding="utf-8")
    for i, topic in enumerate(["bakery", "school", "cinema", "library", "market", "stadium", "clinic", "bridge"]):
        extra = " It houses a small museum." if i == 0 else ""
        (folder / f"{topic}.txt").write_text(
            f"The new {topic}\n\nThe new {topic} in the town centre opened on Monday after two years of "
            f"building work and a long public debate.{extra}\n", encoding="utf-8")
    if not (tmp_path / "index").exists():
        sync(tmp_path / "index", [folder], embedder=embedder, settings=ChunkSettings(target_words=15, max_words=25))
    return Searcher(tmp_path / "index", **({"settings": settings} if settings else {}))


def test_within_an_article_the_sentence_with_its_rarer_words_is_highlighted(tmp_path, embedder):
    """'lighthouse' and 'Ronan' are in the article's other passages too; 'museum' is only in this
    one, so the sentence with the museum answers, though globally the first sentence weighs more."""
    from qa.settings import DEFAULT_SETTINGS

    question = "When did the Ronan lighthouse museum open?"

    def highlighted(searcher) -> str:
        hit = next(h for h in searcher.search(question, k=5, embedder=embedder).hits if "museum was built" in h.text)
        searcher.close()
        return searcher_text(hit)

    assert highlighted(_lighthouse_index(tmp_path, embedder)) == "A museum was built beside it and opened in 1990 after years."
    # every word keeps its corpus weight (and no answer-type evidence, which alone picks the date)
    flat = replace(DEFAULT_SETTINGS, article_share=0.0, answer_type_weight=0.0, context_weight=0.0,
                   follow_sentences=0)
    assert highlighted(_lighthouse_index(tmp_path, embedder, flat)) == "The lighthouse on Ronan was painted red."


def test_article_weights_come_from_the_articles_passages(tmp_path, embedder):
    from qa.index import store
    from qa.retrieval.rerank import article_weights
    from qa.index.text import tokenize

    _lighthouse_index(tmp_path, embedder).close()
    conn = store.connect(tmp_path / "index")
    snapshot = IndexSnapshot.load(conn, tmp_path / "index")
    rows = store.all_citation_rows(conn)
    long_doc = next(r.doc_id for r in rows if r.path.endswith("lighthouse.txt"))
    short_doc = next(r.doc_id for r in rows if r.path.endswith("bakery.txt"))
    tokens = tokenize("Ronan lighthouse museum")
    docs = {long_doc, short_doc}
    weights = article_weights(snapshot, store.passages_of_documents(conn, docs), docs, tokens, 0.5)
    ronan, lighthouse, museum = tokens
    assert weights[long_doc][museum] == pytest.approx(snapshot.idf(museum))  # one passage of four
    assert weights[long_doc][lighthouse] < weights[long_doc][ronan] < snapshot.idf(ronan)  # in 4, in 3 of 4
    assert weights[short_doc][museum] == pytest.approx(snapshot.idf(museum))  # one passage there too
    flat = article_weights(snapshot, store.passages_of_documents(conn, docs), docs, tokens, 0.0)
    assert flat[long_doc][lighthouse] == pytest.approx(snapshot.idf(lighthouse))  # share 0: corpus weight
    conn.close()
