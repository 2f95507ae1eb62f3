"""kong.conf's settings given as `KONG_*` environment variables of a Kong container on Kubernetes.

Kong reads every setting from the environment too (`KONG_ADMIN_LISTEN` is `admin_listen`), as under
Docker Compose (`kong_compose`). A manifest runs Kong when a container of a pod template (a Deployment,
StatefulSet or DaemonSet, or any object's: an Argo Rollout, a CRD) uses Kong's gateway image
(`kong_compose.is_kong_image`) with `KONG_*` variables: the official `kong/kong` Helm chart renders its
`proxy` container so, beside the ingress controller (another image). The container's environment is
built as Kubernetes builds it (`container_env`: `env` over `envFrom`, ConfigMaps of the scan read),
and its settings are judged by the same rules as kong.conf (`kong_conf_rules`), each placed at its
variable (or ConfigMap key).

What is not read: init containers and Jobs or CronJobs run to completion (the chart's `kong migrations`
Job), so their settings are not the running gateway's (their env is still checked for credentials by
`kubernetes_secrets`). A setting taken by reference (a Secret, a `$(VAR)` the file does not define, a
ConfigMap the scan does not hold) is unknown (a `$(VAR)` of variables defined before it is expanded for
the settings deciding listeners, TLS and the Admin API): what it decides (listeners, TLS, the Admin API) is not judged, neither as written in a
kong.conf beside it nor as Kong's default, and a warning says so.
The first Kong container is read; others are counted in a warning.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from riskscan.sources.gateways.container_env import (
    ConfigMaps,
    EnvVariable,
    container_env,
    env_from_sources,
    env_from_warning,
)
from riskscan.sources.gateways.kong_compose import (
    DECIDING_SETTINGS,
    KongService,
    is_kong_image,
    reference_warnings,
)
from riskscan.sources.gateways.kong_conf_rules import Setting
from riskscan.sources.gateways.kubernetes_objects import KubeObject, mapping, text
from riskscan.sources.gateways.kubernetes_secrets import pod_containers

__all__ = ["kong_workload", "over_kong_conf"]

_PREFIX = "KONG_"
_RUN_TO_COMPLETION = frozenset({"Job", "CronJob"})
_PLACES_SHOWN = 5


def kong_workload(objects: list[KubeObject], config_maps: ConfigMaps) -> KongService | None:
    """The settings of the first running Kong container with `KONG_*` variables; None when there is none."""
    found = list(_kong_containers(objects, config_maps))
    if not found:
        return None
    item, container, variables = found[0]
    settings = {variable.name[len(_PREFIX):].lower(): Setting(variable.value, variable.line, variable.pointer,
                                                               variable.shown)
                for variable in variables if variable.value is not None}
    warnings = reference_warnings([variable.name for variable in variables if variable.value is None],
                                  "a Secret, a $(VAR) or a ConfigMap not in the scan")
    unread = _unread_sources(item, container, config_maps)
    if unread:
        places = ", ".join(f"envFrom/{index}" for index in unread[:_PLACES_SHOWN])
        places += f" and {len(unread) - _PLACES_SHOWN} more" if len(unread) > _PLACES_SHOWN else ""
        warnings.append(f"{len(unread)} envFrom source(s) ({places}) take variables from a Secret or a"
                        " ConfigMap in no file given: a KONG_* setting there is unknown, so the settings"
                        " deciding listeners, TLS and the Admin API that no variable shown sets are not judged"
                        " (Kong's default is not assumed)")
    too_many = env_from_warning(container)
    warnings += [too_many] if too_many else []
    if len(found) > 1:
        warnings.append(f"{len(found) - 1} more Kong container(s) with KONG_* variables not read (only the"
                        f" one of {item.label})")
    by_reference = frozenset(variable.name[len(_PREFIX):].lower() for variable in variables if variable.value is None)
    return KongService(settings, warnings, by_reference, bool(unread))


def over_kong_conf(conf: Mapping[str, Setting], kong: KongService) -> dict[str, Setting]:
    """The settings Kong runs with when its container's variables sit over a kong.conf: each variable
    overrides its setting, as Kong reads them. A variable taken by reference overrides it with a value
    nobody can see, so kong.conf's setting is dropped rather than judged in its place; with an `envFrom`
    source not read, so are the settings that decide listeners and TLS (`KongService.unknown_in` then
    names those no variable sets, which `kong_runtime_config` leaves unjudged)."""
    hidden = kong.by_reference | (DECIDING_SETTINGS if kong.unread_sources else frozenset())
    return {**{name: setting for name, setting in conf.items() if name not in hidden}, **kong.settings}


def _kong_containers(objects: list[KubeObject], config_maps: ConfigMaps
                     ) -> Iterator[tuple[KubeObject, Mapping[str, Any], list[EnvVariable]]]:
    """Each running container of Kong's image with `KONG_*` variables, and those variables."""
    for item in objects:
        if item.kind in _RUN_TO_COMPLETION:
            continue
        for pointer, container in pod_containers(item):
            if _is_running(pointer, container):
                variables = [_deciding_only(variable) for variable in container_env(item, pointer, container,
                                                                                    config_maps)
                             if variable.name.startswith(_PREFIX)]
                if variables:
                    yield item, container, variables


def _deciding_only(variable: EnvVariable) -> EnvVariable:
    """A variable expanded from others (`$(VAR)`) is used for the settings deciding listeners, TLS and
    the Admin API; for any other it stays a reference, so that a credential is judged where it is
    written, not where it is referenced."""
    if variable.expanded and variable.name[len(_PREFIX):].lower() not in DECIDING_SETTINGS:
        return variable._replace(value=None)
    return variable


def _unread_sources(item: KubeObject, container: Mapping[str, Any], config_maps: ConfigMaps) -> list[int]:
    """The (0-based) `envFrom` entries read whose variables are unknown: a Secret's, or a missing
    ConfigMap's (`env_from_sources`: those past the cap are counted by `env_from_warning`)."""
    unread = []
    for index, source in env_from_sources(container).entries:
        reference = mapping(source.get("configMapRef"))
        if not reference or config_maps.find(item.namespace, text(reference.get("name"))) is None:
            unread.append(index)
    return unread


def _is_running(pointer: str, container: Mapping[str, Any]) -> bool:
    """A main container (not an init or ephemeral one) of Kong's image."""
    return pointer.rpartition("/")[0].endswith("/containers") and is_kong_image(container.get("image"))
