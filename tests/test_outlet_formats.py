"""Articles as other outlets save them (wire copy, AP/AFP, web pages, PDFs): what is article text,
where paragraphs and sentences end, and what the head lines say. Synthetic text only (issue #24)."""

from __future__ import annotations

from qa.ingest.documents import load
from qa.ingest.sentences import sentence_spans

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


WIRE_1987 = """SOLVANG COPPER MINE STRIKE ENTERS THIRD WEEK
    ERREDA, Aug 21 - A strike at the Solvang copper mine in northern
Erreda entered its 19th day on Monday, with no talks scheduled
between the union and owner Andeluz Mining, a union leader said.
    About 2,800 workers walked out on Aug 3 demanding a 9 percent
wage increase. Andeluz has offered 4.5 percent.
    The mine produced 310,000 tonnes of copper last year, about 6
percent of Erreda's output.
 Reuters
"""

WIRE_HEAD = """KESTREL-RESULTS/
UPDATE 1-Kestrel Airways profit slides on fuel bill, shares drop
November 12, 2025 / 9:41 AM / Updated 2 hours ago
By Ann Orr

LONDON, Nov 12 (Reuters) - Budget carrier Kestrel Airways reported a
31 percent fall in first-half profit on Wednesday, hit by a jump in
jet fuel costs and the grounding of six aircraft for engine checks.

Pretax profit for the six months to September fell to 84 million
pounds from 122 million pounds a year earlier, the airline said.
"""

MAIL = """Otieno-Brandt wins Dunmore marathon in course record
By Jo Kemp | 19 October 2025

Samuel Otieno-Brandt won the Dunmore marathon on Sunday in 2:06:41,
breaking the course record by 38 seconds.

Women's winner Hanna Lindqvist finished in 2:21:05. About 14,000
runners took part.
"""


def test_indented_wire_paragraphs_with_no_blank_lines_are_paragraphs(tmp_path):
    path = tmp_path / "wire.txt"
    path.write_text(WIRE_1987)
    doc = load(path)
    kept = [" ".join(k.split()) for k in _kept(path)]
    assert doc.title == "SOLVANG COPPER MINE STRIKE ENTERS THIRD WEEK"
    assert kept[1].startswith("ERREDA, Aug 21") and kept[1].endswith("a union leader said.")
    assert kept[2].startswith("About 2,800") and kept[3].endswith("Erreda's output.") and len(kept) == 4


def test_a_wire_head_gives_a_clean_title_and_its_lines_are_no_sentence(tmp_path):
    path = tmp_path / "wire.txt"
    path.write_text(WIRE_HEAD)
    doc = load(path)
    assert doc.title == "Kestrel Airways profit slides on fuel bill, shares drop"
    assert (doc.date, doc.author, doc.site) == ("2025-11-12", "Ann Orr", "Reuters")
    kept = _kept(path)
    assert "KESTREL-RESULTS/" not in kept and kept[1].startswith("November 12, 2025") and kept[2] == "By Ann Orr"
    spans = sentence_spans(doc.text, 0, len(doc.text))
    assert all("By Ann Orr" not in doc.text[s:e] or doc.text[s:e] == "By Ann Orr" for s, e in spans)


def test_a_short_wrapped_mail_keeps_its_sentences_whole(tmp_path):
    path = tmp_path / "mail.txt"
    path.write_text(MAIL)
    doc = load(path)
    kept = _kept(path)
    assert kept[2] == "Samuel Otieno-Brandt won the Dunmore marathon on Sunday in 2:06:41,\nbreaking the course record by 38 seconds."
    assert (doc.date, doc.author) == ("2025-10-19", "Jo Kemp")


def test_a_title_and_the_byline_under_it_are_two_sentences():
    text = "Sen. Ruth Calloway won't seek reelection\nBy LISA MASCARO Associated Press\n\nWASHINGTON (AP) — She said so."
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got[:2] == ["Sen. Ruth Calloway won't seek reelection", "By LISA MASCARO Associated Press"]


