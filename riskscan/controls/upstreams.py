"""Where the gateway sends requests: third-party upstreams (OWASP API10:2023) and availability posture
(API4:2023); transport security, plain upstreams included, is judged in `riskscan.controls.transport`.

Both read the upstreams of the routes serving each endpoint (`Endpoint.upstreams`, shown by the
readers that show them: APISIX, Kong, nginx, Envoy, Traefik, AWS, Kubernetes Ingress and Gateway API),
so they rest on the gateway configuration (`enforced`) and are unknown without one. The organization's
own domains are those its routes and specs answer on; a node is internal when it is an address in a
private range, a single-label name or a name under an internal suffix (`.internal`, `.svc.cluster.local`
...: the catalogue's `internal_suffixes`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from riskscan.controls.catalogue import Control
from riskscan.controls.evidence import gateway_strength
from riskscan.controls.outcome import (
    ControlOutcome,
    draft_finding,
    key_count,
    known_outcome,
    reachable_endpoints,
    unknown_outcome,
)
from riskscan.model import Endpoint, Evidence, Inventory

__all__ = [
    "evaluate_availability",
    "evaluate_third_party",
    "is_internal_host",
    "registrable_domain",
]

_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "ltd", "plc", "me", "edu"})


def evaluate_third_party(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge the upstream nodes of every routed endpoint against the organization's domains."""
    judged, missing = _routed(inventory, control)
    if missing is not None:
        return missing
    suffixes = control.words("internal_suffixes")
    own = {registrable_domain(host) for host in _own_hosts(inventory)} - {""}
    external = [e for e in judged if _external_hosts(e, own, suffixes)]
    hosts = sorted({host for e in external for host in _external_hosts(e, own, suffixes)})
    shown = ", ".join(hosts[:8]) + (" ..." if len(hosts) > 8 else "")
    drafts = [draft_finding(control, "UPSTREAM_THIRD_PARTY", external, _upstream_evidence(external),
                            hosts=shown)]
    drafts = drafts if external else []
    limitations = ["outbound"] + (["no_own_domains"] if not own else [])
    return known_outcome(
        control, judged, drafts, strength=gateway_strength,
        limitations=[control.limitation(key) for key in limitations],
        evidence=_upstream_evidence(_others(judged, external)),
        external=key_count(external), domains=", ".join(sorted(own)) or "none shown",
    )


def evaluate_availability(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge redundancy, health checks, timeouts and breakers around each endpoint's upstream."""
    judged, missing = _routed(inventory, control)
    if missing is not None:
        return missing
    breakers = control.words("breaker_plugins")
    single = [e for e in judged if any(u.nodes == 1 for u in e.upstreams) and not _has(e, breakers)]
    unchecked = [e for e in judged if any(u.nodes > 1 and not u.has_health_checks for u in e.upstreams)]
    no_timeouts = [e for e in judged if any(not u.has_timeouts for u in e.upstreams)]
    groups = {"AVAIL_SINGLE_NODE": single, "AVAIL_NO_HEALTH_CHECKS": unchecked,
              "AVAIL_NO_TIMEOUTS": no_timeouts}
    drafts = [draft_finding(control, code, group, _upstream_evidence(group))
              for code, group in groups.items() if group]
    resilient = _others(judged, [e for group in groups.values() for e in group])
    return known_outcome(
        control, judged, drafts, strength=gateway_strength,
        limitations=[control.limitation(key) for key in ("capacity", "elsewhere")],
        evidence=_upstream_evidence(resilient),
        single=key_count(single), unchecked=key_count(unchecked), no_timeouts=key_count(no_timeouts),
    )


def is_internal_host(host: str, suffixes: frozenset[str]) -> bool:
    """Private, loopback and link-local addresses, single-label names and internal suffixes."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        lowered = host.lower().rstrip(".")
        return "." not in lowered or any(lowered.endswith(f".{suffix}") for suffix in suffixes)
    return address.is_private or address.is_loopback or address.is_link_local


def registrable_domain(host: str) -> str:
    """`api.northwind-mutual.example` -> `northwind-mutual.example`; `a.b.co.uk` -> `b.co.uk`. Without
    the public suffix list this is an approximation: two labels, three under `co.uk`-like suffixes."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) < 2:
        return ""
    take = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-take:])


def _routed(inventory: Inventory, control: Control) -> tuple[list[Endpoint], ControlOutcome | None]:
    """The reachable endpoints whose upstreams the gateway config shows, or why none can be judged."""
    if not inventory.has_gateway:
        return [], unknown_outcome(control, "no_gateway")
    judged = [e for e in reachable_endpoints(inventory) if e.upstreams]
    if not judged:
        return [], unknown_outcome(control, "not_shown")
    return judged, None


def _own_hosts(inventory: Inventory) -> Iterable[str]:
    """The hosts the organization's endpoints answer on (routes and spec servers)."""
    return {e.host for e in inventory.endpoints if e.host}


def _external_hosts(endpoint: Endpoint, own: set[str], suffixes: frozenset[str]) -> list[str]:
    return [host for u in endpoint.upstreams for host in u.hosts
            if not is_internal_host(host, suffixes) and registrable_domain(host) not in own]


def _has(endpoint: Endpoint, plugins: frozenset[str]) -> bool:
    return bool({name.lower() for name in endpoint.plugins} & plugins)


def _others(endpoints: Iterable[Endpoint], flagged: Iterable[Endpoint]) -> list[Endpoint]:
    """The endpoints no finding names: what a pass rests on."""
    keys = {e.key for e in flagged}
    return [e for e in endpoints if e.key not in keys]


def _upstream_evidence(endpoints: Iterable[Endpoint]) -> list[Evidence]:
    """Each upstream's evidence, then where its nodes are written (the Kubernetes workloads)."""
    return [item for e in endpoints for u in e.upstreams for item in (u.evidence, *u.node_evidence)]

