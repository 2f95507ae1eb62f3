"""Secrets hygiene across every gateway reader: one estate-wide finding listing each credential written
in clear by place, every file read counted as checked, and no planted value in any output or log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from riskscan.controls import evaluate_controls
from riskscan.model import Assessment, Inventory, TrafficStats
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS
from riskscan.sources.gateways.url_credentials import URL_SECRET_KEYS
from tests.controls.conftest import make_endpoint, scan_and_log

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
IN_CLEAR = (
    FIXTURES / "envoy" / "secrets" / "clear-secrets.yaml",
    FIXTURES / "kong" / "admin-credentials",
    FIXTURES / "traefik" / "secrets" / "in-clear",
    FIXTURES / "kubernetes" / "secrets" / "secret-beside-ingress.yaml",
    FIXTURES / "kubernetes" / "secrets" / "secrets-only.yaml",
    FIXTURES / "kubernetes" / "secrets" / "deployment-env.yaml",
    FIXTURES / "apisix" / "secrets" / "logger-credentials.yaml",
    FIXTURES / "nginx" / "secrets" / "exporter-urls.conf",
    FIXTURES / "aws" / "secrets" / "template-in-clear.yaml",
)
REFERENCES = (
    FIXTURES / "envoy" / "secrets" / "references-only.yaml",
    FIXTURES / "traefik" / "secrets" / "references",
    FIXTURES / "kubernetes" / "secrets" / "references-only.yaml",
    FIXTURES / "apisix" / "secrets" / "loggers-without-credentials.yaml",
    FIXTURES / "nginx" / "secrets" / "no-credentials.conf",
    FIXTURES / "aws" / "secrets" / "template-references.yaml",
)


@pytest.fixture(scope="module")
def logged() -> tuple[Assessment, str]:
    """The estate with credentials in clear, and everything riskscan logged while scanning it."""
    return scan_and_log(IN_CLEAR)


def test_one_finding_lists_the_places_from_every_reader(logged: tuple[Assessment, str]) -> None:
    assessment, _ = logged
    finding = next(f for f in assessment.findings if f.code == "SECRET_IN_CLEAR")
    places = assessment.inventory.clear_secrets
    assert {item.path for item in places} == {
        "apisix/secrets/logger-credentials.yaml", "envoy/secrets/clear-secrets.yaml",
        "kong/admin-credentials/basic-auths.json", "kong/admin-credentials/certificates.json",
        "kong/admin-credentials/jwts.json", "kong/admin-credentials/key-auths.json",
        "kubernetes/secrets/secret-beside-ingress.yaml", "kubernetes/secrets/secrets-only.yaml",
        "kubernetes/secrets/deployment-env.yaml", "nginx/secrets/exporter-urls.conf",
        "traefik/secrets/in-clear/dynamic.yaml", "traefik/secrets/in-clear/traefik.yml",
        "aws/secrets/template-in-clear.yaml"}
    # 6 Envoy, 4 Kong, 9 Traefik (4 in its static configuration), 10 Kubernetes, 4 APISIX, 2 nginx, 4 AWS
    assert finding.title == "39 credentials written in clear in gateway configs"
    assert len(places) == len(set(places))
    assert finding.endpoints == ()  # estate-wide
    assert "a Kubernetes Secret object" in finding.detail and "logger, exporter" in finding.detail


def test_no_planted_value_reaches_json_html_or_the_log(logged: tuple[Assessment, str]) -> None:
    assessment, log = logged
    for renderer in ("json", "html"):
        text = RENDERERS[renderer].render(assessment).decode("utf-8")
        assert "PLANTED" not in text, renderer
        assert "UExBTlRFRC1" not in text, renderer  # the Kubernetes Secrets' base64
    assert "read " in log and "PLANTED" not in log


def test_references_are_checked_and_clean() -> None:
    assessment = scan(ScanOptions(paths=REFERENCES))
    result = next(c for c in assessment.controls if c.id == "secrets_hygiene")
    assert not [f for f in assessment.findings if f.code == "SECRET_IN_CLEAR"]
    document = json.loads(RENDERERS["json"].render(assessment))
    checked = next(c for c in document["controls"] if c["id"] == "secrets_hygiene")
    assert checked["status"] == result.status.value != "unknown"
    assert result.summary.startswith("0 credentials written in clear")
    assert len(assessment.inventory.secrets_checked) == 6  # one file per reader, each checked


def test_the_shared_url_words_cover_the_catalogue_list() -> None:
    catalogue = yaml.safe_load((Path(__file__).resolve().parents[2] / "riskscan" / "controls" /
                                "catalogue.yaml").read_text(encoding="utf-8"))
    control = next(c for c in catalogue["controls"] if c["id"] == "secrets_hygiene")
    assert set(control["parameters"]["url_secret_keys"]) <= URL_SECRET_KEYS


def test_without_a_gateway_config_the_limitation_says_none_was_given() -> None:
    """Access logs alone: credentials in URLs are judged, and the limitation says no config was given
    (it said the configs given could not be checked, though none was)."""
    called = make_endpoint("GET", "/v2/claims/{claimId}", traffic=TrafficStats(requests=40, clients=3,
                           status_classes={"2xx": 40}))
    inventory = Inventory(endpoints=(called,), has_specs=False, has_gateway=False, has_traffic=True)
    result = next(c for c in evaluate_controls(inventory).controls if c.id == "secrets_hygiene")
    assert "No gateway config was given, so where credentials are kept cannot be seen." in result.limitations
    assert not any("could be checked" in text for text in result.limitations)
