"""What an evaluator hands back before scoring: the endpoints it judged and its finding drafts.

Evaluators count and classify; they do not score, number findings or cap evidence. Keeping those in
one place (`riskscan.controls.scoring` and the package `__init__`) makes every control score and every
finding id follow the same catalogue rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from riskscan.controls.catalogue import CatalogueError, Control, render
from riskscan.controls.evidence import sighting_strength
from riskscan.model import Endpoint, Evidence, EvidenceStrength, Finding, Inventory, Lifecycle, Severity

__all__ = [
    "ControlOutcome",
    "FindingDraft",
    "all_endpoints",
    "count_endpoints",
    "draft_finding",
    "key_count",
    "known_outcome",
    "path_names_any",
    "plural",
    "reachable_endpoints",
    "short_of_core",
    "unique_evidence",
    "unknown_outcome",
    "weakest_per_key",
    "when_nothing_judged",
]

_PARAMETER = re.compile(r"\{[^{}/]*\}")
_PATH_WORD = re.compile(r"[A-Za-z][a-z]*|[A-Z]+(?![a-z])")  # snake, kebab and camelCase words of a path


@dataclass(frozen=True)
class FindingDraft:
    """A finding without its id: ids are given once all drafts of a control are known."""

    control: str
    code: str
    severity: Severity
    title: str
    detail: str
    endpoints: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    owasp: str | None
    remediation: str | None

    @property
    def order(self) -> tuple[int, str, str]:
        """Most severe first, then by the first endpoint listed, then by code: stable across runs."""
        return (-self.severity.rank, self.endpoints[0] if self.endpoints else "", self.code)

    def to_finding(self, finding_id: str, max_evidence: int) -> Finding:
        """The finding under `finding_id`, its evidence cut to `max_evidence` items (the rest counted)."""
        return Finding(
            id=finding_id,
            control=self.control,
            severity=self.severity,
            title=self.title,
            detail=self.detail,
            endpoints=self.endpoints,
            evidence=self.evidence[:max_evidence],
            evidence_omitted=max(0, len(self.evidence) - max_evidence),
            owasp=self.owasp,
            remediation=self.remediation,
            code=self.code,
        )


@dataclass(frozen=True)
class ControlOutcome:
    """An evaluator's verdict on one control.

    `applicable` lists the endpoint keys the control judged; None means the inputs cannot show the
    control at all (status unknown). `strengths` says, per judged key, which kind of evidence decided
    it. `evidence` supports the summary beyond the findings' evidence. `can_pass` is False when the
    inputs could not show the part of the control a pass rests on (`short_of_core`): the score stays
    below a pass whatever the endpoints show.
    """

    control: Control
    applicable: tuple[str, ...] | None
    summary: str
    drafts: tuple[FindingDraft, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    limitations: tuple[str, ...] = ()
    strengths: Mapping[str, EvidenceStrength] = field(default_factory=dict)
    can_pass: bool = True


def plural(count: int, noun: str) -> str:
    """`1 client`, `22 clients`: a count with its noun."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def count_endpoints(count: int) -> str:
    """`1 endpoint`, `12 endpoints`: the phrase finding titles use."""
    return plural(count, "endpoint")


def path_names_any(endpoint: Endpoint, words: frozenset[str]) -> bool:
    """True when a literal word of the endpoint's path (snake, kebab or camelCase; parameters left
    out) is one of `words` (lower case): `/v1/auth/resetPassword` names `auth`, `reset`, `password`."""
    literal = _PARAMETER.sub("", endpoint.path)
    return any(word.lower() in words for word in _PATH_WORD.findall(literal))


def when_nothing_judged(outcome: ControlOutcome, endpoints: Sequence[Endpoint]) -> ControlOutcome:
    """A control that found nothing to judge is only as sure as what shows the endpoints exist: the
    weakest sighting of each, with the first evidence of a few."""
    return replace(outcome, strengths=weakest_per_key(endpoints, sighting_strength),
                   evidence=tuple(item for e in endpoints[:3] for item in e.evidence[:1]))


def key_count(endpoints: Iterable[Endpoint]) -> int:
    """How many distinct endpoint keys: the unit every figure counts (hosts sharing a key count once)."""
    return len({endpoint.key for endpoint in endpoints})


def all_endpoints(inventory: Inventory) -> list[Endpoint]:
    """Every endpoint, sorted by key and host so that evidence and findings never depend on input order."""
    return sorted(inventory.endpoints, key=lambda endpoint: (endpoint.key, endpoint.host or ""))


