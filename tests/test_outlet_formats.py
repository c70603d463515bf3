"""Articles as other outlets save them (wire copy, AP/AFP, web pages, PDFs): what is article text,
where paragraphs and sentences end, and what the head lines say. Synthetic text only (issue #24)."""

from __future__ import annotations

from qa.ingest.documents import load

WIRE_TAIL = """Harbour strike ends

OSLO, Jan 9 (Reuters) - Dock workers at the port of Selva ended a
nine-day strike on Friday after accepting a 6 percent pay rise.

The port handles a fifth of the country's grain exports.

(Reporting by Ana Ortiz; Additional reporting by Bo Li; Editing by Tim Hale)
"""

AP_TAIL = """Storm cuts power to 40,000

HARLOW (AP) — A storm cut power to about 40,000 homes on Tuesday night.

Crews from three states were on their way, the utility said.

___

Associated Press writer Tim Oakes in Salem contributed to this report.
"""


def _kept(path) -> list[str]:
    doc = load(path)
    return [doc.text[p.start:p.end] for p in doc.paragraphs]


def test_agency_credit_lines_after_a_story_are_not_article_text(tmp_path):
    for name, text, tail in (("wire.txt", WIRE_TAIL, "Reporting by"), ("ap.txt", AP_TAIL, "contributed")):
        path = tmp_path / name
        path.write_text(text)
        kept = _kept(path)
        assert not any(tail in k or k == "___" for k in kept), kept
        assert any("a fifth" in k or "three states" in k for k in kept)  # the last real paragraph stays


def test_links_live_badges_and_page_footers_are_dropped_wherever_they_stand(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text("Port reopens\n\nLIVE\n\nUpdated 2 minutes ago\n\nThe port reopened on Friday.\n\n"
                    "Read more: Why our ports are struggling to keep up\n\nLarger ships can now come in.\n\n"
                    "Page 1 of 2 - Press office\n\nThe work cost 38 million pounds.\n")
    kept = _kept(path)
    assert kept == ["Port reopens", "The port reopened on Friday.", "Larger ships can now come in.",
                    "The work cost 38 million pounds."]


def test_an_ap_byline_names_the_writer_and_the_agency_apart(tmp_path):
    path = tmp_path / "ap.txt"
    path.write_text("Storm cuts power\nBy JANE DOE Associated Press\n\nHARLOW (AP) — A storm cut power on Tuesday.\n")
    doc = load(path)
    assert (doc.author, doc.site) == ("JANE DOE", "Associated Press")
    path.write_text("Rates rise\nBy Karin Strand Reuters\n\nThe bank raised rates on Thursday.\n")
    assert (load(path).author, load(path).site) == ("Karin Strand", "Reuters")
