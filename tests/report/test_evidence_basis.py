"""Reports say on their face what the grade rests on: a spec-only scan never shows an A or a B, and its
cover, summary, JSON and terminal line say the evidence is declarations only; a full estate shows the
gateway config and traffic it rests on."""

from __future__ import annotations

import html as html_module
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest
from rich.console import Console

from riskscan.controls.basis import scoring_method
from riskscan.controls.catalogue import default_catalogue
from riskscan.model import Assessment
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS
from riskscan.terminal import print_summary

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DECLARED_ONLY = "declared in specs only: not verified by gateway configuration or traffic"


def scanned(folder: str) -> Assessment:
    return scan(ScanOptions(paths=(FIXTURES / folder,), clock=lambda: datetime(2026, 11, 24, 9, 30, tzinfo=UTC)))


@pytest.fixture(scope="module")
def spec_only() -> Assessment:
    return scanned("spec-only")


def document(assessment: Assessment) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(RENDERERS["json"].render(assessment))
    return loaded


def flat(text: str) -> str:
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_a_spec_only_scan_gets_no_a_or_b_and_its_json_says_declared(spec_only: Assessment) -> None:
    report = document(spec_only)
    assert report["grade"] not in ("A", "B")
    controls = {control["id"]: control for control in report["controls"]}
    assert controls["auth"]["evidence_strength"] == "declared"
    assert controls["auth"]["evidence_breakdown"] == {"enforced": 0, "observed": 0, "declared": 4,
                                                      "not_observable": 0}
    assert controls["object_authorization"]["evidence_strength"] == "declared"
    assert {controls[c]["evidence_strength"] for c in ("rate_limit", "monitoring", "inventory_hygiene")} == {
        "not_observable"}
    assert report["basis"]["evidence_strength"] == report["summary"]["evidence_strength"] == "declared"
    assert report["basis"]["statement"] == DECLARED_ONLY
    # Without a gateway config nothing shows throttling, logging, lifecycles, secrets, upstreams or CORS;
    # the fixture spec declares no request or response fields, so data and input validation are unknown too.
    # Its https server shows the way in at most (never the way to the backends), and its paths name no
    # administrative function, so neither transport security nor function-level authorization is passed.
    assert report["basis"]["unknown_controls"] == [
        "rate_limit", "monitoring", "inventory_hygiene", "function_authorization", "data_exposure",
        "secrets_hygiene", "third_party", "transport_security", "availability", "misconfiguration",
        "input_validation", "credential_stuffing"]
    assert "What the inputs did show: 0 of " in controls["transport_security"]["summary"]


def test_a_spec_only_html_report_states_the_basis_on_the_cover_and_in_the_summary(spec_only: Assessment) -> None:
    html = RENDERERS["html"].render(spec_only).decode("utf-8")
    cover = flat(html[html.index('id="cover"'):html.index('id="summary"')])
    summary = flat(html[html.index('id="summary"'):html.index('id="controls"')])
    for section in (cover, summary):
        assert "Evidence basis: Declared in specs only: not verified by gateway configuration or traffic." in section
        assert "Not observable (unknown, counted as 0): Rate limiting and resource consumption" in section
    assert f"How the grade is made. {scoring_method(default_catalogue())}" in summary


def test_a_spec_only_pdf_cover_shows_no_a_or_b_and_states_the_basis(spec_only: Assessment) -> None:
    reader = pypdf.PdfReader(io.BytesIO(RENDERERS["pdf"].render(spec_only)))
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Evidence basis: Declared in specs only: not verified by gateway configuration or traffic." in cover
    grade = re.search(r"overall score, grade ([A-F])", cover)
    assert grade is not None and grade.group(1) not in ("A", "B")


def test_the_terminal_summary_says_what_the_grade_rests_on(spec_only: Assessment) -> None:
    out = io.StringIO()
    print_summary(Console(file=out, width=200, color_system=None), spec_only, ["report.pdf"], None)
    assert f"evidence basis: {DECLARED_ONLY}" in out.getvalue().splitlines()


def test_a_full_estate_rests_on_gateway_config_and_traffic() -> None:
    report = document(scanned("estate"))
    strengths = {control["id"]: control["evidence_strength"] for control in report["controls"]}
    assert strengths["rate_limit"] == strengths["monitoring"] == "enforced"
    assert strengths["inventory_hygiene"] == "observed"  # two endpoints answer in traffic, routed by nothing
    levels = {level for control in report["controls"] for level, count in control["evidence_breakdown"].items()
              if count}
    assert {"enforced", "observed"} <= levels
    assert report["basis"]["evidence_strength"] in ("enforced", "observed")
    assert report["basis"]["unknown_controls"] == ["data_exposure"]  # its specs declare no response schemas


def test_the_cover_names_each_cap_that_held_the_grade_down() -> None:
    base = scanned("spec-only")
    cap = ("Capped at C (the score alone gives B): the evidence is declared in specs only: not verified by "
           "gateway configuration or traffic.")
    capped = base.model_copy(update={"basis": base.basis.model_copy(update={"caps": (cap,)})})
    html = RENDERERS["html"].render(capped).decode("utf-8")
    assert cap in flat(html[html.index('id="cover"'):html.index('id="summary"')])


def test_a_gateway_that_checks_no_credentials_leaves_the_grade_capped_at_c() -> None:
    """Throttled, logged and routed at the gateway, but authentication only declared by the spec: the
    score alone gives B; the PDF cover says the grade is capped and why."""
    assessment = scanned("open-gateway")
    report = document(assessment)
    controls = {control["id"]: control["evidence_strength"] for control in report["controls"]}
    assert controls.items() >= {"auth": "declared", "object_authorization": "declared", "rate_limit": "enforced",
                                "monitoring": "enforced", "inventory_hygiene": "enforced"}.items()
    assert 80 <= report["score"] < 90  # the B band
    assert (report["grade"], report["basis"]["evidence_strength"]) == ("C", "declared")
    reader = pypdf.PdfReader(io.BytesIO(RENDERERS["pdf"].render(assessment)))
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Capped at C (the score alone gives B): the evidence is declared in specs only" in cover


def test_key_figures_never_show_a_reassuring_zero_for_what_the_inputs_cannot_show(spec_only: Assessment) -> None:
    # With specs alone no endpoint's throttling is known: "0 unthrottled" would read as "all throttled".
    summary = document(spec_only)["summary"]
    assert summary["unthrottled"] == 0
    assert summary["throttling_unknown"] == summary["endpoints"] == 4
    html = flat(RENDERERS["html"].render(spec_only).decode("utf-8"))
    assert "Unthrottled no gateway configuration shows rate limits" in html or re.search(
        r"not shown\s+Unthrottled\s+no gateway configuration shows rate limits", html), html
    assert "0 Unthrottled" not in html
    assert "Unauthenticated per the specs' declarations, not verified" in html


def test_key_figures_count_unthrottled_endpoints_when_the_gateway_shows_them() -> None:
    summary = document(scanned("estate"))["summary"]
    assert summary["throttling_unknown"] < summary["endpoints"]
    html = flat(RENDERERS["html"].render(scanned("estate")).decode("utf-8"))
    assert "no gateway configuration shows rate limits" not in html
    assert "3 Unauthenticated no authentication in force; 1 more only declared in specs, not verified" in html
