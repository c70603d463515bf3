"""Every screen, dialog and key the README names, walked as a person does: open, act, Esc back,
open again, in two orders and at two sizes, typing right after each Esc. Any crash, error
notification or error notice fails the walk (issue 21: F3 then Esc ended the app with a
traceback and exit status 0). Plus: an unexpected error ends `qa` with one line, a log and
status 1. The stand-in embedder keeps the walk fast: answer quality is not the point here."""

from __future__ import annotations

import random
import shutil

import pytest
from textual import events
from textual.keys import _character_to_key

from conftest import SEEDS
from robust_util import HashEmbedder
from qa.ui.app import QAApp
from qa.ui.library import ConfirmScreen, SourcesScreen
from qa.ui.screens import AddSourceScreen, ChatScreen, DocumentsScreen, HelpScreen, SourceScreen
from qa.ui.widgets import AnswerView, HistoryInput, HitCard, Notice
from test_ui import run_async, settle

QUESTION = "Who heads Ansar al-Sharia in Derna?"


@pytest.fixture
def library(tmp_path, monkeypatch):
    """The seeds and a second source (a folder of one article, removed by the walk), indexed with
    the stand-in embedder; data and cache folders in tmp."""
    from qa.index.indexer import sync

    shutil.copytree(SEEDS, tmp_path / "articles")
    (tmp_path / "drive").mkdir()
    (tmp_path / "drive" / "harbour.txt").write_text(
        "Harbour reopens\n\nThe harbour of Porthaven reopened on Friday after the storm.\n", encoding="utf-8")
    sync(tmp_path / "index", [tmp_path / "articles", tmp_path / "drive"], embedder=HashEmbedder())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PAGER", "true")
    return tmp_path


