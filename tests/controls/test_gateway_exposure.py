"""Controls read from gateway configs: secrets in clear, third-party upstreams, transport security to
backends, availability posture and CORS, each present, absent, partial and not observable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskscan.controls.upstreams import is_internal_host, registrable_domain
from riskscan.model import Assessment, ControlResult, Evidence, Finding
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS
from riskscan.sources.gateways.apisix_exposure import clear_secret_pointers, cors_policy, upstream_detail

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPOSURE = FIXTURES / "gateway-exposure"
PLANTED = ("HCX-PLANTED-OIDC-SECRET-77aa", "HCX-PLANTED-KEY-BROKER-ONE", "HCX-PLANTED")
GATEWAY_CONTROLS = ("secrets_hygiene", "third_party", "transport_security", "availability", "misconfiguration")


def scanned(*paths: Path) -> Assessment:
    return scan(ScanOptions(paths=paths))


def control(assessment: Assessment, control_id: str) -> tuple[ControlResult, list[Finding]]:
    result = next(c for c in assessment.controls if c.id == control_id)
    return result, [f for f in assessment.findings if f.control == control_id]


@pytest.fixture(scope="module")
def exposed() -> Assessment:
    return scanned(EXPOSURE / "apisix-exposure.yaml")


@pytest.fixture(scope="module")
def clean() -> Assessment:
    return scanned(EXPOSURE / "apisix-clean.yaml")


def test_credentials_in_clear_are_one_finding_naming_each_place_never_the_value(exposed: Assessment) -> None:
    result, findings = control(exposed, "secrets_hygiene")
    assert [(f.severity.value, f.endpoints) for f in findings] == [("high", ())]
    pointers = [item.pointer for item in findings[0].evidence]
    assert pointers == ["/routes/1/plugins/openid-connect/client_secret", "/consumers/0/plugins/key-auth/key"]
    assert all(item.line and item.path == "apisix-exposure.yaml" for item in findings[0].evidence)
    assert result.summary.startswith("2 credentials written in clear")
    assert result.evidence_strength.value == "enforced"
    for renderer in ("json", "html"):
        text = RENDERERS[renderer].render(exposed).decode("utf-8")
        assert not any(secret in text for secret in PLANTED), renderer


def test_referenced_secrets_pass_with_the_checked_file_as_evidence(clean: Assessment) -> None:
    result, findings = control(clean, "secrets_hygiene")
    assert findings == [] and result.status.value == "pass"
    assert [item.path for item in result.evidence] == ["apisix-clean.yaml"]


def test_a_third_party_upstream_is_named_and_internal_nodes_are_not(exposed: Assessment) -> None:
    result, findings = control(exposed, "third_party")
    assert [(f.severity.value, f.endpoints) for f in findings] == [("medium", ("* /v1/portal/*",))]
    assert "portal.partner-cloud.example" in findings[0].detail
    assert "healthcover.example" in result.summary


def test_plain_http_to_a_backend_is_a_transport_finding(exposed: Assessment) -> None:
    _, findings = control(exposed, "transport_security")
    by_code = {f.code: (f.severity.value, f.endpoints) for f in findings}
    assert by_code["TLS_PLAIN_UPSTREAM"] == ("medium", ("* /v1/legacy/*",))
    upstream = next(f for f in findings if f.code == "TLS_PLAIN_UPSTREAM")
    assert any(item.pointer == "/upstreams/1" for item in upstream.evidence)
    # No redirect plugin and no config.yaml: APISIX's default plain listener serves every route.
    assert by_code["TLS_PLAIN_CLIENT_DEFAULT"] == ("low", ("* /v1/claims/*", "* /v1/legacy/*", "* /v1/portal/*"))
    assert len(findings) == 2


def test_availability_flags_single_nodes_and_missing_timeouts(exposed: Assessment) -> None:
    _, findings = control(exposed, "availability")
    titles = {f.title.split(" behind ")[0]: f.endpoints for f in findings}
    assert titles["One backend node and no circuit breaker"] == ("* /v1/legacy/*", "* /v1/portal/*")
    assert titles["No upstream timeouts"] == ("* /v1/legacy/*", "* /v1/portal/*")


def test_any_origin_with_credentials_is_high(exposed: Assessment) -> None:
    result, findings = control(exposed, "misconfiguration")
    assert [(f.severity.value, f.endpoints) for f in findings] == [("high", ("* /v1/portal/*",))]
    assert result.summary.startswith("1 of 3 endpoints whose CORS the gateway shows allow any origin")


def test_the_remediated_gateway_passes_every_gateway_control_with_evidence(clean: Assessment) -> None:
    for control_id in GATEWAY_CONTROLS:
        result, findings = control(clean, control_id)
        assert (result.status.value, findings) == ("pass", []), control_id
        assert result.evidence, control_id


def test_a_partly_remediated_gateway_is_partial(tmp_path: Path) -> None:
    text = (EXPOSURE / "apisix-exposure.yaml").read_text(encoding="utf-8")
    (tmp_path / "apisix.yaml").write_text(text.replace("  - id: legacy\n    nodes:", "  - id: legacy\n    scheme: https\n    nodes:"),
                                          encoding="utf-8")
    codes = [f.code for f in control(scanned(tmp_path / "apisix.yaml"), "transport_security")[1]]
    assert codes == ["TLS_PLAIN_CLIENT_DEFAULT"]  # the backends are remediated, the listeners are not
    result, _ = control(scanned(EXPOSURE / "apisix-exposure.yaml"), "transport_security")
    assert result.score is not None and 0 < result.score < 100


@pytest.mark.parametrize(
    "inputs",
    [("kubernetes/ingress-nginx-partner-api.yaml",), ("data-exposure/customer-data.yaml",)],
    ids=["ingress-shows-no-upstream-details", "spec-only"],
)
def test_not_observable_when_the_inputs_cannot_show_it(inputs: tuple[str, ...]) -> None:
    assessment = scanned(*(FIXTURES / path for path in inputs))
    # Kubernetes manifests are checked for secrets (a Secret object holding data, an auth-url password).
    unjudged = ("third_party", "availability") + (() if inputs[0].startswith("kubernetes") else ("secrets_hygiene",))
    for control_id in unjudged:
        result, findings = control(assessment, control_id)
        assert (result.status.value, result.score, findings) == ("unknown", None, []), control_id
        assert "cannot be judged from these inputs" in result.summary
    # The Ingress's tls hosts show transport (enforced); the spec's https servers show at most the way in,
    # never the way to the backends, so transport is not passed on them: unknown, saying what they showed.
    result, _ = control(assessment, "transport_security")
    if inputs[0].startswith("kubernetes"):
        assert result.evidence_strength.value == "enforced"
    else:
        assert (result.status.value, result.evidence_strength.value) == ("unknown", "not_observable")
        assert "What the inputs did show: 0 of 7 endpoints whose listeners no config shows are documented on" \
            " plain-HTTP servers." in result.summary


def test_the_reader_keeps_places_hosts_and_policies_not_values() -> None:
    config = {"routes": [{"plugins": {"basic-auth": {"password": "hunter2"}, "limit-count": {"key": "remote_addr"},
                                      "hmac-auth": {"secret_key": "$env://HMAC"}}}],
              "consumers": [{"plugins": {"key-auth": {"key": "${{KEY}}"}}}, {"plugins": {"jwt-auth": {"secret": ""}}}]}
    assert clear_secret_pointers(config) == [("/routes/0/plugins/basic-auth/password", "password")]
    evidence = Evidence(path="apisix.yaml", line=1)
    upstream = upstream_detail({"nodes": [{"host": "[2001:db8::1]"}, {"host": "10.0.0.1", "port": 80}],
                                "retries": 2}, evidence)
    assert (upstream.hosts, upstream.nodes, upstream.scheme, upstream.has_retries) == (
        ("2001:db8::1", "10.0.0.1"), 2, None, True)
    assert upstream_detail({"nodes": {"svc:pw@backend.internal:80": 1}}, evidence).hosts == ("backend.internal",)
    assert cors_policy({}, evidence).allows_any_origin and not cors_policy({}, evidence).allows_credentials
    assert not cors_policy({"allow_origins": "**", "allow_origins_by_regex": ["^https://a"]}, evidence).allows_any_origin


@pytest.mark.parametrize(
    ("host", "internal", "domain"),
    [("claims.svc.cluster.local", True, "cluster.local"), ("10.2.3.4", True, ""), ("backend", True, ""),
     ("api.partner.co.uk", False, "partner.co.uk"), ("portal.partner-cloud.example", False, "partner-cloud.example"),
     ("8.8.8.8", False, "")],
)
def test_internal_hosts_and_registrable_domains(host: str, internal: bool, domain: str) -> None:
    suffixes = frozenset({"internal", "local", "cluster.local"})
    assert is_internal_host(host, suffixes) is internal
    if not host[0].isdigit():
        assert registrable_domain(host) == domain


def test_json_lists_the_new_controls(exposed: Assessment) -> None:
    document = json.loads(RENDERERS["json"].render(exposed))
    assert {c["id"] for c in document["controls"]} >= set(GATEWAY_CONTROLS)
