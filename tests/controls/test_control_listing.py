"""`riskscan controls`: the catalogue a broker or underwriter reads before trusting a score."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from riskscan.controls.catalogue import default_catalogue
from riskscan.controls.listing import catalogue_listing

REPO = Path(__file__).resolve().parents[2]


def test_every_control_says_what_it_checks_why_an_insurer_cares_and_how_to_fix_it() -> None:
    for control in default_catalogue().controls:
        assert control.description and control.insurer_concern and control.remediation, control.id
        assert control.owasp and control.weight > 0, control.id


def test_the_listing_names_every_control_with_its_weight_owasp_and_texts() -> None:
    catalogue = default_catalogue()
    text = catalogue_listing(catalogue)
    total = sum(control.weight for control in catalogue.controls)
    assert text.startswith(f"{len(catalogue.controls)} controls; weights add up to {total:g}")
    flat = " ".join(text.split())
    for control in catalogue.controls:
        assert f"{control.id}: {control.name}" in text
        assert f"weight {control.weight:g} of {total:g} · OWASP {', '.join(control.owasp)}" in text
        assert " ".join(control.insurer_concern.split()) in flat
        assert " ".join(control.remediation.split()) in flat
    assert max(len(line) for line in text.splitlines()) <= 100


def test_riskscan_controls_prints_the_listing(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "riskscan", "controls"], cwd=tmp_path, capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == catalogue_listing(default_catalogue())
