"""Do two copies of one index answer the same? (issue 25: the local engine against Milvus)

    .venv/bin/python benchmarks/engine_compare.py LOCAL_DIR MILVUS_DIR QUESTIONS.txt

Each question through `Searcher.search(q, k=5)` on both (each copy's recorded engine); prints how
many top passages, top-5 spans and top-5 spans with scores (4 decimals) are identical, and the
first difference.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def answers(index: Path, questions: list[str]) -> list[list[tuple]]:
    from qa.embedding.embedder import question_encoder
    from qa.search import Searcher

    searcher = Searcher(index)
    encoder = question_encoder(searcher.model)
    try:
        return [[(h.path, h.start, h.end, round(h.score, 4)) for h in searcher.search(q, k=5, embedder=encoder).hits]
                for q in questions]
    finally:
        searcher.close()


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    questions = [q for q in Path(argv[2]).read_text(encoding="utf-8").splitlines() if q.strip()]
    a, b = answers(Path(argv[0]), questions), answers(Path(argv[1]), questions)
    top = sum(x[:1] == y[:1] for x, y in zip(a, b))
    spans = sum([p[:3] for p in x] == [p[:3] for p in y] for x, y in zip(a, b))
    scored = sum(x == y for x, y in zip(a, b))
    print(f"{len(questions)} questions: top passage identical {top}, top-5 spans {spans}, with scores {scored}")
    for x, y in zip(a, b):
        if x != y:
            print("first difference:", x, y, sep="\n  ")
            break
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
