"""APISIX client transport: the redirect plugin (route, service, global rule) and config.yaml's listeners.

Every APISIX route is served on plain HTTP unless a `redirect` plugin with `http_to_https` covers it. With
config.yaml in the scan, its `node_listen` decides (a finding citing the listener's line); without it,
APISIX's documented default listener is judged, as a declared medium finding that says so."""

from __future__ import annotations

import shutil
from pathlib import Path

from riskscan.model import Assessment, Endpoint, Finding
from riskscan.pipeline import ScanOptions, scan
from riskscan.sources import ReadContext
from riskscan.sources.gateways.apisix_build import build_config
from riskscan.sources.gateways.apisix_conf import ApisixConfReader

LISTENERS = Path(__file__).resolve().parents[1] / "fixtures" / "apisix_listeners"


def findings(assessment: Assessment, code: str) -> list[Finding]:
    return [finding for finding in assessment.findings if finding.code == code]


def endpoint(assessment: Assessment, key: str) -> Endpoint:
    return next(e for e in assessment.inventory.endpoints if e.key == key)


def test_config_yaml_plain_listener_serves_every_route_no_redirect_covers() -> None:
    assessment = scan(ScanOptions(paths=(LISTENERS / "plain-estate",)))
    [plain] = findings(assessment, "TLS_PLAIN_CLIENT")
    # The route redirect and the service's redirect protect theirs; a filtered redirect covers no request
    # for certain, so /status is served in plain text like /v2/claims.
    assert plain.endpoints == ("* /status", "* /v2/claims/*")
    assert plain.severity.value == "high"
    [evidence] = plain.evidence
    assert (evidence.path, evidence.pointer, evidence.line) == ("config.yaml", "/apisix/node_listen/0", 4)
    assert "node_listen entry 1: plain HTTP on port 9080" in (evidence.note or "")
    assert "applies to every APISIX route in this scan (4 in apisix.yaml)" in (evidence.note or "")
    assert not findings(assessment, "TLS_PLAIN_CLIENT_DEFAULT")


def test_a_redirect_cites_the_plugin_where_it_is_attached() -> None:
    assessment = scan(ScanOptions(paths=(LISTENERS / "plain-estate",)))
    [quotes] = endpoint(assessment, "* /v2/quotes/*").client_transport or ()
    [portal] = endpoint(assessment, "* /portal/*").client_transport or ()
    assert not quotes.is_plain and quotes.evidence.pointer == "/routes/1/plugins/redirect"
    assert not portal.is_plain and portal.evidence.pointer == "/services/0/plugins/redirect"
    assert "answered with a redirect to HTTPS" in (portal.evidence.note or "")


def test_a_loopback_only_plain_listener_serves_no_client() -> None:
    assessment = scan(ScanOptions(paths=(LISTENERS / "loopback-estate",)))
    transport = next(c for c in assessment.controls if c.id == "transport_security")
    assert transport.status.value == "pass", transport.summary
    [listener] = endpoint(assessment, "* /v2/claims/*").client_transport or ()
    assert not listener.is_plain and listener.evidence.path == "config.yaml"
    assert "no node_listen entry serves plain HTTP beyond the host" in (listener.evidence.note or "")


def test_without_config_yaml_the_default_listener_is_a_declared_low_finding(tmp_path: Path) -> None:
    shutil.copy(LISTENERS / "plain-estate" / "apisix.yaml", tmp_path / "apisix.yaml")
    assessment = scan(ScanOptions(paths=(tmp_path,)))
    assert not findings(assessment, "TLS_PLAIN_CLIENT")  # never the enforced, high finding
    [default] = findings(assessment, "TLS_PLAIN_CLIENT_DEFAULT")
    assert (default.severity.value, default.endpoints) == ("low", ("* /status", "* /v2/claims/*"))
    assert "cannot be told from these inputs" in default.detail
    assert all("no config.yaml in the scan" in (item.note or "") for item in default.evidence)
    transport = next(c for c in assessment.controls if c.id == "transport_security")
    assert "left to the gateway's default plain-HTTP listener (declared" in transport.summary
    assert any("documented default listeners" in text for text in transport.limitations)


def test_a_global_rule_redirect_covers_every_route() -> None:
    assessment = scan(ScanOptions(paths=(LISTENERS / "global-redirect.yaml",)))
    transport = next(c for c in assessment.controls if c.id == "transport_security")
    assert transport.status.value == "pass", transport.summary
    [listener] = endpoint(assessment, "* /v2/claims/*").client_transport or ()
    assert listener.evidence.pointer == "/global_rules/0/plugins/redirect"


def test_an_admin_export_without_global_rules_does_not_say_plain_or_redirected() -> None:
    """A global rule not exported could redirect the route: its transport is not shown, never plain."""
    root = {"routes": [{"id": "claims", "uri": "/v2/claims/*"}]}
    config = build_config(root, "routes.json", lambda pointer: ("routes.json", pointer, None), [],
                          unexported=frozenset({"global_rules"}))
    assert [route.client_transport for route in config.routes] == [None]


def test_listener_entries_apisix_cannot_use_are_warned_and_left_out() -> None:
    config = ApisixConfReader().read(LISTENERS / "broken-listeners.yaml", ReadContext(root=LISTENERS))
    assert [(t.is_plain, t.evidence.pointer) for t in config.client_listeners or ()] == [
        (True, "/apisix/node_listen/3")]  # port 8080; TLS is disabled
    assert sum("names no valid port" in warning for warning in config.warnings) == 3


def test_default_listeners_when_config_yaml_leaves_them_out(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("apisix:\n  enable_admin: false\n", encoding="utf-8")
    config = ApisixConfReader().read(tmp_path / "config.yaml", ReadContext(root=tmp_path))
    notes = [(t.is_plain, t.evidence.note) for t in config.client_listeners or ()]
    assert notes == [
        (True, "no apisix.node_listen: APISIX's default applies, plain HTTP on port 9080 on every address "
               "(config-default.yaml)"),
        (False, "no apisix.ssl.listen: APISIX's default applies, TLS on port 9443")]
