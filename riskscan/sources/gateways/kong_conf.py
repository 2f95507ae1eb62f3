"""Reader for Kong's own runtime configuration, `kong.conf`.

decK files and Admin API exports show Kong's routes; kong.conf shows what they cannot: the TLS versions
the proxy accepts, whether the Admin API listens beyond the host, and the datastore's credentials.
The format, as Kong's configuration reference defines it: one `key = value` setting a line, `#` starts a
comment (`\\#` is a literal `#`), lists are comma-separated, and every setting left out takes its
documented default (kong.conf.default). A value may be quoted; the quotes are dropped.

What is read (`kong_conf_rules` judges each setting):
- `ssl_cipher_suite` (`modern`, `intermediate`: the default, `old`, `fips`, `custom`) decides the TLS
  versions; `ssl_protocols` counts only with `custom`, as Kong documents, and is otherwise ignored with
  a warning. The setting applies to every Kong route of the scan (`runtime_configs`);
- `proxy_listen`: its entries with and without `ssl` (plain HTTP served or not);
- `admin_listen` and `admin_gui_listen` on a network address: the Admin API reachable from the network;
- credentials written in clear (`pg_password`, inline private keys, session secrets, URLs with
  credentials), by place only; `{vault://...}` references are not credentials.
The same settings written as `KONG_*` variables (a Compose service, `kong_compose`; a Kubernetes
workload, read with its manifest by `kong_kubernetes`) make the same configuration
(`kong_runtime_config`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from riskscan.errors import SourceError
from riskscan.model import Evidence, GatewayConfig, SourceKind
from riskscan.sources import HEAD_BYTES, ReadContext
from riskscan.sources.gateways.kong_compose import DECIDING_SETTINGS, kong_service, looks_like_kong_compose
from riskscan.sources.gateways.kong_conf_rules import (
    Setting,
    admin_exposures,
    cipher_settings,
    clear_secrets,
    proxy_listeners,
    tls_settings,
)
from riskscan.sources.structured import load_text, parse_structured_text

__all__ = ["KongConfError", "KongConfReader", "kong_runtime_config", "parse_kong_conf"]

# The value is stripped in Python: `=\s*(.*?)\s*$` backtracks quadratically on a run of blanks inside it.
_ASSIGNMENT = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*=(.*)$")
_SECTION = re.compile(r"^\s*\[[^\]]*\]\s*$")  # an INI section: never kong.conf
# Settings only Kong has: one of them, with another Kong setting, tells a kong.conf.
_KONG_ONLY = frozenset({
    "proxy_listen", "admin_listen", "admin_gui_listen", "status_listen", "stream_listen", "cluster_listen",
    "ssl_cipher_suite", "declarative_config", "pg_host", "pg_user", "pg_password", "pg_database",
    "cassandra_contact_points", "cassandra_password", "anonymous_reports", "router_flavor",
    "lua_ssl_trusted_certificate", "lua_package_path", "mem_cache_size", "proxy_access_log",
    "admin_access_log", "untrusted_lua", "cluster_cert", "cluster_control_plane", "admin_gui_url",
})
_KONG_KEYS = _KONG_ONLY | frozenset({
    "database", "ssl_protocols", "ssl_ciphers", "ssl_cert", "ssl_cert_key", "plugins", "log_level",
    "prefix", "role", "headers", "trusted_ips", "real_ip_header", "vaults", "dns_resolver", "pg_port",
    "pg_ssl", "proxy_error_log", "admin_error_log", "nginx_worker_processes",
})
_NGINX_INJECTED = re.compile(r"^nginx_(?:main|events|http|proxy|admin|status|stream|sproxy|upstream)_")
_SNIFF_LINES = 400
_MIN_ASSIGNED_SHARE = 0.8


class KongConfError(SourceError):
    """A kong.conf file that cannot be read."""


@dataclass(frozen=True)
class _Parsed:
    settings: dict[str, Setting]
    ignored: list[int]  # lines that are no `key = value` setting


def parse_kong_conf(text: str) -> tuple[dict[str, Setting], list[int]]:
    """Each setting's value and line (the last one written wins, as in Kong), and the lines of
    anything else that is not a comment or blank."""
    parsed = _parse(text.splitlines())
    return parsed.settings, parsed.ignored


def _parse(lines: list[str]) -> _Parsed:
    settings: dict[str, Setting] = {}
    ignored: list[int] = []
    for number, raw in enumerate(lines, start=1):
        line = _strip_comment(raw)
        if not line.strip():
            continue
        match = _ASSIGNMENT.match(line)
        if match is None:
            ignored.append(number)
            continue
        settings[match.group(1)] = Setting(_unquote(match.group(2).strip()), number)
    return _Parsed(settings, ignored)


def _settings(text: str, shown: str) -> tuple[dict[str, Setting], list[str]]:
    """kong.conf's settings, and a warning for the lines that are none; a file of none fails."""
    parsed = _parse(text.splitlines())
    if not parsed.settings:
        raise KongConfError("no kong.conf setting (a line `name = value`) found", path=shown, line=1)
    if not parsed.ignored:
        return parsed.settings, []
    return parsed.settings, [f"{len(parsed.ignored)} line(s) are no kong.conf setting and were ignored "
                             f"(first at line {parsed.ignored[0]})"]


