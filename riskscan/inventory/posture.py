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
"""

from __future__ import annotations

from collections.abc import Sequence

from riskscan.model import (
    AuthKind,
    AuthPosture,
    AuthRequirement,
    Evidence,
    GatewayRoute,
    RateLimitPolicy,
    RateLimitPosture,
    SpecOperation,
)

__all__ = ["SPEC_DECLARED", "auth_posture", "describe_rate_limit", "logging_posture", "rate_limit_posture"]

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
            )
        spec_evidence = (weakest.evidence, *spec_evidence)
    declaring = [operation for operation in operations if operation.declares_auth]
    if operations and not declaring:
        return AuthPosture(effective=AuthKind.NONE, is_known=False, evidence=spec_evidence)
    effective = _weakest_declared(declaring)
    return AuthPosture(
        effective=effective,
        declared=declared,
        enforced_by=SPEC_DECLARED if effective is not AuthKind.NONE else None,
        allows_anonymous=effective is AuthKind.NONE,
        evidence=spec_evidence,
    )


def rate_limit_posture(routes: Sequence[GatewayRoute]) -> RateLimitPosture:
    """Whether every enabled route serving the endpoint throttles it, and by what."""
    if not routes:
        return RateLimitPosture(enforced=None)
    policies = [policy for route in routes for policy in route.rate_limits]
    return RateLimitPosture(
        enforced=all(route.rate_limits for route in routes),
        by=tuple(dict.fromkeys(describe_rate_limit(policy) for policy in policies)),
        evidence=tuple(dict.fromkeys(policy.evidence for policy in policies)),
    )


def logging_posture(routes: Sequence[GatewayRoute]) -> tuple[tuple[str, ...], tuple[str, ...], bool | None]:
    """Request loggers and monitors over all routes serving the endpoint, and whether every one of
    those routes writes request records (metrics or a request id alone are not a log)."""
    if not routes:
        return (), (), None
    loggers = tuple(sorted({logger for route in routes for logger in route.loggers}))
    monitors = tuple(sorted({monitor for route in routes for monitor in route.monitors}))
    return loggers, monitors, all(route.loggers for route in routes)


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
