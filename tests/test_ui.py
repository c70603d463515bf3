"""The terminal UI, driven by Textual's pilot: asking, citations, the source view, follow-ups,
reindexing from the app, literal rendering of markup-like text, and answering before the model
has loaded. Plus snapshots of the main screens at 80x24 and 120x40 (tests/__snapshots__)."""

from __future__ import annotations

import asyncio
import functools
import shutil
import threading
from pathlib import Path

import pytest

from conftest import SEEDS
from textual.widgets import Input

from qa.errors import QAError
from qa.ui.app import QAApp
from qa.ui.screens import ChatScreen, DocumentsScreen, HelpScreen, SourceScreen
from qa.ui.widgets import SENTENCE_STYLE, AnswerView, HistoryInput, HitCard, Notice, QuestionMessage

MARKUP_ARTICLE = """Markup test article

The spokesman wrote [bold]not bold[/] and [/] in his statement about the Tobruk harbour.

He linked [link=https://example.com]a page[/link] and a [@click=app.quit]trap[/] about the Tobruk harbour.
"""


def run_async(test):
    """Run an async test on a fresh event loop (no pytest async plugin needed)."""
    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))
    return wrapper


def make_app(index_dir: Path, model, **kwargs) -> QAApp:
    app = QAApp(index_dir, embedder_factory=kwargs.pop("embedder_factory", lambda name: model),
                poll_seconds=None, **kwargs)
    return app


async def settle(pilot) -> None:
    """Wait until no worker (index, model, reindex, search, file reading) runs and the messages they
    posted are handled: conditions, not fixed sleeps, so a loaded machine only takes longer."""
    app = pilot.app
    for _ in range(1000):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.busy:
            return
    raise AssertionError("the app never became idle")


async def opened(pilot) -> SourceScreen:
    """Wait until the source view shows its article (read by a worker)."""
    await settle(pilot)
    assert isinstance(pilot.app.screen, SourceScreen) and pilot.app.screen.loaded, pilot.app.screen
    return pilot.app.screen


async def ask(pilot, question: str) -> AnswerView:
    box = pilot.app.chat.query_one(HistoryInput)
    box.value = question
    await pilot.press("enter")
    await settle(pilot)
    return pilot.app.chat.query(AnswerView).last()


def plain(widget) -> str:
    return str(widget.visual)


def highlighted(static) -> list[str]:
    """The parts of a Static's content drawn in the answering-sentence style."""
    content = static.visual
    return [content.plain[s.start:s.end] for s in content.spans if str(s.style) == SENTENCE_STYLE]


@pytest.fixture
def own_index(tmp_path, model, remembered_model, monkeypatch):
    """A fresh index of a copy of the seeds (for tests that change it); cwd is tmp_path. The
    model's vectors, embedded once per session (remembered_model)."""
    from qa.index.indexer import sync

    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    sync(tmp_path / "index", [articles], embedder=remembered_model)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "index"


