"""Traefik's static configuration given as command-line options, as containers usually run it.

Traefik takes its static configuration from one source: a file, command-line options or environment
variables. Under Docker Compose the Traefik container's `command`, and on Kubernetes the Traefik
Deployment's (or DaemonSet's) container `args` (what the Helm chart renders), are options such as
`--entryPoints.websecure.http.tls=true`, `--accesslog=true` or `--metrics.prometheus`. Option names are
read without regard to case, a bare option is `true`, as Traefik reads them; they are turned into the
static file's shape and judged like it (`traefik_static.static_config`): which entry points serve TLS or
redirect to https, whether access logs, metrics and tracing are on. `--configFile` hands over to a file,
so options naming it are not read as the configuration. Values other than booleans are kept as text
and never shown.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from typing import Any

from riskscan.sources.gateways.traefik_static import StaticConfig, static_config

__all__ = ["is_traefik_image", "option_keys", "options_data", "split_options", "static_from_arguments"]

_CANONICAL = {name.lower(): name for name in (
    "entryPoints", "accessLog", "accessLogs", "metrics", "tracing", "providers", "http", "tls",
    "redirections", "entryPoint", "scheme", "to", "observability", "address",
)}
_TRAEFIK_IMAGE = re.compile(r"^(?:[\w.-]+(?::\d+)?/)*traefik(?::[\w.-]+)?(?:@sha256:[0-9a-f]+)?$",
                            re.IGNORECASE)
_MAX_OPTIONS = 500
_MAX_DEPTH = 8


def is_traefik_image(image: object) -> bool:
    """True for a container image of Traefik (`traefik:v3.2`, `docker.io/library/traefik@sha256:...`)."""
    return isinstance(image, str) and _TRAEFIK_IMAGE.match(image.strip()) is not None


def static_from_arguments(arguments: object, shown: str, place: str) -> StaticConfig | None:
    """The static configuration a container's options set (`arguments`: a list, or one string as a
    Compose `command` may be); None when they set none or hand over to a configuration file."""
    options = split_options(arguments)
    if not options or any(option.lower().startswith("--configfile") for option in options):
        return None
    return static_config(options_data(options), shown, lambda _: None, place)


def options_data(options: Sequence[str]) -> dict[str, Any]:
    """`--name[=value]` options in the static file's shape (also what `TRAEFIK_*` variables become)."""
    data: dict[str, Any] = {}
    for option in options[:_MAX_OPTIONS]:
        keys = option_keys(option)
        if keys:
            _, has_value, value = option.partition("=")
            _set(data, keys, _typed(value) if has_value else True)
    return data


def option_keys(option: str) -> list[str]:
    """The keys an option sets, canonical where riskscan reads them (`--entrypoints.web.http.tls` ->
    `entryPoints`, `web`, `http`, `tls`); [] past `_MAX_DEPTH` levels."""
    name = option[2:].partition("=")[0]
    keys = [_CANONICAL.get(key.lower(), key.lower()) for key in name.split(".") if key]
    return keys if len(keys) <= _MAX_DEPTH else []


def split_options(arguments: object) -> list[str]:
    """The `--name[=value]` options among the arguments."""
    if isinstance(arguments, str):
        try:
            arguments = shlex.split(arguments)
        except ValueError:
            return []
    items = arguments if isinstance(arguments, Sequence) and not isinstance(arguments, str) else []
    return [item.strip() for item in items if isinstance(item, str) and item.strip().startswith("--")]


def _set(data: dict[str, Any], keys: list[str], value: object) -> None:
    """Set `value` at `keys`; a key already holding a scalar (`--metrics` then `--metrics.x=y`) becomes a
    section, as Traefik treats an option naming a section as switching it on."""
    node = data
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    if not isinstance(node.get(keys[-1]), dict):
        node[keys[-1]] = value


def _typed(value: str) -> object:
    lowered = value.strip().lower()
    return lowered == "true" if lowered in ("true", "false") else value

