"""Where a log entry keeps each request column: a `FieldMap`, built in for gateways or given by users.

A field is a tuple of alternatives, each a dotted path into a JSON object (`request.headers.host`) or
a CSV column name; the first alternative present and non-empty wins (`consumer.id|client_ip`). The
time is read as epoch seconds, epoch milliseconds, ISO 8601 or a strftime pattern (chrono's
directives, which Polars parses vectorised). `parse_log_fields` turns `--log-fields` (inline
`time=ts,method=verb,...` or a YAML file of the same keys) into a checked `FieldMap`; a bad mapping
is one `UsageError` line. No Polars here: the CLI imports this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from riskscan.errors import RiskscanError, UsageError

__all__ = ["FIELD_NAMES", "FieldMap", "TimeFormat", "parse_log_fields"]


class TimeFormat(StrEnum):
    """How an entry's time is written."""

    EPOCH_S = "epoch_s"  # seconds since 1970 UTC (fractions allowed)
    EPOCH_MS = "epoch_ms"  # milliseconds since 1970 UTC (APISIX `start_time`, Kong `started_at`)
    ISO8601 = "iso8601"  # `2026-11-09T08:00:01.123Z`, `...+01:00`; without a zone read as UTC
    STRFTIME = "strftime"  # `FieldMap.time_pattern`; without a zone directive read as UTC
    # Any spelling a server's own choices give, told apart per entry (Caddy's `time_format`, nginx's
    # `$time_local`, `$time_iso8601`, `$msec`): a number is epoch seconds, milliseconds or nanoseconds
    # by its magnitude; text is ISO 8601, `yyyy/mm/dd hh:mm:ss[.fff]` (UTC) or a CLF time.
    ANY = "any"


@dataclass(frozen=True)
class FieldMap:
    """The keys holding each request column, alternatives first to last.

    `path` is the request target as logged (path, maybe with query string, or an absolute URI); `url`
    an absolute URL used for the host, and for the path when no `path` is present. `client` is the
    best identity the log has (a consumer before an address; ports are dropped from addresses).
    `entry_key`, when set, tells entries apart from the other objects of a mixed stream (a server's own
    startup messages): an object is an entry when the value at that key starts with `entry_prefix`;
    the others are passed over, neither requests nor rejected.
    """

    time: tuple[str, ...]
    method: tuple[str, ...]
    status: tuple[str, ...]
    path: tuple[str, ...] = ()
    url: tuple[str, ...] = ()
    host: tuple[str, ...] = ()
    client: tuple[str, ...] = ()
    time_format: TimeFormat = TimeFormat.ISO8601
    time_pattern: str | None = None
    entry_key: str | None = None
    entry_prefix: str = ""

    def columns(self) -> dict[str, tuple[str, ...]]:
        """Request column -> alternatives, for every column the map names."""
        named = {name: getattr(self, name) for name in FIELD_NAMES}
        return {name: keys for name, keys in named.items() if keys}

    def required(self) -> tuple[tuple[str, ...], ...]:
        """The alternatives of each column every entry needs: time, method, status, and path or url."""
        return (self.time, self.method, self.status, self.path + self.url)


FIELD_NAMES = ("time", "method", "status", "path", "url", "host", "client")
"""The request columns a mapping can name (besides `time_format`)."""

_EPOCH_NAMES = {"epoch": TimeFormat.EPOCH_S, "epoch_s": TimeFormat.EPOCH_S, "epoch_ms": TimeFormat.EPOCH_MS,
                "iso8601": TimeFormat.ISO8601, "iso": TimeFormat.ISO8601}
# chrono's strftime directives (what Polars' `str.to_datetime` understands); any other is refused.
_DIRECTIVE = re.compile(
    r"%(?:[-_0]?[YCyqmbBhdeaAwuUWGgVjDxFvHkIlPpMSfTXRrcsZz+%tn]|\.?[369]?f|:z|::z|:::z|#z|[369]f)")
_DATE_DIRECTIVES = ("%Y", "%y", "%F", "%s", "%+", "%D", "%v", "%c", "%G")
_KEY = re.compile(r"[^\s,=|]+")


