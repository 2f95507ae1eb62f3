"""What protects an endpoint: effective authentication, rate limiting and logging.

Authentication (a gateway plugin beats what the spec declares):
- A route's auth plugins are all required, so a route is as strong as its strongest mechanism.
  When several enabled routes serve an endpoint (production and sandbox), a caller can pick the
  weakest, so the weakest route counts: `enforced_by = "gateway:<route id>"`.
- When that weakest route enforces nothing, or no gateway routes the endpoint, the backend may still
  check what the spec declares: effective is the weakest declared alternative (an alternative needs
  all of its schemes, so it is as strong as its strongest), `enforced_by = "spec (declared, not
  verified)"`.
- Nothing declared and nothing enforced: `none`, `enforced_by = None`. `allows_anonymous` is true
  exactly when the effective mechanism is `none`.
- Unknown (`is_known = False`): nothing enforces and the only documents are ones that cannot declare
  authentication (a GraphQL schema, a Postman auth type riskscan does not know). "None declared" would
  be a guess: such an endpoint is neither called unauthenticated nor credited with anything.

Rate limiting and logging follow the same weakest-route rule: `enforced`/`is_logged` are true only
when every enabled route serving the endpoint limits/logs (partial evidence is not a "yes"), false
when some does not, and None when no gateway route serves it.

A route whose configuration cannot show an aspect (`GatewayRoute.not_shown`: a Gateway API route's
implementation policies, say) says nothing about it: it neither counts as enforcing nor as lacking
it. With only such routes, authentication falls back to the spec's declaration, and is unknown
(`is_known` false) when nothing is declared; rate limiting and logging are None (unknown), and when
some serving routes show the aspect and others cannot, a "yes" would claim more than is shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from riskscan.inventory.rate_keys import endpoint_keying
from riskscan.model import (
    AuthKind,
    AuthPosture,
    AuthRequirement,
    Evidence,
    GatewayRoute,
    RateLimitPolicy,
    RateLimitPosture,
    RouteAspect,
    SpecOperation,
)

__all__ = [
    "SPEC_DECLARED",
    "auth_posture",
    "common_plugins",
    "describe_rate_limit",
    "logging_posture",
    "rate_limit_posture",
]

SPEC_DECLARED = "spec (declared, not verified)"


def auth_posture(operations: Sequence[SpecOperation], routes: Sequence[GatewayRoute]) -> AuthPosture:
    """Declared and effective authentication for one endpoint (see the module docstring)."""
    declared = tuple(
        dict.fromkeys(
            requirement.kind
            for operation in operations
            for alternative in operation.security
            for requirement in alternative
        )
    )
    spec_evidence = tuple(operation.evidence for operation in operations)
    scopes = _declared_scopes(operations)
    hidden = [route for route in routes if RouteAspect.AUTH in route.not_shown]
    routes = [route for route in routes if RouteAspect.AUTH not in route.not_shown]
    if routes:
        weakest = min(routes, key=lambda route: (_strength(route.auth), route.route_id))
        if weakest.auth:
            strongest = max(weakest.auth, key=lambda requirement: requirement.kind.strength)
            return AuthPosture(
                effective=strongest.kind,
                declared=declared,
                enforced_by=f"gateway:{weakest.route_id}",
                allows_anonymous=False,
                evidence=_auth_evidence(weakest),
                scopes=scopes,
                locations=tuple(dict.fromkeys(r.location for r in weakest.auth if r.location)),
                flows=_declared_flows(operations),
                is_sender_constrained=_is_sender_constrained([weakest.auth]),
            )
        spec_evidence = (weakest.evidence, *spec_evidence)
    declaring = [operation for operation in operations if operation.declares_auth]
    if (operations and not declaring) or (hidden and not routes and not declared):
        # Nothing shown can say: the documentation cannot declare auth (GraphQL), or the gateway
        # enforces it outside the configuration read and no spec declares any.
        hidden_evidence = tuple(route.evidence for route in hidden[:3])
        return AuthPosture(effective=AuthKind.NONE, is_known=False, evidence=(*hidden_evidence, *spec_evidence))
    effective = _weakest_declared(declaring)
    return AuthPosture(
        effective=effective,
        declared=declared,
        enforced_by=SPEC_DECLARED if effective is not AuthKind.NONE else None,
        allows_anonymous=effective is AuthKind.NONE,
        evidence=spec_evidence,
        scopes=scopes,
        locations=_declared_locations(declaring),
        flows=_declared_flows(operations),
        is_sender_constrained=_is_sender_constrained(
            [alternative for operation in declaring for alternative in operation.security]),
    )


def rate_limit_posture(
    routes: Sequence[GatewayRoute], operations: Sequence[SpecOperation] = ()
) -> RateLimitPosture:
    """Whether every enabled route serving the endpoint throttles it, and by what; and where its spec
    declares a limit (the first operation that does)."""
    declared = next((op.rate_limit_declared for op in operations if op.rate_limit_declared), None)
    shown = [route for route in routes if RouteAspect.RATE_LIMIT not in route.not_shown]
    if not shown:
        return RateLimitPosture(enforced=None, declared=declared)
    policies = tuple(dict.fromkeys(policy for route in shown for policy in route.rate_limits))
    return RateLimitPosture(
        enforced=_all_shown(all(route.rate_limits for route in shown), len(shown) < len(routes)),
        by=tuple(dict.fromkeys(describe_rate_limit(policy) for policy in policies)),
        evidence=tuple(dict.fromkeys(policy.evidence for policy in policies)),
        policies=policies,
        declared=declared,
        keying=endpoint_keying(route.rate_limits for route in shown),
    )


def logging_posture(routes: Sequence[GatewayRoute]) -> tuple[tuple[str, ...], tuple[str, ...], bool | None]:
    """Request loggers and monitors over all routes serving the endpoint, and whether every one of
    those routes writes request records (metrics or a request id alone are not a log)."""
    shown = [route for route in routes if RouteAspect.LOGGING not in route.not_shown]
    if not shown:
        return (), (), None
    loggers = tuple(sorted({logger for route in shown for logger in route.loggers}))
    monitors = tuple(sorted({monitor for route in shown for monitor in route.monitors}))
    return loggers, monitors, _all_shown(all(route.loggers for route in shown), len(shown) < len(routes))


def common_plugins(routes: Sequence[GatewayRoute]) -> tuple[str, ...]:
    """Plugin names in force on every enabled route serving an endpoint, sorted: a caller can pick the
    route that lacks a plugin, so only what all of them run protects the endpoint."""
    if not routes:
        return ()
    names = set.intersection(*({plugin.name for plugin in route.plugins} for route in routes))
    return tuple(sorted(names))


def _declared_locations(operations: Sequence[SpecOperation]) -> tuple[str, ...]:
    """Where the declared API keys travel (`query:api_key`), over every alternative."""
    return tuple(dict.fromkeys(
        requirement.location
        for operation in operations
        for alternative in operation.security
        for requirement in alternative
        if requirement.kind is AuthKind.API_KEY and requirement.location
    ))


def _declared_flows(operations: Sequence[SpecOperation]) -> tuple[str, ...]:
    """The OAuth 2.0 flows of the schemes the operations accept."""
    return tuple(dict.fromkeys(
        flow
        for operation in operations
        for alternative in operation.security
        for requirement in alternative
        for flow in requirement.flows
    ))


def _is_sender_constrained(alternatives: Sequence[Sequence[AuthRequirement]]) -> bool:
    """Every alternative requires OAuth 2.0 or OIDC together with mutual TLS: tokens bound to the
    client's certificate (RFC 8705), the sender-constraining FAPI 2.0 asks for."""
    def constrained(alternative: Sequence[AuthRequirement]) -> bool:
        kinds = {requirement.kind for requirement in alternative}
        return AuthKind.MTLS in kinds and bool(kinds & {AuthKind.OAUTH2, AuthKind.OIDC})

    return bool(alternatives) and all(constrained(alternative) for alternative in alternatives)


