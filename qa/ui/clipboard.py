"""What to say after sending text to the terminal's clipboard: Textual writes it with the OSC 52
escape and cannot know whether the terminal took it (tmux drops it unless set-clipboard is on)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping

TMUX_HINT = "under tmux it arrives only with `set -g set-clipboard on` in ~/.tmux.conf"


def tmux_clipboard_setting() -> str:
    """tmux's set-clipboard option ("on", "external", "off"), "" when it cannot be read."""
    try:
        done = subprocess.run(["tmux", "show-options", "-gv", "set-clipboard"], capture_output=True,
                              text=True, timeout=1)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def clipboard_note(env: Mapping[str, str] = os.environ) -> str:
    """The advice to add to "sent to the terminal's clipboard", "" when there is none to give."""
    if not env.get("TMUX"):
        return "if nothing arrives, the terminal does not accept clipboard escapes (OSC 52)"
    if tmux_clipboard_setting() == "on":
        return "tmux passes it on (set-clipboard on) if the outer terminal accepts OSC 52"
    return TMUX_HINT
