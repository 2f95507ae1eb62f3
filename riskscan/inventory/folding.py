"""Folding concrete paths that match no template into path templates.

Logs show `/v2/orders/1` ... `/v2/orders/9000`; an inventory wants one endpoint `/v2/orders/{id}`.
`fold_path` replaces id-like segments one at a time (numbers, UUIDs, hashes, prefixed ids such as
`CLM-2026-0001`, dates), keeping the placeholders redaction already put in (`{email}`, `{token}` ...).
`fold_paths` folds a whole set: it reuses a spec's own template where the path starts like one
(`/v2/claims/123/notes` -> `/v2/claims/{claimId}/notes`) and folds sibling literals when many
distinct values sit at the same place under the same parent or its sibling folders (`/users/alice`,
`/users/bob`, ...; never the first segment). A year inside a name (`report-2024.pdf`) is not an id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from riskscan.inventory.templates import PrefixMatch, is_placeholder
from riskscan.redaction import redact_path_segment

__all__ = ["SIBLING_THRESHOLD", "fold_path", "fold_paths", "fold_segment"]

SIBLING_THRESHOLD = 20
"""Distinct literal values at one position under one parent from which they fold to `{param}`."""

# Sibling folding looks this deep at most, so that one absurdly long (hostile) path costs little.
_SIBLING_DEPTH_LIMIT = 32

_NUMBER = re.compile(r"^\d+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_HEX = re.compile(r"^[0-9a-fA-F]{8,}$")
_PREFIXED = re.compile(r"^[A-Za-z]{1,12}[-_]([A-Za-z0-9][A-Za-z0-9_-]*)$")
_GENERIC = frozenset({"{id}", "{uuid}", "{hash}", "{date}"})
_OPAQUE = re.compile(r"^[A-Za-z0-9]{16,}$")
# Embedded ids must stand between separators (`-`, `_`, `.`) or the segment's ends, so that words
# with digits (`oauth2`, `iso27001`, `v2`) survive.
_EMBEDDED_UUID = re.compile(r"(?<![^-_.])[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}(?![^-_.])")
_EMBEDDED_DATE = re.compile(r"(?<![^-_.])\d{4}-\d{2}-\d{2}(?![^-_.])")
_EMBEDDED_NUMBER = re.compile(r"(?<![^-_.])\d{4,}(?![^-_.])")
# A year standing alone inside a name (`report-2024.pdf`, `2023_summary`, `monitorama-2013`) names an
# edition, not an object: it stays literal. A whole segment of digits is still an id.
_EMBEDDED_YEAR = re.compile(r"(?<![^-_.])(?:19|20)\d{2}(?![^-_.])")


@lru_cache(maxsize=65536)
def fold_segment(segment: str) -> str:
    """Replace one id-like path segment with a placeholder; other segments come back unchanged.

    numeric -> `{id}`, UUID -> `{uuid}`, date -> `{date}`, 8+ hex characters with a digit ->
    `{hash}`, prefixed ids (`crd_123`, `pol-000123`, `CLM-2026-0001`) and long opaque ids -> `{id}`;
    personal data or credentials still in the path -> the redaction placeholder. Ids inside a
    file-like segment fold in place (`claims-2026-11-10.csv` -> `claims-{date}.csv`), giving a
    partial-segment template the matcher understands.
    """
    if not segment or is_placeholder(segment):
        return segment
    redacted = redact_path_segment(segment)
    if redacted != segment:
        return redacted
    if _NUMBER.match(segment):
        return "{id}"
    if _UUID.match(segment):
        return "{uuid}"
    if _DATE.match(segment):
        return "{date}"
    if _HEX.match(segment) and _has_digit(segment):
        return "{hash}"
    if _is_prefixed_id(segment) or _is_opaque_id(segment):
        return "{id}"
    return _fold_inside(segment)


def _fold_inside(segment: str) -> str:
    """Fold ids embedded in a file-like segment: `claims-2026-11-10.csv` -> `claims-{date}.csv`."""
    if not _has_digit(segment):
        return segment
    segment = _EMBEDDED_UUID.sub("{uuid}", segment)
    segment = _EMBEDDED_DATE.sub("{date}", segment)
    return _EMBEDDED_NUMBER.sub(_number_placeholder, segment)


def _number_placeholder(found: re.Match[str]) -> str:
    """`{id}` for an embedded number, except a year, which stays as written."""
    return found[0] if _EMBEDDED_YEAR.fullmatch(found[0]) else "{id}"


def fold_path(path: str) -> str:
    """Fold every id-like segment of a concrete path; drops a trailing slash. Idempotent."""
    folded = "/".join(_distinct_names([fold_segment(segment) for segment in path.split("/")]))
    return folded.rstrip("/") or "/"


def fold_paths(
    paths: Iterable[str],
    known_prefix: Callable[[str], PrefixMatch | None] | None = None,
    threshold: int = SIBLING_THRESHOLD,
) -> dict[str, str]:
    """Fold a set of concrete paths into templates: `{concrete path: template}`.

    `known_prefix` gives the longest spec template prefix of a path (see
    `TemplateMatcher.longest_prefix`); those segments take the template's own names. Then id-like
    segments fold one by one, and finally sibling literals fold to `{param}` where at least
    `threshold` distinct values share a position and a parent.
    """
    distinct = list(dict.fromkeys(paths))
    rows = [_fold_row(path, known_prefix) for path in distinct]
    _fold_siblings(rows, threshold)
    return {path: "/" + "/".join(_distinct_names(row)) for path, row in zip(distinct, rows, strict=True)}


def _distinct_names(segments: list[str]) -> list[str]:
    """Number repeated placeholders (`/partners/{id}/statements/{id_2}`): a template names each
    parameter once, as OpenAPI requires. Already-numbered names are left alone, so this is idempotent."""
    seen: set[str] = set()
    named: list[str] = []
    for segment in segments:
        candidate, number = segment, 1
        while is_placeholder(segment) and candidate in seen:
            number += 1
            candidate = f"{segment[:-1]}_{number}}}"
        seen.add(candidate)
        named.append(candidate)
    return named


def _fold_row(path: str, known_prefix: Callable[[str], PrefixMatch | None] | None) -> list[str]:
    segments = [segment for segment in path.split("/") if segment]
    row = [fold_segment(segment) for segment in segments]
    if known_prefix is None or "%2f" in path.lower():
        return row
    prefix = known_prefix(path)
    if prefix is not None and len(prefix.segments) <= len(row):
        row[: len(prefix.segments)] = prefix.segments
    return row


def _fold_siblings(rows: list[list[str]], threshold: int) -> None:
    """Top-down, replace crowded literal positions with `{param}` in place.

    The first segment never folds: it names an API or a top-level resource (`/claims`, `/blog`),
    and a site with twenty of them has twenty areas, not one parameter. Below it, sibling folders
    are judged together: the names inside `/blog/geekery/` and `/blog/tags/` are counted as one
    crowd, so the two fold, or stay literal, alike, just as the folders under an already folded
    parent (`/files/{param}/...`) always were.
    """
    depth_limit = min(max((len(row) for row in rows), default=0), _SIBLING_DEPTH_LIMIT)
    for depth in range(1, depth_limit):
        values: dict[tuple[str, ...], set[str]] = {}
        for row in rows:
            if len(row) > depth and not is_placeholder(row[depth]):
                values.setdefault(_family(row, depth), set()).add(row[depth])
        crowded = {family for family, seen in values.items() if len(seen) >= threshold}
        if not crowded:
            continue
        for row in rows:
            if len(row) > depth and _is_foldable(row[depth]) and _family(row, depth) in crowded:
                row[depth] = "{param}"


def _family(row: list[str], depth: int) -> tuple[str, ...]:
    """Which crowd the segment at `depth` counts in: its grandparent's, or its area's one level down."""
    return tuple(row[: max(depth - 1, 1)])


def _is_foldable(segment: str) -> bool:
    """Literals, and the generic placeholders folding made, give way to `{param}` where crowded."""
    return segment in _GENERIC or not is_placeholder(segment)


def _has_digit(text: str) -> bool:
    return any(char.isdigit() for char in text)


def _is_prefixed_id(segment: str) -> bool:
    """`crd_123`, `pol-000123`, `CLM-2026-0001`, `cus_NffrFeUfNV2Hib`; not `api-v1`, `oauth-callback`
    or a name with a year in it (`logstash-monitorama-2013`, `summary_2023`)."""
    found = _PREFIXED.match(segment)
    if found is None:
        return False
    rest = found.group(1)
    if not _has_digit(_EMBEDDED_YEAR.sub("", rest)):
        return False
    return rest[0].isdigit() or (len(rest) >= 8 and _has_digit(rest))


def _is_opaque_id(segment: str) -> bool:
    """Long letter-and-digit runs such as ULIDs or database keys."""
    return _OPAQUE.match(segment) is not None and _has_digit(segment) and not segment.isdigit()
