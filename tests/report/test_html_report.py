"""The HTML report: one self-contained, escaped page with every section and the key figures."""

from __future__ import annotations

import html as html_module
import re

from riskscan.model import Assessment, ControlStatus, Finding, Grade, Severity
from riskscan.report import RENDERERS
from riskscan.report.html_report import render_html
from riskscan.report.view import MAX_FINDING_ENDPOINTS, build_view


def _html(assessment: Assessment) -> str:
    return RENDERERS["html"].render(assessment).decode("utf-8")


def _text(html: str) -> str:
    """The page's visible words, tags dropped and whitespace folded."""
    return html_module.unescape(" ".join(re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.DOTALL).split()))


def test_has_every_section_in_reading_order(insurer_assessment: Assessment) -> None:
    html = _html(insurer_assessment)
    order = [html.index(f'id="{section}"') for section in ("cover", "summary", "controls", "control-detail",
                                                             "findings", "inventory", "inputs")]
    assert order == sorted(order)
    assert "<h1 class=\"cover-title\">API risk assessment</h1>" in html


def test_cover_and_summary_show_grade_score_and_key_figures(insurer_assessment: Assessment) -> None:
    text = _text(_html(insurer_assessment))
    assert "northwind-estate" in text
    assert "24 November 2026, 09:30 UTC" in text
    assert "Grade C, score 61 out of 100" in text
    assert "8 endpoints found, 3 of them shadow or zombie; 5 findings, 2 rated high or critical." in text
    assert "4 documented, 2 shadow, 1 zombie, 1 orphan" in text
    assert "1 critical, 1 high, 2 medium, 1 low, 0 info" in text
    assert "Traffic shows only 16 November 2026 to 22 November 2026" in text
    assert "1 input file could not be read" in text


def test_controls_show_status_score_and_limitations(insurer_assessment: Assessment) -> None:
    text = _text(_html(insurer_assessment))
    assert "monitoring Logging and monitoring unknown evidence: not observable n/a" in text
    assert "auth Effective authentication API2:2023 fail evidence: enforced (7 enforced, 1 declared) 55" in text
    assert "Ownership checks inside services cannot be seen from these inputs." in text


def test_findings_are_most_severe_first_with_evidence(insurer_assessment: Assessment) -> None:
    html = _html(insurer_assessment)
    positions = [html.index(f'id="finding-{fid}"') for fid in ("AUTH-001", "BOLA-001", "RATE-001", "INV-001")]
    assert positions == sorted(positions)
    text = _text(html)
    assert "gateway/apisix.yaml:44-46 /routes/2" in text
    assert "412 occurrences sample lines 18, 2041, 5517" in text
    assert "sample lines 301, 302, 303, 304, 305, 306, 307, 308, …" in text
    assert '<pre class="excerpt">- id: internal-export\n  uri: /internal/export/*' in html
    assert "Remediation. Attach openid-connect" in text


def test_inventory_lists_every_endpoint_with_its_posture(insurer_assessment: Assessment) -> None:
    html = _html(insurer_assessment)
    inventory = html[html.index('id="inventory"'):html.index('id="inputs"')]
    assert inventory.count("<tr>") == 1 + len(insurer_assessment.inventory.endpoints)
    text = _text(inventory)
    # Endpoints built by hand carry no derived exposure: the row says so (a scan derives it).
    assert "GET /v2/coverage/{policyId}/verify api.northwind-mutual.example documented exposure unknown " \
           "OpenID Connect (gateway:partner-prod) limit-count by http_x_partner_id (600/60s) " \
           "http-logger, prometheus 230,117 / 58" in text
    assert "ANY /v1/legacy/* any host shadow exposure unknown none (not enforced) none http-logger – / – " \
           "AUTH RATE AUTH-001 INV-001 RATE-001" in text  # the controls failing it, then its finding ids
    assert "bearer token (spec (declared, not verified)) unknown unknown" in text


def test_inventory_says_how_much_web_content_was_set_apart(insurer_assessment: Assessment) -> None:
    html = _html(insurer_assessment)
    text = _text(html[html.index('id="inventory"'):html.index('id="inputs"')])
    assert ("1,377 requests for web content (9 distinct paths: stylesheets, scripts, images and fonts 1,200; "
            "pages and documents 174; site files such as robots.txt 3) matched no specification or gateway "
            "route and are counted apart: they are not API endpoints and are not listed here.") in text


def test_inventory_says_nothing_of_web_content_when_there_was_none(empty_assessment: Assessment) -> None:
    assert "web content" not in _text(_html(empty_assessment))


def test_inputs_appendix_lists_failures_first_with_messages(insurer_assessment: Assessment) -> None:
    html = _html(insurer_assessment)
    appendix = _text(html[html.index('id="inputs"'):])
    assert appendix.index("failed 1 file") < appendix.index("used 6 files") < appendix.index("skipped 1 file")
    assert "$ref '#/components/schemas/Pay' does not resolve" in appendix


def test_values_are_escaped(insurer_assessment: Assessment) -> None:
    hostile = Finding(id="XSS-001", control="INV", severity=Severity.LOW, title="<script>alert(1)</script>",
                      detail='"><img src=x onerror=alert(1)>', endpoints=("GET /a/<b>",))
    html = _html(insurer_assessment.model_copy(update={"findings": (hostile,)}))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_page_is_self_contained(insurer_assessment: Assessment) -> None:
    html = _html(insurer_assessment)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert re.findall(r'(?:src|href)="([^"]*)"', html) == [f"#{s}" for s in
                                                          ("summary", "controls", "findings", "inventory", "inputs")]
    assert "@page" in html  # the stylesheet is inlined


def test_an_empty_scan_renders(empty_assessment: Assessment) -> None:
    text = _text(render_html(empty_assessment))
    assert "No findings." in text and "No endpoints were found." in text
    assert "No API specification was given" in text


def test_long_lists_are_cut_for_reading_and_counted(insurer_assessment: Assessment) -> None:
    many = tuple(f"GET /v2/items/{i}" for i in range(MAX_FINDING_ENDPOINTS + 12))
    finding = insurer_assessment.findings[0].model_copy(update={"endpoints": many})
    view = build_view(insurer_assessment.model_copy(update={"findings": (finding,)}))
    assert len(view.findings[0].endpoints) == MAX_FINDING_ENDPOINTS
    assert view.findings[0].more_endpoints == 12
    assert "and 12 more (see the JSON report)" in _text(render_html(insurer_assessment.model_copy(
        update={"findings": (finding,)})))


def test_a_grade_without_evidence_says_so(insurer_assessment: Assessment) -> None:
    unknown = tuple(
        control.model_copy(update={"status": ControlStatus.UNKNOWN, "score": None})
        for control in insurer_assessment.controls
    )
    text = _text(_html(insurer_assessment.model_copy(update={"controls": unknown, "score": 0, "grade": Grade.F})))
    assert "No control could be assessed from these inputs, so the grade reflects missing evidence." in text


def test_a_partly_known_score_names_how_many_controls_count_as_0(insurer_assessment: Assessment) -> None:
    controls = list(insurer_assessment.controls)
    controls[0] = controls[0].model_copy(update={"status": ControlStatus.UNKNOWN, "score": None})
    text = _text(_html(insurer_assessment.model_copy(update={"controls": tuple(controls)})))
    known = sum(1 for control in controls if control.status is not ControlStatus.UNKNOWN)
    assert 0 < known < len(controls)
    assert f"{len(controls) - known} of {len(controls)} controls could not be assessed and count as 0 in the score." in text
