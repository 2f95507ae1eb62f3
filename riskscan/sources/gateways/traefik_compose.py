"""Traefik under Docker Compose: routers declared by container labels, and credentials written in clear.

With the docker provider a router is declared by labels on a container (`labels` or `deploy.labels`
of a Compose service, a list of `key=value` or a mapping), read as Traefik reads them, option names
without regard to case: `traefik.http.routers.<name>.rule`, `.entrypoints` and `.middlewares`
(comma-separated), `.service`, `.tls` (`true`), `.tls.options`, `.tls.certresolver`, `.priority`,
`.rulesyntax`, `.observability.*`. `compose_routers` turns them into the file provider's shape, so
the Traefik reader builds routes from them as from a dynamic file. Names without a provider are the
docker provider's own (`auth` is `auth@docker`). A router without a `service` label takes the one
service its container labels, else the service Traefik makes for the container (named after the
Compose service, one node per replica). A router without a `rule` label gets the provider's
`defaultRule` (a template of the container's name): it is left out with a warning. A container with
`traefik.enable=false` is not routed, nor one without `traefik.enable=true` when the Traefik container
turns `providers.docker.exposedByDefault` off (by a command option or environment variable; a static
configuration file's setting is not read here).

The Traefik container's `command` options are its static configuration when they set one, else its
`TRAEFIK_*` environment variables (`compose_static`, `traefik_static_env`): entry points with TLS or an
https redirect, access logs, metrics.

Credentials written in clear are recorded by place only (`compose_secrets`): a label judged as the
file provider's field of the same path (`traefik_secrets`: basicAuth/digestAuth `users`, a credential
header set to a literal, a URL carrying a credential, a credential-named option), and in the Traefik
container itself (its image is `traefik`) a credential-named `environment` variable or `command`
option given a literal value. `${VAR}` (interpolated by Compose) and `*_FILE` variables are references.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from riskscan.model import Evidence
from riskscan.sources.gateways.container_env import EnvVariable
from riskscan.sources.gateways.secret_walk import MAX_PLACES
from riskscan.sources.gateways.traefik_docker import (
    key_value_pairs,
    label_service_config,
    replicas,
    service_labels,
)
from riskscan.sources.gateways.traefik_secrets import credential_field
from riskscan.sources.gateways.traefik_static import StaticConfig
from riskscan.sources.gateways.traefik_static_args import is_traefik_image
from riskscan.sources.gateways.traefik_static_env import container_static
from riskscan.sources.gateways.url_credentials import is_reference, url_credential
from riskscan.sources.structured import escape_pointer_token

__all__ = ["ComposeRouters", "compose_routers", "compose_secrets", "compose_static", "is_compose"]

_ROUTER = re.compile(r"traefik\.(http|tcp|udp)\.routers\.([^.=\s]+)\.(.+)", re.IGNORECASE)
_SERVICE = re.compile(r"traefik\.http\.services\.([^.=\s]+)\.", re.IGNORECASE)
_LISTS = frozenset({"entrypoints", "middlewares"})
_SINGLE = {"rule": "rule", "service": "service", "priority": "priority", "rulesyntax": "ruleSyntax"}
_CANONICAL = {"basicauth": "basicAuth", "digestauth": "digestAuth",
              "customrequestheaders": "customRequestHeaders",
              "customresponseheaders": "customResponseHeaders"}
_ENV_WORDS = frozenset({"password", "passwd", "pass", "secret", "token", "apikey", "apitoken", "hmacencoded",
                        "credentials"})
_KEY_QUALIFIERS = frozenset({"api", "access", "private", "secret", "auth", "account", "client", "license"})
Locate = Callable[[str], int | None]


@dataclass
class ComposeRouters:
    """The routers the labels declare in the file provider's shape, where each is labelled, and what
    could not be read."""

    data: dict[str, Any] = field(default_factory=lambda: {"http": {"routers": {}, "services": {}}})
    pointers: dict[str, str] = field(default_factory=dict)  # `/http/routers/<name>[/tls]` -> its label
    warnings: list[str] = field(default_factory=list)


def is_compose(data: Mapping[str, Any]) -> bool:
    """True for a Compose file: a top-level `services` mapping and no dynamic configuration section."""
    return isinstance(data.get("services"), Mapping) and not ({"http", "tcp", "udp", "tls"} & set(data))


def compose_routers(data: Mapping[str, Any]) -> ComposeRouters:
    """The routers the Compose file's labels declare, as a dynamic configuration."""
    found = ComposeRouters()
    is_exposed = _is_exposed_by_default(data)
    for compose_name, compose in _services(data):
        labels = list(service_labels(compose, "/services/" + escape_pointer_token(compose_name)))
        enable = next((value.strip().lower() for key, value, _ in labels
                       if key.strip().lower() == "traefik.enable"), None)
        if enable == "false" or (not is_exposed and enable != "true"):
            continue
        routers: dict[str, dict[str, Any]] = {}
        for key, value, pointer in labels:
            match = _ROUTER.fullmatch(key.strip())
            if match is None:
                continue
            if match.group(1).lower() != "http":
                found.data.setdefault(match.group(1).lower(), {"routers": {}})["routers"][match.group(2)] = {}
                continue
            name = match.group(2)
            _set_option(routers.setdefault(name, {}), match.group(3).lower(), value.strip())
            found.pointers.setdefault(f"/http/routers/{escape_pointer_token(name)}", pointer)
            if match.group(3).lower().startswith("tls"):
                found.pointers.setdefault(f"/http/routers/{escape_pointer_token(name)}/tls", pointer)
        _add_routers(found, compose_name, compose, labels, routers)
    return found


