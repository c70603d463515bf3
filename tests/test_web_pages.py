"""News pages as a browser or curl saves them (web24, #24): the next story a site scrolls on to,
a CMS account signing the post, the site named only in the page's title, a date from a comment or a
teaser, captions, credits, players and a paper's print line, short paragraphs, live posts stamped in
spans, a page that is only a JavaScript or cookie notice. Synthetic pages of our own."""

from __future__ import annotations

import pytest

from qa.ingest.documents import Unreadable, load

STORY = ["The Orchard Surgery in Kingsford will close on 31 December, leaving 8,000 patients to register elsewhere.",
         "The practice's two partners said they could not recruit doctors to replace three who retired this year.",
         "Patients will be moved to the Brook Lane practice automatically, the care board said."]
NEXT = ["A former lighthouse keeper's cottage on the Sorren headland has sold at auction for £1.1m.",
        "The three-bedroom cottage, built in 1862, had a guide price of £350,000."]


def _paras(texts: list[str]) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def _page(tmp_path, body: str, head: str = "", title: str = "GP surgery to close", name: str = "page.html"):
    path = tmp_path / name
    path.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
                    f'<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>{body}'
                    f"<footer><p>© 2026 Kingsford Star. All rights reserved.</p></footer></body></html>", encoding="utf-8")
    return load(path)


def _kept(doc) -> str:
    return "\n".join(doc.text[p.start:p.end] for p in doc.paragraphs)


def test_the_next_story_a_site_scrolls_on_to_is_not_this_pages_text(tmp_path):
    """An infinite-scroll page saved with the next article below the story: its headline and
    paragraphs were indexed as this page's, cited with this page's date and byline."""
    # the next story's headline as a teaser's h2, or an h1 of its own; the site's logo an h1 in the header
    for heading, logo in (("h2", ""), ("h1", ""), ("h1", "<header><h1 class='logo'>Kingsford Star</h1></header>")):
        doc = _page(tmp_path, f'{logo}<main><article class="story"><h1>GP surgery to close</h1>{_paras(STORY)}</article>'
                              f'<div class="next-article"><p>Next article</p><article class="story">'
                              f'<{heading}>Lighthouse cottage sells for £1.1m</{heading}>{_paras(NEXT)}</article></div></main>')
        kept = _kept(doc)
        assert all(t in kept for t in STORY), kept
        assert "lighthouse" not in kept.lower() and "£350,000" not in kept, kept


def test_articles_inside_the_story_and_pages_without_one_keep_their_text(tmp_path):
    """A live blog's posts are <article> elements inside the story's: they stay. A page whose
    headline is in no <article> prunes nothing."""
    posts = "".join(f"<article class='post'><p>{t}</p></article>" for t in STORY)
    doc = _page(tmp_path, f"<article><h1>GP surgery to close</h1>{posts}</article>")
    assert all(t in _kept(doc) for t in STORY)
    doc = _page(tmp_path, f"<div class='head'><h1>GP surgery to close</h1></div><article>{_paras(STORY)}</article>"
                          f"<article><p>{NEXT[0]}</p></article>", name="other.html")
    assert all(t in _kept(doc) for t in STORY)
    # the headline in an <article> of its own above the <article> of the story's text
    doc = _page(tmp_path, f"<article class='head'><h1>GP surgery to close</h1><p>By Amir Patel</p></article>"
                          f"<article class='body'>{_paras(STORY)}</article>", name="header.html")
    assert all(t in _kept(doc) for t in STORY)


def test_a_cms_account_or_the_sites_own_name_is_no_byline(tmp_path):
    wordpress = ('<article class="post"><h1 class="entry-title">GP surgery to close</h1><div class="entry-meta">Posted on '
                 '<time class="entry-date published" datetime="2026-10-15T10:31:00+00:00">15 October 2026</time> by '
                 '<span class="author vcard"><a class="url fn n" href="/author/admin">admin</a></span></div>'
                 f'<div class="entry-content">{_paras(STORY)}</div></article>')
    doc = _page(tmp_path, wordpress, head='<meta property="og:site_name" content="Kingsford Star">')
    assert (doc.date, doc.author, doc.site) == ("2026-10-15", None, "Kingsford Star")
    doc = _page(tmp_path, f"<article><h1>GP surgery to close</h1>{_paras(STORY)}</article>", name="org.html",
                head='<meta property="og:site_name" content="Kingsford Star"><meta name="author" content="Kingsford Star">')
    assert (doc.author, doc.site) == (None, "Kingsford Star")
    doc = _page(tmp_path, f"<article><h1>GP surgery to close</h1>{_paras(STORY)}</article>", name="writer.html",
                head='<meta property="og:site_name" content="Kingsford Star"><meta name="author" content="Amir Patel">')
    assert (doc.author, doc.site) == ("Amir Patel", "Kingsford Star")


