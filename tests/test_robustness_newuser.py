"""What a new user met on 2026-12-07, trying the README in order on ~200 BBC articles and odd
files, with faults (BENCHMARKS.md "Reliability / Cases tried, failures found and fixed"): each
test failed on the code before its fix. The stand-in embedder: the model is not the point."""

from __future__ import annotations

import sqlite3

import pytest

from qa.index import store
from qa.index.indexer import sync
from robust_util import HashEmbedder
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
