"""Effective authentication, rate limiting and logging per endpoint."""

from __future__ import annotations

from typing import Any

from riskscan.inventory import build_inventory
from riskscan.inventory.posture import (
    SPEC_DECLARED,
    auth_posture,
    common_plugins,
    describe_rate_limit,
    logging_posture,
    rate_limit_posture,
)
from riskscan.model import (
    AuthKind,
    AuthRequirement,
    Endpoint,
    Evidence,
    GatewayRoute,
    PluginRef,
    RateLimitKeying,
    RateLimitPolicy,
    RouteAspect,
)

OIDC = AuthRequirement(kind=AuthKind.OIDC, scheme="openid-connect")
KEY_AUTH = AuthRequirement(kind=AuthKind.API_KEY, scheme="key-auth")
MTLS = AuthRequirement(kind=AuthKind.MTLS, scheme="mtls")
BASIC = AuthRequirement(kind=AuthKind.BASIC, scheme="basicAuth")
OAUTH = AuthRequirement(kind=AuthKind.OAUTH2, scheme="partnerOAuth")


def endpoint(estate: Any, key: str) -> Endpoint:
    inventory = build_inventory(estate.specs, [estate.gateway], [estate.traffic])
    return next(item for item in inventory.endpoints if item.key == key)


def test_the_weakest_route_sets_effective_auth(estate: Any) -> None:
    # production enforces OIDC, but the sandbox route on the same uris takes an API key
    auth = endpoint(estate, "GET /v2/claims/{claimId}").auth
    assert auth.effective is AuthKind.API_KEY
    assert auth.enforced_by == "gateway:claims-sandbox"
    assert auth.declared == (AuthKind.OAUTH2,)
    assert not auth.allows_anonymous
    assert auth.evidence[0].path == "gateway/apisix.yaml"


def test_a_gateway_plugin_beats_an_anonymous_spec_alternative(estate: Any) -> None:
    auth = endpoint(estate, "GET /v1/policies/{policyId}/coverage").auth
    assert auth.effective is AuthKind.API_KEY
    assert auth.enforced_by == "gateway:policies"
    assert not auth.allows_anonymous


def test_a_route_without_auth_leaves_only_the_spec_declaration(estate: Any) -> None:
    auth = endpoint(estate, "GET /v1/claims/{id}").auth
    assert auth.effective is AuthKind.OAUTH2
    assert auth.enforced_by == SPEC_DECLARED
    assert [evidence.path for evidence in auth.evidence] == ["gateway/apisix.yaml", "specs/claims-api.yaml"]


def test_an_undocumented_route_without_auth_is_open(estate: Any) -> None:
    auth = endpoint(estate, "GET /internal/export/{date}").auth
    assert auth.effective is AuthKind.NONE
    assert auth.enforced_by is None
    assert auth.allows_anonymous


def test_all_plugins_on_a_route_are_required_and_the_strongest_counts(make: Any) -> None:
    route = make.route("claims", "/v2/claims/*", auth=(KEY_AUTH, MTLS))
    auth = auth_posture([], [route])
    assert auth.effective is AuthKind.MTLS
    assert auth.enforced_by == "gateway:claims"


def test_without_a_gateway_the_weakest_declared_alternative_counts(make: Any) -> None:
    operation = make.op("GET", "/v2/claims/{claimId}", security=((OAUTH,), (BASIC,)))
    auth = auth_posture([operation], [])
    assert auth.effective is AuthKind.BASIC
    assert auth.declared == (AuthKind.OAUTH2, AuthKind.BASIC)
    assert auth.enforced_by == SPEC_DECLARED


def test_an_anonymous_alternative_allows_anonymous_callers(make: Any) -> None:
    operation = make.op("GET", "/v1/quotes/{quoteId}", security=((), (OAUTH,)))
    auth = auth_posture([operation], [])
    assert auth.effective is AuthKind.NONE
    assert auth.allows_anonymous
    assert auth.enforced_by is None


def test_nothing_declared_nothing_enforced(make: Any) -> None:
    auth = auth_posture([make.op("GET", "/health", security=())], [])
    assert (auth.effective, auth.enforced_by, auth.allows_anonymous) == (AuthKind.NONE, None, True)


def test_rate_limits_are_described_the_way_operators_write_them(estate: Any) -> None:
    limits = endpoint(estate, "GET /v2/claims/{claimId}").rate_limit
    assert limits.enforced is True
    assert limits.by == (
        "limit-count by http_x_partner_id (600/60s)",
        "limit-count by http_x_partner_id (60/60s)",
    )


def test_one_unthrottled_route_makes_the_endpoint_unthrottled(make: Any) -> None:
    limited = make.route("claims-prod", "/v2/claims/*", limits=(("consumer_name", 1000, 60),))
    open_route = make.route("claims-partner", "/v2/claims/*", conditions=("http_x_partner == acme",))
    posture = rate_limit_posture([limited, open_route])
    assert posture.enforced is False
    assert posture.by == ("limit-count by consumer_name (1000/60s)",)


