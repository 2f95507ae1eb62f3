"""Traefik's static configuration given as `TRAEFIK_*` environment variables, and which source a Traefik
container takes it from.

Traefik's documentation: the static configuration comes from a configuration file, command-line options
or environment variables, three mutually exclusive ways evaluated in that order: the first present is
the configuration, the others are ignored. As variables, an option is `TRAEFIK_` and its path in
capitals, `_` between segments (`TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP_TLS=true`, `TRAEFIK_ACCESSLOG=true`,
`TRAEFIK_METRICS_PROMETHEUS=true`); Traefik lowercases the names, so an entry point written `WEBSECURE`
is `websecure`, and a variable naming a section alone switches it on. The variables are read as the
options they stand for (`traefik_static_args.options_data`) and judged like a static file
(`traefik_static.static_config`): entry points with TLS or an https redirect, access logs, metrics,
tracing. Their credentials are judged as the static file's fields (`traefik_secrets`: provider tokens,
ACME EAB keys, exporter headers, URLs carrying one), each placed at its variable, never the value.

`container_static` chooses for one Traefik container: its options (a Compose `command`, Kubernetes
`args`) when it has any, else its `TRAEFIK_*` variables; both given, a warning says the variables are
ignored. A variable deciding TLS, redirects or logging whose value is not in the file (a Secret, a
`${VAR}`, a ConfigMap not given) leaves the container's static configuration unjudged, with a warning. `--configFile` (or `TRAEFIK_CONFIGFILE`) hands over to a file, which is not read here; a static
configuration file in the folders given beside a container's own settings is warned about (`noting_file`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from riskscan.model import Evidence
from riskscan.sources import ReadContext
from riskscan.sources.gateways.container_env import ConfigMaps, EnvVariable, container_env
from riskscan.sources.gateways.kubernetes_objects import KubeObject
from riskscan.sources.gateways.kubernetes_secrets import pod_containers
from riskscan.sources.gateways.traefik_secrets import clear_secret_pointers
from riskscan.sources.gateways.traefik_static import StaticConfig, find_static_config, static_config
from riskscan.sources.gateways.traefik_static_args import (
    is_traefik_image,
    option_keys,
    options_data,
    split_options,
    static_from_arguments,
)
from riskscan.sources.gateways.url_credentials import holds_interpolation
from riskscan.sources.structured import escape_pointer_token

__all__ = ["container_secrets", "container_static", "environment_static", "is_traefik_variable",
           "noting_file"]

_PREFIX = "TRAEFIK_"
_ALSO_FILE = ("a Traefik static configuration file ({file}) is in the folders given too: the Traefik"
              " container's options or variables are taken, though Traefik reads a file first where one is"
              " mounted (/etc/traefik/ or --configFile)")
_IGNORED = ("{count} TRAEFIK_* environment variable(s) ignored: Traefik takes its static configuration from"
            " one source, command-line options before environment variables")


def is_traefik_variable(name: str) -> bool:
    """True for a variable Traefik reads as static configuration (`TRAEFIK_` and an option's path)."""
    return name.upper().startswith(_PREFIX) and len(name) > len(_PREFIX)


def container_static(arguments: object, variables: Sequence[EnvVariable], shown: str,
                     places: tuple[str, str]) -> StaticConfig | str | None:
    """The static configuration one Traefik container runs with: its options (`arguments`, written at
    `places[0]`) when it has any, else its `TRAEFIK_*` variables (their section at `places[1]`). With
    both, the variables are ignored and a warning says so: alone (a str) when the options set none."""
    named = [variable for variable in variables if is_traefik_variable(variable.name)]
    if not split_options(arguments):
        unknown = [variable.name for variable in named if _decides(variable.name)
                   and (variable.value is None or holds_interpolation(variable.value))]
        return _unknown_warning(unknown) if unknown else environment_static(named, shown, places[1])
    config = static_from_arguments(arguments, shown, places[0])
    if not named:
        return config
    ignored = _IGNORED.format(count=len(named))
    return replace(config, warnings=(*config.warnings, ignored)) if config is not None else ignored


def _decides(name: str) -> bool:
    """True for a variable deciding what the static configuration is judged on: an entry point's TLS,
    redirect or observability, access logs, metrics, tracing, or the configuration file itself."""
    path = [segment for segment in name[len(_PREFIX):].lower().split("_") if segment]
    if path[:1] == ["entrypoints"]:
        return bool({"tls", "redirections", "observability"} & set(path))
    return path[:1] in (["accesslog"], ["metrics"], ["tracing"], ["configfile"])


def _unknown_warning(names: list[str]) -> str:
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return (f"{shown} taken by reference (a Secret, a ${{VAR}} or a ConfigMap not given): the static"
            " configuration they belong to (entry points' TLS and redirects, access logs, metrics) is not"
            " judged, neither as written nor as Traefik's default")


def noting_file(config: StaticConfig | str | None, context: ReadContext) -> StaticConfig | str | None:
    """A container's own static configuration, with a warning when a static configuration file is in the
    folders given too: Traefik reads a file first where it finds one (mounted at /etc/traefik/ or named
    by `--configFile`), which the files cannot show, so the container's own settings are kept."""
    if not isinstance(config, StaticConfig):
        return config
    found = find_static_config(context)
    if not isinstance(found, StaticConfig):
        return config
    return replace(config, warnings=(*config.warnings, _ALSO_FILE.format(file=found.shown)))


def environment_static(variables: Sequence[EnvVariable], shown: str, place: str) -> StaticConfig | None:
    """The static configuration `TRAEFIK_*` variables set; None when they set none (no entry point or
    provider) or name a configuration file."""
    options = _options(variables)
    if any(option.lower().startswith("--configfile") for option in options):
        return None
    data = options_data(list(options))
    config = static_config(data, shown, lambda _: None, place)
    if config is None:
        return None
    return replace(config, clear_secrets=_secrets(options, data))


def container_secrets(item: KubeObject, config_maps: ConfigMaps) -> list[Evidence]:
    """Credentials the `TRAEFIK_*` variables of an object's Traefik containers write in clear, judged as
    the static configuration's fields, each at its variable (or ConfigMap key)."""
    found: list[Evidence] = []
    for pointer, container in pod_containers(item):
        if is_traefik_image(container.get("image")):
            options = _options(container_env(item, pointer, container, config_maps))
            found += _secrets(options, options_data(list(options)))
    return found


def _secrets(options: dict[str, EnvVariable], data: Mapping[str, Any]) -> tuple[Evidence, ...]:
    places = {_pointer(option): variable for option, variable in options.items()}
    secrets = (_evidence(places, pointer, what) for pointer, what in clear_secret_pointers(data))
    return tuple(item for item in secrets if item is not None)


def _options(variables: Sequence[EnvVariable]) -> dict[str, EnvVariable]:
    """Each `TRAEFIK_*` variable written out (not a reference) as the option it stands for; one expanded
    from others (`$(VAR)`) only where it decides what is judged (its credentials are judged where
    they are written)."""
    return {_option(variable): variable for variable in variables
            if is_traefik_variable(variable.name) and variable.value is not None
            and (not variable.expanded or _decides(variable.name))}


def _option(variable: EnvVariable) -> str:
    """`TRAEFIK_ENTRYPOINTS_WEB_ADDRESS=:80` as the option it stands for, `--entrypoints.web.address=:80`."""
    path = ".".join(segment for segment in variable.name[len(_PREFIX):].lower().split("_") if segment)
    return f"--{path}={variable.value}"


def _pointer(option: str) -> str:
    return "".join(f"/{escape_pointer_token(key)}" for key in option_keys(option))


def _evidence(places: dict[str, EnvVariable], pointer: str, what: str) -> Evidence | None:
    """The credential's variable (the one at `pointer`, or below it), by place."""
    variable = places.get(pointer) or next(
        (found for at, found in places.items() if at.startswith(f"{pointer}/")), None)
    if variable is None:
        return None
    return Evidence(path=variable.shown, line=variable.line, pointer=variable.pointer,
                    note=f"{what} in a TRAEFIK_* variable of the static configuration (not a ${{VAR}},"
                         " secretKeyRef or file reference)")
