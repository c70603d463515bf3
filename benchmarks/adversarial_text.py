"""How the patterns and loops that read article text and questions grow on adversarial input:
each case timed at 1,000 to 8,000 characters (best of three); a row whose time grows about 2x
per doubling is linear, 4x quadratic (the head line's first word grows to 30 letters only: past
that the old pattern never ended). Results go to BENCHMARKS.md "Adversarial text".

    .venv/bin/python benchmarks/adversarial_text.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from qa.index.bm25 import BM25Index  # noqa: E402
from qa.index.text import tokenize  # noqa: E402
from qa.ingest.documents import parse  # noqa: E402
from qa.ingest.metadata import from_text, without_datelines  # noqa: E402
from qa.ingest.sentences import sentence_spans  # noqa: E402
from qa.retrieval.answer_types import (CAUSE, NUMBER, PERSON, ROLE, asked_measure, asks_agent, own_names,  # noqa: E402
                                       phrases, question_type)
from qa.retrieval.highlight import AnswerEvidence, scored_best_sentence  # noqa: E402
from qa.retrieval.speller import Lexicon  # noqa: E402
from qa.retrieval.spelling import spell  # noqa: E402
from qa.settings import DEFAULT_SETTINGS  # noqa: E402

SIZES = (1000, 2000, 4000, 8000)


def _marked(sentence: str, question: str) -> object:
    tokens, kind = tokenize(question), question_type(question)
    evidence = AnswerEvidence(kind, frozenset(tokens), frozenset(), 0.2, 0.5, 0, 0.0,
                              DEFAULT_SETTINGS.answer_proximity, kind == PERSON and asks_agent(question),
                              asked_measure(question) if kind == NUMBER else None)
    return scored_best_sentence(sentence, tokens, lambda term: 1.0, float(len(tokens)), 0.3, None, evidence)


def _cases() -> list[tuple[str, Callable[[str], object], Callable[[int], str]]]:
    bm25 = BM25Index([tokenize("The club sacked its coach after the defeat.")])
    lexicon = Lexicon(bm25.vocabulary, bm25.document_frequency, bm25)
    return [
        ("sentences: a run of dots before a lower-case word", sentence_spans, lambda n: "Contents " + "." * n + " page 5"),
        ("sentences: a line of blanks", sentence_spans, lambda n: "a\n" + " " * n + "\nb"),
        ("paragraphs: a line of blanks (parse)", lambda s: parse(Path("a.txt"), s.encode()), lambda n: "T\n\na\n" + " " * n + "\nb"),
        ("metadata: a head line, first word of 10 to 30 letters", from_text,
         lambda n: "1" + "a" * min(n // 100, 30) + " 2001 c d e f g h i\n"),
        ("metadata: a dateline's comma and blanks (whole file)", without_datelines, lambda n: "AB," + " " * n + "x\n"),
        ("answer types: causes without a clause end", lambda s: phrases(s, CAUSE, frozenset()), lambda n: "after " * (n // 6)),
        ("answer types: a table of times (numbers)", lambda s: phrases(s, NUMBER, frozenset()), lambda n: "12:30 " * (n // 6)),
        ("answer types: who is a word and dots", question_type, lambda n: "who is a" + "." * n + "! x"),
        ("answer types: a question of whens", question_type, lambda n: "x " + "when " * (n // 5)),
        ("answer types: who and names after 'in'", lambda s: phrases(s, PERSON, frozenset()), lambda n: "in Abc " * (n // 7)),
        ("answer types: who did and a long word (own names)", own_names, lambda n: "who did " + "a" * n + " !"),
        ("answer types: who beat and blanks (own names)", own_names, lambda n: "who beat" + " " * n + "x"),
        ("answer types: sentence openers and verbs (who)", lambda s: phrases(s, PERSON, frozenset()),
         lambda n: "Ferrari won. " * (n // 13)),
        ("answer types: names and appositions", lambda s: phrases(s, ROLE, frozenset({"aa"})), lambda n: "Aa, " * (n // 4)),
        ("answer phrase: a sentence of dates", lambda s: _marked(s, "When did the lawyers complete the report?"),
         lambda n: "the clerks filed a draft in 1990 and " * (n // 37) + "the lawyers completed the report in 2001."),
        ("spelling: one long word", lambda s: spell(lexicon, s, DEFAULT_SETTINGS), lambda n: f"who sackrd {'abcdefghij' * (n // 40)}"),
    ]


def _best(fn: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for run in range(3):  # a text not seen before each time: the answer types cache by text
        text = text + " " * run
        start = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    print("| case | " + " | ".join(f"{n:,} chars" for n in SIZES) + " | last doubling |")
    print("| --- |" + " --- |" * (len(SIZES) + 1))
    for name, fn, make in _cases():
        times = [_best(fn, make(n)) for n in SIZES]
        cells = " | ".join(f"{t * 1000:.2f} ms" for t in times)
        print(f"| {name} | {cells} | x{times[-1] / max(times[-2], 1e-9):.1f} |", flush=True)


if __name__ == "__main__":
    main()
