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
from dataclasses import dataclass, field

import numpy as np

from qa.errors import QAError
from qa.index.store import DocumentFacts

#: a question prefix word: since:VALUE, until:VALUE or source:VALUE (VALUE quoted when it has spaces)
_PREFIX = re.compile(r"""\s*(since|until|source):(?:"([^"]*)"|'([^']*)'|(\S+))""", re.IGNORECASE)
#: a filter word with nothing right after its colon ("since: 2024", "source:"), or an empty quote
_EMPTY_PREFIX = re.compile(r"""\s*(since|until|source):(?:""|''|\s|$)""", re.IGNORECASE)
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Filters:
    """What an answer is limited to; None: no limit on that side."""

    since: dt.date | None = None
    until: dt.date | None = None
    source: str | None = None  # a path glob or (part of) a site name, case-insensitive
    #: the year taken for a bound written without one ("since": 2026): said in the answer
    assumed_year: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    @property
    def active(self) -> bool:
        return self.since is not None or self.until is not None or bool(self.source)

    @property
    def by_date(self) -> bool:
        return self.since is not None or self.until is not None

    def merged(self, other: "Filters") -> "Filters":
        """These filters, each one not set taken from `other` (flags given with a prefix)."""
        mine, theirs = dict(self.assumed_year), dict(other.assumed_year)
        years = tuple((side, (mine if getattr(self, side) else theirs)[side]) for side in ("since", "until")
                      if side in (mine if getattr(self, side) else theirs))
        merged = Filters(self.since or other.since, self.until or other.until, self.source or other.source, years)
        _check_range(merged)
        return merged

    def as_json(self) -> dict[str, object]:
        return {"since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None, "source": self.source,
                "assumed_year": dict(self.assumed_year) or None}


def describe(applied: Mapping[str, object]) -> str:
    """Filters (as_json) for people: "since 1 Jan 2024 · until 30 Jun 2024 · source reuters", a
    bound written without a year saying the year taken: "since 1 Mar 2026 (no year given: 2026)"."""
    assumed = applied.get("assumed_year") or {}
    parts = []
    for side in ("since", "until"):
        if applied.get(side):
            year = f" (no year given: {assumed[side]})" if side in assumed else ""
            parts.append(f"{side} {human_date(str(applied[side]))}{year}")
    if applied.get("source"):
        parts.append(f"source {applied['source']}")
    return " · ".join(parts)


def human_date(iso: str) -> str:
    """'2024-03-12' -> '12 Mar 2024' (the citation line's form)."""
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


#: the forms a bound may take, each read one way only (strptime: an impossible date is no date)
_NUMERIC_FORMS = [("%Y", "year"), ("%Y-%m", "month"), ("%Y-%m-%d", "day")]
_WRITTEN_FORMS = [("%d %B %Y", "day"), ("%d %b %Y", "day"), ("%B %d %Y", "day"), ("%b %d %Y", "day"),
                  ("%B %Y", "month"), ("%b %Y", "month")]
_ACCEPTED = ('write a year (2024), a month (2024-03), a day (2024-03-12) or a written date '
             '("12 March 2024", "March 2024", "12 March", "March")')


@dataclass(frozen=True)
class Bound:
    """A bound as read: its first or last day, and the year taken when the user wrote none."""

    day: dt.date
    assumed_year: int | None = None


#: a value of each filter, and one with spaces, for the errors that ask for one
_EXAMPLES = {"since": "2024-03", "until": "2024-06", "source": "reuters"}
_QUOTED = {"since": "1 March 2024", "until": "30 June 2024", "source": "Coast Courier"}


def parse_bound(text: str, end: bool) -> dt.date:
    """The first (end=False) or last (end=True) day of the period the user wrote: 2024, 2024-01,
    2024-01-15, "March 2024", "1 March 2024". QAError when it is not one of those forms."""
    return read_bound(text, end).day


def read_bound(text: str, end: bool, today: dt.date | None = None) -> Bound:
    """parse_bound's reading, with the year it took for a date written without one ("12 March",
    "March": the latest such period that has begun by `today`), so the answer can say it."""
    value = " ".join(text.split())
    if re.fullmatch(r"\d{4}(-\d{1,2}){0,2}", value):
        found = _strict(value, _NUMERIC_FORMS)
        if found is None:
            raise QAError(f'cannot read "{text}" as a date (year-month-day, each in its range); {_ACCEPTED}')
        return Bound(_period_edge(*found, end))
    written = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", value.casefold().replace(",", " "))
    written = " ".join(re.sub(r"\b(sept)\b", "sep", written.replace(".", " ")).split())
    found = _strict(written, _WRITTEN_FORMS)
    if found is not None:
        return Bound(_period_edge(*found, end))
    today = today or dt.date.today()
    for year in range(today.year, today.year - 8, -1):  # a 29 February may be years back
        found = _strict(f"{written} {year}", _WRITTEN_FORMS)
        if found is not None and found[0] <= today:
            return Bound(_period_edge(*found, end), assumed_year=year)
    raise QAError(f'cannot read "{text}" as a date; {_ACCEPTED}')


def _strict(value: str, forms: Sequence[tuple[str, str]]) -> tuple[dt.date, str] | None:
    """The first day and kind of period ("year", "month", "day") of the first form that reads
    `value` whole, or None."""
    for form, period in forms:
        try:
            return dt.datetime.strptime(value, form).date(), period
        except ValueError:  # another form, an impossible date, or year 0
            continue
    return None


def _period_edge(first: dt.date, period: str, end: bool) -> dt.date:
    if not end or period == "day":
        return first
    if period == "year":
        return dt.date(first.year, 12, 31)
    return dt.date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])


def make_filters(since: str | None = None, until: str | None = None, source: str | None = None) -> Filters:
    """Filters from the user's words (flags or prefix values); QAError for a bad date, an empty
    value (`--since ""` would otherwise filter nothing without a word) or an empty range."""
    for name, value in (("since", since), ("until", until), ("source", source)):
        if value is not None and not value.strip():
            raise QAError(f"--{name} is empty; give it a value, e.g. {_EXAMPLES[name]}")
    bounds = {"since": read_bound(since, end=False) if since else None,
              "until": read_bound(until, end=True) if until else None}
    assumed = tuple((side, b.assumed_year) for side, b in bounds.items() if b and b.assumed_year)
    filters = Filters(bounds["since"] and bounds["since"].day, bounds["until"] and bounds["until"].day,
                      source.strip() or None if source else None, assumed)
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
        _refuse_empty(rest)
        match = _PREFIX.match(rest)
        if match is None:
            break
        values[match.group(1).lower()] = next(g for g in match.groups()[1:] if g is not None)
        rest = rest[match.end():]
    if not values:
        return Filters(), question
    return make_filters(values.get("since"), values.get("until"), values.get("source")), rest.strip()


def _refuse_empty(rest: str) -> None:
    """QAError for a filter word left without its value ("since: 2024 Who ..."): searched as
    words, it would quietly filter nothing."""
    empty = _EMPTY_PREFIX.match(rest)
    if empty is not None:
        name = empty.group(1).lower()
        raise QAError(f"{name}: has no value; write it right after the colon, e.g. {name}:{_EXAMPLES[name]} "
                      f'(quote one with spaces: {name}:"{_QUOTED[name]}")')


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
