"""Running the command line from tests, written once.

`Cli` (the `run_qa` fixture) runs `qa.cli.main([...])` in this process with its output captured: the
usual way, fast (no interpreter, no imports, no model load per command) and the same contract
(exit code, stdout, stderr). `qa` runs `python -m qa` as a subprocess: for tests whose point is
the process (the entry point, a signal, a second process holding the index, an environment read
at start).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT


@dataclass(frozen=True)
class Result:
    """What a command left: its exit code and what it printed (the fields of CompletedProcess)."""

    returncode: int
    stdout: str
    stderr: str


class Cli:
    """`run_qa("ask", "...", cwd=..., env=..., stdin=b"...")`: qa's main in this process."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.capsys, self.monkeypatch = capsys, monkeypatch

    def __call__(self, *args: str, cwd: Path | None = None, env: Mapping[str, str | None] | None = None,
                 stdin: bytes | str | None = None) -> Result:
        """Exit code and output of `qa ARGS`, run in `cwd` with `env` over the environment (None:
        the variable unset) and `stdin` as its standard input."""
        from qa import cli

        self.capsys.readouterr()  # what came before is not this command's
        with self.monkeypatch.context() as patch:
            if cwd is not None:
                patch.chdir(cwd)
            for key, value in (env or {}).items():
                if value is None:
                    patch.delenv(key, raising=False)
                else:
                    patch.setenv(key, value)
            if stdin is not None:
                data = stdin.encode() if isinstance(stdin, str) else stdin
                patch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
            try:
                code = cli.main(list(args))
            except SystemExit as exc:  # argparse: --help, a bad flag
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        out, err = self.capsys.readouterr()
        return Result(code, out, err)


def qa(*args: str, cwd: Path, env: Mapping[str, str] | None = None, input: str | bytes | None = None,
       timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m qa ARGS` in cwd, importing this checkout, with the environment as it is when
    called (the session's private model cache is set after test modules import) and `env` over it.
    Text in and out, bytes when `input` is bytes."""
    full = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "qa", *args], cwd=cwd, env=full, capture_output=True,
                          text=not isinstance(input, bytes), timeout=timeout, input=input)


def check(index: Path) -> tuple[int, dict]:
    """`qa index --check --json` in this process, where no capsys is at hand: (exit code, its JSON)."""
    from qa import cli

    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(["index", "--check", "--json", "--index", str(index)])
    return code, json.loads(out.getvalue())


def one_line_error(result: Result | subprocess.CompletedProcess, *needles: str) -> None:
    """A failure told in one `qa: error:` line naming each of `needles`, no traceback."""
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qa: error:"), result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


def wait_for_pause(proc: subprocess.Popen, phase: str) -> str:
    """Read a `qa index` child's stderr until it says it paused at `phase` (QA_TEST_PAUSE_AT):
    what it said so far; an AssertionError with it if the child ends first."""
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if f"qa: test pause at {phase}" in line:
            return "".join(lines)
    raise AssertionError(f"never reached {phase}: {''.join(lines)}")
