"""Where an OpenAPI or Swagger spec's paths are mounted: server URLs and Swagger `host`/`basePath`.

An operation's full path is its server's path prefix joined to its path template. OpenAPI 3 takes the
operation's `servers`, else its path item's, else the root's (server variables replaced by their
defaults); Swagger 2.0 has one `host` and `basePath` for the whole spec. A server URL that names a
host gives the operation its host too (credentials and default ports dropped, lower-cased).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from riskscan.redaction import redact_path
from riskscan.sources.specs.openapi_refs import Located, RefResolver

__all__ = ["ServerBase", "join_path", "server_bases", "swagger_bases"]

_SERVER_VARIABLE = re.compile(r"\{([^{}]*)\}")
_ABSOLUTE_URL = re.compile(r"^(?:[^:/?#]*:)?//([^/?#]*)([^?#]*)")
_SLASHES = re.compile(r"/{2,}")
_DOT_SEGMENT = re.compile(r"/\.(?=/|$)")
_DEFAULT_PORT = re.compile(r":(?:80|443)$")


@dataclass(frozen=True)
class ServerBase:
    """Where a spec's paths are mounted: a host (when the server URL names one) and a path prefix."""

    host: str | None
    prefix: str


def server_bases(servers: Located, refs: RefResolver) -> list[ServerBase]:
    """Distinct bases of a `servers` list, in order; problems become warnings on `refs`."""
    if not isinstance(servers.node, list):
        if servers.node is not None:
            refs.warn(servers, "servers is not a list; ignored")
        return []
    bases: dict[ServerBase, None] = {}
    for index, server in enumerate(servers.node):
        if isinstance(server, dict) and isinstance(server.get("url"), str):
            bases[_server_base(server)] = None
        else:
            refs.warn(servers.child(index), "server without a url; ignored")
    return list(bases)


def swagger_bases(data: dict[Any, Any]) -> list[ServerBase]:
    """Swagger 2.0: the one base given by `host` and `basePath`."""
    host = data.get("host")
    base_path = data.get("basePath")
    return [
        ServerBase(
            _host(host) if isinstance(host, str) else None,
            base_path if isinstance(base_path, str) else "",
        )
    ]


def join_path(prefix: str, template: str) -> str:
    """Server prefix + path template, with single slashes, no trailing slash, no `.` segments,
    personal data in literal segments redacted."""
    joined = _DOT_SEGMENT.sub("", _SLASHES.sub("/", f"/{prefix}/{template}"))
    joined = joined.rstrip("/") or "/"
    return redact_path(joined)


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
        return ServerBase(_host(absolute.group(1)), absolute.group(2))
    return ServerBase(None, re.split(r"[?#]", url, maxsplit=1)[0])


def _host(netloc: str) -> str | None:
    """A URL authority without credentials or default port, lower-cased."""
    host = _DEFAULT_PORT.sub("", netloc.rpartition("@")[2].strip().lower())
    return host or None
