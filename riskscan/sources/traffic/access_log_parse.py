"""The access-log line grammar, for the lines the vectorised pattern does not take.

`access_log` parses most lines of a batch with one vectorised pattern; a line it misses (escaped
quotes, quoted user names, a request target with spaces or bytes outside ASCII, an absolute URI) comes
here, to the tolerant pattern and the exact rules: timestamps validated to the calendar, requests that
are not HTTP requests told apart, unsafe bytes of a path percent-encoded.

Formats (Apache `LogFormat` names): `common` `%h %l %u %t "%r" %>s %b`, `combined` adds
`"%{Referer}i" "%{User-agent}i"`, `vhost_combined` prefixes `%v:%p`. nginx's default `combined` is the
same shape; APISIX's default access log puts the Host header between the time and the request
(`$remote_addr - $remote_user [$time_local] $http_host "$request" $status ...`), read as the host. The basic-auth user (`%u`), referer and user agent are read past and never kept.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlsplit

from riskscan.sources.traffic.line_log import SlowRequest

__all__ = [
    "OWN_MESSAGE",
    "ParsedLine",
    "client_name",
    "is_own_message",
    "minute_start",
    "offset_seconds",
    "parse_clf_time",
    "parse_line",
    "second_and_zone",
    "slow_request",
    "split_request",
    "split_target",
    "vhost_name",
]

_MONTHS = {name.encode(): index for index, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}
_METHOD_MAX = 20
# The tolerant pattern: optional vhost, quoted user names, backslash-escaped quotes in the request, and
# a client that is an X-Forwarded-For chain (`%{X-Forwarded-For}i` or `$http_x_forwarded_for` logged
# first: `198.51.100.7, 10.0.0.3`). A vhost never ends in a comma, and a line is read without one
# when it can be (`- "john doe" [` is a quoted user name, not a vhost before `- "john doe"`).
_LINE = re.compile(
    rb'^(?:(\S++)(?<!,) )??((?:[^\s,]++, )*+\S++) (\S++) (\S++|"[^"]*+") \[([^\]]++)\] '
    rb'(?:([^\s"]++) )?"((?:[^"\\]|\\.)*+)" '
    rb"([1-5][0-9][0-9]) (\S++)(.*)$",
    re.DOTALL,
)
# What the server writes about itself into the same stream when its container's output is captured
# (`docker logs nginx`): the nginx image's entrypoint scripts, nginx's error log (stderr), and Apache's
# startup notices (`AH00558: ...`, `[Wed Mar 12 10:15:30.123456 2025] [mpm_event:notice] ...`).
OWN_MESSAGE = (
    r"^(?:(?:/docker-entrypoint\.sh|[0-9]{2}-[A-Za-z0-9_.-]+\.(?:sh|envsh)): "
    r"|[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \[(?:debug|info|notice|warn|error|crit|alert|emerg)\] "
    r"[0-9]+#[0-9]+: "
    r"|AH[0-9]{5}: |\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:.]+ [0-9]{4}\] \[[a-z_]+:[a-z]+\] )"
)
"""The server's own messages (Python, Rust and Java regex alike)."""
_OWN_MESSAGE = re.compile(OWN_MESSAGE.encode())
_UNSAFE_PATH_CHARS = re.compile(r"[\x00-\x20\x7f]")
_PLAIN_PATH = re.compile(rb"[!$->@-~]*")  # printable ASCII but space, `"`, `#` and `?`

ParsedLine = tuple[bytes | None, bytes, bytes, bytes, bytes, bool, bytes | None]
"""vhost, client, timestamp, request, status (3 digits), has referer/agent fields, and the Host header
logged between the timestamp and the request (APISIX's default `... [$time_local] $http_host "$request"
...`)."""


def parse_line(line: bytes) -> ParsedLine | None:
    """Split one log line into its kept fields, or None when it is not a common/combined/vhost line.

    Checks structure only; the timestamp and request line are validated by the caller (they are
    cached per distinct value).
    """
    found = _LINE.match(line.rstrip(b"\r"))
    if found is None:
        return None
    return found[1], found[2], found[5], found[7], found[8], b'"' in found[10], found[6]


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


def minute_start(prefix: bytes) -> int | None:
    """`10/Oct/2000:13:55` -> epoch seconds of that minute read as UTC, or None when malformed."""
    day = _day_start(prefix[:11])
    hour, minute = prefix[12:14], prefix[15:17]
    if day is None or len(prefix) != 17 or prefix[11:12] != b":" or prefix[14:15] != b":":
        return None
    if not (hour + minute).isdigit() or int(hour) > 23 or int(minute) > 59:
        return None
    return day + int(hour) * 3600 + int(minute) * 60


def offset_seconds(zone: bytes) -> int | None:
    """` +0200` (with its leading space) -> 7200, or None when it is not a numeric UTC offset (hours
    past 23 or minutes past 59 included)."""
    if len(zone) != 6 or zone[:1] != b" " or zone[1:2] not in (b"+", b"-") or not zone[2:].isdigit():
        return None
    if int(zone[2:4]) > 23 or int(zone[4:6]) > 59:
        return None
    seconds = int(zone[2:4]) * 3600 + int(zone[4:6]) * 60
    return -seconds if zone[1:2] == b"-" else seconds


