"""A sync restricted to the paths a watcher reported (`sync(..., only=...)`, issue 17): the same
index as a full sync for those paths, nothing looked at elsewhere, a full sync when unsure."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from qa.index import store
from qa.index.indexer import sync
from qa.search import Searcher

from robust_util import HashEmbedder, check_consistent, make_library, story

QUESTIONS = ("Which harbour flooded?", "What did the mayor say about the bridge?", "lighthouse storm ferries")


def library(root: Path) -> Path:
    """make_library's articles and one unsupported file (skipped)."""
    src = make_library(root)
    (src / "notes.xyz").write_text("not an article")
    return src


def documents(index: Path) -> dict[str, str]:
    conn = sqlite3.connect(index / store.DB_NAME)
    try:
        return dict(conn.execute("SELECT path, sha256 FROM documents"))
    finally:
        conn.close()


def skipped(index: Path) -> dict[str, str]:
    with store.IndexStore.open(index) as db:
        return db.skipped_files()


def answers(index: Path) -> list[list[tuple[str, int, float]]]:
    searcher = Searcher(index)
    try:
        return [sorted((Path(h.path).name, h.start, round(h.score, 4))
                       for h in searcher.search(q, k=8, mode="hybrid", embedder=HashEmbedder()).hits if h.score > 1e-6)
                for q in QUESTIONS]
    finally:
        searcher.close()


def two_indexes(tmp_path: Path) -> tuple[Path, Path, Path]:
    src = library(tmp_path)
    restricted, full = tmp_path / "restricted", tmp_path / "full"
    for index in (restricted, full):
        sync(index, [src], embedder=HashEmbedder())
    return src, restricted, full


def test_restricted_add_edit_delete_give_the_index_a_full_sync_gives(tmp_path):
    src, restricted, full = two_indexes(tmp_path)
    new = src / "sub" / "c.txt"
    steps = [
        (lambda: new.write_text(story(7, "lighthouse storm")), (1, 0, 0)),
        (lambda: (src / "a1.txt").write_text(story(1, "ferries")), (0, 1, 0)),
        (lambda: new.unlink(), (0, 0, 1)),
        (lambda: (src / "sub" / "odd.xyz").write_text("x"), (0, 0, 0)),
    ]
    for change, counts in steps:
        change()
        path = new if counts[0] or counts[2] else src / "a1.txt" if counts[1] else src / "sub" / "odd.xyz"
        got = sync(restricted, embedder=HashEmbedder(), only=[path])
        want = sync(full, embedder=HashEmbedder())
        assert (got.added, got.updated, got.removed) == counts == (want.added, want.updated, want.removed)
        assert got.unchanged <= 1 < want.unchanged  # only the given path was looked at
        assert documents(restricted) == documents(full)
        assert answers(restricted) == answers(full)
        assert skipped(restricted) == skipped(full)
        check_consistent(restricted)
    assert str(src / "notes.xyz") in skipped(restricted)  # kept: not replaced by the restricted list


def test_a_folder_path_is_scanned_whole_and_changes_elsewhere_wait_for_the_full_sync(tmp_path):
    src, restricted, _ = two_indexes(tmp_path)
    before = documents(restricted)
    (src / "a0.txt").write_text(story(0, "lighthouse"))  # elsewhere: not in the restricted sync
    (src / "a2.txt").unlink()
    (src / "sub" / "b0.txt").write_text(story(10, "ferries"))
    (src / "sub" / "b2.txt").write_text(story(12, "bridge"))
    got = sync(restricted, embedder=HashEmbedder(), only=[src / "sub"])
    assert (got.added, got.updated, got.removed) == (1, 1, 0)
    now = documents(restricted)
    assert now[str(src / "a0.txt")] == before[str(src / "a0.txt")] and str(src / "a2.txt") in now
    later = sync(restricted, embedder=HashEmbedder())
    assert (later.added, later.updated, later.removed) == (0, 1, 1)
    assert str(src / "a2.txt") not in documents(restricted)
    check_consistent(restricted)


def test_a_path_outside_the_sources_falls_back_to_a_full_sync(tmp_path):
    src, restricted, full = two_indexes(tmp_path)
    outside = tmp_path / "elsewhere.txt"
    outside.write_text(story(99))
    (src / "a0.txt").write_text(story(0, "lighthouse"))
    got = sync(restricted, embedder=HashEmbedder(), only=[outside])
    assert (got.added, got.updated, got.removed) == (0, 1, 0)  # found by the full sync it fell back to
    assert str(outside) not in documents(restricted)
    sync(full, embedder=HashEmbedder())
    assert documents(restricted) == documents(full)


def test_a_deleted_folder_is_judged_by_the_full_sync(tmp_path):
    src, restricted, full = two_indexes(tmp_path)
    shutil.rmtree(src / "sub")
    got = sync(restricted, embedder=HashEmbedder(), only=[src / "sub"])
    want = sync(full, embedder=HashEmbedder())
    assert (got.removed, [u.path for u in got.unavailable]) == (want.removed, [u.path for u in want.unavailable])
    assert documents(restricted) == documents(full)


def test_watch_syncs_only_the_changed_paths(tmp_path, monkeypatch):
    import threading
    import time

    import pytest

    pytest.importorskip("watchfiles")
    from qa.index import indexer, watch

    src = library(tmp_path)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    calls: list[object] = []
    real_sync = indexer.sync

    def recording(index_dir, add, *, only=None, **kwargs):
        calls.append(only)
        return real_sync(index_dir, add, embedder=HashEmbedder(), only=only)

    monkeypatch.setattr(indexer, "sync", recording)
    monkeypatch.setattr(watch.LazyEmbedder, "preload", lambda self: None)
    stop = threading.Event()
    thread = threading.Thread(target=watch.watch, args=(index, []), daemon=True,
                              kwargs=dict(model=None, report=lambda r: None, warn=lambda m: None,
                                          state=watch.WatchState(), stop=stop))
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not calls and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # the watcher starts after the first sync
        new = src / "sub" / "c.txt"
        new.write_text(story(7, "lighthouse"))
        while len(calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert calls[0] is None  # the first sync is a full one
    assert calls[1] is not None and str(new) in calls[1] and all(p.startswith(str(src)) for p in calls[1])
    assert str(new) in documents(index)


def test_a_change_under_a_hidden_folder_is_passed_over_like_the_full_scan_does(tmp_path):
    src, restricted, full = two_indexes(tmp_path)
    hidden = src / ".git" / "notes.txt"
    hidden.parent.mkdir()
    hidden.write_text(story(5))
    (src / "a0.txt").write_text(story(0, "lighthouse"))  # elsewhere: a full sync would pick it up
    got = sync(restricted, embedder=HashEmbedder(), only=[hidden])
    assert (got.added, got.updated, got.removed) == (0, 0, 0)  # not a fallback to the full sync
    sync(restricted, embedder=HashEmbedder())
    sync(full, embedder=HashEmbedder())
    assert documents(restricted) == documents(full) and str(hidden) not in documents(full)
