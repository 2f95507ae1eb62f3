"""Reader for nginx configurations used as an API gateway (`nginx.conf`, `sites-enabled/*`, `conf.d/*`).

Parsed with crossplane, includes spliced in inside the folders given (`nginx_tree`). Each `location`
that hands requests to a backend (`proxy_pass`, `fastcgi_pass`, `grpc_pass`, `uwsgi_pass`,
`scgi_pass`) is one `GatewayRoute`:

- its uris translate the location match (`nginx_locations`); a regex that is not a plain path is
  left out with a warning "regex path ... not evaluated";
- its hosts are the server's `server_name`s (`_` and empty names mean any host; `.example.com` is
  the domain and its subdomains; a regex name becomes a condition, not a wider host);
- what it enforces is read from the directives in force there, inherited as nginx inherits them
  (`nginx_scope`, `nginx_controls`);
- its upstream is the `upstream` block's servers or the URL's host, credentials stripped.

A location that only returns a fixed answer (`return`), serves files (`root`, `alias`, `try_files`),
is `internal` or named (`@name`) is not an API route: nothing behind the gateway answers there. `if`
blocks in a location apply to some requests only: conditions and warnings, never enforced
(`nginx_conditions`); a backend named only inside one still makes the location a route. A
location nginx never hands a request to (`nginx_locations.shadowed_by`: a plain prefix under a regex
prefix, a regex under a `^~` prefix) is left out with a warning. A location whose access rules deny
everyone is kept, not enabled. `limit_except` with `deny all` restricts the route to its listed
methods. `stream` (TCP/UDP) servers are not assessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from riskscan.model import (
    ClientTransport,
    Evidence,
    GatewayConfig,
    GatewayRoute,
    PluginRef,
    SourceKind,
    TlsSetting,
)
from riskscan.redaction import redact
from riskscan.sources import ReadContext
from riskscan.sources.gateways.nginx_ciphers import cipher_settings
from riskscan.sources.gateways.nginx_conditions import if_conditions
from riskscan.sources.gateways.nginx_controls import ServerTls, read_enforcement
from riskscan.sources.gateways.nginx_exposure import (
    clear_secrets,
    cors_policies,
    upstream_blocks,
    upstream_detail,
)
from riskscan.sources.gateways.nginx_locations import LocationMatch, parse_location, shadowed_by
from riskscan.sources.gateways.nginx_scope import Scope, Zone, collect_zones
from riskscan.sources.gateways.nginx_tree import Directive, NginxError, load_tree
from riskscan.sources.gateways.tls_versions import TlsDefault, default_setting, tls_setting

__all__ = ["PASS_DIRECTIVES", "NginxError", "NginxReader"]

_PLACEHOLDER = "${"
_TEMPLATED_SETTINGS = frozenset({"listen", "ssl_protocols", "ssl_ciphers"})

PASS_DIRECTIVES = ("proxy_pass", "fastcgi_pass", "grpc_pass", "uwsgi_pass", "scgi_pass")
"""Directives that hand a request to a backend: a location with one of them is an API route."""

_MAX_EXCERPT = 200
_MAX_NODES_SHOWN = 5
# The first significant line of an nginx config: a directive name then arguments, `;` or `{`
# (never `name:` as in YAML, never `{`/`[` as in JSON, never an address as in an access log).
_FIRST_LINE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\s|\{|;|$)")
# Each repetition stays on its line or is bounded: the head may be 64 KiB of blank lines or `location`s.
_BLOCK = re.compile(
    r"^[ \t]*(?:(?:http|server|events|stream)\s*|upstream\s+[^{;\s]+\s*|location\s[^{;]{0,1000}+)\{",
    re.MULTILINE,
)


class NginxReader:
    """Reads nginx configuration files into a `GatewayConfig`."""

    kind = SourceKind.NGINX
    title = "NGINX configuration used as an API gateway (nginx.conf and its includes)"
    summary = ("locations that pass to a backend as routes (=, prefix, ^~, simple regexes) with server names, "
               "auth_basic, auth_request, auth_jwt, client certificates, limit_req/limit_conn zones, access "
               "logs and allow/deny as nginx inherits them; includes resolved inside the folders given")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True for an nginx config: it opens with a directive and has an http, server, upstream or
        location block. A `.conf` name is no proof; YAML and JSON (a Kubernetes manifest carrying an
        nginx snippet) and logs are not configs."""
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
        lines = (line.strip() for line in text.splitlines())
        first = next((line for line in lines if line and not line.startswith("#")), "")
        return _FIRST_LINE.match(first) is not None and _BLOCK.search(text) is not None

    def read(self, path: Path, context: ReadContext) -> GatewayConfig:
        """Read one config and what it includes; raise `NginxError` naming the file and the problem."""
        tree = load_tree(path, context)
        builder = _Builder(tree.directives, tree.warnings)
        routes = builder.build()
        ciphers = cipher_settings(tree.directives, _evidence, tree.warnings.append)
        templated = _templated_settings(tree.directives, tree.warnings)
        return GatewayConfig(
            path=context.relative_path(path),
            gateway="nginx",
            routes=tuple(routes),
            warnings=tuple(dict.fromkeys(tree.warnings)),
            referenced_files=tuple(tree.included),
            tls_settings=_tls_settings(tree.directives),
            clear_secrets=clear_secrets(tree.directives, _evidence),
            cipher_settings=ciphers,
            unknown_settings=templated,
        )


