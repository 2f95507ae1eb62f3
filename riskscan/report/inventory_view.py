"""The inventory table of the report: one flat row per endpoint, sorted by path, method and host.

Each row carries the endpoint's postures as short, already-formatted words (authentication, rate
limit, logging, traffic), its exposure and id shape when they say something, the controls that
judged it failing or partial (`verdicts_view`) and its finding ids. Rows stay flat because the table
can have thousands of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from riskscan.model import Assessment, AuthKind, AuthPosture, Endpoint, IdGuessability
from riskscan.report.control_figures import ID_SHAPE_LABELS
from riskscan.report.json_report import finding_ids_by_endpoint
from riskscan.report.labels import AUTH_LABELS, format_count, logging_label, rate_limit_label
from riskscan.report.verdicts_view import EXPOSURE_NOTES, Verdict, endpoint_verdicts

__all__ = ["MAX_PRINTED_ENDPOINTS", "EndpointRow", "PrintedInventory", "build_endpoint_rows", "printed_inventory"]

MAX_PRINTED_ENDPOINTS = 500
"""Rows the PDF's inventory table holds at most: a page lays out about ten, at a fifth of a second each,
so an estate of 20,000 endpoints would take an hour and 2,000 pages; the HTML and JSON list them all."""
# The order in which endpoints earn a place in the printed table when they do not all fit: judged
# failing by a control, then shadow, zombie and orphan (what an underwriter asks about), then those
# with findings, sensitive data, or a partial verdict; the rest by traffic.
_UNREVIEWED_LIFECYCLES = frozenset({"shadow", "zombie", "orphan"})


@dataclass(frozen=True, slots=True)
class EndpointRow:
    """One row of the inventory table."""

    method: str
    path: str
    host: str
    lifecycle: str
    lifecycle_css: str
    is_deprecated: bool
    auth: str
    auth_css: str
    enforced_by: str
    rate_limit: str
    rate_limit_css: str
    logging: str
    logging_css: str
    requests: str
    clients: str
    findings: tuple[str, ...]
    data_classes: str = ""  # "pci, pii": the sensitive data its documented fields carry
    verdicts: tuple[Verdict, ...] = ()  # the controls judging it fail or partial (verdicts_view)
    exposure: str = ""  # "internal" or "exposure unknown"; empty when public
    id_shape: str = ""  # "sequential ids" or "UUIDs (unguessable)"; empty without an id or when unknown
    request_count: int = 0  # what `requests` says, to rank rows by


def build_endpoint_rows(assessment: Assessment) -> tuple[EndpointRow, ...]:
    """The inventory table: every endpoint with its finding ids and fail or partial verdicts."""
    finding_ids = finding_ids_by_endpoint(assessment.findings)
    verdicts = endpoint_verdicts(assessment)
    return tuple(_endpoint_row(e, finding_ids.get(e.key, ()), verdicts.get(e.key, ()))
                 for e in _sorted_endpoints(assessment.inventory.endpoints))


def _sorted_endpoints(endpoints: Iterable[Endpoint]) -> list[Endpoint]:
    return sorted(endpoints, key=lambda e: (e.path, e.method, e.host or ""))


def _endpoint_row(
    endpoint: Endpoint, finding_ids: Iterable[str], verdicts: tuple[Verdict, ...] = ()
) -> EndpointRow:
    auth, traffic = endpoint.auth, endpoint.traffic
    rate_text, rate_css = rate_limit_label(endpoint.rate_limit.enforced, endpoint.rate_limit.by)
    log_text, log_css = logging_label(endpoint.is_logged, endpoint.loggers)
    enforced = auth.enforced_by or ("not shown by these inputs" if not auth.is_known else "not enforced")
    if auth.allows_anonymous and auth.effective is not AuthKind.NONE:
        enforced += "; anonymous allowed"
    return EndpointRow(
        method="ANY" if endpoint.method == "*" else endpoint.method,
        path=endpoint.path,
        host=endpoint.host or "any host",
        lifecycle=endpoint.lifecycle.value,
        lifecycle_css=f"lc-{endpoint.lifecycle.value}",
        is_deprecated=endpoint.deprecated,
        auth=AUTH_LABELS[auth.effective] if auth.is_known else "not shown",
        auth_css=_auth_css(auth),
        enforced_by=enforced,
        rate_limit=rate_text,
        rate_limit_css=rate_css,
        logging=log_text,
        logging_css=log_css,
        requests=format_count(traffic.requests) if traffic else "–",
        clients=format_count(traffic.clients) if traffic else "–",
        findings=tuple(sorted(finding_ids)),
        data_classes=", ".join(data_class.value for data_class in endpoint.data_classes),
        verdicts=verdicts,
        exposure=EXPOSURE_NOTES.get(endpoint.exposure, ""),
        id_shape=_id_shape(endpoint.id_guessability),
        request_count=traffic.requests if traffic else 0,
    )


def _id_shape(kind: IdGuessability | None) -> str:
    """The inventory's note on object ids: only what is known, so rows stay short."""
    return "" if kind is None or kind is IdGuessability.UNKNOWN else ID_SHAPE_LABELS[kind]


def _auth_css(auth: AuthPosture) -> str:
    """`bad` for no authentication, `ok` for strong, `warn` for weak or unknown."""
    if not auth.is_known:
        return "warn"
    return "bad" if auth.effective is AuthKind.NONE else ("ok" if auth.effective.is_strong else "warn")


@dataclass(frozen=True, slots=True)
class PrintedInventory:
    """The inventory table as the PDF prints it: every row when they fit, else the `MAX_PRINTED_ENDPOINTS`
    that weigh most (still sorted by path), and what was left out, counted by lifecycle."""

    rows: tuple[EndpointRow, ...]
    left_out: int = 0
    left_out_by_lifecycle: str = ""  # "1,200 documented, 3 shadow"


def printed_inventory(rows: tuple[EndpointRow, ...], limit: int = MAX_PRINTED_ENDPOINTS) -> PrintedInventory:
    """The rows the PDF prints (see `PrintedInventory`); `rows` sorted by path, as `build_endpoint_rows`
    gives them."""
    if len(rows) <= limit:
        return PrintedInventory(rows)
    ranked = sorted(range(len(rows)), key=lambda index: (_weight(rows[index]), index))
    kept = frozenset(ranked[:limit])
    left = Counter(row.lifecycle for index, row in enumerate(rows) if index not in kept)
    counts = sorted(left.items(), key=lambda item: (-item[1], item[0]))
    return PrintedInventory(
        rows=tuple(row for index, row in enumerate(rows) if index in kept),
        left_out=len(rows) - limit,
        left_out_by_lifecycle=", ".join(f"{format_count(count)} {name}" for name, count in counts),
    )


def _weight(row: EndpointRow) -> tuple[int, ...]:
    """Sort key: smaller weighs more (see `_UNREVIEWED_LIFECYCLES`'s comment)."""
    fails = sum(verdict.css == "verdict-fail" for verdict in row.verdicts)
    return (
        -fails,
        row.lifecycle not in _UNREVIEWED_LIFECYCLES,
        -len(row.findings),
        not row.data_classes,
        -len(row.verdicts),
        -row.request_count,
    )
