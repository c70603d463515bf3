"""What one question costs beyond its encoding (issue 23): no text is tokenized twice, a
passage's sentences are analysed once a process, and a cited file is read once a question."""

from __future__ import annotations

import sys
from collections import Counter
from functools import lru_cache

import pytest

from qa.index import integrity, text
from qa.search import Searcher

QUESTION = "Who heads Ansar al-Sharia in Derna?"


@pytest.fixture
def tokenized(monkeypatch) -> Counter:
    """Counts, per text, every tokenize call (through any module that imported it) and every
    passage analysis (qa/index/text.py's ANALYZER, its cache emptied first)."""
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
        analyzer.marks.cache_clear()
        analyzer.terms.cache_clear()
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


def test_cards_mark_words_without_tokenizing_on_the_event_loop(stand_in_seed_index, tokenized):
    """The engine (a worker thread) leaves the cards' word marks made: drawing and re-fitting
    three cards tokenizes at most the question, once."""
    from qa.ui.engine import Engine
    from qa.ui.widgets import card_window, passage_content, question_terms, why_highlighted

    answer = Engine(stand_in_seed_index).search(QUESTION, QUESTION, 3)
    assert len(answer.hits) == 3
    done = sum(tokenized.values())
    for width in (80, 60, 100):  # the first drawing, then two resizes
        for hit in answer.hits:
            terms = question_terms(QUESTION)
            why_highlighted(hit, terms)
            passage_content(hit, terms, card_window(hit, width, 4))
    assert sum(tokenized.values()) - done <= 1


def test_the_citation_check_reads_a_source_file_once_per_question(stand_in_seed_index, stand_in, monkeypatch):
    cache = getattr(integrity, "_cited_text", None)
    if cache is not None:
        cache.cache_clear()
    opened: Counter = Counter()

    from qa.ingest import documents

    real_open = documents.open_regular  # how the citation check opens a source file

    def counting_open(path, *args, **kwargs):
        opened[str(path)] += 1
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(documents, "open_regular", counting_open)
    answer = Searcher(stand_in_seed_index).search(QUESTION, k=6, embedder=stand_in)
    by_file = Counter(hit.path for hit in answer.hits)
    assert max(by_file.values()) > 1  # the point: several cards of one article
    assert opened and max(opened.values()) == 1


def test_a_changed_file_is_read_again(tmp_path):
    """The decoded text is kept per state of the file: a write (new size, mtime, ctime) is seen."""
    from qa.ingest.documents import sha256_bytes

    path = tmp_path / "a.txt"
    path.write_bytes(b"First text.")
    digest = sha256_bytes(b"First text.")
    assert integrity.cited_text(str(path), "utf-8", digest) == "First text."
    path.write_bytes(b"Other text, longer.")
    assert integrity.cited_text(str(path), "utf-8", digest) is None  # no longer the file indexed


def test_a_ui_question_reads_the_index_meta_once(stand_in_seed_index, monkeypatch):
    """At most once (it read it twice before issue 23); none when nothing was committed since
    the index was opened (the reader checks sqlite's data_version first)."""
    from qa.index import store
    from qa.ui.engine import Engine

    engine = Engine(stand_in_seed_index)
    engine.open()
    reads = []
    original = store.read_meta
    monkeypatch.setattr(store, "read_meta", lambda conn: reads.append(1) or original(conn))
    engine.search(QUESTION, QUESTION, 3)
    assert len(reads) <= 1