def _strip_comment(line: str) -> str:
    """The line without its comment: `#` starts one unless escaped as `\\#`."""
    out, index = [], 0
    while index < len(line):
        char = line[index]
        if char == "\\" and line[index + 1:index + 2] == "#":
            out.append("#")
            index += 2
            continue
        if char == "#":
            break
        out.append(char)
        index += 1
    return "".join(out)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def looks_like_kong_conf(text: str) -> bool:
    """True when the settings written are plainly Kong's: no INI section, nearly every line a lowercase
    `key = value`, two Kong settings at least, one of them a setting only Kong has."""
    lines = text.splitlines()[:_SNIFF_LINES]
    if any(_SECTION.match(line) for line in lines):
        return False
    parsed = _parse(lines)
    written = len(parsed.settings) + len(parsed.ignored)
    if not parsed.settings or len(parsed.settings) < _MIN_ASSIGNED_SHARE * written:
        return False
    keys = parsed.settings.keys()
    known = [key for key in keys if key in _KONG_KEYS or _NGINX_INJECTED.match(key)]
    return len(known) >= 2 and any(key in _KONG_ONLY or _NGINX_INJECTED.match(key) for key in keys)


class KongConfReader:
    """Reads kong.conf into a runtime `GatewayConfig`: TLS, proxy listeners, Admin API, secrets."""

    kind = SourceKind.KONG_CONF
    title = "Kong runtime configuration: kong.conf, or KONG_* variables of a Kong container in Docker Compose"
    summary = ("TLS versions from ssl_cipher_suite (ssl_protocols with custom; Kong's defaults when left "
               "out), applied to every Kong route of the scan; proxy_listen plain or ssl; admin_listen and "
               "admin_gui_listen on network addresses; credentials in clear by place, never the value")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True for a file whose settings are plainly kong.conf's (see `looks_like_kong_conf`), or a Compose
        file running Kong with `KONG_*` variables (`kong_compose`)."""
        if b"\0" in head:
            return False
        text = head.decode("utf-8", errors="replace")
        return looks_like_kong_conf(text) or looks_like_kong_compose(text)

    def read(self, path: Path, context: ReadContext) -> GatewayConfig:
        """Read one kong.conf; raise `KongConfError` naming the file and the problem."""
        shown = context.relative_path(path)
        try:
            text = load_text(path, context)
            if looks_like_kong_compose(text[:HEAD_BYTES]):
                service = kong_service(parse_structured_text(text, path, shown), shown)
                settings, warnings = service.settings, list(service.warnings)
                unknown = service.unknown_in(settings)
            else:
                (settings, warnings), unknown = _settings(text, shown), frozenset()
        except SourceError as error:
            raise KongConfError(error.problem, path=error.path, line=error.line) from None
        return kong_runtime_config(shown, settings, warnings, unknown=unknown)


def kong_runtime_config(shown: str, settings: Mapping[str, Setting], warnings: list[str],
                        other_secrets: tuple[Evidence, ...] = (), *,
                        unknown: frozenset[str] = frozenset()) -> GatewayConfig:
    """Kong's runtime configuration from its settings, wherever they are written (kong.conf, `KONG_*`
    variables): TLS, proxy listeners, Admin API, and credentials in clear (with `other_secrets`, those
    the file holds besides, a place judged twice counted once). `unknown` are settings whose value no
    input shows (taken by reference): what each decides is left unjudged (None), never taken from
    Kong's defaults, since the setting is there, with a value nobody here can read."""
    suite = settings.get("ssl_cipher_suite")
    is_custom = "ssl_cipher_suite" in unknown or (suite is not None and suite.value.lower() == "custom")
    tls_unknown = bool({"proxy_listen", "ssl_cipher_suite"} & unknown) or ("ssl_protocols" in unknown and is_custom)
    ciphers_unknown = bool({"proxy_listen", "ssl_cipher_suite"} & unknown) or ("ssl_ciphers" in unknown and is_custom)
    tls = None if tls_unknown else tls_settings(settings, shown, warnings.append)
    ciphers = None if ciphers_unknown else cipher_settings(settings, shown, warnings.append)
    secrets: dict[tuple[str, str | None, int | None], Evidence] = {}
    for item in (*other_secrets, *clear_secrets(settings, shown)):
        secrets.setdefault((item.path, item.pointer, item.line), item)
    return GatewayConfig(
        path=shown, gateway="kong", routes=(), is_runtime_config=True,
        warnings=tuple(dict.fromkeys(warnings)), tls_settings=tls,
        client_listeners=None if "proxy_listen" in unknown else proxy_listeners(settings, shown),
        admin_exposures=admin_exposures(settings, shown, unknown),
        clear_secrets=tuple(secrets.values()), cipher_settings=ciphers,
        unknown_settings=tuple(sorted(unknown & DECIDING_SETTINGS)),
    )
