"""Finding copies of a story at index time: passages whose text is the same or nearly the same.

Syndicated wire copies, a story republished under a new name, the same file in two folders: each
passage gets a fingerprint when it is indexed (an exact hash of its normalised words and a MinHash
signature of its word 3-shingles, computed by datasketch) and every sync regroups the passages:
same hash, or signatures agreeing on at least DUP_AGREEING of their NUM_PERM values (an estimated
Jaccard similarity of the shingle sets of 45/64 ~ 0.70) and sharing an LSH band, found through LSH banding in numpy.
A dateline opening a line ("LONDON, March 3 (Reuters) - ") is left out of both, so copies that
differ only in it (or carry none) are one story. A group's id (the story) is its smallest passage id; the answer folds a story into one card
(qa/retrieval/duplicates.py), so the query-time cost is a dictionary lookup.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np

from qa.ingest.metadata import without_datelines
from qa.index.store import Fingerprint

#: values in a MinHash signature (uint32 each, 256 bytes per passage)
NUM_PERM = 64
#: LSH bands x rows (BANDS * ROWS == NUM_PERM): pairs at Jaccard 0.8 share a band with p > 0.999,
#: at 0.5 with p ~ 0.64 and are then checked against DUP_AGREEING
BANDS, ROWS = 16, 4
#: signature values (of NUM_PERM) two passages must agree on to be one story's copies: an
#: estimated Jaccard of the 3-shingle sets of 45/64 ~ 0.70 (a changed word in a 120-word passage
#: keeps ~0.95; a rewritten sentence ~0.8). A format constant, not a setting, like the bands: it
#: defines the story groups the index stores, which each sync regroups only around the passages
#: that changed (qa/index/story_index.py), so a changed value would leave groups of both rules
DUP_AGREEING = 45
#: words per shingle
SHINGLE = 3
#: candidate pairs whose signatures are compared in one numpy step
CHECK_BATCH = 65536
#: fixed so that signatures stored by one sync compare with those of the next
SEED = 16

# Not qa/index/text.py's analyzer on purpose: the shingles made of these words are the MinHash
# signatures stored in every index (passages.minhash, story groups); another split (apostrophes
# joined, "_" dropped) would make a new sync's signatures disagree with the stored ones.
_WORD = re.compile(r"\w+")


def normalised_words(text: str) -> list[str]:
    """The words of a text, case and compatibility forms folded, punctuation and spacing dropped."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def fingerprint(passage_id: int, text: str) -> Fingerprint:
    """A passage's hash and MinHash signature (None when it has fewer words than a shingle)."""
    from datasketch import MinHash  # index time only

    words = normalised_words(without_datelines(text))  # "LONDON, March 3 (Reuters) - " or none: one story
    digest = hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()[:20]
    if len(words) < SHINGLE:
        return Fingerprint(passage_id, digest, None)
    shingles = {" ".join(words[i:i + SHINGLE]).encode("utf-8") for i in range(len(words) - SHINGLE + 1)}
    permutations, scheme = _permutations()
    signature = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=permutations, scheme=scheme)
    signature.update_batch(list(shingles))
    return Fingerprint(passage_id, digest, signature.hashvalues.astype(np.uint32).tobytes())


@lru_cache(maxsize=1)
def _permutations() -> tuple[object, str]:
    """The MinHash permutations of (NUM_PERM, SEED), made once: datasketch draws them again for
    every MinHash it makes (~1.2 ms a passage, most of a passage's fingerprint)."""
    from datasketch import MinHash

    made = MinHash(num_perm=NUM_PERM, seed=SEED)
    return made.permutations, made.scheme


def fingerprints(passages: Iterable[tuple[int, str]]) -> list[Fingerprint]:
    return [fingerprint(pid, text) for pid, text in passages]


