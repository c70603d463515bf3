"""What a new user met on 2026-12-07, trying the README in order on ~200 BBC articles and odd
files, with faults (BENCHMARKS.md "Reliability / Cases tried, failures found and fixed"): each
test failed on the code before its fix. The stand-in embedder: the model is not the point."""

from __future__ import annotations

import json
import sqlite3

import pytest

from qa.index import store
from qa.index.indexer import sync
from robust_util import HashEmbedder, SpanHashEmbedder
from test_ui import run_async, settle


def _garble_pages(index, *tables: str) -> None:
    """Garbage over the root pages of these tables (as a bad sector leaves): the database opens,
    and its meta reads, but listing the tables meets the damage."""
    with sqlite3.connect(index / store.DB_NAME) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        roots = [conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (t,)).fetchone()[0] for t in tables]
    conn.close()
    with open(index / store.DB_NAME, "r+b") as handle:
        for root in roots:
            handle.seek((root - 1) * page_size)
            handle.write(b"\xde\xad\xbe\xef" * (page_size // 4))


def _one_line_damage_error(result) -> None:
    assert result.returncode == 1, result
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("qa: error: the index database"), result.stderr
    assert "is damaged" in result.stderr and "rebuild with: qa index --rebuild" in result.stderr, result.stderr
    assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["docs"], ["docs", "--json"], ["sources"], ["sources", "--json"]])
def test_listing_a_damaged_database_is_one_line_with_the_way_out(built, run_qa, command):
    """`qa docs` / `qa sources` on a database with a bad page said `qa: unexpected error:
    DatabaseError: database disk image is malformed`."""
    index, _ = built
    _garble_pages(index, "documents", "sources")
    _one_line_damage_error(run_qa(*command, "--index", str(index)))


def test_damage_met_mid_read_is_both_a_qa_error_and_sqlites():
    """The mapped error is still a sqlite3.DatabaseError, so the code that handles sqlite's damage
    (the inspection, the writers' mapping) keeps handling it, and database_error does not wrap it twice."""
    damaged = store.DamagedDatabase("the index database X is damaged (malformed); rebuild with: qa index --rebuild")
    assert isinstance(damaged, sqlite3.DatabaseError) and store.database_error(damaged, store.Path(".")) is damaged
    assert store.is_damage(sqlite3.DatabaseError("database disk image is malformed"))
    assert not store.is_damage(sqlite3.OperationalError("database is locked"))
    assert not store.is_damage(sqlite3.IntegrityError("UNIQUE constraint failed"))


@run_async
async def test_the_ui_lists_of_a_damaged_database_say_so_and_the_app_goes_on(built, monkeypatch, tmp_path):
    """F2 on a database with a bad page ended the UI: `qa: unexpected error in the UI:
    WorkerFailed: ... DatabaseError('database disk image is malformed')`."""
    from textual.widgets import Static

    from qa.ui.app import QAApp
    from qa.ui.library import SourcesScreen
    from qa.ui.screens import DocumentsScreen

    index, _ = built
    _garble_pages(index, "documents", "sources")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = QAApp(index, embedder_factory=lambda name: HashEmbedder(), poll_seconds=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, DocumentsScreen), app.screen
        said = str(app.screen.query_one("#documents-title", Static).visual)
        assert "is damaged" in said and "qa index --rebuild" in said, said
        await pilot.press("escape")
        await pilot.press("f3")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, SourcesScreen), app.screen
        shown = " ".join(str(w.visual) for w in app.screen.query(Static))
        assert "is damaged" in shown, shown
    assert app.return_code in (0, None)


