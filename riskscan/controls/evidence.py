"""Evidence strength: how directly the inputs show each control result, and what the grade rests on.

Each evaluator says, per endpoint it judges, which kind of evidence decided it (`EvidenceStrength`):
the gateway configuration (`enforced`), traffic (`observed`), a spec's declaration alone
(`declared`), or nothing the inputs can show (`not_observable`). The functions here hold the per-
endpoint rules the evaluators share, and fold the counts into one level per control and one for the
assessment: the weakest level that carries a material share (the catalogue's `material_share`) of
the endpoints, or of the assessed controls' weight. The counts at every level stay in the result, so
a small weaker share is shown rather than hidden, and the stronger level is never claimed for all.
"""

from __future__ import annotations

from collections.abc import Mapping

from riskscan.model import Endpoint, EvidenceStrength, Inventory, SightingSource

__all__ = ["auth_strength", "gateway_strength", "inventory_strength", "material_strength", "sighting_strength"]


def auth_strength(endpoint: Endpoint) -> EvidenceStrength:
    """What shows an endpoint's authentication.

    A gateway route serving it shows what is enforced, even when that is nothing (the config lets
    anonymous callers through) unless the spec declares a mechanism only the backend can check:
    then the result rests on that declaration. Without a route, the spec's declaration is all there
    is. An endpoint seen only in traffic was observed answering with nothing shown to guard it; the
    log does not record credentials, so it is counted as unauthenticated, which can only lower the
    score (the control's limitations say so).
    """
    enforced_by = endpoint.auth.enforced_by or ""
    sources = set(endpoint.sources)
    if not endpoint.auth.is_known:
        return EvidenceStrength.NOT_OBSERVABLE
    if enforced_by.startswith("gateway"):
        return EvidenceStrength.ENFORCED
    if enforced_by.startswith("spec"):
        return EvidenceStrength.DECLARED
    if endpoint.route_ids or SightingSource.GATEWAY in sources:
        return EvidenceStrength.ENFORCED
    if SightingSource.SPEC in sources:
        return EvidenceStrength.DECLARED
    if SightingSource.TRAFFIC in sources:
        return EvidenceStrength.OBSERVED
    return EvidenceStrength.NOT_OBSERVABLE


def gateway_strength(_endpoint: Endpoint) -> EvidenceStrength:
    """Rate limiting and logging are only judged where a gateway route shows them: enforced."""
    return EvidenceStrength.ENFORCED


def inventory_strength(endpoint: Endpoint, inventory: Inventory) -> EvidenceStrength:
    """What shows an endpoint's lifecycle: its gateway route, else its traffic. An endpoint only a spec
    documents is an orphan because the gateway config (when given) routes it nowhere, else because
    the traffic never reached it."""
    sources = set(endpoint.sources)
    if SightingSource.GATEWAY in sources or (sources == {SightingSource.SPEC} and inventory.has_gateway):
        return EvidenceStrength.ENFORCED
    if SightingSource.TRAFFIC in sources or inventory.has_traffic:
        return EvidenceStrength.OBSERVED
    return EvidenceStrength.NOT_OBSERVABLE


def sighting_strength(endpoint: Endpoint) -> EvidenceStrength:
    """What shows that an endpoint exists with the shape it has: a gateway route (`enforced`), else
    traffic (`observed`), else a spec alone (`declared`). A control that finds nothing to judge
    (no endpoint takes an object id) rests on this: the conclusion is only as good as the inventory."""
    sources = set(endpoint.sources)
    if SightingSource.GATEWAY in sources or endpoint.route_ids:
        return EvidenceStrength.ENFORCED
    if SightingSource.TRAFFIC in sources:
        return EvidenceStrength.OBSERVED
    if SightingSource.SPEC in sources:
        return EvidenceStrength.DECLARED
    return EvidenceStrength.NOT_OBSERVABLE


def material_strength(amounts: Mapping[EvidenceStrength, float], material_share: float) -> EvidenceStrength:
    """The weakest level whose amount (endpoints, or control weight) is at least `material_share` of
    the total; `not_observable` when there is nothing."""
    total = sum(amounts.values())
    if total <= 0:
        return EvidenceStrength.NOT_OBSERVABLE
    present = [level for level, amount in amounts.items() if amount > 0]
    material = [level for level in present if amounts[level] / total >= material_share]
    # With a large share and many levels none may reach it: then the weakest present level counts.
    return min(material or present, key=lambda level: level.rank)
