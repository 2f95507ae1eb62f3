"""The inventory figures a questionnaire rule can name, read from the finished assessment.

Each metric rests on the control that judged the facts it counts (its `control`): when that control
is unknown (the inputs cannot show it), the figure is not observable rather than zero, and the
figure's evidence strength is that control's. Nothing here re-reads inputs or re-judges a control: it
counts endpoints by what the inventory and the controls already decided.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from riskscan.model import (
    Assessment,
    ControlStatus,
    DataClass,
    Endpoint,
    Evidence,
    EvidenceStrength,
    Lifecycle,
)

__all__ = ["Metric", "MetricUnit", "Reading", "reachable_endpoints", "read_metric"]


class MetricUnit(StrEnum):
    """What a figure counts."""

    COUNT = "count"
    PERCENT = "percent"  # 0 to 100
    DAYS = "days"


class Metric(StrEnum):
    """The inventory figures a rule can name (docs/questionnaires.md describes each)."""

    ENDPOINT_COUNT = "endpoint_count"
    DOCUMENTED_SHARE = "documented_share"
    SHADOW_COUNT = "shadow_count"
    ZOMBIE_COUNT = "zombie_count"
    ORPHAN_COUNT = "orphan_count"
    UNDOCUMENTED_TRAFFIC_SHARE = "undocumented_traffic_share"
    TRAFFIC_WINDOW_DAYS = "traffic_window_days"
    DATA_CLASSES_EXPOSED = "data_classes_exposed"
    SENSITIVE_ENDPOINT_COUNT = "sensitive_endpoint_count"
    PII_ENDPOINT_COUNT = "pii_endpoint_count"
    PCI_ENDPOINT_COUNT = "pci_endpoint_count"
    PHI_ENDPOINT_COUNT = "phi_endpoint_count"
    THIRD_PARTY_ENDPOINT_COUNT = "third_party_endpoint_count"
    UNAUTHENTICATED_COUNT = "unauthenticated_count"
    STRONG_AUTH_SHARE = "strong_auth_share"
    SENDER_CONSTRAINED_SHARE = "sender_constrained_share"
    SCOPED_SHARE = "scoped_share"
    RATE_LIMITED_SHARE = "rate_limited_share"
    LOGGED_SHARE = "logged_share"

    @property
    def unit(self) -> MetricUnit:
        """What the figure counts."""
        return _SPECS[self].unit

    @property
    def is_lower_better(self) -> bool:
        """True when a lower figure is the better one for an insurer (a count of exposures): an attested
        figure below the evidence's then claims more than the evidence."""
        return _SPECS[self].is_lower_better

    @property
    def has_text(self) -> bool:
        """True when the figure also reads as text (the data classes, by name)."""
        return self is Metric.DATA_CLASSES_EXPOSED

    @property
    def label(self) -> str:
        """The figure in words, as answers cite it."""
        return _LABELS[self]

    @property
    def control(self) -> str | None:
        """The control whose judgement the figure rests on (None: the inventory itself)."""
        return _SPECS[self].control


@dataclass(frozen=True)
class Reading:
    """A figure read from the assessment; `value` None when the inputs cannot show it (`reason` says why)."""

    value: float | None
    strength: EvidenceStrength
    reason: str = ""
    text: str = ""  # the figure in words, where it has a text form (data classes by name)
    endpoints: tuple[str, ...] = ()  # the endpoints behind a count (shadow ones for shadow_count ...)
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class _Spec:
    unit: MetricUnit
    is_lower_better: bool
    control: str | None
    compute: Callable[[Assessment], Reading]


def read_metric(metric: Metric, assessment: Assessment) -> Reading:
    """The figure `metric` on `assessment`; not observable when its control is unknown."""
    spec = _SPECS[metric]
    control = next((c for c in assessment.controls if c.id == spec.control), None) if spec.control else None
    if spec.control and (control is None or control.status is ControlStatus.UNKNOWN):
        why = control.limitations[0] if control and control.limitations else "the inputs cannot show it"
        name = control.name if control else spec.control
        return Reading(None, EvidenceStrength.NOT_OBSERVABLE, f"{name} cannot be judged. {why}")
    reading = spec.compute(assessment)
    if control is None or reading.value is None:
        return reading
    weakest = min(reading.strength, control.evidence_strength, key=lambda level: level.rank)
    return Reading(
        reading.value,
        weakest,
        reading.reason,
        reading.text,
        reading.endpoints,
        reading.evidence or control.evidence[:3],
    )


def reachable_endpoints(assessment: Assessment) -> tuple[Endpoint, ...]:
    """Endpoints the inputs show reachable: all but orphans (documented, yet neither routed nor called)."""
    return tuple(e for e in assessment.inventory.endpoints if e.lifecycle is not Lifecycle.ORPHAN)


