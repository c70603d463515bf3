"""Dates, bylines and sites as the article states them: from HTML metadata, from a dateline or a
date/byline line at the top of a text article; never today's date, never a guess."""

from __future__ import annotations

import os

import pytest

from qa.ingest.chunking import chunk
from qa.ingest.documents import load
from qa.ingest.metadata import parse_date

from conftest import BBC, SEEDS, bbc_sample

STORY = ("The harbour reopened on Friday after the storm damaged the pier, officials said. "
         "Fishing boats returned to their moorings by the afternoon.\n\n"
         "Repairs will cost about two million pounds and take until the summer, the council said.\n")


@pytest.mark.parametrize("head, date, author, site", [
    ("TRIPOLI, 14 February 2023 (Reuters) \u2013 ", "2023-02-14", None, "Reuters"),
    ("Published: 3 April 2024\nBy Maria Okafor\n\n", "2024-04-03", "Maria Okafor", None),
    ("By Maria Okafor, Staff Reporter | Updated 12 Mar 2024, 10:15 GMT\n\n", "2024-03-12", "Maria Okafor", None),
    ("Updated 12 Mar 2024\n\n", "2024-03-12", None, None),
    ("**By Omar Haddad**\n*Tuesday 12 March 2024*\n\n", "2024-03-12", "Omar Haddad", None),
    ("Posted on March 12, 2024 at 10:15 am\n\n", "2024-03-12", None, None),
    ("2024-03-12\n\n", "2024-03-12", None, None),
    ("WASHINGTON (AP) \u2014 ", None, None, "AP"),
    ("DERNA, 12 March 2024 - ", "2024-03-12", None, None),
    ("LONDON, March 12, 2024 \u2014 ", "2024-03-12", None, None),
    ("By Omar Haddad and Maria Okafor\n\n", None, "Omar Haddad and Maria Okafor", None),
], ids=["dateline", "published-byline", "byline-updated", "updated", "markdown", "us-style", "iso",
        "agency-only", "plain-dateline", "plain-dateline-us", "two-authors"])
def test_dated_text_articles(tmp_path, head, date, author, site):
    path = tmp_path / "story.txt"
    path.write_text("Harbour reopens after storm\n\n" + head + STORY)
    doc = load(path)
    assert (doc.date, doc.author, doc.site) == (date, author, site)
    assert all(doc.text[p.start:p.end] == p.text for p in chunk(doc))


def test_published_date_wins_over_updated(tmp_path):
    path = tmp_path / "story.md"
    path.write_text("# Harbour reopens\n\nUpdated: 14 March 2024\nPublished: 12 March 2024\n\n" + STORY)
    assert load(path).date == "2024-03-12"


@pytest.mark.parametrize("head", [
    "Published today\n\n", "Updated yesterday at 10:15\n\n", "Monday\n\n", "3 days ago\n\n",
    "Date: 12/03/2024\n\n",  # 12 March or 3 December? not guessed
    "LONDON, March 3 (AP) \u2014 ",  # no year: not guessed
    "LONDON, March 3 \u2014 ",  # no agency and no year
    "Rain fell on 3 April 2024 in York, and the river rose.\n\n",  # a sentence, not a date line
    "By the time police arrived, the crowd had gone.\n\n",  # not a byline
    "By Friday the council had voted.\n\n",
], ids=["today", "yesterday", "weekday", "ago", "numeric", "no-year", "no-year-plain", "sentence", "by-the", "by-friday"])
def test_relative_ambiguous_or_incidental_dates_are_not_taken(tmp_path, head):
    path = tmp_path / "story.txt"
    path.write_text("Harbour reopens after storm\n\n" + head + STORY)
    doc = load(path)
    assert doc.date is None and doc.author is None


