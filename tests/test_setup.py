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
    project = [i for i in installs if f"-e '{ROOT}[test]'" in plan[i]]
    assert upgrade and project and upgrade[0] < project[0] and upgrade[0] == installs[0], plan


def test_make_run_from_another_folder_uses_the_checkouts_paths(tmp_path):
    """`make -f ~/qa/Makefile run` from another folder stopped with `No rule to make target
    'pyproject.toml'` (every path was the working folder's): they are the Makefile's own now,
    and `clean-index` empties the checkout's index/, never the working folder's."""
    if not shutil.which("make"):
        pytest.skip("no make")
    plan = subprocess.run(["make", "-n", "-B", "-f", str(ROOT / "Makefile"), "run", "clean-index"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    assert f"python3 -m venv {ROOT}/.venv" in lines and f"{ROOT}/.venv/bin/qa" in lines, lines
    assert any(f"-e '{ROOT}[test]'" in line for line in lines) and f"rm -rf {ROOT}/index/*" in lines, lines