def _count(endpoints: tuple[Endpoint, ...] | list[Endpoint]) -> Reading:
    return Reading(
        float(len(endpoints)), EvidenceStrength.ENFORCED, endpoints=tuple(e.key for e in endpoints)
    )


def _share(part: list[Endpoint], whole: list[Endpoint]) -> Reading:
    """`part` as a percentage of `whole`; the endpoints listed are those of `whole` outside `part`."""
    if not whole:
        return Reading(None, EvidenceStrength.NOT_OBSERVABLE, "no endpoint of the kind was found to judge")
    keys = {e.key for e in part}
    outside = tuple(e.key for e in whole if e.key not in keys)
    return Reading(round(100 * len(part) / len(whole), 1), EvidenceStrength.ENFORCED, endpoints=outside)


def _lifecycle(lifecycle: Lifecycle) -> Callable[[Assessment], Reading]:
    return lambda a: _count([e for e in a.inventory.endpoints if e.lifecycle is lifecycle])


def _endpoint_count(assessment: Assessment) -> Reading:
    inventory = assessment.inventory
    strength = (
        EvidenceStrength.ENFORCED
        if inventory.has_gateway
        else EvidenceStrength.OBSERVED
        if inventory.has_traffic
        else EvidenceStrength.DECLARED
    )
    reading = _count(reachable_endpoints(assessment))
    return Reading(reading.value, strength, endpoints=())


def _documented_share(assessment: Assessment) -> Reading:
    reachable = list(reachable_endpoints(assessment))
    return _share([e for e in reachable if e.lifecycle is Lifecycle.DOCUMENTED], reachable)


def _undocumented_traffic(assessment: Assessment) -> Reading:
    called = [e for e in reachable_endpoints(assessment) if e.traffic is not None and e.traffic.requests]
    if not assessment.inventory.has_traffic or not called:
        return Reading(None, EvidenceStrength.NOT_OBSERVABLE, "no traffic logs were given")
    total = sum(e.traffic.requests for e in called if e.traffic)
    shadow = [e for e in called if e.lifecycle is Lifecycle.SHADOW]
    share = sum(e.traffic.requests for e in shadow if e.traffic) / total
    return Reading(round(100 * share, 1), EvidenceStrength.OBSERVED, endpoints=tuple(e.key for e in shadow))


def _traffic_window(assessment: Assessment) -> Reading:
    stats = [e.traffic for e in assessment.inventory.endpoints if e.traffic is not None]
    firsts = [s.first_seen for s in stats if s.first_seen]
    lasts = [s.last_seen for s in stats if s.last_seen]
    if not firsts or not lasts:
        return Reading(None, EvidenceStrength.NOT_OBSERVABLE, "no traffic logs with timestamps were given")
    days = (max(lasts) - min(firsts)).total_seconds() / 86400
    return Reading(round(days, 1), EvidenceStrength.OBSERVED)


def _data_classes(assessment: Assessment) -> Reading:
    classes = sorted({c for e in reachable_endpoints(assessment) for c in e.data_classes})
    return Reading(
        float(len(classes)), EvidenceStrength.DECLARED, text=", ".join(c.value for c in classes) or "none"
    )


def _carrying(data_class: DataClass | None) -> Callable[[Assessment], Reading]:
    def compute(assessment: Assessment) -> Reading:
        return _count(
            [
                e
                for e in reachable_endpoints(assessment)
                if (data_class in e.data_classes if data_class else e.data_classes)
            ]
        )

    return compute


def _third_party(assessment: Assessment) -> Reading:
    keys = tuple(
        dict.fromkeys(k for f in assessment.findings if f.control == "third_party" for k in f.endpoints)
    )
    return Reading(float(len(keys)), EvidenceStrength.ENFORCED, endpoints=keys)


def _auth_known(assessment: Assessment) -> list[Endpoint]:
    return [e for e in reachable_endpoints(assessment) if e.auth.is_known]


def _auth_share(
    test: Callable[[Endpoint], bool], strength: EvidenceStrength = EvidenceStrength.ENFORCED
) -> Callable[[Assessment], Reading]:
    def compute(assessment: Assessment) -> Reading:
        reading = _share([e for e in _auth_known(assessment) if test(e)], _auth_known(assessment))
        if reading.value is None:
            return reading
        return Reading(reading.value, strength, reading.reason, endpoints=reading.endpoints)

    return compute


def _unauthenticated(assessment: Assessment) -> Reading:
    return _count([e for e in _auth_known(assessment) if not e.auth.effective.strength])


def _known_share(attribute: Callable[[Endpoint], bool | None]) -> Callable[[Assessment], Reading]:
    def compute(assessment: Assessment) -> Reading:
        judged = [e for e in reachable_endpoints(assessment) if attribute(e) is not None]
        return _share([e for e in judged if attribute(e)], judged)

    return compute


