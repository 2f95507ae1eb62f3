"""Per-endpoint verdicts in the inventory: which controls each endpoint fails, in a few letters, and
its exposure when it is not public.

Every control result lists the endpoints it judged with their own verdict (`ControlResult.endpoints`).
The inventory shows, per endpoint, the controls that judged it failing or partial by the short prefix
of their findings (`AUTH`, `RATE`), failures first, so that a reader scanning thousands of rows sees
where the weaknesses concentrate without leaving the table. Endpoints that pass every control show
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from riskscan.model import Assessment, ControlStatus, EndpointExposure

__all__ = ["EXPOSURE_NOTES", "Verdict", "endpoint_verdicts"]

EXPOSURE_NOTES: Mapping[EndpointExposure, str] = MappingProxyType(
    {EndpointExposure.INTERNAL: "internal", EndpointExposure.UNKNOWN: "exposure unknown"})
"""What the inventory notes under an endpoint's lifecycle; public, the common case, goes unsaid."""

_SHOWN = (ControlStatus.FAIL, ControlStatus.PARTIAL)


@dataclass(frozen=True, slots=True)
class Verdict:
    """One control's verdict on one endpoint, as a short code and its CSS class."""

    code: str  # the prefix of the control's findings: AUTH, RATE, BOLA ...
    css: str  # verdict-fail or verdict-partial
    title: str  # "auth: fail", shown on hover in the HTML


def endpoint_verdicts(assessment: Assessment) -> Mapping[str, tuple[Verdict, ...]]:
    """Endpoint key -> the fail and partial verdicts of every control, failures first, then by code."""
    found: dict[str, list[tuple[int, Verdict]]] = {}
    for control in assessment.controls:
        for result in control.endpoints:
            if result.status not in _SHOWN or not result.findings:
                continue
            code = result.findings[0].split("-", 1)[0]
            verdict = Verdict(code=code, css=f"verdict-{result.status.value}",
                              title=f"{control.id}: {result.status.value}")
            found.setdefault(result.key, []).append((_SHOWN.index(result.status), verdict))
    return {key: tuple(v for _, v in sorted(items, key=lambda item: (item[0], item[1].code)))
            for key, items in found.items()}
