"""What of a saved news page is its story, beyond what the extractor decides (web24, #24).

Six things a page saved from a news site ("Save page as", curl) carries that trafilatura's
defaults took as the story's, each handed back through trafilatura's own options where it has one:

- **The next story.** Sites that scroll on to the next article (or list teaser cards) put each
  story in an `<article>` of its own; the saved page holds the next one's headline and opening
  paragraphs after the story, and they were indexed as this page's text (cited with its date and
  byline). When the first outermost `<article>` holding an `<h1>` holds the story's paragraphs, the
  other outermost `<article>` elements are pruned (`PRUNE_OTHER_ARTICLES`, trafilatura's `prune_xpath`); articles nested in
  the story (a live blog's posts) stay. A page whose headline is in no `<article>` is read as before.
- **Captions.** WordPress puts a photo's caption in the story's text (`<p class="wp-caption-text">`):
  elements a class names a caption are pruned (`CAPTIONS`).
- **The CMS account as the author.** WordPress and other CMSs sign posts "by admin": such account
  names are no byline (`ACCOUNT_NAMES`, trafilatura's `author_blacklist`), and neither is the
  site's own name (`<meta name="author" content="The Courier">` beside the site "The Courier").
- **A date that is not the story's.** A page with no date in its meta tags or JSON-LD was dated
  from the first date anywhere on it: a reader's comment, a teaser in the "Most read" box. Its
  metadata is read with those parts pruned (`NOT_THE_STORY`): such a page is undated rather than
  misdated.
- **No article at all.** curl saves an app's page before its script writes the story ("You need
  to enable JavaScript to run this app."), or a cookie consent wall in its place: such a page was
  indexed as an article of that notice. It is skipped with the reason (`no_article`).
- **The site named only in the page's title.** "Kelby library to close | Kelby Town Crier" with no
  `og:site_name`: trafilatura takes a title part as the site only when it holds a dot (a domain).
  When the title opens with the page's headline, its last part after a separator is the site.
"""

from __future__ import annotations

import re

#: the version of what a saved page's extracted text is: raised by any change to the reading of a
#: .html file that can change its text (what is pruned, kept, joined), so that an index made before
#: re-reads its web pages at its next sync and every citation stays exact (qa/index/sync_scan.py).
#: 0: before it was recorded; 1: web24 (other stories' <article>s and captions pruned, short-paragraph pages)
HTML_READER_VERSION = 1

#: the story's <article>: the first outermost one holding an <h1> and three paragraphs or more (not a
#: header of its own above an <article> of text; a logo's <h1> in the page's header is in none)
_STORY_ARTICLE = "(//article[not(ancestor::article)][.//h1][count(.//p) >= 3])[1]"
#: every other outermost <article>, when the page has a story's <article> (`count(. | X) != 1`: not X itself)
PRUNE_OTHER_ARTICLES = f"//article[not(ancestor::article)][count(. | {_STORY_ARTICLE}) != 1][{_STORY_ARTICLE}]"

#: what of a page is not the story when dating it or naming its writer: other stories' articles, asides
#: outside the story (related links, most read), menus and comment sections. With no date in its
#: meta tags or JSON-LD, the page's date was read from whatever element or text held one first:
#: a comment's "12 March 2026 at 10:15", a teaser's <time> in a "Most read" box
NOT_THE_STORY = (PRUNE_OTHER_ARTICLES, "//aside[not(ancestor::article)][not(.//h1)]", "//nav[not(.//h1)]",
                 "//*[not(self::body or self::html)][contains(@id, 'comment') or contains(@class, 'comment')]"
                 "[not(contains(@class, 'commentary'))][not(.//h1)]")

#: a photo's caption in an element a class names so (WordPress's `<p class="wp-caption-text">` in the
#: story's text, "image-caption"): the extractor kept some of them as story paragraphs; a caption is short
CAPTIONS = "//*[contains(@class, 'caption')][not(.//h1)][string-length(normalize-space(.)) <= 300]"
#: what trafilatura prunes before it extracts the main text (its `prune_xpath`)
NOT_TEXT = (PRUNE_OTHER_ARTICLES, CAPTIONS)

#: accounts a CMS signs posts with, never a writer's name (compared case-insensitively)
ACCOUNT_NAMES = frozenset({"admin", "administrator", "site admin", "webmaster", "editor", "web editor", "root",
                           "user", "guest", "author", "wpadmin", "wp admin", "staff writer", "web desk", "newsroom"})

#: the separators between a page title's parts ("Headline | Site", "Headline - Site", "Headline — Site")
_TITLE_PARTS = re.compile(r"\s+[|–—-]\s+|\s+[·•]\s+")
#: a site's name is short and no sentence
MAX_SITE_WORDS = 6


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def site_from_title(page_title: str | None, headline: str | None) -> str | None:
    """The site a page's <title> names after its headline ("Headline | The Courier" gives
    "The Courier", "Headline | Politics | The Courier" too), or None when the title does not open
    with the headline."""
    if not page_title or not headline:
        return None
    title, head = " ".join(page_title.split()), " ".join(headline.split())
    if not head or not title.casefold().startswith(head.casefold()):
        return None
    rest = title[len(head):]
    if not _TITLE_PARTS.match(rest):  # the headline goes on ("Headline, Then More") or nothing follows
        return None
    site = _TITLE_PARTS.split(rest)[-1].strip()
    if not site or len(site.split()) > MAX_SITE_WORDS or site.endswith((".", "?", "!")):
        return None
    return site


def is_site_name(author: str | None, site: str | None) -> bool:
    """Whether a byline only names the site ("Midshire Gazette" by "Midshire Gazette")."""
    return bool(author and site) and _words(author) == _words(site)


#: pages that hold no article, only what stands in its place: an app's "enable JavaScript" notice
#: (curl saved the page before its script wrote the story), a cookie consent wall (saved before
#: accepting). Each with the reason `qa index` gives for skipping it.
_NO_ARTICLE = (
    (re.compile(r"\b(?:enable|turn on|activate|allow)\s+javascript\b|\bjavascript\s+(?:is\s+)?(?:required|disabled|"
                r"switched off|turned off)\b", re.IGNORECASE),
     "no article text in HTML: the page needs JavaScript to show it (save it from a browser once it has loaded)"),
    (re.compile(r"\bwe value your privacy\b|\b(?:store|access)(?: and(?:/or)? access)? information on (?:your|a) device\b"
                r"|\bour (?:\d[\d,]* )?(?:partners|vendors)\b.*\bcookies\b|\b(?:accept|reject) all\b"
                r"|\bmanage (?:your )?(?:choices|preferences|settings)\b", re.IGNORECASE),
     "no article text in HTML: the page is a cookie consent notice (save it from a browser after accepting)"),
)
#: such a notice is a few lines; an article that mentions JavaScript or cookies is longer
MAX_NOTICE_CHARS = 1500
#: lines shorter than this are buttons and labels ("Accept", "Log in"), not the notice's sentences
MIN_NOTICE_WORDS = 4


def no_article(text: str) -> str | None:
    """Why the extracted text of a page is no article (a JavaScript or cookie consent notice in
    its place), or None. Every line of four words or more must be the notice's."""
    if len(text) > MAX_NOTICE_CHARS:
        return None
    lines = [line for line in text.splitlines() if len(line.split()) >= MIN_NOTICE_WORDS]
    for pattern, reason in _NO_ARTICLE:
        if lines and all(pattern.search(line) for line in lines):
            return reason
    return None

