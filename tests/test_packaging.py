"""Packaging: the installed package finds its templates and data, and exposes its entry points."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import riskscan
from riskscan.resources import report_templates_dir

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_report_templates_are_found() -> None:
    templates = report_templates_dir()
    assert any(templates.glob("*.j2"))


def test_installed_package_ships_its_templates() -> None:
    # The README's test command installs riskscan from a wheel (not editable): the templates must
    # then come from inside the installed package, not from this source tree.
    package_dir = Path(riskscan.__file__).resolve().parent
    if package_dir == REPO_ROOT / "riskscan":
        pytest.skip("running against the source tree, not an installed wheel")
    assert report_templates_dir() == package_dir / "report_templates"


def test_python_dash_m_and_version(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "riskscan", "version"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == riskscan.__version__
