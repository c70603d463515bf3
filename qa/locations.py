"""Where the index and the default source live, whatever folder `qa` is started from.

The index: `--index DIR`, else `$QA_INDEX`, else the project's own `index/` when qa runs from its
source checkout (the layout `make run` sets up), else `$XDG_DATA_HOME/qa/index`, else
`~/.local/share/qa/index`. Nothing here depends on the working directory, so `qa` started in any
folder opens the same index and never creates `./index` by surprise.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

#: the distribution name a checkout's pyproject.toml carries
PROJECT_NAME = "qa-news"


@dataclass(frozen=True)
class IndexLocation:
    """The index folder to open and why that one (shown by `qa --help` and the UI)."""

    path: Path
    origin: str  # "--index", "$QA_INDEX", "this checkout's index/", "the per-user data folder"

    def describe(self) -> str:
        return f"{self.path} ({self.origin})"


def checkout_root() -> Path | None:
    """The source checkout qa runs from (its pyproject.toml names qa-news and it has an index/
    folder), or None for an installed qa."""
    root = Path(__file__).resolve().parent.parent
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if f'name = "{PROJECT_NAME}"' not in text or not (root / "index").is_dir():
        return None
    return root


def user_data_dir() -> Path:
    """$XDG_DATA_HOME/qa, else ~/.local/share/qa."""
    base = os.environ.get("XDG_DATA_HOME")
    if base and os.path.isabs(base):
        return Path(base) / "qa"
    return Path.home() / ".local" / "share" / "qa"


def cache_dir() -> Path:
    """The per-user cache: $QA_CACHE_DIR, else $XDG_CACHE_HOME/qa, else ~/.cache/qa (model exports,
    the UI's error log)."""
    if os.environ.get("QA_CACHE_DIR"):
        return Path(os.environ["QA_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):  # a relative one is ignored (the XDG spec): it would put the
        base = os.path.join(os.path.expanduser("~"), ".cache")  # cache in whatever folder qa runs in
    return Path(base) / "qa"


def resolve_index(arg: str | os.PathLike[str] | None = None) -> IndexLocation:
    """The index folder: the --index flag, else $QA_INDEX, else the checkout's, else the user's."""
    if arg:
        return IndexLocation(Path(os.path.abspath(os.path.expanduser(os.fspath(arg)))), "from --index")
    env = os.environ.get("QA_INDEX")
    if env:
        return IndexLocation(Path(os.path.abspath(os.path.expanduser(env))), "from $QA_INDEX")
    root = checkout_root()
    if root is not None:
        return IndexLocation(root / "index", "this source checkout's index/")
    return IndexLocation(user_data_dir() / "index", "the per-user data folder")


def default_source() -> Path | None:
    """The folder a first `qa index` with no PATH indexes: the checkout's seeds/, when qa runs
    from its checkout and they are there; None otherwise (the user names a folder)."""
    root = checkout_root()
    if root is not None and (root / "seeds").is_dir():
        return root / "seeds"
    return None


#: what to do when the exports folder cannot be written (a read-only or missing home)
WRITABLE_DATA = "set XDG_DATA_HOME to a writable folder (exports go to $XDG_DATA_HOME/qa/exports)"


def exports_dir() -> Path:
    """Where the UI writes conversation exports: a folder of their own in the user's data folder,
    never a source folder (the scan also skips `qa-conversation-*.md` wherever it finds one)."""
    return user_data_dir() / "exports"


def file_as_index(index_dir: Path) -> str | None:
    """What to say when the index folder named is a file (its qa.sqlite, given for the folder, or
    a path typed wrong), None otherwise: "no index in FILE/" sent a user to build one there."""
    if not index_dir.is_file():
        return None
    holder = f": --index {index_dir.parent}" if index_dir.name == "qa.sqlite" else ""
    return f"{index_dir} is a file, not an index folder; give --index the folder of an index{holder}"


#: entries of a folder looked at to tell an article folder given for an index folder
ARTICLE_PEEK = 200


def articles_as_index(index_dir: Path, suffixes: Collection[str]) -> str | None:
    """What to say when the index folder named holds articles (files ending in one of `suffixes`,
    qa.config's DOCUMENT_SUFFIXES) and no index (`qa ask --index ~/articles`: the articles' folder
    given for the index's), None otherwise: "no index in ~/articles/; build one with: qa index
    PATH" did not say that --index names the index."""
    try:
        with os.scandir(index_dir) as entries:
            for n, entry in enumerate(entries):
                if n >= ARTICLE_PEEK:
                    break
                if Path(entry.name).suffix.lower() in suffixes and entry.is_file():
                    return (f"no index in {index_dir}/: it holds articles, and --index names the folder of an "
                            f"index; index them with: qa index {index_dir} (then ask without --index)")
    except OSError:
        return None
    return None