def parse_clf_time(stamp: bytes) -> int | None:
    """Epoch seconds (UTC) of a CLF timestamp `10/Oct/2000:13:55:36 -0700`, None when malformed.

    Other spellings servers are configured to write in the brackets are read too: with a fraction of
    a second, and a space after the date (Apache's `[%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t]`), and ISO
    8601 (nginx's `[$time_iso8601]`: `2000-10-10T13:55:36-07:00`)."""
    epoch = _clf_time(stamp)
    if epoch is not None:
        return epoch
    other = _CLF_OTHER.fullmatch(stamp)
    if other is not None:
        return _clf_time(other[1] + b":" + other[2] + other[3])
    return _iso_time(stamp)


def _clf_time(stamp: bytes) -> int | None:
    minute, second, zone = minute_start(stamp[:17]), _SECONDS.get(stamp[17:20]), offset_seconds(stamp[20:])
    if minute is None or second is None or zone is None:
        return None
    return minute + second - zone


_CLF_OTHER = re.compile(rb"([0-9]{2}/[A-Za-z]{3}/[0-9]{4})[: ]([0-9]{2}:[0-9]{2}:[0-9]{2})(?:[.,][0-9]{1,9})?( .*)")
_ISO_TIME = re.compile(
    rb"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:[.,][0-9]{1,9})?"
    rb"(Z|[+-][0-9]{2}:?[0-9]{2})"
)


def _iso_time(stamp: bytes) -> int | None:
    """Epoch seconds of an ISO 8601 time with its offset (`Z`, `+02:00`, `+0200`), None otherwise."""
    found = _ISO_TIME.fullmatch(stamp)
    if found is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in found.groups()[:6])
    zone = 0 if found[7] == b"Z" else offset_seconds(b" " + found[7].replace(b":", b""))
    if zone is None or hour > 23 or minute > 59 or second > 60:
        return None
    try:
        start = int(datetime(year, month, day, tzinfo=UTC).timestamp())
    except ValueError:
        return None
    if not _FIRST_DAY <= start <= _LAST_DAY:
        return None
    return start + hour * 3600 + minute * 60 + second - zone


def second_and_zone(part: bytes) -> int | None:
    """`:36 -0700` (the end of a CLF timestamp) -> seconds to add to the minute's epoch (36 + 7 hours),
    or None when malformed."""
    second, zone = _SECONDS.get(part[:3]), offset_seconds(part[3:])
    return None if second is None or zone is None else second - zone


def slow_request(line: bytes) -> SlowRequest | str:
    """One line through the tolerant pattern: its request, or why not (`malformed`, `not_request`)."""
    fields = parse_line(line)
    if fields is None:
        return "malformed"
    vhost, client, stamp, request, status, _, http_host = fields
    epoch = parse_clf_time(stamp)
    if epoch is None:
        return "malformed"
    split = split_request(request)
    host, path = split_target(split[1]) if split is not None else (None, None)
    if split is None or path is None:
        return "not_request"
    if host is None and (http_host or vhost) is not None:
        host = vhost_name(http_host or vhost or b"")
    query = split[1].partition(b"#")[0].partition(b"?")[2].decode("utf-8", "replace") or None
    return client_name(client), epoch, split[0], host, path, query, int(status)


def client_name(client: bytes) -> str:
    """The client field as the client's name: of an X-Forwarded-For chain, its last address, the one
    the proxy nearest the server appended (the addresses before it are the client's own claims, and a
    client forging them anew each time would count as many clients)."""
    return client.rpartition(b", ")[2].decode("utf-8", "replace")


def is_own_message(line: bytes) -> bool:
    """True for a line nginx or Apache (or the nginx image's entrypoint) writes about itself, not about
    a request: passed over like a header, neither a request nor a rejected line."""
    return _OWN_MESSAGE.match(line) is not None


def split_request(request: bytes) -> tuple[str, bytes] | None:
    """`GET /x HTTP/1.1` -> ("GET", b"/x"); None for `-`, TLS bytes and other non-requests."""
    method, _, rest = request.partition(b" ")
    target, _, protocol = rest.rpartition(b" ")
    if not protocol.startswith(b"HTTP/"):
        target = rest
    if not target or not method.isalpha() or len(method) > _METHOD_MAX:
        return None
    return method.decode("ascii").upper(), target


def split_target(raw: bytes) -> tuple[str | None, str | None]:
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


def vhost_name(vhost: bytes) -> str | None:
    """`api.example.com:443` -> `api.example.com`; `[2001:db8::1]:80` -> `2001:db8::1`."""
    name = vhost.decode("utf-8", "replace")
    host, colon, port = name.rpartition(":")
    if colon and port.isdigit() and (not host.count(":") or host.startswith("[")):
        name = host
    name = name.strip("[]").lower()
    return name if name and name != "-" else None
