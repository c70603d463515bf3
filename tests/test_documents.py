"""Reading files, boilerplate removal, chunking: spans are exact, bad files are refused cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.ingest.chunking import chunk
from qa.config import ChunkSettings
from qa.ingest.documents import Unreadable, load, parse
from qa.ingest.sentences import sentence_spans

from conftest import BBC, SEEDS, bbc_sample


def _assert_exact_spans(path: Path) -> int:
    doc = load(path)
    passages = chunk(doc)
    assert passages, path
    for p in passages:
        assert doc.text[p.start:p.end] == p.text
        assert p.text == p.text.strip()
        assert p.paragraph <= p.paragraph_end
    return len(passages)


def test_spans_exact_for_every_seed_passage():
    for path in sorted(SEEDS.glob("*.txt")):
        assert _assert_exact_spans(path) >= 3


def test_spans_exact_for_a_sample_of_bbc_articles():
    total = sum(_assert_exact_spans(p) for p in bbc_sample(300))
    assert total > 300


def test_passages_never_cut_a_sentence():
    doc = load(sorted(SEEDS.glob("*.txt"))[1])
    sentence_starts = {s for p in doc.paragraphs for s, _ in sentence_spans(doc.text, p.start, p.end)}
    sentence_ends = {e for p in doc.paragraphs for _, e in sentence_spans(doc.text, p.start, p.end)}
    for p in chunk(doc):
        assert p.start in sentence_starts and p.end in sentence_ends


def test_long_paragraph_is_split_between_sentences_within_the_limit(tmp_path):
    sentence = "The council met on Monday to discuss the harbour budget for next year. "
    path = tmp_path / "long.txt"
    path.write_text("Harbour budget\n\n" + sentence * 60)
    doc = load(path)
    settings = ChunkSettings()
    passages = chunk(doc, settings)
    assert len(passages) > 3
    for p in passages:
        assert len(p.text.split()) <= settings.max_words
        assert p.text.endswith(".") and doc.text[p.start:p.end] == p.text


def test_title_is_first_non_empty_line(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("\n\n  Floods close the coast road  \n\nThe road was closed on Tuesday.\n")
    assert load(path).title == "Floods close the coast road"


def test_newsletter_footer_of_seed_is_not_article_text():
    doc = load(SEEDS / "000_cd1c624dfe4b4cd0.txt")
    kept = " ".join(doc.text[p.start:p.end] for p in doc.paragraphs)
    assert "Mailchimp" in doc.text  # it is in the file ...
    for phrase in ("Mailchimp", "Sign up to our free newsletters", "mailing list", "inbox"):
        assert phrase not in kept  # ... but not in what is indexed
    assert "regular basis" in kept  # the last real paragraph stays
    assert all("Mailchimp" not in p.text for p in chunk(doc))


def test_boilerplate_words_inside_a_story_are_kept(tmp_path):
    path = tmp_path / "story.txt"
    body = ("Broadband subscribers rose to 5 million, and the firm said people who sign up now "
            "will get a free router, according to the newsletter of the regulator. ") * 3
    path.write_text(f"Broadband grows\n\n{body}\n\nMore to come.\n")
    kept = [path.read_text()[p.start:p.end] for p in load(path).paragraphs]
    assert any("subscribers" in k for k in kept)


def test_cp1252_file_is_decoded(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("Caf\u00e9 owners \u2013 \u201cprices\u201d rise\n\nThe caf\u00e9 was full.".encode("cp1252"))
    doc = load(path)
    assert doc.encoding == "cp1252"
    assert doc.title.startswith("Café owners – “prices”")


def test_the_non_utf8_bbc_file_reads():
    if not BBC.is_dir():
        pytest.skip("../shared/data/bbc-news is not present")
    bad = []
    for path in sorted(BBC.glob("*/*.txt")):
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            bad.append(path)
    assert bad, "expected the one cp1252 file"
    for path in bad:
        doc = load(path)
        assert doc.encoding == "cp1252" and "\ufffd" not in doc.text


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"   \n\n\t  \n", "empty"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary"),
    (b"PK\x03\x04" + b"\x00" * 100, "binary"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 4, "binary"),
    (b"some text\x00with a nul", "binary"),
])
def test_unreadable_files_raise_unreadable(tmp_path, data, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(Unreadable, match=reason):
        load(path)


def test_markup_characters_are_plain_text(tmp_path):
    text = "[bold]Not bold[/] and [link=http://x]link[/link] and [@click=app.quit]quit[/]\n\n<b>tags</b> & {braces} $(x)"
    doc = parse(tmp_path / "m.txt", text.encode())
    passages = chunk(doc)
    assert "".join(p.text for p in passages).count("[bold]") == 1
    assert all(doc.text[p.start:p.end] == p.text for p in passages)


def test_html_goes_through_the_extractor(tmp_path):
    html = ("<html><head><title>Harbour reopens after storm</title></head><body>"
            "<nav>Home | News | Sport | Contact us</nav><article><h1>Harbour reopens after storm</h1>"
            + "".join(f"<p>Paragraph {i}: the harbour reopened on Friday after the storm damaged the pier, "
                      f"officials said in a statement to reporters.</p>" for i in range(6))
            + "</article><footer>Sign up to our newsletter. Privacy policy. Cookies.</footer></body></html>")
    path = tmp_path / "page.html"
    path.write_text(html)
    doc = load(path)
    assert doc.title == "Harbour reopens after storm"
    assert "Paragraph 3" in doc.text and "<p>" not in doc.text and "Contact us" not in doc.text
    assert all(doc.text[p.start:p.end] == p.text for p in chunk(doc))


def test_sentence_splitter_keeps_abbreviations_and_initials():
    text = "Mr. Smith met Dr. J. Jones in the U.S. on Monday. They talked. \u201cFine,\u201d he said."
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Mr. Smith met Dr. J. Jones in the U.S. on Monday.", "They talked.", "\u201cFine,\u201d he said."]


def test_a_name_ending_in_a_capital_ends_its_sentence_and_joined_initials_do_not():
    """'Jay-Z.' is no initial (a capital after a hyphen), so the next sentence is its own and can
    be highlighted alone; 'J.R. Smith' is one name."""
    text = "Nominees include OutKast and Jay-Z. Soul singer Stevie Wonder will sing. J.R. Smith and W.H. Auden came."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Nominees include OutKast and Jay-Z.", "Soul singer Stevie Wonder will sing.", "J.R. Smith and W.H. Auden came."]


def test_a_line_of_dots_or_of_blanks_is_read_once():
    """A table of contents' run of dots and a PDF's line of blanks are read once: the patterns
    read them again from each character (a second at 8,000, hours at 100,000). Dots before a
    lower-case word end no sentence, before a digit they do; the blank line parts what it
    stands between."""
    dots, blanks = "." * 100_000, " " * 100_000
    assert sentence_spans(f"Contents {dots} page 5") == [(0, len(dots) + 16)]
    text = f"Contents {dots} 5\n{blanks}\nThe harbour reopened. Boats returned."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        f"Contents {dots}", "5", "The harbour reopened.", "Boats returned."]


def test_a_hard_wrapped_file_with_long_blank_lines_keeps_its_paragraphs():
    """Hard-wrapped lines join into paragraphs at single breaks; a line of 100,000 blanks (or
    tabs) between them is a blank line, read once."""
    wrapped = ("The harbour reopened on Friday after the storm damaged the pier, the\n"
               "council said, and the fishing boats returned to their moorings by noon.\n")
    data = "Harbour\n\n" + wrapped + " " * 100_000 + "\n" + wrapped * 2 + "\t" * 100_000 + "\n\n" + wrapped
    doc = parse(Path("story.txt"), data.encode())
    assert [doc.text[p.start:p.end] for p in doc.paragraphs] == [
        "Harbour", wrapped.strip(), (wrapped * 2).strip(), wrapped.strip()]