def compose_static(data: Mapping[str, Any], shown: str, locate: Locate) -> StaticConfig | str | None:
    """The static configuration the one Traefik container sets by its `command` options, else by its
    `TRAEFIK_*` environment variables (`traefik_static_env`), if any; a str: none, and why (a warning)."""
    found = [(name, compose) for name, compose in _services(data)
             if is_traefik_image(compose.get("image"))]
    if len(found) != 1:
        return None
    name, compose = found[0]
    base = f"/services/{escape_pointer_token(name)}"
    environment = f"{base}/environment"
    variables = [EnvVariable(key.strip(), value.strip(), shown, locate(pointer), pointer)
                 for key, value, pointer in key_value_pairs(compose.get("environment"), environment)]
    return container_static(compose.get("command"), variables, shown, (f"{base}/command", environment))


def compose_secrets(data: Mapping[str, Any], shown: str, locate: Locate) -> tuple[Evidence, ...]:
    """Each credential written in clear in the Compose file's Traefik labels, and in the environment
    and command of its Traefik container, by place (never the value)."""
    found: list[Evidence] = []
    for compose_name, compose in _services(data):
        base = "/services/" + escape_pointer_token(compose_name)
        for key, value, pointer in service_labels(compose, base):
            is_traefik = key.strip().lower().startswith("traefik.")
            what = _label_credential(key.strip(), value.strip()) if is_traefik else None
            if what is not None:
                found.append(_evidence(shown, locate, pointer, f"{what} in a Compose label"))
        if is_traefik_image(compose.get("image")):
            for name, value, pointer in _settings(compose, base):
                what = _setting_credential(name, value)
                if what is not None:
                    found.append(_evidence(shown, locate, pointer, f"{what} in the Traefik container's"
                                                                   f" {pointer.split('/')[3]}"))
    return tuple(sorted(found, key=lambda item: item.line or 0)[:MAX_PLACES])


def _is_exposed_by_default(data: Mapping[str, Any]) -> bool:
    """False when the Traefik container turns the docker provider's `exposedByDefault` off (a command
    option or an environment variable): then only containers labelled `traefik.enable=true` are routed."""
    for _, compose in _services(data):
        if not is_traefik_image(compose.get("image")):
            continue
        for name, value, _ in _settings(compose, ""):
            option = name.strip().lower().replace("_", ".").removeprefix("traefik.")
            if option == "providers.docker.exposedbydefault" and value.strip().lower() == "false":
                return False
    return True


