"""Reading article files: bytes to decoded text, title, date/author/site and the paragraphs that are article text.

Offsets everywhere in the tool refer to `Document.text`, the file's decoded text exactly as
`open(path, encoding=Document.encoding, newline="").read()` gives it (a BOM is not part of it),
so a citation can be checked against the file. For HTML the text is the extracted main text, for
a PDF the extracted text of its pages (`Document.pages`, `page_at`). Markdown front matter is part
of the text (offsets stay file offsets) but never a paragraph.
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from qa.ingest.boilerplate import keep_mask
from qa.config import HTML_SUFFIXES
from qa.ingest.frontmatter import block_end, split_front_matter
from qa.ingest.liveblog import with_post_times
from qa.ingest.webpage import ACCOUNT_NAMES, NOT_TEXT, NOT_THE_STORY, no_article
from qa.ingest.metadata import ArticleMeta, from_html, from_text, is_head_line
from qa.ingest.sentences import content_lines

#: read through the PDF text extractor (qa/ingest/pdf.py); PDF bytes under another name stay "binary file"
PDF_SUFFIXES = {".pdf"}
#: Markdown files may open with a `---` YAML front-matter block (qa/ingest/frontmatter.py)
MARKDOWN_SUFFIXES = {".md", ".markdown"}

MAX_TITLE_CHARS = 200
#: larger files are skipped unread: no news article is this long, and one such file (a log, a
#: dump) would take minutes to embed and hundreds of MB of memory
MAX_FILE_BYTES = 8 * 2**20
#: a PDF's bytes are mostly its fonts and pictures: its size limit is higher, and its extracted
#: text has the article limit (MAX_FILE_BYTES)
MAX_PDF_BYTES = 64 * 2**20

_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b",
                 b"BZh", b"7z\xbc\xaf", b"Rar!", b"\x7fELF", b"\xd0\xcf\x11\xe0", b"OggS", b"ID3")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
#: a line ending so ended a sentence (closing quotes and brackets after the stop included)
_SENTENCE_ENDS = (".", "!", "?", ".\"", "!\"", "?\"", ".”", "?”", "!”", ".’", ".)", ":")
#: a wire service's keyword slug before or above a headline ("KESTREL-RESULTS/", "CALDERA-ELECTION/ Delane wins")
#: and its version tag ("UPDATE 2-", "REFILE-"): not words of the title a card shows
_SLUG = re.compile(r"^(?:[A-Z0-9][A-Z0-9&.-]*(?:/[A-Z0-9&.-]+)*/(?=\s|$)\s*)?"
                   r"(?:(?:UPDATE|REFILE|CORRECTED|RPT|WRAPUP)(?: \d{1,2})?-(?=\S))*")  # "UPDATE 2-Velmora to cut jobs"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f]")  # below space, other than \t \n \v \f \r


class Unreadable(Exception):
    """The file is not a text article (binary, empty, undecodable); the message says why."""


class OverBudget(Unreadable):
    """Reading the file needed more memory or time than its reader's budget (qa/settings.py
    ReaderSettings): it is skipped, and not read again until it changes."""


@dataclass(frozen=True)
class Paragraph:
    number: int  # 1-based, counted over every paragraph of the file, title line included
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    path: Path
    title: str
    text: str
    encoding: str
    sha256: str
    paragraphs: tuple[Paragraph, ...]  # article text only: boilerplate and front matter left out
    date: str | None = None  # publication date, ISO YYYY-MM-DD, as the article states it
    author: str | None = None  # byline ("A, B" for several)
    site: str | None = None  # publication or agency ("The Coast Courier", "Reuters")
    pages: tuple[int, ...] = ()  # PDF only: offset in `text` where each page starts


def page_at(doc: Document, offset: int) -> int | None:
    """The 1-based page of a PDF document that holds `offset`; None for other documents."""
    if not doc.pages or not 0 <= offset <= len(doc.text):
        return None
    return bisect.bisect_right(doc.pages, offset)


@dataclass(frozen=True)
class _Read:
    """A file's text as read by its reader, before paragraphs are cut."""

    text: str
    encoding: str
    title: str | None = None
    meta: ArticleMeta = ArticleMeta()
    body_start: int = 0  # paragraphs start here (after front matter)
    pages: tuple[int, ...] = ()
    blocks: bool = False  # paragraphs are blocks between blank lines, never single lines
    lines: bool = False  # every line is a paragraph, never a wrapped line (the HTML extractor's text)
    title_start: int = 0  # the title is looked for from here (after a malformed front matter block)
    last_resort: ArticleMeta = ArticleMeta()  # fields for when neither the reader nor the text's head lines give them


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): a BOM wins, then UTF-8, then cp1252 for legacy files (latin-1 when a
    byte is undefined in cp1252, so the text always equals the file read with that encoding)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise Unreadable(f"not valid {encoding}") from exc
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:65536]:
        raise Unreadable("binary file")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "latin-1"
    sample = text[:65536]
    controls = len(_CONTROL_CHARS.findall(sample))
    if sample and (controls / len(sample) > 0.01 or sample.count("\ufffd") / len(sample) > 0.01):
        raise Unreadable("binary file")
    return text, encoding


