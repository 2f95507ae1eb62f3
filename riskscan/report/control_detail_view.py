"""Per-endpoint detail under the controls an underwriter reads first: rate limiting, object-level
authorization and authentication.

Each of these controls judged every endpoint (`ControlResult.endpoints`). The report lists, per
control, the endpoints judged failing or partial, failures first and then by their weight in the
score (exposure x data x traffic), with what decided the verdict and the figure that control turns
on: how the rate limit is keyed and sized against the busiest client's peak minute, how guessable
the object ids are, which authentication is in force. Passing endpoints are only counted, and the
list is cut at `MAX_DETAIL_ENDPOINTS` with the remainder counted: the JSON has every endpoint.
Values are copied and formatted; nothing is judged here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from riskscan.model import Assessment, ControlResult, ControlStatus, Endpoint, EndpointControlResult, Finding
from riskscan.report.control_figures import FIGURES, DetailFigure
from riskscan.report.labels import format_count

__all__ = ["MAX_DETAIL_ENDPOINTS", "ControlDetail", "DetailRow", "build_control_details"]

MAX_DETAIL_ENDPOINTS = 12
"""Failing or partial endpoints listed under one control before the rest are only counted."""

_SHOWN = (ControlStatus.FAIL, ControlStatus.PARTIAL)


@dataclass(frozen=True, slots=True)
class DetailRow:
    """One failing or partial endpoint under one control."""

    method: str
    path: str
    status: str  # fail or partial
    status_css: str
    exposure: str  # public, internal or unknown (several when the key is served on several hosts)
    exposure_reason: str
    data_classes: str  # "pci, pii", or empty
    evidence: str  # the evidence level that decided it: enforced, observed or declared
    findings: tuple[str, ...]  # "RATE-002: No rate limit on 1 endpoint"
    figures: tuple[DetailFigure, ...]  # the control's figure, one per distinct wording across hosts


@dataclass(frozen=True, slots=True)
class ControlDetail:
    """The per-endpoint detail of one control."""

    id: str
    name: str
    status: str
    status_css: str
    figure_heading: str
    rows: tuple[DetailRow, ...]
    more: int  # failing or partial endpoints left out of `rows`
    passing: str  # "31 of 47 endpoints judged pass"


def build_control_details(assessment: Assessment) -> tuple[ControlDetail, ...]:
    """The detail of each control in `FIGURES` that judged endpoints one by one, in `FIGURES` order."""
    controls = {control.id: control for control in assessment.controls}
    by_key: dict[str, list[Endpoint]] = {}
    for endpoint in assessment.inventory.endpoints:
        by_key.setdefault(endpoint.key, []).append(endpoint)
    titles = {finding.id: finding for finding in assessment.findings}
    return tuple(
        _control_detail(controls[control_id], heading, make, by_key, titles)
        for control_id, (heading, make) in FIGURES.items()
        if control_id in controls and controls[control_id].endpoints
    )


def _control_detail(control: ControlResult, heading: str, make: Callable[[Endpoint], DetailFigure],
                    by_key: Mapping[str, list[Endpoint]], findings: Mapping[str, Finding]) -> ControlDetail:
    shown = sorted((result for result in control.endpoints if result.status in _SHOWN),
                   key=lambda r: (_SHOWN.index(r.status), -r.weight, r.key))
    passing = sum(1 for result in control.endpoints if result.status is ControlStatus.PASS)
    judged = len(control.endpoints)
    return ControlDetail(
        id=control.id,
        name=control.name,
        status=control.status.value,
        status_css=f"st-{control.status.value}",
        figure_heading=heading,
        rows=tuple(_row(result, by_key.get(result.key, []), make, findings)
                   for result in shown[:MAX_DETAIL_ENDPOINTS]),
        more=max(0, len(shown) - MAX_DETAIL_ENDPOINTS),
        passing=f"{format_count(passing)} of {format_count(judged)} endpoint{'' if judged == 1 else 's'} "
                "judged pass",
    )


def _row(result: EndpointControlResult, endpoints: list[Endpoint], make: Callable[[Endpoint], DetailFigure],
         findings: Mapping[str, Finding]) -> DetailRow:
    """One endpoint key's row; an endpoint served on several hosts shows each distinct wording once."""
    method, _, path = result.key.partition(" ")
    return DetailRow(
        method="ANY" if method == "*" else method,
        path=path,
        status=result.status.value,
        status_css=f"verdict-{result.status.value}",
        exposure=", ".join(_distinct(e.exposure.value for e in endpoints)) or "not in the inventory",
        exposure_reason="; ".join(_distinct(e.exposure_reason or "" for e in endpoints)),
        data_classes=", ".join(_distinct(c.value for e in endpoints for c in e.data_classes)),
        evidence=result.evidence_strength.value.replace("_", " "),
        findings=tuple(_finding_line(finding_id, findings) for finding_id in result.findings),
        figures=tuple(dict.fromkeys(make(endpoint) for endpoint in endpoints)),
    )


def _finding_line(finding_id: str, findings: Mapping[str, Finding]) -> str:
    """`RATE-002: Rate limit not enforced as configured on 1 endpoint`, or the id alone if unknown."""
    return f"{finding_id}: {findings[finding_id].title}" if finding_id in findings else finding_id


def _distinct(values: Iterable[str]) -> list[str]:
    """The non-empty values in first-seen order, each once."""
    return [value for value in dict.fromkeys(values) if value]
