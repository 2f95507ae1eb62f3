"""Packaging: the installed package finds its templates and data, and exposes its entry points."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import riskscan
from riskscan.resources import questionnaires_dir, report_templates_dir

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_report_templates_are_found() -> None:
    templates = report_templates_dir()
    assert any(templates.glob("*.j2"))


def test_installed_package_ships_its_templates() -> None:
    # The README's test command installs riskscan from a wheel (not editable): the templates must
    # then come from inside the installed package, not from this source tree.
    package_dir = Path(riskscan.__file__).resolve().parent
    if package_dir == REPO_ROOT / "riskscan":
        pytest.skip("riskscan is imported from this source tree (an editable install), so there is no"
                    " installed wheel to check; the README's `pip install '.[test]'` makes one")
    assert report_templates_dir() == package_dir / "report_templates"
    assert questionnaires_dir() == package_dir / "questionnaires"


def test_questionnaires_are_found() -> None:
    assert any(questionnaires_dir().glob("*.yaml"))


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """riskscan built into a wheel and unpacked: the layout a non-editable install has."""
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO_ROOT), "--no-deps", "--no-build-isolation",
         "-w", str(out)],
        capture_output=True, text=True, timeout=300, check=False)
    assert build.returncode == 0, build.stderr
    wheel = next(out.glob("riskscan-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(out / "site")
    return out / "site"


@pytest.mark.slow
def test_the_wheel_carries_every_data_file(unpacked_wheel: Path) -> None:
    package = unpacked_wheel / "riskscan"
    assert (package / "report_templates" / "report.html.j2").is_file()
    assert (package / "report_templates" / "report.css").is_file()
    assert (package / "report_templates" / "fonts.css").is_file()
    assert len(list((package / "report_templates" / "fonts").glob("*.woff2"))) == 5
    assert (package / "report_templates" / "fonts" / "OFL.txt").is_file()
    assert list((package / "questionnaires").glob("*.yaml"))
    assert (package / "controls" / "catalogue.yaml").is_file()
    assert (package / "underwriting" / "exposure_scenarios.yaml").is_file()
    assert (package / "inventory" / "web_content.yaml").is_file()
    assert (package / "report" / "assessment.schema.json").is_file()
    assert (package / "underwriting" / "coverage_rules.yaml").is_file()
    assert (package / "underwriting" / "rating_factors.yaml").is_file()


@pytest.mark.slow
def test_a_scan_runs_from_the_unpacked_wheel_alone(unpacked_wheel: Path, tmp_path: Path) -> None:
    # Only the wheel's contents on the path: the source tree's templates cannot stand in.
    estate = REPO_ROOT / "tests" / "fixtures" / "estate"
    env = {**os.environ, "PYTHONPATH": str(unpacked_wheel)}
    result = subprocess.run(
        [sys.executable, "-P", "-m", "riskscan", "scan", str(estate), "-o", "r.pdf", "-o", "r.json", "--no-db"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    probe = subprocess.run(
        [sys.executable, "-P", "-c", "import riskscan.resources as r; print(r.report_templates_dir())"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert probe.stdout.strip() == str(unpacked_wheel / "riskscan" / "report_templates")


def test_python_dash_m_and_version(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "riskscan", "version"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    assert result.stdout.strip() == riskscan.__version__
