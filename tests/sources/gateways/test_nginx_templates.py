"""nginx configurations written as templates (the official image fills `${VAR}` with envsubst when the
container starts): what a placeholder sets in `listen`, `ssl_protocols` or `ssl_ciphers` is unknown, so it
is not judged, neither as written nor as nginx's default, and the controls say which settings."""

from __future__ import annotations

from pathlib import Path

from riskscan.pipeline import ScanOptions, scan
from riskscan.sources import ReadContext, SourceKind, detect_kind, read_head
from riskscan.sources.gateways.nginx import NginxReader

TEMPLATES = Path(__file__).resolve().parents[2] / "fixtures" / "nginx" / "templates"
TEMPLATE = TEMPLATES / "default.conf.template"


def test_placeholders_leave_listeners_and_tls_unjudged() -> None:
    assert detect_kind(TEMPLATE, read_head(TEMPLATE)) is SourceKind.NGINX
    config = NginxReader().read(TEMPLATE, ReadContext(root=TEMPLATES))
    routes = {route.uris[0].rstrip("*"): route for route in config.routes}
    quotes, claims = routes["/v2/quotes"], routes["/v2/claims"]
    # `listen ${NGINX_TLS_PORT} ssl;` is TLS whatever port fills it (crossplane keeps it one token).
    assert quotes.client_transport is not None and not quotes.client_transport.is_plain
    # `listen ${NGINX_PORT};` may be filled with `443 ssl`: not judged plain.
    assert claims.client_transport is None
    # No version nor cipher list judged, and nginx's defaults not claimed for the TLS server either.
    assert config.tls_settings == () and config.cipher_settings == ()
    assert config.unknown_settings == ("listen", "ssl_ciphers", "ssl_protocols")
    assert [warning.split(": ")[1].split()[0] for warning in config.warnings
            if "template placeholder" in warning] == ["ssl_protocols", "ssl_ciphers", "listen"]


def test_a_scan_of_a_template_does_not_pass_transport_on_placeholders() -> None:
    assessment = scan(ScanOptions(paths=(TEMPLATES,)))
    assert not [finding for finding in assessment.findings if finding.code.startswith("TLS_PLAIN_CLIENT")]
    transport = next(c for c in assessment.controls if c.id == "transport_security")
    # The plain upstream of /v2/claims is a finding; with a listener unknown the rest is no pass: partial.
    assert transport.status.value == "partial", transport.summary
    assert {finding.code for finding in assessment.findings if finding.code.startswith("TLS_")} == {
        "TLS_PLAIN_UPSTREAM"}
    assert transport.limitations[0].startswith(
        "default.conf.template set listen, ssl_ciphers, ssl_protocols by reference")
    assert "Some cipher suites are set by reference: not judged." in transport.summary


def test_a_cipher_list_naming_no_known_suite_is_not_counted_as_without_weak_suites(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text("""http {
    server {
        listen 443 ssl;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers HOUSE-SUITE-ONE:HOUSE-SUITE-TWO;
        location /v2/quotes { proxy_pass https://quotes.internal; }
    }
}
""")
    assessment = scan(ScanOptions(paths=(tmp_path,)))
    transport = next(c for c in assessment.controls if c.id == "transport_security")
    assert "1 cipher setting name no suite riskscan recognises: not judged." in transport.summary
    assert "accepts a weak suite" not in transport.summary


def test_a_version_list_naming_no_known_version_is_not_counted_as_without_legacy(tmp_path: Path) -> None:
    """`ssl_protocols TLSv1.4;` (no such version; nginx refuses it) is shown, not judged: neither a
    setting that accepts no legacy TLS nor evidence of the transport pass."""
    (tmp_path / "nginx.conf").write_text("""http {
    server {
        listen 443 ssl;
        ssl_protocols TLSv1.4;
        location /v2/quotes { proxy_pass https://quotes.internal; }
    }
}
""")
    assessment = scan(ScanOptions(paths=(tmp_path,)))
    transport = next(c for c in assessment.controls if c.id == "transport_security")
    assert "1 TLS setting name no version riskscan recognises: not judged." in transport.summary
    assert "accepts TLS 1.0 or 1.1" not in transport.summary
    assert not any(item.excerpt == "ssl_protocols TLSv1.4" for item in transport.evidence)