def _templated_settings(directives: tuple[Directive, ...], warnings: list[str]) -> tuple[str, ...]:
    """The settings deciding listeners and TLS (`listen`, `ssl_protocols`, `ssl_ciphers`) that a template
    placeholder fills (`is_templated`), each named once in a warning at its first place."""
    found: dict[str, Directive] = {}
    stack = list(reversed(directives))
    while stack:
        directive = stack.pop()
        # A templated listen that writes `ssl` is TLS whatever fills its port.
        is_tls_listen = directive.name == "listen" and {"ssl", "quic"} & set(_words(directive)[1:])
        if directive.name in _TEMPLATED_SETTINGS and _is_templated(directive) and not is_tls_listen:
            found.setdefault(directive.name, directive)
        stack.extend(reversed(directive.block or ()))
    for name, directive in found.items():
        warnings.append(f"{directive.path}:{directive.line}: {name} holds a ${{VAR}} template placeholder "
                        "(filled when the container starts): what it sets is not judged")
    return tuple(sorted(found))


class _Builder:
    """Turns the loaded tree into routes, collecting warnings as it goes."""

    def __init__(self, directives: tuple[Directive, ...], warnings: list[str]) -> None:
        self._directives = directives
        self._warnings = warnings
        self._zones: dict[tuple[str, str], Zone] = collect_zones(directives, warnings.append)
        self._upstreams = _upstreams(directives)
        self._blocks = upstream_blocks(directives)
        self._ids: set[str] = set()

    def build(self) -> list[GatewayRoute]:
        """Every route of every http server block, in the order they are written."""
        routes: list[GatewayRoute] = []
        for server, scope in self._servers():
            routes.extend(self._server_routes(server, scope))
        return routes

    def _servers(self) -> list[tuple[Directive, Scope]]:
        """Every http server block with the scope it sits in (a site file's servers sit in none)."""
        found = [(d, Scope(())) for d in self._directives if d.name == "server" and d.block is not None]
        for http in (d for d in self._directives if d.name == "http"):
            scope = Scope(()).inner("http", http.block or ())
            found.extend((server, scope) for server in http.children("server"))
        stream = sum(len(d.children("server")) for d in self._directives if d.name == "stream")
        if stream:
            self._warnings.append(f"{stream} stream server(s) (TCP/UDP proxying) are not assessed")
        return found

    def _server_routes(self, server: Directive, outer: Scope) -> list[GatewayRoute]:
        scope = outer.inner("server", server.block or ())
        listens = server.children("listen")
        all_tls = bool(listens) and all(_is_tls(listen, server) for listen in listens)
        tls = ServerTls(all_tls, scope.last("ssl_verify_client"))
        hosts, conditions = _hosts(server, self._warnings)
        label = f"{hosts[0] if hosts else '_'}:{_port(listens)}"
        siblings = [parse_location(location.args) for location in server.children("location")]
        context = _ServerContext(label, hosts, conditions, tls, all_tls and bool(listens), siblings,
                                 _client_transport(server, listens))
        routes: list[GatewayRoute] = []
        for location in server.children("location"):
            routes.extend(self._locations(location, scope, context))
        return routes

    def _locations(self, location: Directive, outer: Scope, server: _ServerContext) -> list[GatewayRoute]:
        """The route this location is (if it is one), then those of the locations nested in it."""
        scope = outer.inner("location", location.block or ())
        routes: list[GatewayRoute] = []
        route = self._route(location, scope, server)
        if route is not None:
            routes.append(route)
        for nested in location.children("location"):
            routes.extend(self._locations(nested, scope, server))
        return routes

    def _route(self, location: Directive, scope: Scope, server: _ServerContext) -> GatewayRoute | None:
        match = parse_location(location.args)
        passes = [child for name in PASS_DIRECTIVES for child in location.children(name)]
        passes = passes or [  # a backend for some requests only: a route whose `if` is its condition
            child for block in location.children("if") for name in PASS_DIRECTIVES
            for child in block.children(name)
        ]
        if (
            not passes
            or match.modifier == "@"
            or location.children("internal")
            or location.children("return")
        ):
            return None
        route_id = self._route_id(server.label, match, location)
        if not self._is_assessable(location, match, route_id, server):
            return None
        enforcement = read_enforcement(scope, server.tls, self._zones, _evidence, self._warnings.append)
        conditions = if_conditions(location, f"route {route_id}", self._warnings.append)
        methods, method_refs = _methods(location, scope)
        plugins = (*server.tls_refs(scope), *enforcement.plugins, *method_refs)
        pass_ = passes[0]
        upstream = _upstream(pass_, self._upstreams)
        excerpt = f"location {match.label} {pass_.name} {upstream or ''}".strip()
        return GatewayRoute(
            gateway="nginx",
            route_id=route_id,
            uris=match.uris,
            methods=methods,
            hosts=server.hosts,
            conditions=(*server.conditions, *conditions),
            is_enabled=not enforcement.denies_everyone,
            plugins=plugins,
            auth=enforcement.auth,
            rate_limits=enforcement.rate_limits,
            loggers=enforcement.loggers,
            monitors=enforcement.monitors,
            upstream=upstream,
            evidence=_evidence(location, excerpt, None),
            client_transport=server.transport,
            upstream_detail=upstream_detail(pass_, scope, self._blocks, _evidence),
            cors=cors_policies(scope, _evidence),
        )

    def _is_assessable(
        self, location: Directive, match: LocationMatch, route_id: str, server: _ServerContext
    ) -> bool:
        """False, with a warning, for a location nginx never reaches or whose regex is not evaluated."""
        where = f"{location.path}:{location.line}: route {route_id}"
        shadow = shadowed_by(match, server.siblings)
        if shadow is not None:
            self._warnings.append(
                f"{where} never serves a request: location {redact(shadow.label)} takes all of them "
                "(nginx location order)"
            )
            return False
        if not match.uris:
            self._warnings.append(
                f"{where}: regex path {redact(match.pattern)} not evaluated ({match.problem})"
            )
            return False
        return True

    def _route_id(self, label: str, match: LocationMatch, location: Directive) -> str:
        route_id = f"{label} {match.label}"
        if route_id in self._ids:
            route_id = f"{route_id} (line {location.line})"
        self._ids.add(route_id)
        return route_id


