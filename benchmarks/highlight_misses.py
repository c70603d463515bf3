"""Where the highlight misses (issue 24): highlight-hit by question type, and for each miss where
the gold answer lies: in the top passage but another sentence ("other sentence"), past the top
passage's end in the same article ("next passage"), elsewhere in the right article ("same
article"; of those, "in head": a passage holding it is among the re-ranked head of ten, "past head": it is
not), or the top passage is from another article ("wrong article"); and of the highlights that hold the
answer, the share that mark an answer phrase ("marked") and of those the share whose phrase
overlaps the gold answer ("phrase": the bold words are the answer); "words there": the misses whose
highlight holds a gold answer's words all the same (SQuAD marks an answer at one place of its
article; an article may say it twice: the scorer's miss, not the ranking's), "in head, words
there" those of the "in head" bucket. Dev set (SQuAD v1.1-even
among BBC), full index, through the shipped stages on candidates retrieved once; split by the
questions whose articles the tuning never used (held_out: odd articles) and the rest.

    .venv/bin/python benchmarks/highlight_misses.py                 # the shipped settings
    .venv/bin/python benchmarks/highlight_misses.py --set follow_sentences=0 --examples 5
    .venv/bin/python benchmarks/highlight_misses.py --phrase-examples 8   # marked phrases that miss
    .venv/bin/python benchmarks/highlight_misses.py --head-examples 40    # "in head" misses: first passage and answering one
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import BBC, SQUAD1, contains, dev_bench  # noqa: E402
from qa.retrieval.answer_types import question_type  # noqa: E402
from qa.settings import DEFAULT_SETTINGS  # noqa: E402

WH = ("how many", "how much", "who", "when", "where", "why", "which", "what")


def wh_type(question: str) -> str:
    """The question's wording type (not the answer type): the first wh- phrase it holds."""
    low = question.casefold()
    found = [(low.find(w), -len(w), w) for w in WH if w in low]
    return min(found)[2] if found else "other"


def bucket(hit, q, rows) -> str:
    """Where the gold answer lies relative to the top passage (a miss)."""
    if hit.path != q.path:
        return "wrong article"
    if contains(hit.start, hit.end, q.spans):
        return "other sentence"
    starts = [s for s, _ in q.spans]
    if any(hit.start <= s < hit.end for s in starts) or any(hit.end <= s < hit.end + 1200 for s in starts):
        return "next passage"
    return "same article"


def head_split(hits, q) -> str:
    """A "same article" miss: "in head" when a later passage of the re-ranked head (the k=10 hits,
    rerank_depth 10) holds the answer, "past head" when none does."""
    inside = any(h.path == q.path and contains(h.start, h.end, q.spans) for h in hits[1:])
    return "in head" if inside else "past head"


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def words_there(shown: str, answers: list[str]) -> bool:
    """The shown text holds one of the gold answers' words, whole words in order, case and
    punctuation aside ("Levi's Stadium" in "... at Levi's Stadium in Santa Clara"): a miss only
    because SQuAD marks the answer at another place of the article."""
    plain = f" {_plain(shown)} "
    return any(_plain(a) and f" {_plain(a)} " in plain for a in answers)


def shown_miss(top, q) -> tuple[str, str]:
    """A miss's gold article text and the highlight shown (from the top passage's own file: another
    article for a "wrong article" miss)."""
    text = Path(q.path).read_text(encoding="utf-8")
    other = text if top.path == q.path else Path(top.path).read_text(encoding="utf-8")
    return text, other[top.highlight_start:top.highlight_end]


def head_example(hits, q, text: str) -> str:
    """An "in head" miss for reading: the first passage's highlight and the first answering
    passage below it (its rank, its highlight, whether that holds the answer), each with its score."""
    top = hits[0]
    ans = next(h for h in hits[1:] if h.path == q.path and contains(h.start, h.end, q.spans))
    holds = contains(ans.highlight_start, ans.highlight_end, q.spans)
    return (f"Q: {q.text} [{question_type(q.text)}]  GOLD: {[text[s:e] for s, e in q.spans][:1]}\n"
            f"  1st ({top.score:.3f}): {text[top.highlight_start:top.highlight_end][:240]}\n"
            f"  #{ans.rank} ({ans.score:.3f}, highlight {'holds' if holds else 'misses'} it): "
            f"{text[ans.highlight_start:ans.highlight_end][:240]}")


