"""Speed and scale benchmark (issue 5). Not part of the test suite.

    .venv/bin/python benchmarks/speed.py            # builds once under benchmarks/.work, then measures
    .venv/bin/python benchmarks/speed.py --fresh    # rebuild the indexes too
    .venv/bin/python benchmarks/speed.py --encode-only --int8   # only the encode rates (issue 17)
    .venv/bin/python benchmarks/speed.py --encode-only --no-torch --before /tmp/main --encode-work /tmp/enc   # issue 23
    .venv/bin/python benchmarks/speed.py --index DIR --questions-file Q.txt   # per question on an existing index (issue 23)
    .venv/bin/python benchmarks/speed.py --index DIR --questions-file Q.txt --process-only --code /tmp/main   # another checkout's `qa ask -`
    .venv/bin/python benchmarks/speed.py --index DIR --questions-file Q.txt --encode-settings   # question encoding: threads, spinning
    .venv/bin/python benchmarks/speed.py --index DIR --questions-file Q.txt --search-cpu   # Searcher.search's CPU, no model time
    .venv/bin/python benchmarks/speed.py --index DIR --questions-file Q.txt --overlap --runs 1   # the encoding overlapped or not

Corpora: the 2,225 BBC articles of ../shared/data/bbc-news (~9k passages) and ~100k passages
made of the BBC articles copied under distinct names (identical passages are embedded once by
the indexer, so the 100k build time is mostly reading, BM25 and storage; the embedding rate is
measured on the 10k build, where every passage is embedded). The encode rates compare, on ~1,000
BBC passages and whole processes, the bare sentence-transformers encode with `qa index` through
torch and through the model's ONNX export, interleaved. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BBC = ROOT.parent / "shared" / "data" / "bbc-news"
SQUAD = ROOT.parent / "shared" / "data" / "squad" / "dev-v1.1-even.json"
WORK = ROOT / "benchmarks" / ".work" / "speed"
COPIES_100K = 11  # 11 x ~9.1k passages ~ 100k


def median_of(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def copy_folders(folder: Path, copies: int) -> list[Path]:
    """The folders folder/copyNN/ (NNN from 100 copies), each a copy of the BBC articles under
    distinct names. `copies` <= COPIES_100K: hard links after the first copy (as the 100k corpus
    has always been made); more: real copies (the indexer follows real paths and inodes, so only
    distinct files make a corpus of that size). Made once; an interrupted run is completed."""
    width = 3 if copies > 100 else 2
    made = []
    articles = sorted(BBC.glob("*/*.txt"))
    for copy in range(copies):
        home = folder / f"copy{copy:0{width}d}"
        made.append(home)
        if (home / ".complete").exists():
            continue
        for src in articles:
            dst = home / src.parent.name / src.name
            if dst.exists():
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.link(src, dst) if copy and copies <= COPIES_100K else shutil.copy(src, dst)
        (home / ".complete").write_text("")  # a hidden file: the indexer passes it over
    return made


def make_100k_corpus() -> Path:
    folder = WORK / "bbc-x11"
    if not folder.is_dir():
        copy_folders(folder, COPIES_100K)
    return folder


def build(index_dir: Path, source: Path, embedder, fresh: bool) -> dict:
    from qa.index.indexer import sync

    if fresh and index_dir.exists():
        shutil.rmtree(index_dir)
    if (index_dir / "qa.sqlite").exists():
        return {}
    report = sync(index_dir, [source], embedder=embedder)
    return report.as_json()


def questions(n: int) -> list[str]:
    """Real questions (SQuAD, when present) and BBC headlines as short keyword queries."""
    out: list[str] = []
    if SQUAD.exists():
        data = json.loads(SQUAD.read_text())
        out += [qa["question"] for art in data["data"] for p in art["paragraphs"] for qa in p["qas"]][: n // 2]
    out += [p.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0] for p in sorted(BBC.glob("*/*.txt"))[::7]]
    return out[:n]


def latency(index_dir: Path, embedder, qs: list[str], cold: bool = False) -> dict:
    from qa.index import vectors
    from qa.search import Searcher
    from qa.index.text import tokenize

    searcher = Searcher(index_dir)
    for q in qs[:10]:  # warm-up
        searcher.search(q, k=3, embedder=embedder)
    parts: dict[str, list[float]] = {"embed": [], "bm25": [], "dense": [], "total": []}
    for q in qs:
        if cold:
            forget_passages()
        t0 = time.perf_counter()
        qvec = embedder.encode([q])[0]
        t1 = time.perf_counter()
        searcher.snapshot.bm25.top(tokenize(q), searcher.settings.candidates)
        t2 = time.perf_counter()
        searcher.snapshot.vectors.search(qvec, searcher.settings.candidates)
        t3 = time.perf_counter()
        searcher.search(q, k=3, embedder=embedder)
        t4 = time.perf_counter()
        parts["embed"].append(t1 - t0)
        parts["bm25"].append(t2 - t1)
        parts["dense"].append(t3 - t2)
        parts["total"].append(t4 - t3)
    out = {}
    for name, values in parts.items():
        out[name] = (1000 * median_of(values), 1000 * percentile(values, 0.95))
    rest = [t - e - b - d for t, e, b, d in zip(parts["total"], parts["embed"], parts["bm25"], parts["dense"])]
    out["fusion+highlight+fetch"] = (1000 * median_of(rest), 1000 * percentile(rest, 0.95))
    out["passages"] = searcher.passage_count
    return out


def forget_passages() -> None:
    """Empty the caches of passages analysed and files read for the citation check: a question
    on passages no earlier one cited (the cost a cache hit saves)."""
    from qa.index import integrity
    from qa.index.text import ANALYZER

    ANALYZER.analyse.cache_clear()
    integrity.forget_cited_files()


def ask_process(index_dir: Path, qs_file: Path, runs: int, code: Path = ROOT) -> dict:
    """`qa ask - --json` as a user runs it (the qa of the checkout `code`): whole-process seconds,
    wall and CPU (user + system, every thread), for the first question and for all of them (median
    of `runs`); their difference per extra question is the per-question cost with start-up
    subtracted. CPU time moves less than wall time with the machine's load."""
    import resource

    lines = qs_file.read_text(encoding="utf-8").splitlines()
    env = {**os.environ, "PYTHONPATH": str(code)}
    command = [sys.executable, "-m", "qa", "ask", "-", "--index", str(index_dir), "--json"]

    def seconds(text: str) -> tuple[float, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(command, input=text, text=True, env=env, cwd=code, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    ones = [seconds(lines[0] + "\n") for _ in range(runs)]
    everys = [seconds("\n".join(lines) + "\n") for _ in range(runs)]
    one, every = median_of([w for w, _ in ones]), median_of([w for w, _ in everys])
    one_cpu, every_cpu = median_of([c for _, c in ones]), median_of([c for _, c in everys])
    extra = max(len(lines) - 1, 1)
    return {"questions": len(lines), "code": str(code), "first_s": round(one, 3), "all_s": round(every, 3),
            "per_question_ms": round(1000 * (every - one) / extra, 2) if len(lines) > 1 else None,
            "cpu_per_question_ms": round(1000 * (every_cpu - one_cpu) / extra, 2) if len(lines) > 1 else None,
            "load": [round(x, 2) for x in os.getloadavg()]}


def on_existing_index(index_dir: Path, qs_file: Path, runs: int) -> dict:
    """Per-question figures on an index already built (nothing rebuilt, nothing written): the
    in-process split (warm: passages analysed by earlier questions are reused, as in `qa ask -`
    and the UI; cold: those caches emptied before each question) and the whole process."""
    from qa.embedding.embedder import question_encoder
    from qa.search import Searcher

    qs = [line for line in qs_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    encoder = question_encoder(Searcher(index_dir).model)
    return {"index": str(index_dir), "warm": latency(index_dir, encoder, qs),
            "cold": latency(index_dir, encoder, qs, cold=True), "process": ask_process(index_dir, qs_file, runs)}


def question_encoding(qs: list[str], rounds: int = 2) -> dict:
    """Questions encoded one at a time through the export with each thread and spin setting,
    interleaved round after round: p50 / p90 ms, CPU ms a question (every thread), and the CPU
    burnt in the second after the last question (threads left spinning would show there)."""
    import resource

    from qa.config import DEFAULT_MODEL
    from qa.embedding import onnx_encoder
    from qa.embedding.embedder import resolve_model
    from qa.settings import EncodeSettings

    def cpu() -> float:
        used = resource.getrusage(resource.RUSAGE_SELF)
        return used.ru_utime + used.ru_stime

    folder = onnx_encoder.export_dir(resolve_model(DEFAULT_MODEL))
    variants = {"a thread per core, no spinning": EncodeSettings(),
                "a thread per core, spinning": EncodeSettings(spin=True),
                "a thread per core, spinning <= 20 us": EncodeSettings(spin=True, spin_us=20),
                "1 thread": EncodeSettings(threads=1)}
    encoders = {name: onnx_encoder.OnnxEncoder(folder, settings) for name, settings in variants.items()}
    times: dict[str, list[float]] = {name: [] for name in encoders}
    spent: dict[str, list[float]] = {name: [] for name in encoders}
    after: dict[str, list[float]] = {name: [] for name in encoders}
    for _ in range(rounds):
        for name, encoder in encoders.items():
            encoder.encode(qs[:1])
            start = cpu()
            for q in qs:
                t0 = time.perf_counter()
                encoder.encode([q])
                times[name].append(time.perf_counter() - t0)
            spent[name].append((cpu() - start) / len(qs))
            start = cpu()
            time.sleep(1.0)
            after[name].append(cpu() - start)
    return {name: {"p50_ms": round(1000 * median_of(times[name]), 2), "p90_ms": round(1000 * percentile(times[name], 0.9), 2),
                   "cpu_ms": round(1000 * statistics.mean(spent[name]), 2),
                   "cpu_ms_in_the_second_after": [round(1000 * x, 1) for x in after[name]]}
            for name in encoders} | {"load": [round(x, 2) for x in os.getloadavg()]}


def search_cpu(index_dir: Path, qs: list[str], passes: int = 3) -> dict:
    """Searcher.search with each question's vector encoded beforehand (no model time): CPU ms a
    question (every thread) over the questions' first pass (passages new to the process: their
    analysis and rows read) and the best of `passes` passes more (all of that kept)."""
    from qa.embedding.embedder import question_encoder
    from qa.retrieval.spelling import spell
    from qa.search import Searcher

    searcher = Searcher(index_dir)
    encoder = question_encoder(searcher.model)
    searched = {spell(searcher.snapshot.lexicon, q, searcher.settings).text for q in qs} | set(qs)
    vectors = {text: encoder.encode([text]) for text in searched}

    class Remembered:
        model_name, dim = encoder.model_name, encoder.dim

        def encode(self, texts, **_):
            return vectors[texts[0]]

    def one_pass() -> float:
        t0 = time.process_time()
        for q in qs:
            searcher.search(q, k=3, embedder=Remembered())
        return 1000 * (time.process_time() - t0) / len(qs)

    first = one_pass()
    return {"first_cpu_ms": round(first, 2), "warm_cpu_ms": round(min(one_pass() for _ in range(passes)), 2),
            "load": [round(x, 2) for x in os.getloadavg()]}


def overlap(index_dir: Path, qs: list[str], rounds: int = 1) -> dict:
    """Searcher.search with EncodeSettings.overlap on (the question's model call started on the
    encoder's worker thread, the BM25 ranking made meanwhile: qa/retrieval/retriever.py) against
    overlap off (as shipped: the model call first, then the search), for each encoder setting (threads, spinning, whatever
    the load), all interleaved question by question: p50 / mean wall and CPU ms a question (every
    thread), and the answers that differ from the first way's."""
    from dataclasses import replace

    from qa.config import DEFAULT_MODEL
    from qa.embedding import onnx_encoder
    from qa.embedding.embedder import resolve_model
    from qa.search import Searcher
    from qa.settings import EncodeSettings

    searcher = Searcher(index_dir)
    folder = onnx_encoder.export_dir(resolve_model(DEFAULT_MODEL))
    variants = {"a thread per core, spinning": EncodeSettings(spin=True),
                "a thread per core, no spinning": EncodeSettings(),
                "1 thread": EncodeSettings(threads=1)}
    ways = {}
    for name, settings in variants.items():
        for label, overlapped in (("one step after the other", False), ("overlapped", True)):
            encoder = onnx_encoder.OnnxEncoder(folder, replace(settings, overlap=overlapped, overlap_spinning_only=False))
            encoder.model_name = searcher.model
            ways[f"{name}, {label}"] = encoder
    for q in qs[:20]:  # the passages' first reads and analyses, paid before the timing
        for encoder in ways.values():
            searcher.search(q, k=3, embedder=encoder)
    walls: dict[str, list[float]] = {name: [] for name in ways}
    cpus: dict[str, list[float]] = {name: [] for name in ways}
    differ = dict.fromkeys(ways, 0)
    order = list(ways.items())
    for n, q in enumerate(q for _ in range(rounds) for q in qs):
        first = None
        for name, encoder in order if n % 2 == 0 else order[::-1]:
            t0, c0 = time.perf_counter(), time.process_time()
            answer = json.dumps(searcher.search(q, k=3, embedder=encoder).as_json(), sort_keys=True)
            walls[name].append(1000 * (time.perf_counter() - t0))
            cpus[name].append(1000 * (time.process_time() - c0))
            first = answer if first is None else first
            differ[name] += answer != first
    return {name: {"wall_p50_ms": round(median_of(walls[name]), 2), "wall_mean_ms": round(statistics.mean(walls[name]), 2),
                   "cpu_p50_ms": round(median_of(cpus[name]), 2), "answers_differing": differ[name]}
            for name in ways} | {"load": [round(x, 2) for x in os.getloadavg()]}


def index_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", type=Path, help="measure per question on this existing index only")
    parser.add_argument("--questions-file", type=Path, help="with --index: one question a line")
    parser.add_argument("--runs", type=int, default=3, help="with --index: whole-process runs (median)")
    parser.add_argument("--process-only", action="store_true", help="with --index: only the `qa ask -` processes")
    parser.add_argument("--encode-settings", action="store_true",
                        help="with --index: only the question encoding per thread and spin setting (issue 23)")
    parser.add_argument("--search-cpu", action="store_true",
                        help="with --index: only Searcher.search's CPU a question, vectors encoded beforehand")
    parser.add_argument("--overlap", action="store_true",
                        help="with --index: Searcher.search with the encoding overlapped and not, per encoder setting")
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="with --process-only: the checkout whose qa is run (e.g. an export of main)")


def measure_existing(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if not args.questions_file:
        parser.error("--index needs --questions-file")
    qs = [line for line in args.questions_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.process_only:
        report = ask_process(args.index, args.questions_file, args.runs, args.code.resolve())
    elif args.encode_settings:
        report = question_encoding(qs[:200])
    elif args.search_cpu:
        report = search_cpu(args.index, qs)
    elif args.overlap:
        report = overlap(args.index, qs, args.runs)
    else:
        report = on_existing_index(args.index, args.questions_file, args.runs)
    print(json.dumps(report, indent=1))
    return 0


def cli_first_answer(index_dir: Path, runs: int = 3, torch_path: bool = False) -> float:
    """Median seconds for `qa ask` from start to first answer. torch_path: as without an ONNX
    export (the cache made unwritable, so the run neither finds nor writes one)."""
    env = dict(os.environ)
    if torch_path:
        blocker = WORK / "no-cache"
        blocker.write_text("a file where the cache folder would be")
        env["QA_CACHE_DIR"] = str(blocker / "cache")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "qa", "ask", "Who won the election?", "--index", str(index_dir),
                        "--json"], cwd=ROOT, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - t0)
    return median_of(times)


def peak_rss(index_dir: Path, qs: list[str]) -> float:
    """Peak RSS (MB) of a fresh process that opens the index, loads the model and answers.

    Read from VmHWM in /proc/self/status, not ru_maxrss: Linux carries ru_maxrss over fork and
    exec, so a child started from this (large) process would report this process's peak."""
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from qa.search import Searcher; from qa.embedding.embedder import question_encoder\n"
        "s = Searcher(%r); e = question_encoder(s.model)\n"
        "for q in %r: s.search(q, k=3, embedder=e)\n"
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0])\n"
        % (str(ROOT), str(index_dir), qs[:50])
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def add_remove_one(index_dir: Path, source: Path, embedder, runs: int = 3,
                   only: bool = False, on_stage=None) -> tuple[float, float, int]:
    """Median seconds to add one new article and to remove it again (model already loaded); with
    `only`, syncs restricted to the article's path, as `qa index --watch` runs them; `on_stage`:
    sync's stage hook."""
    from qa.index.indexer import sync

    article = sorted(BBC.glob("tech/*.txt"))[0].read_text(encoding="utf-8", errors="replace")
    adds, removes, embedded = [], [], 0
    for run in range(runs):
        path = source / f"zz-added-{run}.txt"
        path.write_text(f"Benchmark article {run}\n\n{article}")
        t0 = time.perf_counter()
        report = sync(index_dir, embedder=embedder, only=[path] if only else None, on_stage=on_stage)
        adds.append(time.perf_counter() - t0)
        assert report.added == 1, report
        embedded = report.embedded
        path.unlink()
        t0 = time.perf_counter()
        report = sync(index_dir, embedder=embedder, only=[path] if only else None, on_stage=on_stage)
        removes.append(time.perf_counter() - t0)
        assert report.removed == 1, report
    return median_of(adds), median_of(removes), embedded


