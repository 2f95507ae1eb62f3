"""Bidi, separator and control characters reach no report raw, even past the model's gate.

The gate (the model's `Redacted*` types) replaces them at ingestion; the renderers escape them again
so that an `Assessment` built some other way (`model_construct` skips validation) is still safe.
"""

from __future__ import annotations

import json

import pytest

from riskscan.model import Assessment, Finding, Severity
from riskscan.report import RENDERERS

CONTROLS = ["\u202e", "\u2028", "\u2029", "\u2066", "\u200f", "\x85", "\x9b"]


def _with_hostile_finding(assessment: Assessment) -> Assessment:
    title = "Route " + "".join(CONTROLS) + "gpj.exe"
    finding = Finding.model_construct(
        id="X-001", control="authentication", severity=Severity.HIGH, title=title, detail=title,
        endpoints=(), evidence=(), owasp=None, remediation=None,
    )  # fmt: skip
    return assessment.model_construct(**{**dict(assessment), "findings": (*assessment.findings, finding)})


@pytest.mark.parametrize("fmt", ["json", "html"])
def test_renderers_escape_control_characters_the_model_did_not_see(
    insurer_assessment: Assessment, fmt: str
) -> None:
    text = RENDERERS[fmt].render(_with_hostile_finding(insurer_assessment)).decode("utf-8")
    assert "gpj.exe" in text
    assert not any(char in text for char in CONTROLS)


def test_json_keeps_the_characters_as_escapes(insurer_assessment: Assessment) -> None:
    document = json.loads(RENDERERS["json"].render(_with_hostile_finding(insurer_assessment)))
    assert any("\u202e" in finding["title"] for finding in document["findings"])


def test_the_model_gate_neutralises_them_on_the_way_in() -> None:
    finding = Finding(
        id="X-001", control="authentication", severity=Severity.HIGH, title="a\u202eb\u2028c", detail=""
    )
    assert finding.title == "a\ufffdb\ufffdc"


def test_model_copy_cannot_bypass_the_gate() -> None:
    finding = Finding(id="X-001", control="authentication", severity=Severity.HIGH, title="ok", detail="")
    copied = finding.model_copy(update={"detail": "mail jane.broker@example.com", "title": "x\u202ey"})
    assert (copied.detail, copied.title) == ("mail [REDACTED EMAIL]", "x\ufffdy")
