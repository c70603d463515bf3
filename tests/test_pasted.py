"""A paragraph pasted as the query (#24, query24): its source first, and the pasted sentences
highlighted there, all of them."""

from __future__ import annotations

from qa.retrieval.pasted import pasted_span
from qa.search import Searcher

TEXT = ("Gold fell on Monday. The IMF said it will look at ways of using its gold reserves. "
        "By revaluing its holdings, the IMF may be able to sell billions of dollars of gold. "
        "Traders were unsettled.")
FIRST = TEXT.index("The IMF")
SECOND = TEXT.index("By revaluing")
THIRD = TEXT.index("Traders")


def test_the_pasted_sentences_are_highlighted_together():
    query = ("the IMF said it will look at ways of using its gold reserves.  By revaluing its holdings, "
             "the IMF may be able to sell billions of dollars of gold")
    assert pasted_span(TEXT, (SECOND, THIRD - 1), query) == (FIRST, THIRD - 1)


def test_a_sentence_the_query_does_not_hold_keeps_its_highlight():
    query = "ways of using gold reserves to relieve debt, said the chancellor of the exchequer"
    assert pasted_span(TEXT, (FIRST, SECOND - 1), query) == (FIRST, SECOND - 1)
    one = "By revaluing its holdings, the IMF may be able to sell billions of dollars of gold."
    assert pasted_span(TEXT, (SECOND, THIRD - 1), one) == (SECOND, THIRD - 1)


def test_a_pasted_paragraph_is_highlighted_in_its_source(built, stand_in):
    index, src = built
    article = next(src.glob("002_*.txt")).read_text(encoding="utf-8")
    pasted = ("At least nine were killed in the initial fighting, Reuters reported, including Salem Derbi, one of "
              "Libya's best known revolutionary leaders and the commander of the al-Qaeda linked Abu Salim Brigade.\n\n"
              "Abu Salim and its allies in Ansar Al-Sharia have now expelled the majority of IS forces in Derna from "
              "the city, pushing them into the mountainous region to the east in Ras Hilel.")
    searcher = Searcher(index)
    try:
        top = searcher.search(pasted.replace("\n\n", " "), embedder=stand_in).hits[0]
    finally:
        searcher.close()
    assert top.source.endswith(".txt") and top.source.split("/")[-1].startswith("002_")
    start = article.index("At least nine")
    end = article.index("Ras Hilel.") + len("Ras Hilel.")
    assert (top.highlight_start, top.highlight_end) == (start, end)
