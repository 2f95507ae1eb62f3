"""The coverage gaps and premium impact sections of the HTML and PDF reports, and their JSON."""

from __future__ import annotations

import html as html_module
import json
import re

import jsonschema  # type: ignore[import-untyped]
import pytest

from riskscan.model import Assessment, ControlStatus, Severity
from riskscan.report import RENDERERS
from riskscan.report.json_report import SCHEMA_PATH, render_json
from riskscan.underwriting.coverage import review_coverage

from .conftest import accepted, clean_assessment, control, finding
from .test_coverage_gaps import SHADOW

CLAIMS = "GET /v2/claims/{claimId}"


def _reviewed() -> Assessment:
    """A shadow endpoint, an accepted rate-limit finding and monitoring not observable."""
    base = clean_assessment(
        endpoints=(SHADOW,),
        controls=(control("monitoring", ControlStatus.UNKNOWN),
                  control("rate_limit", ControlStatus.PARTIAL, 70)),
        findings=(finding("RATE-001", "rate_limit", Severity.MEDIUM, CLAIMS, accepted=accepted()),
                  finding("INV-001", "inventory_hygiene", Severity.HIGH, SHADOW.key)),
    )
    return base.model_copy(update={"coverage": review_coverage(base, industry="health")})


def _text(assessment: Assessment) -> tuple[str, str]:
    page = RENDERERS["html"].render(assessment).decode("utf-8")
    words = " ".join(re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.DOTALL).split())
    return page, html_module.unescape(words)


def test_html_shows_gaps_and_roadmap_after_the_summary_and_before_the_controls() -> None:
    page, text = _text(_reviewed())
    order = [page.index(f'id="{section}"') for section in ("summary", "coverage", "premium", "controls", "findings")]
    assert order == sorted(order)
    assert 'href="#coverage"' in page and 'href="#premium"' in page  # in the contents
    assert "Undocumented APIs against \"reasonable security\" conditions" in text
    assert "cannot be ruled out from these inputs" in text
    assert "Not observable from these inputs: monitoring" in text
    assert "All of its findings are accepted as known risks (RATE-001); the gap stands" in text
    assert "Indicative only: indicative, industry claim, not a quote or rating filing" in text
    assert "Fix: Documented API controls (rate limiting, OAuth 2.0 enforcement, runtime protection)" in text
    assert "API-heavy industry surcharge +20-35%: Industry health" in text


def test_without_a_review_neither_section_is_shown() -> None:
    page, _ = _text(clean_assessment())
    assert 'id="coverage"' not in page and 'id="premium"' not in page and 'href="#premium"' not in page


def test_the_json_carries_gaps_and_premium_and_validates() -> None:
    document = json.loads(render_json(_reviewed()))
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
    assert not errors, [e.message for e in errors[:3]]
    gaps = {gap["rule"]: gap for gap in document["coverage_gaps"]}
    assert gaps["shadow_apis"]["state"] == "open" and gaps["shadow_apis"]["findings"] == ["INV-001"]
    assert gaps["slow_exposure"]["state"] == "cannot_be_ruled_out"
    assert gaps["api_denial_of_service"]["accepted"] is True
    premium = document["premium"]
    assert premium["factor_file"] == "riskscan defaults" and premium["roadmap"][0]["action"] == "fix"
    assert premium["combined"]["high"] <= premium["cap"]
    assert clean_assessment().coverage is None
    assert json.loads(render_json(clean_assessment()))["premium"] is None


@pytest.mark.slow
def test_the_demo_pdf_shows_both_sections(demo_pdf_pages: tuple[Assessment, list[str]]) -> None:
    _, pages = demo_pdf_pages
    coverage = next(i for i, text in enumerate(pages) if text.startswith("Coverage gaps"))
    premium = next(i for i, text in enumerate(pages) if text.startswith("Premium impact"))
    inventory = next(i for i, text in enumerate(pages) if text.startswith("API inventory"))
    assert coverage < premium < inventory
    gaps = " ".join(pages[coverage:premium])
    assert "Authentication and authorization failures against access-control exclusions" in gaps
    assert "Check in the policy" in gaps and "Ask for" in gaps and "BOLA-001" in gaps
    roadmap = " ".join(pages[premium:inventory])
    assert "Indicative only" in roadmap and "Remediation roadmap" in roadmap
    assert re.search(r"Fix: OAuth 2\.0 or OIDC with object-level authorization", roadmap)
    assert "15-20%" in roadmap and "2026 cyber-insurance guide on API security" in roadmap