def test_the_site_named_only_in_the_page_title_after_the_headline(tmp_path):
    body = f"<article><h1>GP surgery to close</h1><p><strong>By Amir Patel</strong></p>{_paras(STORY)}</article>"
    doc = _page(tmp_path, body, title="GP surgery to close | Kingsford Star")
    assert (doc.author, doc.site) == ("Amir Patel", "Kingsford Star")
    doc = _page(tmp_path, body, title="GP surgery to close - Health - Kingsford Star", name="sections.html")
    assert doc.site == "Kingsford Star"
    # a title that is not the headline and a site's part, or a headline with a dash of its own, names no site
    doc = _page(tmp_path, body, title="Kingsford Star - news for Kingsford", name="tagline.html")
    assert doc.site is None
    doc = _page(tmp_path, body.replace("GP surgery to close", "GP surgery to close - what it means"),
                title="GP surgery to close - what it means", name="dash.html")
    assert doc.site is None
    # an old page with no <h1>: the headline taken from the title's first parts is no headline to follow
    doc = _page(tmp_path, f"<table><tr><td><b>GP surgery to close</b>{_paras(STORY)}</td></tr></table>",
                title="BBC NEWS | UK | GP surgery to close", name="old.html")
    assert doc.site is None


def test_a_papers_print_line_and_its_web_labels_are_not_article_text(tmp_path):
    print_line = ("A version of this article appears in print on 30 June 2026, Section A, Page 18 of the New York "
                  "edition with the headline: GP surgery to close.")
    doc = _page(tmp_path, f"<article><header><p>Supported by</p><h1>GP surgery to close</h1></header>{_paras(STORY[:2])}"
                          f"<p>Also read | <a href='/x'>Dentists stop taking NHS patients</a></p>{_paras(STORY[2:])}"
                          f"<div class='print-info'><p>{print_line}</p></div></article>")
    kept = _kept(doc)
    assert all(t in kept for t in STORY), kept
    assert "Supported by" not in kept and "appears in print" not in kept and "Dentists" not in kept, kept


def test_credits_players_sign_in_links_and_relative_times_are_not_article_text(tmp_path):
    """Lines a page's widgets leave in the extracted text: a photo credit alone ("Getty Images",
    "Photograph: Jim Wileman/The Sentinel"), a video's title and length, a paywall's "Log in" (which
    shielded the "Subscribe now" line before it from the end of the article), "Published 3 hours ago"."""
    body = (f'<article><h1>GP surgery to close</h1><span class="ago">Published 3 hours ago</span>{_paras(STORY[:1])}'
            '<div class="media"><img src="a.jpg"><span class="caption">The surgery opened in 1974</span>'
            '<span class="credit">Getty Images</span></div>'
            '<div class="video-player"><p class="video-title">Watch: Patients queue outside the surgery</p><p>Duration 1:24</p></div>'
            f'{_paras(STORY[1:])}<p>Photograph: Jim Wileman/The Sentinel</p>'
            '<div class="paywall"><p>This article is for subscribers only. Subscribe now for £1 a week.</p><a>Log in</a></div></article>')
    kept = _kept(_page(tmp_path, body))
    assert all(t in kept for t in STORY), kept
    for furniture in ("Published 3 hours ago", "Getty Images", "Watch:", "Duration", "Wileman", "subscribers", "Log in"):
        assert furniture not in kept, (furniture, kept)


def test_a_live_blogs_post_times_in_spans_are_kept_with_their_posts(tmp_path):
    """Live pages that stamp posts with `<span class="post-time">` rather than `<time>`: the clock
    was a line of its own, not in the post a "when" question highlights."""
    posts = "".join(f'<div class="post"><span class="post-time">{t}</span><p>{p}</p></div>'
                    for t, p in zip(("11:02", "11:19", "11:40"), STORY))
    doc = _page(tmp_path, f"<article><h1>GP closures live</h1>{posts}</article>")
    kept = _kept(doc).splitlines()
    assert "11:19 " + STORY[1] in kept and "11:19" not in kept, kept


def test_a_page_is_not_dated_by_a_readers_comment_or_another_storys_teaser(tmp_path):
    """With no date in its meta tags, a page was dated from the first date anywhere on it: a
    comment's "12 March 2026 at 10:15", the "Most read" box's <time>. Undated is the truth; the
    story's own <time> still dates it."""
    comments = ('<section id="comments"><div class="comment"><p>Disgraceful.</p>'
                '<span class="date">12 March 2026 at 10:15</span></div></section>')
    teaser = '<aside><h2>Most read</h2><ul><li><a>Dentists close</a> <time datetime="2025-01-02">2 January 2025</time></li></ul></aside>'
    story = f"<article><h1>GP surgery to close</h1><p class='byline'>By Amir Patel</p>{_paras(STORY)}</article>"
    for name, extra in (("comments.html", comments), ("teaser.html", teaser)):
        doc = _page(tmp_path, story + extra, name=name)
        assert (doc.date, doc.author) == (None, "Amir Patel"), name
    dated = story.replace("</p>", '</p><time datetime="2026-10-15">15 October 2026</time>', 1)
    doc = _page(tmp_path, dated + comments + teaser, name="dated.html")
    assert (doc.date, doc.author) == ("2026-10-15", "Amir Patel")


