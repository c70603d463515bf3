"""A phrase typed in quotes (#24, query24): the passages that say it, word for word, first."""

from __future__ import annotations

from qa.index.indexer import sync
from qa.retrieval.quoted import quoted_phrases
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
