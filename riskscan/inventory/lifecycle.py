"""Lifecycle of an endpoint: documented, shadow, zombie or orphan, with a sentence saying why.

- zombie: deprecated in its spec, or superseded (the same method and path exists under a higher
  `/v<N>/` version), yet still routed by an enabled gateway route or answering in traffic;
- shadow: routed or seen in traffic, but in no spec;
- orphan: documented, but neither routed nor answering, when gateway or traffic inputs were given
  (with only traffic, "routed" is unknown and orphan means never answered; with only a gateway,
  never routed);
- documented: everything else in a spec.

"Answering" means at least one request not answered 404: a 401 or a 429 still shows that the
endpoint is served, while an endpoint seen only with 404s is not there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from riskscan.inventory.merge import EndpointDraft, EndpointKey
from riskscan.model import Lifecycle

__all__ = ["InputsSeen", "classify", "find_superseding", "version_of"]

# A version has a few digits: `v` and thousands of digits (a hostile path) is a name, not a version.
_VERSION = re.compile(r"^(?P<pre>(?:[A-Za-z]+[-_.])?)[vV](?P<major>\d{1,6})(?:\.\d+)*$")
_PARAM = re.compile(r"\{[^{}/]*\}")


@dataclass(frozen=True, slots=True)
class InputsSeen:
    """Which kinds of input the scan had: what "orphan" can be judged against."""

    has_gateway: bool
    has_traffic: bool


def version_of(path: str) -> tuple[int, str] | None:
    """The major version in a path and the path with it blanked out, or None when unversioned.

    `/v1/claims/{id}` -> `(1, "/v#/claims/{}")`; parameter names are blanked too, so `{claimId}` in
    v1 and `{id}` in v2 compare equal.
    """
    segments = path.split("/")
    for index, segment in enumerate(segments):
        found = _VERSION.match(segment)
        if found is not None:
            segments[index] = found.group("pre") + "v#"
            return int(found.group("major")), _PARAM.sub("{}", "/".join(segments))
    return None


def find_superseding(keys: Iterable[EndpointKey]) -> dict[EndpointKey, str]:
    """For each endpoint with the same method and path in a higher version, that newer endpoint.

    Returns `{older key: "GET /v2/claims/{claimId}"}`, naming the highest version present.
    """
    latest: dict[tuple[str, str], tuple[int, str]] = {}
    versions: dict[EndpointKey, tuple[int, str]] = {}
    for method, path, host in keys:
        found = version_of(path)
        if found is None:
            continue
        number, shape = found
        versions[(method, path, host)] = found
        current = latest.get((method, shape))
        if current is None or (number, path) > (current[0], current[1]):
            latest[(method, shape)] = (number, path)
    superseded: dict[EndpointKey, str] = {}
    for key, (number, shape) in versions.items():
        newest_number, newest_path = latest[(key[0], shape)]
        if newest_number > number:
            superseded[key] = f"{key[0]} {newest_path}"
    return superseded


def classify(draft: EndpointDraft, superseded_by: str | None, seen: InputsSeen) -> tuple[Lifecycle, str]:
    """The endpoint's lifecycle and a readable reason citing specs, routes and traffic."""
    live = _live_phrase(draft)
    disabled = _disabled_note(draft)
    if (draft.is_deprecated or superseded_by) and (draft.is_routed or draft.answered):
        return Lifecycle.ZOMBIE, f"{_retired_phrase(draft, superseded_by)}, still {live}{disabled}"
    if not draft.is_documented:
        return Lifecycle.SHADOW, f"in no spec, yet {live or 'seen only with 404 answers'}{disabled}"
    documented = f"documented in {_spec_files(draft)}"
    if not (seen.has_gateway or seen.has_traffic):
        return Lifecycle.DOCUMENTED, f"{documented}; no gateway or traffic input shows whether it is live"
    if draft.is_routed or draft.answered:
        return Lifecycle.DOCUMENTED, f"{documented}, {live}{disabled}"
    return Lifecycle.ORPHAN, f"{documented} but {_absence_phrase(draft, seen)}{disabled}"


def _spec_files(draft: EndpointDraft) -> str:
    return ", ".join(dict.fromkeys(spec.path for spec, _ in draft.operations))


def _retired_phrase(draft: EndpointDraft, superseded_by: str | None) -> str:
    parts: list[str] = []
    if draft.is_deprecated:
        parts.append(f"deprecated in {_spec_files(draft)}")
    elif not draft.is_documented:
        parts.append("in no spec")
    if superseded_by:
        parts.append(f"superseded by {superseded_by}")
    return " and ".join(parts)


def _route_names(draft: EndpointDraft) -> str:
    gateways = sorted({route.gateway for route in draft.routes})
    ids = ", ".join(dict.fromkeys(route.route_id for route in draft.routes))
    noun = "routes" if len(draft.routes) > 1 else "route"
    return f"{'/'.join(gateways)} {noun} {ids}"


def _live_phrase(draft: EndpointDraft) -> str:
    """`routed by apisix route claims-prod and called 1,204 times`, or only one of the two."""
    parts: list[str] = []
    if draft.is_routed:
        parts.append(f"routed by {_route_names(draft)}")
    if draft.traffic is not None and draft.answered:
        parts.append(f"called {_times(draft.traffic.requests)}")
    elif draft.traffic is not None:
        parts.append(f"called {_times(draft.traffic.requests)}, all answered 404")
    return " and ".join(parts)


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count:,} times"


def _absence_phrase(draft: EndpointDraft, seen: InputsSeen) -> str:
    parts: list[str] = []
    if seen.has_gateway:
        parts.append("routed by no enabled gateway route")
    if seen.has_traffic:
        if draft.traffic is not None:
            parts.append(f"only ever answered 404 ({draft.traffic.requests:,} requests)")
        else:
            parts.append("never called in the traffic given")
    return " and ".join(parts)


def _disabled_note(draft: EndpointDraft) -> str:
    if not draft.disabled_routes:
        return ""
    ids = ", ".join(dict.fromkeys(route.route_id for route in draft.disabled_routes))
    noun = "routes" if len(draft.disabled_routes) > 1 else "route"
    return f" ({noun} {ids} disabled)"
