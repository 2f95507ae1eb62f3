"""Evidence coverage: how much the inputs could show, stated beside each control score and the grade.

A score of 100 from a week of logs and one gateway file is not the same statement as 100 from a
year of traffic, every route and every spec. Each control result and the assessment therefore carry
an `EvidenceCoverage`, computed from the inventory alone (nothing re-reads an input):

- the traffic window (first and last timestamp, days), the API requests seen and the share of them
  that reached a documented endpoint, when the control reads traffic and traffic was given;
- the endpoints and gateway routes it judged with evidence (per-endpoint evidence strength other than
  `not_observable`), out of all the inventory holds;
- the evidence level it rests on, and the input kinds it reads that were not given
  (`scoring.control_inputs` in the catalogue: rate limiting cannot be shown without a gateway config).

Requests for web content (pages, assets) are counted apart from the inventory and are not API
requests: they are left out of the documented share.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from riskscan.model import (
    ControlResult,
    ControlStatus,
    Endpoint,
    EvidenceCoverage,
    EvidenceStrength,
    InputFamily,
    Inventory,
    SightingSource,
    TrafficCoverage,
)

__all__ = ["assessment_coverage", "control_coverage", "present_inputs", "traffic_coverage"]

_SECONDS_PER_DAY = 86_400


def present_inputs(inventory: Inventory) -> frozenset[InputFamily]:
    """The input kinds the scan was given (and read something from)."""
    given = {InputFamily.SPECS: inventory.has_specs, InputFamily.GATEWAYS: inventory.has_gateway,
             InputFamily.TRAFFIC: inventory.has_traffic}
    return frozenset(family for family, present in given.items() if present)


def traffic_coverage(inventory: Inventory) -> TrafficCoverage | None:
    """The traffic window, API requests and the share of them on documented endpoints; None without
    traffic."""
    seen = [endpoint for endpoint in inventory.endpoints if endpoint.traffic is not None]
    if not inventory.has_traffic or not seen:
        return None
    firsts = [_utc(e.traffic.first_seen) for e in seen if e.traffic and e.traffic.first_seen]
    lasts = [_utc(e.traffic.last_seen) for e in seen if e.traffic and e.traffic.last_seen]
    first, last = (min(firsts), max(lasts)) if firsts and lasts else (None, None)
    requests = sum(e.traffic.requests for e in seen if e.traffic)
    documented = sum(e.traffic.requests for e in seen if e.traffic and SightingSource.SPEC in e.sources)
    days = round((last - first).total_seconds() / _SECONDS_PER_DAY, 1) if first and last else None
    return TrafficCoverage(
        first_seen=first, last_seen=last, days=days, requests=requests, documented_requests=documented,
        documented_share=round(documented / requests, 4) if requests else None,
    )


def control_coverage(
    result: ControlResult,
    inventory: Inventory,
    reads: Iterable[InputFamily],
    traffic: TrafficCoverage | None,
) -> EvidenceCoverage:
    """What the inputs could show for one control: `reads` are the input kinds it can use."""
    reads = tuple(reads)
    judged = {r.key for r in result.endpoints if r.evidence_strength is not EvidenceStrength.NOT_OBSERVABLE}
    return _coverage(
        inventory, judged, result.evidence_strength,
        missing=[family for family in reads if family not in present_inputs(inventory)],
        traffic=traffic if InputFamily.TRAFFIC in reads else None,
    )


def assessment_coverage(
    results: Sequence[ControlResult], inventory: Inventory, strength: EvidenceStrength,
    traffic: TrafficCoverage | None,
) -> EvidenceCoverage:
    """What the inputs could show for the whole assessment: endpoints any assessed control judged
    with evidence, the grade's evidence basis and the input kinds not given."""
    judged = {r.key for result in results if result.status is not ControlStatus.UNKNOWN
              for r in result.endpoints if r.evidence_strength is not EvidenceStrength.NOT_OBSERVABLE}
    present = present_inputs(inventory)
    return _coverage(inventory, judged, strength, missing=[f for f in InputFamily if f not in present],
                     traffic=traffic)


def _coverage(
    inventory: Inventory,
    judged: set[str],
    strength: EvidenceStrength,
    *,
    missing: Sequence[InputFamily],
    traffic: TrafficCoverage | None,
) -> EvidenceCoverage:
    keys = {endpoint.key for endpoint in inventory.endpoints}
    routes = _route_ids(inventory.endpoints)
    judged_routes = _route_ids(e for e in inventory.endpoints if e.key in judged)
    has_routes = inventory.has_gateway and bool(routes)
    return EvidenceCoverage(
        traffic=traffic,
        endpoints_judged=len(judged & keys),
        endpoints_total=len(keys),
        endpoint_share=round(len(judged & keys) / len(keys), 4) if keys else None,
        routes_judged=len(judged_routes) if has_routes else None,
        routes_total=len(routes) if has_routes else None,
        route_share=round(len(judged_routes) / len(routes), 4) if has_routes else None,
        evidence_strength=strength,
        missing_inputs=tuple(missing),
    )


def _utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive time (a log without offsets) is taken to be UTC, so that logs with and
    without offsets compare."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _route_ids(endpoints: Iterable[Endpoint]) -> set[str]:
    """Distinct gateway route ids serving these endpoints."""
    return {route_id for endpoint in endpoints for route_id in endpoint.route_ids}
