"""The presentation view of an `Assessment`, as the HTML and PDF templates show it.

`build_view` turns the assessment into plain, already-formatted values: key figures, sorted tables,
numbers with thousands separators, labels and CSS classes for statuses. It decides nothing about risk:
scores, grades, statuses and findings are copied from the assessment, and counts are only counted, so
the templates hold layout and no logic. Long lists (a finding on hundreds of endpoints) are cut for
reading, with the remainder counted; the JSON report always has everything.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from riskscan.model import (
    Assessment,
    AuthKind,
    ControlStatus,
    Endpoint,
    EvidenceStrength,
    InputFile,
    InputStatus,
    Inventory,
    Lifecycle,
    RiskException,
    Severity,
)
from riskscan.report.basis_view import BasisView, build_basis_view
from riskscan.report.control_detail_view import ControlDetail, build_control_details
from riskscan.report.controls_view import ControlRow, build_control_rows
from riskscan.report.coverage_view import CoverageView, build_coverage_view
from riskscan.report.evidence_coverage_view import EvidenceCoverageView, build_evidence_coverage_view
from riskscan.report.exposure_view import ExposureView, build_exposure_view
from riskscan.report.findings_view import (
    MAX_FINDING_ENDPOINTS,
    MAX_FINDING_EVIDENCE,
    EvidenceRow,
    FindingView,
    build_finding_views,
)
from riskscan.report.inventory_view import (
    EndpointRow,
    PrintedInventory,
    build_endpoint_rows,
    printed_inventory,
)
from riskscan.report.labels import (
    LIFECYCLE_MEANING,
    SEVERITY_ORDER,
    format_count,
    format_date,
    format_datetime,
    web_content_sentence,
)
from riskscan.report.premium_view import PremiumView, build_premium_view
from riskscan.report.questionnaire_view import QuestionnairesView, build_questionnaires_view
from riskscan.report.tls_ciphers_view import TlsCiphersView, build_tls_ciphers_view
from riskscan.report.underwriting_view import UnderwritingSummaryView, build_underwriting_summary

__all__ = [
    "MAX_FINDING_ENDPOINTS",
    "MAX_FINDING_EVIDENCE",
    "MAX_PRINTED_SKIPPED",
    "Bar",
    "ControlRow",
    "EndpointRow",
    "EvidenceRow",
    "Figure",
    "FindingView",
    "InputGroup",
    "InputRow",
    "ReportView",
    "build_view",
]

MAX_PRINTED_SKIPPED = 200
"""Skipped files the PDF's appendix lists by name; the rest are counted by suffix (see `InputGroup`)."""
_SUFFIXES_NAMED = 6
_NO_REQUESTS_SENT = (
    "riskscan reads specifications, gateway configuration and access logs; it sends no requests, so it "
    "cannot show how services check object ownership, what responses contain, or APIs behind gateways "
    "and logs it was not given."
)


@dataclass(frozen=True, slots=True)
class Figure:
    """One key figure of the executive summary."""

    label: str
    value: str
    css: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Bar:
    """One segment of a distribution bar (lifecycles, severities)."""

    label: str
    count: str
    percent: float  # share of the total, for the segment's width
    css: str


@dataclass(frozen=True, slots=True)
class InputRow:
    """One input file in the appendix."""

    path: str
    kind: str
    message: str


@dataclass(frozen=True, slots=True)
class InputGroup:
    """The input files that share a status (used, skipped, failed). The PDF prints at most
    `MAX_PRINTED_SKIPPED` skipped files (a folder of source code holds thousands), then a line counting
    the rest by suffix; the HTML and JSON list them all."""

    status: str
    css: str
    rows: tuple[InputRow, ...]
    printed_rows: tuple[InputRow, ...] = ()
    left_out: str = ""  # "4,210 more: 3,900 .py, 310 .md" when the PDF leaves skipped files out


