"""End to end: an estate behind nginx (a main config including conf.d/ and a snippet), a spec and an
access log scan into one inventory with the gateway's auth, limits and logs on each endpoint."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from riskscan.discovery import discover_files, read_inputs
from riskscan.model import Assessment, AuthKind, Endpoint, InputStatus, Lifecycle, SightingSource, SourceKind
from riskscan.pipeline import ScanOptions, scan
from riskscan.report.json_report import SCHEMA_PATH, render_json
from riskscan.sources import ReadContext

ESTATE = Path(__file__).resolve().parents[2] / "fixtures" / "nginx" / "estate"
PLANTED = ["PLANTED-KEY-123", "PLANTED-NODE-PASS", "PLANTED-JWT-SECRET-456", "svc-user"]


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return scan(ScanOptions(paths=(ESTATE,), clock=lambda: datetime(2026, 11, 30, 9, 0, tzinfo=UTC)))



def test_included_files_are_read_once_as_part_of_the_main_config(assessment: Assessment) -> None:
    inputs = {item.path: (item.kind, item.status, item.message) for item in assessment.inputs}
    for included in (
        "nginx/conf.d/partner-api.conf",
        "nginx/conf.d/mtls-partners.conf",
        "nginx/snippets/proxy-headers.conf",
    ):
        assert inputs[included] == (SourceKind.NGINX, InputStatus.USED, "included by nginx/nginx.conf")
    assert inputs["nginx/nginx.conf"][:2] == (SourceKind.NGINX, InputStatus.USED)
    route_ids = [route_id for endpoint in assessment.inventory.endpoints for route_id in endpoint.route_ids]
    assert route_ids.count("api.harbor.example:443 /v2/claims/") == 1  # not again from conf.d/ alone


def test_documented_endpoints_carry_the_gateway_auth_and_limits(endpoints: dict[str, Endpoint]) -> None:
    claims = endpoints["GET /v2/claims/{claimId}"]
    assert claims.lifecycle is Lifecycle.DOCUMENTED
    assert claims.sources == (SightingSource.SPEC, SightingSource.GATEWAY, SightingSource.TRAFFIC)
    assert (claims.auth.effective, claims.auth.enforced_by) == (
        AuthKind.BEARER,
        "gateway:api.harbor.example:443 /v2/claims/",
    )
    assert claims.rate_limit.enforced is True
    assert claims.rate_limit.by == ("limit_req by http_x_partner_id (600/60s)",)
    assert claims.is_logged is True and claims.monitors == ("request-id",)
    quotes = endpoints["GET /v2/quotes/{quoteId}"]
    assert (
        quotes.auth.effective is AuthKind.BASIC
    )  # the gateway's basic auth, weaker than the declared bearer
    assert quotes.auth.declared == (AuthKind.BEARER,)


def test_routed_but_undocumented_endpoints_are_shadow(endpoints: dict[str, Endpoint]) -> None:
    policies = endpoints["GET /v2/policies/{policy_id}"]
    assert policies.lifecycle is Lifecycle.SHADOW
    assert policies.traffic is not None and policies.traffic.requests == 4
    assert policies.rate_limit.by == (
        "limit_req by binary_remote_addr (10/1s)",
        "limit_conn by binary_remote_addr (10)",
    )
    internal = endpoints["* /internal/*"]
    assert internal.lifecycle is Lifecycle.SHADOW
    assert internal.auth.allows_anonymous is True  # satisfy any + allow: no credentials from those addresses
    assert internal.is_logged is False  # access_log off
    assert endpoints["* /settlements/*"].auth.effective is AuthKind.MTLS


def test_an_older_version_still_routed_and_called_is_a_zombie(endpoints: dict[str, Endpoint]) -> None:
    legacy = endpoints["GET /v1/claims/{id}"]
    assert legacy.lifecycle is Lifecycle.ZOMBIE
    assert legacy.auth.effective is AuthKind.NONE


def test_a_route_that_denies_everyone_serves_no_endpoint(endpoints: dict[str, Endpoint]) -> None:
    assert not any(key.startswith("* /legacy/") for key in endpoints)


def test_no_planted_secret_reaches_the_assessment(assessment: Assessment) -> None:
    text = assessment.model_dump_json()
    for secret in PLANTED:
        assert secret not in text


def _server(path: str) -> str:
    return f"server {{\n  listen 80;\n  location {path} {{ proxy_pass http://backend; }}\n}}\n"


def test_configs_that_include_each_other_are_both_kept(tmp_path: Path) -> None:
    """A cycle has no top-level config: neither is folded into the other, so no route is lost."""
    (tmp_path / "a.conf").write_text("include b.conf;\n" + _server("/a/"))
    (tmp_path / "b.conf").write_text("include a.conf;\n" + _server("/b/"))
    files = discover_files([tmp_path])
    inputs = read_inputs(files, ReadContext(root=tmp_path, allowed_roots=(tmp_path,)))
    assert [(item.path, item.status) for item in inputs.inputs] == [
        ("a.conf", InputStatus.USED),
        ("b.conf", InputStatus.USED),
    ]
    assert len(inputs.gateways) == 2


def test_a_site_file_without_its_main_config_is_read_on_its_own(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "api.conf").write_text(_server("/v1/"))
    inputs = read_inputs(discover_files([tmp_path]), ReadContext(root=tmp_path, allowed_roots=(tmp_path,)))
    [config] = inputs.gateways
    assert [route.uris for route in config.routes] == [("/v1/*",)]


def test_the_json_report_of_an_nginx_estate_meets_the_schema(assessment: Assessment) -> None:
    document = json.loads(render_json(assessment))
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert {item["kind"] for item in document["inputs"]} == {"nginx", "openapi", "access_log"}