def test_an_ap_dateline_with_a_state_is_not_a_sentence_end():
    text = "CORRAN VALLEY, Calif. (AP) — A wildfire forced 2,300 from their homes. He fell ill. Then he left."
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got[0] == "CORRAN VALLEY, Calif. (AP) — A wildfire forced 2,300 from their homes."
    assert got[1:] == ["He fell ill.", "Then he left."]
    text = "He will speak at his Christmas Midnight Mass. The cardinal spoke on Friday in Portland, Ore., at noon."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "He will speak at his Christmas Midnight Mass.", "The cardinal spoke on Friday in Portland, Ore., at noon."]


def test_no_passage_holds_a_line_left_out_mid_story(tmp_path):
    from qa.ingest.chunking import chunk

    path = tmp_path / "page.txt"
    path.write_text("Port reopens\n\nThe port reopened on Friday.\n\nRead more: Why our ports are struggling\n\n"
                    "Larger ships can now come in.\n")
    passages = chunk(load(path))
    assert passages and not any("Read more" in p.text for p in passages)
    assert any("Larger ships" in p.text for p in passages) and any("on Friday" in p.text for p in passages)


def _chosen(text: str, question: str) -> str:
    from qa.index.text import tokenize
    from qa.retrieval.answer_types import NUMBER, PERSON, asked_measure, asks_agent, own_names, question_type
    from qa.retrieval.highlight import AnswerEvidence, scored_best_sentence
    from qa.settings import DEFAULT_SETTINGS as S

    tokens, kind = tokenize(question), question_type(question)
    evidence = AnswerEvidence(kind, frozenset(tokens), frozenset(tokenize(text.split("\n")[0])), S.answer_type_weight,
                              S.context_weight, S.follow_sentences, S.follow_share, S.answer_proximity,
                              kind == PERSON and asks_agent(question), asked_measure(question) if kind == NUMBER else None,
                              own_names(question) if kind == PERSON else ())
    chosen = scored_best_sentence(text, tokens, lambda term: 1.0, float(len(tokens)), S.bigram_weight, None, evidence)
    return text[chosen.start:chosen.end]


def test_a_headline_repeating_the_question_yields_to_the_sentence_that_answers():
    library = ("Kelby library to close on Saturdays\nPublished: 3 April 2025\nBy Omar Haddad\n\n"
               "Kelby's central library will close on Saturdays from next month because the council has cut "
               "its budget by 180,000 pounds.\n\nA petition against the change has gathered 3,400 signatures.")
    assert _chosen(library, "why is kelby library closing on saturdays").startswith("Kelby's central library")
    senator = ("Sen. Ruth Calloway won't seek reelection\nBy LISA MASCARO Associated Press\n\n"
               "WASHINGTON (AP) — Sen. Ruth Calloway said Thursday she will not run for a fourth term.\n\n"
               "Calloway, 71, is the senior Democrat on the Senate Agriculture Committee.")
    assert _chosen(senator, "how old is ruth calloway").startswith("Calloway, 71,")
    metro = "# Dunmore's new metro line\n\n- 14 km of track\n- 11 stations on the new metro line\n"
    assert _chosen(metro, "how many stations on the dunmore metro line") == "- 11 stations on the new metro line"
    # a headline that holds the answer stays the highlight
    obit = "Elena Marsh, novelist, dies at 87 in Kelby\n\nHer publisher said she died on Monday."
    assert _chosen(obit, "how old was elena marsh when she died").startswith("Elena Marsh, novelist")


def test_a_wire_version_tag_is_not_in_the_title(tmp_path):
    path = tmp_path / "wire.txt"
    path.write_text("UPDATE 2-Velmora Marine to cut 1,200 jobs\n\nROTTERDAM, March 3 (Reuters) - Velmora said so.\n")
    assert load(path).title == "Velmora Marine to cut 1,200 jobs"
    path.write_text("CORRECTED-UPDATE 1-Oil rises\n\nOil rose on Monday.\n")
    assert load(path).title == "Oil rises"
    path.write_text("UPDATE on the harbour talks\n\nThe talks went on.\n")
    assert load(path).title == "UPDATE on the harbour talks"


