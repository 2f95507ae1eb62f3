"""Where an HTTPRoute rule sends requests: its `backendRefs` as an `Upstream`.

Read as the Gateway API reference defines an HTTPRouteRule:

- `backendRefs`: each names a backend, by default a core `Service` (`group` "" and `kind` Service) in
  the route's namespace unless `namespace` says otherwise; a `weight` of 0 sends it no traffic, so it
  is left out. Services are resolved by `kubernetes_services`; a backend of another kind (a
  ServiceImport, an implementation's own resource) cannot be, and leaves the upstream not shown;
- `timeouts.request` and `timeouts.backendRequest` are Gateway API durations (`10s`, `1m30s`); a zero
  duration ("0s") disables the timeout, so it does not count;
- `retry` (experimental since v1.2): retries unless `attempts` is 0;
- scheme: https when a BackendTLSPolicy targets every Service, else left to the default (http).

Gateway API core defines no health checks (implementations add them through their own policies, not
read): `has_health_checks` is set only when the pods behind every Service are probed (readiness or
liveness, `kubernetes_workloads`), and otherwise the evidence note says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from riskscan.model import Upstream
from riskscan.redaction import redact
from riskscan.sources.gateways.kubernetes_objects import KubeObject, Warn, mapping, mappings, text
from riskscan.sources.gateways.kubernetes_services import BackendRef, ServiceIndex, resolve_backends

__all__ = ["rule_upstream"]

_DURATION = re.compile(r"(?:(\d{1,5})(?:h|ms|m|s))+")
_DURATION_PART = re.compile(r"(\d{1,5})(?:h|ms|m|s)")
_SERVICE_GROUPS = ("", "core")
_NO_HEALTH_CHECKS = ("health checks are not part of Gateway API core (implementation policies, not read)"
                     " and no probed workload was found behind the Services")


def rule_upstream(route: KubeObject, rule_index: int, rule: Mapping[str, Any], services: ServiceIndex,
                  warn: Warn) -> Upstream | None:
    """The upstream of one rule, or None when it has no backend or one cannot be resolved."""
    label = f"{route.label} rules/{rule_index}"
    refs: list[BackendRef] = []
    for backend in mappings(rule.get("backendRefs")):
        if _weight(backend) == 0:
            continue
        kind, group = text(backend.get("kind")) or "Service", text(backend.get("group"))
        if kind != "Service" or group not in _SERVICE_GROUPS:
            warn(f"{label}: backend of kind {redact(kind)} is not a Service, so its upstream is not shown")
            return None
        refs.append(BackendRef(text(backend.get("namespace")) or route.namespace, text(backend.get("name"))))
    resolved = resolve_backends(refs, services)
    if resolved is None:
        return None
    timeouts = mapping(rule.get("timeouts"))
    retry = rule.get("retry")
    pointer = f"/spec/rules/{rule_index}/backendRefs"
    return Upstream(
        hosts=resolved.hosts,
        nodes=resolved.nodes,
        scheme="https" if resolved.is_tls else None,
        has_health_checks=resolved.has_health_checks,
        has_timeouts=any(_is_set(timeouts.get(name)) for name in ("request", "backendRequest")),
        has_retries=isinstance(retry, dict) and text(retry.get("attempts")) != "0",
        evidence=route.evidence(pointer, f"{label} backendRefs",
                                note=resolved.note if resolved.has_health_checks
                                else f"{resolved.note}; {_NO_HEALTH_CHECKS}"),
        node_evidence=resolved.node_evidence,
    )


def _weight(backend: Mapping[str, Any]) -> int | None:
    weight = backend.get("weight")
    return weight if isinstance(weight, int) and not isinstance(weight, bool) else None


def _is_set(duration: object) -> bool:
    """A duration that limits something: well formed and not zero."""
    value = text(duration)
    if _DURATION.fullmatch(value) is None:
        return False
    return any(int(number) > 0 for number in _DURATION_PART.findall(value))
