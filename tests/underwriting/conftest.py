"""Assessments for the underwriting tests: real scans of fixture estates, and controls set by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskscan.model import Assessment, ControlResult, ControlStatus, EvidenceStrength, Finding, Severity
from riskscan.pipeline import ScanOptions, scan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ESTATE = FIXTURES / "estate"
SCANNED_AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def scan_estate(path: Path = ESTATE, **options: object) -> Assessment:
    """A real scan of a fixture estate at a pinned time."""
    return scan(ScanOptions(paths=(path,), clock=lambda: SCANNED_AT, **options))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def estate_assessment() -> Assessment:
    """The small insurer estate of tests/fixtures/estate (specs, APISIX config, access logs), scanned."""
    return scan_estate()


def with_control(assessment: Assessment, control_id: str, status: ControlStatus,
                 severities: tuple[Severity, ...] = ()) -> Assessment:
    """`assessment` with one control's status set and its findings replaced by ones of `severities`."""
    score = {ControlStatus.PASS: 100, ControlStatus.PARTIAL: 70, ControlStatus.FAIL: 20}.get(status)
    strength = EvidenceStrength.ENFORCED if score is not None else EvidenceStrength.NOT_OBSERVABLE
    result = ControlResult(id=control_id, name=control_id, score=score, status=status,
                           summary="set by the test", weight=1.0, evidence_strength=strength)
    controls = tuple(c for c in assessment.controls if c.id != control_id) + (result,)
    prefix = control_id[:4].upper()
    findings = tuple(f for f in assessment.findings if f.control != control_id) + tuple(
        Finding(id=f"{prefix}-{900 + n}", control=control_id, severity=severity, title="t", detail="d",
                endpoints=(f"GET /v2/things/{{id{n}}}",))
        for n, severity in enumerate(severities))
    return assessment.model_copy(update={"controls": controls, "findings": findings})


def all_controls(assessment: Assessment, status: ControlStatus) -> Assessment:
    """`assessment` with every control at `status` and no findings: a clean (or blind) baseline."""
    for control in assessment.controls:
        assessment = with_control(assessment, control.id, status)
    return assessment
