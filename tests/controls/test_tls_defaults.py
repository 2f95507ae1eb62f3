"""TLS served with no versions named: each gateway's documented default, judged honestly. A default that
accepted TLS 1.0 and 1.1 in older releases (nginx, Envoy, Traefik) is one low finding naming the
release to check; a default modern in every release (APISIX) passes on declared evidence; versions
written (in the block or inherited from http) leave no default to judge."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskscan.model import Assessment, ControlResult, Finding, TlsSetting
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS
from riskscan.sources import ReadContext
from riskscan.sources.gateways.nginx import NginxReader

DEFAULTS = Path(__file__).resolve().parents[1] / "fixtures" / "tls-defaults"
TITLE = "TLS versions left to the gateway's default at"


def scanned(tmp_path: Path, name: str) -> Assessment:
    shutil.copy(DEFAULTS / name, tmp_path / name)
    return scan(ScanOptions(paths=(tmp_path,)))


def transport(assessment: Assessment) -> tuple[ControlResult, list[Finding]]:
    result = next(c for c in assessment.controls if c.id == "transport_security")
    return result, [f for f in assessment.findings if f.control == "transport_security"]


def defaults(assessment: Assessment) -> list[TlsSetting]:
    return [setting for setting in assessment.inventory.tls_settings if setting.is_default]


@pytest.mark.parametrize(
    ("name", "line", "pointer", "release"),
    [
        ("nginx-default-protocols.conf", 7, None, "nginx before 1.23.4 also accepts TLSv1 and TLSv1.1"),
        ("envoy-default-minimum.yaml", 7, "/static_resources/listeners/0/filter_chains/0/transport_socket",
         "Envoy before 1.22 accepts TLSv1_0 and TLSv1_1"),
        ("traefik-default-option.yaml", 8, "/http/routers/claims/tls",
         "Traefik before 2.8.1 accepts TLS 1.0 and 1.1"),
    ],
)
def test_a_version_dependent_default_is_one_low_finding_naming_the_release(
    tmp_path: Path, name: str, line: int, pointer: str | None, release: str
) -> None:
    assessment = scanned(tmp_path, name)
    result, findings = transport(assessment)
    (finding,) = [f for f in findings if f.title.startswith(TITLE)]
    assert (finding.severity.value, finding.endpoints) == ("low", ())
    assert finding.title == f"{TITLE} 1 place"
    assert release in finding.detail and "check it" in finding.detail
    assert [(item.path, item.line, item.pointer) for item in finding.evidence] == [(name, line, pointer)]
    assert "the release deployed decides" in result.summary
    assert not any(f.code == "TLS_LEGACY_VERSIONS" for f in findings)  # a default is not a written version


def test_written_versions_beside_a_default_are_still_judged_as_written(tmp_path: Path) -> None:
    result, findings = transport(scanned(tmp_path, "nginx-default-protocols.conf"))
    assert "No TLS setting read accepts TLS 1.0 or 1.1 (1 TLS setting). TLS served at 1 place without " \
           "versions named: the gateway's default there accepts TLS 1.0 and 1.1 on older releases, so " \
           "the release deployed decides." in result.summary
    assert any(item.excerpt == "ssl_protocols TLSv1.2 TLSv1.3" for item in result.evidence)


def test_versions_set_in_the_http_block_leave_no_default(tmp_path: Path) -> None:
    assessment = scanned(tmp_path, "nginx-http-level-protocols.conf")
    assert defaults(assessment) == []
    assert not any(f.code == "TLS_DEFAULT_VERSION_DEPENDENT" for f in transport(assessment)[1])


def test_a_site_fragment_says_the_including_http_block_may_set_them() -> None:
    """The second server block includes a file not given, which may set them: no default is claimed."""
    config = NginxReader().read(DEFAULTS / "nginx-site-fragment.conf", ReadContext(root=DEFAULTS))
    assert any("options-ssl-nginx.conf" in warning for warning in config.warnings)
    (setting,) = config.tls_settings or ()
    assert setting.is_default and setting.evidence.line == 3
    assert "unless the http block including this file sets them" in (setting.evidence.note or "")


def test_an_option_with_min_version_leaves_its_routers_no_default(tmp_path: Path) -> None:
    assessment = scanned(tmp_path, "traefik-default-option.yaml")
    assert [(s.is_default, s.protocols) for s in assessment.inventory.tls_settings] == [
        (False, ("VersionTLS13",)), (True, ("VersionTLS12",))]


def test_a_modern_default_passes_on_declared_evidence_never_enforced(tmp_path: Path) -> None:
    assessment = scanned(tmp_path, "apisix-ssl-default.yaml")
    result, findings = transport(assessment)
    assert findings == []
    (setting,) = defaults(assessment)
    assert (setting.protocols, setting.depends_on_version) == (("TLSv1.2", "TLSv1.3"), None)
    assert result.summary.endswith("TLS served at 1 place without versions named: the gateway's documented "
                                   "default applies, TLS 1.2 or later (declared by its documentation, not "
                                   "seen enforced).")
    (evidence,) = [item for item in result.evidence if item.pointer == "/ssls/0"]
    assert "config.yaml's apisix.ssl.ssl_protocols applies" in (evidence.note or "")


def test_the_planted_private_key_reaches_no_output(tmp_path: Path) -> None:
    assessment = scanned(tmp_path, "apisix-ssl-default.yaml")
    for renderer in ("json", "html"):
        assert "PLANTED-APISIX-TLS-PRIVATE-KEY" not in RENDERERS[renderer].render(assessment).decode("utf-8")
