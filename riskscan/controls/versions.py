"""Version sprawl (OWASP API9:2023): several live versions of one API.

An API family is the path up to its version segment and the first literal segment after it, whatever
the host: `/v1/policies/{id}` and `/v2/policies/search` both belong to `/v#/policies`. A version is live
when a gateway routes it or traffic reached it (orphans are not live). A family with two or more live
versions keeps old code in production: every version is one more surface to patch and watch. An old
version that traffic still calls is worse than one merely routed, because partners depend on it and
switching it off needs their cooperation. Findings list the endpoints of the older versions (the ones
to retire) and name every version with its endpoints and share of the family's traffic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from riskscan.controls.catalogue import Control
from riskscan.controls.outcome import FindingDraft, draft_finding, plural
from riskscan.model import Endpoint, Evidence, Lifecycle, SightingSource

__all__ = ["ApiVersion", "VersionFamily", "live_families", "version_drafts", "version_sentence"]

# `v2`, `V3`, `v1beta`, `v2alpha1`, `v1.1`, `api-v2`: a few digits only (a hostile path of thousands of
# digits is a name, not a version).
_VERSION = re.compile(r"^(?:[A-Za-z]+[-_.])?[vV](?P<major>\d{1,6})(?:\.(?P<minor>\d{1,6}))*"
                      r"(?P<stage>alpha|beta|rc)?(?P<stage_number>\d{1,6})?$")
_STAGE_ORDER = {"alpha": 0, "beta": 1, "rc": 2, "": 3}
_PARAMETER = re.compile(r"^\{[^{}/]*\}$|^:|^\*$")


@dataclass(frozen=True)
class ApiVersion:
    """One version of a family: its label, the endpoints live under it and their requests."""

    label: str
    order: tuple[int, int, int, int]
    endpoints: tuple[Endpoint, ...]
    requests: int

    @property
    def is_called(self) -> bool:
        """True when traffic reached the version."""
        return self.requests > 0


@dataclass(frozen=True)
class VersionFamily:
    """An API family with more than one live version, oldest version first."""

    name: str
    versions: tuple[ApiVersion, ...]

    @property
    def older(self) -> tuple[ApiVersion, ...]:
        """Every version but the newest: the ones to retire."""
        return self.versions[:-1]

    def describe(self) -> str:
        """`/v#/policies: v1 (5 endpoints, 12% of its traffic), v2 (11 endpoints, 88%)`."""
        total = sum(version.requests for version in self.versions)
        parts = []
        for version in self.versions:
            share = f", {version.requests / total:.0%} of its requests" if total else ""
            endpoints = plural(len({e.key for e in version.endpoints}), "endpoint")
            parts.append(f"{version.label} ({endpoints}{share})")
        return f"{self.name}: {', '.join(parts)}"


def live_families(endpoints: Sequence[Endpoint]) -> list[VersionFamily]:
    """The families with two or more live versions, by name."""
    grouped: dict[str, dict[str, tuple[tuple[int, int, int, int], list[Endpoint]]]] = {}
    for endpoint in endpoints:
        found = _version(endpoint) if _is_live(endpoint) else None
        if found is None:
            continue
        family, label, order = found
        grouped.setdefault(family, {}).setdefault(label, (order, []))[1].append(endpoint)
    families = []
    for name, by_label in sorted(grouped.items()):
        if len(by_label) < 2:
            continue
        versions = sorted(
            (ApiVersion(label, order, tuple(members), _requests(members))
             for label, (order, members) in by_label.items()),
            key=lambda version: (version.order, version.label),
        )
        families.append(VersionFamily(name, tuple(versions)))
    return families


def version_drafts(control: Control, families: Sequence[VersionFamily]) -> list[FindingDraft]:
    """One finding for families whose old versions are still called, one for those merely routed."""
    called = [f for f in families if any(version.is_called for version in f.older)]
    routed = [f for f in families if f not in called]
    drafts = []
    for code, group in (("INV_VERSION_SPRAWL_CALLED", called), ("INV_VERSION_SPRAWL_ROUTED", routed)):
        if group:
            old = [e for family in group for version in family.older for e in version.endpoints]
            drafts.append(draft_finding(control, code, old, _evidence(old),
                                        families=plural(len(group), "API"),
                                        versions="; ".join(family.describe() for family in group)))
    return drafts


def version_sentence(families: Sequence[VersionFamily]) -> str:
    """` 2 APIs have several live versions (...).`, or that none has: the summary's {versions}."""
    if not families:
        return " No API has more than one live version."
    named = "; ".join(family.describe() for family in families[:4])
    more = f" and {len(families) - 4} more" if len(families) > 4 else ""
    verb = "has" if len(families) == 1 else "have"
    return f" {plural(len(families), 'API')} {verb} several live versions ({named}{more})."


def _is_live(endpoint: Endpoint) -> bool:
    """Routed by a gateway or reached by traffic (an orphan is neither)."""
    if endpoint.lifecycle is Lifecycle.ORPHAN:
        return False
    return SightingSource.GATEWAY in endpoint.sources or SightingSource.TRAFFIC in endpoint.sources


def _version(endpoint: Endpoint) -> tuple[str, str, tuple[int, int, int, int]] | None:
    """The endpoint's family name, version label and version order; None when its path has no
    version followed by a literal segment."""
    segments = endpoint.path.split("/")
    for index, segment in enumerate(segments):
        found = _VERSION.match(segment)
        if found is None:
            continue
        rest = [s for s in segments[index + 1:] if s and not _PARAMETER.match(s)]
        if not rest:
            return None
        family = f"{'/'.join(segments[:index])}/v#/{rest[0]}"
        order = (int(found["major"]), int(found["minor"] or 0), _STAGE_ORDER[found["stage"] or ""],
                 int(found["stage_number"] or 0))
        return family, segment.lower(), order
    return None


def _requests(endpoints: Sequence[Endpoint]) -> int:
    return sum(e.traffic.requests for e in endpoints if e.traffic is not None)


def _evidence(endpoints: Sequence[Endpoint]) -> list[Evidence]:
    """Where each old version is routed or called: its routes first, then its traffic."""
    items: list[Evidence] = []
    for endpoint in endpoints:
        items.extend(route.evidence for route in endpoint.serving_routes)
        if endpoint.traffic is not None:
            items.extend(endpoint.traffic.evidence[:1])
    return items
