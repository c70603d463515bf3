"""What a fifth new user met on 2026-12-07 (BENCHMARKS.md "Reliability / A new user's session,
fifth pass"): a reporter's whole day in the UI, every key README names, in any order, while the
articles change under it. Each test failed on the code before its fix. The stand-in embedder:
the model is not the point."""

from __future__ import annotations

import shutil

import pytest

from conftest import SEEDS
from robust_util import HashEmbedder
from test_ui import highlighted, run_async, settle
from qa.ui.app import QAApp
from qa.ui.library import SourcesScreen
from qa.ui.screens import AddSourceScreen, DocumentsScreen, HelpScreen, SourceScreen
from qa.ui.widgets import HistoryInput, HitCard, Notice

QUESTION = "Who heads Ansar al-Sharia in Derna?"


@pytest.fixture
def library(tmp_path, monkeypatch):
    """The seeds indexed with the stand-in embedder; data folders in tmp."""
    from qa.index.indexer import sync

    shutil.copytree(SEEDS, tmp_path / "articles")
    sync(tmp_path / "index", [tmp_path / "articles"], embedder=HashEmbedder())
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


def _app(library) -> QAApp:
    return QAApp(library / "index", embedder_factory=lambda name: HashEmbedder(), poll_seconds=None)


def _stack(app) -> list[str]:
    return [type(screen).__name__ for screen in app.screen_stack]


def _said(app) -> str:
    return "\n".join(str(notice.visual) for notice in app.screen.query(Notice))


async def _synced(pilot) -> None:
    """The automatic sync, as the 3 s poll starts it, waited for until the chat says it is done."""
    pilot.app.check_sources()
    for _ in range(50):
        await settle(pilot)
        if "Reindexed:" in "\n".join(str(n.visual) for n in pilot.app.chat.query(Notice)):
            return
        await pilot.pause(0.1)
    raise AssertionError("the sync never ended")


@run_async
async def test_f_keys_in_any_order_replace_their_screens_rather_than_pile_them_up(library):
    """F1 then F2, F2 F3 F2 F3, Ctrl+O twice (a held key): each pushed its screen over the
    others, so the stack grew by one per key and as many Esc were needed to get back."""
    app = _app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, top in [("f1", HelpScreen), ("f2", DocumentsScreen), ("f3", SourcesScreen),
                         ("f2", DocumentsScreen), ("f3", SourcesScreen), ("ctrl+o", AddSourceScreen),
                         ("ctrl+o", AddSourceScreen), ("f2", DocumentsScreen)]:
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, top) and len(app.screen_stack) == 2, (key, _stack(app))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.chat, _stack(app)


@run_async
async def test_ctrl_q_and_ctrl_r_work_from_the_help_that_lists_them(library):
    """The help lists Ctrl+Q and Ctrl+R under "Anywhere", but, a modal screen, it held back the
    app's bindings: with the help open, Ctrl+Q and Ctrl+R did nothing."""
    app = _app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1", "ctrl+r")
        await settle(pilot)
        assert "Reindexed:" in "\n".join(str(n.visual) for n in app.chat.query(Notice))
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running, _stack(app)


@run_async
async def test_typing_in_the_help_or_the_sources_list_goes_to_the_question(library):
    """The help says "typing or pasting goes on with the question in the box", but letters typed
    with the help or F3's list open were lost (and "q" closed the help, eating the letter)."""
    app = _app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = app.chat.query_one(HistoryInput)
        await pilot.press("f1", *"quiz")
        await settle(pilot)
        assert app.screen is app.chat and box.value == "quiz", (_stack(app), box.value)
        await pilot.press("f3", *" who")
        await settle(pilot)
        assert app.screen is app.chat and box.value == "quiz who", (_stack(app), box.value)


@run_async
async def test_an_indexed_article_overwritten_by_a_binary_file_is_named_by_the_sync(library):
    """An article replaced by binary data while the UI was open: the automatic sync took it out
    of the index and said only "1 skipped" (Ctrl+O's adds were named, nothing else)."""
    app = _app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        victim = sorted((library / "articles").iterdir())[0]
        victim.write_bytes(bytes(range(256)) * 12)
        await _synced(pilot)
        said = _said(app)
        assert "Reindexed:" in said and "1 skipped" in said, said
        assert f"skipped 1 file (binary file): {victim.name}" in said, said


