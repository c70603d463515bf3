"""The dense search of one segment, exact against approximate kinds (issue 23, sixth session): p50
ms a question and recall@100 against the exact scan. Not part of the test suite.

    .venv/bin/python benchmarks/dense_alternatives.py --vectors IDX/vectors.1.faiss --questions V.npz

V.npz: question vectors, as `benchmarks/ask_loop.py --prepare` saves them. Between two questions
64 MB are written, as the model's pass does in `qa ask` (the vectors are not left in the cache).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.index import vectors  # noqa: E402

K = 100


def timed(search, queries: np.ndarray) -> tuple[list[np.ndarray], float]:
    """The ids each query finds and the median ms a query, the cache emptied between queries."""
    junk = np.ones(16_000_000, np.float32)
    found, spent = [], []
    for q in queries:
        junk += 1.0
        t0 = time.perf_counter()
        found.append(search(q.reshape(1, -1)))
        spent.append(time.perf_counter() - t0)
    return found, 1000 * statistics.median(spent)


def row(name: str, found: list[np.ndarray], ms: float, exact: list[np.ndarray]) -> dict:
    recall = np.mean([len(set(f.tolist()) & set(e.tolist())) / K for f, e in zip(found, exact)])
    top = np.mean([f[0] == e[0] for f, e in zip(found, exact)])
    return {"index": name, "p50_ms": round(ms, 3), "recall@100": round(float(recall), 4), "top1": round(float(top), 4)}


def ivf(data: np.ndarray, ids: np.ndarray, lists: int) -> faiss.IndexIVFFlat:
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(data.shape[1]), data.shape[1], lists, faiss.METRIC_INNER_PRODUCT)
    index.cp.spherical, index.cp.niter, index.cp.seed, index.cp.min_points_per_centroid = True, 10, 17, 1
    index.train(data)
    index.add_with_ids(data, ids)
    return index


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=Path, required=True, help="a segment's vector file (exact)")
    parser.add_argument("--questions", type=Path, required=True, help="question vectors (.npz with 'vectors')")
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)  # as qa searches one question
    exact_index = vectors.load(args.vectors)
    ids, data = vectors.contents(exact_index)
    queries = np.load(args.questions)["vectors"].astype(np.float32)
    exact, ms = timed(lambda q: exact_index.search(q, K)[1][0], queries)
    rows = [row("exact", exact, ms, exact)]
    lists = vectors.lists_for(len(ids))
    for nlist in sorted({lists, 100}):
        index = ivf(data, ids, nlist)
        for probes in (16, 32):
            index.nprobe = probes
            found, ms = timed(lambda q: index.search(q, K)[1][0], queries)
            rows.append(row(f"IVF {nlist} lists, {probes} searched", found, ms, exact))
    for m in (16, 32):
        graph = faiss.IndexHNSWFlat(data.shape[1], m, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = 80
        mapped = faiss.IndexIDMap2(graph)
        mapped.add_with_ids(data, ids)
        for ef in (128, 256, 512):
            graph.hnsw.efSearch = ef
            found, ms = timed(lambda q: mapped.search(q, K)[1][0], queries)
            rows.append(row(f"HNSW M{m} ef{ef}", found, ms, exact))
    for kind, name in ((faiss.ScalarQuantizer.QT_fp16, "float16"), (faiss.ScalarQuantizer.QT_8bit, "8 bits")):
        quantised = faiss.IndexScalarQuantizer(data.shape[1], kind, faiss.METRIC_INNER_PRODUCT)
        quantised.train(data)
        quantised.add(data)
        found, ms = timed(lambda q: ids[quantised.search(q, K)[1][0]], queries)
        rows.append(row(f"scalar-quantised copy, {name} (no rescoring)", found, ms, exact))
    print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
