"""Issue #23, the chat's event loop: deciding whether a question is a follow-up (two BM25 sums
over the index's passages) and the words an answer's view shows are worked out by the answer
worker, never on the event loop, while the order of questions, Ctrl+N and the transcript stay
as the user typed them. A small index of the stand-in embedder: the model is not the point."""

from __future__ import annotations

import threading

import pytest

from qa.index import text
from qa.index.text import ANALYZER
from qa.retrieval import context
from qa.ui.widgets import AnswerView, HistoryInput, Pending, QuestionMessage
from test_ui import ask, make_app, plain, run_async, settle

NEWS = {"rugby.txt": "Squad named\n\nCoach Dan Hollis will be without the injured players Tom Varley and "
                     "Ed Brack against Wales. Varley was injured in training.\n",
        "broadband.txt": "Customers unhappy\n\nA broadband survey by the magazine Net Monthly found that one "
                         "in five had switched supplier.\n",
        "derbi.txt": "Brigade commander\n\nSalem Derbi commanded the Abu Salim Brigade. Derbi was killed in "
                     "fighting in Derna in June.\n"}


@pytest.fixture
def news_index(tmp_path, stand_in):
    from qa.index.indexer import sync

    (tmp_path / "news").mkdir()
    for name, body in NEWS.items():
        (tmp_path / "news" / name).write_text(body, encoding="utf-8")
    sync(tmp_path / "index", [tmp_path / "news"], embedder=stand_in)
    return tmp_path / "index"


def on_the_loop(monkeypatch) -> list[str]:
    """Every call that splits text into words (the analyzer's own functions, and the follow-up
    decision) made on the event loop's thread: their names, in order."""
    calls: list[str] = []

    def watch(owner: object, name: str) -> None:
        original = getattr(owner, name)

        def watched(*args, **kwargs):
            if threading.current_thread() is threading.main_thread():
                calls.append(name)
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, watched)

    for owner, name in ((text, "tokenize"), (text, "words"), (text, "word_spans"), (context, "tokenize"),
                        (context, "topic_of_its_own"), (ANALYZER, "_analyse"), (ANALYZER, "written_words")):
        watch(owner, name)
    return calls


@run_async
async def test_nothing_is_tokenized_on_the_event_loop(news_index, stand_in, monkeypatch):
    app = make_app(news_index, stand_in)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        calls = on_the_loop(monkeypatch)
        await ask(pilot, "which players will hollis be without")
        view = await ask(pilot, "who was injured in training")  # short: the index decides
        assert view.turn.follow_up and "also searched for:" in plain(app.chat.query(QuestionMessage).last())
        await ask(pilot, "who did the broadband survey")  # short, a topic of its own
        await pilot.resize_terminal(60, 30)  # the cards fit their passages again
        await settle(pilot)
        await pilot.press("ctrl+n")
        await ask(pilot, "Who commanded the Abu Salim Brigade?")
        assert calls == [], calls


@run_async
async def test_a_slow_decision_leaves_the_question_on_screen_and_the_box_free(news_index, stand_in, monkeypatch):
    """The decision waits for the test (as a big index's BM25 sums take long): the question and
    "searching…" are on screen meanwhile, and the next keys reach the box."""
    gate, released = threading.Event(), []
    decide = context.topic_of_its_own

    def slow(*args):
        released.append(gate.wait(5))  # on the event loop it would wait in vain: the test is stuck
        return decide(*args)

    app = make_app(news_index, stand_in)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot, "which players will hollis be without")
        monkeypatch.setattr(context, "topic_of_its_own", slow)
        app.chat.query_one(HistoryInput).value = "who did the broadband survey"
        await pilot.press("enter")
        await pilot.press("w", "h", "o")
        assert plain(app.chat.query(QuestionMessage).last()) == "› who did the broadband survey"
        assert app.chat.query(Pending) and app.chat.query_one(HistoryInput).value == "who"
        gate.set()
        await settle(pilot)
        assert released == [True]
        view = app.chat.query(AnswerView).last()
        assert not view.turn.follow_up and view.answer.hits[0].title == "Customers unhappy"


