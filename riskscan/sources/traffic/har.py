"""HAR 1.2 captures (browser DevTools, proxies such as Charles or mitmproxy, API clients): one JSON
document whose `log.entries[]` each hold a `request`, a `response` and a `startedDateTime`.

A capture is not line-oriented: it is loaded whole through `structured` (size and nesting limits),
each entry becomes one request row (`engine.REQUEST_SCHEMA`, its `line` the entry's line in the
file) and the same `TrafficAggregator` as every log reduces and aggregates them. Kept per entry:
method, host and path from `request.url` (the query string's keys only, as for logs),
`response.status` and `startedDateTime`. A HAR names no client: the whole file is one client (the
browser or tool that recorded it), identified by the file's name and hashed like any client.

Redacted at ingestion: request and response headers, cookies, `queryString` values, `postData` and
response bodies are never kept. A JSON response body leaves only its field names (dotted paths,
`response_fields`), attached to the endpoint it came from, for the data-exposure control; which data
classes those fields hold is judged downstream, not here. An error response's body (status 400 and
above, any media type) leaves only the kinds of internals it leaks (`verbose_errors`: stack traces,
SQL errors, debug pages, exception class names), counted per endpoint with a few entry lines. Auth
schemes seen in request headers are not kept either: the traffic model has no place for them
(gateways and specs say which auth is enforced).

Entries with the wrong types, an unreal time or a relative URL are rejected one by one with a warning;
`status` 0 (Chrome's mark of a request blocked or never answered) is no request. A file that is not
a HAR document fails as a whole.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from riskscan.errors import SourceError
from riskscan.model import PathTraffic, SourceKind, TrafficSample
from riskscan.redaction import redact, redact_host, redact_path
from riskscan.sources import ReadContext
from riskscan.sources.structured import StructuredDocument, load_structured
from riskscan.sources.traffic.access_log_parse import split_request, split_target
from riskscan.sources.traffic.engine import TrafficAggregator, requests_from_rows
from riskscan.sources.traffic.reduce import reduce_path
from riskscan.sources.traffic.response_fields import is_json_type, response_field_names
from riskscan.sources.traffic.verbose_errors import leak_kinds

__all__ = ["MAX_RESPONSE_FIELDS", "HarError", "HarReader"]

log = logging.getLogger(__name__)

MAX_RESPONSE_FIELDS = 200
"""Response field names kept per endpoint of one capture (the first in sorted order)."""
_HEAD = re.compile(rb'^(?:\xef\xbb\xbf)?\s*\{\s*"log"\s*:\s*\{')
_LAST_EPOCH = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp())
_SAMPLES = 5

_Key = tuple[str, str | None, str]  # (method, host, path) as the aggregate keeps them


class HarError(SourceError):
    """A file that looked like a HAR capture but is not one."""


@dataclass
class _Entries:
    """What the entries of one capture came to: request rows, response field names per endpoint."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    fields: dict[_Key, set[str]] = field(default_factory=dict)
    malformed: list[int] = field(default_factory=list)
    not_requests: list[int] = field(default_factory=list)
    unread_bodies: int = 0
    leaks: dict[_Key, _Leaks] = field(default_factory=dict)


@dataclass
class _Leaks:
    """Error responses of one endpoint whose bodies leaked internals: count per kind, a few lines."""

    kinds: dict[str, int] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)
    responses: int = 0

    def add(self, kinds: frozenset[str], line: int) -> None:
        self.responses += 1
        for kind in kinds:
            self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if len(self.lines) < _SAMPLES:
            self.lines.append(line)


class HarReader:
    """Reader for HAR 1.2 captures."""

    kind = SourceKind.HAR
    title = "HAR 1.2 captures (browser DevTools, proxies, API clients), .har or .har.gz"
    summary = ("requests per method, host and path from each entry's URL and response status, one client per "
               "file; JSON response bodies kept only as field names; headers, cookies, query values and bodies "
               "dropped at ingestion")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the document opens with a `log` object naming its `creator` or `entries`."""
        return bool(_HEAD.match(head)) and (b'"entries"' in head or b'"creator"' in head)

    def read(self, path: Path, context: ReadContext) -> TrafficSample:
        """Load the capture, aggregate its entries; raise `HarError` when it is no HAR document."""
        shown = context.relative_path(path)
        document = load_structured(path, context)
        entries = _entry_list(document.data, shown)
        read = _read_entries(entries, document, shown)
        aggregator = TrafficAggregator(context.client_id)
        aggregator.add(requests_from_rows(read.rows))
        result = aggregator.result()
        warnings = (*_warnings(read, len(entries)), *result.warnings)
        for warning in warnings:
            log.warning("%s: %s", shown, redact(warning))
        rejected = len(read.malformed) + len(read.not_requests)
        fields = _as_kept(read.fields)
        leaks = _leaks_as_kept(read.leaks)
        return TrafficSample(
            path=shown,
            format="har",
            total_lines=len(entries),
            parsed_lines=len(entries) - rejected,
            rejected_lines=rejected,
            paths=tuple(_with_leaks(_with_fields(item, fields), leaks) for item in result.paths),
            first_seen=result.first_seen,
            last_seen=result.last_seen,
            distinct_clients=result.distinct_clients,
            warnings=warnings,
        )


def _entry_list(data: Any, shown: str) -> list[Any]:
    log_object = data.get("log") if isinstance(data, dict) else None
    entries = log_object.get("entries") if isinstance(log_object, dict) else None
    if not isinstance(entries, list):
        raise HarError("not a HAR capture: no log.entries list", path=shown)
    return entries


def _read_entries(entries: list[Any], document: StructuredDocument, shown: str) -> _Entries:
    """Each entry as a request row (the client is the capture itself) and its response's field names."""
    read = _Entries()
    client = f"har:{shown}"
    for index, entry in enumerate(entries):
        line = document.line_of(f"/log/entries/{index}") or index + 1
        request = _request(entry)
        if isinstance(request, str):
            (read.malformed if request == "malformed" else read.not_requests).append(line)
            continue
        method, host, path, query, status, epoch = request
        read.rows.append((line, client, epoch, method, host, path, query, status))
        names = _body_field_names(entry["response"])
        if names is None:
            read.unread_bodies += 1
        elif names:
            read.fields.setdefault((method, host, reduce_path(path)[0]), set()).update(names)
        kinds = _error_leaks(entry["response"]) if status >= 400 else frozenset()
        if kinds:
            read.leaks.setdefault((method, host, reduce_path(path)[0]), _Leaks()).add(kinds, line)
    return read


