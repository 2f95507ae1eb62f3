"""Middlewares a Traefik router takes from other providers, found among the files of the scan.

A router of the file provider may name `auth@kubernetescrd` (a `Middleware` custom resource of
`traefik.io` or the older `traefik.containo.us`, which Traefik names `<namespace>-<name>`) or
`limit@docker` (labels `traefik.http.middlewares.limit.<type>.<option>=value` on a container, here
the services of a Docker Compose file). When the folders given hold such a definition
(`ReadContext.is_allowed`: never elsewhere) it is resolved like one of the file's own, with its own
file and line as evidence; when not, the middleware stays not shown.

Labels are read as Traefik reads them: type and option names without regard to case, lists as
comma-separated values, numbers and booleans from their text. A Custom Resource `chain` names its
members as `{name, namespace}`, a label chain by names of the same provider: both become qualified
references. Only files whose text declares a `Middleware` or a middleware label are parsed, each at
most once per version (path, size, time), and the walk is bounded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from riskscan.errors import SourceError
from riskscan.sources import ReadContext
from riskscan.sources.gateways.declared_kinds import declares_kind
from riskscan.sources.gateways.gateway_lookup import other_files
from riskscan.sources.gateways.kubernetes_objects import KubeObject, collect_objects
from riskscan.sources.gateways.traefik_docker import service_labels
from riskscan.sources.structured import StructuredDocument, escape_pointer_token, load_structured_documents

__all__ = ["ForeignMiddleware", "crd_middleware", "file_middlewares", "other_provider_middlewares"]

_CRD_GROUPS = ("traefik.io/", "traefik.containo.us/")
_LABEL = re.compile(r"traefik\.http\.middlewares\.([^.=\s]+)\.([^.=\s]+)((?:\.[^.=\s]+)*)", re.IGNORECASE)
_KINDS = ("addPrefix", "basicAuth", "buffering", "chain", "circuitBreaker", "compress", "contentType",
          "digestAuth", "errors", "forwardAuth", "grpcWeb", "headers", "inFlightReq", "ipAllowList",
          "ipWhiteList", "passTLSClientCert", "plugin", "rateLimit", "redirectRegex", "redirectScheme",
          "replacePath", "replacePathRegex", "retry", "stripPrefix", "stripPrefixRegex")
_OPTIONS = ("average", "burst", "period", "sourceCriterion", "ipStrategy", "depth", "excludedIPs",
            "requestHeaderName", "requestHost", "sourceRange", "amount", "address", "trustForwardHeader",
            "authResponseHeaders", "users", "usersFile", "realm", "removeHeader", "headerField",
            "middlewares", "accessControlAllowOrigin", "accessControlAllowOriginList",
            "accessControlAllowCredentials", "accessControlAllowMethods", "accessControlAllowHeaders")
_CANONICAL = {name.lower(): name for name in (*_KINDS, *_OPTIONS)}
_LISTS = frozenset({"excludedIPs", "sourceRange", "authResponseHeaders", "users", "middlewares",
                    "accessControlAllowOriginList", "accessControlAllowMethods", "accessControlAllowHeaders"})
_NUMBER = re.compile(r"\d{1,15}(?:\.\d{1,9})?")


@dataclass(frozen=True)
class ForeignMiddleware:
    """A middleware another provider defines: its qualified name (`auth@docker`), its configuration as
    the file provider would write it (`{type: settings}`), and where it was found."""

    reference: str
    config: Mapping[str, Any]
    shown: str
    line: int | None
    pointer: str


def other_provider_middlewares(
    path: Path, context: ReadContext, providers: set[str]
) -> list[ForeignMiddleware]:
    """The middlewares of `providers` (`kubernetescrd`, `docker`) defined in the scan's other files."""
    found: list[ForeignMiddleware] = []
    for other in other_files(path, context):
        for item in _middlewares_in(str(other.path), other.size, other.mtime_ns, context.max_bytes, other.shown):
            if item.reference.rpartition("@")[2] in providers:
                found.append(item)
    return found


