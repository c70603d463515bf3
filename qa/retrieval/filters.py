"""Filters of an answer by time and source: `--since`, `--until`, `--source`, or a question prefix
`since:2024-01 until:2024-06 source:reuters Who ...` (the CLI and the UI both call `split_prefix`).

A filter becomes a boolean mask over the snapshot's passage positions, applied to the BM25 scores
and to the dense scan before their top lists are cut, so a filtered answer still has k passages
when k pass. A date bound is a period: `since` is its first day, `until` its last, both included
("2024" is 1 Jan to 31 Dec 2024). A document with no known date is left out by either bound.
"""

from __future__ import annotations

import calendar
import datetime as dt
import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from qa.errors import QAError
from qa.store import DocumentFacts

#: a question prefix word: since:VALUE, until:VALUE or source:VALUE (VALUE quoted when it has spaces)
_PREFIX = re.compile(r"""\s*(since|until|source):(?:"([^"]*)"|'([^']*)'|(\S+))""", re.IGNORECASE)
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Filters:
    """What an answer is limited to; None: no limit on that side."""

    since: dt.date | None = None
    until: dt.date | None = None
    source: str | None = None  # a path glob or (part of) a site name, case-insensitive

    @property
    def active(self) -> bool:
        return self.since is not None or self.until is not None or bool(self.source)

    @property
    def by_date(self) -> bool:
        return self.since is not None or self.until is not None

    def merged(self, other: "Filters") -> "Filters":
        """These filters, each one not set taken from `other` (flags given with a prefix)."""
        merged = Filters(self.since or other.since, self.until or other.until, self.source or other.source)
        _check_range(merged)
        return merged

    def as_json(self) -> dict[str, str | None]:
        return {"since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None, "source": self.source}


def describe(applied: Mapping[str, object]) -> str:
    """Filters (as_json) for people: "since 1 Jan 2024 · until 30 Jun 2024 · source reuters"."""
    parts = []
    if applied.get("since"):
        parts.append(f"since {human_date(str(applied['since']))}")
    if applied.get("until"):
        parts.append(f"until {human_date(str(applied['until']))}")
    if applied.get("source"):
        parts.append(f"source {applied['source']}")
    return " · ".join(parts)


def human_date(iso: str) -> str:
    """'2024-03-12' -> '12 Mar 2024' (the citation line's form)."""
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


@lru_cache(maxsize=1)
def _period_parser():
    from dateparser.date import DateDataParser  # imported only when a date filter is given

    return DateDataParser(languages=["en"], settings={
        "PARSERS": ["custom-formats", "absolute-time"],  # no "yesterday": a bound is a stated date
        "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False})


def parse_bound(text: str, end: bool) -> dt.date:
    """The first (end=False) or last (end=True) day of the period the user wrote: 2024, 2024-01,
    2024-01-15, "March 2024", "1 March 2024". QAError when it is not a date."""
    value = " ".join(text.split())
    if re.fullmatch(r"\d{4}", value):  # dateparser reads a bare year as this month of that year
        year = int(value)
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    data = _period_parser().get_date_data(value) if value else None
    if data is None or data.date_obj is None:
        raise QAError(f'cannot read "{text}" as a date; write e.g. 2024, 2024-03, 2024-03-12 or "12 March 2024"')
    day = data.date_obj.date()
    if data.period == "year":
        return dt.date(day.year, 12, 31) if end else dt.date(day.year, 1, 1)
    if data.period == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return dt.date(day.year, day.month, last) if end else dt.date(day.year, day.month, 1)
    return day


def make_filters(since: str | None = None, until: str | None = None, source: str | None = None) -> Filters:
    """Filters from the user's words (flags or prefix values); QAError for a bad date or an empty range."""
    filters = Filters(parse_bound(since, end=False) if since else None,
                      parse_bound(until, end=True) if until else None,
                      source.strip() or None if source else None)
    _check_range(filters)
    return filters


def _check_range(filters: Filters) -> None:
    if filters.since and filters.until and filters.since > filters.until:
        raise QAError(f"since {filters.since.isoformat()} is after until {filters.until.isoformat()}: nothing can match")


def split_prefix(question: str) -> tuple[Filters, str]:
    """The filters written at the start of a question and the question without them:
    'since:2024-01 source:reuters Who ...' -> (Filters(2024-01-01, None, 'reuters'), 'Who ...')."""
    values: dict[str, str] = {}
    rest = question
    while True:
        match = _PREFIX.match(rest)
        if match is None:
            break
        values[match.group(1).lower()] = next(g for g in match.groups()[1:] if g is not None)
        rest = rest[match.end():]
    if not values:
        return Filters(), question
    return make_filters(values.get("since"), values.get("until"), values.get("source")), rest.strip()


def strip_prefix(question: str) -> str:
    """The question without the filters written at its start, their values not read (so no date
    is parsed): the words a question is searched and explained by."""
    rest = question
    while (match := _PREFIX.match(rest)) is not None:
        rest = rest[match.end():]
    return question if rest is question else rest.strip()


def source_mask(pattern: str, paths: np.ndarray, sites: np.ndarray) -> np.ndarray:
    """Which documents match: the site name holds the pattern, or the path matches it. A pattern
    with glob characters is matched against the end of the path ("*.html", "wires/*"); one
    without, anywhere in the path ("reuters" matches /news/reuters/a.txt). Case-insensitive;
    `paths` and `sites` casefolded already (numpy string arrays: the common cases run in C)."""
    needle = pattern.casefold()
    on_site = np.strings.find(sites, needle) >= 0
    glob = needle if needle.startswith("/") else "*" + needle.lstrip("*")
    core = glob.strip("*")
    if not _GLOB_CHARS & set(needle):
        on_path = np.strings.find(paths, needle) >= 0
    elif not _GLOB_CHARS & set(core) and glob.startswith("*"):  # "*word*" or "*.html"
        on_path = np.strings.find(paths, core) >= 0 if glob.endswith("*") else np.strings.endswith(paths, core)
    else:
        matcher = re.compile(fnmatch.translate(glob), re.DOTALL)
        on_path = np.fromiter((matcher.match(p) is not None for p in paths.tolist()), bool, paths.size)
    return on_site | on_path


@dataclass(frozen=True)
class FilterMask:
    """Which snapshot positions pass the filters, and how many documents the date bounds left
    out only because their date is unknown."""

    allowed: np.ndarray  # bool, one per snapshot position
    undated_excluded: int


class DocumentTable:
    """The documents' paths, dates and sites and each snapshot position's document, read once per
    snapshot (on the first filtered question) so that a mask costs numpy work, no SQL."""

    def __init__(self, facts: Sequence[DocumentFacts], passage_ids: np.ndarray, doc_ids: np.ndarray,
                 snapshot_ids: np.ndarray) -> None:
        self.paths = np.array([f.path.casefold() for f in facts] or [""], dtype=np.str_)[:len(facts)]
        self.sites = np.array([(f.site or "").casefold() for f in facts] or [""], dtype=np.str_)[:len(facts)]
        self.days = np.array([dt.date.fromisoformat(f.date).toordinal() if f.date else -1 for f in facts], np.int64)
        ids = np.array([f.id for f in facts], np.int64)  # ascending (document_facts orders by id)
        self.doc_of_position = np.full(snapshot_ids.size, -1, np.int64)
        if snapshot_ids.size and passage_ids.size and ids.size:
            at = np.minimum(np.searchsorted(snapshot_ids, passage_ids), snapshot_ids.size - 1)
            same = snapshot_ids[at] == passage_ids  # a reindex may have committed in between
            row = np.minimum(np.searchsorted(ids, doc_ids[same]), ids.size - 1)
            self.doc_of_position[at[same]] = np.where(ids[row] == doc_ids[same], row, -1)
        self._masks: dict[Filters, FilterMask] = {}

    def mask(self, filters: Filters) -> FilterMask:
        if filters not in self._masks:
            if len(self._masks) > 16:
                self._masks.clear()
            self._masks[filters] = self._compute(filters)
        return self._masks[filters]

    def _compute(self, filters: Filters) -> FilterMask:
        by_source = np.ones(len(self.paths), bool)
        if filters.source:
            by_source = source_mask(filters.source, self.paths, self.sites)
        by_date = np.ones(len(self.paths), bool)
        if filters.since:
            by_date &= self.days >= filters.since.toordinal()
        if filters.until:
            by_date &= (self.days <= filters.until.toordinal()) & (self.days >= 0)
        undated = int(np.count_nonzero(by_source & (self.days < 0))) if filters.by_date else 0
        docs_ok = np.append(by_source & by_date, False)  # index -1 (no document): left out
        return FilterMask(docs_ok[self.doc_of_position], undated)
