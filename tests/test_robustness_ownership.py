"""The index folder is qa's own, and nothing else is touched (issue 22): a folder that is not an
index is refused, never taken over; in its own folder qa deletes only the exact names it writes;
a link where qa's own file should be is refused, never followed; an index made before the marker
is adopted; an index folder inside or equal to a source is never read as articles."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from qa import cli
from qa.index import store
from qa.errors import QAError
from qa.index.indexer import sync
from qa.index.lock import LOCK_NAME, write_lock
from qa.search import Searcher

from robust_util import HashEmbedder, check_consistent, make_library, story

#: what a user may keep in a folder, under names close to qa's own
USER_FILES = {"vectors.best.faiss": b"my vectors", "terms.2024.npz": b"my terms", "vectors.1.faiss.bak": b"backup",
              "checked.json": b'{"mine": true}', "write.lock": b"my lock", "notes.txt": b"my notes"}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_folder_that_is_not_an_index_is_refused_and_left_as_it_was(tmp_path, capsys):
    src = make_library(tmp_path)
    folder = tmp_path / "mine"
    folder.mkdir()
    for name, data in USER_FILES.items():
        (folder / name).write_bytes(data)
    assert cli.main(["index", str(src), "--index", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("qa: error:"), err
    assert "is not a qa index and is not empty" in err and "--index DIR" in err
    assert _files(folder) == USER_FILES  # nothing deleted, overwritten or added


def test_in_its_own_folder_qa_deletes_only_the_exact_names_it_writes(tmp_path):
    src = make_library(tmp_path)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    mine = {"vectors.best.faiss": b"x", "terms.2024.npz": b"y", "vectors.1.faiss.bak": b"z", "notes.txt": b"n"}
    for name, data in mine.items():
        (index / name).write_bytes(data)
    (src / "new.txt").write_text(story(7))
    sync(index, embedder=HashEmbedder())
    sync(index, rebuild=True, embedder=HashEmbedder())  # replaces every segment file qa wrote
    (src / "newer.txt").write_text(story(8))
    sync(index, embedder=HashEmbedder())  # the files kept for readers of the rebuilt generation go
    assert {name: (index / name).read_bytes() for name in mine} == mine
    assert not (index / "vectors.1.faiss").exists()  # qa's own first segment is gone
    assert len(check_consistent(index)) == 7


def test_an_empty_folder_is_adopted_and_marked(tmp_path):
    from qa.index import ownership

    src = make_library(tmp_path)
    index = tmp_path / "index"
    index.mkdir()
    (index / ".gitkeep").write_text("")  # hidden files aside, as the checkout's index/ holds
    sync(index, [src], embedder=HashEmbedder())
    assert (index / ownership.MARKER).read_text() == ownership.MARKER_TEXT
    assert ownership.FIXED_FILES[:3] == (store.DB_NAME, LOCK_NAME, "checked.json")


def test_an_index_made_before_the_marker_opens_and_is_adopted_by_its_next_writer(tmp_path):
    from qa.index import ownership

    src = make_library(tmp_path)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    (index / ownership.MARKER).unlink()  # as an earlier qa left it: qa.sqlite, no marker
    (index / "old-notes.txt").write_text("kept")
    assert Searcher(index).search("bridge", k=1, mode="bm25").hits  # readers open it as it is
    assert not (index / ownership.MARKER).exists()
    (src / "new.txt").write_text(story(7))
    assert sync(index, embedder=HashEmbedder()).added == 1
    assert (index / ownership.MARKER).exists() and (index / "old-notes.txt").read_text() == "kept"


def test_a_link_where_write_lock_should_be_is_refused_and_never_followed(tmp_path, capsys):
    src = make_library(tmp_path)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    victim = tmp_path / "precious.txt"
    victim.write_text("do not truncate me")
    (index / LOCK_NAME).unlink()
    (index / LOCK_NAME).symlink_to(victim)
    assert cli.main(["index", "--index", str(index)]) == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("qa: error:") and "symbolic link" in err, err
    with pytest.raises(QAError, match="symbolic link"):  # the lock itself opens with O_NOFOLLOW
        with write_lock(index):
            pass
    assert victim.read_text() == "do not truncate me"


@pytest.mark.parametrize("name", ["qa.sqlite", "checked.json"])
def test_a_link_where_another_of_qas_files_should_be_is_refused(tmp_path, name):
    src = make_library(tmp_path)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    real = tmp_path / name
    os.replace(index / name, real)
    (index / name).symlink_to(real)
    before = real.read_bytes()
    (src / "new.txt").write_text(story(7))
    with pytest.raises(QAError, match="symbolic link"):
        sync(index, embedder=HashEmbedder())
    assert real.read_bytes() == before


def test_a_reader_refuses_a_linked_database_too(tmp_path):
    """qa ask (a reader) does not follow a link where qa.sqlite should be either: with write
    access sqlite may roll back a journal through it."""
    src = make_library(tmp_path)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    real = tmp_path / "elsewhere.sqlite"
    os.replace(index / "qa.sqlite", real)
    (index / "qa.sqlite").symlink_to(real)
    with pytest.raises(QAError, match="symbolic link"):
        Searcher(index)


def test_an_index_folder_inside_a_source_is_passed_over_silently(tmp_path):
    src = make_library(tmp_path)
    report = sync(src / "index", [src], embedder=HashEmbedder())
    assert report.skipped == 0 and report.skipped_files == {}
    assert sync(src / "index", embedder=HashEmbedder()).skipped == 0


def test_an_index_folder_that_is_its_own_source_never_reads_its_files_as_articles(tmp_path):
    folder = tmp_path / "both"
    folder.mkdir()
    report = sync(folder, [folder], embedder=HashEmbedder())
    assert report.skipped_files == {}
    (folder / "article.txt").write_text(story(3))
    report = sync(folder, embedder=HashEmbedder())
    assert (report.added, report.skipped, report.skipped_files) == (1, 0, {})
    with sqlite3.connect(folder / store.DB_NAME) as conn:
        assert [Path(p).name for (p,) in conn.execute("SELECT path FROM documents")] == ["article.txt"]
