"""Cite: the ranked passages as Hits, with their citation and highlighted sentence."""

from __future__ import annotations

from collections.abc import Mapping

from qa.retrieval.highlight import SentenceScore
from qa.index.integrity import check_citation, file_state
from qa.retrieval.records import Candidates, Hit
from qa.index.store import CitationRow


def cite(ids: list[int], rows: Mapping[int, CitationRow], sentences: Mapping[int, SentenceScore],
         scores: Mapping[int, float], candidates: Candidates) -> list[Hit]:
    """Hits for these passage ids, ranked 1.. in this order; an id a reindex removed meanwhile
    (no row) is left out. Offsets, the highlight's included, are in document coordinates. A
    passage whose text is not what was indexed is never cited: DamagedCitation."""
    hits: list[Hit] = []
    states: dict[int, tuple[bool, bool]] = {}  # per cited document: one stat
    for pid in ids:
        row = rows.get(pid)
        if row is None:
            continue
        check_citation(row)
        sentence = sentences[pid]
        if row.doc_id not in states:  # (setdefault would take the stat for every card)
            states[row.doc_id] = file_state(row)
        available, changed = states[row.doc_id]
        hits.append(Hit(len(hits) + 1, pid, row.title, row.path, row.paragraph, row.paragraph_end, row.start,
                        row.end, row.text, scores[pid], candidates.bm25.get(pid, 0.0), candidates.dense.get(pid),
                        row.start + sentence.start, row.start + sentence.end, page=row.page,
                        encoding=row.encoding or None, available=available, changed=changed, date=row.date,
                        author=row.author, site=row.site,
                        answer=None if sentence.answer is None
                        else (row.start + sentence.answer[0], row.start + sentence.answer[1])))
    return hits
