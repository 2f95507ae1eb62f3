"""The inventory table of the report: one flat row per endpoint, sorted by path, method and host.

Each row carries the endpoint's postures as short, already-formatted words (authentication, rate
limit, logging, traffic), its exposure and id shape when they say something, the controls that
judged it failing or partial (`verdicts_view`) and its finding ids. Rows stay flat because the table
can have thousands of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from riskscan.model import Assessment, AuthKind, AuthPosture, Endpoint, IdGuessability
from riskscan.report.control_figures import ID_SHAPE_LABELS
from riskscan.report.json_report import finding_ids_by_endpoint
from riskscan.report.labels import AUTH_LABELS, format_count, logging_label, rate_limit_label
from riskscan.report.verdicts_view import EXPOSURE_NOTES, Verdict, endpoint_verdicts

__all__ = ["EndpointRow", "build_endpoint_rows"]


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
    )


def _id_shape(kind: IdGuessability | None) -> str:
    """The inventory's note on object ids: only what is known, so rows stay short."""
    return "" if kind is None or kind is IdGuessability.UNKNOWN else ID_SHAPE_LABELS[kind]


def _auth_css(auth: AuthPosture) -> str:
    """`bad` for no authentication, `ok` for strong, `warn` for weak or unknown."""
    if not auth.is_known:
        return "warn"
    return "bad" if auth.effective is AuthKind.NONE else ("ok" if auth.effective.is_strong else "warn")
