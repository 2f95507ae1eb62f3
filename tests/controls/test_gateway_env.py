"""Gateway settings given as environment variables, as a scan reports them (issue 8).

The rendered `kong/kong` chart is Kong's runtime configuration: its Admin API on the network, its plain
proxy listeners and the cipher suite of the ConfigMap its proxy takes with `envFrom` apply to the decK
routes beside it, each finding citing the variable's (or key's) line. Traefik's `TRAEFIK_*` variables, in
Compose and on Kubernetes, decide which routes are served in plain HTTP and that access logs are on.
No planted credential reaches the JSON, the HTML or the log."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import Assessment, Finding
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS
from tests.controls.conftest import scan_and_log

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HELM = FIXTURES / "kong_conf" / "helm-estate"
TRAEFIK = FIXTURES / "traefik"
PROXY_ENV = "/spec/template/spec/containers/1/env"


def findings(assessment: Assessment, code: str) -> list[Finding]:
    return [finding for finding in assessment.findings if finding.code == code]


@pytest.fixture(scope="module")
def kong() -> Assessment:
    return scan(ScanOptions(paths=(HELM,)))


def test_the_charts_admin_listen_is_a_critical_finding_at_its_variable(kong: Assessment) -> None:
    [critical] = findings(kong, "FUNC_ADMIN_API_UNAUTHENTICATED")
    assert {(item.path, item.line, item.pointer) for item in critical.evidence} == {
        ("kong-chart-rendered.yaml", 120, f"{PROXY_ENV}/1/value")}
    assert critical.severity.value == "critical"


def test_the_envfrom_cipher_suite_applies_to_the_deck_routes(kong: Assessment) -> None:
    [legacy] = findings(kong, "TLS_LEGACY_VERSIONS")
    [evidence] = legacy.evidence
    assert (evidence.path, evidence.line, evidence.pointer) == (
        "kong-tuning-configmap.yaml", 9, "/data/KONG_SSL_CIPHER_SUITE")
    assert "applies to every Kong route in this scan (2 in kong.yaml)" in (evidence.note or "")


def test_plain_proxy_listeners_leave_the_http_route_plain(kong: Assessment) -> None:
    [plain] = findings(kong, "TLS_PLAIN_CLIENT")
    assert plain.endpoints == ("GET /v1/brokers*", "POST /v1/brokers*")  # policies allows https only


def test_the_charts_literal_passwords_are_placed(kong: Assessment) -> None:
    [secret] = findings(kong, "SECRET_IN_CLEAR")
    assert [(item.path, item.line) for item in secret.evidence] == [
        ("kong-chart-rendered.yaml", 135), ("kong-chart-rendered.yaml", 193)]


def test_traefik_compose_variables_decide_plain_routes_and_access_logs() -> None:
    assessment = scan(ScanOptions(paths=(TRAEFIK / "env-compose" / "docker-compose.yml",)))
    [plain] = findings(assessment, "TLS_PLAIN_CLIENT")
    assert plain.endpoints == ("* /v1/status*",)  # brokers: web redirects, websecure has TLS
    assert not findings(assessment, "LOG_UNLOGGED")  # TRAEFIK_ACCESSLOG=true
    assert [(item.line, item.pointer) for item in findings(assessment, "SECRET_IN_CLEAR")[0].evidence] == [
        (16, "/services/traefik/environment/10"), (17, "/services/traefik/environment/11")]


def test_traefik_kubernetes_variables_decide_plain_routes_and_access_logs() -> None:
    assessment = scan(ScanOptions(paths=(TRAEFIK / "env-kubernetes",)))
    [plain] = findings(assessment, "TLS_PLAIN_CLIENT")
    assert plain.endpoints == ("* /v1/quotes*",)  # policies: websecure only, TLS by the variables
    assert not findings(assessment, "LOG_UNLOGGED")  # TRAEFIK_ACCESSLOG from the envFrom ConfigMap
    [secret] = findings(assessment, "SECRET_IN_CLEAR")
    assert [(item.path, item.line) for item in secret.evidence] == [("traefik.yaml", 41)]


def test_traefik_chart_variables_beside_args_are_ignored_and_said() -> None:
    assessment = scan(ScanOptions(paths=(TRAEFIK / "env-helm",)))
    assert findings(assessment, "LOG_UNLOGGED")  # the chart's args set no access log
    messages = " ".join(record.message or "" for record in assessment.inputs)
    assert "TRAEFIK_* environment variable(s) ignored" in messages


def test_no_planted_value_reaches_any_output_or_the_log() -> None:
    assessment, log = scan_and_log((HELM, TRAEFIK / "env-compose", TRAEFIK / "env-kubernetes"))
    assert findings(assessment, "SECRET_IN_CLEAR")
    for renderer in ("json", "html"):
        assert "PLANTED" not in RENDERERS[renderer].render(assessment).decode("utf-8")
    assert "PLANTED" not in log
