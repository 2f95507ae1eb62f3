"""Runtime configs in a scan: kong.conf and APISIX config.yaml apply to every route of their gateway.

decK routes get declared TLS versions (a legacy setting is one finding citing kong.conf's line), a
proxy that listens with ssl only serves no plain HTTP, an Admin API on the network is a function-level
finding, and two runtime configs of one gateway are ambiguous: warned, and neither applied. No planted
credential reaches the JSON, the HTML or the log."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskscan.model import Assessment, Finding, InputStatus, Lifecycle
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS
from tests.controls.conftest import scan_and_log

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KONG = FIXTURES / "kong_conf"
APISIX = FIXTURES / "apisix_conf"


def findings(assessment: Assessment, code: str) -> list[Finding]:
    return [finding for finding in assessment.findings if finding.code == code]


def copied(tmp_path: Path, *files: Path) -> Path:
    for file in files:
        shutil.copy(file, tmp_path / file.name)
    return tmp_path


def test_legacy_kong_conf_gives_decks_routes_declared_tls_1_0() -> None:
    assessment = scan(ScanOptions(paths=(KONG / "legacy-estate",)))
    [finding] = findings(assessment, "TLS_LEGACY_VERSIONS")
    [evidence] = finding.evidence
    assert (evidence.path, evidence.line) == ("kong.conf", 13)
    assert "applies to every Kong route in this scan (2 in kong.yaml)" in (evidence.note or "")
    assert "TLSv1, TLSv1.1" in finding.detail
    assert not findings(assessment, "TLS_DEFAULT_VERSION_DEPENDENT")
    # proxy_listen has a plain entry: the route that allows http is still served in plain text.
    [plain] = findings(assessment, "TLS_PLAIN_CLIENT")
    assert plain.endpoints == ("GET /v2/quotes*", "POST /v2/quotes*")  # Kong paths are prefixes


def test_modern_kong_conf_passes_on_declared_versions_and_tls_only_listeners() -> None:
    assessment = scan(ScanOptions(paths=(KONG / "modern-estate",)))
    transport = next(c for c in assessment.controls if c.id == "transport_security")
    assert transport.status.value == "pass", transport.summary
    [setting] = assessment.inventory.tls_settings
    assert setting.protocols == ("TLSv1.3",) and not setting.is_default
    assert not findings(assessment, "TLS_PLAIN_CLIENT")  # every proxy_listen entry has ssl
    quotes = next(e for e in assessment.inventory.endpoints if e.key == "POST /v2/quotes*")
    [listener] = quotes.client_transport or ()
    assert not listener.is_plain and listener.evidence.path == "kong.conf"


def test_public_admin_listen_is_a_critical_finding_and_loopback_passes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    exposed = scan(ScanOptions(paths=(copied(tmp_path / "a", KONG / "admin-public.conf"),)))
    [critical] = findings(exposed, "FUNC_ADMIN_API_UNAUTHENTICATED")
    assert (critical.severity.value, critical.endpoints, critical.owasp) == ("critical", (), "API5:2023")
    assert [(item.path, item.line) for item in critical.evidence] == [("admin-public.conf", 5)]
    assert len(findings(exposed, "FUNC_ADMIN_API_NETWORK")[0].evidence) == 2  # 8444 ssl, Kong Manager
    (tmp_path / "b").mkdir()
    quiet = scan(ScanOptions(paths=(copied(tmp_path / "b", KONG / "admin-loopback.conf"),)))
    control = next(c for c in quiet.controls if c.id == "function_authorization")
    assert not [f for f in quiet.findings if f.control == "function_authorization"]
    assert "keep the Admin API off the network" in control.summary


def test_kong_settings_in_a_compose_file_apply_to_the_deck_routes_beside_it() -> None:
    assessment = scan(ScanOptions(paths=(KONG / "compose-estate",)))
    [legacy] = findings(assessment, "TLS_LEGACY_VERSIONS")
    assert [(e.path, e.line) for e in legacy.evidence] == [("docker-compose.yml", 17)]
    assert "applies to every Kong route in this scan (2 in kong.yaml)" in (legacy.evidence[0].note or "")
    assert findings(assessment, "FUNC_ADMIN_API_UNAUTHENTICATED")
    assert [e.pointer for e in findings(assessment, "SECRET_IN_CLEAR")[0].evidence] == [
        "/services/kong/environment/KONG_PG_PASSWORD"]


def test_two_kong_confs_are_ambiguous_neither_applied_both_checked(tmp_path: Path) -> None:
    folder = copied(tmp_path, KONG / "legacy-estate" / "kong.yaml", KONG / "admin-public.conf")
    shutil.copy(KONG / "legacy-estate" / "kong.conf", folder / "edge.conf")
    assessment = scan(ScanOptions(paths=(folder,)))
    messages = [record.message or "" for record in assessment.inputs]
    ambiguous = "2 Kong runtime configurations (kong.conf or KONG_* variables)"
    assert sum(ambiguous in message and "which one runs is ambiguous" in message for message in messages) == 1
    assert not findings(assessment, "TLS_LEGACY_VERSIONS")  # edge.conf's TLSv1 is not applied
    assert findings(assessment, "FUNC_ADMIN_API_UNAUTHENTICATED")  # each still checked
    assert findings(assessment, "SECRET_IN_CLEAR")


def test_apisix_default_key_and_open_allow_list_are_critical() -> None:
    assessment = scan(ScanOptions(paths=(APISIX / "default-key-open.yaml",)))
    [default_key] = findings(assessment, "FUNC_ADMIN_DEFAULT_KEY")
    assert default_key.severity.value == "critical" and "CVE-2020-13945" in default_key.detail
    assert [item.line for item in default_key.evidence] == [16, 19]
    assert findings(assessment, "FUNC_ADMIN_API_NETWORK")
    result = next(c for c in assessment.controls if c.id == "function_authorization")
    assert result.status.value == "fail"


def test_apisix_config_yaml_declares_the_tls_of_ssl_objects_naming_none() -> None:
    assessment = scan(ScanOptions(paths=(APISIX / "tls13-estate",)))
    [setting] = assessment.inventory.tls_settings  # apisix.yaml's SSL object default is replaced
    assert (setting.protocols, setting.is_default) == (("TLSv1.3",), False)
    assert setting.evidence.path == "config.yaml"
    assert "applies to every APISIX route in this scan (1 in apisix.yaml)" in (setting.evidence.note or "")
    assert not findings(assessment, "FUNC_ADMIN_API_NETWORK") and not findings(assessment, "SECRET_IN_CLEAR")


def test_a_runtime_config_routes_nothing_so_specs_are_not_orphaned(tmp_path: Path) -> None:
    folder = copied(tmp_path, KONG / "admin-loopback.conf")
    shutil.copy(FIXTURES / "openapi" / "oas30-claims.yaml", folder / "claims.yaml")
    assessment = scan(ScanOptions(paths=(folder,)))
    assert assessment.inventory.endpoints
    assert all(e.lifecycle is Lifecycle.DOCUMENTED for e in assessment.inventory.endpoints)
    assert all(record.status is InputStatus.USED for record in assessment.inputs)


@pytest.fixture(scope="module")
def logged() -> tuple[Assessment, str]:
    return scan_and_log((KONG / "admin-public.conf", APISIX / "default-key-open.yaml",
                         APISIX / "literal-key-keyless.yaml"))


def test_runtime_credentials_are_placed_and_no_value_reaches_an_output(
    logged: tuple[Assessment, str],
) -> None:
    assessment, log = logged
    [finding] = findings(assessment, "SECRET_IN_CLEAR")
    assert {(item.path, item.line) for item in finding.evidence} >= {
        ("kong_conf/admin-public.conf", 4), ("apisix_conf/default-key-open.yaml", 31)}
    for renderer in ("json", "html"):
        text = RENDERERS[renderer].render(assessment).decode("utf-8")
        assert "PLANTED" not in text, renderer
        assert not any(key in text for key in ("edd1c9f034335f136f87ad84b625c8f1",
                                               "4054f7cf07e344346cd3f287985e76a2"))
    assert "read " in log and "PLANTED" not in log and "edd1c9f0" not in log


def test_a_kong_conf_without_routes_is_named_as_no_routing_config(tmp_path: Path) -> None:
    """kong.conf alone configures listeners, not routes: the controls that need routes say that no
    routing config was given (not that no gateway config was), and the kong.conf is still checked."""
    estate = copied(tmp_path, KONG / "modern-estate" / "kong.conf", FIXTURES / "openapi" / "oas30-claims.yaml",
                    FIXTURES / "access_log" / "combined.log")
    assessment = scan(ScanOptions(paths=(estate,)))
    monitoring = next(c for c in assessment.controls if c.id == "monitoring")
    assert monitoring.status.value == "unknown"
    assert any("No gateway routing config was given" in text for text in monitoring.limitations), \
        monitoring.limitations
    assert not any("No gateway config was given" in text
                   for control in assessment.controls for text in control.limitations)
    assert "kong.conf" in assessment.inventory.secrets_checked


def test_apisix_listeners_and_versions_from_the_environment_are_not_judged() -> None:
    """config.yaml takes node_listen and ssl_protocols from APISIX's environment: the route no redirect
    covers is not reported served over plain HTTP (APISIX's default 9080 would say so), the SSL object
    naming no versions does not claim APISIX's default, and transport security cannot be judged: it
    says which settings of which file are unknown instead of passing."""
    assessment = scan(ScanOptions(paths=(APISIX / "env-estate",)))
    assert not findings(assessment, "TLS_PLAIN_CLIENT") and not findings(assessment, "TLS_PLAIN_CLIENT_DEFAULT")
    assert assessment.inventory.tls_settings == ()
    transport = next(c for c in assessment.controls if c.id == "transport_security")
    assert transport.status.value == "unknown", transport.summary
    assert transport.limitations[0].startswith("config.yaml set node_listen, ssl_protocols by reference")
    [reachable] = findings(assessment, "FUNC_ADMIN_API_NETWORK")
    assert not findings(assessment, "FUNC_ADMIN_API_UNAUTHENTICATED")
    assert reachable.severity.value == "high"