def test_a_short_indented_wire_story_is_read_as_wrapped_and_its_sign_off_dropped(tmp_path):
    path = tmp_path / "reuter.txt"
    path.write_text("BONN TO GIVE EXTRA TAX RELIEF IN 1988\n"
                    "    BONN, March 3 - West Germany will give extra tax relief of\n"
                    "5.2 billion marks in 1988, Finance Minister Gerhard Stoltenberg\nsaid.\n"
                    "    The government agreed the plan on Tuesday.\n REUTER\n")
    kept = [" ".join(k.split()) for k in _kept(path)]
    assert kept == ["BONN TO GIVE EXTRA TAX RELIEF IN 1988",
                    "BONN, March 3 - West Germany will give extra tax relief of 5.2 billion marks in 1988, "
                    "Finance Minister Gerhard Stoltenberg said.", "The government agreed the plan on Tuesday."]


def _live_page(stamps: list[str]) -> str:
    posts = "".join(f'<div class="post"><time datetime="2025-10-08T{t}:00Z">{t}</time><p>Post number {i} of the '
                    f'budget day says the minister spoke about item {i} at length before the house.</p></div>'
                    for i, t in enumerate(stamps))
    return ("<html><head><title>Budget live</title></head><body><main><article><h1>Budget day live</h1>"
            f"<p>Welcome to our coverage of the budget statement, due in parliament this morning.</p>{posts}"
            "</article></main></body></html>")


def test_a_live_blogs_post_times_are_kept_with_their_posts(tmp_path):
    path = tmp_path / "live.html"
    path.write_text(_live_page(["11:07", "11:19", "11:31"]))
    text = load(path).text
    assert "11:19 Post number 1 of the budget day" in text and "11:31 Post number 2" in text
    import lxml.html

    from qa.ingest.liveblog import with_post_times

    tree = lxml.html.fromstring(_live_page(["11:07"]))  # one stamp: an article's time, left alone
    assert not with_post_times(tree) and "11:07 Post" not in lxml.html.tostring(tree, encoding="unicode")


def test_one_long_line_does_not_cut_a_wrapped_sentence(tmp_path):
    path = tmp_path / "mail.txt"
    line = "The harbour board said on Monday that the new quay would open in\n"
    path.write_text("LONDON, March 3 (Reuters) - The harbour board met on Monday to\n"
                    "agree the plan for a new quay at the north end, officials said.\n\n" + line * 8
                    + "https://example.org/a/very/long/address/of/the/harbour/board/minutes/2025/03/12/item-7\n")
    doc = load(path)
    assert doc.title.endswith("officials said.")  # the first paragraph is the whole first sentence


def test_other_agencies_tails_are_not_article_text(tmp_path):
    path = tmp_path / "tails.txt"
    path.write_text("Rates rise\n\nThe bank raised rates on Thursday.\n\nMarkets fell after the decision.\n\n"
                    "To contact the reporter on this story: Ann Orr in London at aorr@example.com\n\n"
                    "Our Standards: The Thomson Reuters Trust Principles.\n\nbur-sjw/kma\n")
    assert _kept(path) == ["Rates rise", "The bank raised rates on Thursday.", "Markets fell after the decision."]


def test_a_wrapped_line_opening_with_a_label_word_is_no_head_line():
    from qa.ingest.metadata import is_head_line

    assert is_head_line("Published: 3 April 2025") and is_head_line("Last updated: March 3, 2026 9:41 AM")
    assert not is_head_line("Updated figures show March 3 growth in the")
    assert is_head_line("By Maria Okafor, Staff Reporter") and is_head_line("By Jo Kemp | 19 October 2025")
    assert not is_head_line("By Christmas Eve, the shops had sold out of")


def test_a_markdown_heading_repeating_the_front_matter_title_is_not_a_sentence_of_the_story(tmp_path):
    path = tmp_path / "post.md"
    path.write_text('---\ntitle: "Riding the new metro line on day one"\ndate: 2025-09-01\n---\n\n'
                    "# Riding the new metro line on day one\n\n- 11 stations, from Castle Quay to Harlan Park\n")
    doc = load(path)
    assert doc.title == "Riding the new metro line on day one"
    assert _kept(path) == ["- 11 stations, from Castle Quay to Harlan Park"]
    path.write_text('---\ntitle: "Metro opens"\n---\n\n# Riding the new metro line on day one\n\nIt opened.\n')
    assert _kept(path)[0] == "# Riding the new metro line on day one"  # a heading of its own stays
