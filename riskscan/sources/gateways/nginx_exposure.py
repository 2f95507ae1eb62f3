"""What an nginx location shows beyond routing: where its pass directive sends requests, and the CORS
headers it adds.

- Upstream: a `proxy_pass`/`grpc_pass` URL names an `upstream` block (its `server`s are the nodes) or
  one host. The scheme is the URL's (`http`, `https`, `grpc`, `grpcs`); FastCGI, uwsgi and SCGI passes
  name their protocol. nginx takes a server of an upstream block out after `max_fails` (default 1)
  failures for `fail_timeout`: passive health checks, on unless every server sets `max_fails=0`;
  NGINX Plus adds active `health_check`. Timeouts are the pass module's `*_connect_timeout`,
  `*_read_timeout` and `*_send_timeout` in force (unset: nginx's 60 seconds). A host chosen at run
  time (a variable) or a unix socket shows no node: no upstream detail.
- Credentials: a header set towards the backend (`proxy_set_header`, `grpc_set_header`) or sent to
  clients (`add_header`) whose name carries credentials (`Authorization`, `X-Api-Key`, names with
  token, secret, key or password) and whose value is written out rather than taken from a variable
  (`$http_authorization`) is a credential in clear; only its place is kept. So is any directive
  argument that is a URL carrying a credential (`url_credentials`: an `otel_exporter` endpoint, an
  `auth_request` backend or `proxy_pass` with userinfo or `?token=`; `access_log syslog:` has no place
  for one). `auth_basic_user_file` and `ssl_certificate_key` name files, not secrets.
- CORS: the `add_header Access-Control-Allow-Origin` in force (nginx inherits `add_header` only from
  the innermost level that has any): `*`, or `$http_origin` reflected unchecked, allows any origin;
  `add_header Access-Control-Allow-Credentials true` beside it allows credentials. Headers added in
  `if` blocks apply to some requests only and are not read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from riskscan.model import CorsPolicy, Evidence, Upstream
from riskscan.sources.gateways.nginx_scope import Scope
from riskscan.sources.gateways.nginx_tree import Directive
from riskscan.sources.gateways.url_credentials import url_credential

__all__ = ["clear_secrets", "cors_policies", "upstream_blocks", "upstream_detail"]

Evidencer = Callable[[Directive, str, str | None], Evidence]
_HEADER_DIRECTIVES = frozenset({"proxy_set_header", "grpc_set_header", "add_header"})
_SECRET_HEADER_WORDS = ("authorization", "api-key", "apikey", "token", "secret", "password", "key")
_MAX_SECRETS = 200
_TIMEOUT_PREFIX = {"proxy_pass": "proxy", "grpc_pass": "grpc", "fastcgi_pass": "fastcgi",
                   "uwsgi_pass": "uwsgi", "scgi_pass": "scgi"}


def upstream_blocks(directives: Iterable[Directive]) -> dict[str, Directive]:
    """`upstream` blocks by name (in `http` or at the top of a site file)."""
    found: dict[str, Directive] = {}
    for directive in directives:
        if directive.name == "upstream" and directive.args and directive.block is not None:
            found[directive.args[0]] = directive
        elif directive.name == "http" and directive.block is not None:
            found.update(upstream_blocks(directive.block))
    return found


def upstream_detail(pass_: Directive, scope: Scope, blocks: dict[str, Directive],
                    evidence: Evidencer) -> Upstream | None:
    """The nodes, scheme and resilience settings behind one pass directive; None when not shown."""
    if not pass_.args or pass_.args[0].startswith("unix:"):
        return None
    target = pass_.args[0]
    scheme, _, rest = target.rpartition("://")
    host = rest.split("/", 1)[0].rpartition("@")[2]
    if not host or "$" in host:
        return None
    block = blocks.get(host.split(":", 1)[0])
    servers = [server for server in block.children("server") if server.args] if block else []
    hosts = [_host(server.args[0]) for server in servers] if block else [_host(host)]
    prefix = _TIMEOUT_PREFIX.get(pass_.name, "proxy")
    timeouts = [scope.last(f"{prefix}_{kind}_timeout") for kind in ("connect", "read", "send")]
    return Upstream(
        hosts=tuple(dict.fromkeys(host for host in hosts if host)),
        nodes=len(hosts),
        scheme=scheme.lower() if scheme else pass_.name.removesuffix("_pass"),
        has_health_checks=scope.last("health_check") is not None or any(
            "max_fails=0" not in server.args[1:] for server in servers),
        has_timeouts=any(directive is not None for directive in timeouts),
        evidence=evidence(block or pass_, f"{pass_.name} {target}", None),
    )


def cors_policies(scope: Scope, evidence: Evidencer) -> tuple[CorsPolicy, ...]:
    """The CORS policy the headers in force make, or none when no Allow-Origin header is added."""
    headers, _ = scope.effective("add_header")
    named = {directive.args[0].lower(): directive for directive in headers if len(directive.args) > 1}
    origin = named.get("access-control-allow-origin")
    if origin is None:
        return ()
    value = origin.args[1].strip('"\'')
    credentials = named.get("access-control-allow-credentials")
    allows_credentials = credentials is not None and credentials.args[1].strip('"\'').lower() == "true"
    return (CorsPolicy(allows_any_origin=value == "*" or value.startswith("$http_origin"),
                       allows_credentials=allows_credentials,
                       evidence=evidence(origin, "add_header Access-Control-Allow-Origin", None)),)


def clear_secrets(directives: Iterable[Directive], evidence: Evidencer) -> tuple[Evidence, ...]:
    """Every credential-named header written with a literal value, and every argument that is a URL
    carrying a credential, by place (never the value)."""
    found: list[Evidence] = []
    stack = list(reversed(list(directives)))
    while stack and len(found) < _MAX_SECRETS:
        directive, before = stack.pop(), len(found)
        if directive.name in _HEADER_DIRECTIVES and len(directive.args) > 1:
            name, value = directive.args[0].lower(), directive.args[1].strip('"\'')
            if any(word in name for word in _SECRET_HEADER_WORDS) and value and not value.startswith("$") \
                    and not name.startswith("access-control-"):
                found.append(evidence(directive, f"{directive.name} {directive.args[0]}",
                                      "credential written in clear (not taken from a variable)"))
        what = next((what for arg in directive.args if (what := url_credential(arg.strip('"\''))) is not None),
                    None)
        if what is not None and len(found) == before:  # a header already recorded is not counted twice
            found.append(evidence(directive, directive.name, f"{what} (not taken from a variable)"))
        stack.extend(reversed(directive.block or ()))
    return tuple(found)


def _host(address: str) -> str:
    """`10.0.0.1:8080` -> `10.0.0.1`; `[2001:db8::1]:443` -> `2001:db8::1`; `api.example` as is."""
    address = address.rpartition("@")[2]
    if address.startswith("["):
        return address[1:].partition("]")[0]
    return address.rpartition(":")[0] if address.count(":") == 1 else address
