"""Cite: the ranked passages as Hits; one stat a cited document, however many of its passages are cited."""

from __future__ import annotations

from qa.index.store import CitationRow
from qa.retrieval import cite as cite_module
from qa.retrieval.highlight import SentenceScore
from qa.retrieval.records import Candidates


def test_a_document_cited_twice_is_looked_at_once(tmp_path, monkeypatch):
    article = tmp_path / "a.txt"
    article.write_text("First part. Second part.", encoding="utf-8")
    rows = {pid: CitationRow(pid, 7, "Title", str(article), 0, 0, start, start + len(text), text)
            for pid, start, text in ((1, 0, "First part."), (2, 12, "Second part."))}
    looked: list[int] = []

    def counted(row: CitationRow) -> tuple[bool, bool]:
        looked.append(row.passage_id)
        return True, False

    monkeypatch.setattr(cite_module, "file_state", counted)
    sentences = {pid: SentenceScore(0, len(row.text), 1.0) for pid, row in rows.items()}
    hits = cite_module.cite([1, 2], rows, sentences, {1: 0.9, 2: 0.8}, Candidates([1, 2], [], {1: 1.0, 2: 1.0}, {}))
    assert [h.passage_id for h in hits] == [1, 2]
    assert all(h.available and not h.changed for h in hits)
    assert looked == [1]  # the second card of the document takes the first one's state
