"""Markdown front matter: a leading `---` YAML block that describes the article and is not its text.

The block gives the title, date, author and site; the article text starts after its closing
line. Anything that is not a well-formed block of `key: value` pairs (no closing line, YAML that
does not parse, a list or a plain string) is not front matter: the file is read as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.ingest.metadata import ArticleMeta, author_name, iso_date

#: the closing line is looked for in this many characters at most (a block is a few lines)
MAX_FRONT_MATTER_CHARS = 16384
_OPEN = re.compile(r"---[ \t]*(?:\r\n|\r|\n)")
_KEY_OR_BLANK = re.compile(r"(?:[ \t]*[\w-]+[ \t]*:(?:[ \t][^\r\n]*)?|[ \t]*- [^\r\n]*|[ \t]*)(?:\r\n|\r|\n)")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r\n|\r|\n|$)", re.MULTILINE)


@dataclass(frozen=True)
class FrontMatter:
    end: int  # offset in the text where the article starts (after the closing line)
    title: str | None
    meta: ArticleMeta


def block_end(text: str) -> int:
    """Where a leading `---` block ends, well-formed or not: after its closing line, else after
    the `key: value` (and blank) lines that follow the opening one (0 without one). A malformed block is article text, but never its title."""
    opening = _OPEN.match(text)
    if not opening:
        return 0
    closing = _CLOSE.search(text, opening.end(), opening.end() + MAX_FRONT_MATTER_CHARS + 8)
    if closing:
        return closing.end()
    position = opening.end()  # no closing line: the block is its "key: value" and blank lines
    while line := _KEY_OR_BLANK.match(text, position):
        if line.end() == position:
            break
        position = line.end()
    return position


def split_front_matter(text: str) -> FrontMatter | None:
    """The front matter at the start of `text`, or None when there is none (or it is malformed)."""
    opening = _OPEN.match(text)
    if not opening:
        return None
    closing = _CLOSE.search(text, opening.end())
    if not closing or closing.start() - opening.end() > MAX_FRONT_MATTER_CHARS:
        return None
    import yaml  # only for files that start with a front-matter fence

    try:
        fields = yaml.safe_load(text[opening.end():closing.start()])
    except Exception:  # YAMLError, and ValueError ("date: 2024-13-45"), RecursionError ("[[[[...")
        return None
    if not isinstance(fields, dict):
        return None
    fields = {str(k).lower(): v for k, v in fields.items()}
    title = fields.get("title")
    title = " ".join(str(title).split()) if isinstance(title, (str, int, float)) else ""
    author = next((author_name(fields[k]) for k in ("author", "authors", "byline") if fields.get(k)), None)
    site = next((author_name(fields[k]) for k in ("site", "site_name", "publisher") if fields.get(k)), None)
    date = next((iso_date(fields[k]) for k in ("date", "published", "pubdate") if fields.get(k)), None)
    return FrontMatter(closing.end(), title or None, ArticleMeta(date, author, site))
