"""Logging and monitoring: is every routed endpoint logged, metered and correlated by the gateway?

The gateway reader lists, per route, the plugins in force that write request records
(`Endpoint.loggers`, which decide `Endpoint.is_logged`) and those that export metrics, traces or tag
requests (`Endpoint.monitors`); the catalogue says which monitors count as metrics and as correlation.
Results rest on the gateway config (`enforced`). Without one the control is unknown: an access log
shows that some requests were logged, not that every route is.
"""

from __future__ import annotations

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

__all__ = ["evaluate_monitoring"]


def evaluate_monitoring(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge logging, metrics and correlation ids on every endpoint the gateway routes."""
    if not inventory.has_gateway:
        return unknown_outcome(control, "no_gateway")
    reachable = reachable_endpoints(inventory)
    judged = [e for e in reachable if e.is_logged is not None]
    if not judged:
        return unknown_outcome(control, "unrouted")
    metrics, correlation = control.words("metrics_plugins"), control.words("correlation_plugins")
    unlogged = [e for e in judged if not e.is_logged]
    unmetered = [e for e in judged if not _plugins(e) & metrics]
    uncorrelated = [e for e in judged if not _plugins(e) & correlation]
    groups = {"LOG_UNLOGGED": unlogged, "LOG_NO_METRICS": unmetered, "LOG_NO_CORRELATION": uncorrelated}
    names = {"metrics_plugins": ", ".join(sorted(metrics)), "correlation_plugins": ", ".join(sorted(correlation))}
    drafts = [draft_finding(control, code, group, _evidence(group), **names) for code, group in groups.items() if group]
    limitations = ["alerting"] + (["unrouted"] if len(judged) < len(reachable) else [])
    return known_outcome(
        control,
        judged,
        drafts,
        strength=gateway_strength,
        limitations=[control.limitation(key) for key in limitations],
        evidence=_evidence(e for e in judged if e.loggers or e.monitors),
        logged=key_count(judged) - key_count(unlogged),
        metered=key_count(judged) - key_count(unmetered),
        correlated=key_count(judged) - key_count(uncorrelated),
    )


def _plugins(endpoint: Endpoint) -> set[str]:
    return {name.lower() for name in endpoint.monitors}


def _evidence(endpoints: Iterable[Endpoint]) -> list[Evidence]:
    return [item for e in endpoints for item in e.evidence]
