"""Working records for endpoints while the inventory is assembled, and traffic aggregation.

An `EndpointDraft` collects what each source says about one (method, path template, host): the spec
operations that document it, the gateway routes that serve it and the traffic folded into it.
`TrafficTally` merges `PathTraffic` aggregates from every traffic file into one `TrafficStats`,
including the id-walking signal (the most distinct concrete paths one client called).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from riskscan.model import (
    ApiSpec,
    ClientTraffic,
    Evidence,
    GatewayRoute,
    PathTraffic,
    SpecOperation,
    TrafficSample,
    TrafficStats,
)
from riskscan.inventory.folding import fold_segment
from riskscan.redaction import redact_path

__all__ = [
    "EndpointDraft",
    "EndpointKey",
    "MAX_RESPONSE_FIELDS",
    "TrafficTally",
    "example_path",
    "route_identity",
]

EndpointKey = tuple[str, str, str | None]
"""(method, path template, host): what makes an endpoint one endpoint."""

_SAMPLE_LINES = 5
_NO_MINUTE = datetime.max.replace(tzinfo=UTC)  # sorts a peak without its minute after every dated one
_QUERY_KEYS = 20  # query-string keys listed per endpoint, the most used first
MAX_RESPONSE_FIELDS = 200
"""Response field names kept per endpoint across every traffic file (the first in sorted order)."""


def route_identity(route: GatewayRoute) -> tuple[str, str, str]:
    """Routes are told apart by gateway, config file and id (two files may both have a route "1")."""
    return (route.gateway, route.evidence.path, route.route_id)


@dataclass
class _SampleTally:
    requests: int = 0
    objects: int = 0  # distinct concrete paths (summed over the reduced paths of this file)
    lines: list[int] = field(default_factory=list)
    paths: set[str] = field(default_factory=set)


@dataclass
class _ClientTally:
    """One client's share of an endpoint, across files and reduced paths."""

    keys: list[ClientTraffic] = field(default_factory=list)
    lowest_id: int | None = None
    highest_id: int | None = None
    failed_auth: int = 0
    peak_failed_auth_per_minute: int = 0  # the highest of any one file (a minute split by rotation counts twice)
    peak_requests_per_minute: int = 0  # the same for all its requests, with the minute it was reached in
    peak_minute: datetime | None = None

    def add(self, client: ClientTraffic) -> None:
        self.keys.append(client)
        self.failed_auth += client.failed_auth
        self.peak_failed_auth_per_minute = max(self.peak_failed_auth_per_minute, client.peak_failed_auth_per_minute)
        if client.peak_requests_per_minute > self.peak_requests_per_minute:
            self.peak_requests_per_minute = client.peak_requests_per_minute
            self.peak_minute = client.peak_minute
        if client.lowest_id is not None and (self.lowest_id is None or client.lowest_id < self.lowest_id):
            self.lowest_id = client.lowest_id
        if client.highest_id is not None and (self.highest_id is None or client.highest_id > self.highest_id):
            self.highest_id = client.highest_id

    def objects(self) -> int:
        """Distinct concrete paths; a union of keys only when the client shows in several places."""
        if len(self.keys) == 1:
            return self.keys[0].objects
        return len(set().union(*(client.keys() for client in self.keys)))

    def window(self) -> tuple[datetime, datetime] | None:
        """The client's first and last request to the endpoint, over every file it shows in."""
        firsts = [client.first_seen for client in self.keys if client.first_seen is not None]
        lasts = [client.last_seen for client in self.keys if client.last_seen is not None]
        return (min(firsts), max(lasts)) if firsts and lasts else None

    def id_span(self) -> int:
        """How many ids lie between the lowest and highest numeric id called (0 without numeric ids)."""
        if self.lowest_id is None or self.highest_id is None:
            return 0
        return self.highest_id - self.lowest_id + 1

    def is_sequential(self, objects: int) -> bool:
        """Numeric ids that fill at least nine tenths of their span: ids walked in order."""
        if self.lowest_id is None or self.highest_id is None or objects < 2:
            return False
        return objects * 10 >= (self.highest_id - self.lowest_id + 1) * 9


