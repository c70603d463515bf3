"""The Milvus engine (qa/engines/milvus/) against Milvus Lite: in this process (a milvus:FILE.db
engine) and through its gRPC server in another process (http://127.0.0.1:PORT, several qa
processes at once). The stand-in embedder throughout: the point is the engine, not the model."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import BBC, ROOT, SEEDS
from cli_util import wait_for_pause
from robust_util import HashEmbedder

STANDIN_QA = [sys.executable, str(ROOT / "tests" / "standin_qa.py")]
QUESTIONS = ["Who heads Ansar al-Sharia in Derna?", "Who drove IS out of Derna?", "What happened in Tripoli?",
             "When did the militants leave the city?"]


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT))


def answers(index: Path, questions: list[str], mode: str = "hybrid", **kw) -> list[list[tuple]]:
    """Each question's passages as (source, start, end, text, rounded score), from the engine the index records."""
    from qa.search import Searcher

    searcher = Searcher(index)
    try:
        found = [searcher.search(q, k=5, embedder=HashEmbedder(), mode=mode, **kw) for q in questions]
    finally:
        searcher.close()
    return [[(h.path, h.start, h.end, h.text, round(h.score, 4)) for h in a.hits] for a in found]


def spans_exact(index: Path) -> None:
    """Every passage the catalogue holds is the span of its file the citation names."""
    from qa.index import store

    conn = store.connect(index)
    try:
        for row in store.all_citation_rows(conn):
            assert Path(row.path).read_text(encoding="utf-8")[row.start:row.end] == row.text
    finally:
        conn.close()


@pytest.fixture
def lite(tmp_path) -> str:
    from qa.engines.uri import parse_engine

    return parse_engine(f"milvus:{tmp_path / 'archive.db'}")


@pytest.fixture
def seeds_index(built) -> tuple[Path, Path]:
    """(index, sources): conftest's `built`, the seeds indexed with the stand-in embedder."""
    return built


def published(index: Path, engine: str):
    from qa.engines.milvus.writer import MilvusIndexWriter

    writer = MilvusIndexWriter(index, engine)
    writer.sync(embedder=HashEmbedder())
    return writer


# -- URIs ----------------------------------------------------------------------------------------
def test_engine_uris_are_read_recorded_absolute_and_never_hold_credentials(tmp_path, monkeypatch):
    from qa.engines.uri import client_uri, collection_name, parse_engine
    from qa.errors import QAError

    monkeypatch.chdir(tmp_path)
    assert parse_engine("milvus:./a.db") == f"milvus:{tmp_path}/a.db"
    assert client_uri(parse_engine("milvus:./a.db#news")) == f"{tmp_path}/a.db"
    assert collection_name("http://h:19530#news", "qa_passages") == "news"
    assert collection_name("http://h:19530", "qa_passages") == "qa_passages"
    assert parse_engine("http://h:19530/") == "http://h:19530" and parse_engine("local") is None
    for bad in ("milvus:./a.sqlite", "ftp://h", "http://user:secret@h:19530", "h:19530"):
        with pytest.raises(QAError):
            parse_engine(bad)


# -- the same answers as the local engine -------------------------------------------------------
def test_the_engine_answers_the_local_engines_passages_and_citations(seeds_index, lite):
    """Hybrid, keyword and dense: the same passages, spans, texts and scores as the local engine
    (BM25 as sparse vectors of the project's analyzer: its scores, not an approximation)."""
    from qa.engines.readers import open_reader
    from qa.engines.milvus.reader import MilvusIndexReader

    index, _ = seeds_index
    local = {mode: answers(index, QUESTIONS, mode) for mode in ("hybrid", "bm25", "dense")}
    published(index, lite).close()
    reader = open_reader(index)
    assert isinstance(reader, MilvusIndexReader)
    reader.close()
    for mode in ("hybrid", "bm25", "dense"):
        assert answers(index, QUESTIONS, mode) == local[mode], mode


def test_filters_are_engine_expressions_with_the_local_engines_answers(tmp_path):
    """--since/--until/--source over a small BBC set: the filtered answers are the local engine's."""
    if not BBC.is_dir():
        pytest.skip(f"the BBC articles are not here ({BBC})")
    from qa.engines.uri import parse_engine
    from qa.index.indexer import sync
    from qa.retrieval.filters import make_filters

    src = tmp_path / "bbc"
    for topic in ("business", "tech"):
        (src / topic).mkdir(parents=True)
        for path in sorted((BBC / topic).iterdir())[:20]:
            shutil.copy(path, src / topic / path.name)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    questions = ["What did the company report about profits?", "Which phone maker sold more handsets?",
                 "Who is the chief executive?"]
    filters = [None, make_filters(None, None, "tech"), make_filters("2004", None, None)]
    local = [answers(index, questions, filters=f) for f in filters]
    published(index, parse_engine(f"milvus:{tmp_path / 'bbc.db'}")).close()
    assert [answers(index, questions, filters=f) for f in filters] == local


