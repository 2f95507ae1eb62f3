"""Amazon CloudFront standard access logs (W3C extended format), plain or gzip, streamed.

A CloudFront log file (legacy standard logging, and v2 delivered as W3C) holds tab-separated
entries under two directives: `#Version: 1.0` and `#Fields: date time x-edge-location ...`, which
names the columns in order. Columns are found by that header, never by position: v2 lets the
owner choose and order the fields, and files joined end to end carry a header each (every header
applies to the entries after it). Kept: `date` + `time` (UTC, when the edge finished responding),
`c-ip` (the viewer, or the proxy in front of it: hashed by the engine), `cs-method`, the host
(`x-host-header`, the Host the viewer sent, else `cs(Host)`, the distribution's domain),
`cs-uri-stem`, the keys of `cs-uri-query` and `sc-status` (`000`: the viewer left before any
response, so no request is counted). Referers, user agents, cookies, edge ids, TLS details and
`x-forwarded-for` are dropped at ingestion.

CloudFront percent-encodes spaces, control bytes, bytes past ASCII and `<>"#%{}|\\^~[]`'` in every
value, `%` included: `/a%20b` as sent is logged `/a%2520b`. Stems and queries holding a `%` are
decoded once (per distinct value) to the target the viewer sent, then made safe as the access-log
reader makes targets safe. An entry with the wrong number of fields, an unreal time or a stem with
raw bytes CloudFront would have encoded is not a CloudFront entry and is rejected.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote_to_bytes

from riskscan.model import SourceKind, TrafficSample
from riskscan.sources import ReadContext
from riskscan.sources.traffic.access_log_parse import split_target
from riskscan.sources.traffic.line_log import read_line_log
from riskscan.sources.traffic.w3c_log import W3cDialect, W3cLogFormat, header_names, kept_columns

__all__ = ["CLOUDFRONT", "CloudFrontLogReader", "decode_stem", "decode_value", "printable"]


class CloudFrontLogReader:
    """Reader for CloudFront standard access logs in the W3C extended format."""

    kind = SourceKind.CLOUDFRONT_LOG
    title = "Amazon CloudFront standard access logs (W3C, tab-separated), plain or .gz"
    summary = ("requests per method, host and path by the `#Fields:` header: viewer addresses hashed, query "
               "keys counted, referers, user agents, cookies and edge details dropped at ingestion")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the file opens with W3C directives whose `#Fields:` names CloudFront's fields."""
        names = header_names(head)
        return names is not None and kept_columns(names, CLOUDFRONT) is not None \
            and any(name.startswith("x-edge-") for name in names)

    def read(self, path: Path, context: ReadContext) -> TrafficSample:
        """Stream the log and aggregate it; raise `TrafficLogError` when it is not a CloudFront log."""
        return read_line_log(path, context, W3cLogFormat(CLOUDFRONT))


def decode_value(value: str) -> str:
    """One level of CloudFront's percent-encoding undone (`a%2520b` -> `a%20b`); bytes that are not
    UTF-8, and characters that are not printable (spaces, controls, bidi marks), percent-encoded
    again, as a URL would carry them."""
    raw = unquote_to_bytes(value)
    try:
        return printable(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return "".join(chr(byte) if 32 < byte < 127 else f"%{byte:02X}" for byte in raw)


def decode_stem(stem: str) -> str:
    """A stem decoded once and made safe as the access-log reader makes a request target safe."""
    _, path = split_target(unquote_to_bytes(stem))
    return printable(path) if path is not None else decode_value(stem)


def printable(text: str) -> str:
    return "".join(
        char if char.isprintable() and char != " " else "".join(f"%{byte:02X}" for byte in char.encode())
        for char in text
    )


CLOUDFRONT = W3cDialect(
    name="cloudfront",
    description="a CloudFront access log",
    separator="\t",
    host_fields=("x-host-header", "cs(Host)"),  # the Host the viewer sent, else the distribution's domain
    host_required=True,
    stem_pattern=r"^(?:-|[!-~]+)$",  # CloudFront percent-encodes anything else
    needs_decoding="%",
    decode_stem=decode_stem,
    decode_query=decode_value,
)
"""CloudFront's dialect: tab-separated, every value percent-encoded once more (`%` included)."""
