"""Sentence-level dense evidence (issue 24): w x the question's cosine with each sentence's vector,
added to the sentence's score (score_sentences' `dense`: in the sentence choice and in the score
the re-rank reads). The vectors are made at index time from the passage's own model pass
(qa/embedding/sentences.py) and read for the ~10-20 passages a question scores.

Read only from a source that has them (`sentence_vectors(passage_ids)`: the local index built with
them, the benchmarks' passages in memory); a passage whose stored count is not its analyzer
sentence count (none, or written from other spans) gets none, and a question without a vector (the
model not loaded yet) uses none: the words alone, as without the feature.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import accumulate
from typing import TYPE_CHECKING

from qa.index.text import ANALYZER

if TYPE_CHECKING:
    import numpy as np

    from qa.index.store import CitationRow


def dense_evidence(source: object, rows: Mapping[int, CitationRow], question: np.ndarray | None,
                   weight: float) -> dict[int, np.ndarray] | None:
    """Per passage of `rows` that has sentence vectors, weight x each sentence's cosine with the
    question (a sentence without a vector: 0); None when there is nothing to add."""
    read = getattr(source, "sentence_vectors", None)
    if read is None or question is None or not weight or not rows:
        return None
    import numpy as np

    kept = [(pid, vectors) for pid, vectors in read(list(rows)).items()
            if (row := rows.get(pid)) is not None and len(vectors)
            and len(vectors) == len(ANALYZER.analyse(row.text).spans)]
    if not kept:
        return None
    cosines = np.vstack([vectors for _, vectors in kept]).astype(np.float32, copy=False) @ question  # one product for all
    cosines[np.isnan(cosines)] = 0.0  # a sentence past the model's truncation: no evidence
    cosines *= weight
    bounds = [0, *accumulate(len(vectors) for _, vectors in kept)]  # (slices: np.split is ~10x slower)
    return {pid: cosines[a:b] for (pid, _), a, b in zip(kept, bounds, bounds[1:])}
