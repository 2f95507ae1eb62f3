"""Envoy RBAC: what a route's effective rules enforce (allow lists, deny lists, certificates, claims),
per-route overrides, shadow rules, closures, and hostile rules that must credit nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import AuthKind, GatewayRoute
from riskscan.sources import ReadContext
from riskscan.sources.gateways.envoy import EnvoyReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "envoy"


def _routes(name: str) -> dict[str, GatewayRoute]:
    path = FIXTURES / name
    return {route.route_id: route for route in EnvoyReader().read(path, ReadContext(root=path.parent)).routes}


def _rbac(route: GatewayRoute) -> list[tuple[str, str | None]]:
    return [(p.name, p.evidence.note) for p in route.plugins if p.name.startswith(("rbac", "ip-restriction"))]


@pytest.fixture(scope="module")
def edge() -> dict[str, GatewayRoute]:
    return _routes("rbac-partner-edge.yaml")


@pytest.fixture(scope="module")
def hostile() -> dict[str, GatewayRoute]:
    return _routes("rbac-hostile.yaml")


def test_an_address_allow_list_covering_the_route_is_an_ip_restriction_with_evidence(
    edge: dict[str, GatewayRoute],
) -> None:
    admin = edge["edge partner_api admin"]
    restriction = next(p for p in admin.plugins if p.name == "ip-restriction")
    assert restriction.evidence.line == 92
    assert restriction.evidence.pointer.endswith("/http_filters/1/typed_config/rules/policies/ops-network")
    assert restriction.evidence.path == "rbac-partner-edge.yaml"
    assert admin.is_enabled


def test_a_policy_admitting_anyone_on_the_route_restricts_nothing(edge: dict[str, GatewayRoute]) -> None:
    catalog = edge["edge partner_api catalog"]  # GET /v1/catalog: public-read admits any caller
    assert _rbac(catalog) == [("rbac:allow", "some policy admits any caller on this route's requests: no "
                                             "restriction")]


def test_allow_rules_covering_none_of_a_route_close_it_and_deny_of_anyone_closes_it(
    edge: dict[str, GatewayRoute],
) -> None:
    assert not edge["edge partner_api reports"].is_enabled  # no ALLOW policy names /v1/reports
    assert not edge["legacy_http legacy debug"].is_enabled  # DENY any caller on /debug/
    assert edge["legacy_http legacy quotes"].is_enabled


def test_per_route_overrides_replace_or_turn_off_the_filter(edge: dict[str, GatewayRoute]) -> None:
    claims = edge["edge partner_api claims"]
    assert [a.kind for a in claims.auth] == [AuthKind.BEARER]
    assert _rbac(claims) == [("rbac:allow", "authorisation on JWT claims (jwt_authn metadata) on top of the "
                                            "token check")]
    assert claims.plugins[-1].attached_to == "route"
    assert _rbac(edge["edge partner_api health"]) == [("rbac:off", "RBAC turned off on this route")]


def test_shadow_rules_are_said_never_enforced(edge: dict[str, GatewayRoute]) -> None:
    uploads = edge["edge partner_api uploads"]  # the route's own config holds only shadow_rules
    assert [name for name, _ in _rbac(uploads)] == ["rbac:none", "rbac:shadow"]
    assert "never enforced" in str(_rbac(uploads)[1][1])


def test_certificate_principals_hold_only_where_the_listener_requires_certificates(
    edge: dict[str, GatewayRoute],
) -> None:
    settlements = edge["partner_mtls settlement settlements"]
    assert [a.kind for a in settlements.auth] == [AuthKind.MTLS]
    assert "authorisation on the client certificate" in str(_rbac(settlements)[-1][1])
    exports = edge["legacy_http legacy exports"]
    assert exports.auth == ()
    assert "mutual TLS cannot hold here" in str(_rbac(exports)[-1][1])


def test_network_deny_lists_and_forwarded_addresses_are_not_restrictions(
    edge: dict[str, GatewayRoute],
) -> None:
    settlements = edge["partner_mtls settlement settlements"]
    deny = next(p for p in settlements.plugins if p.name == "rbac:deny")
    assert deny.attached_to == "filter_chain" and "weaker than an allow list" in str(deny.evidence.note)
    quotes = edge["legacy_http legacy quotes"]  # remote_ip without use_remote_address: x-forwarded-for
    assert "ip-restriction" not in {p.name for p in quotes.plugins}
    assert "caller can set" in str(_rbac(quotes)[-1][1])


def test_no_route_is_called_rbac_so_no_reference_reads_as_a_restriction_by_its_name(
    edge: dict[str, GatewayRoute], hostile: dict[str, GatewayRoute]
) -> None:
    names = {p.name for routes in (edge, hostile) for route in routes.values() for p in route.plugins}
    assert "rbac" not in names
    restricted = {rid for rid, route in {**edge, **hostile}.items()
                  if any(p.name == "ip-restriction" for p in route.plugins)}
    assert restricted == {"edge partner_api admin"}


@pytest.mark.parametrize("route_id", ["everyone", "no-length", "bad-address", "header", "deep"])
def test_hostile_ranges_and_principals_credit_no_restriction(
    hostile: dict[str, GatewayRoute], route_id: str
) -> None:
    route = hostile[f"hostile h {route_id}"]
    assert route.is_enabled and route.auth == ()
    assert "ip-restriction" not in {p.name for p in route.plugins}


def test_malformed_or_unknown_rules_are_not_evaluated_and_close_nothing(
    hostile: dict[str, GatewayRoute],
) -> None:
    for route_id in ("unknown-action", "wrong-types", "deny-all-but"):
        assert hostile[f"hostile h {route_id}"].is_enabled, route_id
    assert [name for name, _ in _rbac(hostile["hostile h wrong-types"])] == ["rbac:unknown"]
    assert not hostile["hostile h empty-rules"].is_enabled  # rules present and empty: Envoy denies


def test_a_planted_header_token_reaches_no_output() -> None:
    path = FIXTURES / "rbac-hostile.yaml"
    config = EnvoyReader().read(path, ReadContext(root=path.parent))
    assert "PLANTED-RBAC-TOKEN-31" not in config.model_dump_json()
