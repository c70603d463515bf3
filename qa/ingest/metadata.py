"""Publication date, author and site of an article, from what the article itself says.

HTML pages: their metadata, read by trafilatura (meta tags, JSON-LD, <time> elements; htmldate
for the date, without its "extensive" guessing, which turns a "© 2024" footer into 2024-01-01).
Text and Markdown: a dateline or a date/byline line among the first lines ("TRIPOLI, 14 February
2023 (Reuters) -", "Published: 3 April 2024", "By Maria Okafor"), the date read by dateparser.
Only absolute dates with a day, a month named in words (or an ISO date) and a year count: never
"today", a bare weekday, "12/03/2024" (day or month first?), nor the file's mtime. Unknown is None.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from qa.ingest.webpage import is_site_name, site_from_title

#: only this many non-blank lines at the top of an article are read for a dateline or byline
HEAD_LINES = 6
#: and no more than this many characters of them
HEAD_CHARS = 2000
#: a date or byline line is short; longer lines are story text (a dateline opens a long one)
MAX_META_LINE_CHARS = 120
MAX_AUTHOR_CHARS = 100

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
#: a string worth handing to the date parser: a month in words next to a number, or an ISO date
_DATE_LIKE = re.compile(rf"\b(?:{_MONTH}\s+\d{{1,2}}\b|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:\s|,|$))"
                        r"|\b\d{4}-\d{2}-\d{2}\b", re.IGNORECASE)
#: the white space after a dateline's comma: all of it, of which the date may take back its last
#: five (a date of four characters and one before the dash); `\s*` gave back any number, each
#: tried with every length of the date that may hold white space too (quadratic: 7 s for a comma
#: and 4,000 blanks in a file)
_AFTER_COMMA = r"(?>(?:\s(?=\s{5}))*)\s{0,5}"
#: "TRIPOLI, 14 February 2023 (Reuters) –": place in capitals, optional date, agency, a dash
_DATELINE = re.compile(rf"^[A-Z][A-Z .'’/-]{{1,40}}(?:,{_AFTER_COMMA}(?P<date>[^()\n]{{4,60}}?))?\s*"
                       r"\((?P<agency>[A-Z][\w&.' -]{1,40})\)\s*[-–—:]")
#: "DERNA, 12 March 2024 – ": the same without an agency; the date must then parse with its year
_PLAIN_DATELINE = re.compile(rf"^[A-Z][A-Z .'’/-]{{1,40}},{_AFTER_COMMA}(?P<date>[^()\n]{{4,40}}?)\s+[-–—]\s")
#: either dateline at the start of any line: what one story's syndicated copies differ by
_ANY_DATELINE = re.compile(("^(?:" + "|".join(p.pattern[1:] for p in (_DATELINE, _PLAIN_DATELINE)) + r")[ \t]*")
                           .replace("?P<date>", "").replace("?P<agency>", ""), re.MULTILINE)
_LABEL = re.compile(r"^(?P<label>published|first published|posted|updated|last updated|last modified|date)\b"
                    r"(?:\s+on)?\s*[:\-–]?\s*(?P<rest>.+)$", re.IGNORECASE)
#: what follows a name on a byline: a role, a site, a date ("By Maria Okafor, Staff Reporter")
_AFTER_NAME = re.compile(r"\s*(?:,|\||·|•|\s[-–—]\s|\bin\s+[A-Z]|\bfor\s+[A-Z]|\bon\s+(?:\d|[A-Z][a-z]+day\b))")
_WEEKDAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?"
#: the shape of a line that is only a date: it opens with a weekday, a month or a number, holds a
#: year and is a few words ("Tuesday 12 March 2024", "March 12, 2024 10:15 GMT", "2024-03-12");
#: each word ends at white space or the end (`\S+\s*` could split a word eight ways: a 30-letter
#: word before a ninth took a second, a 100-letter one hours)
_DATE_LINE = re.compile(rf"^(?=.*\b(?:19|20)\d\d\b)(?:{_WEEKDAY}\s+)?(?:\d|{_MONTH}\s)(?:\S+(?:\s+|$)){{1,8}}$", re.IGNORECASE)
_YEAR = re.compile(r"\b\d{4}\b")
#: what a label's date opens with: a weekday, a number or a month ("Updated figures show ..." is no date)
_OPENS_DATE = re.compile(rf"(?:{_WEEKDAY}\s+)?(?:\d|{_MONTH}\s)", re.IGNORECASE)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
#: what parts a head line: "Tue 12 March 2024 | By Maria Okafor", "March 3, 2026 / 9:41 AM / Updated 2 hours ago"
_SEPARATORS = re.compile(r"\s+[|·•/]\s+")
_MARKUP_EDGES = " \t*_>#`"


@dataclass(frozen=True)
class ArticleMeta:
    date: str | None = None  # ISO YYYY-MM-DD
    author: str | None = None
    site: str | None = None

    @property
    def complete(self) -> bool:
        return None not in (self.date, self.author, self.site)

    def or_else(self, other: ArticleMeta) -> ArticleMeta:
        """These fields, each missing one taken from `other`."""
        return ArticleMeta(self.date or other.date, self.author or other.author, self.site or other.site)


@lru_cache(maxsize=1)
def _date_parser():
    from dateparser.date import DateDataParser  # ~0.2 s with its English data: only when needed

    return DateDataParser(languages=["en"], settings={
        "PARSERS": ["custom-formats", "absolute-time"],  # no "relative-time": never "today"
        "REQUIRE_PARTS": ["day", "month", "year"],  # no bare weekday, no "March 2024"
        "STRICT_PARSING": True, "PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False})


def parse_date(value: str, *, within: bool = False) -> str | None:
    """ISO date of a written date ("14 February 2023", "Tue, 12 Mar 2024 08:15 GMT", "2024-03-12").
    `within`: the date may sit among other words ("Updated 3 April 2024, 10:15 BST")."""
    value = " ".join(value.strip(_MARKUP_EDGES).split())
    match = _DATE_LIKE.search(value)
    if not match or len(value) > MAX_META_LINE_CHARS:
        return None
    iso = _ISO.search(value)
    if iso:
        return _valid(*map(int, iso.groups())) if within or iso.group(0) == value[:10] else None
    found = _date_parser().get_date_data(value).date_obj
    if found is None and within:
        found = _date_parser().get_date_data(_date_phrase(value, match.start())).date_obj
    return _valid(found.year, found.month, found.day) if found else None


def _date_phrase(value: str, start: int) -> str:
    """From the month or day that matched up to the year after it: '3 April 2024' of a longer line."""
    year = _YEAR.search(value, start)
    return value[start:year.end()] if year else value[start:]


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date.isoformat() if 1900 <= year <= dt.date.today().year + 1 else None


def iso_date(value: Any) -> str | None:
    """ISO date of a front-matter value: YAML gives a date, a datetime or a string."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return _valid(value.year, value.month, value.day)
    return parse_date(value) if isinstance(value, str) else None