def _paragraph_spans(text: str, start: int = 0, blocks: bool = False, lines: bool = False) -> list[tuple[int, int]]:
    """Paragraphs from `start` on: blocks between blank lines; inside a block each line is a
    paragraph unless the file is hard-wrapped (then a block is one paragraph) or `blocks` is set.
    `lines`: every line is a paragraph (an HTML page's extracted text: never wrapped)."""
    spans = [m.span() for m in content_lines(text, start)]
    if lines:
        return [_strip(text, s, e) for s, e in spans]
    lengths = [e - s for s, e in spans]
    hard_wrapped = blocks or (len(spans) >= 5 and max(lengths) <= 100 and (
        sum(l >= 50 for l in lengths) >= len(spans) / 2 or _wrapped_lines(text, spans, lengths)))
    if not hard_wrapped:
        return [_strip(text, s, e) for s, e in spans]
    return [_strip(text, s, e) for s, e in _blocks(text, spans, measured=not blocks)]


def _wrapped_lines(text: str, spans: list[tuple[int, int]], lengths: list[int]) -> bool:
    """Whether most lines that another line follows fill the width (a short mail or wire story:
    few lines, many of them its paragraphs' short last lines), or two paragraphs or more open with
    an indented line over unindented ones."""
    widest = max(lengths)
    joined = [i for i in range(len(spans) - 1) if text[spans[i][1]:spans[i + 1][0]] in ("\n", "\r\n", "\r")]
    followed = [lengths[i] for i in joined]
    # or paragraphs' first lines indented below unindented lines (1980s wire copy)
    indents = sum(text[spans[i][0]] not in " \t" and text[spans[i + 1][0]] in " \t" for i in joined)
    return len(followed) >= 3 and (sum(l >= 0.8 * widest for l in followed) >= len(followed) / 2 or indents >= 2)


def _blocks(text: str, spans: list[tuple[int, int]], measured: bool = False) -> list[tuple[int, int]]:
    """The lines joined across single line breaks: the blocks between blank lines (joined in
    code: a pattern of repeated lines read a line of white space from each of its characters),
    cut where a line opens a paragraph though no blank line comes before it (_opens_paragraph)."""
    # the wrapping width, as the line length a tenth of the lines reach: one longer line (a URL,
    # a table row) must not make a wrapped line look ended early
    width = sorted(e - s for s, e in spans)[int(0.9 * (len(spans) - 1))] if measured and spans else 0
    out: list[tuple[int, int]] = []
    for i, (s, e) in enumerate(spans):
        if out and text[out[-1][1]:s] in ("\n", "\r", "\r\n") and not _opens_paragraph(text, spans, i, width):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _opens_paragraph(text: str, spans: list[tuple[int, int]], i: int, width: int) -> bool:
    """Whether line i of hard-wrapped text opens a paragraph with no blank line before it: it or
    the line before is a byline or a date line; or, in monospaced text (`width`, its wrapping width),
    it is indented as a first line ("    ERREDA, Aug 21 - ..." under unindented lines, wire copy of
    the 1980s), or the line before ended a sentence, or is the file's first line, where this
    line's first word would still have fitted (a wrapper would have put it there)."""
    (ps, pe), (s, e) = spans[i - 1], spans[i]
    before, line = text[ps:pe], text[s:e]
    if is_head_line(before) or is_head_line(line):
        return True
    if not width:
        return False
    indent = len(line) - len(line.lstrip())
    next_indent = indent - 1
    if i + 1 < len(spans):
        following = text[spans[i + 1][0]:spans[i + 1][1]]
        next_indent = len(following) - len(following.lstrip())
    if indent > len(before) - len(before.lstrip()) and next_indent < indent:
        return True
    fits = len(before.rstrip()) + 1 + len(line.split(None, 1)[0]) <= width
    return fits and (i == 1 or before.rstrip().endswith(_SENTENCE_ENDS))


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _title_from(text: str, spans: list[tuple[int, int]], fallback: str) -> str:
    for start, end in spans:
        title = _SLUG.sub("", " ".join(text[start:end].split()))
        if any(ch.isalnum() for ch in title):  # a real line, not a "---" or "***" rule
            return title[:MAX_TITLE_CHARS]
    return fallback


