"""Keeping the copies of each story grouped at every sync, at the cost of what changed (issue 17).

qa/index/duplicates.py defines the groups: the connected components of "same hash" and "similar
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
regroups everything and builds the table afresh. Its statements are IndexStore's (qa/index/store.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa.index import duplicates
from qa.index.store import Fingerprint, IndexStore


def is_current(db: IndexStore) -> bool:
    """True when the band table holds every passage's keys (read before a commit adds any)."""
    upto = db.bands_upto()
    return upto is not None and upto >= db.max_passage_id()


def removed_prints(db: IndexStore, doc_ids: Sequence[int]) -> list[tuple[Fingerprint, int | None]]:
    """(fingerprint, story) of these documents' passages: read before their rows are deleted."""
    return db.prints_with_stories("doc_id", list(doc_ids))


def regroup_all(db: IndexStore) -> None:
    """Every passage regrouped, the band table built afresh from every fingerprint."""
    prints = db.fingerprints()
    db.rebuild_bands(_band_rows(prints))
    db.set_bands_upto(db.max_passage_id())
    db.set_stories(duplicates.stories(prints))


def regroup_changed(db: IndexStore, removed: Sequence[tuple[Fingerprint, int | None]],
                    added: Sequence[Fingerprint]) -> None:
    """Update the groups after `removed` passages' rows were deleted and `added` were written
    (with their fingerprints); needs a current band table (is_current before the commit)."""
    db.drop_bands(_band_rows([p for p, _ in removed]))
    _regroup_stories_of(db, sorted({story for _, story in removed if story is not None}))
    db.add_bands(_band_rows(added))
    _join_added(db, added)
    db.set_bands_upto(db.max_passage_id())


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


def _prints_with_stories(db: IndexStore, by: str, values: Sequence[int]) -> dict[int, tuple[Fingerprint, int | None]]:
    return {p.passage_id: (p, story) for p, story in db.prints_with_stories(by, values)}


def _regroup_stories_of(db: IndexStore, story_ids: Sequence[int]) -> None:
    """Regroup the remaining members of stories that lost a member."""
    if not story_ids:
        return
    members = _prints_with_stories(db, "story", story_ids)
    groups = duplicates.stories([members[pid][0] for pid in sorted(members)])
    db.set_story_of([(groups.get(pid), pid) for pid, (_, story) in members.items() if groups.get(pid) != story])


def _join_added(db: IndexStore, added: Sequence[Fingerprint]) -> None:
    """Group the added passages with their copies, merging the stories they join."""
    if not added:
        return
    new_ids = {p.passage_id for p in added}
    keys = sorted({key for key, _ in _band_rows(added)})
    candidates = db.band_passages(keys)
    known = _prints_with_stories(db, "id", sorted(candidates | new_ids))
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
        db.merge_stories(min(labels), labels)
