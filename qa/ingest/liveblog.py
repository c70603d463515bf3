"""A live blog's post times kept with its posts.

A live page ("Budget day live") stamps each post with a clock time in a `<time>` element of its
own ("11:19", "11.19 GMT", "10:42am"; or a `<span class="post-time">`); the main-text extractor drops such short elements, so
"when did the minister announce it" had no answer on the page. On a page with several such
stamps, each is written into the start of the post's first paragraph ("11:19 Fuel duty will be
frozen ..."), so it is article text. A page with fewer (an article's byline time) is left alone.
"""

from __future__ import annotations

import re
from typing import Any

#: a clock time alone: "11:19", "11.19 GMT", "10:42am", "9:05 p.m. BST"
_CLOCK = re.compile(r"^\d{1,2}[:.]\d{2}(?:\s*(?:am|pm|a\.m\.|p\.m\.))?(?:\s+[A-Z]{2,4})?$", re.IGNORECASE)
#: a class naming an element a time or a stamp ("post-time", "timestamp", "block-time")
_TIMED = re.compile(r"time|stamp", re.IGNORECASE)
#: a live page stamps many posts; an article's byline time is one
MIN_STAMPS = 3
#: the post's paragraph is looked for among this many elements after the stamp
LOOK_AHEAD = 8


def with_post_times(tree: Any) -> bool:
    """Write each post time of a live page (an lxml tree) into its post's first paragraph, in place.
    True when it did (the page is a live blog)."""
    stamps = _stamps(tree)
    if len(stamps) < MIN_STAMPS:
        return False
    for stamp in stamps:
        paragraph = _next_paragraph(stamp)
        if paragraph is not None:
            clock = " ".join(stamp.text_content().split())
            paragraph.text = f"{clock} {paragraph.text or ''}"
            stamp.drop_tree()  # the clock is the post's now, not a line of its own (its tail text stays)
    return True


def _stamps(tree: Any) -> list[Any]:
    """The clock times stamping posts: `<time>` elements, or elements a class names as a time
    (`<span class="post-time">11:19</span>`), holding a clock time alone; the innermost of nested ones."""
    found = [el for el in tree.iter() if isinstance(el.tag, str) and (el.tag == "time" or _TIMED.search(el.get("class") or ""))
             and _CLOCK.match(" ".join((el.text_content() or "").split()))]
    inner = set(found)
    return [el for el in found if not any(d in inner for d in el.iterdescendants())]


def _next_paragraph(stamp: Any) -> Any | None:
    """The first <p> after the stamp in document order, unless it holds the stamp."""
    for count, element in enumerate(stamp.itersiblings()):
        if count >= LOOK_AHEAD:
            break
        if element.tag == "p":
            return element
        found = next(element.iter("p"), None)
        if found is not None:
            return found
    parent = stamp.getparent()  # the stamp wrapped in its own element (<p class="time"><time>)
    if parent is not None and parent.tag != "body" and not (parent.text or "").strip() and len(parent) == 1:
        return _next_paragraph(parent)
    return None