@dataclass(frozen=True, slots=True)
class ReportView:
    """Everything the report template shows, formatted."""

    title: str
    roots: tuple[str, ...]
    subject: str  # what the cover names: the organization (--org), else the scanned folders
    prepared_for: str  # empty when not given
    prepared_by: str
    scanned_at: str
    scanned_on: str
    created_iso: str
    tool_version: str
    schema_version: str
    grade: str
    grade_css: str
    score: int
    headline: str
    basis: BasisView
    figures: tuple[Figure, ...]
    lifecycle_bars: tuple[Bar, ...]
    severity_bars: tuple[Bar, ...]
    limitations: tuple[str, ...]
    controls: tuple[ControlRow, ...]
    endpoints: tuple[EndpointRow, ...]
    printed_endpoints: PrintedInventory  # the rows the PDF's inventory holds (all when they fit)
    findings: tuple[FindingView, ...]
    inputs: tuple[InputGroup, ...]
    lifecycle_meaning: tuple[tuple[str, str], ...]
    web_content: str  # one sentence on the pages and downloads set apart, or empty
    accepted_score: str = ""  # "82 / 100, grade B, excluding 3 accepted risks", or empty without exceptions
    exceptions: tuple[str, ...] = ()  # one line per exceptions-file entry, with its status
    coverage: CoverageView | None = None  # the coverage gaps section (riskscan.report.coverage_view)
    premium: PremiumView | None = None  # the premium impact section (riskscan.report.premium_view)
    questionnaires: QuestionnairesView | None = None  # insurer questionnaires answered (questionnaire_view)
    underwriting: UnderwritingSummaryView | None = None  # what the executive summary leads with
    evidence_coverage: EvidenceCoverageView | None = None  # how much the inputs could show, beside the grade and each control
    exposure: ExposureView | None = None  # the loss exposure section (report/exposure_view.py)
    control_details: tuple[ControlDetail, ...] = ()  # failing endpoints per control (control_detail_view.py)
    tls_ciphers: TlsCiphersView | None = None  # cipher settings read (tls_ciphers_view.py)


def build_view(assessment: Assessment) -> ReportView:
    """The presentation view of `assessment` (no scoring: values are copied, counted, formatted)."""
    endpoints = assessment.inventory.endpoints
    lifecycles = Counter(e.lifecycle for e in endpoints)
    severities = Counter(f.severity for f in assessment.findings)
    rows = build_endpoint_rows(assessment)
    return ReportView(
        title="API risk assessment",
        roots=assessment.roots,
        subject=assessment.engagement.organization or ", ".join(assessment.roots),
        prepared_for=assessment.engagement.prepared_for or "",
        prepared_by=assessment.engagement.prepared_by or "",
        scanned_at=format_datetime(assessment.scanned_at),
        scanned_on=format_date(assessment.scanned_at),
        created_iso=assessment.scanned_at.isoformat(),
        tool_version=assessment.tool_version,
        schema_version=assessment.schema_version,
        grade=assessment.grade.value,
        grade_css=f"grade-{assessment.grade.value.lower()}",
        score=assessment.score,
        headline=_headline(assessment, lifecycles, severities),
        basis=build_basis_view(assessment),
        figures=_figures(assessment, lifecycles, severities),
        lifecycle_bars=_bars([(lc.value, f"lc-{lc.value}", lifecycles[lc]) for lc in Lifecycle]),
        severity_bars=_bars([(s.value, f"sev-{s.value}", severities[s]) for s in SEVERITY_ORDER]),
        limitations=_limitations(assessment),
        controls=build_control_rows(assessment),
        endpoints=rows,
        printed_endpoints=printed_inventory(rows),
        findings=build_finding_views(assessment),
        inputs=_input_groups(assessment.inputs),
        lifecycle_meaning=tuple((lc.value, LIFECYCLE_MEANING[lc]) for lc in Lifecycle),
        web_content=web_content_sentence(assessment.inventory.web_content),
        accepted_score=_accepted_score(assessment),
        exceptions=tuple(_exception_line(entry) for entry in assessment.exceptions),
        coverage=build_coverage_view(assessment),
        premium=build_premium_view(assessment),
        questionnaires=build_questionnaires_view(assessment.questionnaires),
        underwriting=build_underwriting_summary(assessment),
        evidence_coverage=build_evidence_coverage_view(assessment),
        exposure=build_exposure_view(assessment.exposure),
        control_details=build_control_details(assessment),
        tls_ciphers=build_tls_ciphers_view(assessment),
    )


def _accepted_score(assessment: Assessment) -> str:
    """The second figure: the score and grade with accepted findings left out."""
    if assessment.score_excluding_accepted is None or assessment.grade_excluding_accepted is None:
        return ""
    accepted = sum(1 for finding in assessment.findings if finding.accepted is not None)
    grade = assessment.grade_excluding_accepted.value
    return (f"{assessment.score_excluding_accepted} / 100, grade {grade}, "
            f"excluding {accepted} accepted risk{'' if accepted == 1 else 's'}")