# -- the command line -----------------------------------------------------------------------------
@pytest.fixture
def standin_cli(monkeypatch):
    import qa.embedding.embedder

    monkeypatch.setattr(qa.embedding.embedder, "passage_encoder", lambda *_a, **_k: HashEmbedder())
    monkeypatch.setattr(qa.embedding.embedder, "question_encoder", lambda *_a, **_k: HashEmbedder())


def test_the_engine_is_recorded_and_used_without_flags(tmp_path, run_qa, standin_cli):
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    index = tmp_path / "index"
    done = run_qa("index", str(src), "--index", str(index), "--engine", f"milvus:{tmp_path / 'a.db'}")
    assert done.returncode == 0, done.stderr
    assert "published generation 1 to the engine: 9 passages added" in done.stderr
    from qa.engines.uri import recorded_engine

    assert recorded_engine(index) == f"milvus:{tmp_path / 'a.db'}"
    asked = run_qa("ask", "--json", "--index", str(index), "Who heads Ansar al-Sharia in Derna?")
    assert asked.returncode == 0 and json.loads(asked.stdout)["passages"], asked.stderr
    for command in (["docs"], ["sources"], ["index", "--check"]):
        result = run_qa(*command, "--index", str(index))
        assert result.returncode == 0, (command, result.stderr)
    assert "is whole" in run_qa("index", "--check", "--index", str(index)).stdout
    gone = run_qa("remove", str(src / "000_cd1c624dfe4b4cd0.txt"), "--index", str(index))
    assert gone.returncode == 0, gone.stderr
    assert run_qa("index", "--check", "--index", str(index)).returncode == 0


def test_an_unreachable_server_is_one_line_naming_it_and_nothing_local_changes(tmp_path, run_qa, seeds_index):
    from cli_util import one_line_error

    fresh = run_qa("index", str(SEEDS), "--index", str(tmp_path / "new"), "--engine", "http://127.0.0.1:9")
    one_line_error(fresh, "http://127.0.0.1:9")
    assert not (tmp_path / "new").exists()
    index, src = seeds_index
    before = (index / "qa.sqlite").read_bytes()
    (src / "extra.txt").write_text("A new article about Derna.\n\nIt has two paragraphs.\n", encoding="utf-8")
    one_line_error(run_qa("index", "--index", str(index), "--engine", "http://127.0.0.1:9"), "http://127.0.0.1:9")
    assert (index / "qa.sqlite").read_bytes() == before


