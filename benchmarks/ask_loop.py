"""`qa ask - --json` without the model, for counting what a question costs after its encoding
(issue 23). Not part of the test suite.

    .venv/bin/python benchmarks/ask_loop.py --index IDX --questions-file q400.txt --vectors /tmp/v.npz --prepare
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.1 .venv/bin/python benchmarks/ask_loop.py \
        --index IDX --questions-file q400.txt --vectors /tmp/v.npz -n 1
    ... -n 400   # (instructions of -n 400 - those of -n 1) / 399: a question's, start-up subtracted
    .venv/bin/python benchmarks/ask_loop.py --index IDX --questions-file q400.txt --vectors /tmp/v.npz --stages

--stages: the run's CPU a question (process time, every thread) spent inside each stage of the
pipeline, to stderr: each stage's public function timed where the pipeline calls it (a stage
holds the stages it calls; the timers add ~0.5 us a call).

--prepare encodes every text the questions search (each question and its spelled form) once with
the model and saves the vectors; a run then answers the first n questions through qa's command
line (`qa ask - --json`, output discarded) with those vectors given in place of the encoder, so
the count holds no ONNX work (its threads spin or not with the machine's load). PYTHONPATH picks
the checkout measured (e.g. an export of main); PYTHONHASHSEED=0 makes runs repeat exactly.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

import numpy as np


def prepare(index: Path, questions: list[str], out: Path) -> None:
    from qa.embedding.embedder import question_encoder
    from qa.retrieval.spelling import spell
    from qa.search import Searcher

    searcher = Searcher(index)
    encoder = question_encoder(searcher.model)
    texts = sorted({spell(searcher.snapshot.lexicon, q, searcher.settings).text for q in questions} | set(questions))
    np.savez(out, texts=np.asarray(json.dumps(texts)), vectors=np.vstack([encoder.encode([t]) for t in texts]))


class Given:
    """The vectors saved by --prepare, as an encoder."""

    def __init__(self, path: Path) -> None:
        saved = np.load(path)
        self.vectors = saved["vectors"]
        self.at = {text: i for i, text in enumerate(json.loads(str(saved["texts"])))}
        self.dim = int(self.vectors.shape[1])
        self.model_name = "given"

    def encode(self, texts: list[str], **_: object) -> np.ndarray:
        return self.vectors[[self.at[t] for t in texts]]


def answer(index: Path, questions: list[str], vectors: Path) -> None:
    from qa import cli
    from qa.embedding import embedder

    given = Given(vectors)
    embedder.question_encoder = lambda model, warn=None: given  # cmd_ask imports it when it runs
    sys.stdin = io.TextIOWrapper(io.BytesIO(("\n".join(questions) + "\n").encode("utf-8")), encoding="utf-8")
    sys.stdout = open(os.devnull, "w", encoding="utf-8")
    cli.main(["ask", "-", "--index", str(index), "--json"])


#: (module, attribute) of the stages --stages times, as the module calling them names them
STAGES = [("qa.retrieval.retriever", "spell"), ("qa.retrieval.retriever", "rank_candidates"),
          ("qa.retrieval.local_index", "LocalIndexReader.candidates"), ("qa.retrieval.local_index", "LocalIndexReader.stories_of"),
          ("qa.retrieval.local_index", "LocalIndexReader.citation_rows"),
          ("qa.retrieval.local_index", "LocalIndexReader.sentence_vectors"),
          ("qa.retrieval.candidates", "dense_search"), ("qa.index.bm25", "BM25Index.scores"),
          ("qa.retrieval.snapshot", "IndexSnapshot.cosines"), ("qa.retrieval.pipeline", "fuse"),
          ("qa.retrieval.pipeline", "fold"), ("qa.retrieval.pipeline", "article_weights"),
          ("qa.retrieval.pipeline", "dense_evidence"), ("qa.retrieval.pipeline", "score_sentences"),
          ("qa.retrieval.rerank", "scored_best_sentence"), ("qa.retrieval.pipeline", "support"),
          ("qa.retrieval.pipeline", "cite"), ("qa.retrieval.pipeline", "differing"),
          ("qa.retrieval.pipeline", "keyword_coverage"), ("qa.retrieval.retriever", "Retriever.search"),
          ("qa.retrieval.pipeline", "rank"), ("qa.retrieval.local_index", "LocalIndexReader.passages_of_documents"),
          ("qa.retrieval.local_index", "LocalIndexReader.same_document"),
          ("qa.retrieval.snapshot", "IndexSnapshot.question_weight"), ("qa.retrieval.pipeline", "rerank"),
          ("qa.retrieval.pipeline", "support_rerank"), ("qa.retrieval.pipeline", "answer_past_boundary"),
          ("qa.retrieval.pipeline", "missing_names"), ("qa.retrieval.pipeline", "decide"),
          ("qa.retrieval.retriever", "name_copies"), ("qa.retrieval.local_index", "LocalIndexReader.story_members"),
          ("qa.retrieval.pipeline", "quoted_first"), ("qa.retrieval.pipeline", "widen_pasted"),
          ("qa.retrieval.pipeline", "complete")]


def timed_stages() -> tuple[dict[str, float], dict[str, int]]:
    """Wrap each stage of STAGES (and the analyzer's `analyse`, a cache hit counted too) with a
    process-time counter; (seconds, calls) per stage, filled as questions are answered."""
    import functools
    import importlib
    import time

    from qa.index.text import ANALYZER

    spent: dict[str, float] = {}
    calls: dict[str, int] = {}

    def wrap(owner: object, attr: str, name: str) -> None:
        inner = getattr(owner, attr)

        @functools.wraps(inner)
        def timed(*args, **kwargs):
            start = time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - start
                calls[name] = calls.get(name, 0) + 1
        setattr(owner, attr, timed)

    for module, path in STAGES:
        owner: object = importlib.import_module(module)
        *classes, attr = path.split(".")
        for cls in classes:
            owner = getattr(owner, cls)
        wrap(owner, attr, path)
    wrap(ANALYZER, "analyse", "ANALYZER.analyse (cached)")
    return spent, calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions-file", type=Path, required=True)
    parser.add_argument("--vectors", type=Path, required=True, help="the .npz --prepare writes and a run reads")
    parser.add_argument("--prepare", action="store_true", help="encode the questions' texts once and save them")
    parser.add_argument("-n", type=int, default=0, help="answer the first n questions (0: all)")
    parser.add_argument("--stages", action="store_true", help="CPU ms a question per stage, to stderr")
    args = parser.parse_args()
    questions = [line for line in args.questions_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.prepare:
        prepare(args.index, questions, args.vectors)
        return 0
    spent, calls = timed_stages() if args.stages else ({}, {})
    asked = questions[:args.n or None]
    answer(args.index, asked, args.vectors)
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        sys.stderr.write(f"{1000 * seconds / len(asked):7.3f} ms  {calls[name] / len(asked):6.2f} calls  {name}\n")
    if spent:
        sys.stderr.write(f"(a question; {len(asked)} questions, load {os.getloadavg()[0]:.2f})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