def test_the_limits_in_force_are_kept_with_their_keying_and_the_specs_declaration(make: Any) -> None:
    by_ip = make.route("quotes", "/v1/quotes", limits=(("remote_addr", 100, 60),))
    by_consumer = make.route("quotes-partner", "/v1/quotes", limits=(("consumer_name", 1000, 60),))
    declared = Evidence(path="specs/quotes.yaml", line=9, note="429 response documented")
    operation = make.op("GET", "/v1/quotes").model_copy(update={"rate_limit_declared": declared})
    posture = rate_limit_posture([by_ip, by_consumer], [operation])
    assert [policy.key for policy in posture.policies] == ["remote_addr", "consumer_name"]
    # A caller picks the route counted per address: the endpoint is only as strong as that route.
    assert posture.keying is RateLimitKeying.ADDRESS
    assert posture.declared == declared
    both = make.route("quotes", "/v1/quotes", limits=(("remote_addr", 100, 60), ("consumer_name", 1000, 60)))
    assert rate_limit_posture([both]).keying is RateLimitKeying.CLIENT  # both limits apply on one route


def test_rate_limit_is_unknown_without_a_route(estate: Any) -> None:
    assert endpoint(estate, "GET /v3/orders/{id}").rate_limit.enforced is None
    assert endpoint(estate, "GET /debug/vars").rate_limit.enforced is False


def test_describe_rate_limit_leaves_out_what_is_unknown() -> None:
    policy = RateLimitPolicy(plugin="limit-req", key="remote_addr", limit=5.5, evidence={"path": "g.yaml"})
    assert describe_rate_limit(policy) == "limit-req by remote_addr (5.5)"


def test_logging_is_known_only_where_a_route_serves(estate: Any) -> None:
    claims = endpoint(estate, "GET /v2/claims/{claimId}")
    assert claims.loggers == ("http-logger",)
    assert claims.monitors == ("prometheus",)
    # The sandbox route serving it only exports metrics: not every request is logged.
    assert claims.is_logged is False
    assert endpoint(estate, "GET /internal/export/{date}").is_logged is False
    assert endpoint(estate, "GET /v3/orders/{id}").is_logged is None


def _route(route_id: str, **fields: Any) -> GatewayRoute:
    return GatewayRoute(gateway="gateway-api", route_id=route_id, uris=("/v1/quotes",),
                        evidence=Evidence(path="gateway.yaml", line=1), **fields)


HIDDEN = tuple(RouteAspect)


def test_a_route_that_cannot_show_auth_leaves_it_unknown_not_none() -> None:
    # A Gateway API route: authentication comes from implementation policies that were not read.
    auth = auth_posture([], [_route("quotes", not_shown=HIDDEN)])
    assert not auth.is_known
    assert not auth.allows_anonymous
    assert auth.enforced_by is None


def test_a_spec_declaration_still_counts_behind_a_route_that_cannot_show_auth(make: Any) -> None:
    auth = auth_posture([make.op("GET", "/v1/quotes", security=((OIDC,),))], [_route("quotes", not_shown=HIDDEN)])
    assert auth.is_known
    assert (auth.effective, auth.enforced_by) == (AuthKind.OIDC, SPEC_DECLARED)


def test_limits_and_logging_are_unknown_unless_every_serving_route_shows_them() -> None:
    limit = RateLimitPolicy(plugin="limit-count", limit=10, window_seconds=1, evidence=Evidence(path="g.yaml"))
    shown = _route("prod", rate_limits=(limit,), loggers=("http-logger",))
    hidden = _route("canary", not_shown=HIDDEN)
    unlimited = _route("sandbox")
    assert rate_limit_posture([hidden]).enforced is None
    assert rate_limit_posture([shown, hidden]).enforced is None  # partial evidence is not a "yes"
    assert rate_limit_posture([shown, hidden, unlimited]).enforced is False  # one shown route lacks it
    assert rate_limit_posture([shown]).enforced is True
    assert logging_posture([hidden])[2] is None
    assert logging_posture([shown, hidden])[2] is None
    assert logging_posture([shown])[2] is True


def test_the_spec_scopes_travel_with_the_auth_posture_whoever_enforces(make: Any) -> None:
    scoped = AuthRequirement(kind=AuthKind.OAUTH2, scheme="partnerOAuth", scopes=("claims:read", "claims:write"))
    operation = make.op("PATCH", "/v2/claims/{claimId}", security=((scoped,), (OIDC,)))
    assert auth_posture([operation], []).scopes == ("claims:read", "claims:write")
    route = make.route("claims", "/v2/claims/*", auth=(OIDC,))
    assert auth_posture([operation], [route]).scopes == ("claims:read", "claims:write")


def test_only_plugins_on_every_serving_route_protect_the_endpoint() -> None:
    def plugin(name: str) -> PluginRef:
        return PluginRef(name=name, attached_to="route", evidence=Evidence(path="gateway.yaml", line=3))

    production = _route("prod", plugins=(plugin("ip-restriction"), plugin("key-auth")))
    sandbox = _route("sandbox", plugins=(plugin("key-auth"),))
    assert common_plugins([production, sandbox]) == ("key-auth",)
    assert common_plugins([production]) == ("ip-restriction", "key-auth")
    assert common_plugins([]) == ()
