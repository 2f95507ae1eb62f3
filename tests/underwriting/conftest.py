"""Assessments from real scans of small estates, shared by the questionnaire tests (a scan per module)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskscan.model import Assessment
from riskscan.pipeline import ScanOptions, scan

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "questionnaires"
SCANNED_AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def scan_estate(path: Path, **options: object) -> Assessment:
    """A scan of `path` at a fixed time, with any further `ScanOptions` fields."""
    return scan(ScanOptions(paths=(path,), clock=lambda: SCANNED_AT, **options))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def demo() -> Assessment:
    """The demo estate (examples/northwind-mutual): gateway, specs and two weeks of traffic."""
    return scan_estate(REPO_ROOT / "examples" / "northwind-mutual")


@pytest.fixture(scope="session")
def spec_only() -> Assessment:
    """One spec and nothing else: most controls cannot be judged."""
    return scan_estate(REPO_ROOT / "tests" / "fixtures" / "spec-only")
