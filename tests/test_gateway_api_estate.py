"""A Gateway API estate: its routes show where traffic goes, not how it is authenticated or throttled
(implementation policies decide that, and are not read). The report must say "not shown", never
"unauthenticated" or "unthrottled"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from riskscan.model import Assessment
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS

GATEWAY_API = Path(__file__).resolve().parent / "fixtures" / "kubernetes" / "gateway-api"


def scanned(*paths: Path) -> Assessment:
    return scan(ScanOptions(paths=paths))


def document(assessment: Assessment) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(RENDERERS["json"].render(assessment))
    return loaded


def test_routes_whose_policies_are_not_read_are_not_called_unauthenticated() -> None:
    report = document(scanned(GATEWAY_API))
    plain = [e for e in report["endpoints"] if e["auth"]["enforced_by"] is None and not e["auth"]["known"]]
    assert plain, "expected routes whose authentication the manifests cannot show"
    assert all(e["auth"]["effective"] is None for e in plain)
    assert all(e["rate_limit"]["enforced"] is None and e["logging"]["logged"] is None for e in plain)
    assert report["summary"]["unauthenticated"] == 0
    assert not [f for f in report["findings"] if f["control"] == "auth"]
    controls = {control["id"]: control for control in report["controls"]}
    assert controls["rate_limit"]["status"] == controls["monitoring"]["status"] == "unknown"
    assert controls["auth"]["status"] in ("unknown", "pass")
    assert any("outside the configuration given" in text for text in controls["auth"]["limitations"]) or (
        controls["auth"]["status"] == "unknown")


def test_a_listener_that_checks_client_certificates_still_shows_mtls() -> None:
    report = document(scanned(GATEWAY_API))
    mtls = [e for e in report["endpoints"] if e["auth"]["effective"] == "mtls"]
    hidden = [e for e in report["endpoints"] if not e["auth"]["known"]]
    # The fixture's Gateway has one listener validating client certificates and others that do not.
    assert mtls and hidden
