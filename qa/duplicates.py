"""Finding copies of a story at index time: passages whose text is the same or nearly the same.

Syndicated wire copies, a story republished under a new name, the same file in two folders: each
passage gets a fingerprint when it is indexed (an exact hash of its normalised words and a MinHash
signature of its word 3-shingles, computed by datasketch) and every sync regroups the passages:
same hash, or signatures agreeing on at least DUP_JACCARD of their values (the estimated Jaccard
similarity of the shingle sets), found through LSH banding of the stored signatures in numpy.
A group's id (the story) is its smallest passage id; the answer folds a story into one card
(qa/retrieval/duplicates.py), so the query-time cost is a dictionary lookup.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np

from qa.store import Fingerprint

#: values in a MinHash signature (uint32 each, 256 bytes per passage)
NUM_PERM = 64
#: LSH bands x rows (BANDS * ROWS == NUM_PERM): pairs at Jaccard 0.8 share a band with p > 0.999,
#: at 0.5 with p ~ 0.64 and are then checked against DUP_JACCARD
BANDS, ROWS = 16, 4
#: estimated Jaccard of the 3-shingle sets at or above which two passages are one story's copies
#: (a changed word in a 120-word passage keeps ~0.95; a rewritten sentence ~0.8)
DUP_JACCARD = 0.7
#: words per shingle
SHINGLE = 3
#: a band bucket up to this size has every pair checked
MAX_BUCKET_PAIRS = 30
#: fixed so that signatures stored by one sync compare with those of the next
SEED = 16

_WORD = re.compile(r"\w+")


def normalised_words(text: str) -> list[str]:
    """The words of a text, case and compatibility forms folded, punctuation and spacing dropped."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def fingerprint(passage_id: int, text: str) -> Fingerprint:
    """A passage's hash and MinHash signature (None when it has fewer words than a shingle)."""
    from datasketch import MinHash  # index time only

    words = normalised_words(text)
    digest = hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()[:20]
    if len(words) < SHINGLE:
        return Fingerprint(passage_id, digest, None)
    shingles = {" ".join(words[i:i + SHINGLE]).encode("utf-8") for i in range(len(words) - SHINGLE + 1)}
    signature = MinHash(num_perm=NUM_PERM, seed=SEED)
    signature.update_batch(list(shingles))
    return Fingerprint(passage_id, digest, signature.hashvalues.astype(np.uint32).tobytes())


def fingerprints(passages: Iterable[tuple[int, str]]) -> list[Fingerprint]:
    return [fingerprint(pid, text) for pid, text in passages]


class _Groups:
    """Union-find over passage ids; a group's root is its smallest id."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, a: int) -> int:
        root = a
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(a, a) != root:  # path compression
            self.parent[a], a = root, self.parent[a]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def stories(prints: Sequence[Fingerprint]) -> dict[int, int]:
    """passage id -> story id (smallest id of its group) for every passage that has a copy."""
    groups = _Groups()
    first_of_hash: dict[str, int] = {}
    for f in prints:
        first = first_of_hash.setdefault(f.dup_hash, f.passage_id)
        if first != f.passage_id:
            groups.union(first, f.passage_id)
    signed = [f for f in prints if f.minhash is not None and first_of_hash[f.dup_hash] == f.passage_id]
    for a, b in _similar_pairs(signed):
        groups.union(a, b)
    ids = [f.passage_id for f in prints]
    roots = {pid: groups.find(pid) for pid in ids}
    sizes: dict[int, int] = {}
    for root in roots.values():
        sizes[root] = sizes.get(root, 0) + 1
    return {pid: root for pid, root in roots.items() if sizes[root] > 1}


def _similar_pairs(signed: Sequence[Fingerprint]) -> list[tuple[int, int]]:
    """Pairs of passages sharing an LSH band whose signatures agree on >= DUP_JACCARD of values."""
    if len(signed) < 2:
        return []
    ids = np.array([f.passage_id for f in signed], dtype=np.int64)
    sigs = np.frombuffer(b"".join(f.minhash for f in signed), dtype=np.uint32).reshape(len(signed), NUM_PERM)
    candidates: set[tuple[int, int]] = set()
    for band in range(BANDS):
        keys = np.ascontiguousarray(sigs[:, band * ROWS:(band + 1) * ROWS]).view(np.dtype((np.void, ROWS * 4))).ravel()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        ends = np.r_[starts[1:], len(order)]
        for s, e in zip(starts[ends - starts > 1], ends[ends - starts > 1]):
            members = [int(m) for m in order[s:e]]
            if len(members) <= MAX_BUCKET_PAIRS:
                candidates.update((a, b) for i, a in enumerate(members) for b in members[i + 1:])
            else:  # a crowd (boilerplate): each against the first only
                candidates.update((members[0], m) for m in members[1:])
    pairs = []
    for i, j in candidates:
        if np.mean(sigs[i] == sigs[j]) >= DUP_JACCARD:
            pairs.append((int(ids[i]), int(ids[j])))
    return pairs
