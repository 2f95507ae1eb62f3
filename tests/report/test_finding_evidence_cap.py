"""A finding with more places than any list shows says how many it leaves out, in the JSON and the report."""

from __future__ import annotations

import html as html_module
import json
import re

from riskscan.controls.catalogue import default_catalogue
from riskscan.controls.outcome import FindingDraft
from riskscan.model import Assessment, Evidence, Severity
from riskscan.report import RENDERERS


def _places(count: int) -> tuple[Evidence, ...]:
    return tuple(Evidence(path="gateway/kong.yaml", line=10 + number, pointer=f"/consumers/{number}/keyauth_credentials/0/key",
                          note="an API key written in clear") for number in range(count))


def _draft(places: int) -> FindingDraft:
    return FindingDraft(
        control="secrets_hygiene", code="SECRET_IN_CONFIG", severity=Severity.HIGH,
        title="Credentials written in clear in gateway configuration", detail=f"{places} places.",
        endpoints=(), evidence=_places(places), owasp="API8:2023", remediation="Move them to a vault.",
    )


def test_the_json_lists_the_first_places_and_counts_the_rest() -> None:
    cap = default_catalogue().scoring.evidence_per_finding
    finding = _draft(cap + 37).to_finding("SEC-001", cap)
    assert (len(finding.evidence), finding.evidence_omitted) == (cap, 37)
    assert finding.evidence[-1].line == 10 + cap - 1  # the first places, in order
    short = _draft(3).to_finding("SEC-002", cap)
    assert (len(short.evidence), short.evidence_omitted) == (3, 0)


def _visible_text(assessment: Assessment) -> str:
    page = RENDERERS["html"].render(assessment).decode("utf-8")
    words = re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.DOTALL)
    return html_module.unescape(" ".join(words.split()))


def test_the_report_says_how_many_places_it_does_not_show(insurer_assessment: Assessment) -> None:
    cut = _draft(250).to_finding("SEC-001", 200)
    listed = _draft(45).to_finding("SEC-002", 200)
    assessment = insurer_assessment.model_copy(
        update={"findings": (*insurer_assessment.findings, cut, listed)}
    )
    text = _visible_text(assessment)
    assert "and 230 more (the JSON report lists 200 of the 250)" in text
    assert "and 25 more (see the JSON report)" in text
    document = json.loads(RENDERERS["json"].render(assessment))
    by_id = {item["id"]: item for item in document["findings"]}
    assert (len(by_id["SEC-001"]["evidence"]), by_id["SEC-001"]["evidence_omitted"]) == (200, 50)
    assert by_id["SEC-002"]["evidence_omitted"] == 0
