"""An estate seen through AWS: a spec, an ALB access log, a CloudFront log and a HAR capture. One scan
reads all four, merges their traffic into the spec's endpoints, shows the HAR's response field names
in the JSON report, and no planted secret reaches JSON, HTML, the history database or the console."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

ESTATE = Path(__file__).resolve().parent / "fixtures" / "aws-estate"
SCHEMA = Path(__file__).resolve().parents[1] / "riskscan" / "report" / "assessment.schema.json"
PLANTED = ("PLANTED-ALB-QUERY-TOKEN", "PLANTED-ALB-AGENT", "PLANTED-CF-QUERY-KEY", "PLANTED-CF-COOKIE",
           "PLANTED-HAR-API-KEY", "PLANTED-HAR-QUERY-TOKEN", "PLANTED-HAR-COOKIE", "PLANTED-HAR-POST-PASSWORD",
           "PLANTED-HAR-BODY", "planted-mail", "123-45-6789", "eyJhbGciOiJIUzI1NiJ9", "198.51.100.", "203.0.113.9")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """The JSON report, and everything the scan wrote (JSON, HTML, history rows, stdout, stderr)."""
    out = tmp_path_factory.mktemp("aws")
    result = subprocess.run(
        [sys.executable, "-m", "riskscan", "scan", str(ESTATE), "--debug", "--db", str(out / "h.db"),
         "-o", str(out / "r.json"), "-o", str(out / "r.html")],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    texts = [result.stdout, result.stderr, (out / "r.json").read_text(), (out / "r.html").read_text()]
    with sqlite3.connect(out / "h.db") as conn:
        for (table,) in conn.execute("select name from sqlite_master where type = 'table'"):
            texts += [repr(row) for row in conn.execute(f"select * from [{table}]")]
    return json.loads((out / "r.json").read_text()), "\n".join(texts)


def endpoints(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{e['method']} {e['path']}": e for e in report["endpoints"]}


def test_all_three_traffic_kinds_are_read(scanned: tuple[dict[str, Any], str]) -> None:
    kinds = {item["kind"]: item["status"] for item in scanned[0]["inputs"]}
    assert kinds == {"openapi": "used", "alb_log": "used", "cloudfront_log": "used", "har": "used"}


def test_traffic_from_each_source_meets_the_spec_s_endpoints(scanned: tuple[dict[str, Any], str]) -> None:
    found = endpoints(scanned[0])
    claim = found["GET /v1/claims/{claimId}"]  # 30 ALB entries and one HAR entry
    assert (claim["lifecycle"], claim["traffic"]["requests"], claim["traffic"]["clients"]) == ("documented", 31, 4)
    assert found["GET /v1/policies"]["traffic"]["requests"] == 10  # CloudFront
    assert found["POST /v1/auth/token"]["traffic"]["status_classes"] == {"4xx": 25}  # ALB elb_status_code
    assert found["POST /v1/claims"]["traffic"]["requests"] == 1  # HAR
    assert found["GET /v2/quotes/{id}"]["lifecycle"] == "shadow"  # CloudFront only
    assert found["GET /v1/internal/export/{email}"]["lifecycle"] == "shadow"  # ALB only, the email redacted


def test_har_response_field_names_reach_the_json_report(scanned: tuple[dict[str, Any], str]) -> None:
    report = scanned[0]
    jsonschema.validate(report, json.loads(SCHEMA.read_text(encoding="utf-8")))
    found = endpoints(report)
    assert found["GET /v1/claims/{claimId}"]["traffic"]["response_fields"] == [
        "claimant.email", "claimant.ssn", "id", "status"]
    assert "response_fields" not in found["GET /v1/policies"]["traffic"]  # logs carry no bodies


def test_personal_data_a_captured_response_shows_is_classified(scanned: tuple[dict[str, Any], str]) -> None:
    claim = endpoints(scanned[0])["GET /v1/claims/{claimId}"]
    assert claim["data_classes"] == ["pii"]
    shown = {(field["name"], field["location"]) for field in claim["sensitive_fields"]}
    assert {("email", "response"), ("ssn", "response")} <= shown
    [control] = [c for c in scanned[0]["controls"] if c["id"] == "data_exposure"]
    assert control["evidence_strength"] == "observed"  # seen in responses, not only declared
    assert "(pii)" in control["summary"]


def test_no_planted_secret_reaches_any_output(scanned: tuple[dict[str, Any], str]) -> None:
    written = scanned[1]
    assert [secret for secret in PLANTED if secret in written] == []
