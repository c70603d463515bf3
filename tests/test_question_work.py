"""What one question costs beyond its encoding (issue 23): no text is tokenized twice, a
passage's sentences are analysed once a process, and a cited file is read once a question."""

from __future__ import annotations

import sys
from collections import Counter
from functools import lru_cache

import pytest

from qa import integrity, text
from qa.search import Searcher

QUESTION = "Who heads Ansar al-Sharia in Derna?"


@pytest.fixture
def tokenized(monkeypatch) -> Counter:
    """Counts, per text, every tokenize call (through any module that imported it) and every
    passage analysis (qa/text.py's ANALYZER, its cache emptied first)."""
    seen: Counter = Counter()
    original = text.tokenize

    def counting(value: str) -> list[str]:
        seen[value] += 1
        return original(value)

    for name, module in list(sys.modules.items()):
        if (name == "qa" or name.startswith("qa.")) and getattr(module, "tokenize", None) is original:
            monkeypatch.setattr(module, "tokenize", counting)
    analyzer = getattr(text, "ANALYZER", None)
    if analyzer is not None:
        def analysing(value: str):
            seen[value] += 1
            return type(analyzer)._analyse(value)

        monkeypatch.setattr(analyzer, "analyse", lru_cache(maxsize=1024)(analysing))
    return seen


def test_one_question_tokenizes_nothing_twice(stand_in_seed_index, stand_in, tokenized):
    answer = Searcher(stand_in_seed_index).search(QUESTION, k=3, embedder=stand_in)
    assert answer.hits and tokenized
    twice = {value[:60]: n for value, n in tokenized.items() if n > 1}
    assert not twice


def test_a_later_question_reuses_the_passages_analysed(stand_in_seed_index, stand_in, tokenized):
    searcher = Searcher(stand_in_seed_index)
    first = searcher.search(QUESTION, k=3, embedder=stand_in)
    before = Counter(tokenized)
    searcher.search("Where is Ansar al-Sharia based?", k=3, embedder=stand_in)
    again = [hit.passage_id for hit in first.hits if tokenized[hit.text] > before[hit.text]]
    assert not again  # the same passages: read from the analysis cache


def test_the_citation_check_reads_a_source_file_once_per_question(stand_in_seed_index, stand_in, monkeypatch):
    cache = getattr(integrity, "_cited_text", None)
    if cache is not None:
        cache.cache_clear()
    opened: Counter = Counter()

    def counting_open(path, *args, **kwargs):
        opened[str(path)] += 1
        return open(path, *args, **kwargs)

    monkeypatch.setattr(integrity, "open", counting_open, raising=False)
    answer = Searcher(stand_in_seed_index).search(QUESTION, k=6, embedder=stand_in)
    by_file = Counter(hit.path for hit in answer.hits)
    assert max(by_file.values()) > 1  # the point: several cards of one article
    assert opened and max(opened.values()) == 1


def test_a_changed_file_is_read_again(tmp_path):
    """The decoded text is kept per state of the file: a write (new size, mtime, ctime) is seen."""
    from qa.documents import sha256_bytes

    path = tmp_path / "a.txt"
    path.write_bytes(b"First text.")
    digest = sha256_bytes(b"First text.")
    assert integrity.cited_text(str(path), "utf-8", digest) == "First text."
    path.write_bytes(b"Other text, longer.")
    assert integrity.cited_text(str(path), "utf-8", digest) is None  # no longer the file indexed