@lru_cache(maxsize=1024)
def _middlewares_in(
    file: str, size: int, mtime_ns: int, max_bytes: int, shown: str
) -> tuple[ForeignMiddleware, ...]:
    """The Custom Resource and label middlewares one file defines (none when unreadable)."""
    path = Path(file)
    try:
        raw = path.read_bytes()
        has_crd = declares_kind(raw, "Middleware")
        has_labels = b"traefik.http.middlewares." in raw.lower()
        if not has_crd and not has_labels:
            return ()
        documents = load_structured_documents(path, ReadContext(root=path.parent, max_bytes=max_bytes))
    except (OSError, SourceError):
        return ()
    found = _crd_middlewares(documents, shown) if has_crd else []
    if has_labels:
        for document in documents:
            found += _label_middlewares(document, shown)
    return tuple(found)


def file_middlewares(path: Path, context: ReadContext) -> tuple[ForeignMiddleware, ...]:
    """The Custom Resource and label middlewares `path` itself defines (a manifest or Compose file
    being read, whose own middlewares its routes name)."""
    try:
        stat = path.stat()
    except OSError:
        return ()
    return _middlewares_in(str(path.resolve()), stat.st_size, stat.st_mtime_ns, context.max_bytes,
                           context.relative_path(path))


def crd_middleware(item: KubeObject) -> ForeignMiddleware | None:
    """A `Middleware` custom resource as the file provider would write it, under its qualified name
    (`<namespace>-<name>@kubernetescrd`); None for any other object."""
    if item.kind != "Middleware" or not item.api_version.startswith(_CRD_GROUPS):
        return None
    spec = {str(key): value for key, value in item.spec.items()}
    if len(spec) == 1 and isinstance(spec.get("chain"), Mapping):
        members = spec["chain"].get("middlewares")
        spec = {"chain": {"middlewares": [
            f"{member.get('namespace') or item.namespace}-{member.get('name')}@kubernetescrd"
            for member in (members if isinstance(members, list) else []) if isinstance(member, Mapping)
        ]}}
    pointer = f"{item.pointer}/spec"
    return ForeignMiddleware(f"{item.namespace}-{item.name}@kubernetescrd", spec, item.shown,
                             item.document.line_of(pointer), pointer)


def _crd_middlewares(documents: list[StructuredDocument], shown: str) -> list[ForeignMiddleware]:
    objects, _ = collect_objects(documents, shown, lambda message: None)
    return [found for item in objects if (found := crd_middleware(item)) is not None]


def _label_middlewares(document: StructuredDocument, shown: str) -> list[ForeignMiddleware]:
    """Middlewares from the labels of a Compose file's services (`labels` or `deploy.labels`)."""
    services = document.data.get("services") if isinstance(document.data, Mapping) else None
    configs: dict[str, dict[str, Any]] = {}
    places: dict[str, str] = {}
    for service_name, service in (services.items() if isinstance(services, Mapping) else []):
        if not isinstance(service, Mapping):
            continue
        base = "/services/" + escape_pointer_token(str(service_name))
        for key, value, where in service_labels(service, base):
            found = _LABEL.fullmatch(key.strip())
            if found is not None:
                name = found.group(1)
                keys = [found.group(2), *found.group(3).split(".")[1:]]
                _set(configs.setdefault(name, {}), keys, value)
                places.setdefault(name, where)
    return [ForeignMiddleware(f"{name}@docker", _qualified_chain(config), shown,
                              document.line_of(places[name]), places[name])
            for name, config in configs.items()]


def _set(config: dict[str, Any], keys: list[str], value: str) -> None:
    """Set a label's value at its (case-folded, canonical) path, typed as Traefik reads it."""
    node = config
    names = [_CANONICAL.get(key.lower(), key) for key in keys]
    for key in names[:-1]:
        child = node.get(key)
        node = node.setdefault(key, {}) if not isinstance(child, dict) else child
    last = names[-1]
    node[last] = _typed(last, value.strip())


def _typed(option: str, value: str) -> object:
    if option in _LISTS:
        return [item.strip() for item in value.split(",") if item.strip()]
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    if _NUMBER.fullmatch(value):
        return float(value) if "." in value else int(value)
    return value


def _qualified_chain(config: dict[str, Any]) -> dict[str, Any]:
    """A label chain's members named within the docker provider, qualified (`auth` -> `auth@docker`)."""
    chain = config.get("chain")
    if len(config) == 1 and isinstance(chain, dict) and isinstance(chain.get("middlewares"), list):
        members = [item if "@" in item else f"{item}@docker" for item in chain["middlewares"]]
        return {"chain": {"middlewares": members}}
    return config
