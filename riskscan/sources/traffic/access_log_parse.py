"""The hot path of the access-log reader: line parsing and per-path aggregation.

Access logs are the largest inputs riskscan reads (millions of lines), so this module trades a little
readability for speed, measured with `benchmarks/bench_ingest.py` (see the README figure):

- each run of about 1 MB of lines is split by one compiled pattern in one C call (`findall`), which
  measured faster than `bytes.partition` chains or a `match` per line; a line the fast pattern misses
  (junk, escaped quotes, quoted user names) gets a tolerant pattern, one line at a time;
- everything expensive is done once per distinct value and cached: a request line is normalised,
  redacted and reduced to its endpoint-to-be (`reduce.reduce_path`: ids folded) once, a client
  address hashed once, a timestamp's minute and zone parsed once (never `strptime`);
- tallies are kept per (method, host, reduced path) and, inside, per client (requests, the keyed
  hashes of the distinct concrete paths it called, its numeric ids' span, its 401/403 answers):
  nothing grows with the number of distinct paths but those hashes, and nothing is kept per line.

Formats (Apache `LogFormat` names): `common` `%h %l %u %t "%r" %>s %b`, `combined` adds
`"%{Referer}i" "%{User-agent}i"`, `vhost_combined` prefixes `%v:%p`. nginx's default `combined` is the
same shape. The basic-auth user (`%u`), referer and user agent are read past and never kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeAlias
from urllib.parse import urlsplit

from riskscan.sources.traffic.aggregate import (
    FAILED_AUTH_SLOT,
    SAMPLES_PER_PATH,
    STATUS_SLOTS,
    Bucket,
    compact_record,
    new_bucket,
    new_record,
)
from riskscan.sources.traffic.reduce import object_key, reduce_path

__all__ = ["REJECTED_SAMPLES", "LogTally", "Route", "parse_clf_time", "parse_line"]

REJECTED_SAMPLES = 5
"""Line numbers of rejected lines kept per file, for the warning."""

_FORMAT_SAMPLE = 1000  # lines judged for the format name
_MONTHS = {name.encode(): index for index, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}
_METHOD_MAX = 20
_MAX_CACHED = 1 << 18  # raw requests (and their reductions) cached before the caches start afresh
# The fast patterns give (vhost or empty, client, minute, `:SS +zzzz`, method and target, status key),
# one of the two in use at a time, chosen by what the file's lines look like:
# - the target stops at any `?`, so a query string never becomes a cache key, and the protocol is left
#   out, so `GET /a?x HTTP/1.1` and `GET /a HTTP/1.0` share a key;
# - the status key is the class digit (`b"2"` for 204, a cached one-byte object, cheap to hash) or
#   `b"404"` (a path that only ever answered 404 is a probe, not an endpoint), `b"401"`, `b"403"`
#   (failed authentication) or `b"429"` (throttled), counted apart;
# - the rest of the line is consumed too, so that `findall` resumes at the next line instead of trying
#   every position of the referer and user agent.
_STATUS = rb"(40[134](?= )|429(?= )|[1-5](?=\d\d ))\d*+ "
_REQUEST_AND_STATUS = rb'"([^"\s]++ [^"?\s]*+)[^"]*+" ' + _STATUS + rb"[^\n]*+"
_TIME = rb"\[([^\]]{17})([^\]]*+)\] "
_FAST_COMMON = re.compile(rb"^()(\S++) \S++ \S++ " + _TIME + _REQUEST_AND_STATUS, re.MULTILINE)
_FAST_VHOST = re.compile(rb"^(\S++) (\S++) \S++ \S++ " + _TIME + _REQUEST_AND_STATUS, re.MULTILINE)
# The tolerant pattern: optional vhost, quoted user names, backslash-escaped quotes in the request.
_LINE = re.compile(
    rb'^(?:(\S++) )?(\S++) (\S++) (\S++|"[^"]*+") \[([^\]]++)\] "((?:[^"\\]|\\.)*+)" '
    rb"(40[134](?= )|429(?= )|[1-5](?=\d\d ))\d*+ (\S++)(.*)$",
    re.DOTALL,
)
_UNSAFE_PATH_CHARS = re.compile(r"[\x00-\x20\x7f]")
_PLAIN_PATH = re.compile(rb"[!$->@-~]*")  # printable ASCII but space, `"`, `#` and `?`

Route: TypeAlias = tuple[Bucket, int, int]
"""What a raw request line reduces to: its bucket, its object key, its numeric id (-1 when none)."""

ParsedLine = tuple[bytes | None, bytes, bytes, bytes, bytes, bool]
"""vhost, client, timestamp, request, status key (see `STATUS_SLOTS`), has referer/agent fields."""


def parse_line(line: bytes) -> ParsedLine | None:
    """Split one log line into its kept fields, or None when it is not a common/combined/vhost line.

    Checks structure only; the timestamp and request line are validated by the caller (they are
    cached per distinct value).
    """
    found = _LINE.match(line.rstrip(b"\r"))
    if found is None:
        return None
    return found[1], found[2], found[5], found[6], found[7], b'"' in found[9]


_SECONDS = {f":{second:02d}".encode(): second for second in range(61)}  # 60: a leap second


# Days a timestamp may fall on: any hour, second and UTC offset of them stays a representable
# `datetime` (a line dated 31/Dec/9999 with offset -2359 would fail the whole log when reported).
_FIRST_DAY = int(datetime(1, 1, 2, tzinfo=UTC).timestamp())
_LAST_DAY = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp())


@lru_cache(maxsize=4096)
def _day_start(date: bytes) -> int | None:
    """Epoch seconds at UTC midnight of `dd/Mon/yyyy`, or None when it is not such a date (or one
    too near the ends of the calendar `datetime` can show)."""
    day, month, year = date[:2], _MONTHS.get(date[3:6]), date[7:11]
    if month is None or date[2:3] != b"/" or date[6:7] != b"/" or not (day + year).isdigit():
        return None
    try:
        start = int(datetime(int(year), month, int(day), tzinfo=UTC).timestamp())
    except ValueError:  # year 0, 30 February ...
        return None
    return start if _FIRST_DAY <= start <= _LAST_DAY else None


def _minute_start(prefix: bytes) -> int | None:
    """`10/Oct/2000:13:55` -> epoch seconds of that minute read as UTC, or None when malformed."""
    day = _day_start(prefix[:11])
    hour, minute = prefix[12:14], prefix[15:17]
    if day is None or len(prefix) != 17 or prefix[11:12] != b":" or prefix[14:15] != b":":
        return None
    if not (hour + minute).isdigit() or int(hour) > 23 or int(minute) > 59:
        return None
    return day + int(hour) * 3600 + int(minute) * 60


def _offset_seconds(zone: bytes) -> int | None:
    """` +0200` (with its leading space) -> 7200, or None when it is not a numeric UTC offset (hours
    past 23 or minutes past 59 included)."""
    if len(zone) != 6 or zone[:1] != b" " or zone[1:2] not in (b"+", b"-") or not zone[2:].isdigit():
        return None
    if int(zone[2:4]) > 23 or int(zone[4:6]) > 59:
        return None
    seconds = int(zone[2:4]) * 3600 + int(zone[4:6]) * 60
    return -seconds if zone[1:2] == b"-" else seconds


def parse_clf_time(stamp: bytes) -> int | None:
    """Epoch seconds (UTC) of a CLF timestamp `10/Oct/2000:13:55:36 -0700`, None when malformed."""
    minute, second, zone = _minute_start(stamp[:17]), _SECONDS.get(stamp[17:20]), _offset_seconds(stamp[20:])
    if minute is None or second is None or zone is None:
        return None
    return minute + second - zone


class LogTally:
    """Running tallies of one log file while it streams: counters, caches and per-path buckets.

    `consume` takes runs of lines. Caches: `routes` maps a raw request (method and target without
    query, with its vhost) to its `Route` (bucket, object key, numeric id), `clients` an address to
    its opaque id; timestamps are cached by minute and by second-and-zone. The caches are bounded:
    past `_MAX_CACHED` entries they start afresh, so a log of unique ids costs a re-reduction per
    line, never unbounded memory. Requests that are not HTTP requests (`-`, TLS bytes) go to a sink
    bucket, so the hot loop never branches on them. Addresses live in `clients` only while the file
    is read; nothing here outlives the read.
    """

    def __init__(self, client_id: Callable[[str], int]) -> None:
        self.client_id = client_id
        self.lines = 0  # physical lines seen, blank ones included (line numbers)
        self.matched = 0  # lines in a log format, bad requests included
        self.malformed = 0  # not a log line at all
        self.rejected_samples: list[int] = []
        self.format_counts = {"common": 0, "combined": 0, "vhost_combined": 0}
        self.buckets: dict[tuple[str, str | None, str], Bucket] = {}
        self.routes: dict[bytes | tuple[bytes, bytes], Route] = {}
        self.clients: dict[bytes, int] = {}
        self.sink: Bucket = new_bucket(0)
        self._sink_route: Route = (self.sink, 0, -1)
        self._pattern = _FAST_COMMON
        self._minutes: dict[bytes, int] = {}
        self._seconds: dict[bytes, int] = {}  # `:SS +zzzz` -> SS - offset
        self._paths: dict[str, tuple[str, int | None]] = {}
        self._slow_vhost = 0  # slowly parsed lines of the other format than `_pattern`'s

    @property
    def bad_requests(self) -> int:
        """Log lines whose request line is not an HTTP request."""
        return sum(self.sink[4:])

    @property
    def total(self) -> int:
        """Non-blank lines."""
        return self.matched + self.malformed

    def consume(self, body: bytes) -> None:
        """Tally a run of whole lines (the last may lack its newline).

        The fast pattern splits every line of the run in one C call (`findall`); when some line does
        not match it (junk, odd quoting, the other format), the run is tallied line by line instead.
        """
        count = body.count(b"\n") + (not body.endswith(b"\n"))
        if self.lines < _FORMAT_SAMPLE:
            self._count_formats(body.split(b"\n", _FORMAT_SAMPLE)[: _FORMAT_SAMPLE - self.lines])
        rows = self._pattern.findall(body)
        if len(rows) == count:  # every line matched once, so row i is line i
            self._consume_rows(rows)
        else:
            lines = body.split(b"\n")
            self._consume_lines(lines[:-1] if lines[-1] == b"" else lines)

    def _consume_rows(self, rows: list[tuple[bytes, ...]]) -> None:
        """The hot loop, over consecutive lines split by the fast pattern. One long loop on purpose:
        local names and inlined steps are the speed (a method call per line costs a tenth)."""
        routes_get, clients_get = self.routes.get, self.clients.get
        minutes_get, seconds_get, slots = self._minutes.get, self._seconds.get, STATUS_SLOTS
        failed_auth = FAILED_AUTH_SLOT
        malformed_before = self.malformed
        for lineno, (vhost, client, minute, second, request, status) in enumerate(rows, self.lines + 1):
            try:  # both parts cached: `dd/Mon/yyyy:HH:MM` -> epoch, `:SS +zzzz` -> seconds - offset
                when = minutes_get(minute) + seconds_get(second)  # type: ignore[operator]
            except TypeError:  # a part not cached yet (None + int)
                when = self._new_time(minute + second)
                if when is None:
                    self._reject(lineno)
                    continue
            key = (vhost, request) if vhost else request
            route = routes_get(key)
            if route is None:
                route = self._new_route(key, lineno, when)
            bucket = route[0]
            cid = clients_get(client)
            if cid is None:
                cid = self._new_client(client)
            slot = slots[status]
            count = bucket[slot] + 1
            bucket[slot] = count
            if count == 1 and len(bucket[3]) < SAMPLES_PER_PATH:  # a new outcome: sample its line
                bucket[3].append(lineno)
            record = bucket[0].get(cid)
            if record is None:
                record = bucket[0][cid] = new_record()
            record[0] += 1
            keys = record[1]
            keys.append(route[1])  # duplicates too (cheaper than a set), compacted once they pile up
            if len(keys) > record[4]:
                compact_record(record)
            if route[2] >= 0:
                if route[2] < record[2]:
                    record[2] = route[2]
                if route[2] > record[3]:
                    record[3] = route[2]
            if slot >= failed_auth:
                record[5] += 1
            # Plain comparisons, not min()/max() (a call per line costs a tenth of the loop); in a
            # log in time order the first test is the one that holds.
            if when > bucket[2]:
                bucket[2] = when
            elif when < bucket[1]:
                bucket[1] = when
        self.matched += len(rows) - (self.malformed - malformed_before)
        self.lines += len(rows)

    def _consume_lines(self, lines: list[bytes]) -> None:
        """Tally lines one by one: runs that the fast pattern matches go to the hot loop, the others
        to the tolerant pattern; switch the fast pattern when most lines are in the other format."""
        match = self._pattern.match
        rows: list[tuple[bytes, ...]] = []
        fast = 0
        for line in lines:
            found = match(line)
            if found is not None:
                rows.append(found.groups())
                continue
            fast += len(rows)
            self._consume_rows(rows)
            rows = []
            self._slow_line(line)
        fast += len(rows)
        self._consume_rows(rows)
        if self._slow_vhost > fast:
            self._pattern = _FAST_VHOST if self._pattern is _FAST_COMMON else _FAST_COMMON
        self._slow_vhost = 0

    def _slow_line(self, line: bytes) -> None:
        """A line the fast pattern did not match: blank, junk, or one the tolerant regex accepts (then
        tallied as the hot loop tallies any line)."""
        fields = parse_line(line) if line.strip() else None
        if fields is None:
            self.lines += 1
            if line.strip():
                self._reject(self.lines)
            return
        vhost, client, stamp, request, status, _ = fields
        self._slow_vhost += (vhost is not None) == (self._pattern is _FAST_COMMON)
        self._consume_rows([(vhost or b"", client, stamp[:17], stamp[17:], request, status)])

    def drop_caches(self) -> None:
        """Forget the per-value caches (raw requests, addresses, timestamps); the tallies stay."""
        self.routes, self.clients, self._paths = {}, {}, {}
        self._minutes, self._seconds = {}, {}

    def _count_formats(self, lines: list[bytes]) -> None:
        """Which format the file is in, judged on its first lines (the name is for reports only)."""
        for line in lines:
            fields = parse_line(line)
            if fields is not None:
                name = "vhost_combined" if fields[0] is not None else "combined" if fields[5] else "common"
                self.format_counts[name] += 1

    def _reject(self, lineno: int) -> None:
        self.malformed += 1
        self._note_rejected(lineno)

    def _note_rejected(self, lineno: int) -> None:
        if len(self.rejected_samples) < REJECTED_SAMPLES:
            self.rejected_samples.append(lineno)

    def _new_time(self, stamp: bytes) -> int | None:
        """Parse a timestamp whose minute or second-and-zone is not cached yet; cache both parts."""
        minute, second = _minute_start(stamp[:17]), _SECONDS.get(stamp[17:20])
        zone = _offset_seconds(stamp[20:])
        if minute is None or second is None or zone is None:
            return None
        if len(self._minutes) >= 100_000:  # a log spanning years: keep the cache bounded
            self._minutes.clear()
        self._minutes[stamp[:17]] = minute
        self._seconds[stamp[17:]] = second - zone
        return minute + second - zone

    def _new_client(self, client: bytes) -> int:
        cid = self.client_id(client.decode("utf-8", "surrogateescape"))
        self.clients[client] = cid
        return cid

    def _new_route(self, key: bytes | tuple[bytes, bytes], lineno: int, when: int) -> Route:
        """Normalise a raw request line once: method, host, reduced path and object key, or the sink."""
        if len(self.routes) >= _MAX_CACHED:  # emptied in place: the hot loop holds `routes.get`
            self.routes.clear()
            self._paths.clear()
        vhost, request = key if isinstance(key, tuple) else (None, key)
        split = _split_request(request)
        host, path = _split_target(split[1]) if split is not None else (None, None)
        if split is None or path is None:
            self._note_rejected(lineno)
            self.routes[key] = self._sink_route
            return self._sink_route
        reduced = self._paths.get(path)
        if reduced is None:
            reduced = self._paths[path] = reduce_path(path)
        if host is None and vhost is not None:
            host = _vhost_name(vhost)
        bucket_key = (split[0], host, reduced[0])
        bucket = self.buckets.get(bucket_key)
        if bucket is None:
            bucket = self.buckets[bucket_key] = new_bucket(when)
        number = reduced[1]
        route = (bucket, object_key(path), -1 if number is None else number)
        self.routes[key] = route
        return route


def _split_request(request: bytes) -> tuple[str, bytes] | None:
    """`GET /x HTTP/1.1` -> ("GET", b"/x"); None for `-`, TLS bytes and other non-requests."""
    method, _, rest = request.partition(b" ")
    target, _, protocol = rest.rpartition(b" ")
    if not protocol.startswith(b"HTTP/"):
        target = rest
    if not target or not method.isalpha() or len(method) > _METHOD_MAX:
        return None
    return method.decode("ascii").upper(), target


def _split_target(raw: bytes) -> tuple[str | None, str | None]:
    """(host from an absolute URI or None, path without query or fragment); path None when unusable."""
    if raw[:1] == b"/" and raw.isascii() and _PLAIN_PATH.fullmatch(raw):  # the common case
        return None, raw.decode("ascii")
    try:
        target = raw.decode("utf-8")
    except UnicodeDecodeError:  # keep the bytes, percent-encoded, as a URL would carry them
        target = "".join(chr(byte) if byte < 128 else f"%{byte:02X}" for byte in raw)
    target = target.partition("#")[0].partition("?")[0]
    target = _UNSAFE_PATH_CHARS.sub(lambda match: f"%{ord(match[0]):02X}", target)
    if target.startswith("/") or target == "*":
        return None, target
    if target[:7].lower() == "http://" or target[:8].lower() == "https://":
        try:
            parts = urlsplit(target)
            return parts.hostname, parts.path or "/"
        except ValueError:
            return None, None
    return None, None


def _vhost_name(vhost: bytes) -> str | None:
    """`api.example.com:443` -> `api.example.com`; `[2001:db8::1]:80` -> `2001:db8::1`."""
    name = vhost.decode("utf-8", "replace")
    host, colon, port = name.rpartition(":")
    if colon and port.isdigit() and (not host.count(":") or host.startswith("[")):
        name = host
    name = name.strip("[]").lower()
    return name if name and name != "-" else None