def author_name(value: Any) -> str | None:
    """An author field (a string, {name: ...}, or a list of those) as one line, 'A, B' for several."""
    if isinstance(value, (list, tuple)):  # one level only: YAML aliases can make a list hold itself
        names = [_one_name(v) for v in value]
        name = ", ".join(n for n in names if n)
    else:
        name = _one_name(value) or ""
    return name[:MAX_AUTHOR_CHARS] or None


def _one_name(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


_NAME_WORD = re.compile(r"^(?:[A-Z][\w.'’-]*|[A-Z]\.|and|&|de|del|der|van|von|da|di|du|le|la|al|bin|el)$")
_NOT_NAMES = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "The", "Then",
              "Now", "Last", "Next", "This", "Early", "Late", "Noon", "Midnight"}
#: news agencies a byline may name after the writer ("By Jane Doe Reuters")
_AGENCIES = ("the associated press", "associated press", "reuters", "afp", "agence france-presse", "bloomberg",
             "bloomberg news", "dpa", "upi", "efe", "ansa")
_BYLINE_START = re.compile(r"^(?:By|BY|by)\s+(?=[A-Z])")


def _byline(part: str) -> tuple[str | None, str]:
    """(author, the rest of the line) of 'By Maria Okafor, Staff Reporter'; (None, '') if not a byline."""
    start = _BYLINE_START.match(part)
    if not start:
        return None, ""
    body = part[start.end():]
    cut = _AFTER_NAME.search(body)
    name, rest = (body[:cut.start()], body[cut.end():]) if cut else (body, "")
    words = name.split()
    if not 1 <= len(words) <= 6 or words[0] in _NOT_NAMES or not all(_NAME_WORD.match(w) for w in words):
        return None, ""
    words, _ = _name_and_outlet(words)
    return " ".join(words)[:MAX_AUTHOR_CHARS], rest


def byline_outlet(line: str) -> str | None:
    """The outlet a byline names after the writer: 'By JANE DOE Associated Press' (AP style, the
    name in capitals) or 'By Jane Doe Reuters' gives 'Associated Press', 'Reuters'."""
    start = _BYLINE_START.match(line)
    body = line[start.end():] if start else ""
    cut = _AFTER_NAME.search(body)
    words = (body[:cut.start()] if cut else body).split()
    return " ".join(_name_and_outlet(words)[1]) or None if 1 <= len(words) <= 6 else None