def stories(prints: Sequence[Fingerprint]) -> dict[int, int]:
    """passage id -> story id (smallest id of its group) for every passage that has a copy:
    groups are the connected components of "same hash" and "similar signature" pairs."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(prints)
    if n < 2:
        return {}
    ids = np.array([f.passage_id for f in prints], dtype=np.int64)
    _, first_of, inverse = np.unique([f.dup_hash for f in prints], return_index=True, return_inverse=True)
    exact_a, exact_b = first_of[inverse], np.arange(n)  # each passage joined to the first of its hash
    signed = np.array([i for i, f in enumerate(prints) if f.minhash is not None and first_of[inverse[i]] == i],
                      dtype=np.int64)
    near_a, near_b = _similar_pairs([prints[i] for i in signed])
    rows = np.concatenate([exact_a, signed[near_a]])
    cols = np.concatenate([exact_b, signed[near_b]])
    graph = coo_matrix((np.ones(rows.size, np.int8), (rows, cols)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    smallest = np.full(component.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(smallest, component, ids)
    size = np.bincount(component)
    grouped = size[component] > 1
    return dict(zip(ids[grouped].tolist(), smallest[component[grouped]].tolist()))


def _similar_pairs(signed: Sequence[Fingerprint]) -> tuple[np.ndarray, np.ndarray]:
    """Positions (in `signed`) of the similar pairs (see `similar`): every pair sharing an LSH
    band's bucket is checked, so the pairs do not depend on the passages' order and a sync can
    find a new passage's by looking up its band keys (qa/index/story_index.py)."""
    if len(signed) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    sigs = signatures(signed)
    keys = band_keys(sigs)
    pairs = [_bucket_pairs(keys[:, band]) for band in range(BANDS)]
    a, b = np.concatenate([p[0] for p in pairs]), np.concatenate([p[1] for p in pairs])
    codes = np.unique(np.minimum(a, b) * len(signed) + np.maximum(a, b))
    a, b = codes // len(signed), codes % len(signed)
    keep = np.zeros(len(codes), bool)
    for i in range(0, len(codes), CHECK_BATCH):
        part = slice(i, i + CHECK_BATCH)
        keep[part] = similar(sigs[a[part]], sigs[b[part]])
    return a[keep], b[keep]


def similar(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Per row of two signature arrays: True when they share a band (all its values equal) and
    agree on at least DUP_AGREEING of their values, the definition of one story's copies."""
    equal = first == second
    shared_band = equal.reshape(len(equal), BANDS, ROWS).all(axis=2).any(axis=1)
    return shared_band & (equal.sum(axis=1) >= DUP_AGREEING)


def signatures(prints: Sequence[Fingerprint]) -> np.ndarray:
    """The MinHash signatures of fingerprints that have one, as an (n, NUM_PERM) uint32 array."""
    return np.frombuffer(b"".join(f.minhash for f in prints), dtype=np.uint32).reshape(len(prints), NUM_PERM)


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """(n, BANDS) int64 keys, one per band of each signature, the band's number mixed in (equal
    bands have equal keys; an unequal pair with equal keys is only a pair to check)."""
    keys = np.stack([_band_keys(sigs[:, band * ROWS:(band + 1) * ROWS]) for band in range(BANDS)], axis=1)
    keys = keys ^ (np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    return (keys >> np.uint64(2)).astype(np.int64)  # 62 bits: a signed SQLite integer


def _bucket_pairs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of positions with equal keys (each pair once)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    start = np.r_[True, ordered[1:] != ordered[:-1]]
    bucket = np.cumsum(start) - 1
    ends = np.r_[np.flatnonzero(start)[1:], len(order)]
    after = ends[bucket] - np.arange(len(order)) - 1  # later members of the same bucket
    a = np.repeat(np.arange(len(order)), after)
    offset = np.arange(a.size) - np.repeat(np.cumsum(after) - after, after)
    return order[a], order[a + 1 + offset]


def _band_keys(values: np.ndarray) -> np.ndarray:
    """One uint64 per row of a band's values (a collision only adds a pair to check)."""
    keys = np.zeros(values.shape[0], np.uint64)
    for column in values.T.astype(np.uint64):
        keys = (keys * np.uint64(0x100000001B3)) ^ column  # FNV-style mixing, wrapping in uint64
    return keys
