"""Input validation (OWASP API8:2023): request validation at the gateway, or strict request schemas.

An endpoint that accepts a body is validated when a request-validation plugin is in force on every
route serving it (`validation_plugins`: APISIX request-validation, Kong request-validator ...:
`enforced`), or, short of that, when its spec bounds every scalar request field (length, pattern,
enum, format or range: `declared`, since only the backend can apply a spec). Writes that the gateway
does not validate and whose spec declares no request fields at all are the worst case. Unknown
without a spec or a gateway config.
"""

from __future__ import annotations

from dataclasses import replace

from riskscan.controls.catalogue import Control
from riskscan.controls.evidence import sighting_strength
from riskscan.controls.outcome import (
    ControlOutcome,
    draft_finding,
    key_count,
    known_outcome,
    reachable_endpoints,
    unknown_outcome,
    weakest_per_key,
)
from riskscan.model import Endpoint, Evidence, EvidenceStrength, Inventory

__all__ = ["evaluate_input_validation"]


def evaluate_input_validation(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge every reachable endpoint that takes a request body (write methods)."""
    if not (inventory.has_specs or inventory.has_gateway):
        return unknown_outcome(control, "no_inputs")
    plugins, reads = control.words("validation_plugins"), control.words("read_methods")
    reachable = reachable_endpoints(inventory)
    writes = [e for e in reachable if e.method.lower() not in reads]
    judged = [e for e in writes if _validated(e, plugins) or e.request_fields or e.route_ids]
    if not reachable or (writes and not judged):
        return unknown_outcome(control, "not_shown" if writes else "no_endpoints")
    unchecked = [e for e in judged if not _validated(e, plugins)]
    groups = {
        "VALID_NONE": [e for e in unchecked if not e.request_fields],
        "VALID_LOOSE_SCHEMA": [e for e in unchecked if e.loose_request_fields],
    }
    drafts = [draft_finding(control, code, group, _evidence(group))
              for code, group in groups.items() if group]
    validated = [e for e in judged if _validated(e, plugins)]
    outcome = known_outcome(
        control, judged, drafts,
        strength=lambda e: EvidenceStrength.ENFORCED if _validated(e, plugins) or not e.request_fields
        else EvidenceStrength.DECLARED,
        limitations=[control.limitation("backend")],
        evidence=[item for e in validated for item in e.evidence[:1]]
        + [item for e in judged if e.request_fields and not e.loose_request_fields
           for item in e.evidence[:1]],
        validated=key_count(validated), strict=key_count(e for e in unchecked if e.request_fields
                                                         and not e.loose_request_fields),
        unchecked=key_count(groups["VALID_NONE"]), loose=key_count(groups["VALID_LOOSE_SCHEMA"]),
    )
    if judged:
        return outcome
    # No endpoint takes a body: that conclusion is only as strong as what shows the endpoints' methods.
    return replace(outcome, strengths=weakest_per_key(reachable, sighting_strength),
                   evidence=tuple(item for e in reachable[:3] for item in e.evidence[:1]))


def _validated(endpoint: Endpoint, plugins: frozenset[str]) -> bool:
    return bool({name.lower() for name in endpoint.plugins} & plugins)


def _evidence(endpoints: list[Endpoint]) -> list[Evidence]:
    """The unbounded fields where the spec shows them, else where the endpoint is routed or documented."""
    return [item for e in endpoints for item in (e.loose_request_fields or e.evidence[:1])]
