"""`make setup` on a fresh machine: the install is quiet and correct."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import ROOT


def test_setup_upgrades_pip_before_installing_so_extras_resolve_without_a_warning(tmp_path):
    """justext (through trafilatura) asks for lxml[html_clean]; lxml 6 declares the extra by its
    normalized name html-clean, which the pip a new venv ships (23.2) does not match, so it warns
    and installs nothing for it. pip >= 25 normalizes extra names (PEP 685)."""
    if not shutil.which("make"):
        pytest.skip("no make")
    plan = subprocess.run(["make", "-n", "-B", "setup", f"VENV={tmp_path / 'venv'}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60).stdout.splitlines()
    installs = [i for i, line in enumerate(plan) if "pip install" in line]
    upgrade = [i for i in installs if "--upgrade" in plan[i] and "'pip>=25'" in plan[i]]
    project = [i for i in installs if "-e '.[test]'" in plan[i]]
    assert upgrade and project and upgrade[0] < project[0] and upgrade[0] == installs[0], plan