_SPECS: dict[Metric, _Spec] = {
    Metric.ENDPOINT_COUNT: _Spec(MetricUnit.COUNT, True, None, _endpoint_count),
    Metric.DOCUMENTED_SHARE: _Spec(MetricUnit.PERCENT, False, "inventory_hygiene", _documented_share),
    Metric.SHADOW_COUNT: _Spec(MetricUnit.COUNT, True, "inventory_hygiene", _lifecycle(Lifecycle.SHADOW)),
    Metric.ZOMBIE_COUNT: _Spec(MetricUnit.COUNT, True, "inventory_hygiene", _lifecycle(Lifecycle.ZOMBIE)),
    Metric.ORPHAN_COUNT: _Spec(MetricUnit.COUNT, True, "inventory_hygiene", _lifecycle(Lifecycle.ORPHAN)),
    Metric.UNDOCUMENTED_TRAFFIC_SHARE: _Spec(MetricUnit.PERCENT, True, None, _undocumented_traffic),
    Metric.TRAFFIC_WINDOW_DAYS: _Spec(MetricUnit.DAYS, False, None, _traffic_window),
    Metric.DATA_CLASSES_EXPOSED: _Spec(MetricUnit.COUNT, True, "data_exposure", _data_classes),
    Metric.SENSITIVE_ENDPOINT_COUNT: _Spec(MetricUnit.COUNT, True, "data_exposure", _carrying(None)),
    Metric.PII_ENDPOINT_COUNT: _Spec(MetricUnit.COUNT, True, "data_exposure", _carrying(DataClass.PII)),
    Metric.PCI_ENDPOINT_COUNT: _Spec(MetricUnit.COUNT, True, "data_exposure", _carrying(DataClass.PCI)),
    Metric.PHI_ENDPOINT_COUNT: _Spec(MetricUnit.COUNT, True, "data_exposure", _carrying(DataClass.PHI)),
    Metric.THIRD_PARTY_ENDPOINT_COUNT: _Spec(MetricUnit.COUNT, True, "third_party", _third_party),
    Metric.UNAUTHENTICATED_COUNT: _Spec(MetricUnit.COUNT, True, "auth", _unauthenticated),
    Metric.STRONG_AUTH_SHARE: _Spec(
        MetricUnit.PERCENT, False, "auth", _auth_share(lambda e: e.auth.effective.is_strong)
    ),
    Metric.SENDER_CONSTRAINED_SHARE: _Spec(
        MetricUnit.PERCENT, False, "auth", _auth_share(lambda e: e.auth.is_sender_constrained)
    ),
    Metric.SCOPED_SHARE: _Spec(
        MetricUnit.PERCENT,
        False,
        "auth",
        _auth_share(lambda e: bool(e.auth.scopes), EvidenceStrength.DECLARED),
    ),
    Metric.RATE_LIMITED_SHARE: _Spec(
        MetricUnit.PERCENT, False, "rate_limit", _known_share(lambda e: e.rate_limit.enforced)
    ),
    Metric.LOGGED_SHARE: _Spec(MetricUnit.PERCENT, False, "monitoring", _known_share(lambda e: e.is_logged)),
}

_LABELS: dict[Metric, str] = {
    Metric.ENDPOINT_COUNT: "Reachable endpoints",
    Metric.DOCUMENTED_SHARE: "Share of reachable endpoints documented in a spec",
    Metric.SHADOW_COUNT: "Shadow endpoints (routed or called, in no spec)",
    Metric.ZOMBIE_COUNT: "Zombie endpoints (deprecated or superseded, still reachable)",
    Metric.ORPHAN_COUNT: "Orphan endpoints (documented, neither routed nor called)",
    Metric.UNDOCUMENTED_TRAFFIC_SHARE: "Share of requests reaching shadow endpoints",
    Metric.TRAFFIC_WINDOW_DAYS: "Traffic logs cover",
    Metric.DATA_CLASSES_EXPOSED: "Sensitive data classes carried",
    Metric.SENSITIVE_ENDPOINT_COUNT: "Endpoints carrying sensitive data",
    Metric.PII_ENDPOINT_COUNT: "Endpoints carrying personal data",
    Metric.PCI_ENDPOINT_COUNT: "Endpoints carrying payment card data",
    Metric.PHI_ENDPOINT_COUNT: "Endpoints carrying health data",
    Metric.THIRD_PARTY_ENDPOINT_COUNT: "Endpoints sent to third-party upstreams",
    Metric.UNAUTHENTICATED_COUNT: "Reachable endpoints accepting anonymous requests",
    Metric.STRONG_AUTH_SHARE: "Share of endpoints requiring OAuth 2.0, OIDC or mutual TLS",
    Metric.SENDER_CONSTRAINED_SHARE: "Share of endpoints requiring OAuth or OIDC with mutual TLS",
    Metric.SCOPED_SHARE: "Share of endpoints whose spec names OAuth scopes",
    Metric.RATE_LIMITED_SHARE: "Share of routed endpoints rate limited",
    Metric.LOGGED_SHARE: "Share of routed endpoints logged by the gateway",
}
