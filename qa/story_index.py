"""Keeping the copies of each story grouped at every sync, at the cost of what changed (issue 17).

qa/duplicates.py defines the groups: the connected components of "same hash" and "similar
signature" pairs (sharing an LSH band and agreeing on DUP_AGREEING of their values). Regrouping
every passage costs ~0.65 s at 100k passages; a sync that adds or removes one article instead:

- keeps each passage's band keys in `story_bands` (key, passage id), so the passages that may be
  a new passage's copies (same hash: same signature, so same keys) are found by lookup;
- removed passages: each story that lost a member is regrouped among its remaining members (an
  edge never leaves a group, so they are all a split can produce; a story whose smallest id went
  gets the next smallest);
- added passages: grouped with the candidates found for them; each group they join is merged
  with every story of a member (its id the smallest of all).

The result equals `duplicates.stories` over every fingerprint (tests/test_news.py checks it after
each of many small syncs). A large change, an index written before this table, or a repair
regroups everything and builds the table afresh.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np

from qa import duplicates, store
from qa.store import Fingerprint, execute_in

TABLE = "CREATE TABLE story_bands (key INTEGER NOT NULL, passage_id INTEGER NOT NULL)"
#: made after the table is filled: building it from the filled table is ~5x faster than inserting
#: 16 random keys per passage into an indexed table (~4 s against ~20 s at 100k passages)
INDEX = "CREATE INDEX story_bands_by_key ON story_bands(key, passage_id)"


#: the largest passage id the band table covers: a passage above it was added by a qa that does
#: not keep the table (an older one), so it is built afresh
UPTO = "CREATE TABLE story_bands_upto (max_id INTEGER NOT NULL)"


def is_current(conn: sqlite3.Connection) -> bool:
    """True when the band table holds every passage's keys (read before a commit adds any)."""
    try:
        row = conn.execute("SELECT max_id FROM story_bands_upto").fetchone()
    except sqlite3.OperationalError:
        return False  # no table: an index from before it
    return row is not None and row[0] >= store.IndexStore(conn).max_passage_id()


def _record_upto(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE story_bands_upto SET max_id = ?", (store.IndexStore(conn).max_passage_id(),))


def removed_prints(conn: sqlite3.Connection, doc_ids: Sequence[int]) -> list[tuple[Fingerprint, int | None]]:
    """(fingerprint, story) of these documents' passages: read before their rows are deleted."""
    rows = execute_in(conn, "SELECT id, dup_hash, minhash, story FROM passages WHERE doc_id IN ({marks}) "
                      "AND dup_hash IS NOT NULL", list(doc_ids))
    return [(Fingerprint(pid, digest, minhash), story) for pid, digest, minhash, story in rows]


def regroup_all(conn: sqlite3.Connection) -> None:
    """Every passage regrouped, the band table built afresh from every fingerprint."""
    prints = store.fingerprints(conn)
    conn.execute("DROP TABLE IF EXISTS story_bands")
    conn.execute("DROP TABLE IF EXISTS story_bands_upto")
    conn.execute(TABLE)
    _add_bands(conn, prints)
    conn.execute(INDEX)
    conn.execute(UPTO)
    conn.execute("INSERT INTO story_bands_upto VALUES (0)")
    _record_upto(conn)
    store.set_stories(conn, duplicates.stories(prints))


def regroup_changed(conn: sqlite3.Connection, removed: Sequence[tuple[Fingerprint, int | None]],
                    added: Sequence[Fingerprint]) -> None:
    """Update the groups after `removed` passages' rows were deleted and `added` were written
    (with their fingerprints); needs a current band table (is_current before the commit)."""
    _drop_bands(conn, [p for p, _ in removed])
    _regroup_stories_of(conn, sorted({story for _, story in removed if story is not None}))
    _add_bands(conn, added)
    _join_added(conn, added)
    _record_upto(conn)


def _band_rows(prints: Sequence[Fingerprint]) -> list[tuple[int, int]]:
    """(key, passage id): a signed passage's band keys (a copy with its hash has its signature,
    so its keys too); a passage too short to sign, one key from its hash."""
    signed = [p for p in prints if p.minhash is not None]
    rows = [(int(p.dup_hash[:15], 16), p.passage_id) for p in prints if p.minhash is None]
    if signed:
        keys = duplicates.band_keys(duplicates.signatures(signed))
        ids = np.repeat(np.array([p.passage_id for p in signed], np.int64), keys.shape[1])
        rows += zip(keys.ravel().tolist(), ids.tolist())
    return rows


def _add_bands(conn: sqlite3.Connection, prints: Sequence[Fingerprint]) -> None:
    conn.executemany("INSERT INTO story_bands(key, passage_id) VALUES (?, ?)", _band_rows(prints))


def _drop_bands(conn: sqlite3.Connection, prints: Sequence[Fingerprint]) -> None:
    conn.executemany("DELETE FROM story_bands WHERE key = ? AND passage_id = ?", _band_rows(prints))


def _prints_with_stories(conn: sqlite3.Connection, where: str, values: Sequence[object]) -> dict[int, tuple[Fingerprint, int | None]]:
    rows = execute_in(conn, f"SELECT id, dup_hash, minhash, story FROM passages WHERE {where} AND dup_hash IS NOT NULL",
                      list(values))
    return {pid: (Fingerprint(pid, digest, minhash), story) for pid, digest, minhash, story in rows}


def _regroup_stories_of(conn: sqlite3.Connection, story_ids: Sequence[int]) -> None:
    """Regroup the remaining members of stories that lost a member."""
    if not story_ids:
        return
    members = _prints_with_stories(conn, "story IN ({marks})", story_ids)
    groups = duplicates.stories([members[pid][0] for pid in sorted(members)])
    conn.executemany("UPDATE passages SET story = ? WHERE id = ?",
                     [(groups.get(pid), pid) for pid, (_, story) in members.items() if groups.get(pid) != story])


def _join_added(conn: sqlite3.Connection, added: Sequence[Fingerprint]) -> None:
    """Group the added passages with their copies, merging the stories they join."""
    if not added:
        return
    new_ids = {p.passage_id for p in added}
    keys = sorted({key for key, _ in _band_rows(added)})
    candidates = {pid for (pid,) in execute_in(conn, "SELECT passage_id FROM story_bands WHERE key IN ({marks})", keys)}
    known = _prints_with_stories(conn, "id IN ({marks})", sorted(candidates | new_ids))
    local = duplicates.stories([known[pid][0] for pid in sorted(known)])
    # each old story (or lone passage) a label; the local groups holding a new passage join labels
    parent: dict[int, int] = {}

    def find(label: int) -> int:
        while parent.setdefault(label, label) != label:
            label = parent[label]
        return label

    by_group: dict[int, list[int]] = {}
    for pid, group in local.items():
        by_group.setdefault(group, []).append(pid)
    for members in by_group.values():
        if not new_ids.intersection(members):
            continue  # copies already grouped before this sync
        labels = [known[pid][1] or pid for pid in members]
        for label in labels[1:]:
            parent[find(label)] = find(labels[0])
    classes: dict[int, list[int]] = {}
    for label in list(parent):
        classes.setdefault(find(label), []).append(label)
    for labels in classes.values():
        # an old story's id is its smallest member's, a lone passage's its own: no passage has a
        # lone passage's id as its story, so one statement renames the stories, one the rest
        story = min(labels)
        execute_in(conn, f"UPDATE passages SET story = {int(story)} WHERE story IN ({{marks}})", labels)
        execute_in(conn, f"UPDATE passages SET story = {int(story)} WHERE id IN ({{marks}})", labels)
