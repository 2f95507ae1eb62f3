"""Authentication (OWASP API2:2023): is every reachable endpoint behind enforced, adequate auth?

Effective authentication is taken from the inventory (the gateway wins where it enforces, else the
spec's declaration). The control flags endpoints open to anonymous callers (worse when they take ids,
accept writes or name sensitive data), static keys or passwords on sensitive data, and authentication
that only the spec declares while a gateway is in front. Each endpoint's result rests on its gateway
route where one serves it (`enforced`), else on the spec (`declared`); endpoints seen only in traffic
show no credentials (`not_observable`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from riskscan.controls.catalogue import Control
from riskscan.controls.evidence import auth_strength
from riskscan.controls.outcome import (
    ControlOutcome,
    FindingDraft,
    draft_finding,
    key_count,
    known_outcome,
    reachable_endpoints,
    unknown_outcome,
)
from riskscan.model import AuthKind, Endpoint, Evidence, Inventory, ParameterLocation, SightingSource

__all__ = ["auth_evidence", "auth_is_known", "describe_auth", "evaluate_auth", "is_anonymous", "path_parameters"]

_TEMPLATE_PARAMETER = re.compile(r"\{([^{}/]+)\}")
_WORD = re.compile(r"[A-Za-z][a-z]*")  # splits snake, kebab and camelCase words

_AUTH_LABELS: dict[AuthKind, str] = {
    AuthKind.NONE: "no authentication",
    AuthKind.API_KEY: "static API keys",
    AuthKind.BASIC: "HTTP basic passwords",
    AuthKind.BEARER: "opaque bearer tokens",
    AuthKind.OAUTH2: "OAuth 2.0",
    AuthKind.OIDC: "OpenID Connect",
    AuthKind.MTLS: "mutual TLS",
}


def evaluate_auth(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge authentication on every reachable endpoint (all but orphans)."""
    if not auth_is_known(inventory):
        return unknown_outcome(control, "no_inputs")
    reachable = reachable_endpoints(inventory)
    endpoints = [e for e in reachable if e.auth.is_known]
    if not endpoints:
        return unknown_outcome(control, "not_shown" if reachable else "no_endpoints")
    nouns, reads = control.words("sensitive_nouns"), control.words("read_methods")
    weak_kinds = control.words("weak_kinds")
    anonymous = [e for e in endpoints if is_anonymous(e)]
    exposed = [e for e in anonymous if _is_exposed(e, nouns, reads)]
    weak = [e for e in endpoints if e.auth.effective.value in weak_kinds and _is_sensitive(e, nouns)]
    declared_only = [e for e in endpoints if inventory.has_gateway and _declared_only(e)]
    weak_flows = control.words("weak_flows")
    groups = {
        "AUTH_NONE_SENSITIVE": exposed,
        "AUTH_NONE": [e for e in anonymous if not _is_exposed(e, nouns, reads)],
        "AUTH_WEAK": weak,
        "AUTH_SPEC_ONLY": declared_only,
        "AUTH_KEY_IN_QUERY": [e for e in endpoints
                              if e.auth.effective is AuthKind.API_KEY and _query_keys(e)],
        "AUTH_WEAK_FLOW": [e for e in endpoints if set(e.auth.flows) & weak_flows],
    }
    drafts = [_draft(control, code, group, nouns, reads) for code, group in groups.items() if group]
    strong = [e for e in endpoints if e.auth.effective.is_strong and not is_anonymous(e)]
    return known_outcome(
        control,
        endpoints,
        drafts,
        strength=auth_strength,
        limitations=_limitations(inventory, control, endpoints, anonymous, len(reachable) - len(endpoints)),
        evidence=auth_evidence(strong),
        authenticated=key_count(endpoints) - key_count(anonymous),
        strong=key_count(strong),
        unauthenticated=key_count(anonymous),
        weak=key_count(weak),
    )


def auth_is_known(inventory: Inventory) -> bool:
    """True when a spec or a gateway config was given: access logs alone do not record credentials,
    so without either, no control may call an endpoint unauthenticated."""
    return inventory.has_specs or inventory.has_gateway


