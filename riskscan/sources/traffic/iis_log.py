"""Microsoft IIS logs (W3C extended format), and any other space-separated W3C extended log.

IIS writes W3C extended logs by default (`u_ex261130.log`): `#Software`, `#Version`, `#Date` and
`#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent)
cs(Referer) sc-status sc-substatus sc-win32-status time-taken`, then one space-separated entry per
request; a value holding a space has it written as `+` (user agents), a missing one is `-`, and
`date` + `time` are UTC whatever the server's zone (Microsoft's W3C logging reference). The owner
chooses the fields, so columns are found by the `#Fields:` header (`w3c_log`): `cs-host`, when
logged, is the host; without it requests have none. The stem and query are kept as logged, characters
that are not printable percent-encoded. `cs-username`, user agents, referers and cookies are dropped at
ingestion, never read into the model.
"""

from __future__ import annotations

from pathlib import Path

from riskscan.model import SourceKind, TrafficSample
from riskscan.sources import ReadContext
from riskscan.sources.traffic.cloudfront_log import printable
from riskscan.sources.traffic.line_log import read_line_log
from riskscan.sources.traffic.w3c_log import W3cDialect, W3cLogFormat, header_names, kept_columns

__all__ = ["IIS", "IisLogReader"]

IIS = W3cDialect(
    name="iis",
    description="an IIS (W3C extended) log",
    separator=" ",
    host_fields=("cs-host",),
    host_required=False,
    stem_pattern=r"^(?:-|[^\x00-\x20\x7f]+)$",  # anything but spaces (written `+`) and control bytes
    needs_decoding=r"[^!-~]",  # only values holding characters past printable ASCII go through Python
    decode_stem=printable,
    decode_query=printable,
)
"""IIS's dialect: space-separated, values as logged, the host only where `cs-host` is logged."""


class IisLogReader:
    """Reader for IIS logs and other space-separated W3C extended logs."""

    kind = SourceKind.IIS_LOG
    title = "Microsoft IIS logs and other W3C extended logs (space-separated), plain, .gz or .zst"
    summary = ("requests per method, host (`cs-host`) and path by the `#Fields:` header: client addresses "
               "hashed, query keys counted, user names, user agents, referers and cookies dropped at ingestion")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the file opens with W3C directives whose `#Fields:` names the fields kept, and is not
        CloudFront's tab-separated log (its `x-edge-` fields give it away)."""
        names = header_names(head)
        return names is not None and kept_columns(names, IIS) is not None \
            and not any(name.startswith("x-edge-") for name in names)

    def read(self, path: Path, context: ReadContext) -> TrafficSample:
        """Stream the log and aggregate it; raise `TrafficLogError` when it is not such a log."""
        return read_line_log(path, context, W3cLogFormat(IIS))
