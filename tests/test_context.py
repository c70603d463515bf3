"""The follow-up rule: which questions borrow the previous topic, and that it changes the answer."""

from __future__ import annotations

import pytest

from qa.retrieval.context import Conversation, is_follow_up, key_words, names


@pytest.mark.parametrize("question", ["When was he captured?", "What about Benghazi?", "Was it true?",
                                      "And Tobruk?", "Why?", "Where are their camps?", "How many died?",
                                      "how many died", "who is her lawyer", "what was his time"])
def test_follow_ups(question):
    assert is_follow_up(question)


@pytest.mark.parametrize("question", ["Who heads Ansar al-Sharia in Derna?",
                                      "Which militia drove IS out of Derna?",
                                      "What is the capital of Peru?",  # short, but names its subject
                                      "who is jamal zubia",  # typed in lower case: "zubia" is no English word
                                      # a possessive after the subject it points to, in the question itself
                                      "why is the firm halving its dividend",
                                      "what did the singer say about his music",
                                      "when did the union impose its arms embargo",
                                      # "who is" and two words: a person asked about, though both are English words
                                      "who is stephen dyer"])
def test_standalone_questions(question):
    assert not is_follow_up(question)


def test_key_words_and_names():
    assert key_words("Who heads Ansar al-Sharia in Derna?") == ["heads", "Ansar", "al-Sharia", "Derna"]
    assert names("Who heads Ansar al-Sharia in Derna?") == ["Ansar", "al-Sharia", "Derna"]
    assert names("Derna militia chief?") == []  # a capital at the start proves nothing


def test_follow_up_borrows_names_of_previous_query_and_chains():
    talk = Conversation()
    first = talk.ask("Who heads Ansar al-Sharia in Derna?")
    assert first.query == first.question and not first.follow_up
    second = talk.ask("When was he captured?")
    assert second.context == ["Ansar", "al-Sharia", "Derna"]
    assert second.query == "When was he captured? Ansar al-Sharia Derna"
    third = talk.ask("What about Benghazi?")  # the chain keeps the opening topic
    assert third.context == ["Ansar", "al-Sharia", "Derna"]
    fresh = talk.ask("Which militia drove IS out of Derna?")
    assert not fresh.follow_up


def test_lower_case_previous_question_lends_all_key_words():
    talk = Conversation()
    talk.ask("who heads ansar al-sharia in derna")
    assert talk.ask("when was he captured").context == ["heads", "ansar", "al-sharia", "derna"]


def test_new_topic_clears_context():
    talk = Conversation()
    talk.ask("Who heads Ansar al-Sharia in Derna?")
    talk.clear()
    turn = talk.ask("When was he captured?")
    assert turn.query == "When was he captured?" and not turn.follow_up


@pytest.mark.parametrize("mode", ["hybrid", "bm25"])
def test_context_finds_the_answer_on_the_seeds(seed_index, model, mode):
    """'Was he killed?' alone finds other killings; after the question about the Abu Salim
    Brigade's commander it finds the passage saying Salem Derbi was killed."""
    from qa.search import Searcher

    searcher = Searcher(seed_index)
    embedder = model if mode == "hybrid" else None
    talk = Conversation()
    talk.ask("Who commanded the Abu Salim Brigade?")
    turn = talk.ask("Was he killed?")
    alone = searcher.search(turn.question, embedder=embedder, mode=mode)
    with_context = searcher.search(turn.question, embedder=embedder, mode=mode, query=turn.query)
    assert "Salem Derbi" not in alone.hits[0].text
    best = with_context.hits[0]
    assert with_context.answered
    assert "Salem Derbi" in best.text[best.highlight_start - best.start:best.highlight_end - best.start]


def test_a_follow_ups_borrowed_words_find_the_story_its_own_words_the_sentence(tmp_path):
    """"who is her lawyer" after "what is marla quents real name": the borrowed words still find
    the story, but the sentence highlighted is the one with "lawyer", not the "real name"
    sentence the reader has just been shown (trial24b)."""
    from qa.index.indexer import sync
    from qa.search import Searcher
    from tests.robust_util import HashEmbedder

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "singer.txt").write_text(
        "Singer sued over concert\n\nThe singer Marla Quent, real name Marla Quentinova, was sued on Friday "
        "by a stage hand from the Quent tour. The stage hand waited a year to sue because she hoped to settle, "
        "her lawyer, Dev Ostrander, said.\n", encoding="utf-8")
    for i, topic in enumerate(["football match", "school budget", "train timetable", "bakery prices"]):
        (articles / f"other{i}.txt").write_text(f"News about the {topic}\n\nThe {topic} was discussed on "
                                                 f"Monday. Officials said the {topic} would be reviewed.\n",
                                                 encoding="utf-8")
    sync(tmp_path / "index", [articles], embedder=HashEmbedder())
    talk = Conversation()
    talk.ask("what is marla quents real name")
    turn = talk.ask("who is her lawyer")
    assert turn.follow_up
    searcher = Searcher(tmp_path / "index")
    try:
        best = searcher.search(turn.question, embedder=HashEmbedder(), query=turn.query).hits[0]
    finally:
        searcher.close()
    assert best.source.endswith("singer.txt")
    assert "Dev Ostrander" in best.text[best.highlight_start - best.start:best.highlight_end - best.start]