@run_async
async def test_answer_card_cites_the_passage_and_input_keeps_focus(seed_index, model):
    app = make_app(seed_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        view = await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        cards = list(view.query(HitCard))
        assert len(cards) == 3 and view.answer.mode == "hybrid"
        first = cards[0]
        assert plain(first.query_one(".title")).startswith("[1] ")
        where = plain(first.query_one(".where"))
        assert "000_cd1c624dfe4b4cd0.txt, ¶ 1" in where
        assert any("Sufian al Qumu" in part for part in highlighted(first.query_one(".passage")))
        assert isinstance(app.focused, HistoryInput) and app.focused.value == ""
        await pilot.press("up")
        assert app.focused.value == "Who heads Ansar al-Sharia in Derna?"
        await pilot.press("down")
        assert app.focused.value == ""


@run_async
async def test_source_view_shows_the_passage_highlighted_and_esc_returns(seed_index, model):
    app = make_app(seed_index, model)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot, "Who drove IS out of Derna?")
        await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        transcript = app.chat.transcript
        await pilot.press("tab")
        await pilot.pause()
        assert isinstance(app.focused, HitCard)
        scrolled = transcript.scroll_y
        hit = app.focused.hit
        await pilot.press("enter")
        screen = await opened(pilot)
        assert isinstance(screen, SourceScreen)
        marked = list(screen.query(".-passage"))
        assert [m.id for m in marked] == [f"p{n}" for n in range(hit.paragraph, hit.paragraph_end + 1)]
        article = screen.query_one("#article")
        assert marked[0].region.overlaps(article.region)  # scrolled into view
        sentences = [part for m in marked for part in highlighted(m.query_one(".text"))]
        assert "".join(sentences).strip() in hit.text
        assert "Sufian al Qumu" in "".join(sentences)
        await pilot.press("escape")
        assert app.screen is app.chat
        assert transcript.scroll_y == scrolled
        assert isinstance(app.focused, HitCard)
        await pilot.click(app.focused)  # a click opens the source too
        await opened(pilot)
        assert isinstance(app.screen, SourceScreen) and app.screen.query(".-passage")


@run_async
async def test_follow_up_uses_the_context_and_new_topic_clears_it(seed_index, model):
    app = make_app(seed_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, "Who commanded the Abu Salim Brigade?")
        view = await ask(pilot, "Was he killed?")
        asked = app.chat.query(QuestionMessage).last()
        assert "also searched for: Abu Salim Brigade" in plain(asked)
        best = view.query(HitCard).first()
        assert any("Salem Derbi" in part for part in highlighted(best.query_one(".passage")))
        await pilot.press("ctrl+n")
        view = await ask(pilot, "Was he killed?")
        assert not view.turn.follow_up
        assert "also searched" not in plain(app.chat.query(QuestionMessage).last())


@run_async
async def test_a_short_new_question_is_no_follow_up_in_the_chat(tmp_path, stand_in):
    """The chat lends the loaded index's words to the conversation: "who did the broadband survey"
    after a rugby question meets only in the broadband story, so it is searched on its own."""
    from qa.index.indexer import sync

    (tmp_path / "news").mkdir()
    for name, text in {"rugby.txt": "Squad named\n\nCoach Dan Hollis will be without the injured players "
                                    "Tom Varley and Ed Brack against Wales.\n",
                       "broadband.txt": "Customers unhappy\n\nA broadband survey by the magazine Net Monthly "
                                        "found that one in five had switched supplier.\n",
                       "school.txt": "School budget agreed\n\nThe school budget was agreed on Monday.\n"}.items():
        (tmp_path / "news" / name).write_text(text, encoding="utf-8")
    sync(tmp_path / "index", [tmp_path / "news"], embedder=stand_in)
    app = make_app(tmp_path / "index", stand_in)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, "which players will hollis be without")
        view = await ask(pilot, "who did the broadband survey")
        assert not view.turn.follow_up
        assert "also searched" not in plain(app.chat.query(QuestionMessage).last())
        view = await ask(pilot, "who did their survey")  # a pronoun: a follow-up all the same
        assert view.turn.follow_up


