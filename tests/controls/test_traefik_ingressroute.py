"""A Traefik-on-Kubernetes estate (IngressRoutes, Middlewares, TLSOptions, TraefikServices, Services and
the static configuration) scanned end to end: its routes are endpoints and the controls judge them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskscan.model import Assessment, Endpoint
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS

ESTATE = Path(__file__).resolve().parents[1] / "fixtures" / "kubernetes" / "traefik-crd"


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return scan(ScanOptions(paths=(ESTATE,)))


def endpoint(assessment: Assessment, key: str) -> Endpoint:
    return next(e for e in assessment.inventory.endpoints if f"{e.method} {e.path}" == key)


def codes(assessment: Assessment, control: str) -> dict[str, tuple[str, ...]]:
    return {f.code: f.endpoints for f in assessment.findings if f.control == control}


def test_the_ingressroute_endpoints_carry_their_controls(assessment: Assessment) -> None:
    claims = endpoint(assessment, "* /v1/claims*")
    assert claims.auth.effective.value == "basic" and claims.rate_limit.enforced
    assert claims.route_ids == ("harbor/claims-api route 0",)
    reports = endpoint(assessment, "* /v1/reports*")
    assert reports.exposure.value == "internal"  # the ipAllowList Middleware
    quotes = endpoint(assessment, "POST /v2/quotes*")
    assert quotes.auth.effective.value == "mtls"
    exports = endpoint(assessment, "* /v1/exports*")
    assert "* /v1/exports*" not in codes(assessment, "auth").get("AUTH_NONE_SENSITIVE", ())  # not shown
    assert exports.rate_limit.enforced is None


def test_transport_flags_the_plain_route_and_the_tls_1_0_option(assessment: Assessment) -> None:
    transport = codes(assessment, "transport_security")
    assert "* /status*" in transport["TLS_PLAIN_CLIENT"]
    assert not {"* /v1/claims*", "POST /v2/quotes*"} & set(transport["TLS_PLAIN_CLIENT"])
    legacy = next(f for f in assessment.findings if f.code == "TLS_LEGACY_VERSIONS")
    assert [(e.path, e.line) for e in legacy.evidence] == [("k8s/tls-options.yaml", 7)]


def test_the_middleware_credential_is_listed_by_place_only(assessment: Assessment) -> None:
    # The Middleware's inline users in routes.yaml, and the Secret holding the users of another
    # Middleware (its `basicAuth.secret` names that Secret: a reference, not a credential).
    assert [(item.path, item.line) for item in assessment.inventory.clear_secrets] == [
        ("k8s/middlewares.yaml", 35), ("k8s/routes.yaml", 114)]
    for renderer in ("json", "html"):
        text = RENDERERS[renderer].render(assessment).decode("utf-8")
        assert "PLANTED" not in text, renderer
    document = json.loads(RENDERERS["json"].render(assessment))
    assert {item["path"]: item["kind"] for item in document["inputs"]}["k8s/routes.yaml"] == "kubernetes"
