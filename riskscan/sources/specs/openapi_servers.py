"""Where an OpenAPI or Swagger spec's paths are mounted: server URLs and Swagger `host`/`basePath`.

An operation's full path is its server's path prefix joined to its path template. OpenAPI 3 takes the
operation's `servers`, else its path item's, else the root's (server variables replaced by their
defaults); Swagger 2.0 has one `host` and `basePath` for the whole spec. A server URL that names a
host gives the operation its host too (credentials and default ports dropped, lower-cased). Each base
keeps the scheme its server names (`http`, `https`; Swagger 2.0: one base per entry of `schemes`) and
where the server is declared, so that transport security can cite a plain-HTTP server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from riskscan.redaction import redact_path
from riskscan.sources.specs.openapi_refs import Located, RefResolver

__all__ = ["ServerBase", "join_path", "server_bases", "swagger_bases"]

_SERVER_VARIABLE = re.compile(r"\{([^{}]*)\}")
_ABSOLUTE_URL = re.compile(r"^(?:([A-Za-z][A-Za-z0-9+.-]{0,20}):)?//([^/?#]*)([^?#]*)")
_SLASHES = re.compile(r"/{2,}")
_DOT_SEGMENT = re.compile(r"/\.(?=/|$)")
_DEFAULT_PORT = re.compile(r":(?:80|443)$")


@dataclass(frozen=True)
class ServerBase:
    """Where a spec's paths are mounted: a host (when the server URL names one) and a path prefix."""

    host: str | None
    prefix: str
    scheme: str | None = None  # lower case, as the server URL names it; None for a relative URL
    declared_at: Located | None = field(default=None, compare=False)  # the server (or `schemes`) node


def server_bases(servers: Located, refs: RefResolver) -> list[ServerBase]:
    """Distinct bases of a `servers` list, in order; problems become warnings on `refs`."""
    if not isinstance(servers.node, list):
        if servers.node is not None:
            refs.warn(servers, "servers is not a list; ignored")
        return []
    bases: dict[ServerBase, None] = {}
    for index, server in enumerate(servers.node):
        if isinstance(server, dict) and isinstance(server.get("url"), str):
            base = _server_base(server)
            bases.setdefault(ServerBase(base.host, base.prefix, base.scheme, servers.child(index)), None)
        else:
            refs.warn(servers.child(index), "server without a url; ignored")
    return list(bases)


def swagger_bases(root: Located) -> list[ServerBase]:
    """Swagger 2.0: the base given by `host` and `basePath`, once per entry of `schemes` (none listed:
    the scheme the spec itself is served with, unknown here)."""
    data = root.node
    host = _host(data["host"]) if isinstance(data.get("host"), str) else None
    prefix = data["basePath"] if isinstance(data.get("basePath"), str) else ""
    schemes = data.get("schemes")
    named = [s.lower() for s in schemes if isinstance(s, str)] if isinstance(schemes, list) else []
    where = root.child("schemes")
    bases = [ServerBase(host, prefix, scheme, where) for scheme in dict.fromkeys(named)]
    return bases or [ServerBase(host, prefix)]


def join_path(prefix: str, template: str) -> str:
    """Server prefix + path template, with single slashes, no trailing slash, no `.` segments,
    personal data in literal segments redacted."""
    joined = _DOT_SEGMENT.sub("", _SLASHES.sub("/", f"/{prefix}/{template}"))
    joined = joined.rstrip("/") or "/"
    return redact_path(joined)


_PLACEHOLDER_HOST = re.compile(r"[{}<>\s]")


def _server_base(server: dict[Any, Any]) -> ServerBase:
    """A server object's host and path prefix, variables replaced by their defaults."""
    variables = server.get("variables")
    if not isinstance(variables, dict):
        variables = {}

    def substitute(match: re.Match[str]) -> str:
        variable = variables.get(match.group(1))
        default = variable.get("default") if isinstance(variable, dict) else None
        return str(default) if isinstance(default, (str, int, float)) else match.group(0)

    url = _SERVER_VARIABLE.sub(substitute, server["url"]).strip()
    absolute = _ABSOLUTE_URL.match(url)
    if absolute:
        scheme = absolute.group(1).lower() if absolute.group(1) else None
        return ServerBase(_host(absolute.group(2)), absolute.group(3), scheme)
    return ServerBase(None, re.split(r"[?#]", url, maxsplit=1)[0])


def _host(netloc: str) -> str | None:
    """A URL authority without credentials or default port, lower-cased; None when it is a placeholder
    left unresolved (`{your-agent-url}` as a variable's default, `<your-domain>`): no request names it,
    so its endpoints stand for any host rather than for none."""
    host = _DEFAULT_PORT.sub("", netloc.rpartition("@")[2].strip().lower())
    return host if host and _PLACEHOLDER_HOST.search(host) is None else None