def parse_log_fields(spec: str) -> FieldMap:
    """`--log-fields`: inline `time=ts,method=verb,path=uri,status=code[,time_format=epoch_ms]`, or the
    path of a YAML file with the same keys. Raises `UsageError` (one line) for a bad mapping."""
    if "=" in spec:
        entries = dict(_inline_entries(spec))
    else:
        entries = _file_entries(Path(spec))
    return _field_map(entries)


def _inline_entries(spec: str) -> list[tuple[str, str]]:
    entries = []
    for item in spec.split(","):
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"--log-fields: '{item.strip()}' is not name=key (e.g. time=ts,method=verb)")
        entries.append((name.strip(), value.strip()))
    names = [name for name, _ in entries]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise UsageError(f"--log-fields: {', '.join(repeated)} given more than once")
    return entries


def _file_entries(path: Path) -> dict[str, str]:
    """A YAML (or JSON) mapping of the same names; a value may be a list of alternatives."""
    from riskscan.sources import ReadContext
    from riskscan.sources.structured import load_structured

    if not path.is_file():
        raise UsageError(f"--log-fields: {path.name}: no such file (give a YAML file or time=...,method=...)")
    try:
        data = load_structured(path, ReadContext(root=path.parent)).data
    except RiskscanError as error:
        raise UsageError(f"--log-fields: {error}") from None
    if not isinstance(data, dict):
        raise UsageError(f"--log-fields: {path.name} is not a mapping of field names to keys")
    entries = {}
    for name, value in data.items():
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            value = "|".join(value)
        if not isinstance(value, str):
            raise UsageError(f"--log-fields: {path.name}: '{name}' must be a key or a list of keys")
        entries[str(name)] = value.strip()
    return entries


def _field_map(entries: dict[str, str]) -> FieldMap:
    unknown = sorted(set(entries) - set(FIELD_NAMES) - {"time_format"})
    if unknown:
        known = ", ".join((*FIELD_NAMES, "time_format"))
        raise UsageError(f"--log-fields: unknown field {', '.join(unknown)} (fields: {known})")
    missing = [name for name in ("time", "method", "status") if not entries.get(name)]
    if not entries.get("path") and not entries.get("url"):
        missing.append("path or url")
    if missing:
        raise UsageError(f"--log-fields: no key given for {', '.join(missing)}")
    time, method, status, path, url, host, client = (
        _alternatives(name, entries.get(name, "")) for name in FIELD_NAMES)
    time_format, pattern = _time_format(entries.get("time_format", "iso8601"))
    return FieldMap(time, method, status, path, url, host, client, time_format=time_format, time_pattern=pattern)


def _alternatives(name: str, value: str) -> tuple[str, ...]:
    keys = tuple(key.strip() for key in value.split("|")) if value else ()
    for key in keys:
        if not _KEY.fullmatch(key) or key.startswith(".") or key.endswith(".") or ".." in key:
            raise UsageError(f"--log-fields: {name}: '{key}' is not a key (a name or dotted path, no spaces)")
    return keys


def _time_format(value: str) -> tuple[TimeFormat, str | None]:
    """epoch_s, epoch_ms, iso8601, or a strftime pattern with a date and only chrono directives."""
    named = _EPOCH_NAMES.get(value.lower())
    if named is not None:
        return named, None
    if "%" not in value:
        raise UsageError(
            f"--log-fields: time_format '{value}' is not epoch_s, epoch_ms, iso8601 or a strftime pattern")
    stray = _DIRECTIVE.sub("", value)
    if "%" in stray:
        bad = stray[stray.index("%") : stray.index("%") + 2]
        raise UsageError(f"--log-fields: time_format '{value}': '{bad}' is not a strftime directive")
    if not any(directive in value for directive in _DATE_DIRECTIVES):
        raise UsageError(f"--log-fields: time_format '{value}' has no date (%Y, %y, %F, %s ...)")
    return TimeFormat.STRFTIME, value
