"""End to end: an estate behind ingress-nginx (manifests, a spec, an access log) scans in one command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ESTATE = Path(__file__).resolve().parent / "fixtures" / "kubernetes" / "estate"
PLANTED = ("PLANTED-ESTATE-HTPASSWD", "PLANTED-ESTATE-AUTHURL", "partner-basic-auth", "partner-ca")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("k8s-estate")
    result = subprocess.run(
        [sys.executable, "-m", "riskscan", "scan", str(ESTATE), "-o", str(out / "r.json"), "-o",
         str(out / "r.html"), "--no-db"],
        cwd=out, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    (out / "stderr.txt").write_text(result.stderr, encoding="utf-8")
    return json.loads((out / "r.json").read_text(encoding="utf-8")), out


def endpoints(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{e['method']} {e['path']}": e for e in report["endpoints"]}


def test_manifests_are_read_as_kubernetes(scanned: tuple[dict[str, Any], Path]) -> None:
    report, _ = scanned
    kinds = {item["path"]: (item["kind"], item["status"]) for item in report["inputs"]}
    assert kinds["k8s/partner-ingress.yaml"] == ("kubernetes", "used")


def test_routed_documented_endpoints_carry_the_ingress_auth_limits_and_logging(
    scanned: tuple[dict[str, Any], Path],
) -> None:
    claim = endpoints(scanned[0])["GET /v1/claims/{claimId}"]
    assert claim["lifecycle"] == "documented"
    assert sorted(claim["sources"]) == ["gateway", "spec", "traffic"]
    assert claim["route_ids"] == ["partner/partner-api rule 0 path 0"]
    assert claim["auth"]["effective"] == "mtls"
    assert claim["auth"]["enforced_by"] == "gateway:partner/partner-api rule 0 path 0"
    assert claim["rate_limit"]["enforced"] is True
    assert claim["rate_limit"]["by"] == ["limit-rps by remote_addr (10/1s)"]
    assert claim["logging"] == {"logged": True, "loggers": ["ingress-nginx-access-log"], "monitors": []}
    quotes = endpoints(scanned[0])["POST /v1/quotes"]  # an Exact path
    assert (quotes["lifecycle"], quotes["route_ids"]) == ("documented", ["partner/partner-api rule 0 path 1"])


def test_routed_but_undocumented_paths_are_shadow_and_unlogged(scanned: tuple[dict[str, Any], Path]) -> None:
    export = endpoints(scanned[0])["GET /internal/export/{date}"]
    assert export["lifecycle"] == "shadow"
    assert sorted(export["sources"]) == ["gateway", "traffic"]
    assert export["auth"]["effective"] == "bearer"  # auth-url
    assert export["rate_limit"]["enforced"] is False
    assert export["logging"]["logged"] is False  # enable-access-log: "false"


def test_documented_but_unrouted_is_orphan(scanned: tuple[dict[str, Any], Path]) -> None:
    assert endpoints(scanned[0])["GET /v1/policies/{policyId}"]["lifecycle"] == "orphan"


def test_no_planted_secret_reaches_any_output(scanned: tuple[dict[str, Any], Path]) -> None:
    _, out = scanned
    for name in ("r.json", "r.html", "stderr.txt"):
        text = (out / name).read_text(encoding="utf-8")
        for secret in PLANTED:
            assert secret not in text, (name, secret)
