"""The UI's tuned numbers, in one place (the engine's live in qa/settings.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UISettings:
    #: passages per answer
    top_k: int = 3
    #: a card shows its whole passage when it takes at most this many lines at the card's width,
    #: else the highlighted sentence and as many sentences around it as fit (→ shows all). Passages
    #: are ~120 words: 7 lines at 120 columns, 11 at 80, so a normal passage shows whole
    card_max_lines: int = 12
    #: and at most the chat's height less this many lines (the question, the answer's header, the
    #: card's title, citation, "why" and "more" lines, margins), so that the first card's passage,
    #: and its highlighted sentence, is on screen below its question (at 80x24: 9 lines)
    card_overhead_lines: int = 8
    # the score cue's calibration is on the ranking score's scale: RetrievalSettings.cue_floor/cue_step
    #: most characters the question box holds: a huge paste (or one typed in as keys by a terminal
    #: without bracketed paste) is cut there, and the app says so, instead of growing without bound
    question_max_chars: int = 2000
    #: a longer question (a pasted paragraph) is shown in the chat cut at a word before this many
    #: characters, with its length: the chat scrolls a question to its top and puts the answer
    #: below it, and a 1,700-character paste filled the whole of 80x24 (its answer out of view).
    #: 240 characters are 4 lines at 80 columns; the whole question is searched and exported
    question_shown_chars: int = 240
    #: seconds between two looks at the sources (file names and stats) and the index's identity
    poll_seconds: float = 3.0
    #: sync by itself when the sources change (the palette's "Automatic sync" turns it off for the session)
    auto_sync: bool = True
    #: seconds between two looks at "is the terminal still there?"
    hangup_check_seconds: float = 0.5
    #: seconds a hung-up app gets to close cleanly before the process is ended anyway (with the
    #: terminal gone Textual's writer thread dies and its queue blocks the UI: the end comes from here)
    hangup_grace_seconds: float = 1.0


UI = UISettings()
