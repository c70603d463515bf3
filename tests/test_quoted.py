"""A phrase typed in quotes (#24, query24): the passages that say it, word for word, first."""

from __future__ import annotations

from qa.index.indexer import sync
from qa.index.store import CitationRow
from qa.retrieval.quoted import quoted_first, quoted_phrases
from qa.search import Searcher

ARTICLES = {
    "books.txt": "Book sales hit a record\n\nBooks hit the shops. The books were a hit, and more books hit the "
                 "charts. Publishers said books hit every target this year, and the hit books sold out.\n",
    "films.txt": "A hit film from the books\n\nThe hit film was made from two books. Books and a hit film: the "
                 "studio said the books made it a hit.\n",
    "trial.txt": "Former chief denies fraud\n\nThe finance chief told the jury that his former boss ordered "
                 "accounting changes at the firm, telling him to \"hit our books\" before the results. The "
                 "defence said the boss was unaware of the changes.\n",
}


def test_only_phrases_of_two_words_or_more_are_quoted():
    assert quoted_phrases('"Hit our books," he said') == (" hit our books ",)
    assert quoted_phrases('"me" in media') == ()
    assert quoted_phrases("no quotes here") == ()


def test_the_passage_that_says_a_quoted_phrase_comes_first(tmp_path, stand_in):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    sync(tmp_path / "index", [folder], embedder=stand_in)
    searcher = Searcher(tmp_path / "index")
    try:
        quoted = searcher.search('"hit our books"', embedder=stand_in)
        plain = searcher.search("hit our books", embedder=stand_in)
    finally:
        searcher.close()
    assert quoted.hits[0].source.endswith("trial.txt")
    assert not plain.hits[0].source.endswith("trial.txt")  # unquoted, its words weigh one by one


def test_a_quoted_phrase_is_held_in_any_apostrophe_and_case():
    """quoted_first skips a text lacking one of the phrase's words before splitting its words:
    a word with an apostrophe ("o'neill") is left to the full match, so the curly one still
    holds it, and a possessive's word ("blair" of "Blair's") is in the text as written."""
    texts = {1: "Mr O’Neill said the Government’s plans were late.", 2: "The government set out its plans.", 3: "Mr Blair's party won."}
    rows = {pid: CitationRow(pid, pid, "Budget day", f"{pid}.txt", 0, 0, 0, len(text), text) for pid, text in texts.items()}
    ranked = [2, 3, 1]
    assert quoted_first(ranked, lambda ids: rows, quoted_phrases('"O\'Neill said"')) == [1, 2, 3]
    assert quoted_first(ranked, lambda ids: rows, quoted_phrases('"BLAIR party"')) == [3, 2, 1]
    assert quoted_first(ranked, lambda ids: rows, quoted_phrases('"plans were early"')) == ranked