def _declared_scopes(operations: Sequence[SpecOperation]) -> tuple[str, ...]:
    """Every OAuth scope the operations' security requirements name, in first-seen order."""
    return tuple(dict.fromkeys(
        scope
        for operation in operations
        for alternative in operation.security
        for requirement in alternative
        for scope in requirement.scopes
    ))


def _all_shown(every_shown_route_has_it: bool, some_hidden: bool) -> bool | None:
    """False when a route that shows the aspect lacks it; else True, unless some routes cannot show
    it: then nobody can say that every route has it (None)."""
    if not every_shown_route_has_it:
        return False
    return None if some_hidden else True


def describe_rate_limit(policy: RateLimitPolicy) -> str:
    """`limit-count by http_x_partner_id (1000/60s)`, leaving out what the config does not say."""
    text = policy.plugin
    if policy.key:
        text += f" by {policy.key}"
    if policy.limit is not None and policy.window_seconds is not None:
        text += f" ({policy.limit:g}/{policy.window_seconds:g}s)"
    elif policy.limit is not None:
        text += f" ({policy.limit:g})"
    return text


def _strength(requirements: Sequence[AuthRequirement]) -> int:
    """All of a route's (or an alternative's) mechanisms are required: the strongest one counts."""
    return max((requirement.kind.strength for requirement in requirements), default=0)


def _weakest_declared(operations: Sequence[SpecOperation]) -> AuthKind:
    alternatives = [alternative for operation in operations for alternative in operation.security]
    if not alternatives:
        return AuthKind.NONE
    weakest = min(alternatives, key=_strength)
    if not weakest:
        return AuthKind.NONE
    return max(weakest, key=lambda requirement: requirement.kind.strength).kind


def _auth_evidence(route: GatewayRoute) -> tuple[Evidence, ...]:
    """The plugin entries that enforce the route's auth, or the route itself when none is named."""
    schemes = {requirement.scheme for requirement in route.auth}
    found = tuple(plugin.evidence for plugin in route.plugins if plugin.name in schemes)
    return found or (route.evidence,)
