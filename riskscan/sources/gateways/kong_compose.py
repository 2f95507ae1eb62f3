"""kong.conf's settings given as `KONG_*` environment variables of a Kong container in Docker Compose.

Kong reads every setting from the environment too: `KONG_` and the setting's name in capitals
(`KONG_ADMIN_LISTEN` is `admin_listen`), overriding kong.conf. A Compose file (`services:` mapping)
running Kong's image (`kong`, `kong/kong-gateway`, any registry's) with such variables in its
`environment` (a mapping, or a list of `NAME=value`) is therefore Kong's runtime configuration and is
judged by the same rules (`kong_conf_rules`), each setting placed at its variable. `${VAR}` values are
taken from the shell or an env file: references, never credentials. The first Kong service with `KONG_*`
variables is read; others in the same file are warned about, not read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from riskscan.errors import SourceError
from riskscan.sources.gateways.apisix_sniff import top_level_keys
from riskscan.sources.gateways.kong_conf_rules import Setting
from riskscan.sources.structured import StructuredDocument, escape_pointer_token

__all__ = ["KongService", "is_kong_image", "kong_service", "looks_like_kong_compose"]

# `kong:3.6`, `kong/kong-gateway:3.6`, `docker.io/library/kong@sha256:...`; never `pantsel/konga`.
_KONG_IMAGE = re.compile(
    r"^[ \t]+image:[ \t]*[\"']?(?:[\w.:-]+/)*(?:kong|kong-gateway)(?:[:@][^\s\"']*)?[\"']?[ \t]*$",
    re.MULTILINE)
_KONG_VARIABLE = re.compile(r"^[ \t]+(?:-[ \t]+)?[\"']?KONG_[A-Z0-9_]+[ \t]*[:=]", re.MULTILINE)
_PREFIX = "KONG_"
_MAX_VARIABLES = 500


@dataclass(frozen=True)
class KongService:
    """The Kong service read from a Compose file: its settings, and a warning when others were left."""

    settings: dict[str, Setting]
    warnings: list[str]
    # Settings whose variable takes its value by reference (a Secret, `$(VAR)`), and whether some
    # variables come from a source not read (Kubernetes `envFrom`): their values are unknown.
    by_reference: frozenset[str] = frozenset()
    unread_sources: bool = False


def looks_like_kong_compose(text: str) -> bool:
    """True for a Compose file (`services` at the top level) running Kong's image with `KONG_*` variables."""
    if "services" not in top_level_keys(text.lstrip("\ufeff")):
        return False
    return _KONG_IMAGE.search(text) is not None and _KONG_VARIABLE.search(text) is not None


def kong_service(document: StructuredDocument, shown: str) -> KongService:
    """The first Kong service's `KONG_*` settings; raise `SourceError` when the file holds none."""
    services = document.data.get("services") if isinstance(document.data, Mapping) else None
    if not isinstance(services, Mapping):
        raise SourceError("`services` is not a mapping of Compose services", path=shown, line=1)
    found = [(str(name), service) for name, service in services.items()
             if isinstance(service, Mapping) and is_kong_image(service.get("image")) and _variables(service)]
    if not found:
        raise SourceError("no Kong service with KONG_* environment variables", path=shown, line=1)
    name, service = found[0]
    base = f"/services/{escape_pointer_token(name)}/environment"
    settings = {}
    for variable, value, token in _variables(service)[:_MAX_VARIABLES]:
        pointer = f"{base}/{token}"
        settings[variable[len(_PREFIX):].lower()] = Setting(value, document.line_of(pointer), pointer)
    warnings = [f"{len(found) - 1} more Kong service(s) with KONG_* variables not read (only `{name}`)"] \
        if len(found) > 1 else []
    return KongService(settings, warnings)


def is_kong_image(image: object) -> bool:
    """True for Kong's gateway image (`kong:3.6`, `kong/kong-gateway:3.6`, any registry's); never the
    ingress controller's (`kong/kubernetes-ingress-controller`) nor `pantsel/konga`."""
    return isinstance(image, str) and _KONG_IMAGE.match(f"  image: {image}") is not None


def _variables(service: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, pointer token) of each `KONG_*` variable, from a mapping or a `NAME=value` list."""
    environment = service.get("environment")
    pairs: list[tuple[str, str, str]] = []
    if isinstance(environment, Mapping):
        pairs = [(str(key), "" if value is None else str(value), escape_pointer_token(str(key)))
                 for key, value in environment.items()]
    elif isinstance(environment, list):
        pairs = [(item.partition("=")[0], item.partition("=")[2], str(index))
                 for index, item in enumerate(environment) if isinstance(item, str)]
    return [(name.strip(), value.strip(), token) for name, value, token in pairs
            if name.strip().startswith(_PREFIX)]
