"""What an answer tells a person besides its passages: one ordered list of notices, the same for
the command line (qa/render.py), the UI (qa/ui/widgets.py) and `qa ask --json`.

The front ends only format these records (a line, a mark on a citation, a Notice widget), so a
notice added here shows in every view with the same words, and no view decides one on its own.
Texts are plain and on one line (line breaks as spaces); each front end makes control characters
harmless its own way. No rich or textual here: the JSON carries the same records.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qa.settings import DEFAULT_SETTINGS
from qa.wording import count

if TYPE_CHECKING:  # types only: the UI imports this module at start-up, before numpy and faiss
    from qa.search import Answer, Hit

#: the answer's own notices, in the order every view shows them
ANSWER_KINDS = ("missing", "corrected", "mode", "filters", "differ", "order")
#: a passage's notices: marks on its citation, then the score cue in words (CUE_KIND; only with
#: the model's scores), then lines under the citation (any other kind: LINE_KINDS today)
MARK_KINDS = ("unavailable", "changed")
CUE_KIND = "strength"
LINE_KINDS = ("copies", "support")
#: notices said as a warning (the answer may not be what was asked, or the stories disagree)
WARNINGS = frozenset({"missing", "differ"})

#: the score cue in words, by level (score_level): none says "no match", which a card beside
#: the question's words it holds would contradict
CUE_WORDS = ("very weak", "faint", "weak", "fair", "good", "strong")
#: a story's copies named on its citation; more are counted ("also carried by 19,999 other documents: ...")
COPIES_NAMED = 3
_LINE_BREAKS = {9: " ", 10: " ", 13: " ", 0x85: " ", 0x2028: " ", 0x2029: " "}


@dataclass(frozen=True)
class Notice:
    """One thing an answer says: its kind (ANSWER_KINDS, MARK_KINDS, LINE_KINDS), its words and
    the rank of the passage it belongs to (None: the whole answer)."""

    kind: str
    text: str
    rank: int | None = None

    @property
    def warning(self) -> bool:
        return self.kind in WARNINGS

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text, "rank": self.rank}


def one_line(text: str) -> str:
    """Line breaks and tabs as spaces (one for one): a notice is one line in every view."""
    return text.translate(_LINE_BREAKS)


def notices(answer: Answer, query: str | None = None, mode_note: str = "") -> list[Notice]:
    """Every notice of the answer, in order: the answer's (ANSWER_KINDS order), then each
    passage's in rank order. `query` is what was searched when it is not the question (a
    follow-up's words added); `mode_note` says why the search was not hybrid (the UI's model)."""
    passages = [n for hit in answer.hits for n in hit_notices(hit, answer.hits[0])]
    return answer_notices(answer, query, mode_note) + passages


def answer_notices(answer: Answer, query: str | None = None, mode_note: str = "") -> list[Notice]:
    """The notices of the answer as a whole (not of one passage)."""
    said: list[tuple[str, str]] = []
    if answer.filters and answer.filters.get("matching") == 0:
        said.append(("missing", "Not found: no indexed passage passes the filters; check them against the "
                                "sources' folders (qa sources; F3 in the app) or ask without them."))
    elif not answer.answered:
        searched = looked_for(as_searched(query or answer.question, answer.corrected))
        said.append(("missing", f"Not found in the indexed articles. Looked for {searched}: rephrase with other "
                                f"words or names." + (" Nearest passages:" if answer.hits else "")))
    if answer.corrected:
        said.append(("corrected", "searched for: " + ", ".join(answer.corrected.values())))
    if answer.mode != "hybrid":
        said.append(("mode", f"{answer.mode} search only{mode_note}"))
    said += [(kind, text) for kind, text in (("filters", filters_line(answer)), ("differ", differ_line(answer)),
                                             ("order", order_line(answer))) if text]
    return [Notice(kind, one_line(text)) for kind, text in said]


def hit_notices(hit: Hit, top: Hit) -> list[Notice]:
    """One passage's notices (`top`: the answer's first passage, which the score cue of a
    keyword-only answer is relative to): its citation's marks, its score cue in words, then its
    lines."""
    said = [(CUE_KIND, strength(hit, top)), ("copies", copies_line(hit)), ("support", support_line(hit))]
    return citation_marks(hit) + [Notice(kind, one_line(text), hit.rank) for kind, text in said if text]


def citation_marks(hit: Hit) -> list[Notice]:
    """What a passage's citation is marked with: its file is away, or changed since indexed."""
    said = [("unavailable", "" if hit.available else "file unavailable now"),
            ("changed", "changed since indexed — run `qa index`" if hit.changed else "")]
    return [Notice(kind, text, hit.rank) for kind, text in said if text]


