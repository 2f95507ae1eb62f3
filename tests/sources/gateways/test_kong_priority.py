"""Kong route precedence: where several Kong routes could serve a path, the endpoint belongs to the
route Kong would pick (priority points, plain hosts, header count, regex paths by regex_priority before
plain paths by length), which differs from the uri specificity APISIX-style routes are chosen by."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.inventory.gateway_patterns import RouteIndex
from riskscan.model import Assessment, AuthKind, Endpoint, GatewayRoute
from riskscan.pipeline import ScanOptions, scan
from riskscan.sources import ReadContext
from riskscan.sources.gateways.kong import KongReader

ESTATE = Path(__file__).resolve().parents[2] / "fixtures" / "kong" / "route-priority"


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return scan(ScanOptions(paths=(ESTATE,)))


@pytest.fixture(scope="module")
def kong_routes() -> list[GatewayRoute]:
    path = ESTATE / "kong.yaml"
    return list(KongReader().read(path, ReadContext(root=ESTATE)).routes)


def _as_apisix(routes: list[GatewayRoute]) -> list[GatewayRoute]:
    """The same routes on a gateway that picks by uri specificity."""
    return [route.model_copy(update={"gateway": "apisix", "uri_ranks": ()}) for route in routes]


def _picked(routes: list[GatewayRoute], method: str, host: str | None, path: str) -> list[str]:
    return [route.route_id for route in RouteIndex(routes).match(method, host, path)]


@pytest.mark.parametrize(
    ("method", "host", "path", "kong", "apisix"),
    [
        # a priority point (methods) beats a longer plain path
        ("GET", None, "/v1/claims/export", ["claims-read"], ["claims-export"]),
        # a regex path beats any plain path
        ("GET", None, "/v1/policies/export", ["policy-by-id"], ["policy-export"]),
        # regex_priority orders regex paths
        ("GET", None, "/v2/claims/7/quote", ["quote-any-resource"], ["quote-claim"]),
        # a plain host beats a wildcard host for the same path
        ("GET", "api.harbor.example", "/v3/settlements/9", ["partner-api"],
         ["partner-wildcard", "partner-api"]),
    ],
)
def test_kong_picks_its_own_route_where_uri_specificity_would_pick_another(
    kong_routes: list[GatewayRoute],
    method: str,
    host: str | None,
    path: str,
    kong: list[str],
    apisix: list[str],
) -> None:
    assert _picked(kong_routes, method, host, path) == kong
    assert _picked(_as_apisix(kong_routes), method, host, path) == apisix


def test_a_route_for_some_requests_only_does_not_hide_the_next(kong_routes: list[GatewayRoute]) -> None:
    assert _picked(kong_routes, "GET", None, "/v1/reports/1") == ["reports-beta", "reports"]  # header x-beta
    assert _picked(kong_routes, "POST", None, "/v1/claims/export") == ["claims-export"]  # GET-only route
    assert _picked(kong_routes, "GET", None, "/v3/settlements/9") == ["partner-api", "partner-wildcard"]


def test_documented_endpoints_carry_the_auth_of_the_route_kong_picks(endpoints: dict[str, Endpoint]) -> None:
    export = endpoints["GET /v1/claims/export"]
    assert export.route_ids == ("claims-read",)
    assert export.auth.effective is AuthKind.API_KEY  # not the export route's OIDC
    assert endpoints["POST /v1/claims/export"].route_ids == ("claims-export",)
    assert endpoints["GET /v1/policies/export"].route_ids == ("policy-by-id",)
    assert endpoints["GET /v2/claims/{claimId}/quote"].route_ids == ("quote-any-resource",)


def test_an_out_of_range_regex_priority_counts_as_the_default(kong_routes: list[GatewayRoute]) -> None:
    hostile = next(route for route in kong_routes if route.route_id == "hostile-priority")
    assert hostile.uri_ranks == ((0, 1, 0, 1, 0),)
