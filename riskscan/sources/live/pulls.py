"""What each live source pulls, and how it reaches the same readers as files.

- APISIX (`--apisix-admin`): `GET /apisix/admin/<resource>` for routes, services, upstreams, plugin
  configs, global rules, consumers, consumer groups and SSL objects, paged with `page`/`page_size` (v3;
  a v2 server answers the whole list at once). A resource the server does not have (404, an older
  APISIX) is not known, exactly as an export not given (`apisix_admin.assemble_config`).
- Kong (`--kong-admin`): `GET /routes`, `/services`, `/plugins`, `/consumers`, following `offset`
  while `next` is set, joined by `kong_admin.assemble_admin_exports`.
- A spec (`--spec-url`): one OpenAPI or Swagger document, JSON or YAML; relative `$ref`s to other
  documents are not fetched (a warning says so).

Pages are concatenated into one export per resource; evidence names the resource's URL (shown without
query) and the entry's place in the whole list, without a line (an HTTP answer has no file lines).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from riskscan.errors import SourceError
from riskscan.model import ApiSpec, GatewayConfig
from riskscan.sources import HEAD_BYTES, ReadContext
from riskscan.sources.gateways.apisix_admin import (
    ADMIN_RESOURCES,
    AdminEntry,
    AdminExport,
    assemble_config,
    parse_admin_export,
)
from riskscan.sources.gateways.kong_admin import assemble_admin_exports
from riskscan.sources.live.http import LiveHttp, shown_url
from riskscan.sources.specs.openapi import OpenApiReader, read_spec_document
from riskscan.sources.structured import StructuredDocument, parse_structured_text

__all__ = ["pull_apisix", "pull_kong", "pull_spec"]

_APISIX_PAGE_SIZE = 500  # the most APISIX allows
_KONG_PAGE_SIZE = 1000  # the most Kong allows
_MAX_PAGES = 1000  # a server that keeps answering "more" is not followed forever
_KONG_RESOURCES = ("routes", "services", "plugins", "consumers")
_APISIX_NOT_FOUND = "is this the APISIX Admin API (port 9180 by default), not the gateway's own port?"
_KONG_NOT_FOUND = "is this the Kong Admin API (port 8001 by default), with its workspace in the path if any?"


def pull_apisix(http: LiveHttp, url: str) -> GatewayConfig:
    """Every resource of the APISIX Admin API at `url` (`.../apisix/admin`) as one configuration."""
    base = url.rstrip("/")
    exports: dict[str, list[AdminExport]] = {}
    warnings: list[str] = []
    for resource in ADMIN_RESOURCES:
        export = _apisix_resource(http, f"{base}/{resource}", resource, resource == "routes")
        if export is None:
            warnings.append(f"/{resource}: the server has none (HTTP 404), so it is not known")
            continue
        exports[resource] = [export]
        warnings.extend(f"/{resource}: {warning}" for warning in export.warnings)
    return assemble_config(exports, shown_url(f"{base}/routes"), warnings)


def _apisix_resource(http: LiveHttp, url: str, resource: str, is_required: bool) -> AdminExport | None:
    """One resource's entries over all its pages, as one export; None when the server lacks it."""
    shown = shown_url(url)
    entries: list[AdminEntry] = []
    warnings: list[str] = []
    for page in range(1, _MAX_PAGES + 1):
        text = http.get(url, {"page": page, "page_size": _APISIX_PAGE_SIZE}, missing_ok=not is_required,
                        not_found_hint=_APISIX_NOT_FOUND)
        if text is None:
            return None
        export = parse_admin_export(_json(text, shown), shown, resource)
        if export is None or export.kind not in (resource, None):
            raise SourceError(f"did not answer an APISIX Admin API list of /{resource}", path=shown)
        is_paged = export.total is not None
        entries.extend(
            replace(entry, pointer=f"/list/{len(entries) + index}/value") if is_paged else entry
            for index, entry in enumerate(export.entries)
        )
        warnings.extend(export.warnings)
        if not is_paged or export.listed == 0 or len(entries) >= (export.total or 0):
            break
    return AdminExport(resource, shown, _unlined(resource), tuple(entries), tuple(dict.fromkeys(warnings)))


def pull_kong(http: LiveHttp, url: str) -> GatewayConfig:
    """Routes, services, plugins and consumers of a Kong Admin API as one configuration."""
    base = url.rstrip("/")
    exports: dict[str, tuple[str, StructuredDocument]] = {}
    for resource in _KONG_RESOURCES:
        shown = shown_url(f"{base}/{resource}")
        items = _kong_resource(http, f"{base}/{resource}", shown)
        exports[resource] = (shown, StructuredDocument(Path(resource), {"data": items}, lambda _: None))
    return assemble_admin_exports(exports, exports["routes"][0], [], is_whole=True)


def _kong_resource(http: LiveHttp, url: str, shown: str) -> list[object]:
    """Every entry of one Kong list, following `offset` while `next` is set."""
    items: list[object] = []
    params: dict[str, str | int] = {"size": _KONG_PAGE_SIZE}
    for _ in range(_MAX_PAGES):
        data = _json(http.get(url, params, not_found_hint=_KONG_NOT_FOUND) or "", shown).data
        listed = data.get("data") if isinstance(data, dict) else None
        if not isinstance(listed, list):
            raise SourceError("did not answer a Kong Admin API list (`data`)", path=shown)
        items.extend(listed)
        offset = data.get("offset")
        if not data.get("next") or not isinstance(offset, str) or not offset:
            break
        params = {"size": _KONG_PAGE_SIZE, "offset": offset}
    return items


@dataclass(frozen=True)
class _RemoteContext(ReadContext):
    """A `ReadContext` for a fetched document: shown as its URL, and no local file may be opened."""

    shown_as: str = ""

    def relative_path(self, path: Path) -> str:
        return self.shown_as

    def is_allowed(self, path: Path) -> bool:
        return False


def pull_spec(http: LiveHttp, url: str, max_bytes: int) -> ApiSpec:
    """One OpenAPI or Swagger document fetched from `url` and read like a spec file."""
    shown = shown_url(url)
    text = http.get(url) or ""
    name = Path(shown.rsplit("/", 1)[-1] or "spec.yaml")
    if not OpenApiReader().sniff(name, text[:HEAD_BYTES].encode("utf-8", errors="replace")):
        raise SourceError("did not answer an OpenAPI or Swagger document", path=shown)
    document = parse_structured_text(text, name, shown)
    context = _RemoteContext(root=Path.cwd(), max_bytes=max_bytes, shown_as=shown)
    return read_spec_document(document, context)


def _json(text: str, shown: str) -> StructuredDocument:
    """An Admin API answer parsed (with the loader's depth limits); one line when it is not JSON."""
    if not text.lstrip()[:1] == "{":
        raise SourceError("answered something that is not JSON (an HTML page, a proxy's error?)", path=shown)
    try:
        return parse_structured_text(text, Path("answer.json"), shown)
    except SourceError as error:
        raise SourceError(f"answered JSON that cannot be read: {error.problem}", path=shown) from None


def _unlined(name: str) -> StructuredDocument:
    """A stand-in document for pages joined together: pointers into the whole list, no lines."""
    return StructuredDocument(Path(name), None, lambda _: None)
