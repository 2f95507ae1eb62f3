"""Words and number formats the human-readable reports use, kept apart from the view's structure.

Formatting is locale-independent on purpose (month names and separators are fixed), so the same
assessment renders the same report on every machine.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from riskscan.model import AuthKind, Lifecycle, Severity, WebContent, WebContentClass

__all__ = [
    "AUTH_LABELS",
    "LIFECYCLE_MEANING",
    "SEVERITY_ORDER",
    "format_count",
    "format_date",
    "format_datetime",
    "logging_label",
    "rate_limit_label",
    "web_content_sentence",
]

SEVERITY_ORDER: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: -s.rank))
"""Severities from most to least severe, the order reports list them in."""

AUTH_LABELS: dict[AuthKind, str] = {
    AuthKind.NONE: "none",
    AuthKind.API_KEY: "API key",
    AuthKind.BASIC: "HTTP Basic",
    AuthKind.BEARER: "bearer token",
    AuthKind.OAUTH2: "OAuth 2.0",
    AuthKind.OIDC: "OpenID Connect",
    AuthKind.MTLS: "mutual TLS",
}

LIFECYCLE_MEANING: dict[Lifecycle, str] = {
    Lifecycle.DOCUMENTED: "described in a specification",
    Lifecycle.SHADOW: "routed or called, but in no specification",
    Lifecycle.ZOMBIE: "deprecated or superseded, yet still routed or called",
    Lifecycle.ORPHAN: "documented, but neither routed nor called",
}

_WEB_CONTENT_LABELS: dict[WebContentClass, str] = {
    WebContentClass.DOCUMENT: "pages and documents",
    WebContentClass.MEDIA: "audio and video",
    WebContentClass.ARCHIVE: "archives",
    WebContentClass.EXECUTABLE: "programs",
    WebContentClass.SOURCE: "source files",
    WebContentClass.ASSET: "stylesheets, scripts, images and fonts",
    WebContentClass.SITE: "site files such as robots.txt",
}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def format_count(count: int) -> str:
    """An integer with thousands separators: 12345 -> "12,345"."""
    return f"{count:,}"


def format_date(moment: datetime) -> str:
    """A day as "24 November 2026", in the moment's own time zone."""
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def format_datetime(moment: datetime) -> str:
    """A moment as "24 November 2026, 09:52 UTC" (or "+02:00" for another offset)."""
    return f"{format_date(moment)}, {moment:%H:%M} {_zone(moment)}"


def rate_limit_label(enforced: bool | None, by: tuple[str, ...]) -> tuple[str, str]:
    """Text and CSS class for a rate-limit posture: the policies, "none" or "unknown"."""
    if enforced is None:
        return "unknown", "unknown"
    if not enforced:
        return "none", "bad"
    return ("; ".join(by) or "yes"), "ok"


def logging_label(logged: bool | None, loggers: tuple[str, ...]) -> tuple[str, str]:
    """Text and CSS class for a logging posture: the loggers, "none", "partly: ..." or "unknown"."""
    if logged is None:
        return "unknown", "unknown"
    if not logged:
        # Some serving route logs, another does not (a sandbox route, say): not a yes.
        return (f"partly: {', '.join(loggers)}", "warn") if loggers else ("none", "warn")
    return (", ".join(loggers) or "yes"), "ok"


def _zone(moment: datetime) -> str:
    offset = moment.utcoffset()
    if offset is None or offset == timedelta(0):
        return "UTC"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def web_content_sentence(web_content: WebContent) -> str:
    """One sentence on the web content set apart from the inventory; empty when there was none."""
    if not web_content.requests:
        return ""
    parts = [f"{_WEB_CONTENT_LABELS[kind]} {format_count(count)}" for kind, count in
             sorted(web_content.requests_by_class.items(), key=lambda item: (-item[1], item[0].value))]
    requests = "request" if web_content.requests == 1 else "requests"
    paths = "path" if web_content.distinct_paths == 1 else "paths"
    return (f"{format_count(web_content.requests)} {requests} for web content "
            f"({format_count(web_content.distinct_paths)} distinct {paths}: {'; '.join(parts)}) matched no "
            "specification or gateway route and are counted apart: they are not API endpoints and are not "
            "listed here.")
