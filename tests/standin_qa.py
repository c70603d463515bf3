"""`python tests/standin_qa.py ARGS`: the `qa` command with the suite's stand-in embedder for
passages and questions (tests/robust_util.py HashEmbedder), for tests whose point is a separate
process (a kill, a server shared by several), not the model's answers."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import qa.embedding.embedder  # noqa: E402
from robust_util import HashEmbedder  # noqa: E402

qa.embedding.embedder.passage_encoder = lambda *_a, **_k: HashEmbedder()
qa.embedding.embedder.question_encoder = lambda *_a, **_k: HashEmbedder()

if __name__ == "__main__":
    from qa.cli import main

    raise SystemExit(main(sys.argv[1:]))