ENCODE_WORK = WORK / "encode"
#: the bare model's run, timed from process start: import, load, encode (as qa's torch path: batches of 64)
BARE_ST = """import json, sys
from sentence_transformers import SentenceTransformer
from qa.embedding.embedder import resolve_model
texts = json.load(open(sys.argv[1]))
SentenceTransformer(resolve_model("all-MiniLM-L6-v2"), device="cpu").encode(
    texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
"""


def encode_corpus(passages: int, work: Path) -> tuple[Path, list[str]]:
    """A folder of BBC articles (every category) holding about `passages` passages, and the texts
    the indexer gives the model for them (title + passage, as chunked by the shipped code)."""
    from qa.ingest import documents
    from qa.ingest.chunking import chunk
    from qa.config import ChunkSettings
    from qa.index.indexer import embedding_text

    folder = work / f"bbc-{passages}"
    shutil.rmtree(folder, ignore_errors=True)
    texts: list[str] = []
    for src in sorted(BBC.glob("*/*.txt"), key=lambda p: (p.name, p.parent.name)):
        if len(texts) >= passages:
            break
        doc = documents.load(src)
        texts += [embedding_text(doc.title, p.text, ChunkSettings()) for p in chunk(doc)]
        dst = folder / src.parent.name / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dst)
    return folder, texts


