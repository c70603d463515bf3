"""The follow-up rule: which questions borrow the previous topic, and that it changes the answer."""

from __future__ import annotations

import pytest

from qa.retrieval.context import Conversation, is_follow_up, key_words, names


@pytest.mark.parametrize("question", ["When was he captured?", "What about Benghazi?", "Was it true?",
                                      "And Tobruk?", "Why?", "Where are their camps?", "How many died?",
                                      "how many died", "who is her lawyer", "what was his time",
                                      # saying, the modals and "how many / much" name no topic: two key words
                                      "what did the oil official say", "when will the toolkit be released",
                                      "how many households have broadband"])
def test_follow_ups(question):
    assert is_follow_up(question)


@pytest.mark.parametrize("question", ["Who heads Ansar al-Sharia in Derna?",
                                      "Which militia drove IS out of Derna?",
                                      "What is the capital of Peru?",  # short, but names its subject
                                      "who is jamal zubia",  # typed in lower case: "zubia" is no English word
                                      # a possessive after the subject it points to, in the question itself
                                      "why is the firm halving its dividend",
                                      "what did the singer say about his music career",  # ("say" uncounted: two words were short)
                                      "when did the union impose its arms embargo",
                                      # "who is" and two words: a person asked about, though both are English words
                                      "who is stephen dyer",
                                      "What did Michael Howard say",  # says whose words
                                      # no words at all: nothing to lean on (a tester's "🚋🚋" borrowed a topic)
                                      "🚋🚋", "???", "…"])
def test_standalone_questions(question):
    assert not is_follow_up(question)


def test_key_words_and_names():
    assert key_words("Who heads Ansar al-Sharia in Derna?") == ["heads", "Ansar", "al-Sharia", "Derna"]
    assert names("Who heads Ansar al-Sharia in Derna?") == ["Ansar", "al-Sharia", "Derna"]
    assert names("Derna militia chief?") == []  # a capital at the start proves nothing


def test_whose_carries_no_topic():
    """"whos the militia leader in derna" is searched as "whose ..."; its follow-up "when did the
    attack happen" borrowed "whose" ("also searched for: whose militia leader derna"): the one
    question word the stop list lacks."""
    assert key_words("whose militia leader is in derna") == ["militia", "leader", "derna"]
    talk = Conversation()
    talk.ask("whose militia leader is in derna")
    assert talk.ask("when did the attack happen").context == ["militia", "leader", "derna"]


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


TOPICS = {
    "rugby.txt": "England squad named\n\nEngland coach Dan Hollis will be without the injured players Tom Varley "
                 "and Ed Brack against Wales. Hollis said both players would return in March.\n",
    "broadband.txt": "Broadband customers unhappy\n\nA survey of broadband customers by the magazine Net Monthly "
                     "found that one in five had switched supplier. The broadband survey was carried out in "
                     "January by the magazine's readers panel.\n",
    "regime.txt": "Bank to pay regime victims\n\nThe Corva bank will give $8m to the victims of General Amaro's "
                  "regime. How many were killed under the Amaro regime is disputed: more than 3,000, a report says.\n",
    "floods.txt": "Floods in the valley\n\nHeavy floods killed 40 people in the valley on Monday. Many more were "
                  "killed when a bridge collapsed, officials said.\n",
    "school.txt": "School budget agreed\n\nThe school budget was agreed on Monday after a long debate. Nobody "
                  "else objected.\n",
    "boss.txt": "Burger chain boss dies\n\nCharlie Bell, chief executive of the Grillco burger chain, has died "
                "aged 44. He was diagnosed with cancer in May, weeks after taking the job.\n",
    "clinic.txt": "Clinic opens\n\nThe new clinic promises a faster diagnosis of skin disease: a diagnosis in a day.\n",
}


@pytest.fixture(scope="module")
def topics_index(tmp_path_factory):
    """Five short synthetic articles indexed with the stand-in embedder (no model)."""
    from qa.index.indexer import sync
    from tests.robust_util import HashEmbedder

    folder = tmp_path_factory.mktemp("topics")
    (folder / "articles").mkdir()
    for name, text in TOPICS.items():
        (folder / "articles" / name).write_text(text, encoding="utf-8")
    sync(folder / "index", [folder / "articles"], embedder=HashEmbedder())
    return folder / "index"


@pytest.fixture(scope="module")
def topics_lexicon(topics_index):
    from qa.search import Searcher

    searcher = Searcher(topics_index)
    yield searcher.snapshot.lexicon
    searcher.close()


