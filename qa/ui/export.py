"""A conversation as Markdown (for notes and stories) and one answer as plain text (for the
clipboard), each passage with its full citation so it can be checked against the source. Both are
made harmless as everything qa prints is (render.visible): control characters show as U+FFFD."""

from __future__ import annotations

from collections.abc import Iterable

from qa.presenter import LINE_KINDS, answer_notices, hit_notices
from qa.retrieval.context import Turn
from qa.render import citation, visible
from qa.search import Answer, Hit


def hit_text(hit: Hit) -> str:
    """One passage and its citation, as plain text."""
    return f"{hit.text}\n{citation(hit)}"


def answer_text(answer: Answer) -> str:
    """The answer's notices (qa/presenter.py, as `qa ask` prints them) and its passages with their
    citations, as plain text (what "copy" puts on the clipboard)."""
    head = "\n".join([f"Q: {answer.question}", *(n.text for n in answer_notices(answer))])
    return visible("\n\n".join([head, *(hit_text(h) for h in answer.hits)]) + "\n")  # no raw ESC for a terminal


def _bold_sentence(hit: Hit) -> str:
    """The passage with its answering sentence in bold (each line bolded alone: Markdown's
    emphasis does not cross lines)."""
    start, end = hit.highlight_start - hit.start, hit.highlight_end - hit.start
    sentence = "\n".join(f"**{line.strip()}**" if line.strip() else line
                         for line in hit.text[start:end].split("\n"))
    return hit.text[:start] + sentence + hit.text[end:]


def _quote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines())


def conversation_markdown(turns: Iterable[tuple[Turn, Answer]], title: str = "qa conversation") -> str:
    """Markdown: each question as a heading, each passage quoted with its citation below it."""
    out = [f"# {title}", ""]
    for turn, answer in turns:
        out += [f"## {turn.question}", ""]
        if turn.follow_up:
            out += [f"*Follow-up; searched with: {' '.join(turn.context)}*", ""]
        for notice in answer_notices(answer, turn.query):  # the words the chat showed
            out += ["*" + notice.text.replace("*", "\\*") + "*", ""]
        for hit in answer.hits:
            lines = [n.text for n in hit_notices(hit, answer.hits[0]) if n.kind in LINE_KINDS]
            out += [_quote(_bold_sentence(hit)), "", f"— {citation(hit)}", "", *(f"{line}\n" for line in lines)]
    return visible("\n".join(out).rstrip("\n") + "\n")  # ESC/OSC bytes of an article never reach a terminal