def timed_process(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float]:
    """Wall seconds of one fresh Python process (start-up and imports included), and the
    1-minute load average just before it. `cwd`: the checkout whose qa `-m qa` runs."""
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=cwd, check=True, capture_output=True, env=env)
    return time.perf_counter() - t0, load


def encode_rates(passages: int, rounds: int, work: Path = ENCODE_WORK, before: Path | None = None,
                 torch: bool = True) -> dict:
    """Passages/s, whole process included, on the same passages: the bare sentence-transformers
    encode, `qa index` as without an export (torch; not with torch=False), `qa index` as shipped
    (the ONNX export) and, with `before`, `qa index` of that other checkout (an export of main,
    say) on the same export. The runs are interleaved round after round, so a change of load hits
    them alike."""
    source, texts = encode_corpus(passages, work)
    (work / "texts.json").write_text(json.dumps(texts))
    env = dict(os.environ) | {"PYTHONPATH": str(ROOT), "QA_CACHE_DIR": str(work / "cache")}
    subprocess.run([sys.executable, "-c", "from qa.embedding.embedder import passage_encoder; passage_encoder()"],
                   cwd=ROOT, check=True, env=env)  # the export, made once as the first `qa index` does
    blocker = work / "no-cache"
    blocker.write_text("a file where the cache folder would be: no export is found or written")
    index = ["-m", "qa", "index", str(source), "--index", str(work / "index"), "--json"]
    runs = {"bare sentence-transformers": (["-c", BARE_ST, str(work / "texts.json")], env)}
    if torch:
        runs["qa index, torch (no export)"] = (index, env | {"QA_CACHE_DIR": str(blocker / "cache")})
    cwd = {}
    if before is not None:
        runs[f"qa index, ONNX export, {before}"] = (index, env | {"PYTHONPATH": str(before.resolve())})
        cwd[f"qa index, ONNX export, {before}"] = before.resolve()
    runs["qa index, ONNX export"] = (index, env)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (args, run_env) in runs.items():
            shutil.rmtree(work / "index", ignore_errors=True)
            seconds, load = timed_process(args, run_env, cwd.get(name, ROOT))
            results[name].append((len(texts) / seconds, load))
            print(f"{name}: {results[name][-1][0]:.2f} passages/s (load {load:.1f})", file=sys.stderr, flush=True)
    return {"passages": len(texts), "articles": sum(1 for _ in source.glob("*/*.txt")), "rounds": results}