def test_a_date_deep_in_the_article_is_not_its_date_nor_is_the_file_time(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("Harbour reopens after storm\n\n" + STORY * 4 + "\n12 March 2024\n")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    assert load(path).date is None


def test_parse_date_reads_only_absolute_dates_with_a_year():
    assert parse_date("14 February 2023") == "2023-02-14"
    assert parse_date("Tue, 12 Mar 2024 08:15:00 GMT") == "2024-03-12"
    assert parse_date("Updated 3 April 2024, 10:15 BST", within=True) == "2024-04-03"
    assert parse_date("Updated 3 April 2024, 10:15 BST") is None  # a whole line must be a date
    for text in ("today", "yesterday", "Monday", "March 2024", "31 February 2024", "3 April 1066"):
        assert parse_date(text) is None, text


COURIER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour reopens after storm | The Coast Courier</title>
{meta}
</head><body>
<header><a href="/">The Coast Courier</a>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a> | <a href="/contact">Contact us</a></nav></header>
<main><article>
<h1>Harbour reopens after storm</h1>
<p class="byline">By <a href="/authors/omar-haddad" rel="author">Omar Haddad</a></p>
{time}
<p>{dateline}The harbour reopened on Friday after the storm damaged the pier, officials said in a statement to reporters on the quay.</p>
<p>Fishing boats returned to their moorings by the afternoon, and the ferry to the islands will run again from Monday, the harbour master said.</p>
<p>Repairs to the pier will cost about two million pounds and take until the summer, according to the council, which has asked the government for help.</p>
</article>
<aside><h2>Most read</h2><ul><li><a href="/a">Council tax to rise</a></li><li><a href="/b">Ferry timetable</a></li></ul></aside>
</main>
<footer><p>&copy; 2019 The Coast Courier. All rights reserved.</p><p>Sign up to our newsletter.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""
META = """<meta property="og:site_name" content="The Coast Courier">
<meta property="og:title" content="Harbour reopens after storm">
<meta property="article:published_time" content="2024-03-12T08:15:00+00:00">
<meta property="article:modified_time" content="2024-03-14T17:00:00+00:00">
<meta name="author" content="Omar Haddad">"""


def _page(tmp_path, name="page.html", meta="", time="", dateline=""):
    path = tmp_path / name
    path.write_text(COURIER.format(meta=meta, time=time, dateline=dateline))
    return load(path)


def test_html_page_metadata_gives_date_author_and_site(tmp_path):
    doc = _page(tmp_path, meta=META, time='<time datetime="2024-03-12T08:15:00Z">12 March 2024</time>')
    assert (doc.title, doc.date, doc.author, doc.site) == (
        "Harbour reopens after storm", "2024-03-12", "Omar Haddad", "The Coast Courier")
    assert "Most read" not in doc.text and "Contact us" not in doc.text and "newsletter" not in doc.text
    assert all(doc.text[p.start:p.end] == p.text for p in chunk(doc))


def test_html_without_metadata_falls_back_to_its_byline_and_dateline(tmp_path):
    doc = _page(tmp_path, dateline="PORTHAVEN, 12 March 2024 (Reuters) \u2013 ")
    assert (doc.date, doc.author, doc.site) == ("2024-03-12", "Omar Haddad", "Reuters")


def test_html_is_not_dated_from_its_copyright_footer(tmp_path):
    doc = _page(tmp_path)  # no date anywhere but "(c) 2019" in the footer
    assert doc.date is None and doc.author == "Omar Haddad"


def test_html_time_element_dates_a_page_without_meta_tags(tmp_path):
    doc = _page(tmp_path, time='<time datetime="2024-03-12" class="published">12 March 2024</time>')
    assert doc.date == "2024-03-12"


def test_bbc_articles_and_seeds_state_no_date():
    """Neither corpus carries dates or bylines at the top (BBC files are title + text): a date found
    in them would be a false one. Measured over the whole corpus in BENCHMARKS.md."""
    if not BBC.is_dir():
        pytest.skip("../shared/data/bbc-news is not present")
    docs = [load(p) for p in bbc_sample(300)] + [load(p) for p in sorted(SEEDS.glob("*.txt"))]
    assert [d.path.name for d in docs if d.date or d.author] == []


def test_a_head_line_of_long_words_is_no_date_and_is_read_once(tmp_path):
    """A head line opening with a digit, holding a year and more than eight words is no date
    line; a long first word made the pattern try every way of cutting it into eight (a second at
    30 letters, hours at 100)."""
    path = tmp_path / "story.txt"
    path.write_text("Harbour reopens\n\n1" + "a" * 100 + " 2001 c d e f g h i\n\n" + STORY)
    assert load(path).date is None
    path.write_text("Harbour reopens\n\nTuesday 12 March 2024 10:15 GMT\n\n" + STORY)
    assert load(path).date == "2024-03-12"


def test_a_comma_and_a_long_run_of_blanks_is_no_dateline_and_is_read_once():
    """A capitalised word, a comma and 100,000 blanks is no dateline; the blanks after the comma
    were tried with every length of the date that follows (quadratic: 7 s at 4,000, hours here).
    A dateline is still taken out, and a head line's date still read."""
    from qa.ingest.metadata import from_text, without_datelines

    junk = "LONDON," + " " * 100_000 + "x\nThe story.\n"
    assert without_datelines(junk) == junk
    assert without_datelines("LONDON, March 3 (Reuters) - The story.\n") == "The story.\n"
    assert from_text("DERNA," + " " * 1900 + "x\n\nDERNA, 12 March 2024 - The story.\n").date == "2024-03-12"
