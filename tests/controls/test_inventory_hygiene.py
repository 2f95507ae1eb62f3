"""Inventory hygiene beyond lifecycles: version sprawl and sandbox/production separation, each present,
absent, partial and not observable, scanned from small APISIX configs, specs and access logs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskscan.controls.catalogue import default_catalogue
from riskscan.controls.versions import live_families
from riskscan.model import Assessment, ControlResult, Finding, Lifecycle, SightingSource
from riskscan.pipeline import ScanOptions, scan
from tests.controls.conftest import make_endpoint

HYGIENE = Path(__file__).resolve().parents[1] / "fixtures" / "inventory-hygiene"


def scanned(tmp_path: Path, *names: str) -> Assessment:
    """Scan a folder holding only the fixtures named (a scan reads every file of a folder)."""
    for name in names:
        shutil.copy(HYGIENE / name, tmp_path / name)
    return scan(ScanOptions(paths=(tmp_path,)))


def hygiene(assessment: Assessment) -> tuple[ControlResult, dict[str, Finding]]:
    result = next(c for c in assessment.controls if c.id == "inventory_hygiene")
    findings = [f for f in assessment.findings if f.control == "inventory_hygiene"]
    by_title = {f.title: f for f in findings}
    return result, by_title


def titled(findings: dict[str, Finding], start: str) -> Finding | None:
    return next((f for title, f in findings.items() if title.startswith(start)), None)


def test_sandbox_selected_by_a_condition_passes_citing_the_sandbox_route(tmp_path: Path) -> None:
    result, findings = hygiene(scanned(tmp_path, "quotes-api.yaml", "apisix-separated-by-condition.yaml"))
    assert result.status.value == "pass" and findings == {}
    assert "quotes-sandbox by condition http_x_env == sandbox" in result.summary
    assert [(item.path, item.pointer) for item in result.evidence[:1]] == [
        ("apisix-separated-by-condition.yaml", "/routes/1")]


def test_sandbox_on_its_own_host_passes(tmp_path: Path) -> None:
    result, findings = hygiene(scanned(tmp_path, "quotes-api.yaml", "apisix-separated-by-host.yaml"))
    assert findings == {}
    assert "quotes-sandbox by host sandbox.keelhaul-insurance.example" in result.summary


@pytest.mark.parametrize("config", ["apisix-shared-route.yaml", "apisix-any-host.yaml"])
def test_one_route_answering_for_sandbox_and_production_is_high(tmp_path: Path, config: str) -> None:
    result, findings = hygiene(scanned(tmp_path, "quotes-api.yaml", config))
    finding = titled(findings, "Sandbox and production served by the same routes")
    assert finding is not None and finding.severity.value == "high"
    assert finding.endpoints == ("GET /v1/quotes/{quoteId}", "POST /v1/quotes")
    assert {item.path for item in finding.evidence} == {config, "quotes-api.yaml"}
    assert result.status.value == "fail"


def test_sandbox_paths_are_judged_by_their_upstream(tmp_path: Path) -> None:
    """Partial: the claims sandbox reaches the production backend, the quotes sandbox has its own."""
    result, findings = hygiene(scanned(tmp_path, "apisix-sandbox-paths.yaml"))
    finding = titled(findings, "Sandbox paths forwarded to production backends")
    assert finding is not None and finding.severity.value == "medium"
    assert finding.endpoints == ("* /sandbox/v1/claims/*",)
    assert [item.pointer for item in finding.evidence] == ["/routes/1"]
    assert "quotes-sandbox by upstream quotes-sandbox.svc.keelhaul.internal:8443" in result.summary


def test_spec_mixing_servers_without_a_gateway_is_a_low_declared_finding(tmp_path: Path) -> None:
    _, findings = hygiene(scanned(tmp_path, "quotes-api.yaml", "quotes-called.log"))
    finding = titled(findings, "Specs document sandbox and production")
    assert finding is not None and finding.severity.value == "low"
    assert [item.path for item in finding.evidence] == ["quotes-api.yaml", "quotes-api.yaml"]


def test_no_environment_named_says_so(tmp_path: Path) -> None:
    result, findings = hygiene(scanned(tmp_path, "apisix-versions.yaml"))
    assert "No input names a sandbox, test or staging environment." in result.summary
    assert titled(findings, "Sandbox") is None


def test_specs_alone_cannot_show_hygiene(tmp_path: Path) -> None:
    result, findings = hygiene(scanned(tmp_path, "quotes-api.yaml"))
    assert result.status.value == "unknown" and findings == {}


def test_old_versions_merely_routed_are_a_low_finding_naming_every_version(tmp_path: Path) -> None:
    result, findings = hygiene(scanned(tmp_path, "apisix-versions.yaml"))
    finding = titled(findings, "Old API versions still routed beside newer ones")
    assert finding is not None and finding.severity.value == "low"
    assert finding.endpoints == ("* /v1/policies/*", "* /v2beta/policies/*")
    assert "/v#/policies: v1 (1 endpoint), v2beta (1 endpoint), v2 (1 endpoint)" in finding.detail
    assert titled(findings, "Old API versions still called") is None
    assert "1 API has several live versions" in result.summary
    # No spec was scanned: what is documented cannot be judged, so no shadow finding, and it says so.
    assert titled(findings, "Routed or called but in no spec") is None
    assert any("No API spec was given" in limitation for limitation in result.limitations)


def test_old_versions_still_called_are_worse_and_show_their_traffic_share(tmp_path: Path) -> None:
    _, findings = hygiene(scanned(tmp_path, "apisix-versions.yaml", "versions-called.log"))
    finding = titled(findings, "Old API versions still called beside newer ones")
    assert finding is not None and finding.severity.value == "medium"
    assert "v1 (1 endpoint, 33% of its requests)" in finding.detail
    assert "v2 (1 endpoint, 67% of its requests)" in finding.detail
    assert {item.path for item in finding.evidence} == {"apisix-versions.yaml", "versions-called.log"}
    assert titled(findings, "Old API versions still routed") is None


def test_one_live_version_and_orphans_are_no_sprawl() -> None:
    orphan = make_endpoint("GET", "/v1/claims/{id}", lifecycle=Lifecycle.ORPHAN,
                           sources=(SightingSource.SPEC,))
    current = make_endpoint("GET", "/v2/claims/{id}")
    unversioned = make_endpoint("GET", "/claims/{id}")
    assert live_families([orphan, current, unversioned]) == []


@pytest.mark.parametrize(
    ("paths", "order"),
    [
        (["/v2/policies", "/v1beta/policies", "/v1/policies"], ["v1beta", "v1", "v2"]),
        (["/api-v2/quotes/{id}", "/api-v10/quotes/{id}"], ["api-v2", "api-v10"]),
        (["/v1.1/claims", "/v1/claims", "/v1.1rc2/claims"], ["v1", "v1.1rc2", "v1.1"]),
    ],
)
def test_versions_order_by_number_then_stability(paths: list[str], order: list[str]) -> None:
    families = live_families([make_endpoint("GET", path) for path in paths])
    assert [[v.label for v in family.versions] for family in families] == [order]


def test_a_hostile_version_segment_is_a_name_not_a_version() -> None:
    long = "v" + "9" * 5000
    assert live_families([make_endpoint("GET", f"/{long}/claims"), make_endpoint("GET", "/v1/claims")]) == []


def test_the_catalogue_lists_the_environment_words() -> None:
    words = default_catalogue().get("inventory_hygiene").words("nonproduction_words")
    assert {"sandbox", "staging", "uat"} <= words


def test_a_clean_inventory_cites_where_its_endpoints_are_documented_and_routed(tmp_path: Path) -> None:
    """A pass rests on evidence the reader can open: the spec operations and the routes serving them."""
    result, findings = hygiene(scanned(tmp_path, "quotes-api.yaml", "apisix-separated-by-host.yaml"))
    assert findings == {} and result.status.value == "pass"
    assert {"quotes-api.yaml", "apisix-separated-by-host.yaml"} <= {item.path for item in result.evidence}
    assert all(item.line or item.pointer for item in result.evidence)
