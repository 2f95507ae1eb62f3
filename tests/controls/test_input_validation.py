"""Input validation: gateway request validation, bounded spec schemas, and writes nobody checks."""

from __future__ import annotations

from pathlib import Path

from riskscan.model import Assessment, ControlResult, Finding
from riskscan.pipeline import ScanOptions, scan

SPEC = """openapi: 3.0.3
info: {title: Notes, version: "1"}
security: [{oidc: []}]
paths:
  /v1/notes:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties:
                text: {type: string}
                kind: {type: string, enum: [call, email]}
      responses: {"201": {description: Saved}}
  /v1/tags:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties:
                tag: {type: string, maxLength: 40, pattern: "^[a-z-]+$"}
                weight: {type: integer, maximum: 10}
                pinned: {type: boolean}
      responses: {"201": {description: Saved}}
  /v1/imports:
    post:
      responses: {"202": {description: Accepted}}
components:
  securitySchemes:
    oidc: {type: openIdConnect, openIdConnectUrl: https://id.example/.well-known/openid-configuration}
"""
GATEWAY = """routes:
  - id: notes
    uris: [/v1/notes, /v1/tags, /v1/imports]
    methods: [POST]
    plugins:
      openid-connect: {client_id: notes, client_secret: $env://OIDC, discovery: https://id.example/x, bearer_only: true}
{validation}
#END
"""


def judged(tmp_path: Path, *, spec: bool = True, validation: str = "") -> tuple[ControlResult, list[Finding]]:
    (tmp_path / "apisix.yaml").write_text(GATEWAY.replace("{validation}", validation), encoding="utf-8")
    if spec:
        (tmp_path / "notes.yaml").write_text(SPEC, encoding="utf-8")
    assessment: Assessment = scan(ScanOptions(paths=(tmp_path,)))
    result = next(c for c in assessment.controls if c.id == "input_validation")
    return result, [f for f in assessment.findings if f.control == "input_validation"]


def test_partial_one_unbounded_field_and_one_write_without_schema(tmp_path: Path) -> None:
    result, findings = judged(tmp_path)
    found = {f.title.split(":")[0]: f for f in findings}
    assert found["Writes with no request schema and no gateway validation"].endpoints == ("POST /v1/imports",)
    loose = found["Unbounded request fields on 1 endpoint"]
    assert loose.endpoints == ("POST /v1/notes",) and loose.severity.value == "low"
    assert [item.note for item in loose.evidence] == ["request field text: no length, pattern, enum or range bound"]
    assert "1 have fully bounded request schemas" in result.summary
    assert result.status.value in ("partial", "fail")


def test_present_validation_at_the_gateway_passes_enforced(tmp_path: Path) -> None:
    plugin = "      request-validation:\n        body_schema: {type: object}"
    result, findings = judged(tmp_path, validation=plugin)
    assert findings == [] and result.status.value == "pass"
    assert result.evidence_strength.value == "enforced" and result.evidence


def test_absent_a_gateway_alone_shows_writes_nobody_validates(tmp_path: Path) -> None:
    result, findings = judged(tmp_path, spec=False)
    assert [f.severity.value for f in findings] == ["medium"]
    assert result.evidence_strength.value == "enforced"


def test_not_observable_from_access_logs_alone(tmp_path: Path) -> None:
    (tmp_path / "access.log").write_text(
        '192.0.2.1 - - [10/Nov/2026:10:00:00 +0000] "POST /v1/notes HTTP/1.1" 201 12 "-" "curl/8"\n',
        encoding="utf-8")
    result = next(c for c in scan(ScanOptions(paths=(tmp_path / "access.log",))).controls
                  if c.id == "input_validation")
    assert (result.status.value, result.score) == ("unknown", None)
    assert "Access logs alone" in result.summary