@run_async
async def test_questions_and_ctrl_n_typed_at_once_keep_their_order(news_index, stand_in):
    app = make_app(news_index, stand_in)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = app.chat.query_one(HistoryInput)
        for step in ("Who commanded the Abu Salim Brigade?", "Was he killed?", "ctrl+n", "Was he killed?",
                     "and where was that"):
            if step == "ctrl+n":
                await pilot.press("ctrl+n")
                continue
            box.value = step
            await pilot.press("enter")  # no waiting for the answer
        await settle(pilot)
        turns = [message.turn for message in app.chat.query(QuestionMessage)]
        assert [turn.context for turn in turns] == [[], ["Abu", "Salim", "Brigade"], [], ["killed"]]
        assert [view.turn for view in app.chat.query(AnswerView)] == turns  # each answer under its question
        shown = [type(widget).__name__ for widget in app.chat.transcript.children]
        assert shown[-9:] == ["QuestionMessage", "AnswerView"] * 2 + ["Notice"] + ["QuestionMessage", "AnswerView"] * 2
        await pilot.press("up")
        assert box.value == "and where was that"


@run_async
async def test_a_conversation_typed_fast_asks_every_question_as_typed(news_index, stand_in):
    """Keys typed right after Enter, before the chat has taken the question: they were added to
    the question asked, or wiped with it ("...die ofwhen was the diagnosis", then no "who else")."""
    from textual import events
    from textual.keys import _character_to_key

    questions = ["what did salem derbi command", "when was he killed", "who else", "where was that",
                 "ctrl+n", "when was he killed"]
    app = make_app(news_index, stand_in)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for question in questions:
            if question == "ctrl+n":  # a new topic, in the same burst
                app.post_message(events.Key("ctrl+n", None))
                continue
            for character in question:
                app.post_message(events.Key(_character_to_key(character), character))
            app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        questions.remove("ctrl+n")
        shown = [plain(message).splitlines() for message in app.chat.query(QuestionMessage)]
        assert [lines[0] for lines in shown] == [f"› {question}" for question in questions]
        assert ["also searched for" in " ".join(lines) for lines in shown] == [False, True, True, True, False]
        assert app.chat.query_one(HistoryInput).history == questions


@run_async
async def test_the_export_keeps_the_order_asked_when_answers_come_out_of_order(news_index, stand_in):
    """The first question's search takes longer than the second's: its answer comes last, but the
    conversation (Ctrl+S, Ctrl+Y) keeps the questions in the order asked."""
    import time

    app = make_app(news_index, stand_in)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        search = app.engine.search

        def slow_first(question, query, k):
            if question.startswith("Who commanded"):
                time.sleep(0.5)
            return search(question, query, k)

        app.engine.search = slow_first
        box = app.chat.query_one(HistoryInput)
        for question in ("Who commanded the Abu Salim Brigade?", "who did the broadband survey"):
            box.value = question
            await pilot.press("enter")
        await settle(pilot)
        assert [turn.question for turn, _ in app.chat.turns] == ["Who commanded the Abu Salim Brigade?",
                                                                 "who did the broadband survey"]


@run_async
async def test_a_follow_up_typed_before_the_answer_borrows_the_corrected_words(news_index, stand_in):
    """Typed in one burst, the third question is decided before the second's answer (and its
    spelling correction) is back: it borrowed the slip ("also searched for: kiled ...")."""
    from textual import events
    from textual.keys import _character_to_key

    app = make_app(news_index, stand_in)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for question in ["what did salem derbi command", "was he kiled", "where did that happen"]:
            for character in question:
                app.post_message(events.Key(_character_to_key(character), character))
            app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        last = " ".join(plain(list(app.chat.query(QuestionMessage))[-1]).split())
        assert "also searched for" in last and "killed" in last and "kiled" not in last


def test_the_chat_and_its_search_spell_a_question_once(news_index, stand_in, monkeypatch):
    """The topic spells a question (its follow-ups borrow the corrected words) just before the
    search spells the same text: the search takes the topic's spelling, not a second one."""
    from qa.retrieval import spelling
    from qa.search import Searcher
    from qa.ui.topic import ChatTopic

    searcher = Searcher(news_index)
    topic = ChatTopic(lambda: searcher.snapshot.lexicon)
    spelled: list[str] = []
    original = spelling.normalize
    monkeypatch.setattr(spelling, "normalize", lambda text: spelled.append(text) or original(text))
    try:
        turn = topic.ask("Who was kiled in Derna?").result()
        answer = searcher.search(turn.question, k=3, embedder=stand_in, query=turn.query)
    finally:
        topic.close()
        searcher.close()
    assert answer.corrected == {"kiled": "killed"} and "Derbi was killed" in answer.hits[0].text
    assert spelled == ["Who was kiled in Derna?"]
