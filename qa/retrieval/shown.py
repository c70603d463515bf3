"""Which passages of the re-ranked head can still be among the k shown: only they need their
answer phrase, the costly last step of the sentence choice (qa/retrieval/highlight.py `with_answer`).

After the re-rank by sentences, a passage's score can only grow by the support bonus (at most
support_weight, qa/retrieval/support.py), and only the k best of the head are cited. A passage
that k others of the head outscore even with the whole bonus added to its score is not shown,
whatever its phrase; its phrase would only have counted for its own support (another passage's
support reads the sentence's words, not its phrase). Of the 3.5 phrases a question looked for
on the 10k dev index (400 questions), 2.35 were of passages not shown, 0.78 of them out of reach
so (BENCHMARKS.md "Eighth session"); the rest lie within the bonus of the k-th.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence

from qa.index.store import CitationRow
from qa.retrieval.boundary import ends_unanswered
from qa.retrieval.highlight import SentenceScore
from qa.settings import RetrievalSettings


def could_be_shown(ranked: Sequence[int], scores: Mapping[int, float], depth: int, k: int,
                   settings: RetrievalSettings) -> list[int]:
    """The passages of the head (the first `depth`) that fewer than k others outscore by more
    than the support bonus can add; every one when the bonus may take away (a negative weight)."""
    head = ranked[:depth]
    if settings.support_weight < 0:
        return list(head)
    bonus = settings.support_weight + 1e-9  # and what rounding may add to it (weight x n / cap)
    return [pid for pid in head if sum(scores[other] > scores[pid] + bonus for other in head) < k]


def complete(sentences: MutableMapping[int, SentenceScore],
             pending: MutableMapping[int, Callable[[], SentenceScore]], passage_ids: Sequence[int]) -> None:
    """These passages' sentences with their answer phrases (those left for later, in `pending`)."""
    for pid in passage_ids:
        fill = pending.pop(pid, None)
        if fill is not None:
            sentences[pid] = fill()


def complete_next(sentences: MutableMapping[int, SentenceScore],
                  pending: MutableMapping[int, Callable[[], SentenceScore]],
                  rows: Mapping[int, CitationRow], ranked: Sequence[int]) -> None:
    """When the first passage ends on a lead without its answer, the passages of its document get
    their phrases: the next one may be cited first (qa/retrieval/boundary.py reads its phrase)."""
    first = ranked[0] if ranked else None
    if first in rows and first in sentences and ends_unanswered(rows[first], sentences[first]):
        complete(sentences, pending, [pid for pid in pending if rows[pid].doc_id == rows[first].doc_id])
