"""Verbose errors in HAR captures as a misconfiguration finding (API8): present, absent, partial and not
observable; the leaked text reaches no output."""

from __future__ import annotations

import shutil
from pathlib import Path

from riskscan.model import Assessment, ControlResult, Finding
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PLANTED = ("PLANTED-DB-PASSWORD", "PLANTED-CUSTOMER-NAME", "PLANTED-DJANGO-SECRET", "4111111111111111")


def scanned(tmp_path: Path, *paths: str) -> Assessment:
    for path in paths:
        shutil.copy(FIXTURES / path, tmp_path / Path(path).name)
    return scan(ScanOptions(paths=(tmp_path,)))


def misconfiguration(assessment: Assessment) -> tuple[ControlResult, list[Finding]]:
    result = next(c for c in assessment.controls if c.id == "misconfiguration")
    return result, [f for f in assessment.findings if f.control == "misconfiguration"]


def test_leaking_error_bodies_are_one_finding_with_kinds_counts_and_entry_lines(tmp_path: Path) -> None:
    result, findings = misconfiguration(scanned(tmp_path, "har/verbose-errors.har"))
    (finding,) = [f for f in findings if f.title.startswith("Error responses leak internals")]
    assert finding.severity.value == "medium" and finding.owasp == "API8:2023"
    assert finding.endpoints == ("GET /v1/claims/{id}", "GET /v1/payments/{id}", "POST /v1/quotes")
    assert "framework debug pages, exception class names, SQL errors, stack traces" in finding.detail
    assert "(4 responses in the captures given)" in finding.detail
    assert all(item.path == "verbose-errors.har" and item.sample_lines for item in finding.evidence)
    # partial: two endpoints of the capture answered errors without leaking
    assert result.status.value == "partial"
    assert result.summary.endswith("Error bodies leaked internals on 3 of them.")


def test_a_capture_whose_errors_are_clean_is_no_pass_without_the_cors_configuration(tmp_path: Path) -> None:
    """Clean error bodies are said, but a capture shows symptoms, not the configuration: unknown."""
    result, findings = misconfiguration(scanned(tmp_path, "har/claims-portal.har"))
    assert findings == [] and result.status.value == "unknown"
    assert "No gateway config given shows CORS policies" in result.summary
    assert result.summary.endswith("Error bodies leaked internals on 0 of them.")
    assert not any("HAR captures" in text for text in result.limitations)


def test_access_logs_alone_say_error_bodies_are_not_judged(tmp_path: Path) -> None:
    result, _ = misconfiguration(scanned(tmp_path, "access_log/combined.log"))
    assert any("judged only where HAR captures with response bodies were given" in text
               for text in result.limitations)
    assert "Error bodies" not in result.summary


def test_specs_alone_cannot_show_it(tmp_path: Path) -> None:
    result, findings = misconfiguration(scanned(tmp_path, "transport/openapi-relative-server.yaml"))
    assert result.status.value == "unknown" and findings == []


def test_leaked_text_reaches_no_report(tmp_path: Path) -> None:
    assessment = scanned(tmp_path, "har/verbose-errors.har")
    for renderer in ("json", "html"):
        text = RENDERERS[renderer].render(assessment).decode("utf-8")
        assert not any(secret in text for secret in PLANTED), renderer
