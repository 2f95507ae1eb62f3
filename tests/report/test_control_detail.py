"""Per-endpoint detail under rate limiting, object-level authorization and authentication: the
endpoints each control judged failing or partial, with exposure, data, deciding evidence and the
figure the control turns on, capped with the rest counted; and the inventory's id shapes.

`tests/fixtures/control-detail` is a real estate scanned end to end: an APISIX route limited per
client address (10 a minute) that one client overran (40 in a minute, no 429), sequential quote and
certificate ids, an unauthenticated certificates route, and planted secrets that must not show.
"""

from __future__ import annotations

import html as html_module
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskscan.model import (
    Assessment,
    AuthKind,
    AuthPosture,
    ControlStatus,
    Endpoint,
    EndpointControlResult,
    EvidenceStrength,
    Lifecycle,
    RateLimitPosture,
    SightingSource,
)
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS
from riskscan.report.control_detail_view import MAX_DETAIL_ENDPOINTS, ControlDetail, build_control_details
from riskscan.report.view import build_view

ESTATE = Path(__file__).resolve().parents[1] / "fixtures" / "control-detail"
QUOTE = "GET /v2/quotes/{quoteId}"
CERTIFICATE = "GET /v2/certificates/{certificateId}"


@pytest.fixture(scope="module")
def estate() -> Assessment:
    """The control-detail estate, scanned once for this module."""
    return scan(ScanOptions(paths=(ESTATE,), clock=lambda: datetime(2026, 11, 30, 9, 0, tzinfo=UTC)))


@pytest.fixture(scope="module")
def page(estate: Assessment) -> str:
    return RENDERERS["html"].render(estate).decode("utf-8")


def _detail(assessment: Assessment, control_id: str) -> ControlDetail:
    return next(detail for detail in build_control_details(assessment) if detail.id == control_id)


def _section_text(page: str) -> str:
    """The words of the control-detail section, tags and entities removed."""
    section = page.split('<section id="control-detail">', 1)[1].split("</section>", 1)[0]
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", section)).split())


def test_the_three_controls_come_in_report_order_with_passing_endpoints_counted(estate: Assessment) -> None:
    details = build_control_details(estate)
    assert [d.id for d in details] == ["rate_limit", "object_authorization", "auth"]
    assert [d.passing for d in details] == ["1 of 3 endpoints judged pass", "0 of 2 endpoints judged pass",
                                            "1 of 3 endpoints judged pass"]
    assert all(d.more == 0 for d in details)


def test_rate_limit_keyed_per_address_shows_its_limit_against_the_peak_minute(estate: Assessment) -> None:
    rows = {f"{r.method} {r.path}": r for r in _detail(estate, "rate_limit").rows}
    quote = rows[QUOTE]
    assert (quote.status, quote.exposure, quote.data_classes) == ("fail", "public", "pii")
    assert quote.evidence == "enforced"
    assert quote.findings == ("RATE-002: Rate limit not enforced as configured on 1 endpoint",
                              "RATE-003: Limits counted per client address only on 1 endpoint")
    (figure,) = quote.figures
    assert figure.text == "per IP address" and figure.css == "bad"
    assert figure.note == ("limit-count by remote_addr: 10 a minute; busiest client 40 in one minute "
                           "(2026-11-17 10:15-10:16 UTC), above the 10 a minute configured")
    assert figure.source == "gateway/apisix.yaml:15"
    assert rows[CERTIFICATE].figures[0].text == "no rate limit"


def test_sequential_ids_open_to_weak_authentication_are_shown_with_why(estate: Assessment) -> None:
    rows = {f"{r.method} {r.path}": r for r in _detail(estate, "object_authorization").rows}
    (figure,) = rows[QUOTE].figures
    assert figure.text == "sequential ids" and figure.css == "bad"
    assert figure.note.startswith("quoteId is declared integer (int64)")
    assert "busiest client called 40 distinct objects; authentication: API key" in figure.note
    assert rows[CERTIFICATE].findings == ("BOLA-002: Object ids without strong authentication on 1 endpoint",)


