"""Live pulls: routes and specs read over HTTP, only when the user asks (`riskscan scan --apisix-admin
URL`, `--kong-admin URL`, `--spec-url URL`); nothing here runs otherwise.

What is pulled goes through the same readers as files (`pulls`), and nothing is written to disk. Each
source becomes one input record, as a file does: used, with its first warning, or failed, with a
one-line reason (unreachable, the key refused, not the expected JSON ...), so one bad source costs
only itself. The Admin API key comes from the environment variable `HttpOptions.key_env` names and
goes only into the request header (`http`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from riskscan.errors import SourceError
from riskscan.model import InputFile, InputStatus, SourceKind
from riskscan.sources import SourcePayload
from riskscan.sources.live.http import HttpOptions, LiveHttp, check_url, shown_url
from riskscan.sources.live.pulls import pull_apisix, pull_kong, pull_spec

__all__ = ["HttpOptions", "LiveKind", "LiveSource", "Pulled", "live_source", "pull_sources"]


class LiveKind(StrEnum):
    """What a live source serves: the option that names it, without its dashes."""

    APISIX_ADMIN = "apisix-admin"
    KONG_ADMIN = "kong-admin"
    SPEC_URL = "spec-url"


_SOURCE_KIND = {
    LiveKind.APISIX_ADMIN: SourceKind.APISIX,
    LiveKind.KONG_ADMIN: SourceKind.KONG,
    LiveKind.SPEC_URL: SourceKind.OPENAPI,
}
_APISIX_ADMIN_PATH = "/apisix/admin"
_KEY_HEADER = {LiveKind.APISIX_ADMIN: "X-API-KEY", LiveKind.KONG_ADMIN: "Kong-Admin-Token"}


@dataclass(frozen=True)
class LiveSource:
    """One server to pull from. Build it with `live_source`, which checks the URL."""

    kind: LiveKind
    url: str

    @property
    def shown(self) -> str:
        """The URL as outputs show it (no credentials, no query)."""
        return shown_url(self.url)


@dataclass(frozen=True)
class Pulled:
    """One source's fate: its input record and, when it could be read, what its reader made of it."""

    input_file: InputFile
    payload: SourcePayload | None = None


def live_source(kind: LiveKind, url: str) -> LiveSource:
    """A checked live source; raises `UsageError` for a URL riskscan will not pull from."""
    check_url(url, allow_query=kind is LiveKind.SPEC_URL)
    if kind is LiveKind.APISIX_ADMIN and not url.rstrip("/").endswith(_APISIX_ADMIN_PATH):
        url = url.rstrip("/") + _APISIX_ADMIN_PATH  # the Admin API's address, as the docs give it
    return LiveSource(kind, url.rstrip("/") if kind is not LiveKind.SPEC_URL else url)


def pull_sources(sources: Sequence[LiveSource], options: HttpOptions, max_bytes: int) -> list[Pulled]:
    """Pull every source, one after the other; each failure is recorded, never raised."""
    return [_pull(source, options, max_bytes) for source in sources]


def _pull(source: LiveSource, options: HttpOptions, max_bytes: int) -> Pulled:
    kind = _SOURCE_KIND[source.kind]
    with LiveHttp(options, max_bytes, _KEY_HEADER.get(source.kind)) as http:
        try:
            payload: SourcePayload
            if source.kind is LiveKind.APISIX_ADMIN:
                payload = pull_apisix(http, source.url)
            elif source.kind is LiveKind.KONG_ADMIN:
                payload = pull_kong(http, source.url)
            else:
                payload = pull_spec(http, source.url, max_bytes)
        except SourceError as error:
            record = InputFile(path=source.shown, kind=kind, status=InputStatus.FAILED, message=str(error))
            return Pulled(record)
        size = http.bytes_read
    warnings = payload.warnings
    more = f" (+{len(warnings) - 1} more)" if len(warnings) > 1 else ""
    message = f"{warnings[0]}{more}" if warnings else None
    record = InputFile(
        path=source.shown, kind=kind, status=InputStatus.USED, message=message, size_bytes=size
    )
    return Pulled(record, payload)