@dataclass(frozen=True)
class _ServerContext:
    """What a server block gives each of its routes."""

    label: str  # `api.example.com:443`: first server name and first listen port, for route ids
    hosts: tuple[str, ...]
    conditions: tuple[str, ...]
    tls: ServerTls
    is_tls: bool
    siblings: list[LocationMatch]  # the server-level locations, in the order written
    transport: ClientTransport | None  # whether its listens serve plain HTTP; None: a template hides it

    def tls_refs(self, scope: Scope) -> tuple[PluginRef, ...]:
        """A `listen ... ssl` PluginRef when every listen of the server is TLS."""
        if not self.is_tls:
            return ()
        listens, _ = scope.effective("listen")
        return (
            PluginRef(
                name="ssl",
                attached_to="server",
                evidence=_evidence(listens[0], "listen with ssl", "every listen is TLS"),
            ),
        )


def _evidence(directive: Directive, excerpt: str, note: str | None) -> Evidence:
    """Evidence for a directive: the file it was written in, its line, a short redacted excerpt."""
    return Evidence(
        path=directive.path, line=directive.line, excerpt=redact(excerpt)[:_MAX_EXCERPT], note=note
    )


def _is_tls(listen: Directive, server: Directive) -> bool:
    """A listen is TLS with `ssl` (or `quic`, HTTP/3), or under the legacy `ssl on;` of its server."""
    legacy = any(d.args[:1] == ("on",) for d in server.children("ssl"))
    words = _words(listen)
    return legacy or "ssl" in words[1:] or "quic" in words[1:]


