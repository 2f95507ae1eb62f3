"""End to end: an estate whose traffic comes from every gateway JSON-lines log (and a mapped one) is
scanned into one schema-valid assessment, with no planted secret, address or consumer in any output."""

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
    "apisix.jsonl": FIXTURES / "apisix_log" / "http-logger.jsonl",
    "kong.jsonl": FIXTURES / "kong_log" / "file-log.jsonl",
    "envoy.json": FIXTURES / "envoy_log" / "access.json",
    "envoy.log": FIXTURES / "envoy_log" / "default-text.log",
    "traefik.json": FIXTURES / "traefik_log" / "access.json",
    "inhouse.jsonl": FIXTURES / "mapped_log" / "inhouse.jsonl",
}
PLANTED = ("PLANTED", "planted-basic-user", "jane.doe@broker.example", "198.51.100.7", "203.0.113.50",
           "broker_a", "10.0.4.12")
MAPPING = "time=ts,method=http.verb,path=http.target,status=http.code,host=http.vhost,client=peer.ip"


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    estate = tmp_path_factory.mktemp("estate")
    shutil.copytree(FIXTURES / "estate", estate, dirs_exist_ok=True)
    for name, source in LOGS.items():
        shutil.copyfile(source, estate / "logs" / name)
    out = estate.parent / "out"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "riskscan", "scan", str(estate), "--no-db", "-v", "--log-fields", MAPPING,
         "-o", str(out / "r.json"), "-o", str(out / "r.html")],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    text = (out / "r.json").read_text() + (out / "r.html").read_text() + result.stderr
    return json.loads((out / "r.json").read_text()), text


def test_every_log_is_read_as_its_kind(scanned: tuple[dict[str, Any], str]) -> None:
    report, _ = scanned
    kinds = {item["path"]: (item["kind"], item["status"]) for item in report["inputs"]}
    assert kinds["logs/apisix.jsonl"] == ("apisix_log", "used")
    assert kinds["logs/kong.jsonl"] == ("kong_log", "used")
    assert kinds["logs/envoy.json"] == ("envoy_log", "used")
    assert kinds["logs/envoy.log"] == ("envoy_log", "used")
    assert kinds["logs/traefik.json"] == ("traefik_log", "used")
    assert kinds["logs/inhouse.jsonl"] == ("mapped_log", "used")
    assert kinds["logs/access.log"] == ("access_log", "used")


def test_the_logs_merge_into_one_endpoint_per_method_and_path(scanned: tuple[dict[str, Any], str]) -> None:
    report, _ = scanned
    policies = [e for e in report["endpoints"] if e["method"] == "GET" and e["path"] == "/v1/policies/{id}"]
    assert len(policies) == 1 and policies[0]["lifecycle"] == "shadow"
    assert policies[0]["traffic"]["requests"] == 8 * 4 + 7 + 7  # four gateway logs, Envoy text, mapped
    token = [e for e in report["endpoints"] if e["method"] == "POST" and e["path"] == "/v1/auth/token"]
    assert token[0]["traffic"]["requests"] == 7 * 4 + 6 + 7


def test_the_assessment_is_schema_valid(scanned: tuple[dict[str, Any], str]) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(scanned[0])


@pytest.mark.parametrize("planted", PLANTED)
def test_no_planted_value_reaches_an_output(scanned: tuple[dict[str, Any], str], planted: str) -> None:
    assert planted.lower() not in scanned[1].lower()