@run_async
async def test_reindex_after_adding_a_folder_then_ask_about_it(own_index, model, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "tobruk.txt").write_text(MARKUP_ARTICLE, encoding="utf-8")
    app = make_app(own_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        dialog_input = app.screen.query_one("#add-path")
        dialog_input.value = str(extra)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause()
        assert app.screen is app.chat
        notes = [plain(n) for n in app.chat.query(Notice)]
        assert any(n.startswith("Reindexed: 1 added, 0 changed, 0 removed") for n in notes)
        assert app.status.stats == "3 articles, 10 passages"
        view = await ask(pilot, "What did the spokesman write about the Tobruk harbour?")
        assert view.query(HitCard).first().hit.path == str(extra / "tobruk.txt")
        # with automatic sync off, a file dropped into a source is noticed and offered for reindexing
        # (on, the default, it is synced by itself: tests/test_ui_library.py)
        app.auto_sync = False
        (extra / "later.txt").write_text("Later\n\nA later article about Misrata.\n", encoding="utf-8")
        app.check_sources()
        await settle(pilot)
        assert app.status.changes == "sources changed: 1 new — Ctrl+R reindexes"
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.pause()
        assert app.status.changes == ""
        assert app.status.stats == "4 articles, 11 passages"
        # a reindex by another process (qa index) is noticed too
        from qa.index.indexer import sync

        (extra / "more.txt").write_text("More\n\nOne more article about Sirte.\n", encoding="utf-8")
        sync(own_index, embedder=model)
        app.check_sources()
        await settle(pilot)
        assert app.status.stats == "5 articles, 12 passages" and app.status.changes == ""


@run_async
async def test_markup_in_articles_and_questions_renders_literally(tmp_path, model, monkeypatch):
    from qa.index.indexer import sync

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "markup.txt").write_text(MARKUP_ARTICLE, encoding="utf-8")
    sync(tmp_path / "index", [tmp_path / "a"], embedder=model)
    monkeypatch.chdir(tmp_path)
    app = make_app(tmp_path / "index", model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = await ask(pilot, "[bold]What[/] did he link [@click=app.quit]about[/] Tobruk harbour?")
        assert "[bold]What[/] did he link [@click=app.quit]about[/]" in plain(app.chat.query(QuestionMessage).last())
        shown = " ".join(plain(card.query_one(".passage")) for card in view.query(HitCard))
        assert "[bold]not bold[/] and [/] in" in shown
        await pilot.press("tab", "enter")
        await opened(pilot)
        article = " ".join(plain(p) for p in app.screen.query(".paragraph .text"))
        for literal in ("[bold]not bold[/]", "and [/] in", "[link=https://example.com]a page[/link]",
                        "[@click=app.quit]trap[/]"):
            assert literal in article
        await pilot.click(".-passage")  # a click on the would-be link does nothing
        assert app.is_running and isinstance(app.screen, SourceScreen)


@run_async
async def test_answers_before_the_model_has_loaded(seed_index, model):
    release = threading.Event()

    def slow_model(name: str):
        release.wait(30)
        return model

    app = make_app(seed_index, model, embedder_factory=slow_model)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for _ in range(50):  # the index loads in the background
            if app.has_index:
                break
            await pilot.pause(0.05)
        assert app.status.mode.startswith("◌ loading model")
        box = app.chat.query_one(HistoryInput)
        box.value = "Who heads Ansar al-Sharia in Derna?"
        await pilot.press("enter")
        for _ in range(100):
            if app.chat.query(AnswerView):
                break
            await pilot.pause(0.05)
        view = app.chat.query(AnswerView).last()
        assert view.answer.mode == "keyword" and view.query(HitCard)
        assert "keyword search only: the model was still loading" in plain(view.query_one(Notice))
        release.set()
        await settle(pilot)
        assert app.status.mode == "● hybrid"
        view = await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        assert view.answer.mode == "hybrid" and not view.query(Notice)


@run_async
async def test_model_failure_leaves_keyword_search_visible(seed_index, model):
    def broken(name: str):
        raise QAError("cannot load the embedding model 'x': no such file")

    app = make_app(seed_index, model, embedder_factory=broken)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.status.mode.startswith("▲ keyword search only")
        view = await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        assert view.answer.mode == "keyword"
        assert "could not be loaded (cannot load the embedding model 'x'" in plain(view.query_one(Notice))


@run_async
async def test_no_index_offers_the_reindex_of_the_default_source(tmp_path, model, monkeypatch):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    app = make_app(tmp_path / "index", model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        notes = " ".join(plain(n) for n in app.chat.query(Notice))
        assert "no index" in notes and "Ctrl+R to index seeds/" in notes
        assert app.status.stats == "no index"
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.pause()
        assert app.status.stats == "2 articles, 9 passages"
        view = await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        assert view.answer.answered


@run_async
async def test_documents_help_palette_copy_and_export(seed_index, model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = make_app(seed_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        table = app.screen.query_one("#documents")
        assert table.row_count == 2
        await pilot.press("enter")  # opens the article under the cursor
        await opened(pilot)
        assert isinstance(app.screen, SourceScreen) and app.screen.query(".paragraph")
        await pilot.press("escape")
        await pilot.press("escape", "f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)

        from qa.ui.commands import QACommands

        provider = QACommands(app.screen)
        names = [str(hit.match_display) async for hit in provider.search("reindex")]
        assert names == ["Reindex sources"]

        await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        await pilot.press("ctrl+y")
        assert app.clipboard.startswith("Q: Who heads Ansar al-Sharia in Derna?")
        assert "[1] " in app.clipboard and "000_cd1c624dfe4b4cd0.txt, ¶ 1" in app.clipboard
        await pilot.press("ctrl+s")
        exported = list((tmp_path / "data" / "qa" / "exports").glob("qa-conversation-*.md"))
        assert len(exported) == 1
        text = exported[0].read_text(encoding="utf-8")
        assert "## Who heads Ansar al-Sharia in Derna?" in text and "— [1] " in text
        assert "> **Sufian al Qumu, head of the Ansar al-Sharia brigade in Derna" in text


# -- snapshots ---------------------------------------------------------------------------------
def snapshot_app(seed_index: Path, model) -> QAApp:
    app = make_app(seed_index, model)
    return app


async def steady(pilot) -> None:
    """Wait for the app to be idle and stop the text cursors' blinking: a blinking cursor is drawn
    or not depending on how long the machine took since the last key (a snapshot under load
    differed), so each snapshot shows it steadily on."""
    await settle(pilot)
    for screen in pilot.app.screen_stack:
        for box in screen.query(Input):
            box.cursor_blink = False
    await settle(pilot)


async def _asked(pilot) -> None:
    await settle(pilot)
    await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
    await steady(pilot)


async def _source(pilot) -> None:
    await settle(pilot)
    await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
    await pilot.press("tab", "enter")
    await opened(pilot)
    await steady(pilot)


async def _help(pilot) -> None:
    await settle(pilot)
    await pilot.press("f1")
    await steady(pilot)


async def _documents(pilot) -> None:
    await settle(pilot)
    await pilot.press("f2")
    await steady(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("screen", [_asked, _source, _help, _documents], ids=["chat", "source", "help", "documents"])
def test_snapshots(snap_compare, seed_index, model, monkeypatch, size, screen):
    from conftest import ROOT

    monkeypatch.chdir(ROOT)  # sources show as seeds/…, the same on every machine
    assert snap_compare(snapshot_app(seed_index, model), terminal_size=size, run_before=screen)


def test_card_excerpt_highlights_exactly_the_answering_sentence(seed_index, model):
    from qa.search import Searcher
    from qa.ui.widgets import excerpt

    searcher = Searcher(seed_index)
    for question in ("Who heads Ansar al-Sharia in Derna?", "Who drove IS out of Derna?", "Was Qumu captured?"):
        for hit in searcher.search(question, k=3, embedder=model).hits:
            content = excerpt(hit)
            parts = [content.plain[s.start:s.end] for s in content.spans if str(s.style) == SENTENCE_STYLE]
            sentence = hit.text[hit.highlight_start - hit.start:hit.highlight_end - hit.start]
            assert parts == [sentence.replace("\n\n", " \n")]
            assert content.plain.strip(" …") in hit.text.replace("\n\n", " \n")


def test_help_key_names():
    from qa.ui.screens import key_name

    assert [key_name(k) for k in ("ctrl+r", "f1", "c", "escape", "question_mark")] == ["Ctrl+R", "F1", "c", "Esc", "?"]


@run_async
async def test_chat_keeps_answering_while_a_reindex_runs(own_index, model, tmp_path):
    release = threading.Event()

    class SlowToIndex:
        """The real model, except that embedding for the index waits for the test's go."""

        dim = model.dim
        model_name = model.model_name

        def encode(self, texts, batch_size=64, on_batch=None):
            if on_batch is not None:  # the indexer's call, not a question's
                release.wait(30)
            return model.encode(texts, batch_size=batch_size, on_batch=on_batch)

    (tmp_path / "articles" / "sirte.txt").write_text("Sirte\n\nFighting resumed near Sirte on Tuesday.\n",
                                                     encoding="utf-8")
    app = make_app(own_index, model, embedder_factory=lambda name: SlowToIndex())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        for _ in range(100):
            if app.chat.query_one("#reindex").display and "embedding" in plain(app.chat.query_one("#reindex-phase")):
                break
            await pilot.pause(0.05)
        assert app.reindexing and app.chat.query_one("#reindex").display
        box = app.chat.query_one(HistoryInput)
        box.value = "Who heads Ansar al-Sharia in Derna?"
        await pilot.press("enter")
        for _ in range(200):  # not workers.wait_for_complete(): the reindex is a worker too
            if app.chat.query(AnswerView):
                break
            await pilot.pause(0.05)
        view = app.chat.query(AnswerView).last()
        assert view.answer.answered and app.reindexing  # answered from the old index meanwhile
        release.set()
        await settle(pilot)
        assert not app.reindexing and not app.chat.query_one("#reindex").display
        assert app.status.stats == "3 articles, 10 passages"


@run_async
async def test_ui_keeps_answering_while_another_process_reindexes(own_index, model, tmp_path):
    """A real `qa index` in another process, held inside its commit: the open app answers from the
    old index meanwhile, then picks up the new generation by itself once that process is done."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    (tmp_path / "articles" / "sirte.txt").write_text(
        "Sirte clashes\n\nFighting resumed near Sirte on Tuesday, the harbour master Idris Bukhari said.\n",
        encoding="utf-8")
    go_on = tmp_path / "go-on"  # made once the app has answered meanwhile: the commit then goes on
    env = dict(os.environ, PYTHONPATH=str(ROOT), QA_TEST_PAUSE_AT="committing", QA_TEST_PAUSE_SECONDS="60",
               QA_TEST_PAUSE_UNTIL=str(go_on))
    app = make_app(own_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        proc = subprocess.Popen([sys.executable, "-m", "qa", "index", "--index", str(own_index)], cwd=tmp_path,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = ""
            while "test pause at committing" not in line:  # the writer now holds its transaction open
                line = await asyncio.to_thread(proc.stderr.readline)
                assert line, "qa index ended before its commit"
            view = await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
            assert view.answer.answered and "Sufian al Qumu" in view.answer.hits[0].text
            assert proc.poll() is None  # answered while the other process was still committing
            go_on.touch()
            await asyncio.to_thread(proc.wait, 120)
        finally:
            proc.kill()
        assert proc.returncode == 0, proc.stderr.read()
        app.check_sources()  # what the poll timer does every few seconds
        await settle(pilot)
        view = await ask(pilot, "Who is the harbour master of Sirte?")
        assert "Bukhari" in view.answer.hits[0].text
        assert app.status.stats == "3 articles, 10 passages"


def test_score_cue_follows_the_order_of_the_cards(seed_index, model):
    """The cue is the score the cards are ranked by: a card never shows more bars than the one
    above it, though its passage's cosine alone may be higher (the first card wins on its sentence)."""
    from qa.search import Searcher
    from qa.ui.widgets import CUE_WORDS, score_level

    searcher = Searcher(seed_index)
    for question in ("Who commanded the Abu Salim Brigade?", "Who heads Ansar al-Sharia in Derna?",
                     "What is the capital of Peru?"):
        answer = searcher.search(question, k=5, embedder=model)
        levels = [score_level(hit, answer.hits[0]) for hit in answer.hits]
        assert levels == sorted(levels, reverse=True), (question, levels)
        if answer.answered:
            assert CUE_WORDS[levels[0]] in ("fair", "good", "strong"), (question, levels)
        else:
            assert CUE_WORDS[levels[0]] in ("very weak", "faint", "weak"), (question, levels)
    searcher.close()


# -- how the work is run: workers posting messages, no import cycle ---------------------------
@run_async
async def test_source_view_shows_a_placeholder_then_the_article_read_off_the_ui_thread(seed_index, model,
                                                                                        monkeypatch):
    import qa.ui.screens as screens
    from qa.ui.engine import read_article

    release = threading.Event()
    readers: list[int] = []

    def slow_read(path, hit=None):
        readers.append(threading.get_ident())
        release.wait(30)
        return read_article(path, hit)

    monkeypatch.setattr(screens, "read_article", slow_read)
    app = make_app(seed_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        await pilot.press("tab", "enter")
        for _ in range(100):
            if readers:
                break
            await pilot.pause(0.02)
        screen = app.screen
        assert isinstance(screen, SourceScreen) and not screen.loaded
        assert plain(screen.query_one("#source-loading")) == "loading…" and not screen.query(".paragraph")
        assert readers and readers[0] != threading.get_ident()  # not the UI's thread
        release.set()
        await opened(pilot)
        assert screen.loaded and not screen.query("#source-loading")
        hit = view.query(HitCard).first().hit
        assert [m.id for m in screen.query(".-passage")] == [f"p{n}" for n in range(hit.paragraph, hit.paragraph_end + 1)]


@run_async
async def test_reindex_reports_progress_and_completion_as_messages(own_index, model, tmp_path):
    from qa.ui import app as app_module
    from qa.ui.messages import Reindexed, ReindexProgress

    class Recording(QAApp):
        """Records the reindex's messages as the app receives them (its own handlers run too)."""

        CSS_PATH = str(Path(app_module.__file__).with_name("qa.tcss"))  # not relative to tests/

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.received: list[tuple] = []

        def on_reindex_progress(self, message: ReindexProgress) -> None:
            self.received.append((message.phase, message.done, message.total, threading.get_ident()))

        def on_reindexed(self, message: Reindexed) -> None:
            self.received.append(("done", message.report.summary(), str(message.stats), threading.get_ident()))

    (tmp_path / "articles" / "sirte.txt").write_text("Sirte\n\nFighting resumed near Sirte on Tuesday.\n",
                                                     encoding="utf-8")
    app = Recording(own_index, embedder_factory=lambda name: model, poll_seconds=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        ui_thread = threading.get_ident()
        phases = [r[0] for r in app.received]
        assert "reading" in phases and "embedding" in phases and phases[-1] == "done"
        assert app.received[-1][1].startswith("1 added, 0 changed, 0 removed")
        assert app.received[-1][2] == "3 articles, 10 passages" == app.status.stats
        assert {r[-1] for r in app.received} == {ui_thread}  # handled on the UI thread
        assert not app.reindexing and not app.chat.query_one("#reindex").display


def test_ui_layering_and_light_start_up():
    """The engine facade knows nothing of Textual; qa.ui.screens gets what it needs from arguments
    and messages, not from qa.ui.app; and the UI's modules load without numpy, faiss or torch (the
    first paint does not wait for them)."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    code = ("import sys, qa.ui.engine; print('textual' in sys.modules); "
            "import qa.ui.screens; print('qa.ui.app' in sys.modules); import qa.ui.app; "
            "print(sorted(m for m in ('numpy', 'faiss', 'torch', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True).stdout.split("\n")
    assert out[:3] == ["False", "False", "[]"]