@dataclass
class TrafficTally:
    """Requests folded into one endpoint, across all traffic files."""

    requests: int = 0
    not_found: int = 0
    unauthorized: int = 0
    throttled: int = 0
    status_classes: dict[str, int] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    clients: dict[int, _ClientTally] = field(default_factory=dict)
    unknown: _ClientTally = field(default_factory=_ClientTally)  # requests whose log named no client
    by_sample: dict[str, _SampleTally] = field(default_factory=dict)
    query_keys: dict[str, int] = field(default_factory=dict)
    response_fields: set[str] = field(default_factory=set)
    verbose_errors: dict[str, int] = field(default_factory=dict)
    verbose_lines: dict[str, list[int]] = field(default_factory=dict)  # traffic file -> leaking entries
    verbose_responses: int = 0

    def add(self, sample: TrafficSample, item: PathTraffic) -> None:
        """Fold one reduced path's aggregate from `sample` into this tally."""
        self.requests += item.requests
        self.not_found += item.not_found
        self.unauthorized += item.unauthorized
        self.throttled += item.throttled
        statuses = self.status_classes
        for status, count in item.status_classes.items():
            statuses[status] = statuses.get(status, 0) + count
        if item.first_seen is not None and (self.first_seen is None or item.first_seen < self.first_seen):
            self.first_seen = item.first_seen
        if item.last_seen is not None and (self.last_seen is None or item.last_seen > self.last_seen):
            self.last_seen = item.last_seen
        for client in item.clients:
            owner = self.clients.setdefault(client.client_id, _ClientTally()) if client.is_known else self.unknown
            owner.add(client)
        for key, count in item.query_keys.items():
            self.query_keys[key] = self.query_keys.get(key, 0) + count
        self.response_fields.update(item.response_fields)
        for kind, count in item.verbose_errors.items():
            self.verbose_errors[kind] = self.verbose_errors.get(kind, 0) + count
        self.verbose_responses += item.verbose_error_responses
        if item.verbose_errors:
            lines = self.verbose_lines.setdefault(sample.path, [])
            lines[:] = sorted(lines + list(item.verbose_error_lines))[:_SAMPLE_LINES]
        tally = self.by_sample.setdefault(sample.path, _SampleTally())
        tally.requests += item.requests
        tally.objects += item.objects
        tally.paths.add(item.path)
        if len(tally.lines) < _SAMPLE_LINES:
            tally.lines.extend(item.sample_lines[: _SAMPLE_LINES - len(tally.lines)])

    def stats(self, template: str) -> TrafficStats:
        """The merged `TrafficStats` for the endpoint `template`, with one `Evidence` per traffic file."""
        objects = {client_id: client.objects() for client_id, client in self.clients.items()}
        busiest = max(objects, key=lambda client_id: (objects[client_id], -client_id), default=None)
        every = [item for client in (*self.clients.values(), self.unknown) for item in client.keys]
        distinct = every[0].objects if len(every) == 1 else len(set().union(*(item.keys() for item in every)))
        others = sorted(count for client_id, count in objects.items() if client_id != busiest)
        top = self.clients[busiest] if busiest is not None else None
        rated = self._fastest_client()
        leaking = f"error bodies leaking {', '.join(sorted(self.verbose_errors))} (text not kept)"
        return TrafficStats(
            requests=self.requests,
            clients=len(self.clients),
            status_classes=dict(sorted(self.status_classes.items())),
            first_seen=self.first_seen,
            last_seen=self.last_seen,
            distinct_paths=max(distinct, 1),
            max_paths_per_client=objects[busiest] if busiest is not None else 0,
            is_walk_sequential=busiest is not None and self.clients[busiest].is_sequential(objects[busiest]),
            unauthorized=self.unauthorized,
            throttled=self.throttled,
            max_failed_auth_per_client=max((tally.failed_auth for tally in self.clients.values()), default=0),
            peak_failed_auth_per_minute=max(
                (tally.peak_failed_auth_per_minute for tally in self.clients.values()), default=0),
            query_keys=dict(sorted(self.query_keys.items(), key=lambda item: (-item[1], item[0]))[:_QUERY_KEYS]),
            evidence=tuple(
                _sample_evidence(name, tally, template) for name, tally in sorted(self.by_sample.items())
            ),
            response_fields=tuple(sorted(self.response_fields)[:MAX_RESPONSE_FIELDS]),
            others_p99_paths_per_client=_percentile(others, 0.99),
            busiest_client=busiest,
            busiest_requests=sum(item.requests for item in top.keys) if top is not None else 0,
            busiest_id_span=top.id_span() if top is not None else 0,
            busiest_window=top.window() if top is not None else None,
            peak_requests_per_minute=self.clients[rated].peak_requests_per_minute if rated is not None else 0,
            peak_rate_client=rated,
            peak_rate_minute=self.clients[rated].peak_minute if rated is not None else None,
            id_span=self._id_span(),
            verbose_errors=dict(sorted(self.verbose_errors.items())),
            verbose_error_responses=self.verbose_responses,
            verbose_error_evidence=tuple(
                Evidence(path=name, sample_lines=tuple(lines), note=leaking)
                for name, lines in sorted(self.verbose_lines.items())
            ),
        )

    def _id_span(self) -> int:
        """How many ids lie between the lowest and highest numeric id any client called (0: none)."""
        tallies = (*self.clients.values(), self.unknown)
        lows = [tally.lowest_id for tally in tallies if tally.lowest_id is not None]
        highs = [tally.highest_id for tally in tallies if tally.highest_id is not None]
        return max(highs) - min(lows) + 1 if lows and highs else 0

    def _fastest_client(self) -> int | None:
        """The client with the most requests in one clock minute (among equals, the earliest such
        minute, then the lowest id); None when no client's minutes were counted."""
        rated = [(tally.peak_requests_per_minute, tally.peak_minute, client_id)
                 for client_id, tally in self.clients.items() if tally.peak_requests_per_minute]
        if not rated:
            return None
        return min(rated, key=lambda item: (-item[0], item[1] or _NO_MINUTE, item[2]))[2]