def _heading_text(line: str) -> str:
    return " ".join(line.strip().lstrip("#").strip().split())


def is_web_page(path: str | os.PathLike[str]) -> bool:
    """Whether a file is read as a saved web page (its text extracted by the HTML reader)."""
    return Path(path).suffix.lower() in HTML_SUFFIXES


def parse(path: Path, data: bytes) -> Document:
    """Turn a file's bytes into a Document, or raise Unreadable."""
    if not data.strip():
        raise Unreadable("empty file")
    if len(data) > max_bytes(path):
        raise Unreadable(too_big(len(data), max_bytes(path)))
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        read = _read_pdf(data)
    elif is_web_page(path):
        read = _read_html(data)
    else:
        read = _read_text(data, markdown=suffix in MARKDOWN_SUFFIXES)
    text = read.text
    spans = [s for s in _paragraph_spans(text, read.body_start, read.blocks, read.lines) if s[0] < s[1]]
    if not spans:
        raise Unreadable("no text")
    title = read.title or _title_from(text, [s for s in spans if s[0] >= read.title_start] or spans, path.stem)
    keep = keep_mask([text[s:e] for s, e in spans])
    if read.body_start and read.title and _heading_text(text[spans[0][0]:spans[0][1]]) == " ".join(read.title.split()):
        keep[0] = False  # a Markdown body's "# Title" repeating its front matter's title: the title is searched anyway
    paragraphs = tuple(Paragraph(i + 1, s, e) for i, (s, e) in enumerate(spans) if keep[i])
    if not any(any(ch.isalnum() for ch in text[p.start:p.end]) for p in paragraphs):
        raise Unreadable("no words")
    meta = read.meta if read.meta.complete else read.meta.or_else(from_text(text, read.body_start)).or_else(read.last_resort)
    return Document(path, title, text, read.encoding, sha256_bytes(data), paragraphs,
                    meta.date, meta.author, meta.site, read.pages)


def _read_text(data: bytes, markdown: bool) -> _Read:
    """A text file decoded; for Markdown, its front matter (title, date, author) split off."""
    text, encoding = decode(data)
    front = split_front_matter(text) if markdown and text.startswith("---") else None
    if front is None:
        return _Read(text, encoding, title_start=block_end(text))
    title = front.title[:MAX_TITLE_CHARS] if front.title else None
    return _Read(text, encoding, title, front.meta, body_start=front.end)


def _read_pdf(data: bytes) -> _Read:
    """The text layer of a PDF, one page after another (qa/ingest/pdf.py), read in the reader's child
    process (qa/ingest/read_worker.py): PDFium's memory is bounded there."""
    got = _within_budget("pdf", data)
    if len(got["text"]) > MAX_FILE_BYTES:
        raise Unreadable(f"too much text for an article ({len(got['text']) / 2**20:.1f} M characters, "
                         f"the limit is {MAX_FILE_BYTES // 2**20} M); split it into articles to index it")
    title = got["title"][:MAX_TITLE_CHARS] if got["title"] else None
    return _Read(got["text"], "pdf", title, pages=tuple(got["pages"]), blocks=True)


def _read_html(data: bytes) -> _Read:
    """Main text of an HTML page, its title and metadata (read_html_here), read in the reader's
    child process (qa/ingest/read_worker.py): trafilatura's time is bounded there."""
    got = _within_budget("html", data)
    return _Read(got["text"], got["encoding"], got["title"], ArticleMeta(got["date"], got["author"], got["site"]),
                 last_resort=ArticleMeta(site=got["titled_site"]), lines=True)


def _within_budget(kind: str, data: bytes) -> dict:
    from qa.ingest.read_worker import BudgetExceeded, ReadFailed, read_within_budget

    try:
        return read_within_budget(kind, data)
    except ReadFailed as exc:
        raise Unreadable(str(exc)) from exc
    except BudgetExceeded as exc:
        raise OverBudget(str(exc)) from exc


def read_pdf_here(data: bytes) -> dict:
    """The PDF reader's fields (qa/ingest/pdf.py) in this process: the reader's child calls it."""
    from qa.ingest.pdf import PdfError, extract  # pypdfium2 is imported only for PDFs

    try:
        pdf = extract(data)
    except PdfError as exc:
        raise Unreadable(str(exc)) from exc
    return {"text": pdf.text, "pages": list(pdf.pages), "title": pdf.title}


