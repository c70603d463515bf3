"""The terminal UI (Textual). `run(index_dir)` opens it (the `qa` command and app.py call it); see qa/ui/app.py."""

from __future__ import annotations

from pathlib import Path


def run(index_dir: Path | str) -> int:
    from qa.ui.app import run as run_app

    return run_app(index_dir)
