"""Rate limiting (OWASP API4:2023): is every routed endpoint throttled at the gateway?

Only a gateway config can show throttling (evidence `enforced`), so without one the control is
unknown. Endpoints the gateway does not route (seen only in traffic) are left out, with a limitation
saying so.
"""

from __future__ import annotations

from collections.abc import Iterable

from riskscan.controls.auth import is_anonymous
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

__all__ = ["evaluate_rate_limit"]


def evaluate_rate_limit(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge throttling on every reachable endpoint whose rate limiting the gateway config shows."""
    if not inventory.has_gateway:
        return unknown_outcome(control, "no_gateway")
    reachable = reachable_endpoints(inventory)
    judged = [e for e in reachable if e.rate_limit.enforced is not None]
    if not judged:
        return unknown_outcome(control, "unrouted")
    unlimited = [e for e in judged if e.rate_limit.enforced is False]
    anonymous = [e for e in unlimited if is_anonymous(e)]
    others = [e for e in unlimited if not is_anonymous(e)]
    drafts = []
    if anonymous:
        drafts.append(draft_finding(control, "RATE_NONE_ANONYMOUS", anonymous, _evidence(anonymous)))
    if others:
        drafts.append(draft_finding(control, "RATE_NONE", others, _evidence(others)))
    limitations = ["capacity", "elsewhere"] + (["unrouted"] if len(judged) < len(reachable) else [])
    limited = [e for e in judged if e.rate_limit.enforced]
    return known_outcome(
        control,
        judged,
        drafts,
        strength=gateway_strength,
        limitations=[control.limitation(key) for key in limitations],
        evidence=[item for e in limited for item in e.rate_limit.evidence],
        limited=key_count(limited),
        unlimited=key_count(unlimited),
        anonymous=key_count(anonymous),
    )


def _evidence(endpoints: Iterable[Endpoint]) -> list[Evidence]:
    """Where the unthrottled routes are defined (and any rate-limit evidence the inventory kept)."""
    return [item for e in endpoints for item in (*e.rate_limit.evidence, *e.evidence)]
