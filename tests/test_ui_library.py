"""The UI side of the user's library: exports kept out of the sources, the open index named in the
status line, cards of PDF pages and of files that are away, the Sources view (list, remove with
confirmation) and syncing by itself when the sources change."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import SEEDS
from test_ui import ask, make_app, run_async, settle


@pytest.fixture
def library(tmp_path, model, remembered_model, monkeypatch):
    """A fresh index of a copy of the seeds; cwd is a folder of articles (a source), data in tmp.
    The model's vectors, embedded once per session (remembered_model)."""
    from qa.index.indexer import sync

    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    sync(tmp_path / "index", [articles], embedder=remembered_model)
    monkeypatch.chdir(articles)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


@run_async
async def test_export_goes_to_the_exports_folder_never_the_working_source(library, model):
    app = make_app(library / "index", model)
    notes: list[str] = []
    app.notify = lambda message, **kw: notes.append(str(message))  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        await pilot.press("ctrl+s")
    exports = library / "data" / "qa" / "exports"
    written = list(exports.glob("qa-conversation-*.md"))
    assert len(written) == 1
    assert not list((library / "articles").glob("qa-conversation-*"))
    assert any(str(written[0]) in note for note in notes)


def test_short_path_names_the_index_briefly():
    from qa.ui.widgets import short_path

    assert short_path("/home/ann/.local/share/qa/index", cwd="/work", home="/home/ann") == "~/.local/share/qa/index"
    assert short_path("/work/qa/index", cwd="/work/qa", home="/home/ann") == "index/"
    assert short_path("/tmp/a/b/c/index", cwd="/work", home="/home/ann") == "…/c/index"
    assert short_path("/srv/index", cwd="/work", home="/home/ann") == "/srv/index"


@run_async
async def test_status_line_names_the_open_index(library, model):
    from qa.ui.widgets import StatusLine

    app = make_app(library / "index", model)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        shown = str(app.chat.query_one(StatusLine).render())
        assert "index …/" + library.name + "/index" in shown, shown
        assert "articles" in shown


@run_async
async def test_cards_cite_the_pdf_page_and_mark_files_that_are_away(library, model, monkeypatch):
    import textwrap

    from pdf_util import make_pdf
    from qa.index.indexer import sync
    from qa.ui.screens import SourceScreen
    from qa.ui.widgets import HitCard, Notice
    from test_ui import opened, plain

    page_two = textwrap.wrap("The mayor said the repairs to the pier and the sea wall of Porthaven would cost about "
                             "two million pounds and take until the summer.", 80)
    (library / "articles" / "harbour.pdf").write_bytes(
        make_pdf([["Harbour reopens after storm", "The harbour of Porthaven reopened on Friday."], page_two]))
    sync(library / "index", [], embedder=model)
    monkeypatch.chdir(library)
    app = make_app(library / "index", model)
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        view = await ask(pilot, "What will the Porthaven sea wall repairs cost?")
        card = next(c for c in view.query(HitCard) if c.hit.path.endswith("harbour.pdf"))
        assert card.hit.page is not None and f"harbour.pdf, p. {card.hit.page}, ¶" in plain(card.query_one(".where"))
        others = [c for c in view.query(HitCard) if c.hit.page is None]
        assert all(", p. " not in plain(c.query_one(".where")) for c in others)
        assert "unavailable" not in plain(card.query_one(".where"))

        (library / "articles").rename(library / "away")  # the drive is unmounted
        view = await ask(pilot, "What will the Porthaven sea wall repairs cost?")
        card = next(c for c in view.query(HitCard) if c.hit.path.endswith("harbour.pdf"))
        assert not card.hit.available and "(file unavailable now)" in plain(card.query_one(".where"))
        card.focus()
        await pilot.press("enter")
        screen = await opened(pilot)
        assert isinstance(screen, SourceScreen)
        notices = [plain(n) for n in screen.query(Notice)]
        assert any("cannot be opened now" in n for n in notices), notices
        assert "sea wall" in plain(screen.query(".-passage").first())  # the passage as indexed, marked