def score_level(hit: Hit, top: Hit) -> int:
    """0-5 for the score cue. With the model: the hit's score, the one the passages are ordered
    by (keywords, meaning and its best sentence), so a passage never shows more than the one above
    it; by keywords only: the BM25 score relative to the best."""
    if hit.dense_score is not None:  # calibrated on the ranking score's scale: qa/settings.py
        return max(0, min(5, int((hit.score - DEFAULT_SETTINGS.cue_floor) / DEFAULT_SETTINGS.cue_step)))
    if top.bm25_score <= 0:
        return 0
    return max(0, min(5, round(5 * hit.bm25_score / top.bm25_score)))


def strength(hit: Hit, top: Hit) -> str:
    """The score cue in words ("fair"); '' by keywords only, where the cue is relative to the
    best passage and a word would claim more than it knows."""
    return CUE_WORDS[score_level(hit, top)] if hit.dense_score is not None else ""


def as_searched(question: str, corrected: dict[str, str]) -> str:
    """The question with its corrected words as they were searched ("who comanded" -> "who
    commanded"): what the "why" line and "Looked for" name, not the slips."""
    if not corrected:
        return question
    from qa.index.text import normalize, word_spans

    text = normalize(question)
    pieces, last = [], 0
    for match in word_spans(text):
        if match.group(0) in corrected:
            pieces += [text[last:match.start()], corrected[match.group(0)]]
            last = match.end()
    return "".join(pieces) + text[last:]


#: most words a "Looked for" line names (and half as many names): a pasted paragraph not found
#: listed its 126 key words, a screenful at 80x24 in the chat and in `qa ask` (the UI's "why"
#: line stops at eight, `MAX_HELD_SHOWN`)
LOOKED_FOR_SHOWN = 12


def _first(words: list[str], shown: int) -> str:
    return ", ".join(words[:shown]) + (", …" if len(words) > shown else "")


def looked_for(query: str) -> str:
    """What a question was searched for, as a "not found" answer says it: its key words and names
    (so the user can rephrase)."""
    from qa.retrieval.context import key_words, names

    named = names(query)
    others = [w for w in key_words(query) if w not in named]
    parts = []
    if others:
        parts.append("the words " + _first(others, LOOKED_FOR_SHOWN))
    if named:
        parts.append("the names " + _first(named, LOOKED_FOR_SHOWN // 2))
    if parts:
        cut = len(others) > LOOKED_FOR_SHOWN or len(named) > LOOKED_FOR_SHOWN // 2
        return " and ".join(parts) + (f" ({len(others) + len(named)} in all)" if cut else "")
    # "???" or "🚋🚋" holds no word at all: "only common words" would send the user hunting for them
    return "no key words (only common words)" if re.search(r"\w", query) else "no words (only punctuation or symbols)"


def copies_line(hit: Hit) -> str:
    """'also carried by: b.txt (12 Mar 2024), c.html' for a story's other copies ('' when none);
    beyond COPIES_NAMED, their count and the first few: 20,000 identical files are one short line."""
    from qa.retrieval.filters import human_date

    named = [c.source + (f" ({human_date(c.date)})" if c.date else "") for c in hit.duplicates[:COPIES_NAMED]]
    if len(hit.duplicates) > COPIES_NAMED:
        return f"also carried by {len(hit.duplicates):,} other documents: " + ", ".join(named) + ", …"
    return "also carried by: " + ", ".join(named) if named else ""


def answer_phrase(hit: Hit) -> str:
    """The answer phrase inside the highlight ('' when none: qa/retrieval/answer_types.py)."""
    if hit.answer is None:
        return ""
    return one_line(hit.text[hit.answer[0] - hit.start:hit.answer[1] - hit.start])


def support_line(hit: Hit) -> str:
    """'“Paul Volcker” also in 3 other stories': the independent stories that hold its answer
    phrase ('' none)."""
    if not hit.support:
        return ""
    return f"“{answer_phrase(hit)}” also in {hit.support} other {'story' if hit.support == 1 else 'stories'}"


def differ_line(answer: Answer) -> str:
    """'Sources differ: “lightly injured” [1] · “killed” [2]' when the top stories give different
    answers (qa/retrieval/support.py; '' when they do not)."""
    by_rank = {hit.rank: hit for hit in answer.hits}
    shown = [f"“{answer_phrase(by_rank[r])}” [{r}]" for r in answer.sources_differ if r in by_rank]
    return "Sources differ: " + " · ".join(shown) if len(shown) > 1 else ""


def filters_line(answer: Answer) -> str:
    """'Filtered: since 1 Jan 2024 · source reuters; 3 documents without a known date left out'
    ('' unfiltered); a bound written without a year says the year taken."""
    from qa.retrieval.filters import describe

    if not answer.filters:
        return ""
    line = "Filtered: " + describe(answer.filters)
    undated = answer.filters.get("undated_excluded", 0)
    if undated:
        line += f"; {count(undated, 'document')} without a known date left out"
    return line


def order_line(answer: Answer) -> str:
    """"sorted by date, undated last" when the passages are not in relevance order ('' when they
    are, or there are none)."""
    return "sorted by date, undated last" if answer.sort == "date" and answer.hits else ""
