"""The cheap change check the UI polls: new, changed and removed files since the last sync."""

from __future__ import annotations

import os

from qa.index.changes import list_sources, pending_changes


def test_no_index_means_no_sources_and_no_changes(tmp_path):
    assert list_sources(tmp_path / "index") == []
    assert not pending_changes(tmp_path / "index")


def test_reports_new_changed_and_removed_files(tmp_path, seeds_copy, stand_in):
    embedder = stand_in
    from qa.index.indexer import sync

    index = tmp_path / "index"
    sync(index, [seeds_copy], embedder=embedder)
    assert list_sources(index) == [str(seeds_copy)]
    assert not pending_changes(index)

    first, second = sorted(seeds_copy.glob("*.txt"))
    (seeds_copy / "new.txt").write_text("A new article\n\nIt says something new about Tobruk.\n")
    with open(first, "a", encoding="utf-8") as handle:
        handle.write("\nOne more paragraph.\n")
    os.remove(second)
    changes = pending_changes(index)
    assert changes.added == [str(seeds_copy / "new.txt")]
    assert changes.changed == [str(first)]
    assert changes.removed == [str(second)]
    assert changes.summary() == "1 new, 1 changed, 1 removed"

    sync(index, embedder=embedder)
    assert not pending_changes(index)
