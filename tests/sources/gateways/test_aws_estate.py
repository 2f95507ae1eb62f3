"""End to end: an API Gateway export, a SAM template with its definition file and an access log scan
into one inventory: each endpoint documented and routed by the same file, seen in the log, once."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from riskscan.model import Assessment, AuthKind, Endpoint, InputStatus, Lifecycle, SightingSource, SourceKind
from riskscan.pipeline import ScanOptions, scan
from riskscan.report.json_report import SCHEMA_PATH, render_json

ESTATE = Path(__file__).resolve().parents[2] / "fixtures" / "aws" / "estate"
PLANTED = ["PLANTED-ESTATE-UPSTREAM-KEY", "PLANTED-ESTATE-STAGE-TOKEN", "203.0.113.50", "198.51.100.23"]


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return scan(ScanOptions(paths=(ESTATE,), clock=lambda: datetime(2026, 11, 30, 9, 0, tzinfo=UTC)))


def test_every_file_is_used_and_the_definition_file_is_read_once(assessment: Assessment) -> None:
    inputs = {item.path: (item.kind, item.status, item.message) for item in assessment.inputs}
    assert inputs["sam/quotes-api.yaml"] == (
        SourceKind.AWS_API_GATEWAY,
        InputStatus.USED,
        "included by sam/template.yaml",
    )
    assert inputs["sam/template.yaml"][:2] == (SourceKind.AWS_API_GATEWAY, InputStatus.USED)
    assert inputs["logs/access.log"][:2] == (SourceKind.ACCESS_LOG, InputStatus.USED)
    kind, status, message = inputs["api/claims-export.json"]
    assert (kind, status) == (SourceKind.AWS_API_GATEWAY, InputStatus.USED)
    assert message is not None and "fixed 'X-Api-Key' header" in message
    quotes = [
        endpoint for endpoint in assessment.inventory.endpoints if endpoint.path.startswith("/v3/quotes")
    ]
    assert len(quotes) == 1  # not once from the template and again from the definition file


def test_an_export_is_one_endpoint_from_spec_gateway_and_traffic(endpoints: dict[str, Endpoint]) -> None:
    claim = endpoints["GET /v2/claims/{claimId}"]
    assert claim.lifecycle is Lifecycle.DOCUMENTED
    assert claim.sources == (SightingSource.SPEC, SightingSource.GATEWAY, SightingSource.TRAFFIC)
    assert claim.traffic is not None and claim.traffic.requests == 2
    assert claim.auth.effective is AuthKind.OAUTH2  # the Cognito authorizer
    assert claim.auth.declared == (AuthKind.OAUTH2,)  # declared in API Gateway's terms, not as a static key
    assert claim.auth.enforced_by == "gateway:harbor-claims GET /v2/claims/{claimId}"
    # the export carries no stage: whether it is logged or throttled cannot be told, not "no"
    assert claim.is_logged is None and claim.rate_limit.enforced is None
    create = endpoints["POST /v2/claims"]
    assert create.auth.effective is AuthKind.BEARER  # Lambda authorizer plus API key: the stronger counts


def test_a_sam_api_shows_its_stage_logging_and_throttling(endpoints: dict[str, Endpoint]) -> None:
    quote = endpoints["GET /v3/quotes/{quoteId}"]
    assert quote.lifecycle is Lifecycle.DOCUMENTED
    assert quote.sources == (SightingSource.SPEC, SightingSource.GATEWAY, SightingSource.TRAFFIC)
    assert quote.auth.effective is AuthKind.OAUTH2  # AWS_IAM (SigV4)
    assert quote.is_logged is True and quote.loggers == ("access-log",)
    assert quote.rate_limit.enforced is True and quote.rate_limit.by == ("stage-throttle (30/1s)",)


def test_deprecated_but_routed_and_called_is_a_zombie_and_unrouted_traffic_is_shadow(
    endpoints: dict[str, Endpoint],
) -> None:
    legacy = endpoints["GET /v1/claims/{id}"]
    assert legacy.lifecycle is Lifecycle.ZOMBIE and legacy.auth.effective is AuthKind.NONE
    debug = endpoints["GET /internal/debug/vars"]
    assert debug.lifecycle is Lifecycle.SHADOW and debug.sources == (SightingSource.TRAFFIC,)
    files = [endpoint for key, endpoint in endpoints.items() if key.split(" ")[1].startswith("/v2/files/")]
    assert files and all(endpoint.lifecycle is Lifecycle.SHADOW for endpoint in files)  # greedy, undocumented
    assert all(endpoint.auth.effective is AuthKind.OAUTH2 for endpoint in files)


def test_no_planted_secret_reaches_any_output_or_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "riskscan",
            "scan",
            str(ESTATE),
            "-v",
            "-o",
            str(tmp_path / "r.json"),
            "-o",
            str(tmp_path / "r.html"),
            "--no-db",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    written = (
        result.stdout + result.stderr + (tmp_path / "r.json").read_text() + (tmp_path / "r.html").read_text()
    )
    assert "/v2/claims/{claimId}" in written  # guards against an empty output
    assert "partnerToken" in written  # the stage variable is named in a warning, its value is not
    for secret in PLANTED:
        assert secret not in written


def test_the_json_report_meets_the_schema(assessment: Assessment) -> None:
    document = json.loads(render_json(assessment))
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert {item["kind"] for item in document["inputs"]} == {"aws_api_gateway", "access_log"}
