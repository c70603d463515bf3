"""Invisible characters inside words, in an article and in a question: the words still match,
and citations still point at the original text exactly."""

from __future__ import annotations

from pathlib import Path

from qa.ingest.documents import load
from qa.index.indexer import sync
from qa.search import Searcher

ARTICLE = ("Climbers return to Kili\u200bmanjaro\n\n"
           "Tour operators in Tan\u00adzania said on Monday that climbers were returning to Kili\u200bmanjaro "
           "after the rains.\n\n"
           "The Serengeti park reported a record number of visitors in March.\n")
OTHERS = ["Harbour dredging\n\nThe port authority in Mombasa began dredging the harbour channel.\n",
          "Coffee prices\n\nArabica coffee prices rose for a third week on dry weather in Brazil.\n",
          "Rail strike\n\nTrain drivers walked out over pay, halting services across the north.\n",
          "Election count\n\nOfficials counted ballots through the night in the coastal province.\n"]


def test_words_with_invisible_characters_are_found_and_cited_exactly(tmp_path: Path, stand_in):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "kili.txt").write_text(ARTICLE, encoding="utf-8")
    for number, text in enumerate(OTHERS):  # BM25 needs a corpus: a word in half of it weighs nothing
        (folder / f"other-{number}.txt").write_text(text, encoding="utf-8")
    sync(tmp_path / "index", [folder], embedder=stand_in)  # keyword answers: the model is not the point
    searcher = Searcher(tmp_path / "index")
    for question in ("Kilimanjaro?", "Tanzania", "Kili\u200bman\u00adjaro"):
        answer = searcher.search(question, k=1, mode="bm25")
        top = answer.hits[0]
        assert Path(top.path).name == "kili.txt" and top.bm25_score > 0
        assert load(Path(top.path)).text[top.start:top.end] == top.text
        assert "Kili\u200bmanjaro" in top.text  # the original text, not the matching form
    searcher.close()
