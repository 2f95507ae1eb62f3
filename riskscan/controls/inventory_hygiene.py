"""Inventory hygiene (OWASP API9:2023): shadow, zombie and orphan endpoints, version sprawl
(`riskscan.controls.versions`) and sandbox and production separation (`riskscan.controls.environments`).

The inventory stage classifies each endpoint's lifecycle; this control turns the counts into findings.
With specs alone there is nothing to compare them with, so the control is unknown. Without specs nothing
says what is documented (every endpoint would count as shadow): only version sprawl and environment
separation are judged then, and with no finding of those the control is unknown, never a pass. A
lifecycle rests
on the gateway config where it routes the endpoint, or shows it unrouted (`enforced`), else on traffic
(`observed`).
"""

from __future__ import annotations

from collections.abc import Sequence

from riskscan.controls.auth import auth_is_known, is_anonymous
from riskscan.controls.catalogue import Control
from riskscan.controls.environments import judge_separation
from riskscan.controls.evidence import inventory_strength
from riskscan.controls.outcome import (
    ControlOutcome,
    FindingDraft,
    all_endpoints,
    draft_finding,
    key_count,
    known_outcome,
    short_of_core,
    unknown_outcome,
)
from riskscan.controls.versions import live_families, version_drafts, version_sentence
from riskscan.model import Endpoint, Evidence, Inventory, Lifecycle

__all__ = ["evaluate_inventory_hygiene"]


def evaluate_inventory_hygiene(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge every endpoint, orphans included, by its lifecycle."""
    if not (inventory.has_gateway or inventory.has_traffic):
        return unknown_outcome(control, "no_reality")
    endpoints = all_endpoints(inventory)
    if not endpoints:
        return unknown_outcome(control, "no_endpoints")
    by_lifecycle = {stage: [e for e in endpoints if e.lifecycle is stage] for stage in Lifecycle}
    shadows = by_lifecycle[Lifecycle.SHADOW]
    # From access logs alone nobody can tell whether a shadow endpoint checks credentials.
    known = auth_is_known(inventory)
    groups = {
        "INV_ZOMBIE": by_lifecycle[Lifecycle.ZOMBIE],
        "INV_SHADOW_ANONYMOUS": [e for e in shadows if known and is_anonymous(e)],
        "INV_SHADOW": [e for e in shadows if not (known and is_anonymous(e))],
        "INV_ORPHAN": by_lifecycle[Lifecycle.ORPHAN],
    }
    # Without specs nothing says what is documented (every endpoint would be shadow): only version sprawl
    # and environment separation are judged, and a clean result is not claimed.
    drafts = [_draft(control, code, group) for code, group in groups.items() if group and inventory.has_specs]
    families = live_families(endpoints)
    separation = judge_separation(control, endpoints)
    drafts += version_drafts(control, families) + separation.drafts
    if not inventory.has_specs and not drafts:
        return unknown_outcome(control, "no_specs")
    limitations = ["scope"] + (["no_specs"] if not inventory.has_specs else [])
    limitations += ["no_traffic"] if not inventory.has_traffic else []
    limitations += ["environments"] if separation.named else []
    if not inventory.has_gateway and by_lifecycle[Lifecycle.ORPHAN]:
        limitations.append("no_gateway")
    outcome = known_outcome(
        control,
        endpoints,
        drafts,
        strength=lambda e: inventory_strength(e, inventory),
        limitations=[control.limitation(key) for key in limitations],
        evidence=[*separation.separated.values(), *_current_evidence(by_lifecycle[Lifecycle.DOCUMENTED])],
        versions=version_sentence(families),
        environments=separation.sentence(),
        documented=key_count(by_lifecycle[Lifecycle.DOCUMENTED]),
        shadow=key_count(shadows),
        zombie=key_count(by_lifecycle[Lifecycle.ZOMBIE]),
        orphan=key_count(by_lifecycle[Lifecycle.ORPHAN]),
        traffic_share=_traffic_share(endpoints),
    )
    # Version sprawl or mixed environments found without specs: the rest of hygiene is unseen, no pass.
    return outcome if inventory.has_specs else short_of_core(outcome, "no_specs")


def _traffic_share(endpoints: Sequence[Endpoint]) -> str:
    """` 12% of the 6,000 requests in the traffic given went to shadow or zombie endpoints.`, or
    nothing without traffic: how much of the real load runs through what nobody reviews."""
    total = sum(e.traffic.requests for e in endpoints if e.traffic is not None)
    if not total:
        return ""
    off_spec = sum(e.traffic.requests for e in endpoints
                   if e.traffic is not None and e.lifecycle in (Lifecycle.SHADOW, Lifecycle.ZOMBIE))
    return (f" {off_spec / total:.0%} of the {total:,} requests in the traffic given went to shadow or"
            " zombie endpoints.")


def _current_evidence(documented: Sequence[Endpoint]) -> list[Evidence]:
    """What a clean inventory rests on: where each documented, current endpoint is documented and
    routed (a pass citing nothing would ask the reader to take it on trust)."""
    return [item for endpoint in documented for item in endpoint.evidence]


def _draft(control: Control, code: str, endpoints: Sequence[Endpoint]) -> FindingDraft:
    requests = sum(e.traffic.requests for e in endpoints if e.traffic is not None)
    return draft_finding(control, code, endpoints, _evidence(endpoints), requests=requests)


def _evidence(endpoints: Sequence[Endpoint]) -> list[Evidence]:
    """Where each endpoint was seen: its spec, route or log lines."""
    items: list[Evidence] = []
    for endpoint in endpoints:
        items.extend(endpoint.evidence)
        if endpoint.traffic is not None:
            items.extend(endpoint.traffic.evidence)
    return items
