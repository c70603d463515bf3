"""`qa ask - --json` without the model, for counting what a question costs after its encoding
(issue 23). Not part of the test suite.

    .venv/bin/python benchmarks/ask_loop.py --index IDX --questions-file q400.txt --vectors /tmp/v.npz --prepare
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.1 .venv/bin/python benchmarks/ask_loop.py \
        --index IDX --questions-file q400.txt --vectors /tmp/v.npz -n 1
    ... -n 400   # (instructions of -n 400 - those of -n 1) / 399: a question's, start-up subtracted

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions-file", type=Path, required=True)
    parser.add_argument("--vectors", type=Path, required=True, help="the .npz --prepare writes and a run reads")
    parser.add_argument("--prepare", action="store_true", help="encode the questions' texts once and save them")
    parser.add_argument("-n", type=int, default=0, help="answer the first n questions (0: all)")
    args = parser.parse_args()
    questions = [line for line in args.questions_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.prepare:
        prepare(args.index, questions, args.vectors)
    else:
        answer(args.index, questions[:args.n or None], args.vectors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