def test_a_page_of_short_paragraphs_is_not_read_as_hard_wrapped_text(tmp_path):
    """The extractor's text is a paragraph a line. A page whose paragraphs were all under 100
    characters (a brief, a live page's short posts) was read as a hard-wrapped text file: its
    lines joined into one paragraph, so a credit line among them was not dropped and passages and
    citations ran across paragraphs (9 of web24's 63 pages)."""
    short = ["A kayaker was rescued by the Sorren lifeboat on Saturday, swept half a mile out.",
             "The man, in his 50s, had been in the water for about 40 minutes when found.",
             "Coxswain Dan Pengelly said the kayaker had done the right thing by staying put.",
             "He was taken to Kingsford General Hospital with mild hypothermia on Saturday.",
             "The lifeboat station at Sorren was opened in 1884 and has saved 600 lives."]
    doc = _page(tmp_path, f"<article><h1>Lifeboat rescues kayaker</h1>{_paras(short[:2])}"
                          f"<p>Getty Images</p>{_paras(short[2:])}</article>", title="Lifeboat rescues kayaker")
    kept = [doc.text[p.start:p.end] for p in doc.paragraphs]
    assert kept[-5:] == short and "Getty Images" not in "\n".join(kept), kept


def test_a_page_that_is_only_a_javascript_or_cookie_notice_is_skipped_with_why(tmp_path):
    """curl saves an app's page before its script writes the story, or the consent wall in its
    place: the notice was indexed as an article ("You need to enable JavaScript to run this app.")."""
    shell = '<noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div>'
    consent = ('<div class="consent"><h1>We value your privacy</h1><p>We and our 842 partners store and access '
               'information on your device, such as cookies, to personalise ads and content.</p><p>You can accept or '
               'manage your choices by clicking below, including your right to object.</p><button>Accept all</button></div>')
    for name, body, why in (("app.html", shell, "JavaScript"), ("consent.html", consent, "cookie consent")):
        path = tmp_path / name
        path.write_text(f"<html><head><title>Kingsford Star</title></head><body>{body}</body></html>")
        with pytest.raises(Unreadable, match=why):
            load(path)
    # a story about cookies and JavaScript is a story
    story = ["Regulators fined the site £2m for setting cookies before visitors could accept or reject all of them.",
             "The site said it would let readers manage their choices and would no longer require JavaScript to read.",
             "The fine is the largest the regulator has imposed on a news publisher, its chair said on Monday."]
    doc = _page(tmp_path, f"<article><h1>Site fined over cookies</h1>{_paras(story)}</article>", name="story.html")
    assert all(t in _kept(doc) for t in story)


def test_a_wordpress_caption_in_the_storys_text_is_not_a_paragraph(tmp_path):
    """WordPress puts a photo's caption in the story's text (`<p class="wp-caption-text">`); beside
    Jetpack's related posts the extractor kept it as a paragraph (15 of web24's 56 stories so laid out)."""
    story = ["Thirty-eight years is a long wait, the captain said after Midshire won the title by six wickets.",
             "Chasing 214, they reached their target with 11 overs to spare, the captain hitting an unbeaten 88.",
             "Spinner Tom Reece took nine wickets in the match.", "Midshire finished 14 points clear of Somerset."]
    related = "".join(f'<div class="jp-relatedposts-post"><h4><a>{h}</a></h4><p class="date">26 September 2025</p>'
                      f'<p class="context">In "News"</p></div>' for h in ("Surrey sack coach", "Reece called up"))
    body = ('<div id="primary"><article class="post type-post"><header class="entry-header"><h1 class="entry-title">Midshire win '
            'the title</h1><div class="entry-meta">Posted on <a><time class="entry-date published" datetime="2025-09-26T10:31:00'
            '+00:00">26 September 2025</time></a> by <span class="author vcard"><a class="url fn n">admin</a></span></div></header>'
            f'<div class="entry-content">{_paras(story[:2])}<div class="wp-caption"><img src="a.jpg"><p class="wp-caption-text">'
            f'Midshire players celebrate with the trophy. Photo: Archive</p></div>{_paras(story[2:])}'
            '<div class="sharedaddy"><h3>Share this:</h3><ul><li>Twitter</li><li>Facebook</li></ul></div>'
            f'<div id="jp-relatedposts"><h3>Related</h3>{related}</div></div>'
            '<footer class="entry-footer">Posted in <a>News</a> Tags: <a>cricket</a></footer></article></div>')
    kept = _kept(_page(tmp_path, body, title="Midshire win the title"))
    assert all(t in kept for t in story) and "Photo: Archive" not in kept, kept
