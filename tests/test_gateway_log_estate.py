"""End to end: an estate whose traffic comes from HAProxy, Caddy (through docker compose) and Istio logs,
beside an AWS NLB log, is scanned into one schema-valid assessment; every planted secret, address and
header value stays out of the JSON, the HTML and the log."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from riskscan.report.json_report import SCHEMA_PATH

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LOGS = {
    "haproxy.log": FIXTURES / "haproxy_log" / "syslog-httplog.log",
    "caddy.log": FIXTURES / "caddy_log" / "docker-compose-logs.log",
    "istio.log": FIXTURES / "envoy_log" / "istio-proxy.log",
}
NLB = ('tls 2.0 2026-11-09T08:00:01 net/claims-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 198.51.100.250:51341 '
       '10.0.3.17:443 5 2 98 246 - arn:aws:acm:eu-west-1:123456789012:certificate/PLANTED-CERT - '
       'ECDHE-RSA-AES128-SHA tlsv12 - api.example-insurer.com h2 h2 "h2","http/1.1" 2026-11-09T08:00:01\n')
PLANTED = ("PLANTED", "planted-basic-user", "cGxhbnRlZC1iYXNpYy11c2Vy", "jane.doe", "203.0.113.50",
           "192.0.2.66", "198.51.100.7", "198.51.100.250", "2001:db8::7", "10.44.", "broker-sdk", "Mozilla")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    estate = tmp_path_factory.mktemp("estate")
    shutil.copytree(FIXTURES / "estate", estate, dirs_exist_ok=True)
    for name, source in LOGS.items():
        shutil.copyfile(source, estate / "logs" / name)
    (estate / "logs" / "nlb.log").write_text(NLB)
    out = tmp_path_factory.mktemp("out")  # not beside the estate: other modules' fixtures write there
    result = subprocess.run(
        [sys.executable, "-m", "riskscan", "scan", str(estate), "--no-db", "-v", "--debug",
         "-o", str(out / "r.json"), "-o", str(out / "r.html")],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    text = (out / "r.json").read_text() + (out / "r.html").read_text() + result.stderr
    return json.loads((out / "r.json").read_text()), text


def test_every_log_is_read_as_its_kind_and_the_nlb_log_skipped_saying_why(
    scanned: tuple[dict[str, Any], str],
) -> None:
    report, _ = scanned
    kinds = {item["path"]: (item["kind"], item["status"]) for item in report["inputs"]}
    assert kinds["logs/haproxy.log"] == ("haproxy_log", "used")
    assert kinds["logs/caddy.log"] == ("caddy_log", "used")
    assert kinds["logs/istio.log"] == ("envoy_log", "used")
    [nlb] = [item for item in report["inputs"] if item["path"] == "logs/nlb.log"]
    assert (nlb["kind"], nlb["status"], nlb["message"]) == (
        None, "skipped", "an AWS NLB access log: TLS connections, no HTTP requests to count")


def test_the_logs_merge_into_one_endpoint_per_method_and_path(scanned: tuple[dict[str, Any], str]) -> None:
    report, _ = scanned
    walked = [e for e in report["endpoints"] if e["method"] == "GET" and e["path"] == "/v1/policies/{id}"]
    assert sum(e["traffic"]["requests"] for e in walked) >= 60 + 50  # the HAProxy and Caddy walks
    token = [e for e in report["endpoints"] if e["method"] == "POST" and e["path"] == "/v1/auth/token"]
    assert sum(e["traffic"]["unauthorized"] for e in token) >= 8 + 8 + 6


def test_the_assessment_is_schema_valid(scanned: tuple[dict[str, Any], str]) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(scanned[0])


@pytest.mark.parametrize("planted", PLANTED)
def test_no_planted_value_reaches_an_output(scanned: tuple[dict[str, Any], str], planted: str) -> None:
    assert planted.lower() not in scanned[1].lower()