def test_qa_ask_on_a_local_index_never_imports_pymilvus(seeds_index):
    index, _ = seeds_index
    code = ("import sys; from qa.cli import main; "
            f"rc = main(['ask', '--mode', 'bm25', '--index', {str(index)!r}, 'Who drove IS out of Derna?']); "
            "assert rc == 0; assert not [m for m in sys.modules if m.startswith(('pymilvus', 'milvus_lite'))]")
    done = subprocess.run([sys.executable, "-c", code], env=env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


# -- sync: add, change, delete by content hash; the check -----------------------------------------
def test_changes_reach_the_engine_without_re_embedding_and_the_check_names_differences(seeds_index, lite):
    from qa.engines.milvus.compare import compare

    index, src = seeds_index
    writer = published(index, lite)
    first, second = sorted(src.glob("*.txt"))
    first.write_text(first.read_text(encoding="utf-8") + "\n\nA late paragraph about the port of Derna.\n",
                     encoding="utf-8")
    second.unlink()
    (src / "new.txt").write_text("Tripoli talks\n\nDelegates met in Tripoli on Monday.\n", encoding="utf-8")
    counting = HashEmbedder()
    writer.sync(embedder=counting)
    assert len(counting.texts) == 2  # the new paragraph and the new article, nothing unchanged
    assert compare(index, writer.collection) == []
    assert answers(index, ["Who met in Tripoli?"])[0][0][0] == str(src / "new.txt")
    spans_exact(index)
    lost = sorted(writer.collection.row_generations())[:2]
    writer.collection.delete(lost)
    problems = compare(index, writer.collection)
    assert len(problems) == 1 and "2 passages the engine lacks" in problems[0] and str(lost[0]) in problems[0]
    assert not writer.check().whole
    writer.publish()
    assert writer.check().whole


def test_sources_elsewhere_the_engine_still_cites_the_passage(seeds_index, lite, run_qa):
    """A reader without the source files: the passage text, title and span come from the engine."""
    index, src = seeds_index
    published(index, lite).close()
    expected = answers(index, QUESTIONS[:1])
    shutil.move(src, src.parent / "elsewhere")
    assert answers(index, QUESTIONS[:1]) == expected
    shown = run_qa("ask", "--mode", "bm25", "--index", str(index), QUESTIONS[0])
    assert shown.returncode == 0 and "(file unavailable now)" in shown.stdout and "Derna" in shown.stdout


def test_the_source_view_of_an_unreachable_file_shows_the_documents_stored_passages(seeds_index, lite):
    """The UI's source view without the file: every passage of the article, from the engine, in order."""
    from qa.ui.engine import Engine

    index, src = seeds_index
    published(index, lite).close()
    hit = next(h for h in answers_hits(index, QUESTIONS[0]) if h.path.endswith("000_cd1c624dfe4b4cd0.txt"))
    text = Path(hit.path).read_text(encoding="utf-8")
    shutil.move(src, src.parent / "elsewhere")
    engine = Engine(index)
    stored = engine.stored_passages(hit.passage_id)
    engine.close()
    assert len(stored) > 2 and hit.passage_id in dict(stored)
    assert [t for _, t in stored] == sorted((t for _, t in stored), key=text.index)  # document order
    assert all(t in text for _, t in stored)


def answers_hits(index: Path, question: str):
    from qa.search import Searcher

    searcher = Searcher(index)
    try:
        return searcher.search(question, k=5, embedder=HashEmbedder()).hits
    finally:
        searcher.close()


# -- one server, several processes; publishes killed at each phase ---------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Milvus Lite gRPC server in its own process, as `make milvus-server` starts it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp_path_factory.mktemp("milvus-server") / "data"
    proc = subprocess.Popen([sys.executable, "-m", "qa.engines.milvus.server", "--data-dir", str(data),
                             "--port", str(port)], env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise AssertionError("the Milvus Lite server did not start")
    yield f"http://127.0.0.1:{port}"
    proc.send_signal(signal.SIGTERM)  # a service manager's stop: drained and closed, exit 0
    try:
        assert proc.wait(timeout=30) == 0, proc.stderr.read().decode()
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("the server did not stop on SIGTERM") from None


def publish_killed_at(index: Path, engine: str, phase: str) -> None:
    """A `qa index` in another process, killed (SIGKILL) while paused at a publish phase."""
    proc = subprocess.Popen([*STANDIN_QA, "index", "--index", str(index), "--engine", engine],
                            env=dict(env(), QA_TEST_PAUSE_AT=phase, QA_TEST_PAUSE_SECONDS="120"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    try:
        wait_for_pause(proc, phase)
        proc.kill()
        proc.wait(timeout=30)
    finally:
        watchdog.cancel()


@pytest.mark.parametrize("phase", ["publish-inserting", "publish-switching", "publish-deleting"])
def test_a_publish_killed_at_any_phase_leaves_one_generation(seeds_index, server, phase, run_qa, standin_cli):
    """Killed after a first batch inserted, before the switch, after it: readers answer the old or
    the new generation whole (no passage of the other, every citation exact), and the next
    `qa index` (in this process: the killed one is the other process) completes the publish."""
    from qa.engines.milvus.collection import connect
    from qa.engines.milvus.compare import compare

    index, src = seeds_index
    engine = f"{server}#killed_{phase.replace('-', '_')}"
    published(index, engine).close()
    old = answers(index, QUESTIONS)
    first = sorted(src.glob("*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("Derna", "Dernah"), encoding="utf-8")
    publish_killed_at(index, engine, phase)
    now = answers(index, QUESTIONS)
    cited = {(p[0], p[1], p[2], p[3]) for a in now for p in a}
    if phase == "publish-deleting":  # switched: the new generation
        assert all(Path(path).read_text(encoding="utf-8")[s:e] == text for path, s, e, text in cited)
    else:  # the new rows invisible: the old generation's passages the catalogue still holds
        assert cited <= {(p[0], p[1], p[2], p[3]) for a in old for p in a}
    collection = connect(engine)
    assert compare(index, collection)  # the check names what the killed publish left undone
    done = run_qa("index", "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert compare(index, collection) == []
    spans_exact(index)
    collection.close()


def test_two_ask_loops_and_a_sync_share_one_server(tmp_path, server, run_qa, standin_cli):
    """Two `qa ask -` loops and a `qa index` adding articles, three processes on one gRPC server:
    no error, every cited span the exact text of its file. (The first index, before them, in this
    process.)"""
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    index = tmp_path / "index"
    engine = f"{server}#shared"
    first = run_qa("index", str(src), "--index", str(index), "--engine", engine)
    assert first.returncode == 0, first.stderr
    for n in range(12):
        (src / f"extra_{n}.txt").write_text(f"Report {n}\n\nDelegates met in Tripoli and Derna, day {n}.\n\n"
                                            f"The militants left the city on day {n}.\n", encoding="utf-8")
    questions = "\n".join(QUESTIONS * 6) + "\n"
    asks = [subprocess.Popen([*STANDIN_QA, "ask", "--json", "--index", str(index), "-"], env=env(),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    sync = subprocess.Popen([*STANDIN_QA, "index", "--index", str(index)], env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outputs = [proc.communicate(questions, timeout=300) for proc in asks]
    synced = sync.communicate(timeout=300)
    assert sync.returncode == 0, synced[1]
    for proc, (out, err) in zip(asks, outputs):
        assert proc.returncode == 0 and "error" not in err, err
        lines = [json.loads(line) for line in out.splitlines()]
        assert len(lines) == len(QUESTIONS) * 6
        for answer in lines:
            for p in answer["passages"]:
                path = Path(p["source"]) if os.path.isabs(p["source"]) else ROOT / p["source"]
                assert path.read_text(encoding="utf-8")[p["start"]:p["end"]] == p["text"]


def test_milvus_bm25_function_variant_answers_from_its_own_field(seeds_index, lite):
    """MilvusSettings.bm25 = "function" (measured against the shipped analyzer in BENCHMARKS.md):
    the collection scores BM25 itself from the question's text; keyword answers still cite exactly."""
    from dataclasses import replace

    from qa.engines.milvus.writer import MilvusIndexWriter
    from qa.settings import DEFAULT_MILVUS

    index, _ = seeds_index
    writer = MilvusIndexWriter(index, lite, replace(DEFAULT_MILVUS, bm25="function"))
    writer.sync(embedder=HashEmbedder())
    assert writer.collection.bm25_source() == "function"
    writer.close()
    found = answers(index, ["Ansar al-Sharia Derna"], mode="bm25")[0]
    assert found and "Derna" in found[0][3]
    spans_exact(index)


def test_a_lite_file_published_by_one_process_answers_in_the_next(tmp_path, seeds_index):
    """Milvus searches loaded collections only: a reader opening the file again loads it."""
    index, _ = seeds_index
    expected = answers(index, QUESTIONS[:2], mode="bm25")
    run = lambda *args: subprocess.run([*STANDIN_QA, *args, "--index", str(index)], env=env(),  # noqa: E731
                                       capture_output=True, text=True, timeout=120)
    done = run("index", "--engine", f"milvus:{tmp_path / 'lite.db'}")
    assert done.returncode == 0 and "published generation" in done.stderr, done.stderr
    asked = subprocess.run([*STANDIN_QA, "ask", "--json", "-k", "5", "--mode", "bm25", "--index", str(index), "-"], env=env(),
                           input="\n".join(QUESTIONS[:2]) + "\n", capture_output=True, text=True, timeout=120)
    assert asked.returncode == 0 and asked.stderr == "", asked.stderr
    got = [[(p["start"], p["end"], p["text"]) for p in json.loads(line)["passages"]] for line in asked.stdout.splitlines()]
    assert got == [[(s, e, t) for _, s, e, t, _ in a] for a in expected]
    checked = run("index", "--check")
    assert checked.returncode == 0 and "is whole" in checked.stdout, checked.stderr


def test_bm25_weights_follow_the_mean_passage_length(seeds_index, lite):
    """Rows weigh BM25 with the mean passage length of their publish; when a sync moves the mean
    past MilvusSettings.reweigh_drift, the publish weighs the kept rows again: the answers and
    scores stay the local engine's."""
    index, src = seeds_index
    writer = published(index, lite)
    long_text = " ".join(f"Tripoli harbour crane {n} unloaded ship {n}." for n in range(60))
    (src / "long.txt").write_text(f"Harbour report\n\n{long_text}\n", encoding="utf-8")
    writer.sync(embedder=HashEmbedder())
    assert writer.last_publish.reweighed > 0
    writer.close()
    from qa.engines.uri import record_engine

    milvus = answers(index, QUESTIONS)
    record_engine(index, None)
    assert milvus == answers(index, QUESTIONS)


def test_a_lite_file_open_in_another_process_is_one_line_saying_so(tmp_path, seeds_index, run_qa):
    from cli_util import one_line_error

    index, _ = seeds_index
    db = tmp_path / "held.db"
    holder = subprocess.Popen([sys.executable, "-c", f"from milvus_lite import MilvusLite; m = MilvusLite({str(db)!r}); "
                               "print('open', flush=True); import time; time.sleep(60)"],
                              env=env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        before = (index / "qa.sqlite").read_bytes()
        result = run_qa("index", "--index", str(index), "--engine", f"milvus:{db}")
        one_line_error(result, f"milvus:{db}", "another process has the Milvus Lite file open", "make milvus-server")
        assert (index / "qa.sqlite").read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