def test_qa_ask_keeps_what_a_question_kept_out_of_the_collector(stand_in_seed_index, run_qa, monkeypatch):
    """`qa ask -` freezes what each answered question kept (its passages' analysis, rows) out of
    the garbage collector's sweeps before the next question, and unfreezes it all when done."""
    import gc

    from qa.retrieval.retriever import Retriever

    frozen: list[int] = []
    original = Retriever.search
    monkeypatch.setattr(Retriever, "search",
                        lambda self, *a, **k: frozen.append(gc.get_freeze_count()) or original(self, *a, **k))
    result = run_qa("ask", "-", "--index", str(stand_in_seed_index), "--mode", "bm25", "--json",
                    stdin=f"{QUESTION}\nWhere is Ansar al-Sharia based?\n")
    assert result.returncode == 0 and len(frozen) == 2
    assert frozen[1] > frozen[0]  # the first question's objects were frozen before the second
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("passage", [
    "US ELECTION: WHO WON?\nThe US said IT is fine. THE END.",  # a sentence in capitals among others
    "THE US SAID “NO”. The café’s US plan was O’Neill's.",  # not ASCII, unchanged by NFKC
    "Kil\u200bimanjaro’s “IS” ﬁght. ALL OF US HERE. we WILL see",  # changed by normalize
    "A heading\n\nSuper Bowl 50 was played on Feb. 7, 2016. It cost $1,000,000.",
    "",
])
def test_the_analysis_is_what_tokenize_makes_of_each_sentence_and_the_whole(passage):
    from qa.ingest.sentences import sentence_spans

    analysis = text.Analyzer()._analyse(passage)
    assert list(analysis.spans) == sentence_spans(passage)
    assert [list(t) for t in analysis.sentence_tokens] == [text.tokenize(passage[a:b]) for a, b in analysis.spans]
    assert list(analysis.tokens) == text.tokenize(passage)


def test_qa_ask_leaves_what_it_holds_out_of_the_collections_at_exit(stand_in_seed_index, tmp_path):
    """The `qa` command line (argv from the process) ends `qa ask` with everything frozen: the
    interpreter's collections at exit would otherwise walk the whole index and every answer's
    analyses before the process ends. A caller's own list of arguments (run_qa, the tests) is
    left collecting as before."""
    import os
    import subprocess

    from conftest import ROOT

    ask = ["ask", "--index", str(stand_in_seed_index), "--mode", "bm25", "--json", QUESTION]
    probe = ("import gc, sys\nfrom qa import cli\n"
             f"cli.main({ask!r})\nsys.stderr.write(f'listed {{gc.get_freeze_count()}}\\n')\n"
             f"sys.argv = {['qa', *ask]!r}\ncli.main()\nsys.stderr.write(f'frozen {{gc.get_freeze_count()}}\\n')\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    said = dict(line.split() for line in done.stderr.splitlines() if line.startswith(("listed", "frozen")))
    assert done.returncode == 0 and int(said["listed"]) == 0, done.stderr
    assert int(said["frozen"]) > 10_000


class SoonStandIn:
    """The stand-in embedder, able to start a text's encoding and give it later (as the ONNX
    export's encode_soon does on its worker thread); the order of its calls and the BM25 scoring's
    is kept in `events`."""

    def __init__(self, inner, events: list[str]) -> None:
        self.inner, self.events = inner, events
        self.dim, self.model_name = inner.dim, inner.model_name

    def encode(self, texts, batch_size: int = 32, on_batch=None):
        self.events.append("encode")
        return self.inner.encode(texts, batch_size=batch_size, on_batch=on_batch)

    def encode_soon(self, text: str):
        self.events.append("start")
        vector = self.inner.encode([text])[0]

        def wait():
            self.events.append("wait")
            return vector
        return wait


def test_the_question_is_encoded_while_its_keyword_ranking_is_made(stand_in_seed_index, stand_in, monkeypatch):
    """Issue 23: the encoding (~3.5 ms) needs no index and the BM25 ranking needs no vector, so
    the encoding is started first and waited for only when the dense search needs it (the BM25
    candidates' story groups read meanwhile); the answer is the one the vector computed first gives."""
    from qa.index import store
    from qa.index.bm25 import BM25Index

    events: list[str] = []
    scores, stories = BM25Index.scores, store.stories_of
    monkeypatch.setattr(BM25Index, "scores", lambda self, tokens: events.append("bm25") or scores(self, tokens))
    monkeypatch.setattr(store, "stories_of", lambda conn, ids: events.append("stories") or stories(conn, ids))
    searcher = Searcher(stand_in_seed_index)
    overlapped = searcher.search(QUESTION, k=3, embedder=SoonStandIn(stand_in, events))
    assert events[0] == "start" and events.index("bm25") < events.index("wait") and "encode" not in events
    assert events.count("wait") == 1
    assert events.index("stories") < events.index("wait")  # the keyword candidates' story groups meanwhile
    assert overlapped.as_json() == searcher.search(QUESTION, k=3, embedder=stand_in).as_json()
    events.clear()
    searcher.search(QUESTION, k=3, embedder=SoonStandIn(stand_in, events), mode="bm25")
    assert "start" not in events and "encode" not in events  # keyword search: no encoding waited for