def test_a_short_question_with_a_topic_of_its_own_stands_alone(topics_lexicon):
    """"who did the broadband survey" after a rugby question: two key words and no name, but the
    index holds them together in the broadband article, none about the rugby players."""
    talk = Conversation()
    talk.ask("which players will hollis be without")
    turn = talk.ask("who did the broadband survey", lexicon=topics_lexicon)
    assert not turn.follow_up and turn.query == "who did the broadband survey"
    talk.clear()
    talk.ask("which players will hollis be without")
    assert talk.ask("who did the broadband survey").follow_up  # no index at hand: the words' rule


def test_a_short_question_the_topic_holds_stays_a_follow_up(topics_lexicon):
    """"how many were killed" is found in floods too, but the regime's article holds it with the
    previous question's words: a follow-up, searched in that topic."""
    talk = Conversation()
    talk.ask("how much will the corva bank give to amaros victims")
    turn = talk.ask("how many were killed", lexicon=topics_lexicon)
    assert turn.follow_up and "corva" in turn.context


def test_pronouns_and_openings_are_never_overruled(topics_lexicon):
    for question in ("who did her broadband survey", "and the broadband survey"):
        talk = Conversation()
        talk.ask("which players will hollis be without")
        assert talk.ask(question, lexicon=topics_lexicon).follow_up


def test_a_short_question_counts_its_words_kin_in_the_topic(topics_lexicon):
    """"when was the diagnosis" after a question about Charlie Bell: his article says "diagnosed",
    another stem (diagnos, not diagnosi); "diagnosis" itself is only in the clinic's. A word
    counts with the index's stems that start as it does, so the topic holds it: a follow-up."""
    talk = Conversation()
    talk.ask("what did charlie bell die of")
    turn = talk.ask("when was the diagnosis", lexicon=topics_lexicon)
    assert turn.follow_up and turn.context == ["charlie", "bell", "die"]
    talk.clear()
    talk.ask("which players will hollis be without")
    assert not talk.ask("when was the diagnosis", lexicon=topics_lexicon).follow_up  # the rugby topic has none
    from qa.retrieval.context import kin

    assert kin(topics_lexicon, "diagnosi", 6) == ["diagnos"]
    assert kin(topics_lexicon, "school", 6) == []  # a word of six letters or fewer has none


def test_who_else_points_back(topics_lexicon):
    """"who else" asks for someone other than the one just found: it leans on the topic as a
    pronoun does, even where the index holds "else" only elsewhere (the school's "Nobody else")."""
    talk = Conversation()
    talk.ask("which players will hollis be without")
    turn = talk.ask("who else", lexicon=topics_lexicon)
    assert turn.follow_up and "hollis" in turn.context
    turn = talk.ask("when will they return", lexicon=topics_lexicon)  # "else" is no topic to carry on
    assert "hollis" in turn.context and "else" not in turn.context


def test_a_new_short_question_finds_its_own_article(topics_index, topics_lexicon):
    """Searched with the rugby question's words it found the rugby article ("very weak")."""
    from qa.search import Searcher
    from tests.robust_util import HashEmbedder

    talk = Conversation()
    talk.ask("which players will hollis be without")
    turn = talk.ask("who did the broadband survey", lexicon=topics_lexicon)
    searcher = Searcher(topics_index)
    try:
        best = searcher.search(turn.question, embedder=HashEmbedder(), query=turn.query).hits[0]
    finally:
        searcher.close()
    assert best.source.endswith("broadband.txt")


def test_the_chat_engine_lends_its_lexicon_once_loaded(topics_index):
    from qa.ui.engine import Engine

    engine = Engine(topics_index)
    assert engine.lexicon() is None  # before the index is loaded: the words' rule alone
    engine.open()
    assert "broadband" in engine.lexicon().vocabulary


def test_a_follow_up_borrows_the_words_searched_not_the_slips_typed():
    """"was sufian al qumu kiled" was searched for "killed": its follow-up borrows and shows that,
    not the slip; a correction arriving after a newer question changes nothing."""
    conversation = Conversation()
    first = conversation.ask("was sufian al qumu kiled")
    conversation.spelled(first, {"kiled": "killed"})
    follow = conversation.ask("and when was he captured")
    assert follow.context == ["sufian", "al", "qumu", "killed"]

    conversation.clear()
    first = conversation.ask("was sufian al qumu kiled")
    newer = conversation.ask("who heads the brigade in derna")
    conversation.spelled(first, {"kiled": "killed"})  # late: the newer question is the topic now
    assert conversation.previous_query == newer.query