def walking_app(index_dir) -> tuple[QAApp, list[tuple[str, str]]]:
    app = QAApp(index_dir, embedder_factory=lambda name: HashEmbedder(), poll_seconds=None)
    told: list[tuple[str, str]] = []
    notify = app.notify

    def recording(message, **kwargs):
        told.append((kwargs.get("severity", "information"), str(message)))
        return notify(message, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    return app, told


async def back_in_chat_and_typing_lands(pilot) -> None:
    """Back on the chat, nothing crashed, and a key typed at once lands in the question box."""
    app = pilot.app
    await settle(pilot)
    assert app.is_running and app.screen is app.chat, app.screen
    box = app.chat.query_one(HistoryInput)
    before = box.value
    await pilot.press("q")
    assert box.value == before + "q" and app.focused is box
    box.value = before


async def typed(pilot, text: str) -> None:
    """Type text as a fast typist does: every key sent at once, then wait for the app."""
    await keys(pilot, *text)


async def keys(pilot, *names: str) -> None:
    """Keys pressed in a burst (characters or key names such as "down", "ctrl+c"), then wait."""
    for name in names:
        key = _character_to_key(name) if len(name) == 1 else name
        pilot.app.post_message(events.Key(key, name if len(name) == 1 else None))
    await settle(pilot)


async def expect(pilot, kind: type) -> None:
    await settle(pilot)
    assert isinstance(pilot.app.screen, kind), (pilot.app.screen, kind)


# -- the visits: each opens a screen or dialog, acts in it, and goes back with Esc --------------
async def ask_and_use_cards(pilot) -> None:
    app = pilot.app
    app.chat.query_one(HistoryInput).value = QUESTION
    await pilot.press("enter")
    await settle(pilot)
    assert app.chat.query(AnswerView)
    await keys(pilot, "up", "down", "tab")  # history, then the cards
    assert isinstance(app.focused, HitCard)
    await keys(pilot, "down", "up", "right", "left", "ctrl+c", "ctrl+e", "escape")
    assert app.focused is app.chat.query_one(HistoryInput)
    await keys(pilot, "tab", "escape")


async def article(pilot) -> None:
    await pilot.press("tab", "enter")
    await expect(pilot, SourceScreen)
    await keys(pilot, "ctrl+c", "ctrl+e", "pagedown", "escape")


async def documents(pilot) -> None:
    await pilot.press("f2")
    await expect(pilot, DocumentsScreen)
    await typed(pilot, "derna")
    assert pilot.app.screen.query_one("#documents-filter").value == "derna"
    await keys(pilot, "down", "up", "enter")
    await expect(pilot, SourceScreen)
    await pilot.press("escape")
    await expect(pilot, DocumentsScreen)
    await pilot.press("escape")  # clears the filter
    assert isinstance(pilot.app.screen, DocumentsScreen)
    await pilot.press("escape")


async def sources_keep(pilot) -> None:
    await pilot.press("f3")
    await expect(pilot, SourcesScreen)
    await keys(pilot, "down", "delete")
    await expect(pilot, ConfirmScreen)
    await pilot.press("n")
    await expect(pilot, SourcesScreen)
    await pilot.press("delete")
    await expect(pilot, ConfirmScreen)
    await pilot.press("escape")  # no as well
    await expect(pilot, SourcesScreen)
    await pilot.press("escape")


async def palette(pilot) -> None:
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "CommandPalette"
    await pilot.press("escape")
    await pilot.press("ctrl+p")
    await typed(pilot, "documents")
    await pilot.press("enter")  # the palette runs the command
    await expect(pilot, DocumentsScreen)
    await pilot.press("escape")
    for _ in range(2):  # "Order by date" on, then off again
        await pilot.press("ctrl+p")
        await typed(pilot, "order by date")
        await pilot.press("enter")
        await settle(pilot)


async def help_screen(pilot) -> None:
    await pilot.press("f1")
    await expect(pilot, HelpScreen)
    await keys(pilot, "pagedown", "escape")


async def open_dialog(pilot) -> None:
    await pilot.press("ctrl+o")
    await expect(pilot, AddSourceScreen)
    await typed(pilot, "no-such-folder")
    await pilot.press("enter")  # refused: the dialog says so and stays
    assert isinstance(pilot.app.screen, AddSourceScreen)
    box = pilot.app.screen.query_one("#add-path")
    box.value = ""
    await typed(pilot, "artic")
    await pilot.press("right")  # completes the path
    assert box.value == "articles/", box.value
    await pilot.press("escape")


async def copy_export_and_new_topic(pilot) -> None:
    await keys(pilot, "ctrl+y", "ctrl+s", "ctrl+n")


async def reindex(pilot) -> None:
    await pilot.press("ctrl+r")
    await settle(pilot)
    assert not pilot.app.reindexing


VISITS = [ask_and_use_cards, article, documents, sources_keep, palette, help_screen, open_dialog,
          copy_export_and_new_topic, reindex]


async def remove_a_source(pilot, folder) -> None:
    """F3, Delete on the second source, y: removed; the list and the status line follow."""
    await pilot.press("f3")
    await expect(pilot, SourcesScreen)
    screen = pilot.app.screen
    screen.query_one("#sources").move_cursor(row=[info.path for info in screen.rows].index(str(folder)))
    await pilot.press("delete")
    await expect(pilot, ConfirmScreen)
    await pilot.press("y")
    await expect(pilot, SourcesScreen)
    assert [info.path for info in screen.rows] == [str(folder.parent / "articles")]
    await pilot.press("escape")


@run_async
async def test_every_screen_and_dialog_opens_acts_and_closes_in_any_order(library):
    app, told = walking_app(library / "index")
    # each twice in a row at 80x24, then in a shuffled order at 120x40
    orders = [VISITS, random.Random(21).sample(VISITS, len(VISITS))]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for number, order in enumerate(orders):
            if number == 1:
                await pilot.resize_terminal(120, 40)
            for visit in order:
                for _ in range(2 if number == 0 else 1):  # and again
                    await visit(pilot)
                    await back_in_chat_and_typing_lands(pilot)
        await remove_a_source(pilot, library / "drive")
        await back_in_chat_and_typing_lands(pilot)
        assert app.status.stats.startswith("2 articles")
        for visit in (sources_keep, documents, article):  # still there after the removal
            await visit(pilot)
            await back_in_chat_and_typing_lands(pilot)
        assert [str(n.visual) for n in app.chat.query(Notice) if n.has_class("-error")] == []
        assert [message for severity, message in told if severity == "error"] == []
        await pilot.press("ctrl+q")
    assert app.return_code in (None, 0)


def test_an_unexpected_error_ends_the_ui_with_one_line_a_log_and_status_1(library, monkeypatch, capsys):
    from qa.ui.app import run_app

    monkeypatch.setenv("QA_CACHE_DIR", str(library / "cache"))

    def broken(self) -> None:
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(QAApp, "action_help", broken)
    app, _ = walking_app(library / "index")

    async def press_f1(pilot) -> None:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        if app.is_running:
            app.exit()

    status = run_app(app, headless=True, size=(80, 24), auto_pilot=press_f1)
    err = capsys.readouterr().err
    log = library / "cache" / "ui-error.log"
    assert status == 1
    assert err == f"qa: unexpected error in the UI: RuntimeError: a bug over two lines; details in {log}\n"
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "in broken" in text and "RuntimeError: a bug" in text


def test_a_clean_quit_is_status_0_and_prints_nothing(library, capsys):
    from qa.ui.app import run_app

    app, _ = walking_app(library / "index")

    async def f3_esc_quit(pilot) -> None:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+q")

    assert run_app(app, headless=True, size=(80, 24), auto_pilot=f3_esc_quit) == 0
    assert capsys.readouterr().err == ""
    assert isinstance(app.chat, ChatScreen)


@run_async
async def test_letters_typed_right_after_a_key_that_opens_a_screen_reach_that_screen(library):
    """F2 then "derna" in one burst (a fast typist): the letters filter the documents, none lands in
    the question box behind the screen; the same for Ctrl+O and the path box."""
    from textual.widgets import Input

    app, _ = walking_app(library / "index")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = app.chat.query_one(HistoryInput)
        await keys(pilot, "f2", *"derna")
        assert isinstance(app.screen, DocumentsScreen)
        assert app.screen.query_one("#documents-filter", Input).value == "derna" and box.value == ""
        await keys(pilot, "escape", "escape")
        await back_in_chat_and_typing_lands(pilot)
        await keys(pilot, "ctrl+o", *"/tmp")
        assert isinstance(app.screen, AddSourceScreen)
        assert app.screen.query_one(Input).value == "/tmp" and box.value == ""
        await keys(pilot, "escape")
        await back_in_chat_and_typing_lands(pilot)
