"""The story on the question's subject before another that names it in passing (issue 24,
story24b): the re-rank adds rerank_story x the share of the question's weight the passage's
story holds, a word in two or more of its passages whole, in one half (rerank.story_shares)."""

from dataclasses import replace
from pathlib import Path

import pytest

from qa.index import store
from qa.index.text import tokenize
from qa.retrieval.highlight import Parts, SentenceScore
from qa.retrieval.pipeline import PassagesInMemory
from qa.retrieval.rerank import article_weights, rerank, story_shares
from qa.search import Searcher
from qa.settings import DEFAULT_SETTINGS

#: the story on the fine: its title names the airline (BM25 counts the title in every passage),
#: the fine is in more than one passage
ON_SUBJECT = "Kestrel Airways penalty\n\n" + "\n\n".join(
    [f"Kestrel Airways was fined by the regulator in a ruling read out on day {i}, and the inquiry "
     f"heard from staff in office number {i} about the backlog of claims, the shortage of clerks "
     "and the delays that followed each holiday season, when travellers waited weeks for refunds "
     "and wrote to the regulator, the newspapers and their members of parliament about it."
     for i in range(4)])
#: a round-up naming the airline and its fine once, in one sentence, among other news
ROUND_UP = "Travel news in brief\n\n" + "\n\n".join(
    [f"Item {i}: the ferry operator reported steady bookings for the summer, with more sailings "
     "planned from the northern ports and fares held at last year's level for families and "
     "students travelling together on the longer crossings." for i in range(3)]
    + ["Kestrel Airways, fined in 2019, is also to open a route to Lisbon in May."]
    + [f"Item {i}: the rail company opened a new station car park and said trains on the coast "
       "line would run later on Fridays through the autumn, when the timetable changes." for i in range(3, 6)])
#: a story without the airline
ELSEWHERE = "Ferry fares frozen\n\n" + "\n\n".join(
    [f"The ferry operator was fined on day {i} for late sailings, and it said fares would be "
     "frozen for families and students travelling together on the longer crossings this summer."
     for i in range(3)])


@pytest.fixture(scope="module")
def three_stories(tmp_path_factory) -> Path:
    from qa.index.indexer import sync
    from robust_util import HashEmbedder

    root = tmp_path_factory.mktemp("story-first")
    src = root / "src"
    src.mkdir()
    for name, text in (("on.txt", ON_SUBJECT), ("roundup.txt", ROUND_UP), ("elsewhere.txt", ELSEWHERE)):
        (src / name).write_text(text, encoding="utf-8")
    sync(root / "index", [src], embedder=HashEmbedder())
    return root / "index"


def _shares(index: Path, question: str) -> dict[str, float]:
    snapshot = Searcher(index).index.terms
    conn = store.connect(index)
    source = PassagesInMemory(store.all_citation_rows(conn))
    conn.close()
    docs = {row.doc_id: Path(row.path).stem for row in source.rows.values()}
    tokens = tokenize(question)
    article_weights(snapshot, source.passages_of_documents(docs), set(docs), tokens, 0.5)  # the counts read
    return {docs[doc]: share for doc, share in story_shares(snapshot, set(docs), tokens).items()}


def test_the_story_on_the_subject_holds_more_of_the_question_than_a_round_up(three_stories):
    shares = _shares(three_stories, "when was kestrel airways fined")
    # on: every word in two or more passages (the title's in all); the round-up: each once, half
    assert shares["on"] > 0.95
    assert 0.45 < shares["roundup"] < 0.55
    assert shares["elsewhere"] < shares["roundup"]  # "fined" alone, in every passage: the airline's weight missing


def _sentence(match: float) -> SentenceScore:
    return SentenceScore(0, 10, match, match, parts=Parts(match))


def test_a_passage_of_the_story_on_the_subject_passes_one_that_leads_by_a_little():
    """The round-up's passage (1) leads on its sentence, which holds all the question's words;
    the story on them (2) spreads them over its passages. Its share puts it first."""
    fused = {1: 0.60, 2: 0.60}
    sentences = {1: _sentence(0.55), 2: _sentence(0.50)}
    story = {1: 0.5, 2: 1.0}
    off = replace(DEFAULT_SETTINGS, rerank_story=0.0)
    assert rerank([1, 2], fused, sentences, 2, off, None, story)[0] == [1, 2]
    assert rerank([1, 2], fused, sentences, 2, DEFAULT_SETTINGS, None, story)[0] == [2, 1]
    # the share adds sentence_weight x rerank_story x it
    ranked, scores = rerank([1, 2], fused, sentences, 2, DEFAULT_SETTINGS, None, story)
    plain = rerank([1, 2], fused, sentences, 2, off, None, story)[1]
    assert abs(scores[2] - plain[2] - DEFAULT_SETTINGS.sentence_weight * DEFAULT_SETTINGS.rerank_story) < 1e-12


def test_asked_through_the_searcher_the_story_on_the_subject_comes_first(three_stories):
    """The round-up's one sentence holds "Kestrel Airways" and "fined" at their full weights (and a
    year, the type asked for); the story on the fine holds them in every passage, so within it they
    weigh less (article_factor). Without the story's share the round-up is first."""
    from robust_util import HashEmbedder

    question = "when was kestrel airways fined"
    first = {w: Path(Searcher(three_stories, settings=replace(DEFAULT_SETTINGS, rerank_story=w))
                     .search(question, k=3, embedder=HashEmbedder()).hits[0].path).stem
             for w in (0.0, DEFAULT_SETTINGS.rerank_story)}
    assert first == {0.0: "roundup", DEFAULT_SETTINGS.rerank_story: "on"}
