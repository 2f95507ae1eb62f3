"""Per-endpoint verdicts in the report's inventory: the controls each endpoint fails (bold) or
partially passes, by their finding prefix, with the finding ids, and its exposure when not public."""

from __future__ import annotations

import html as html_module
import re

from riskscan.model import (
    Assessment,
    ControlStatus,
    EndpointControlResult,
    EvidenceStrength,
    EndpointExposure,
)
from riskscan.report import RENDERERS
from riskscan.report.verdicts_view import endpoint_verdicts

ENFORCED = EvidenceStrength.ENFORCED


def judged(assessment: Assessment, control_id: str, *results: EndpointControlResult) -> Assessment:
    controls = tuple(c.model_copy(update={"endpoints": results}) if c.id == control_id else c
                     for c in assessment.controls)
    return assessment.model_copy(update={"controls": controls})


def row_of(page: str, path: str) -> str:
    """The text of the inventory row whose path cell is `path`."""
    inventory = page.split('id="inventory"', 1)[1]
    rows = (r.split("</tr>", 1)[0] for r in inventory.split("<tr>"))
    row = next(r for r in rows if f'<span class="mono">{html_module.escape(path)}</span>' in r)
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", row)).split())


def test_failures_come_first_then_partials_and_passes_are_not_shown(insurer_assessment: Assessment) -> None:
    key = "GET /v2/claims/{claimId}"
    assessment = judged(insurer_assessment, "auth",
                        EndpointControlResult(key=key, status=ControlStatus.PARTIAL, evidence_strength=ENFORCED,
                                              findings=("AUTH-002",)),
                        EndpointControlResult(key="GET /v2/health", status=ControlStatus.PASS,
                                              evidence_strength=ENFORCED))
    assessment = judged(assessment, "rate_limit",
                        EndpointControlResult(key=key, status=ControlStatus.FAIL, evidence_strength=ENFORCED,
                                              findings=("RATE-001",)))
    verdicts = endpoint_verdicts(assessment)
    assert [(v.code, v.css) for v in verdicts[key]] == [("RATE", "verdict-fail"), ("AUTH", "verdict-partial")]
    assert "GET /v2/health" not in verdicts


def test_the_inventory_row_shows_codes_then_finding_ids_and_a_non_public_exposure(
    insurer_assessment: Assessment,
) -> None:
    named = {key for finding in insurer_assessment.findings for key in finding.endpoints}
    endpoint = next(e for e in insurer_assessment.inventory.endpoints if e.key in named)
    inventory = insurer_assessment.inventory.model_copy(update={"endpoints": tuple(
        e.model_copy(update={"exposure": EndpointExposure.INTERNAL}) if e is endpoint else e
        for e in insurer_assessment.inventory.endpoints)})
    assessment = judged(insurer_assessment.model_copy(update={"inventory": inventory}), "rate_limit",
                        EndpointControlResult(key=endpoint.key, status=ControlStatus.FAIL,
                                              evidence_strength=ENFORCED, findings=("RATE-001",)))
    page = RENDERERS["html"].render(assessment).decode("utf-8")
    row = row_of(page, endpoint.path)
    assert "internal" in row
    assert re.search(r"RATE( [A-Z]+)* [A-Z]+-\d{3}", row), row
    assert '<span class="verdict-fail" title="rate_limit: fail">RATE</span>' in page
