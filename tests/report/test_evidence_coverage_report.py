"""Coverage statements in the report: beside the grade (cover and summary) and under each control, in
HTML and PDF text, and in the JSON (validated against the schema)."""

from __future__ import annotations

import html as html_module
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pypdf
import pytest

from riskscan.model import Assessment, EvidenceCoverage, EvidenceStrength, InputFamily, TrafficCoverage
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS
from riskscan.report.evidence_coverage_view import coverage_sentences
from riskscan.report.json_report import SCHEMA_PATH

WINDOW = TrafficCoverage(first_seen=datetime(2026, 11, 9, tzinfo=UTC), last_seen=datetime(2026, 11, 15, 23, tzinfo=UTC),
                         days=7.0, requests=9027, documented_requests=8932, documented_share=0.9895)


def test_the_grade_gets_the_window_the_level_and_what_is_missing() -> None:
    coverage = EvidenceCoverage(traffic=WINDOW, endpoints_judged=9, endpoints_total=10, endpoint_share=0.9,
                                routes_judged=8, routes_total=8, route_share=1.0,
                                evidence_strength=EvidenceStrength.ENFORCED, missing_inputs=(InputFamily.SPECS,))
    assert coverage_sentences(coverage, in_full=True) == (
        "Judged with evidence: 9 of 10 endpoints (90%), 8 of 8 gateway routes (100%).",
        "Traffic 9 November 2026 to 15 November 2026 (7.0 days): 8,932 of 9,027 requests (98.9%) to "
        "documented endpoints.",
        "Evidence: enforced (gateway configuration).",
        "Not given: API specs.",
    )


def test_a_control_gets_the_window_length_only_and_no_routes_without_a_gateway() -> None:
    coverage = EvidenceCoverage(traffic=WINDOW, endpoints_judged=0, endpoints_total=4, endpoint_share=0.0,
                                evidence_strength=EvidenceStrength.NOT_OBSERVABLE,
                                missing_inputs=(InputFamily.GATEWAYS,))
    assert coverage_sentences(coverage) == (
        "Judged with evidence: 0 of 4 endpoints (0%).",
        "Traffic over 7.0 days: 8,932 of 9,027 requests (98.9%) to documented endpoints.",
        "Not given: gateway configs.",
    )


def test_logs_without_timestamps_say_so() -> None:
    untimed = WINDOW.model_copy(update={"first_seen": None, "last_seen": None, "days": None})
    coverage = EvidenceCoverage(traffic=untimed, endpoints_judged=1, endpoints_total=1, endpoint_share=1.0,
                                evidence_strength=EvidenceStrength.OBSERVED)
    assert coverage_sentences(coverage, in_full=True)[1].startswith("Traffic (no timestamps): 8,932 of 9,027")


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def scanned(folder: str) -> Assessment:
    return scan(ScanOptions(paths=(FIXTURES / folder,), clock=lambda: datetime(2026, 11, 24, 9, 30, tzinfo=UTC)))


def flat(text: str) -> str:
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", text)).split())


@pytest.fixture(scope="module")
def estate() -> Assessment:
    return scanned("estate")


def test_a_scan_with_every_input_states_coverage_in_json_html_and_pdf(estate: Assessment) -> None:
    document = json.loads(RENDERERS["json"].render(estate))
    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))).validate(document)
    overall = document["basis"]["coverage"]
    assert overall["missing_inputs"] == [] and overall["traffic"]["requests"] > 0
    assert all(control["coverage"] is not None for control in document["controls"])
    page = flat(RENDERERS["html"].render(estate).decode("utf-8"))
    grade_line = " ".join(coverage_sentences(estate.basis.coverage, in_full=True))  # type: ignore[arg-type]
    assert grade_line in page
    for control in estate.controls:
        assert control.coverage is not None
        assert " ".join(coverage_sentences(control.coverage)) in page
    pdf = pypdf.PdfReader(io.BytesIO(RENDERERS["pdf"].render(estate)))
    cover = " ".join(pdf.pages[0].extract_text().split())
    assert "Coverage: Judged with evidence:" in cover


def test_a_spec_only_scan_names_gateways_and_traffic_missing_beside_the_grade() -> None:
    assessment = scanned("spec-only")
    page = flat(RENDERERS["html"].render(assessment).decode("utf-8"))
    assert "Not given: gateway configs, traffic logs." in page
    monitoring = next(c for c in assessment.controls if c.id == "monitoring")
    assert monitoring.coverage is not None and monitoring.coverage.missing_inputs == (InputFamily.GATEWAYS,)
    rate_limit = next(c for c in assessment.controls if c.id == "rate_limit")
    assert rate_limit.coverage is not None
    assert rate_limit.coverage.missing_inputs == (InputFamily.GATEWAYS, InputFamily.TRAFFIC)
