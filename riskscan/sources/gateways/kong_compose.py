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
from riskscan.sources.gateways.url_credentials import holds_interpolation
from riskscan.sources.structured import StructuredDocument, escape_pointer_token

__all__ = ["DECIDING_SETTINGS", "KongService", "is_kong_image", "kong_service", "looks_like_kong_compose",
           "reference_warnings"]

# `kong:3.6`, `kong/kong-gateway:3.6`, `docker.io/library/kong@sha256:...`; never `pantsel/konga`.
_KONG_IMAGE = re.compile(
    r"^[ \t]+image:[ \t]*[\"']?(?:[\w.:-]+/)*(?:kong|kong-gateway)(?:[:@][^\s\"']*)?[\"']?[ \t]*$",
    re.MULTILINE)
_KONG_VARIABLE = re.compile(r"^[ \t]+(?:-[ \t]+)?[\"']?KONG_[A-Z0-9_]+[ \t]*[:=]", re.MULTILINE)
_PREFIX = "KONG_"
_MAX_VARIABLES = 500


# Settings whose absence Kong fills with a default that riskscan would judge: unknown is not absent.
DECIDING_SETTINGS = frozenset({"proxy_listen", "admin_listen", "admin_gui_listen", "ssl_cipher_suite",
                               "ssl_protocols", "ssl_ciphers", "enforce_rbac"})


@dataclass(frozen=True)
class KongService:
    """The Kong service read from a Compose file: its settings, and a warning when others were left."""

    settings: dict[str, Setting]
    warnings: list[str]
    # Settings whose variable takes its value by reference (a Secret, `${VAR}`, `$(VAR)`), and whether
    # some variables come from a source not read (Kubernetes `envFrom`, Compose `env_file`): their
    # values are unknown.
    by_reference: frozenset[str] = frozenset()
    unread_sources: bool = False

    def unknown_in(self, settings: Mapping[str, Setting]) -> frozenset[str]:
        """The settings whose value no input shows, Kong running with `settings`: those taken by
        reference, and, with a source of variables not read, every setting that decides listeners, TLS
        or the Admin API and has no value shown (Kong's default is not judged in its place)."""
        unshown = DECIDING_SETTINGS - settings.keys() if self.unread_sources else frozenset()
        return self.by_reference | unshown


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
    settings: dict[str, Setting] = {}
    by_reference: set[str] = set()
    for variable, value, token in _variables(service)[:_MAX_VARIABLES]:
        pointer = f"{base}/{token}"
        if holds_interpolation(value):  # the shell's or an .env file's value: not in the scan
            by_reference.add(variable)
            settings.pop(variable[len(_PREFIX):].lower(), None)
        else:
            by_reference.discard(variable)
            settings[variable[len(_PREFIX):].lower()] = Setting(value, document.line_of(pointer), pointer)
    unread = service.get("env_file") not in (None, [], "")
    warnings = reference_warnings(sorted(by_reference), "a ${VAR} of the shell or an .env file")
    if unread:
        warnings.append("the Kong service reads env_file: a KONG_* setting there is not in the scan, so the "
                        "settings deciding listeners, TLS and the Admin API that `environment` does not set are "
                        "not judged (Kong's default is not assumed)")
    if len(found) > 1:
        warnings.append(f"{len(found) - 1} more Kong service(s) with KONG_* variables not read (only `{name}`)")
    return KongService(settings, warnings, frozenset(variable[len(_PREFIX):].lower() for variable in by_reference),
                       unread)


def reference_warnings(variables: list[str], where: str) -> list[str]:
    """One warning for each variable taken by reference whose setting decides listeners, TLS or the
    Admin API: its value is unknown, so that is not judged (neither as written nor as Kong's default)."""
    return [f"{name} is taken by reference ({where}): its value is unknown, so what it decides is not "
            "judged, neither as written nor as Kong's default" for name in variables
            if name[len(_PREFIX):].lower() in DECIDING_SETTINGS]


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
