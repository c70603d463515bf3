"""Queries typed as requests (#24, query24): "tell me about X", "find the article about X", "news
on X" search for X alone; the request's words weigh in no match and no answered rule."""

from __future__ import annotations

import pytest

from qa.retrieval.request import requested
from qa.search import Searcher


@pytest.mark.parametrize("typed, searched", [
    ("tell me about the gazprom deal", "the gazprom deal"),
    ("Find the article about ebbers denying the fraud", "ebbers denying the fraud"),
    ("can you show me news about yukos bankruptcy", "yukos bankruptcy"),
    ("i want to know about the billboard nominations", "the billboard nominations"),
    ("anything on mido", "mido"),
    ("look up sufian al qumu", "sufian al qumu"),
])
def test_a_requests_lead_in_is_not_searched(typed, searched):
    assert requested(typed) == searched


@pytest.mark.parametrize("typed", ["find out why gold fell", "reports on monday said prices fell",
                                   "the news of the merger", "what about the merger", "tell me who won",
                                   "stories about", "who told me about it"])
def test_words_that_are_not_all_request_are_searched_as_typed(typed):
    assert requested(typed) == typed


def test_a_request_is_answered_as_what_it_asks_about(built, stand_in):
    index, _ = built
    searcher = Searcher(index)
    try:
        plain = searcher.search("the attack on the convoy in Derna", embedder=stand_in)
        asked = searcher.search("find the article about the attack on the convoy in Derna", embedder=stand_in)
    finally:
        searcher.close()
    assert asked.answered == plain.answered
    assert [(h.source, h.score) for h in asked.hits] == [(h.source, h.score) for h in plain.hits]