def test_unauthenticated_endpoints_come_before_partial_ones(estate: Assessment) -> None:
    rows = _detail(estate, "auth").rows
    assert [(f"{r.method} {r.path}", r.status) for r in rows] == [(CERTIFICATE, "fail"), (QUOTE, "partial")]
    assert (rows[0].figures[0].text, rows[0].figures[0].note, rows[0].figures[0].css) == (
        "none", "not enforced", "bad")
    assert rows[0].exposure_reason == "served on the host api.keel-marine.example, reachable from outside"


def test_the_html_holds_the_rows_and_figures(page: str) -> None:
    text = _section_text(page)
    assert text.startswith("Endpoints behind the key controls")
    for expected in (
        "rate_limit Rate limiting and resource consumption fail",
        "GET /v2/quotes/{quoteId} fail public pii",
        "per IP address limit-count by remote_addr: 10 a minute; busiest client 40 in one minute",
        "above the 10 a minute configured gateway/apisix.yaml:15",
        "sequential ids quoteId is declared integer (int64)",
        "GET /v2/certificates/{certificateId} fail public",
        "AUTH-001: No authentication on 1 endpoint",
        "none not enforced gateway/apisix.yaml:23",
        "1 of 3 endpoints judged pass.",
    ):
        assert expected in text, expected
    assert "more failing or partial" not in text


def test_the_inventory_notes_sequential_ids(estate: Assessment) -> None:
    rows = {f"{r.method} {r.path}": r for r in build_view(estate).endpoints}
    assert rows[QUOTE].id_shape == rows[CERTIFICATE].id_shape == "sequential ids"
    assert rows["GET /v2/voyages"].id_shape == ""  # no id in its path


def test_planted_secrets_reach_no_detail(page: str) -> None:
    assert "PLANTED" not in page


def _many(assessment: Assessment, count: int) -> Assessment:
    """`assessment` with `count` more unthrottled endpoints, each failing rate limiting."""
    extra = tuple(
        Endpoint(method="GET", path=f"/v2/cargo/{n}", sources=(SightingSource.GATEWAY,),
                 lifecycle=Lifecycle.SHADOW, lifecycle_reason="routed, in no spec",
                 auth=AuthPosture(effective=AuthKind.API_KEY, enforced_by="gateway:cargo"),
                 rate_limit=RateLimitPosture(enforced=False))
        for n in range(count))
    results = tuple(EndpointControlResult(key=e.key, status=ControlStatus.FAIL, findings=("RATE-001",),
                                          evidence_strength=EvidenceStrength.ENFORCED, weight=0.5)
                    for e in extra)
    controls = tuple(c.model_copy(update={"endpoints": c.endpoints + results}) if c.id == "rate_limit" else c
                     for c in assessment.controls)
    inventory = assessment.inventory.model_copy(update={"endpoints": assessment.inventory.endpoints + extra})
    return assessment.model_copy(update={"controls": controls, "inventory": inventory})


def test_long_lists_are_cut_with_the_rest_counted(estate: Assessment) -> None:
    assessment = _many(estate, MAX_DETAIL_ENDPOINTS + 3)
    detail = _detail(assessment, "rate_limit")
    assert len(detail.rows) == MAX_DETAIL_ENDPOINTS
    assert detail.more == 5  # the fixture's two failures and three of the added ones
    # The heaviest failures first: the fixture's, then the added ones.
    assert [f"{r.method} {r.path}" for r in detail.rows[:2]] == [QUOTE, CERTIFICATE]
    text = _section_text(RENDERERS["html"].render(assessment).decode("utf-8"))
    assert "And 5 more failing or partial endpoints (see the JSON). 1 of 18 endpoints judged pass." in text


def test_no_section_without_per_endpoint_verdicts(empty_assessment: Assessment) -> None:
    assert build_control_details(empty_assessment) == ()
    assert 'id="control-detail"' not in RENDERERS["html"].render(empty_assessment).decode("utf-8")