def _words(directive: Directive) -> tuple[str, ...]:
    """The directive's arguments split at whitespace: crossplane keeps `${PORT} ssl` as one token."""
    return tuple(word for arg in directive.args for word in arg.split())


def _is_templated(directive: Directive) -> bool:
    """True when an argument holds a `${VAR}` placeholder. nginx takes no variables in `listen`,
    `ssl_protocols` or `ssl_ciphers`: there it is a template's, filled when the container starts (the
    official image runs envsubst over /etc/nginx/templates/*.template), so its value is unknown."""
    return any(_PLACEHOLDER in arg for arg in directive.args)


def _client_transport(server: Directive, listens: list[Directive]) -> ClientTransport | None:
    """Plain when a listen is not TLS (no listen at all: port 80) and the server does not send every
    plain request to https first (`if ($scheme = http) { return 301 https://... }`); None when a listen
    that names no `ssl` is a template's (`listen ${PORT};`): the placeholder may hold its flags."""
    plain = [listen for listen in listens if not _is_tls(listen, server)]
    if any(_is_templated(listen) for listen in plain) and not _redirects_to_https(server):
        return None
    if listens and not plain:
        return ClientTransport(is_plain=False,
                               evidence=_evidence(listens[0], "listen with ssl", "every listen is TLS"))
    where = plain[0] if plain else server
    if _redirects_to_https(server):
        return ClientTransport(is_plain=False,
                               evidence=_evidence(where, "listen", "plain HTTP redirected to https"))
    excerpt = f"listen {' '.join(where.args)}" if plain else "server without listen (port 80)"
    return ClientTransport(is_plain=True,
                           evidence=_evidence(where, excerpt, "plain HTTP listener, no redirect"))


def _redirects_to_https(server: Directive) -> bool:
    """A server-level `if` on the scheme whose `return` (or `rewrite ... redirect|permanent`) goes to
    https://: plain requests never reach the locations."""
    for block in server.children("if"):
        if not any("$scheme" in arg or "$https" in arg for arg in block.args):
            continue
        targets = [arg for d in (*block.children("return"), *block.children("rewrite")) for arg in d.args]
        if any(target.startswith("https://") for target in targets):
            return True
    return False


def _tls_settings(directives: tuple[Directive, ...]) -> tuple[TlsSetting, ...]:
    """Every `ssl_protocols` written in the config and its includes, wherever it sits; then nginx's
    default for each server block serving TLS that neither it nor its http block sets."""
    found: list[TlsSetting] = []
    stack = list(reversed(directives))
    while stack:
        directive = stack.pop()
        if directive.name == "ssl_protocols" and not _is_templated(directive):
            excerpt = f"ssl_protocols {' '.join(directive.args)}"
            setting = tls_setting(directive.args, _evidence(directive, excerpt, "TLS versions accepted"))
            found += [setting] if setting is not None else []
        stack.extend(reversed(directive.block or ()))
    return tuple(found) + _default_tls(directives)