@run_async
async def test_sources_view_lists_states_and_removes_after_confirmation(library, model):
    from qa.index.indexer import sync
    from qa.index.library import list_sources
    from qa.ui.library import ConfirmScreen, SourcesScreen
    from qa.ui.widgets import StatusLine

    extra = library / "drive"
    extra.mkdir()
    (extra / "harbour.txt").write_text("Harbour reopens\n\nThe harbour of Porthaven reopened on Friday "
                                       "after the storm damaged the pier.\n", encoding="utf-8")
    sync(library / "index", [extra], embedder=model)
    extra.rename(library / "drive-unmounted")  # away: its documents are kept, its state is missing
    app = make_app(library / "index", model)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        table = screen.query_one("#sources")
        assert table.row_count == 2
        by_path = {info.path: info for info in screen.rows}
        assert by_path[str(extra)].state == "missing" and by_path[str(extra)].documents == 1
        assert by_path[str(library / "articles")].state == "ok"
        cells = [str(c) for c in table.get_row(str(extra))]
        assert cells[0].strip() == "1" and cells[2].startswith("missing")

        table.move_cursor(row=[info.path for info in screen.rows].index(str(extra)))
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # kept
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen) and len(list_sources(library / "index")) == 2

        await pilot.press("delete")
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
        assert [info.path for info in list_sources(library / "index")] == [str(library / "articles")]
        assert screen.query_one("#sources").row_count == 1  # the list refreshed
        stats = str(app.chat.query_one(StatusLine).stats)
        assert stats.startswith("2 articles"), stats  # the status line follows the removal


@run_async
async def test_sources_palette_command_opens_the_view(library, model):
    from qa.ui.commands import QACommands
    from qa.ui.library import SourcesScreen

    app = make_app(library / "index", model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        hits = [hit async for hit in QACommands(app.screen).search("sources")]
        chosen = next(hit for hit in hits if str(hit.match_display) == "Sources")
        chosen.command()
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)


async def until(pilot, condition, seconds: float = 60.0) -> bool:
    """Wait (polling the app) until condition() holds; False if it never did."""
    for _ in range(int(seconds / 0.1)):
        if condition():
            return True
        await pilot.pause(0.1)
    return condition()


ARTICLE = ("Harbour reopens\n\nThe harbour of Porthaven reopened on Friday after the storm damaged the pier, "
           "the harbour master said.\n")


@run_async
async def test_changed_sources_sync_by_themselves_and_a_folder_away_is_a_warning(library, model):
    from qa.ui.app import QAApp
    from qa.ui.settings import UI
    from qa.ui.widgets import StatusLine

    assert UI.auto_sync is True
    app = QAApp(library / "index", embedder_factory=lambda name: model, poll_seconds=0.2)
    async with app.run_test(size=(120, 30)) as pilot:
        status = app.chat.query_one(StatusLine)
        assert await until(pilot, lambda: status.stats.startswith("2 articles"))
        (library / "articles" / "harbour.txt").write_text(ARTICLE, encoding="utf-8")
        assert await until(pilot, lambda: status.stats.startswith("3 articles")), status.stats  # synced, no Ctrl+R
        assert await until(pilot, lambda: not app.reindexing and status.changes == "")

        app.action_toggle_auto_sync()  # off: it only says so
        assert app.auto_sync is False
        (library / "articles" / "storm.txt").write_text(ARTICLE.replace("Porthaven", "Eastbay"), encoding="utf-8")
        assert await until(pilot, lambda: "1 new" in status.changes), status.changes
        assert "Ctrl+R" in status.changes and status.stats.startswith("3 articles")
        (library / "articles" / "storm.txt").unlink()
        assert await until(pilot, lambda: status.changes == "")

        app.action_toggle_auto_sync()  # on again
        (library / "articles").rename(library / "articles-unmounted")
        assert await until(pilot, lambda: "is missing" in status.changes), status.changes
        assert "removed" not in status.changes and not app.reindexing
        await pilot.pause(0.6)  # a few more looks: still no sync, the documents are kept
        assert status.stats.startswith("3 articles") and "is missing" in status.changes


