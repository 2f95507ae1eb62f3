"""An estate behind several gateways, documented three ways, with traffic: one scan reads every kind,
and the inventory merges what each saw into one endpoint per (method, path)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ESTATE = Path(__file__).resolve().parent / "fixtures" / "mixed-estate"
PLANTED = ("PLANTED-POSTMAN-TOKEN-7f3a9c", "PLANTED-KONG-OIDC-SECRET", "PLANTED-KONG-CONSUMER-KEY",
           "PLANTED-QUERY-TOKEN", "PLANTED-APISIX-OIDC-SECRET", "PLANTEDHASH", "PLANTED-AWS-INTEGRATION-KEY",
           "PLANTED-KONG-LOG-TOKEN")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str, str]:
    out = tmp_path_factory.mktemp("mixed")
    result = subprocess.run(
        [sys.executable, "-m", "riskscan", "scan", str(ESTATE), "--no-db", "-v", "-o", str(out / "r.json"),
         "-o", str(out / "r.html")], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads((out / "r.json").read_text()), (out / "r.html").read_text(), result.stderr


def endpoints(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{e['method']} {e['path']}": e for e in report["endpoints"]}


def test_every_kind_is_read_in_one_scan(scanned: tuple[dict[str, Any], str, str]) -> None:
    report, _, _ = scanned
    kinds = {i["kind"] for i in report["inputs"] if i["status"] == "used"}
    assert kinds == {"openapi", "postman", "graphql", "apisix", "kong", "kubernetes", "nginx", "envoy", "traefik",
                     "aws_api_gateway", "access_log", "kong_log"}


def test_an_endpoint_seen_by_a_spec_a_postman_collection_a_kong_route_and_a_log_is_one_endpoint(
    scanned: tuple[dict[str, Any], str, str],
) -> None:
    found = endpoints(scanned[0])
    policy = found["GET /v1/policies/{policyId}"]
    assert set(policy["sources"]) == {"spec", "gateway", "traffic"}
    assert policy["lifecycle"] == "documented"
    assert (policy["auth"]["effective"], policy["auth"]["enforced_by"]) == ("api_key", "gateway:policies")
    assert policy["rate_limit"]["enforced"] is True
    assert policy["traffic"]["requests"] == 40
    assert len([key for key in found if key.startswith("GET /v1/policies/")]) == 1


def test_an_aws_export_documents_and_routes_what_a_kong_log_shows(scanned: tuple[dict[str, Any], str, str]) -> None:
    found = endpoints(scanned[0])
    broker = found["GET /v1/brokers/{brokerId}"]
    assert (broker["lifecycle"], set(broker["sources"])) == ("documented", {"spec", "gateway", "traffic"})
    assert broker["auth"]["effective"] == "oauth2"  # the Cognito user pool authorizer
    assert (broker["traffic"]["requests"], broker["traffic"]["unauthorized"]) == (16, 2)
    commissions = found["GET /v1/brokers/{brokerId}/commissions"]
    assert commissions["traffic"]["query_keys"] == {"page": 8, "size": 8}


def test_documentation_from_postman_and_graphql_counts_as_documentation(
    scanned: tuple[dict[str, Any], str, str],
) -> None:
    found = endpoints(scanned[0])
    claim = found["GET /v1/claims/{claimId}"]  # only the Postman collection documents it
    assert claim["lifecycle"] == "documented"
    assert claim["auth"]["effective"] == "bearer"  # ingress-nginx auth-url, as the gateway enforces it
    assert claim["route_ids"] == ["claims/claims rule 0 path 0"]
    graphql = found["POST /graphql"]  # the schema documents it, Kong routes it behind OpenID Connect
    assert graphql["lifecycle"] == "documented"
    assert graphql["auth"]["effective"] == "oidc"


def test_what_only_a_gateway_and_the_log_show_is_shadow(scanned: tuple[dict[str, Any], str, str]) -> None:
    export = endpoints(scanned[0])["GET /internal/export/{date}"]
    assert export["lifecycle"] == "shadow"
    assert set(export["sources"]) == {"gateway", "traffic"}
    assert export["auth"]["effective"] == "none"


def test_each_gateway_s_own_controls_reach_the_endpoints_it_serves(
    scanned: tuple[dict[str, Any], str, str],
) -> None:
    found = endpoints(scanned[0])
    treaties = found["GET /v1/treaties/{id}"]  # APISIX: OpenID Connect, limit-count, http-logger
    assert (treaties["auth"]["effective"], treaties["rate_limit"]["enforced"]) == ("oidc", True)
    assert treaties["logging"]["logged"] is True
    quotes = found["POST /v1/quotes"]  # Envoy: a bare prefix route, nothing in front of it
    assert (quotes["lifecycle"], quotes["auth"]["effective"], quotes["rate_limit"]["enforced"]) == (
        "shadow", "none", False)
    documents = found["GET /v1/documents/{id}"]  # Traefik: basicAuth; access logs live in its static config
    assert documents["auth"]["effective"] == "basic"
    assert documents["logging"]["logged"] is None


def test_no_secret_from_any_kind_reaches_an_output(scanned: tuple[dict[str, Any], str, str]) -> None:
    report, html, stderr = scanned
    text = json.dumps(report) + html + stderr
    for secret in PLANTED:
        assert secret not in text