def parse_sets(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        current = getattr(DEFAULT_SETTINGS, key)
        out[key] = type(current)(value) if not isinstance(current, bool) else value.lower() in ("1", "true")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", action="append", default=[], help="a RetrievalSettings field=value")
    parser.add_argument("--examples", type=int, default=0, help="print this many misses per bucket and type")
    parser.add_argument("--phrase-examples", type=int, default=0,
                        help="print this many marked answer phrases that miss the gold answer, per type")
    parser.add_argument("--head-examples", type=int, default=0,
                        help="print this many \"in head\" misses of the tuning half (first passage against the answering one)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if not SQUAD1.exists() or not BBC.is_dir():
        print("skipped: the dev set is not present", file=sys.stderr)
        return 0
    settings = replace(DEFAULT_SETTINGS, **parse_sets(args.set))
    questions, bench = dev_bench(settings)
    table: dict[str, Counter] = defaultdict(Counter)
    examples: dict[tuple, list] = defaultdict(list)
    for ranking, q in zip(bench.rankings(settings), questions):
        kinds = [wh_type(q.text), "all", "held-out" if q.held_out else "tuning"]
        top = ranking.hits[0] if ranking.hits else None
        hit1 = top is not None and top.path == q.path and contains(top.start, top.end, q.spans)
        light = top is not None and top.path == q.path and contains(top.highlight_start, top.highlight_end, q.spans)
        where = "hit" if light else "no passage" if top is None else bucket(top, q, None)
        split = head_split(ranking.hits, q) if where == "same article" else None
        text, shown = shown_miss(top, q) if where not in ("hit", "no passage") else ("", "")
        there = bool(shown) and words_there(shown, [text[s:e] for s, e in q.spans])
        marked = light and top.answer is not None
        right = marked and any(top.answer[0] < e and s < top.answer[1] for s, e in q.spans)
        for kind in kinds:
            table[kind].update({"n": 1, "hit@1": hit1, "highlight": light, where: 1, "marked": marked, "phrase": right})
            if split:
                table[kind][split] += 1
            table[kind].update({"words there": there, "in head, words there": there and split == "in head"})
        if split == "in head" and not q.held_out and len(examples[("tuning", "in head")]) < args.head_examples:
            examples[("tuning", "in head")].append(head_example(ranking.hits, q, text))
        if marked and not right and len(examples[(kinds[0], "phrase")]) < args.phrase_examples:
            text = text or Path(q.path).read_text(encoding="utf-8")
            examples[(kinds[0], "phrase")].append((q.text, question_type(q.text),
                                                   text[top.highlight_start:top.highlight_end]
                                                   + f"  [marked: {text[top.answer[0]:top.answer[1]]}]",
                                                   [text[s:e] for s, e in q.spans][:2]))
        if args.examples and where != "hit" and len(examples[(kinds[0], where)]) < args.examples:
            examples[(kinds[0], where)].append((q.text, question_type(q.text), shown,
                                                [text[s:e] for s, e in q.spans][:2]))
    cols = ["n", "hit@1", "highlight", "other sentence", "next passage", "same article", "in head", "past head",
            "wrong article", "words there", "in head, words there", "marked", "phrase"]
    print("| type | " + " | ".join(cols) + " |")
    print("|" + " --- |" * (len(cols) + 1))
    result = {}
    for kind in ["all", "tuning", "held-out", *WH, "other"]:
        c = table[kind]
        if not c["n"]:
            continue
        result[kind] = {col: c[col] for col in cols}
        # marked: of the highlights that hold the answer, the share marking a phrase; phrase: of those
        # marked, the share whose phrase overlaps the gold answer
        share = {"marked": c["highlight"], "phrase": c["marked"]}
        cells = [str(c["n"])] + [f"{c[col] / max(share.get(col, c['n']), 1):.3f}" for col in cols[1:]]
        print(f"| {kind} | " + " | ".join(cells) + " |")
    for (kind, where), items in sorted(examples.items()):
        print(f"\n## {kind} / {where}")
        for item in items:
            if isinstance(item, str):  # head_example's
                print(item)
                continue
            question, qtype, light, gold = item
            print(f"Q: {question} [{qtype}]\n  HL: {light[:300]}\n  GOLD: {gold}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
