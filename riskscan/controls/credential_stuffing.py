"""Credential stuffing and brute force (OWASP API2:2023, API4:2023) on authentication endpoints.

Login, token, password-reset and one-time-code endpoints are recognised by a literal word of their
path (the catalogue's `auth_words`). Each should be throttled at the gateway (`enforced`), and traffic
should show no client collecting failed authentications (401/403) by the dozen, nor a flood of them
spread over many clients (`observed`). The traffic aggregate counts failures per client over the
whole log window: bursts per minute need per-client timing, which the limitations say. Unknown without
a gateway config or traffic; a pass, resting on what shows the paths, when no authentication endpoint
is in sight. If other endpoints then take tokens or passwords, their issuer lies outside the inputs:
the first limitation says so, and questions about login endpoints are not answered from that pass
(their rule's `min_judged`).
Bursts are judged on the most failures one client got within one clock minute (the traffic engine
keeps that peak per client) as well as on its total over the window. Without a gateway config,
throttling shows only as 429 answers on every authentication endpoint; short of that, a clean log is no
pass (unknown) and bursts seen make it a partial at best.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from riskscan.controls.catalogue import Control
from riskscan.controls.outcome import (
    ControlOutcome,
    draft_finding,
    key_count,
    known_outcome,
    path_names_any,
    plural,
    reachable_endpoints,
    short_of_core,
    unknown_outcome,
    when_nothing_judged,
)
from riskscan.model import AuthKind, Endpoint, Evidence, EvidenceStrength, Inventory

__all__ = ["evaluate_credential_stuffing", "is_auth_function"]

# Credentials someone logs in for (tokens) or types (passwords); API keys and certificates are issued.
_ISSUED_CREDENTIALS = frozenset({AuthKind.BASIC, AuthKind.BEARER, AuthKind.OAUTH2, AuthKind.OIDC})



def evaluate_credential_stuffing(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge throttling and failed-authentication patterns on every authentication endpoint."""
    if not (inventory.has_gateway or inventory.has_traffic):
        return unknown_outcome(control, "no_inputs")
    reachable = reachable_endpoints(inventory)
    judged = [e for e in reachable if is_auth_function(e, control.words("auth_words"))]
    per_client, share = control.number("failed_min_per_client"), control.number("failed_min_share")
    minimum, per_minute = control.number("failed_min_requests"), control.number("failed_min_per_minute")
    bursts = [e for e in judged if e.traffic and (e.traffic.max_failed_auth_per_client >= per_client
                                                  or e.traffic.peak_failed_auth_per_minute >= per_minute)]
    burst_keys = {e.key for e in bursts}
    spread = [e for e in judged if e.traffic and e.key not in burst_keys and e.traffic.requests >= minimum
              and e.traffic.unauthorized >= share * e.traffic.requests]
    unthrottled = [e for e in judged if e.rate_limit.enforced is False]
    groups = {"STUFF_BURST": bursts, "STUFF_SPREAD": spread, "STUFF_UNTHROTTLED": unthrottled}
    drafts = [draft_finding(control, code, group, _evidence(group), per_client=int(per_client),
                            per_minute=int(per_minute), share=f"{share:.0%}", worst=_worst(group))
              for code, group in groups.items() if group]
    outcome = known_outcome(
        control, judged, drafts, strength=_strength,
        limitations=[control.limitation("names", words=", ".join(sorted(control.words("auth_words"))[:6]))]
        + [control.limitation(key) for key in ("timing", "lockout")]
        + ([control.limitation("no_traffic")] if not inventory.has_traffic else [])
        + ([control.limitation("no_gateway")] if not inventory.has_gateway else []),
        evidence=_evidence(e for e in judged if e.key not in {d for g in groups.values() for d in _keys(g)}),
        judged_count=key_count(judged), throttled=key_count(e for e in judged if e.rate_limit.enforced),
        attacked=key_count(bursts + spread),
    )
    if not judged:
        outcome = when_nothing_judged(outcome, reachable)
        if issuing := _issued_elsewhere(control, reachable):
            outcome = replace(outcome, limitations=(issuing, *outcome.limitations))
    if inventory.has_gateway or (judged and all(e.traffic and e.traffic.throttled for e in judged)):
        return outcome
    # Without a gateway config only rejections (429) in traffic show throttling at work.
    return short_of_core(outcome, "no_gateway")


def _issued_elsewhere(control: Control, reachable: list[Endpoint]) -> str | None:
    """What the pass cannot show when no authentication endpoint is in sight but others take tokens or
    passwords (whose issuer is then outside the inputs); None when no endpoint takes any."""
    taking = [e for e in reachable if e.auth.is_known and e.auth.effective in _ISSUED_CREDENTIALS]
    if not taking:
        return None
    kinds = ", ".join(sorted({e.auth.effective.value for e in taking}))
    return control.limitation("issued_elsewhere", count=plural(key_count(taking), "endpoint"), kinds=kinds)


def is_auth_function(endpoint: Endpoint, words: frozenset[str]) -> bool:
    """True when a literal word of the path names login, tokens, password reset or one-time codes."""
    return path_names_any(endpoint, words)


def _strength(endpoint: Endpoint) -> EvidenceStrength:
    if endpoint.traffic is not None:
        return EvidenceStrength.OBSERVED
    if endpoint.rate_limit.enforced is not None:
        return EvidenceStrength.ENFORCED
    return EvidenceStrength.NOT_OBSERVABLE


def _keys(endpoints: list[Endpoint]) -> set[str]:
    return {e.key for e in endpoints}


def _worst(endpoints: list[Endpoint]) -> str:
    """`POST /oauth/token (412 failures from one client)`: the endpoint with the most failures."""
    rated = [e for e in endpoints if e.traffic]
    if not rated:
        return "none"
    worst = max(rated, key=lambda e: (e.traffic.max_failed_auth_per_client if e.traffic else 0, e.key))
    traffic = worst.traffic
    assert traffic is not None
    return (f"{worst.key} ({traffic.max_failed_auth_per_client} failures from one client, at most "
            f"{traffic.peak_failed_auth_per_minute} in one minute; {traffic.unauthorized} of {traffic.requests} "
            "requests refused)")


def _evidence(endpoints: Iterable[Endpoint]) -> list[Evidence]:
    found: list[Evidence] = []
    for e in endpoints:
        found.extend(e.rate_limit.evidence or e.evidence[:1])
        if e.traffic is not None:
            found.extend(e.traffic.evidence)
    return found