async def _open_first_card(pilot) -> SourceScreen:
    app = pilot.app
    box = app.chat.query_one(HistoryInput)
    box.value = QUESTION
    await pilot.press("enter")
    await settle(pilot)
    card = app.chat.query(HitCard).first()
    # the file changes after the answer: every offset after the first line moves on
    path = card.hit.path
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write("UPDATED: a correction, inserted at the top so that the offsets move.\n\n" + text)
    return card


@run_async
async def test_a_card_whose_file_changed_and_was_reindexed_says_ask_again(library):
    """A card opened after its article changed and the automatic sync reindexed it said "Reindex
    with Ctrl+R" (done already: a reindex changes nothing for this old answer), and the passage
    as indexed lost its highlighted sentence."""
    app = _app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        card = await _open_first_card(pilot)
        await _synced(pilot)
        card.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen), _stack(app)
        said = _said(app)
        assert "Ask the question again" in said and "Ctrl+R" not in said, said
        passage = app.screen.query(".-passage").first()
        assert highlighted(passage) == [card.hit.text[card.hit.highlight_start - card.hit.start:
                                                      card.hit.highlight_end - card.hit.start]]


@run_async
async def test_a_card_whose_file_changed_and_was_not_reindexed_still_says_reindex(library):
    """The other side: the index still holds the old version, so Ctrl+R is the advice."""
    app = _app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        card = await _open_first_card(pilot)
        card.focus()
        await pilot.press("enter")
        await settle(pilot)
        said = _said(app)
        assert "Reindex with Ctrl+R" in said, said


def test_a_filter_that_passes_nothing_says_so_rather_than_rephrase(built, run_qa):
    """`source:nosuchfolder` (a folder name typed wrong) passes no passage: the answer said "Not
    found ... Looked for the words won: rephrase with other words or names", which no rephrasing
    mends. It now says the filters pass nothing; `--json` counts what passes ("matching")."""
    import json

    index, _ = built
    out = run_qa("ask", "who heads derna", "--source", "nosuchfolder", "--index", str(index)).stdout
    assert "no indexed passage passes the filters" in out and "rephrase" not in out, out
    answer = json.loads(run_qa("ask", "--json", "who heads derna", "--source", "nosuchfolder",
                               "--index", str(index)).stdout)
    assert answer["filters"]["matching"] == 0 and answer["notices"][0]["kind"] == "missing", answer
    kept = json.loads(run_qa("ask", "--json", "who heads derna", "--source", "*.txt", "--index", str(index)).stdout)
    assert kept["filters"]["matching"] > 0 and "passes the filters" not in str(kept["notices"]), kept


async def _asked_then_held(app, pilot, key: str) -> HistoryInput:
    """Ask QUESTION, then press `key` 30 times (a terminal's key repeat); the question box."""
    await settle(pilot)
    box = app.chat.query_one(HistoryInput)
    box.value = QUESTION
    await pilot.press("enter")
    await settle(pilot)
    for _ in range(30):
        await pilot.press(key)
    await settle(pilot)
    return box


@run_async
async def test_a_held_key_shows_its_notification_once(library):
    """Ctrl+Y held down (a terminal's key repeat: 30 presses) stacked 30 "Clipboard" toasts; past
    a screenful, some stayed drawn after they expired until the terminal was resized. A
    notification already on screen is not shown again."""
    app = _app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await _asked_then_held(app, pilot, "ctrl+y")
        assert len(app._notifications) == 1, [n.message for n in app._notifications]


@run_async
async def test_ctrl_n_held_draws_one_new_topic_line(library):
    """Ctrl+N held (30 presses) drew 30 "— new topic —" lines, pushing the last answer off the
    screen; one line says it."""
    app = _app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        box = await _asked_then_held(app, pilot, "ctrl+n")
        lines = [n for n in app.chat.query(Notice) if "new topic" in str(n.visual)]
        assert len(lines) == 1, len(lines)
        box.value = "Was he killed?"
        await pilot.press("enter", "ctrl+n")
        await settle(pilot)
        assert len([n for n in app.chat.query(Notice) if "new topic" in str(n.visual)]) == 2