def _name_and_outlet(words: list[str]) -> tuple[list[str], list[str]]:
    """A byline's words split into the writer's name and the outlet after it: an agency named last,
    or words in Title case after a name in capitals ('JANE DOE Associated Press')."""
    lowered = " ".join(words).lower()
    for agency in _AGENCIES:
        if lowered.endswith(" " + agency) and len(agency.split()) < len(words):
            return words[:-len(agency.split())], words[-len(agency.split()):]
    caps = 0
    while caps < len(words) and words[caps].isupper() and len(words[caps].strip(".")) > 1:
        caps += 1
    if caps >= 2 and caps < len(words) and not words[caps].isupper():
        return words[:caps], words[caps:]
    return words, []


def is_head_line(line: str) -> bool:
    """A line that only states who wrote the article or when ('By JANE DOE Associated Press',
    'Published: 3 April 2024', 'March 3, 2026 / 9:41 AM'): never part of a sentence or of the
    title beside it. Patterns only (no date parsing): it is asked of every line of hard-wrapped text."""
    line = line.strip().strip(_MARKUP_EDGES)
    if not line or len(line) > MAX_META_LINE_CHARS:
        return False
    for part in _SEPARATORS.split(line):
        label = _LABEL.match(part)
        dated = len(part.split()) <= 6 and _DATE_LINE.match(part)  # not a wrapped line that opens "3, 2026 the ..."
        labelled = label and _OPENS_DATE.match(label["rest"]) and _DATE_LIKE.search(label["rest"])  # "Updated: 3 April 2024"
        name, rest = _byline(part)
        rest = rest.strip()  # "By Maria Okafor, Staff Reporter"; not "By Christmas Eve, the shops had sold out of"
        if (name and (not rest or (rest[0].isupper() or rest[0].isdigit()) and len(rest.split()) <= 6)) or dated or labelled:
            return True
    return False


def _head_lines(text: str, start: int) -> list[str]:
    lines = []
    for line in text[start:start + HEAD_CHARS].splitlines():
        line = line.strip(_MARKUP_EDGES)
        if line:
            lines.append(line)
            if len(lines) == HEAD_LINES:
                break
    return lines


def without_datelines(text: str) -> str:
    """The text with a dateline opening any of its lines taken out ("LONDON, March 3 (Reuters) - "):
    copies of a wire story that differ only there are one story (qa/index/duplicates.py)."""
    return _ANY_DATELINE.sub("", text)


def from_text(text: str, start: int = 0) -> ArticleMeta:
    """Date, author and agency from the first lines of a plain-text or Markdown article."""
    published = updated = author = site = None
    for line in _head_lines(text, start):
        dateline = _DATELINE.match(line)
        if dateline:
            site = site or " ".join(dateline["agency"].split())
            if dateline["date"]:
                published = published or parse_date(dateline["date"], within=True)
            continue
        plain = _PLAIN_DATELINE.match(line)
        if plain and parse_date(plain["date"], within=True):
            published = published or parse_date(plain["date"], within=True)
            continue
        if len(line) > MAX_META_LINE_CHARS:
            continue
        for part in _SEPARATORS.split(line):
            name, rest = _byline(part)
            if name:
                author = author or name
                site = site or byline_outlet(part)
                published = published or (parse_date(rest, within=True) if rest else None)
                continue
            label = _LABEL.match(part)
            if label:
                found = parse_date(label["rest"], within=True)
                if label["label"].lower() in ("published", "first published", "posted", "date"):
                    published = published or found
                else:
                    updated = updated or found
            elif _DATE_LINE.match(part):
                published = published or parse_date(part)
    return ArticleMeta(published or updated, author, site)


def from_html(meta: Any, page_title: str | None = None) -> tuple[ArticleMeta, str | None]:
    """The fields of trafilatura's metadata record (its date already ISO, by htmldate), no author
    that only names the site; and the site the page's <title> names after its headline, for when
    neither the meta tags nor the article's own dateline name one (qa/ingest/webpage.py)."""
    if meta is None:
        return ArticleMeta(), None
    date = meta.date if isinstance(meta.date, str) and _ISO.fullmatch(meta.date) else None
    author = author_name(meta.author.replace("; ", ", ")) if meta.author else None
    site, titled = author_name(meta.sitename), site_from_title(page_title, meta.title)
    if is_site_name(author, site) or is_site_name(author, titled):
        author = None
    return ArticleMeta(date, author, site), titled
