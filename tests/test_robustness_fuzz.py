"""Property tests over random documents and questions (hypothesis).

For any bytes a user may save as an article: reading either refuses it with Unreadable or gives
passages whose spans are exact and bounded; indexing never raises; every hit's text is the
document's text at its span, and its highlight lies inside it. Deterministic (derandomize) and
small here; benchmarks/fuzz.py runs many more examples (QA_FUZZ_EXAMPLES) and reports counts.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from qa.ingest.chunking import MAX_PASSAGE_CHARS, chunk
from qa.config import ChunkSettings
from qa.ingest.documents import Unreadable, load, parse
from qa.index.indexer import sync
from qa.index.inspection import check_index
from qa.search import Searcher

from robust_util import HashEmbedder, check_consistent

EXAMPLES = int(os.environ.get("QA_FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(max_examples=EXAMPLES or 60, derandomize=EXAMPLES is None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
INDEX_FUZZ = settings(FUZZ, max_examples=(EXAMPLES or 60) // 3)

# Text that looks like news often enough to make passages, with the awkward bits mixed in.
WORDS = st.sampled_from(["The", "mayor", "said", "Derna", "harbour", "U.S.", "Mr.", "J.", "é", "ß", "İ",
                         "fire", "2024", "3.5", "\"Yes,\"", "(AP)", "…", "—", "[bold]", "[/]", "emoji🔥",
                         "مرحبا", "שלום", "中文", "a" * 60, "x" * 5000, "\u200b", "\u00a0", "\x00", "\x1b[2J"])
SEPARATORS = st.sampled_from([" ", " ", " ", ". ", "! ", "? ", "\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\t", "  "])
TEXTS = st.lists(st.tuples(WORDS, SEPARATORS), max_size=400).map(lambda ws: "".join(w + s for w, s in ws))
RAW = st.one_of(TEXTS, st.text(max_size=2000), st.binary(max_size=2000).map(lambda b: b.decode("latin-1")))
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


@FUZZ
@given(text=RAW, encoding=ENCODINGS, suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_reading_and_chunking_any_file(text, encoding, suffix):
    data = _encode(text, encoding)
    try:
        doc = parse(Path("doc" + suffix), data)
    except Unreadable as exc:
        event(f"refused: {str(exc).split(' (')[0]}")
        return
    event(f"read as {doc.encoding}")
    assert doc.title and len(doc.title) <= 200
    for p in doc.paragraphs:
        assert 0 <= p.start < p.end <= len(doc.text)
    settings_ = ChunkSettings()
    passages = chunk(doc, settings_)
    assert passages
    for p in passages:
        assert doc.text[p.start:p.end] == p.text and p.text.strip()
        assert len(p.text) <= MAX_PASSAGE_CHARS
        assert len(p.text.split()) <= settings_.max_words
    starts = [p.start for p in passages]
    assert starts == sorted(starts)


@INDEX_FUZZ
@given(docs=st.lists(st.tuples(RAW, ENCODINGS), min_size=1, max_size=5),
       questions=st.lists(st.one_of(TEXTS, st.text(max_size=200),  # typed questions reach the answer phrase
                                    st.builds(str.__add__, st.sampled_from(["Who ", "When ", "How many ", "Why ",
                                                                            "Where ", "What became of "]), TEXTS)),
                          min_size=1, max_size=3))
def test_indexing_and_asking_anything(tmp_path_factory, docs, questions):
    work = tmp_path_factory.mktemp("qa-fuzz-")  # in RAM where the suite's folders are (tests/conftest.py)
    try:
        src = work / "src"
        src.mkdir()
        for i, (text, encoding) in enumerate(docs):
            (src / f"doc{i}.txt").write_bytes(_encode(text, encoding))
        emb = HashEmbedder()
        report = sync(work / "index", [src], embedder=emb)  # never raises
        assert report.added + report.skipped == len(docs)
        check_consistent(work / "index")
        found = check_index(work / "index")  # every passage checked as a citation is: never called damaged
        assert found.whole, found.problems
        searcher = Searcher(work / "index")
        for question in questions:
            if not question.strip():
                continue
            for mode in ("hybrid", "bm25"):
                answer = searcher.search(question, k=5, embedder=emb, mode=mode)
                for hit in answer.hits:
                    text = load(Path(hit.path)).text
                    assert text[hit.start:hit.end] == hit.text
                    assert hit.start <= hit.highlight_start <= hit.highlight_end <= hit.end
                    assert hit.highlight_end > hit.highlight_start
                    if hit.answer is not None:  # the answer phrase lies inside the highlight
                        assert hit.highlight_start <= hit.answer[0] < hit.answer[1] <= hit.highlight_end
    finally:
        shutil.rmtree(work, ignore_errors=True)