def _error_leaks(response: dict[str, Any]) -> frozenset[str]:
    """The kinds of internals an error body leaks (any media type: debug pages are HTML)."""
    content = _get(response, "content", dict)
    text = _get(content, "text", str)
    return leak_kinds(text, _get(content, "encoding", str)) if text else frozenset()


_Request = tuple[str, str | None, str, str | None, int, int]


def _request(entry: Any) -> _Request | str:
    """(method, host, path, query, status, epoch) of one entry, or why not (`malformed`, `not_request`)."""
    request, response = _get(entry, "request", dict), _get(entry, "response", dict)
    started, method = _get(entry, "startedDateTime", str), _get(request, "method", str)
    url, status = _get(request, "url", str), _get(response, "status", int)
    if started is None or method is None or url is None or status is None or isinstance(status, bool):
        return "malformed"
    epoch = _epoch(started)
    split = split_request(f"{method} {url}".encode("utf-8", "surrogateescape"))
    if epoch is None or split is None:
        return "malformed"
    host, path = split_target(split[1])
    if path is None or host is None or not 100 <= status <= 599:
        return "not_request"  # a relative or non-HTTP URL; status 0: blocked, or never answered
    query = url.partition("#")[0].partition("?")[2] or None
    return split[0], host, path, query, status, epoch


def _get(mapping: Any, key: str, kind: type) -> Any:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, kind) else None


def _epoch(started: str) -> int | None:
    """`2026-11-09T08:00:01.123+01:00` -> epoch seconds; None without a UTC offset, or unreal."""
    try:
        moment = datetime.fromisoformat(started)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    epoch = int(moment.timestamp())
    return epoch if 0 <= epoch <= _LAST_EPOCH else None


def _body_field_names(response: dict[str, Any]) -> frozenset[str] | None:
    """Field names of a JSON response body; empty when there is no JSON body, None when one is unreadable."""
    content = _get(response, "content", dict)
    mime_type, text = _get(content, "mimeType", str), _get(content, "text", str)
    if mime_type is None or text is None or not text or not is_json_type(mime_type):
        return frozenset()
    return response_field_names(text, _get(content, "encoding", str))


def _with_fields(item: PathTraffic, fields: dict[_Key, set[str]]) -> PathTraffic:
    """The endpoint's aggregate with the response field names of the entries reduced to it (`fields`
    keyed as the aggregate keeps endpoints: host and path redacted)."""
    names = fields.get((item.method, item.host, item.path))
    if not names:
        return item
    return item.model_copy(update={"response_fields": tuple(sorted(names)[:MAX_RESPONSE_FIELDS])})


def _with_leaks(item: PathTraffic, leaks: dict[_Key, _Leaks]) -> PathTraffic:
    """The endpoint's aggregate with the leak kinds of its error bodies."""
    found = leaks.get((item.method, item.host, item.path))
    if found is None:
        return item
    return item.model_copy(update={"verbose_errors": dict(sorted(found.kinds.items())),
                                   "verbose_error_lines": tuple(sorted(found.lines)),
                                   "verbose_error_responses": found.responses})


def _as_kept(fields: dict[_Key, set[str]]) -> dict[_Key, set[str]]:
    """Field names keyed by endpoint as `PathTraffic` shows it (host and path through redaction)."""
    kept: dict[_Key, set[str]] = {}
    for key, names in fields.items():
        kept.setdefault(_kept_key(key), set()).update(names)
    return kept


def _leaks_as_kept(leaks: dict[_Key, _Leaks]) -> dict[_Key, _Leaks]:
    """Leaks keyed as `_as_kept` keys field names; raw keys that redact alike are merged."""
    kept: dict[_Key, _Leaks] = {}
    for key, found in leaks.items():
        merged = kept.setdefault(_kept_key(key), _Leaks())
        merged.responses += found.responses
        for kind, count in found.kinds.items():
            merged.kinds[kind] = merged.kinds.get(kind, 0) + count
        merged.lines = sorted(merged.lines + found.lines)[:_SAMPLES]
    return kept


def _kept_key(key: _Key) -> _Key:
    method, host, path = key
    return method, redact_host(host) if host else None, redact_path(path)


def _warnings(read: _Entries, total: int) -> Iterator[str]:
    rejected = sorted(read.malformed + read.not_requests)
    if rejected:
        where = ", ".join(str(line) for line in rejected[:_SAMPLES]) + (", ..." if len(rejected) > _SAMPLES else "")
        yield (f"{len(rejected)} of {total} entries rejected ({len(read.malformed)} malformed, "
               f"{len(read.not_requests)} without an HTTP request and answer) at line{'s' if len(rejected) > 1 else ''} "
               f"{where}")
    if read.unread_bodies:
        yield f"{read.unread_bodies} JSON response bodies not read (too long, or not valid JSON)"
    if total == 0:
        yield "no entries"
