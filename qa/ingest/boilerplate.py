"""Conservative removal of text that is not the article: sign-up footers, cookie notices, share bars.

Only paragraphs that match a boilerplate pattern *and* stand in an unbroken run at the very start
or end of the document are dropped, so a sentence of the story that happens to mention a
newsletter is kept. Short lines that match a strong pattern ("Advertisement", "Share this
article") are dropped wherever they stand.
"""

from __future__ import annotations

import re

# Phrases that, in a paragraph at the edge of an article, mark it as site furniture.
_EDGE_PATTERNS = re.compile(
    "|".join([
        r"sign[ -]?up\b", r"newsletters?\b", r"\b(?:un)?subscrib(?:e|ing)\b", r"mailing list", r"\binbox\b", r"mailchimp",
        r"cookies?\b.*\b(?:use|policy|consent|accept)", r"privacy (?:policy|notice)",
        r"terms (?:of|and) (?:use|service)", r"all rights reserved", r"^\s*(?:©|\(c\)|copyright\b)",
        r"follow us\b", r"share (?:this|on)\b", r"click here", r"download (?:our|the) app",
        r"^\s*(?:read more|related:|advertisement|sponsored)\b", r"^\s*(?:tags?|topics?)\s*:",
        # the agencies' credit and sign-off lines after a story: "(Reporting by A; Editing by B)",
        # "Associated Press writer C contributed to this report.", "___", AFP's "sjw/kma", "Reuters"
        r"^\s*\(?\s*(?:additional |further )?(?:reporting|writing|editing|compiled|graphics) by\b",
        r"\bcontributed (?:reporting )?to this (?:report|story)\b", r"^\s*_{3,}\s*$",
        r"^\s*[a-z]{2,5}(?:-[a-z]{2,5})*(?:/[a-z]{2,5})+\s*$", r"^\s*\(?(?:reuters?|ap|afp|associated press)\)?\s*$",
        r"^\s*our standards\s*:", r"^\s*to contact the (?:reporters?|editors?)\b",  # Reuters', Bloomberg's tails
        r"^\s*a version of this (?:article|story) (?:appears|appeared) in print\b",  # a paper's print line under the web copy
    ]),
    re.IGNORECASE,
)

# Short lines dropped anywhere.
_LINE_PATTERNS = re.compile(
    r"^\s*(?:advertisement|skip advertisement|share this article|share on (?:facebook|twitter|x)"
    r"|read more:?|continue reading|story continues below(?: advertisement)?|supported by|key events)\s*\.?\s*$"
    # a link to another story ("Read more: ...", "Also read | ..."), a live page's badge and clock, a PDF page's footer
    r"|^\s*(?:read more|read also|also read|see also|related|more on this story)\s*[:|]\s*\S.*$|^\s*live\s*$"
    r"|^\s*(?:(?:last )?updated|published|posted)\s+(?:\d+|an?|one)\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?)\s+ago\s*$"
    # a web page's sign-in link, a player's title and length, a photo credit alone on its line
    r"|^\s*(?:log ?in|sign ?in|register|subscribe(?: now)?)\s*$|^\s*(?:watch|video|listen|audio)\s*:\s*\S.*$"
    r"|^\s*duration\s+\d{1,2}:\d{2}(?::\d{2})?\s*$"
    r"|^\s*(?:image source|photo(?:graph)?|picture|image credit|credit)\s*[:,]\s*[^.!?]{1,60}$"
    r"|^\s*(?:[\w'-]+\s+){0,3}(?:\w+/)?(?:getty images|pa media|pa wire|shutterstock|alamy|epa)\s*$"
    r"|^\s*page\s+\d+\s+(?:of|/)\s+\d+\b.*$"
    r"|^[A-Z0-9][A-Z0-9&.-]*(?:/[A-Z0-9&.-]+)*/$",  # a wire slug alone on its line ("KESTREL-RESULTS/")
    re.IGNORECASE,
)


#: site furniture is short; a long paragraph that mentions subscribers is reporting
MAX_EDGE_WORDS = 60


def is_edge_boilerplate(paragraph: str) -> bool:
    return len(paragraph.split()) <= MAX_EDGE_WORDS and bool(_EDGE_PATTERNS.search(paragraph))


def is_line_boilerplate(paragraph: str) -> bool:
    return len(paragraph) < 80 and bool(_LINE_PATTERNS.match(paragraph))


def keep_mask(paragraphs: list[str]) -> list[bool]:
    """For each paragraph, whether it is article text (True) or boilerplate to drop (False)."""
    keep = [not is_line_boilerplate(p) for p in paragraphs]
    # trailing run of boilerplate
    i = len(paragraphs) - 1
    while i > 0 and (not keep[i] or is_edge_boilerplate(paragraphs[i])):
        keep[i] = False
        i -= 1
    # leading run (never the first line alone when it is the title: require a match)
    j = 0
    while j < i and (not keep[j] or is_edge_boilerplate(paragraphs[j])):
        keep[j] = False
        j += 1
    return keep