def int8_drift(texts: list[str], work: Path = ENCODE_WORK) -> dict:
    """A dynamically quantised (int8) copy of the export: its vectors' cosine to torch's and its
    in-process rate against the fp32 export's, on the same texts."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from qa.embedding import onnx_encoder
    from qa.embedding.embedder import Embedder, resolve_model

    fp32_dir = onnx_encoder.export_dir(resolve_model("all-MiniLM-L6-v2"))
    int8_dir = work / "int8-export"
    shutil.rmtree(int8_dir, ignore_errors=True)
    int8_dir.mkdir(parents=True)
    for name in ("tokenizer.json", onnx_encoder.MANIFEST):
        shutil.copy(fp32_dir / name, int8_dir / name)
    quantize_dynamic(str(fp32_dir / "model.onnx"), str(int8_dir / "model.onnx"), weight_type=QuantType.QInt8)
    want = Embedder().encode(texts)
    out: dict = {}
    for name, folder in (("fp32", fp32_dir), ("int8", int8_dir)):
        encoder = onnx_encoder.OnnxEncoder(folder)
        t0 = time.perf_counter()
        got = encoder.encode(texts)
        cosines = (got * want).sum(axis=1)
        out[name] = {"rate": len(texts) / (time.perf_counter() - t0), "mean_cosine": float(cosines.mean()),
                     "min_cosine": float(cosines.min())}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the benchmark indexes")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--skip-100k", action="store_true")
    parser.add_argument("--encode-only", action="store_true",
                        help="only the encode rates (bare sentence-transformers vs `qa index`, torch and ONNX)")
    parser.add_argument("--encode-passages", type=int, default=1000)
    parser.add_argument("--encode-rounds", type=int, default=2)
    parser.add_argument("--int8", action="store_true", help="also the int8 copy's vector drift (with --encode-only)")
    parser.add_argument("--encode-work", type=Path, default=ENCODE_WORK,
                        help="with --encode-only: the folder for the corpus, the export cache and the index")
    parser.add_argument("--before", type=Path, help="with --encode-only: also time `qa index` of this checkout, interleaved")
    parser.add_argument("--no-torch", action="store_true", help="with --encode-only: skip `qa index` through torch")
    index_arguments(parser)
    args = parser.parse_args()
    if args.index:
        return measure_existing(parser, args)
    if not BBC.is_dir():
        print("../shared/data/bbc-news is not present: nothing to measure", file=sys.stderr)
        return 0
    if args.encode_only:
        args.encode_work.mkdir(parents=True, exist_ok=True)
        report = {"encode": encode_rates(args.encode_passages, args.encode_rounds, args.encode_work, args.before,
                                         not args.no_torch)}
        if args.int8:
            report["int8"] = int8_drift(json.loads((args.encode_work / "texts.json").read_text())[:400],
                                        args.encode_work)
        print(json.dumps(report, indent=1))
        return 0
    ENCODE_WORK.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    from qa.embedding.embedder import Embedder

    embedder = Embedder()
    model_load = time.perf_counter() - t0
    # questions are encoded as `qa ask` and the UI do: from the model's ONNX export, made here once
    from qa.embedding.embedder import prepare_question_encoder, question_encoder

    prepare_question_encoder(embedder)
    t0 = time.perf_counter()
    qencoder = question_encoder()
    onnx_load = time.perf_counter() - t0
    qs = questions(args.questions)
    rows: dict[str, dict] = {}
    corpora = [("10k", BBC, WORK / "index-10k")]
    if not args.skip_100k:
        corpora.append(("100k", make_100k_corpus(), WORK / "index-100k"))
    for name, source, index_dir in corpora:
        row: dict = {}
        row["build"] = build(index_dir, source, embedder, args.fresh)
        if name == "10k":
            # the add/remove test needs a folder of its own among the sources
            pass
        row["latency"] = latency(index_dir, qencoder, qs)
        row["latency_torch_encoder"] = latency(index_dir, embedder, qs)
        row["cli_first_answer_s"] = cli_first_answer(index_dir)
        row["cli_first_answer_torch_s"] = cli_first_answer(index_dir, torch_path=True)
        row["peak_rss_mb"] = peak_rss(index_dir, qs)
        row["disk_mb"] = du(index_dir) / 2**20
        extra = WORK / f"extra-{name}"
        extra.mkdir(exist_ok=True)
        from qa.index.indexer import sync

        sync(index_dir, [extra], embedder=embedder)
        row["add_s"], row["remove_s"], row["add_embedded"] = add_remove_one(index_dir, extra, embedder)
        rows[name] = row
    encode = encode_rates(args.encode_passages, args.encode_rounds)
    print(json.dumps({"model_load_s": model_load, "onnx_load_s": onnx_load, "encoder": type(qencoder).__name__,
                      "encode": encode, "rows": rows}, indent=1,
                     default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