def reachable_endpoints(inventory: Inventory) -> list[Endpoint]:
    """Endpoints the inputs show as reachable: all but orphans (documented, never routed nor called)."""
    return [endpoint for endpoint in all_endpoints(inventory) if endpoint.lifecycle is not Lifecycle.ORPHAN]


def unique_evidence(items: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """Evidence in first-seen order without repeats (many endpoints cite the same route)."""
    return tuple(dict.fromkeys(items))


def draft_finding(
    control: Control,
    code: str,
    endpoints: Sequence[Endpoint],
    evidence: Iterable[Evidence],
    **fields: object,
) -> FindingDraft:
    """A draft of finding `code`, its title and detail filled from the catalogue templates.

    Every template may use {endpoints} ("3 endpoints"), {count} and {endpoint} (the first key);
    `fields` supplies the rest.
    """
    template = control.template(code)
    keys = tuple(sorted({endpoint.key for endpoint in endpoints}))
    if template.per_endpoint and len(keys) != 1:
        raise CatalogueError(f"{control.id} finding {code} is per endpoint but was raised on {len(keys)}")
    values = {"endpoints": count_endpoints(len(keys)), "count": len(keys), "endpoint": keys[0] if keys else ""}
    values.update(fields)
    where = f"{control.id} finding {code}"
    return FindingDraft(
        control=control.id,
        code=code,
        severity=template.severity,
        title=render(template.title, values, where=where),
        detail=render(template.detail, values, where=where),
        endpoints=keys,
        evidence=unique_evidence(evidence),
        owasp=template.owasp,
        remediation=template.remediation or control.remediation,
    )


def known_outcome(
    control: Control,
    applicable: Sequence[Endpoint],
    drafts: Iterable[FindingDraft],
    *,
    strength: Callable[[Endpoint], EvidenceStrength],
    limitations: Iterable[str] = (),
    evidence: Iterable[Evidence] = (),
    **fields: object,
) -> ControlOutcome:
    """The outcome of a control the inputs can show; `fields` fill its summary ({applicable} is given).

    `strength` names the evidence that decided each endpoint; a key served on several hosts takes
    its weakest.
    """
    values: dict[str, object] = {"applicable": key_count(applicable)}
    values.update(fields)
    strengths = weakest_per_key(applicable, strength)
    return ControlOutcome(
        control=control,
        applicable=tuple(sorted(strengths)),
        summary=render(control.summary, values, where=f"{control.id} summary"),
        drafts=tuple(drafts),
        evidence=unique_evidence(evidence),
        limitations=tuple(limitations),
        strengths=strengths,
    )


def weakest_per_key(
    endpoints: Iterable[Endpoint], strength: Callable[[Endpoint], EvidenceStrength]
) -> dict[str, EvidenceStrength]:
    """Each endpoint key with the evidence that decided it; a key served on several hosts takes its
    weakest."""
    strengths: dict[str, EvidenceStrength] = {}
    for endpoint in endpoints:
        level = strength(endpoint)
        if endpoint.key not in strengths or level.rank < strengths[endpoint.key].rank:
            strengths[endpoint.key] = level
    return strengths


def unknown_outcome(control: Control, *limitations: str) -> ControlOutcome:
    """The outcome of a control the inputs cannot show; the first limitation is the summary's {reason}."""
    texts = tuple(control.limitation(key) for key in limitations)
    reason = texts[0] if texts else ""
    return ControlOutcome(
        control=control,
        applicable=None,
        summary=render(control.unknown_summary, {"reason": reason}, where=f"{control.id} unknown_summary"),
        limitations=texts,
    )


def short_of_core(outcome: ControlOutcome, limitation: str, **fields: object) -> ControlOutcome:
    """`outcome` of a control whose core the inputs could not show (`limitation` names the missing input,
    one of the control's catalogue limitations, with its `fields`): a clean result there is no pass, since
    an answer is never stronger than its evidence. Nothing found wrong: unknown, the summary saying what
    the inputs did show.
    Something found wrong: judged as usual, but never better than partial.
    """
    control = outcome.control
    reason = control.limitation(limitation, **fields)
    limitations = (reason, *(text for text in outcome.limitations if text != reason))
    if outcome.drafts:
        return replace(outcome, limitations=limitations, can_pass=False)
    unknown = render(control.unknown_summary, {"reason": reason}, where=f"{control.id} unknown_summary")
    return ControlOutcome(control=control, applicable=None, summary=f"{unknown} What the inputs did show: "
                          f"{outcome.summary}", evidence=outcome.evidence, limitations=limitations)
