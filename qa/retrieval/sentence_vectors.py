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

    out = {}
    for pid, vectors in read(list(rows)).items():
        row = rows.get(pid)
        if row is not None and len(vectors) and len(vectors) == len(ANALYZER.analyse(row.text).spans):
            out[pid] = weight * np.nan_to_num(vectors @ question, nan=0.0)
    return out or None
