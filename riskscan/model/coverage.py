"""Coverage gaps and premium impact: what the control results mean for an insurance policy.

A `CoverageGap` names a policy condition or exclusion the findings put at risk, with the wording to
check and the endorsement to ask for, and the endpoints, findings and evidence behind it. A
`PremiumImpact` holds the remediation roadmap, each fix with an indicative premium effect (a range, with
its source) and an effort, and the combined effect under the factor file's cap. Figures are indicative
industry claims, never a quote: every range carries its source and that label.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from riskscan.model.base import Model, RedactedEndpointKey, RedactedText
from riskscan.model.inputs import Evidence
from riskscan.model.kinds import Severity

__all__ = [
    "AppliedFactor",
    "CoverageGap",
    "CoverageReview",
    "FactorDirection",
    "FactorSource",
    "GapState",
    "PercentRange",
    "PremiumImpact",
    "RoadmapAction",
    "RoadmapLine",
]

Percent = Annotated[float, Field(ge=0, le=100)]


class GapState(StrEnum):
    """Whether a coverage gap is shown by the inputs or only not excluded by them."""

    OPEN = "open"  # the findings, control results or inventory show its cause
    CANNOT_BE_RULED_OUT = "cannot_be_ruled_out"  # the controls that would show it are not observable


class CoverageGap(Model):
    """A policy condition or exclusion put at risk by this estate, with what to check and ask for."""

    rule: str  # the rule's id in the coverage rules file
    title: RedactedText
    condition: RedactedText  # the condition or exclusion at risk, in plain words
    policy_wording: RedactedText  # what to look for in the policy
    endorsement: RedactedText  # what to ask the insurer for
    severity: Severity  # the worst finding behind it, else the rule's own
    state: GapState
    reasons: tuple[RedactedText, ...]  # why it applies (or cannot be ruled out), one sentence each
    endpoints: tuple[RedactedEndpointKey, ...] = ()
    findings: tuple[str, ...] = ()  # finding ids behind it
    accepted_findings: tuple[str, ...] = ()  # those an exception accepts: the exclusion still applies
    unknown_controls: tuple[str, ...] = ()  # controls not observable from these inputs
    evidence: tuple[Evidence, ...] = ()  # copied from the findings (else the endpoints) behind it

    @property
    def is_accepted(self) -> bool:
        """True when every finding behind the gap is accepted internally (the insurer may not agree)."""
        return bool(self.findings) and set(self.findings) <= set(self.accepted_findings)


class PercentRange(Model):
    """An indicative range in percent, low to high."""

    low: Percent
    high: Percent

    @model_validator(mode="after")
    def _ordered(self) -> PercentRange:
        if self.low > self.high:
            raise ValueError("low must not exceed high")
        return self

    @property
    def midpoint(self) -> float:
        """The middle of the range: what the roadmap orders by."""
        return (self.low + self.high) / 2

    def __str__(self) -> str:
        if self.low == self.high:
            return f"{_percent(self.low)}%"
        return f"{_percent(self.low)}-{_percent(self.high)}%"


class FactorSource(Model):
    """Where a figure comes from, and how far it can be relied on."""

    id: str
    citation: RedactedText
    label: RedactedText  # "indicative, industry claim, not a quote or rating filing"


class RoadmapAction(StrEnum):
    """What a roadmap line asks for."""

    FIX = "fix"  # remediate the failing or partial controls named
    EVIDENCE = "evidence"  # the controls are not observable: document or evidence them


class RoadmapLine(Model):
    """One fix of the remediation roadmap with its indicative premium effect and effort."""

    factor: str  # the rating factor's id
    action: RoadmapAction
    title: RedactedText  # "OAuth 2.0 or OIDC with object-level authorization"
    remediation: RedactedText  # what to do, in a sentence or two
    controls: tuple[str, ...]  # the controls to fix (or evidence), not those already passing
    endpoints: tuple[RedactedEndpointKey, ...] = ()
    findings: tuple[str, ...] = ()
    accepted_findings: tuple[str, ...] = ()
    effect: PercentRange  # indicative premium reduction when done
    source: FactorSource
    effort: Annotated[float, Field(gt=0)]  # relative units (see `PremiumImpact.effort_units`)

    @property
    def value_per_effort(self) -> float:
        """Midpoint effect per unit of effort: what the roadmap is ordered by."""
        return self.effect.midpoint / self.effort

    @property
    def text(self) -> str:
        """`Fix: X on 12 endpoints -> indicative premium effect a-b% (source)`."""
        where = f" on {_count(len(self.endpoints), 'endpoint')}" if self.endpoints else ""
        verb = "Document or evidence" if self.action is RoadmapAction.EVIDENCE else "Fix"
        effect = f"indicative premium effect {self.effect} ({self.source.citation})"
        return f"{verb}: {self.title}{where} -> {effect}"


class FactorDirection(StrEnum):
    """Whether a factor raises or lowers the premium."""

    INCREASE = "increase"
    DECREASE = "decrease"


class AppliedFactor(Model):
    """A rating factor beyond the roadmap: an industry surcharge, the cost of endorsements."""

    id: str
    title: RedactedText
    direction: FactorDirection
    effect: PercentRange | None  # None when the factor file has no figure for this case
    source: FactorSource | None
    is_applied: bool  # False: shown for context (no industry given, no endorsement asked for)
    note: RedactedText


class PremiumImpact(Model):
    """The remediation roadmap and its combined indicative premium effect."""

    label: RedactedText  # how far the figures can be relied on, shown wherever they are
    factor_file: RedactedText  # "riskscan defaults" or the broker's file name
    effort_units: RedactedText  # what one unit of effort means
    roadmap: tuple[RoadmapLine, ...] = ()  # best effect per unit of effort first
    combined: PercentRange  # 1 - prod(1 - e) over the roadmap, low and high apart, under the cap
    cap: Percent
    is_capped: bool  # the cap cut the combined high end
    combination: RedactedText  # how lines are combined, in words
    factors_applied: tuple[AppliedFactor, ...] = ()
    unrated_controls: tuple[str, ...] = ()  # controls with findings but no rating factor naming them

    @property
    def headline(self) -> str:
        """One sentence for the executive summary."""
        if not self.roadmap:
            return "No remediation with a rating factor applies: the controls the factor file rates pass."
        capped = f" (capped at {_percent(self.cap)}%)" if self.is_capped else ""
        return (f"{_count(len(self.roadmap), 'fix', 'fixes')} with an indicative combined premium effect of "
                f"{self.combined}{capped}; {self.label}.")


class CoverageReview(Model):
    """The coverage gaps and the premium impact of one assessment."""

    gaps: tuple[CoverageGap, ...] = ()  # open first, most severe first, then in the rules file's order
    premium: PremiumImpact

    @property
    def headline(self) -> str:
        """One sentence on the gaps for the executive summary."""
        open_gaps = [gap for gap in self.gaps if gap.state is GapState.OPEN]
        unknown = len(self.gaps) - len(open_gaps)
        if not self.gaps:
            return "No coverage gap follows from these inputs."
        top = ", ".join(gap.title for gap in open_gaps[:3])
        text = f"{_count(len(open_gaps), 'coverage gap')} open" + (f" ({top})" if top else "")
        return text + (f"; {unknown} more cannot be ruled out from these inputs." if unknown else ".")


def _percent(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _count(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