def _exception_line(entry: RiskException) -> str:
    """`active: RATE-002 accepted by <owner> until 2027-03-31 (exceptions.yaml:4)`."""
    subject = entry.finding or f"control {entry.control}"
    where = f"{entry.evidence.path}:{entry.evidence.line}" if entry.evidence.line else entry.evidence.path
    names = f" ({', '.join(entry.findings)})" if entry.findings else ""
    return (f"{entry.status.value}: {subject}{names}, owner {entry.owner}, "
            f"expires {entry.expires.isoformat()}: {entry.reason} [{where}]")


def _headline(assessment: Assessment, lifecycles: Counter[Lifecycle], severities: Counter[Severity]) -> str:
    total = len(assessment.inventory.endpoints)
    serious = severities[Severity.CRITICAL] + severities[Severity.HIGH]
    undocumented = lifecycles[Lifecycle.SHADOW] + lifecycles[Lifecycle.ZOMBIE]
    headline = (
        f"{_plural(total, 'endpoint')} found, {format_count(undocumented)} of them shadow or zombie; "
        f"{_plural(len(assessment.findings), 'finding')}, {format_count(serious)} rated high or critical."
    )
    known = [control for control in assessment.controls if control.status is not ControlStatus.UNKNOWN]
    if assessment.controls and not known:
        # The grade then reflects missing evidence, not weaknesses found: say so where it is read.
        headline += " No control could be assessed from these inputs, so the grade reflects missing evidence."
    elif len(known) < len(assessment.controls):
        unknown = len(assessment.controls) - len(known)
        headline += (f" {unknown} of {len(assessment.controls)} controls could not be assessed "
                     "and count as 0 in the score.")
    return headline


def _figures(assessment: Assessment, lifecycles: Counter[Lifecycle],
             severities: Counter[Severity]) -> tuple[Figure, ...]:
    endpoints = assessment.inventory.endpoints
    statuses = Counter(i.status for i in assessment.inputs)
    serious = severities[Severity.CRITICAL] + severities[Severity.HIGH]
    return (
        Figure("Endpoints", format_count(len(endpoints)),
               note=", ".join(f"{format_count(lifecycles[lc])} {lc.value}" for lc in Lifecycle)),
        Figure("Shadow / zombie", f"{lifecycles[Lifecycle.SHADOW]} / {lifecycles[Lifecycle.ZOMBIE]}",
               css="fig-warn" if lifecycles[Lifecycle.SHADOW] + lifecycles[Lifecycle.ZOMBIE] else ""),
        _unauthenticated_figure(assessment),
        _unthrottled_figure(endpoints),
        Figure("Findings", format_count(len(assessment.findings)), css="fig-bad" if serious else "",
               note=", ".join(f"{severities[s]} {s.value}" for s in SEVERITY_ORDER)),
        Figure("Inputs used", format_count(statuses[InputStatus.USED]),
               css="fig-warn" if statuses[InputStatus.FAILED] else "",
               note=f"{statuses[InputStatus.FAILED]} failed, {statuses[InputStatus.SKIPPED]} skipped"),
    )


def _unauthenticated_figure(assessment: Assessment) -> Figure:
    """Endpoints with no authentication, and whether that count rests on more than declarations."""
    endpoints = assessment.inventory.endpoints
    count = sum(1 for e in endpoints if e.auth.effective is AuthKind.NONE and e.auth.is_known)
    auth = next((c for c in assessment.controls if c.id == "auth"), None)
    judged = sum(auth.evidence_breakdown.values()) if auth else 0
    declared = auth.evidence_breakdown.get(EvidenceStrength.DECLARED, 0) if auth else 0
    if judged and declared == judged:
        note = "per the specs' declarations, not verified"
    elif declared:
        note = f"no authentication in force; {format_count(declared)} more only declared in specs, not verified"
    else:
        note = "no authentication in force"
    return Figure("Unauthenticated", format_count(count), css="fig-bad" if count else "", note=note)