def is_anonymous(endpoint: Endpoint) -> bool:
    """True when a caller without credentials gets through (no auth, or the spec allows anonymous);
    never when no input shows the endpoint's authentication."""
    auth = endpoint.auth
    if not auth.is_known:
        return False
    enforced_by_gateway = (auth.enforced_by or "").startswith("gateway")
    return auth.effective is AuthKind.NONE or (auth.allows_anonymous and not enforced_by_gateway)


def path_parameters(endpoint: Endpoint) -> tuple[str, ...]:
    """Names of the path parameters: from the template (`{claimId}`, folded `{id}`) and the spec."""
    names = dict.fromkeys(_TEMPLATE_PARAMETER.findall(endpoint.path))
    names.update(dict.fromkeys(p.name for p in endpoint.parameters if p.location is ParameterLocation.PATH))
    return tuple(names)


def describe_auth(kinds: Iterable[AuthKind]) -> str:
    """`no authentication, static API keys or OAuth 2.0`: kinds in a sentence, weakest first."""
    labels = [_AUTH_LABELS[kind] for kind in sorted(set(kinds), key=lambda kind: kind.strength)]
    return " or ".join(filter(None, [", ".join(labels[:-1]), labels[-1]])) if labels else "nothing"


def _draft(
    control: Control, code: str, endpoints: Sequence[Endpoint], nouns: frozenset[str], reads: frozenset[str]
) -> FindingDraft:
    """A draft of `code` on `endpoints`, with every figure the AUTH templates may name."""
    return draft_finding(
        control,
        code,
        endpoints,
        auth_evidence(endpoints),
        with_params=key_count(e for e in endpoints if path_parameters(e)),
        writes=key_count(e for e in endpoints if _writes(e, reads)),
        sensitive=key_count(e for e in endpoints if _is_sensitive(e, nouns)),
        kinds=describe_auth(e.auth.effective for e in endpoints),
        locations=", ".join(sorted({place for e in endpoints for place in _query_keys(e)})[:6]),
        flows=" and ".join(sorted({flow for e in endpoints for flow in e.auth.flows})),
    )


def _query_keys(endpoint: Endpoint) -> list[str]:
    """`query:api_key`: the places in a URL where the endpoint accepts its API key."""
    return [place.strip() for location in endpoint.auth.locations for place in location.split(",")
            if place.strip().startswith("query:")]


def _limitations(
    inventory: Inventory,
    control: Control,
    endpoints: Sequence[Endpoint],
    anonymous: Sequence[Endpoint],
    not_shown: int,
) -> list[str]:
    limitations = []
    if not inventory.has_gateway:
        limitations.append(control.limitation("no_gateway"))
    if not_shown:
        limitations.append(control.limitation("some_not_shown", count=not_shown))
    if any(set(e.sources) == {SightingSource.TRAFFIC} for e in anonymous):
        limitations.append(control.limitation("traffic_only"))
    oauth = [e for e in endpoints if e.auth.flows or e.auth.effective in (AuthKind.OAUTH2, AuthKind.OIDC)]
    if oauth:
        constrained = key_count(e for e in oauth if e.auth.is_sender_constrained)
        limitations.append(control.limitation("flows", constrained=constrained))
    return limitations


def _is_exposed(endpoint: Endpoint, nouns: frozenset[str], reads: frozenset[str]) -> bool:
    """An anonymous endpoint is worse when it takes ids, accepts writes or names sensitive data."""
    return bool(path_parameters(endpoint)) or _writes(endpoint, reads) or _is_sensitive(endpoint, nouns)


def _writes(endpoint: Endpoint, reads: frozenset[str]) -> bool:
    """True for methods that change data; a route accepting any method ("*") accepts writes too."""
    return endpoint.method.lower() not in reads


def _is_sensitive(endpoint: Endpoint, nouns: frozenset[str]) -> bool:
    literal = _TEMPLATE_PARAMETER.sub("", endpoint.path)
    return any(word.lower() in nouns for word in _WORD.findall(literal))


def _declared_only(endpoint: Endpoint) -> bool:
    """Authentication the spec declares but no gateway enforces."""
    auth = endpoint.auth
    return auth.effective is not AuthKind.NONE and (auth.enforced_by or "").startswith("spec")


def auth_evidence(endpoints: Iterable[Endpoint]) -> list[Evidence]:
    """What shows each endpoint's authentication (plugins, spec security), then where it is defined."""
    return [item for e in endpoints for item in (*e.auth.evidence, *e.evidence)]
