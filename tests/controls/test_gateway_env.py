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


def test_the_charts_admin_listen_is_a_finding_at_its_variable(kong: Assessment) -> None:
    """The chart's proxy also takes variables from a Secret (envFrom/1) no input shows: it may set
    KONG_ENFORCE_RBAC, so the Admin API on the network is a high finding (reachable), not the critical
    one (reachable with nothing asking who calls), and the control says which setting is unknown."""
    assert not findings(kong, "FUNC_ADMIN_API_UNAUTHENTICATED")
    [reachable] = findings(kong, "FUNC_ADMIN_API_NETWORK")
    assert ("kong-chart-rendered.yaml", 120, f"{PROXY_ENV}/1/value") in {
        (item.path, item.line, item.pointer) for item in reachable.evidence}
    assert reachable.severity.value == "high"
    control = next(c for c in kong.controls if c.id == "function_authorization")
    assert any("kong-chart-rendered.yaml set admin_gui_listen, enforce_rbac by reference" in text
               for text in control.limitations), control.limitations


def test_without_the_unread_secret_the_admin_listen_is_critical(tmp_path: Path) -> None:
    for file in HELM.iterdir():
        text = file.read_text()
        if file.name == "kong-chart-rendered.yaml":
            text = text.replace("        - secretRef:\n            name: edge-kong-license\n", "")
        (tmp_path / file.name).write_text(text)
    assessment = scan(ScanOptions(paths=(tmp_path,)))
    [critical] = findings(assessment, "FUNC_ADMIN_API_UNAUTHENTICATED")
    assert {(item.path, item.line) for item in critical.evidence} == {("kong-chart-rendered.yaml", 118)}
    assert critical.severity.value == "critical"


def test_a_proxy_listen_taken_from_a_secret_leaves_the_http_route_unjudged(tmp_path: Path) -> None:
    """KONG_PROXY_LISTEN from a Secret: whether a plain listener exists is unknown, so the decK route that
    takes http is not reported served in plain text (Kong's default listener would say so, on no
    evidence), and transport security is not passed either: it cannot be judged, naming the setting."""
    for file in HELM.iterdir():
        text = file.read_text()
        if file.name == "kong-chart-rendered.yaml":
            written = '        - name: KONG_PROXY_LISTEN\n          value: "0.0.0.0:8000, [::]:8000, 0.0.0.0:8443 http2 ssl,'
            assert written in text
            start = text.index(written)
            end = text.index("\n", start + len("        - name: KONG_PROXY_LISTEN\n"))
            text = text[:start] + ("        - name: KONG_PROXY_LISTEN\n          valueFrom:\n"
                                   "            secretKeyRef: {name: kong-listen, key: proxy}") + text[end:]
        (tmp_path / file.name).write_text(text)
    assessment = scan(ScanOptions(paths=(tmp_path,)))
    assert not findings(assessment, "TLS_PLAIN_CLIENT")
    transport = next(c for c in assessment.controls if c.id == "transport_security")
    assert transport.status.value == "unknown", transport.summary
    assert "kong-chart-rendered.yaml set proxy_listen" in transport.limitations[0]
    brokers = next(e for e in assessment.inventory.endpoints if e.path.startswith("/v1/brokers"))
    assert brokers.client_transport is None or not any(t.is_plain for t in brokers.client_transport)


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