def _unthrottled_figure(endpoints: tuple[Endpoint, ...]) -> Figure:
    """Endpoints known to have no rate limit; never a reassuring 0 when throttling cannot be seen."""
    unthrottled = sum(1 for e in endpoints if e.rate_limit.enforced is False)
    unknown = sum(1 for e in endpoints if e.rate_limit.enforced is None)
    if endpoints and unknown == len(endpoints):
        return Figure("Unthrottled", "not shown", css="fig-warn",
                      note="no gateway configuration shows rate limits")
    note = "no rate limit in force" + (f"; {format_count(unknown)} not shown by these inputs" if unknown else "")
    return Figure("Unthrottled", format_count(unthrottled), css="fig-warn" if unthrottled or unknown else "",
                  note=note)


def _bars(parts: list[tuple[str, str, int]]) -> tuple[Bar, ...]:
    total = sum(count for _, _, count in parts)
    return tuple(Bar(label, format_count(count), round(100.0 * count / total, 2) if total else 0.0, css)
                 for label, css, count in parts)


def _limitations(assessment: Assessment) -> tuple[str, ...]:
    """What these inputs cannot show, in plain words, from which input kinds were available."""
    inventory = assessment.inventory
    notes = [
        _NO_REQUESTS_SENT,
    ]
    if not inventory.has_specs:
        notes.append("No API specification was given, so no endpoint can count as documented.")
    if not inventory.has_gateway:
        notes.append("No gateway configuration was given: authentication is only as declared, "
                     "and rate limiting and logging cannot be shown.")
    if not inventory.has_traffic:
        notes.append("No access log was given, so use of endpoints and id walking cannot be shown.")
    else:
        notes.append(_traffic_window(inventory))
    failed = sum(1 for i in assessment.inputs if i.status is InputStatus.FAILED)
    if failed:
        notes.append(f"{_plural(failed, 'input file')} could not be read and "
                     f"{'is' if failed == 1 else 'are'} left out (see the appendix).")
    unknown = sum(1 for c in assessment.controls if c.status is ControlStatus.UNKNOWN)
    if unknown:
        notes.append(f"{_plural(unknown, 'control')} could not be assessed from these inputs.")
    return tuple(notes)


def _traffic_window(inventory: Inventory) -> str:
    firsts = [e.traffic.first_seen for e in inventory.endpoints if e.traffic and e.traffic.first_seen]
    lasts = [e.traffic.last_seen for e in inventory.endpoints if e.traffic and e.traffic.last_seen]
    if not firsts or not lasts:
        return "Traffic shows only the period the access logs cover."
    first, last = min(firsts, key=_utc_key), max(lasts, key=_utc_key)
    return (f"Traffic shows only {format_date(first)} to {format_date(last)}, the period the access "
            "logs cover; endpoints called outside it look unused.")


def _utc_key(moment: datetime) -> datetime:
    offset = moment.utcoffset() or timedelta(0)
    return moment.replace(tzinfo=None) - offset


def _input_groups(inputs: tuple[InputFile, ...]) -> tuple[InputGroup, ...]:
    groups: list[InputGroup] = []
    for status in (InputStatus.FAILED, InputStatus.USED, InputStatus.SKIPPED):
        rows = tuple(
            InputRow(path=i.path, kind=i.kind.value if i.kind else "unknown", message=i.message or "")
            for i in sorted(inputs, key=lambda i: i.path)
            if i.status is status
        )
        if rows:
            limit = MAX_PRINTED_SKIPPED if status is InputStatus.SKIPPED else len(rows)
            groups.append(InputGroup(status=status.value, css=f"in-{status.value}", rows=rows,
                                     printed_rows=rows[:limit], left_out=_left_out_inputs(rows[limit:])))
    return tuple(groups)


def _left_out_inputs(rows: tuple[InputRow, ...]) -> str:
    """`4,210 more: 3,900 .py, 310 .md` for the skipped files the PDF leaves out; empty when none."""
    if not rows:
        return ""
    suffixes = Counter(PurePosixPath(row.path).suffix.lower() or "without a suffix" for row in rows)
    shown = sorted(suffixes.items(), key=lambda item: (-item[1], item[0]))
    named = ", ".join(f"{format_count(count)} {suffix}" for suffix, count in shown[:_SUFFIXES_NAMED])
    rest = sum(count for _, count in shown[_SUFFIXES_NAMED:])
    return f"{format_count(len(rows))} more: {named}" + (f", {format_count(rest)} other" if rest else "")


def _plural(count: int, noun: str) -> str:
    return f"{format_count(count)} {noun}{'' if count == 1 else 's'}"
