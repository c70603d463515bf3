"""One card per story: copies of a passage (groups found at index time, qa/index/duplicates.py) fold
into one, so the top k are k different stories.

A story ranks where its best copy ranks, with that copy's score; the copy cited is the earliest
dated one among the candidates (the best-ranked when none is dated), and the card names the
others (`Hit.duplicates`). The fused ranking of every candidate is folded before it is cut, so k
stories remain whenever the candidates hold k.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from qa.retrieval.records import Copy, Hit, display_path
from qa.index.store import StoryMember

#: passage id -> its document's date (None: unknown), of the passages asked for that exist
DateReader = Callable[[Sequence[int]], Mapping[int, str | None]]


def date_key(date: str | None) -> tuple[bool, str]:
    """Sort key: dated first, earliest first; unknown last."""
    return (date is None, date or "")


def fold(ranked: list[int], scores: dict[int, float], stories: Mapping[int, int],
         read_dates: DateReader) -> tuple[list[int], dict[int, float]]:
    """The ranking with each story's copies folded into one entry (new list and dict): the
    earliest dated copy among them, at its best copy's place and score."""
    members: dict[int, list[int]] = {}
    for pid in [pid for pid in ranked if pid in stories]:  # most candidates have no copy: not looped over
        members.setdefault(stories[pid], []).append(pid)
    if not any(len(m) > 1 for m in members.values()):
        return ranked, scores
    several = [pid for m in members.values() if len(m) > 1 for pid in m]
    dates = read_dates(several)
    out = dict(scores)
    cited_for: dict[int, int] = {}  # a story's best-ranked copy -> the copy cited in its place
    for copies in members.values():
        if len(copies) > 1:  # best-ranked first: min keeps it among equal dates
            cited = cited_for[copies[0]] = min(copies, key=lambda p: date_key(dates.get(p)))
            out[cited] = scores[copies[0]]
    later = set(several).difference(cited_for)  # a story's other copies: folded into its first
    return [cited_for.get(pid, pid) for pid in ranked if pid not in later], out


def name_copies(hits: list[Hit], stories: Mapping[int, int], members: Sequence[StoryMember]) -> None:
    """Set each hit's `duplicates`: the other documents carrying its story, dated first, earliest first."""
    by_story: dict[int, list[StoryMember]] = {}
    for member in members:
        by_story.setdefault(member.story, []).append(member)
    for hit in hits:
        story = stories.get(hit.passage_id)
        if story is None:
            continue
        others: dict[str, StoryMember] = {}
        for member in by_story.get(story, []):
            if member.path != hit.path and member.path not in others:
                others[member.path] = member
        hit.duplicates = [Copy(display_path(m.path), m.title, m.date)
                          for m in sorted(others.values(), key=lambda m: (date_key(m.date), m.path))]