@run_async
async def test_the_sources_confirmation_wraps_names_what_is_removed_and_the_column_keeps_its_width(
        tmp_path, model, monkeypatch):
    """A file source inside a folder source (what `qa remove FOLDER/file.txt` then `qa index
    FOLDER/file.txt` made before naming the file lifted its removal): the folder holds its document
    too. Removing it takes nothing out, and the dialog says so whole at 120 columns; after the
    removal the Source column still shows the folder's path."""
    from qa.index import store
    from qa.ui.library import ConfirmScreen, SourcesScreen
    from robust_util import HashEmbedder
    from test_ui_loop import screen_text

    folder = tmp_path / "a-folder-of-news-articles-with-a-long-name"
    shutil.copytree(SEEDS, folder)
    file = folder / sorted(p.name for p in folder.iterdir())[0]
    index = tmp_path / "index"
    monkeypatch.setattr("qa.embedding.embedder.question_encoder", lambda name: HashEmbedder(), raising=False)
    from qa.index.indexer import sync

    sync(index, [folder], embedder=HashEmbedder())
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # paths show whole, not relative
    with store.IndexStore.open(index) as db, db.transaction():  # as an index made before naming a
        db.add_sources([str(file)], 0.0)  # file inside a folder source lifted its removal instead
    app = make_app(index, model, embedder_factory=lambda name: HashEmbedder())
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#sources").move_cursor(row=[info.path for info in screen.rows].index(str(file)))
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = (f"Remove {file} from the sources? It takes no document out of the index: it holds none that "
                    "another source does not. The files stay where they are.")
        assert joined(question) in joined(screen_text(app)), screen_text(app)  # wrapped, not cut
        notes: list[str] = []
        app.notify = lambda message, **kw: notes.append(str(message))  # type: ignore[method-assign]
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
        assert any(note.endswith(": 0 documents, 0 passages") for note in notes), notes
        assert [info.path for info in screen.rows] == [str(folder)]
        assert "/a-folder-of-news-articles-with-a-long-name" in screen_text(app)  # not shrunk to "/tmp/…"
        await pilot.press("delete")
        await settle(pilot)
        assert joined("and its 2 documents (9 passages) from the index?") in joined(screen_text(app))
        await pilot.press("n")


def joined(text: str) -> str:
    """The text without white space or the dialog's border: what a wrapped line still reads."""
    return "".join(text.replace("│", " ").split())


@run_async
async def test_sources_view_at_80_columns_says_what_a_state_means_whole(library, model):
    """At 80x24 the State column held "missing (unmounted or renam…": the column now holds one
    word and what it means is said once, whole, under the title; the source's path keeps its end."""
    from qa.index.indexer import sync
    from qa.ui.library import SourcesScreen
    from test_ui_loop import screen_text

    extra = library / "drive-of-wire-copy"
    extra.mkdir()
    (extra / "harbour.txt").write_text("Harbour reopens\n\nThe harbour of Porthaven reopened on Friday "
                                       "after the storm damaged the pier.\n", encoding="utf-8")
    sync(library / "index", [extra], embedder=model)
    extra.rename(library / "unmounted")
    app = make_app(library / "index", model)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
        text = screen_text(app)
        assert "missing: unmounted or renamed? Its documents are kept." in text, text
        assert re.search(r"\b1 +1 +missing +\S*drive-of-wire-copy\b", text), text  # one word, the path's end
        assert re.search(r"\b2 +9 +ok +\S*articles\b", text), text
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SourcesScreen)
        await pilot.press("f3")  # again: the same view
        await settle(pilot)
        assert "missing: unmounted or renamed?" in screen_text(app)