def _percentile(values: list[int], share: float) -> int:
    """The nearest-rank percentile of sorted `values` (0 for none): robust to a handful of heavy
    partners among thousands of clients, unlike the maximum."""
    if not values:
        return 0
    rank = max(1, -(-len(values) * share // 1))  # ceil(n * share), at least 1
    return values[int(rank) - 1]


def _sample_evidence(sample_path: str, tally: _SampleTally, template: str) -> Evidence:
    """How many concrete paths of one traffic file the endpoint folds, with an example when the
    example says more than the template does."""
    count = tally.objects
    example = example_path(min(tally.paths), template)
    is_telling = example.rstrip("/") != template.rstrip("/")  # not just the template again
    if count == 1:
        note = f"e.g. {example}" if is_telling else None
    else:
        note = f"{count:,} distinct paths" + (f", e.g. {example}" if is_telling else "")
    return Evidence(
        path=sample_path, count=tally.requests, sample_lines=tuple(sorted(tally.lines)), note=note
    )


def example_path(concrete: str, template: str) -> str:
    """A concrete path as shown beside its endpoint: never a segment that became a placeholder.

    Where the template has a placeholder (`{token}`, `claims-{date}.csv`) the example shows it too,
    whatever the concrete segment was: folding or spec matching may have hidden a secret there that
    redaction did not recognise. Segments past a prefix route's template (`/ops/*`) are shown folded.
    """
    shown = template.split("/")
    wildcard = next((index for index, segment in enumerate(shown) if segment.endswith("*")), None)
    shown = shown if wildcard is None else shown[:wildcard]  # `/ops/*`: what follows is folded
    segments = concrete.split("/")
    kept = [
        (shown[index] if "{" in shown[index] else segment) if index < len(shown) else fold_segment(segment)
        for index, segment in enumerate(segments)
    ]
    return redact_path("/".join(kept))


@dataclass
class EndpointDraft:
    """Everything known about one endpoint so far; turned into an `Endpoint` at the end."""

    method: str
    path: str
    host: str | None
    operations: list[tuple[ApiSpec, SpecOperation]] = field(default_factory=list)
    routes: list[GatewayRoute] = field(default_factory=list)  # enabled routes that serve it
    disabled_routes: list[GatewayRoute] = field(default_factory=list)
    traffic: TrafficTally | None = None

    @property
    def key(self) -> EndpointKey:
        """The endpoint's identity."""
        return (self.method, self.path, self.host)

    @property
    def is_documented(self) -> bool:
        """True when some spec describes it."""
        return bool(self.operations)

    @property
    def is_routed(self) -> bool:
        """True when an enabled gateway route serves it."""
        return bool(self.routes)

    @property
    def answered(self) -> int:
        """Requests answered with anything but a 404 (0 without traffic): a 401 or a 429 still shows
        that something serves the path; only "not found" says nothing is there."""
        return self.traffic.requests - self.traffic.not_found if self.traffic is not None else 0

    @property
    def is_deprecated(self) -> bool:
        """True when any spec documenting it marks it deprecated."""
        return any(operation.deprecated for _, operation in self.operations)

    def add_route(self, route: GatewayRoute) -> None:
        """Record a route serving this endpoint (enabled or not), once."""
        bucket = self.routes if route.is_enabled else self.disabled_routes
        identity = route_identity(route)
        if all(route_identity(existing) != identity for existing in bucket):
            bucket.append(route)

    def add_traffic(self, sample: TrafficSample, item: PathTraffic) -> None:
        """Fold one concrete path's traffic into this endpoint."""
        if self.traffic is None:
            self.traffic = TrafficTally()
        self.traffic.add(sample, item)