def _default_tls(directives: tuple[Directive, ...]) -> tuple[TlsSetting, ...]:
    """nginx's default versions at each TLS server block without `ssl_protocols` (in it or its http
    block). A server block outside any http block given sits in a file included elsewhere, whose
    http block may set them: the evidence says so. An include that could not be read (kept in the
    tree without a block) may set them too: no default is claimed there."""
    scopes = [(http.block or (), bool(http.children("ssl_protocols") or http.children("include")))
              for http in directives if http.name == "http"]
    scopes.append((directives, False))
    found: list[TlsSetting] = []
    for block, inherited in scopes:
        for server in (d for d in block if d.name == "server" and not inherited):
            listens = [listen for listen in server.children("listen") if _is_tls(listen, server)]
            if not listens or server.children("ssl_protocols") or server.children("include"):
                continue
            note = ("TLS served; no ssl_protocols: nginx's default applies" if block is not directives else
                    "TLS served; no ssl_protocols here: nginx's default, unless the http block including "
                    "this file sets them")
            excerpt = "listen " + " ".join(listens[0].args)
            found.append(default_setting(TlsDefault.NGINX, _evidence(listens[0], excerpt, note)))
    return tuple(found)


def _port(listens: list[Directive]) -> str:
    """The first listen's port (`443 ssl`, `[::]:443`, `10.0.0.1:8443`), or 80, nginx's default."""
    if not listens or not listens[0].args:
        return "80"
    address = listens[0].args[0]
    if address.startswith("unix:"):
        return "unix"
    tail = address.rpartition(":")[2] if ":" in address else address
    return tail if tail.isdigit() else "80"


def _hosts(server: Directive, warnings: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(hosts, conditions) from `server_name`: regex names are conditions, `_`/empty mean any host."""
    hosts: list[str] = []
    conditions: list[str] = []
    for directive in server.children("server_name"):
        for name in directive.args:
            if name.startswith("~"):
                conditions.append(f"host matches {redact(name[1:])}")
                warnings.append(
                    f"{directive.path}:{directive.line}: regex server_name {redact(name)} "
                    "is kept as a condition, not evaluated as hosts"
                )
            elif name.startswith("."):
                hosts.extend((name[1:], "*" + name))
            elif name and name != "_" and "$" not in name:
                hosts.append(name)
    return tuple(dict.fromkeys(hosts)), tuple(conditions)


def _methods(location: Directive, scope: Scope) -> tuple[tuple[str, ...], tuple[PluginRef, ...]]:
    """Methods the route serves: all, unless `limit_except` denies every other method to everyone."""
    for block in location.children("limit_except"):
        ref = PluginRef(
            name="limit_except",
            attached_to="location",
            evidence=_evidence(block, f"limit_except {' '.join(block.args)}", None),
        )
        rules = [child for child in block.block or () if child.name in ("allow", "deny")]
        if rules and all(rule.name == "deny" for rule in rules):
            methods = {method.upper() for method in block.args}
            if "GET" in methods:
                methods.add("HEAD")  # nginx: allowing GET also allows HEAD
            return tuple(sorted(methods)), (ref,)
        return (), (ref,)
    return (), ()


def _upstreams(directives: Iterable[Directive]) -> dict[str, list[str]]:
    """`upstream` blocks by name, each as its servers' addresses (first argument of `server`)."""
    found: dict[str, list[str]] = {}
    for directive in directives:
        if directive.name == "upstream" and directive.args and directive.block is not None:
            found[directive.args[0]] = [s.args[0] for s in directive.children("server") if s.args]
        elif directive.name == "http" and directive.block is not None:
            found.update(_upstreams(directive.block))
    return found


def _upstream(directive: Directive, upstreams: dict[str, list[str]]) -> str | None:
    """Where a pass directive sends requests: `upstream` servers or the URL's host, no credentials."""
    if not directive.args:
        return None
    target = directive.args[0]
    if target.startswith("unix:"):
        return "unix socket"
    host = target.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[2]
    if host.startswith("$") or "$" in host:
        return "chosen at run time (variable)"
    servers = upstreams.get(host.split(":", 1)[0])
    if servers is None:
        return redact(host)
    shown = [address.rpartition("@")[2] for address in servers[:_MAX_NODES_SHOWN]]
    more = len(servers) - _MAX_NODES_SHOWN
    text = ", ".join(shown) or f"upstream {host}"
    return redact(f"{text} (+{more} more)" if more > 0 else text)