def read_html_here(data: bytes) -> dict:
    """The HTML reader's fields in this process (the reader's child calls it): the main text
    through trafilatura (boilerplate-aware), the title and the page's date, author and site."""
    import trafilatura  # imported only for HTML: it is slow to import

    raw, encoding = decode(data)
    text = _main_text(raw)
    if not text:
        raise Unreadable("no article text in HTML")
    if reason := no_article(text):
        raise Unreadable(reason)
    # extensive=False: htmldate's guessing would date a page from its "© 2024" footer
    story = _story_tree(raw)
    meta = trafilatura.extract_metadata(raw if story is None else story, extensive=False,
                                        author_blacklist=set(ACCOUNT_NAMES))
    title = " ".join(meta.title.split())[:MAX_TITLE_CHARS] if meta and meta.title else None
    found, titled_site = from_html(meta, None if story is None else _titled(story, meta.title if meta else None))
    return {"text": text, "encoding": f"html:{encoding}", "title": title,
            "date": found.date, "author": found.author, "site": found.site, "titled_site": titled_site}


def _main_text(raw: str) -> str | None:
    """The page's main text by trafilatura, other stories' articles and captions pruned (qa/ingest/webpage.py)."""
    import trafilatura

    live = _live_page(raw)
    text = trafilatura.extract(raw if live is None else live, include_comments=False, include_tables=False,
                               favor_recall=True, prune_xpath=list(NOT_TEXT))
    return text if text and text.strip() else None


def _titled(tree, headline: str | None) -> str | None:
    """The page's <title>, when the headline trafilatura found stands on the page as an <h1> or a
    title meta tag (og:title, twitter:title): else the headline may be a part of the <title>
    itself ("BBC NEWS | UK | GP surgery to close" gives "BBC NEWS | UK"), and what follows it no site."""
    words = " ".join((headline or "").split())
    on_page = [" ".join(h.text_content().split()) for h in tree.iter("h1")]
    on_page += [" ".join((m.get("content") or "").split()) for m in tree.iter("meta")
                if (m.get("property") or m.get("name") or "").lower() in ("og:title", "twitter:title")]
    return tree.findtext(".//head/title") if words and words in on_page else None


def _story_tree(raw: str):
    """The page as a tree without the parts that are not its story (qa/ingest/webpage.py
    NOT_THE_STORY: comments, other articles, asides and menus), for its date and byline; None when
    lxml cannot parse it (the metadata is then read from the page as it is)."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(raw)
    except (ValueError, lxml.etree.ParserError):  # an XML declaration in a str, an empty document
        return None
    for path in NOT_THE_STORY:
        for element in tree.xpath(path):
            if element.getparent() is not None:  # not already gone with an element pruned before it
                element.drop_tree()
    return tree


def _live_page(raw: str):
    """The page as a tree with its post times in its posts' text when it is a live blog
    (qa/ingest/liveblog.py), else None: every other page is read from its text as before."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(raw)
    except (ValueError, lxml.etree.ParserError):  # an XML declaration in a str, an empty document
        return None
    return tree if with_post_times(tree) else None


def max_bytes(path: Path) -> int:
    """The size limit for a file of this name: `read_limited(handle, max_bytes(path))`."""
    return MAX_PDF_BYTES if path.suffix.lower() in PDF_SUFFIXES else MAX_FILE_BYTES


def too_big(size: int, limit: int | None = None) -> str:
    limit = limit or MAX_FILE_BYTES
    return (f"too large for an article ({size / 2**20:.1f} MB, the limit is {limit // 2**20} MB); "
            "split it into articles to index it")


def load(path: Path) -> Document:
    """Read and parse one file; OSError and Unreadable tell why it cannot be indexed."""
    with open_regular(path) as handle:
        return parse(path, read_limited(handle, max_bytes(path)))


def open_regular(path: str | Path) -> BinaryIO:
    """An article file opened for reading; Unreadable ("not a regular file") when it is not one.
    A named pipe put where an article was (after the scan that saw a file, or since it was
    indexed) blocked `open` until something wrote to it: `qa index` held the index's write lock
    forever, `qa index --check` never ended. Opened without blocking, and refused before a read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unreadable("not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(handle: BinaryIO, limit: int | None = None) -> bytes:
    """The file's bytes, or Unreadable without reading it all when it is over the size limit
    (MAX_FILE_BYTES unless given: pass `max_bytes(path)` so that PDFs get theirs)."""
    limit = limit or MAX_FILE_BYTES
    size = os.fstat(handle.fileno()).st_size
    if size > limit:
        raise Unreadable(too_big(size, limit))
    data = handle.read(size + 1)
    if len(data) > size:  # it grew since the stat: read on, up to the limit
        data += handle.read(limit + 1 - len(data))
    if len(data) > limit:
        raise Unreadable(too_big(max(size, len(data)), limit))
    return data