def _stand_in_app(index, monkeypatch, tmp_path):
    from qa.ui.app import QAApp

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = QAApp(index, embedder_factory=lambda name: HashEmbedder(), poll_seconds=None)
    told: list[str] = []
    notify = app.notify

    def recording(message, **kwargs):
        told.append(str(message))
        return notify(message, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    return app, told


@run_async
async def test_the_pager_key_on_a_file_that_is_away_says_so(built, monkeypatch, tmp_path):
    """Ctrl+E on a card whose folder was moved away handed the screen to `less`, which failed on
    the missing file at once: the screen flashed and nothing was said."""
    import contextlib

    from qa.ui.widgets import HitCard
    from test_ui import ask

    index, src = built
    app, told = _stand_in_app(index, monkeypatch, tmp_path)
    monkeypatch.setenv("PAGER", "true")
    suspended: list[bool] = []

    @contextlib.contextmanager
    def suspend():  # the headless driver cannot hand over the terminal; a real one does
        suspended.append(True)
        yield

    monkeypatch.setattr(app, "suspend", suspend)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        src.rename(tmp_path / "away")  # the drive unmounted
        await pilot.press("tab")
        assert isinstance(app.focused, HitCard)
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert not suspended and app.is_running
        assert any("not there" in note and app.focused.hit.path in note for note in told), told


@run_async
async def test_the_documents_list_at_80_columns_tells_files_of_one_long_folder_apart(tmp_path, monkeypatch):
    """At 80 columns F2 cut every path at the right: 200 rows of `/tmp/newuser-articles/bus…`.
    Cut from the left, the file names show; and "uber" finds "Über" (accents aside)."""
    from textual.widgets import DataTable

    from qa.ui.screens import DocumentsScreen

    folder = tmp_path / "a-folder-of-news-articles-with-a-long-name" / "business"
    folder.mkdir(parents=True)
    (folder / "001.txt").write_text("Harbour reopens\n\nThe harbour reopened on Friday.\n", encoding="utf-8")
    (folder / "002.txt").write_text("Mayor resigns\n\nThe mayor resigned on Thursday.\n", encoding="utf-8")
    (folder / "Über das Netz.txt").write_text("Games maker honoured\n\nA games maker was honoured.\n",
                                              encoding="utf-8")
    sync(tmp_path / "index", [folder.parent], embedder=HashEmbedder())
    monkeypatch.chdir("/")
    app, _ = _stand_in_app(tmp_path / "index", monkeypatch, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        table = app.screen.query_one(DataTable)
        shown = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert all(s.endswith(("001.txt", "002.txt", "Netz.txt")) for s in shown), shown
        assert len(set(shown)) == 3 and all(len(s) <= table.ordered_columns[1].width for s in shown), shown
        for key in "uber":
            await pilot.press(key)
        await settle(pilot)
        assert table.row_count == 1 and str(table.get_row_at(0)[2]) == "Games maker honoured"


def test_rebuilding_a_damaged_database_keeps_out_what_qa_remove_took_out(built, run_qa):
    """`qa remove FOLDER/ARTICLE`, then the database damaged and `qa index --rebuild` (as its error
    advises): the rebuild named the recorded sources again, which took the removed article back in."""
    index, src = built
    article = sorted(src.iterdir())[0]
    assert run_qa("remove", str(article), "--index", str(index)).returncode == 0
    kept = {row["source"] for row in map(json.loads, run_qa("docs", "--json", "--index", str(index)).stdout.splitlines())}
    assert str(article) not in kept and kept
    _garble_pages(index, "passages")
    report = sync(index, rebuild=True, embedder=HashEmbedder())
    assert report.warnings[0].startswith("the damaged index database was moved to")
    after = {row["source"] for row in map(json.loads, run_qa("docs", "--json", "--index", str(index)).stdout.splitlines())}
    assert after == kept
    assert "removed with qa remove" in run_qa("index", "--index", str(index)).stderr  # still kept out


@pytest.mark.parametrize("damage", ["a page", "the header"])
@run_async
async def test_the_ui_on_a_damaged_database_gives_the_way_out_not_ctrl_r(built, monkeypatch, tmp_path, damage):
    """Opened on a damaged database, the chat said to press Ctrl+R to index seeds/; Ctrl+R then
    failed with "rebuild with: qa index --rebuild" (a sync cannot rebuild a damaged database)."""
    from qa.ui.widgets import Notice

    index, _ = built
    if damage == "a page":
        _garble_pages(index, "documents", "sources")
    else:
        with open(index / store.DB_NAME, "r+b") as handle:
            handle.write(b"this is not a database")
    app, _ = _stand_in_app(index, monkeypatch, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        said = " ".join(str(n.visual) for n in app.chat.query(Notice))
        assert "qa index --rebuild" in said and "run that command in a terminal" in said, said
        assert "Ctrl+R" not in said, said


def test_a_watch_sync_keeps_the_index_sentence_vectors(built, monkeypatch):
    """`qa index --watch` embedded a new article without its sentence vectors, so the whole index
    lost them: every answer's highlight fell back to the words, and the sync advised `qa index
    --rebuild` (embedding everything again). Its encoder now gives them as a plain sync's does."""
    import qa.embedding.embedder
    from qa.index.watch import LazyEmbedder

    index, src = built
    assert sync(index, rebuild=True, embedder=SpanHashEmbedder()).sentence_vectors
    monkeypatch.setattr(qa.embedding.embedder, "passage_encoder", lambda name, warn=None: SpanHashEmbedder())
    (src / "harbour.txt").write_text("Harbour reopens\n\nThe harbour of Porthaven reopened on Friday after the "
                                     "storm. Repairs cost two million pounds.\n", encoding="utf-8")
    report = sync(index, embedder=LazyEmbedder("all-MiniLM-L6-v2"))
    assert report.added == 1 and report.sentence_vectors


@run_async
async def test_enter_typed_while_qa_starts_asks_the_question(built, monkeypatch, tmp_path):
    """A question typed with its Enter as `qa` started stayed in the box unasked: keys typed before
    the terminal is in raw mode arrive with Enter as a line feed, which Textual reads as Ctrl+J."""
    from qa.ui.widgets import AnswerView, HistoryInput

    index, _ = built
    app, _ = _stand_in_app(index, monkeypatch, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.chat.query_one(HistoryInput).value = "Who heads Ansar al-Sharia in Derna?"
        await pilot.press("ctrl+j")
        await settle(pilot)
        answers = app.chat.query(AnswerView)
        assert len(answers) == 1 and answers.last().answer.hits, "the question was not asked"
        assert app.chat.query_one(HistoryInput).value == ""


@run_async
async def test_adding_a_folder_in_the_ui_says_why_its_files_were_skipped(built, monkeypatch, tmp_path):
    """Ctrl+O on a folder holding a binary and an empty file said only "2 skipped": which files, and
    why, was for the command line alone."""
    from qa.ui.widgets import Notice

    index, _ = built
    drive = tmp_path / "drive"
    drive.mkdir()
    (drive / "harbour.txt").write_text("Harbour reopens\n\nThe harbour reopened on Friday.\n", encoding="utf-8")
    (drive / "photo.txt").write_bytes(bytes(range(256)) * 8)
    (drive / "empty.txt").write_bytes(b"")
    app, _ = _stand_in_app(index, monkeypatch, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_reindex([str(drive)])
        await settle(pilot)
        said = [str(n.visual) for n in app.chat.query(Notice)]
        assert any("skipped 1 file (binary file): photo.txt" in s for s in said), said
        assert any("skipped 1 file (empty file): empty.txt" in s for s in said), said
        app.action_reindex()  # a plain reindex (Ctrl+R, or the automatic sync) does not repeat them
        await settle(pilot)
        assert sum("photo.txt" in str(n.visual) for n in app.chat.query(Notice)) == 1


def test_skipped_files_are_said_per_reason_with_the_first_names():
    from qa.ui.app import skipped_of

    skipped = {f"/lib/drive/e{i}.txt": "empty file" for i in range(5)}
    skipped |= {"/lib/drive/a.docx": "unsupported file type (.docx)", "/lib/other/b.txt": "binary file",
                "/lib/drive/c.txt": "cannot read: Permission denied (the indexed version is kept)"}
    assert skipped_of(skipped, ("/lib/drive",)) == [
        "skipped 5 files (empty file): e0.txt, e1.txt, e2.txt, …",
        "skipped 1 file (unsupported file type): a.docx",
        "skipped 1 file (cannot read: Permission denied): c.txt"]
    assert skipped_of(skipped, ()) == []


def test_a_model_path_that_is_not_there_is_named_as_such(tmp_path, run_qa):
    """`qa index --model /path/typo` said `cannot load the embedding model '/path/typo': Repo id
    must use alphanumeric chars ...` after a line of the hub client's: a path read as a repo name."""
    from conftest import SEEDS

    missing = tmp_path / "models" / "minilm"
    result = run_qa("index", str(SEEDS), "--model", str(missing), "--index", str(tmp_path / "index"))
    assert result.returncode == 1, result
    assert result.stderr == (f"qa: error: no model folder at {missing}; give --model a sentence-transformers model "
                             "folder or name (the default: all-MiniLM-L6-v2)\n"), result.stderr


@run_async
async def test_a_card_at_80_columns_keeps_the_file_name_paragraph_and_score_of_a_deep_path(tmp_path, monkeypatch):
    """A card's citation line was cut at the right: `— /tmp/newuser-deep/Documents/Newsroom
    archive/2024/March/business desk/y…` at 80 columns, the file name, ¶ and score cue gone."""
    from qa.ui.widgets import HitCard
    from test_ui import ask

    desk = tmp_path / "Documents" / "Newsroom archive" / "2024" / "March" / "business desk"
    desk.mkdir(parents=True)
    (desk / "court-rejects-tobacco-case.txt").write_text(
        "Court rejects tobacco case\n\nA US claim against tobacco companies was thrown out by an appeal "
        "court in Washington on Friday.\n", encoding="utf-8")
    sync(tmp_path / "index", [tmp_path / "Documents"], embedder=HashEmbedder())
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # paths shown whole, not relative to the working folder
    app, _ = _stand_in_app(tmp_path / "index", monkeypatch, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot, "Which court threw out the tobacco case?")
        card = app.chat.query(HitCard).first()
        where = card.query_one(".where")
        line = str(where.visual)
        assert "court-rejects-tobacco-case.txt, ¶ 1–2" in line and line.rstrip().endswith(("▰", "▱", "strong", "good",
                                                                                          "fair", "weak", "faint")), line
        assert len(line) <= where.content_size.width, (len(line), where.content_size.width, line)
        await pilot.resize_terminal(200, 24)
        await settle(pilot)
        assert str(desk / "court-rejects-tobacco-case.txt") in str(where.visual)  # room: the whole path


def test_one_file_of_an_unsupported_type_is_one_file(tmp_path, capsys):
    """`qa: skipped 1 files of unsupported types (.jpg 1): pic.jpg`."""
    from qa.cli import print_report

    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "harbour.txt").write_text("Harbour reopens\n\nThe harbour reopened.\n", encoding="utf-8")
    (tmp_path / "news" / "pic.jpg").write_bytes(b"\xff\xd8\xff" + bytes(500))
    print_report(sync(tmp_path / "index", [tmp_path / "news"], embedder=HashEmbedder()))
    err = capsys.readouterr().err
    assert "qa: skipped 1 file of unsupported types (.jpg 1): pic.jpg" in err, err


@run_async
async def test_the_status_line_at_80_columns_shows_the_pending_changes(built, monkeypatch, tmp_path):
    """With automatic sync off and an article edited, the status line ended `… · index
    /tmp/newuser-idx · sources`: "sources changed: 1 changed — Ctrl+R reindexes" was past column 80."""
    from qa.ui.widgets import StatusLine

    index, src = built
    app, _ = _stand_in_app(index, monkeypatch, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = app.chat.query_one(StatusLine)
        status.index = "/tmp/a-folder-of-news-indexes/with-a-long-name/index"
        status.changes = "sources changed: 1 changed — Ctrl+R reindexes"
        await pilot.pause()
        shown = status.render().plain
        assert "Ctrl+R reindexes" in shown[:status.size.width], (status.size.width, shown)


@pytest.mark.parametrize("command, said", [
    (["ask", "-"], "qa: interrupted\n"),
    (["docs"], "qa: interrupted\n"),
    (["index"], "qa: interrupted; the index is as it was before this run\n")])
def test_ctrl_c_speaks_of_the_index_only_for_a_command_that_writes_it(built, run_qa, monkeypatch, command, said):
    """Ctrl+C in `qa ask -` said `qa: interrupted; the index is as it was before this run`: a reader
    changes no index, and the words made a person wonder what had been running."""
    from qa import cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, f"cmd_{command[0]}", interrupted)
    result = run_qa(*command, "--index", str(built[0]))
    assert (result.returncode, result.stderr) == (130, said)