def _add_routers(found: ComposeRouters, compose_name: str, compose: Mapping[str, Any],
                 labels: list[tuple[str, str, str]], routers: dict[str, dict[str, Any]]) -> None:
    """Routers of one container, with the service each sends to (its own, or the container's)."""
    labelled = list(dict.fromkeys(match.group(1) for key, _, _ in labels
                                  if (match := _SERVICE.match(key.strip())) is not None))
    http = found.data["http"]
    for name, router in routers.items():
        if name in http["routers"]:
            found.warnings.append(f"router {name} is labelled on more than one container: the first is read")
            continue
        if "rule" not in router:
            found.warnings.append(f"router {name} has no rule label (the provider's defaultRule applies):"
                                  " left out")
            continue
        if "service" not in router:
            if len(labelled) == 1:
                router["service"] = f"{labelled[0]}@docker"
            else:
                router["service"] = f"{compose_name}@docker"
                config = label_service_config(compose_name, replicas(compose), {})
                http["services"][router["service"]] = config
        http["routers"][name] = router


def _set_option(router: dict[str, Any], option: str, value: str) -> None:
    """One router label's value at its place in the file provider's router."""
    if option in _LISTS:
        items = [item.strip() for item in value.split(",") if item.strip()]
        key = "entryPoints" if option == "entrypoints" else "middlewares"
        router[key] = items if key == "entryPoints" else [_qualified(item) for item in items]
    elif option in _SINGLE:
        router[_SINGLE[option]] = _qualified(value) if option == "service" else value
    elif option == "tls":
        if value.lower() == "true":
            router.setdefault("tls", {})
    elif option.startswith("tls."):
        tls = router.setdefault("tls", {})
        if option == "tls.options":
            tls["options"] = value
    elif option.startswith("observability."):
        switch = {"accesslogs": "accessLogs", "metrics": "metrics", "tracing": "tracing"}.get(option[14:])
        if switch is not None:
            router.setdefault("observability", {})[switch] = value.lower() != "false"


def _qualified(name: str) -> str:
    """A name of the docker provider's own qualified (`auth` -> `auth@docker`); others kept."""
    return name if "@" in name else f"{name}@docker"


def _label_credential(key: str, value: str) -> str | None:
    """What credential a Traefik label holds in clear, judged as the file provider's field."""
    segments = key.split(".")
    if len(segments) < 3 or not value:
        return None
    name, owner = segments[-1], _CANONICAL.get(segments[-2].lower(), segments[-2])
    if name.lower() == "users" and owner in ("basicAuth", "digestAuth"):
        return credential_field("users", [item for item in value.split(",") if item.strip()], owner)
    return credential_field(name, value, owner)


def _setting_credential(name: str, value: str) -> str | None:
    """A credential-named variable or option of the Traefik container given a literal value, or a URL
    carrying a credential."""
    if not value.strip() or is_reference(value):
        return None
    words = [word for word in re.split(r"[^a-z0-9]+", name.lower()) if word]
    if words and words[-1] == "file":
        return url_credential(value)
    is_named = any(word in _ENV_WORDS for word in words) or any(
        word == "key" and index > 0 and words[index - 1] in _KEY_QUALIFIERS
        for index, word in enumerate(words))
    return f"{name} given in clear" if is_named else url_credential(value)


def _services(data: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    services = data.get("services")
    for name, compose in (services.items() if isinstance(services, Mapping) else ()):
        if isinstance(compose, Mapping):
            yield str(name), compose


def _settings(compose: Mapping[str, Any], base: str) -> Iterator[tuple[str, str, str]]:
    """(name, value, pointer) of the container's `environment` variables and `--name=value` options."""
    yield from key_value_pairs(compose.get("environment"), f"{base}/environment")
    command = compose.get("command")
    for index, item in enumerate(command if isinstance(command, list) else []):
        if isinstance(item, str) and item.startswith("--") and "=" in item:
            name, _, value = item[2:].partition("=")
            yield name, value, f"{base}/command/{index}"


def _evidence(shown: str, locate: Locate, pointer: str, note: str) -> Evidence:
    return Evidence(path=shown, line=locate(pointer), pointer=pointer,
                    note=f"{note} (not a ${{VAR}} reference)")
