"""The figure each per-endpoint control detail turns on, worded for one endpoint.

Rate limiting: how the limit is keyed (per client, per IP address, one shared counter), by which
plugin and at what rate a minute, beside the most requests one client made in one clock minute.
Object-level authorization: how guessable the endpoint's object ids are, how many objects its
busiest client called, and the authentication in force. Authentication: the kind in force and what
enforces it. Each comes with where the evidence for it was read (file and line), as the inputs
recorded it. Figures are copied from the
endpoint and formatted; the verdicts are the controls' own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from riskscan.controls.rate_limit_checks import minute_text, per_minute
from riskscan.model import AuthKind, Endpoint, Evidence, IdGuessability, RateLimitKeying, RateLimitPolicy
from riskscan.report.labels import AUTH_LABELS, format_count

__all__ = [
    "FIGURES",
    "ID_SHAPE_LABELS",
    "KEYING_LABELS",
    "DetailFigure",
    "auth_figure",
    "id_shape_figure",
    "rate_limit_figure",
]

KEYING_LABELS: Mapping[RateLimitKeying, str] = MappingProxyType({
    RateLimitKeying.CLIENT: "per client identity",
    RateLimitKeying.ADDRESS: "per IP address",
    RateLimitKeying.SHARED: "one counter shared by all callers",
    RateLimitKeying.UNKNOWN: "keying not shown",
})

ID_SHAPE_LABELS: Mapping[IdGuessability, str] = MappingProxyType({
    IdGuessability.SEQUENTIAL: "sequential ids",
    IdGuessability.UNGUESSABLE: "UUIDs (unguessable)",
    IdGuessability.UNKNOWN: "id type unknown",
})


@dataclass(frozen=True, slots=True)
class DetailFigure:
    """One control's figure for one endpoint: a short headline, its detail, a CSS class, a source."""

    text: str  # "per IP address", "sequential ids", "API key"
    note: str  # "limit-count by remote_addr: 10 a minute; busiest client 40 in one minute"
    css: str  # bad, warn, ok or empty
    source: str  # "gateway/apisix.yaml:31", or empty when the inputs recorded none


def rate_limit_figure(endpoint: Endpoint) -> DetailFigure:
    """Keying and configured limits against the busiest client's peak minute."""
    posture, traffic = endpoint.rate_limit, endpoint.traffic
    peak = traffic.peak_requests_per_minute if traffic else 0
    source = _source(tuple(p.evidence for p in posture.policies) + posture.evidence)
    peak_text = f"busiest client {format_count(peak)} in one minute" if peak else ""
    if posture.enforced is None:
        return DetailFigure("not shown by these inputs", peak_text, "warn", source)
    if not posture.enforced:
        return DetailFigure("no rate limit", peak_text, "bad", source)
    limits = list(dict.fromkeys(_policy_text(policy) for policy in posture.policies)) or list(posture.by)
    rates = [rate for policy in posture.policies if (rate := per_minute(policy)) is not None]
    is_over = bool(rates) and peak > min(rates)
    if is_over and traffic is not None:
        peak_text += (f" ({minute_text(traffic.peak_rate_minute)}), above the {_rate_text(min(rates))} "
                      "a minute configured")
    keying = KEYING_LABELS[posture.keying] if posture.keying else "keying not shown"
    css = "bad" if is_over else ("" if posture.keying is RateLimitKeying.CLIENT else "warn")
    note = "; ".join(part for part in ("; ".join(limits), peak_text) if part)
    return DetailFigure(keying, note, css, source)


def id_shape_figure(endpoint: Endpoint) -> DetailFigure:
    """How guessable the object ids are and why, with the most objects one client called."""
    traffic = endpoint.traffic
    walked = (f"busiest client called {format_count(traffic.max_paths_per_client)} distinct objects"
              if traffic and traffic.max_paths_per_client > 1 else "")
    source = _source(traffic.evidence if traffic else ())
    kind = endpoint.id_guessability
    auth = f"authentication: {AUTH_LABELS[endpoint.auth.effective]}" if endpoint.auth.is_known else ""
    if kind is None:
        return DetailFigure("no object id in the path", "; ".join(p for p in (walked, auth) if p), "", source)
    note = "; ".join(part for part in (endpoint.id_guessability_reason or "", walked, auth) if part)
    css = {IdGuessability.SEQUENTIAL: "bad", IdGuessability.UNKNOWN: "warn"}.get(kind, "ok")
    return DetailFigure(ID_SHAPE_LABELS[kind], note, css, source)


def auth_figure(endpoint: Endpoint) -> DetailFigure:
    """The authentication in force, what enforces it and what the spec declares."""
    auth = endpoint.auth
    source = _source(auth.evidence)
    if not auth.is_known:
        return DetailFigure("not shown by these inputs", "", "warn", source)
    notes = [auth.enforced_by or "not enforced"]
    if auth.allows_anonymous and auth.effective is not AuthKind.NONE:
        notes.append("anonymous allowed")
    declared = [AUTH_LABELS[kind] for kind in auth.declared if kind is not auth.effective]
    if declared:
        notes.append(f"spec declares {', '.join(declared)}")
    css = "bad" if auth.effective is AuthKind.NONE else ("ok" if auth.effective.is_strong else "warn")
    return DetailFigure(AUTH_LABELS[auth.effective], "; ".join(notes), css, source)


FIGURES: Mapping[str, tuple[str, Callable[[Endpoint], DetailFigure]]] = MappingProxyType({
    "rate_limit": ("Keying, limit and peak minute", rate_limit_figure),
    "object_authorization": ("Object ids", id_shape_figure),
    "auth": ("Authentication in force", auth_figure),
})
"""The controls given per-endpoint detail, in report order: the figure's column heading and maker."""


def _policy_text(policy: RateLimitPolicy) -> str:
    """`limit-count by remote_addr: 10 a minute` (the rate left out when the config does not give it)."""
    text = f"{policy.plugin} by {policy.key}" if policy.key else str(policy.plugin)
    rate = per_minute(policy)
    return f"{text}: {_rate_text(rate)} a minute" if rate is not None else text


def _rate_text(rate: float) -> str:
    """A rate a minute, whole when it is whole: 600, 0.5, 12.25."""
    return format_count(int(rate)) if rate.is_integer() else f"{rate:.2f}".rstrip("0")


def _source(evidence: tuple[Evidence, ...]) -> str:
    """Where the first piece of evidence was read, `path:line`."""
    if not evidence:
        return ""
    first = evidence[0]
    return f"{first.path}:{first.line}" if first.line is not None else first.path
