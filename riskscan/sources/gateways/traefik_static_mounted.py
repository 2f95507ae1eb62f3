"""Traefik's static configuration file as Kubernetes usually gives it: a ConfigMap key mounted as a file.

Traefik takes its static configuration from one source, a file before command-line options and
environment variables: the file `--configFile` (or `TRAEFIK_CONFIGFILE`) names, else the first of
`traefik.toml`, `traefik.yaml` and `traefik.yml` it finds in `/etc/traefik/` (the first folder it
searches; the others depend on the image's home and working folders, which manifests do not show). On
Kubernetes that file is a ConfigMap's key mounted into the Traefik container: a `configMap` volume, or a
`projected` one, mounted at the folder (keys, or `items` paths, become its files) or with `subPath` at
the file itself; the mount at the deepest folder holding the file is the one the container sees.

`mounted_static` follows that chain through the manifests given (`ConfigMaps`: the manifest's own, then
the scan's): a value found is read as the file would be (TOML by the file's suffix, else YAML or JSON)
and judged like it (`traefik_static.static_config`), with the manifest as evidence (the ConfigMap key's
pointer and line). What the manifests leave open is said, never guessed:
- a file mounted from a ConfigMap the files given do not hold, or one they hold without that key where
  `--configFile` names it, leaves the static configuration not shown (a warning, as a `str`), since
  Traefik reads that file and not the container's options;
- a value that does not parse, or sets no entry point or provider, is warned about the same way;
- nothing mounted where Traefik looks is `None`: the container's options or variables decide.
A ConfigMap key named as the file (`traefik.yml`) is also looked into for credentials written in clear
(`traefik_static.static_file_secrets`), as a static file on disk is, whichever container mounts it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from riskscan.redaction import redact
from riskscan.sources.gateways.container_env import ConfigMaps, EnvVariable
from riskscan.sources.gateways.kubernetes_objects import KubeObject, mapping, mappings, text
from riskscan.sources.gateways.traefik_static import (
    FILE_NAMES,
    StaticConfig,
    parse_static_text,
    static_config,
)

__all__ = ["config_file_option", "mounted_static"]

_SEARCHED = tuple(f"/etc/traefik/{name}" for name in FILE_NAMES)
_NOT_SHOWN = "entry points and access logging are not shown"


@dataclass(frozen=True)
class _Source:
    """Where a mounted file comes from: a ConfigMap's key, or a volume whose content the manifests do not
    show (`config_map` None: a Secret, a persistent volume, an `items` entry naming no key)."""

    config_map: str | None
    key: str | None
    optional: bool = False


def config_file_option(options: Sequence[str], variables: Sequence[EnvVariable]) -> str | None:
    """The file `--configFile=PATH` (any case) or `TRAEFIK_CONFIGFILE` names; None when neither does."""
    for option in options:
        name, has_value, value = option[2:].partition("=")
        if name.lower() == "configfile" and has_value and value.strip():
            return value.strip()
    if options:  # options given: Traefik reads no variable
        return None
    for variable in variables:
        if variable.name.upper() == "TRAEFIK_CONFIGFILE" and variable.value and variable.value.strip():
            return variable.value.strip()
    return None


def mounted_static(item: KubeObject, pod: Mapping[str, Any], container: Mapping[str, Any],
                   config_file: str | None, config_maps: ConfigMaps) -> StaticConfig | str | None:
    """The static configuration the Traefik `container` of workload `item` reads from a mounted ConfigMap
    (see the module docstring): a `str` warning when the manifests cannot show it, None when no file is
    mounted where Traefik looks."""
    if config_file is not None:
        working = text(container.get("workingDir")) or "/"
        path = posixpath.normpath(posixpath.join(working, config_file))
        source = _source(path, pod, container)
        if source is None:
            return None  # baked into the image, or a volume the manifests do not show: files may tell
        return _read(item, path, source, config_maps, explicit=True)
    for path in _SEARCHED:
        source = _source(path, pod, container)
        if source is None:
            continue
        found = _read(item, path, source, config_maps, explicit=False)
        if found is not None:
            return found
    return None


def _source(path: str, pod: Mapping[str, Any], container: Mapping[str, Any]) -> _Source | None:
    """What the container's mounts put at `path`; None when no ConfigMap or projected volume does."""
    volumes = {text(volume.get("name")): volume for volume in mappings(pod.get("volumes"))}
    best: tuple[int, _Source | None] | None = None
    for mount in mappings(container.get("volumeMounts")):
        at = posixpath.normpath(text(mount.get("mountPath")) or "/")
        sub_path = text(mount.get("subPath"))
        volume = volumes.get(text(mount.get("name")))
        if volume is None or mount.get("subPathExpr"):
            continue
        if sub_path:
            if at != path:
                continue
            inner = posixpath.normpath(sub_path)
        elif path.startswith(at.rstrip("/") + "/"):
            inner = path[len(at.rstrip("/")) + 1 :]
        else:
            continue
        if best is None or len(at) > best[0]:
            best = (len(at), _volume_source(volume, inner))
    return best[1] if best is not None else None


def _volume_source(volume: Mapping[str, Any], inner: str) -> _Source | None:
    """The ConfigMap key a `configMap` or `projected` volume shows at `inner` (its path inside the
    volume); a volume of another kind (a Secret, a persistent volume) is a source the manifests cannot
    read (`config_map` None)."""
    if "configMap" in volume:
        return _config_map_entry(mapping(volume.get("configMap")), inner)
    if "projected" in volume:
        for projected in mappings(mapping(volume.get("projected")).get("sources")):
            if "configMap" in projected:
                found = _config_map_entry(mapping(projected.get("configMap")), inner)
                if found is not None and found.key is not None:
                    return found
        return None
    if "emptyDir" in volume:
        return None  # empty when the container starts
    return _Source(config_map=None, key=None)


def _config_map_entry(source: Mapping[str, Any], inner: str) -> _Source | None:
    """The key of the ConfigMap `source` (a volume's `configMap`) shown at `inner`, as Kubernetes lays it
    out: each `items` entry at its `path`, else each key at its own name; None when it shows none."""
    name, optional = text(source.get("name")), source.get("optional") is True
    items = mappings(source.get("items"))
    if items:
        for entry in items:
            if posixpath.normpath(text(entry.get("path")) or ".") == inner:
                key = text(entry.get("key"))
                return _Source(name if key else None, key or None, optional)
        return None
    return _Source(name, inner, optional) if "/" not in inner else None


def _read(item: KubeObject, path: str, source: _Source, config_maps: ConfigMaps,
          *, explicit: bool) -> StaticConfig | str | None:
    """The static configuration at `path` from `source`; a warning when the manifests cannot show it;
    None when the folder Traefik searches holds no such file (it looks further)."""
    where = redact(f"{path} (Traefik's static configuration file)")
    if source.config_map is None or source.key is None:
        return f"{where} is mounted from a volume the manifests cannot show: {_NOT_SHOWN}"
    config_map = config_maps.find(item.namespace, source.config_map)
    if config_map is None:
        return redact(f"{where} is mounted from ConfigMap {item.namespace}/{source.config_map}, which the"
                      f" files given do not hold: {_NOT_SHOWN}")
    value = config_map.get(source.key)
    if value is None:
        if explicit and not source.optional:
            return redact(f"{where} names key {source.key} of ConfigMap {item.namespace}/{source.config_map},"
                          f" which it does not hold: {_NOT_SHOWN}")
        return None
    return _parsed(value, path, where)


def _parsed(value: EnvVariable, path: str, where: str) -> StaticConfig | str:
    """A ConfigMap value read as the static configuration file at `path` (TOML by the suffix)."""
    written = value.value or ""
    data = parse_static_text(written, posixpath.basename(path), value.shown)
    if data is None:
        return redact(f"{where} at {value.shown}:{value.line or '?'} does not parse: {_NOT_SHOWN}")
    config = static_config(data, value.shown, lambda _: None, value.pointer) if isinstance(data, Mapping) else None
    if config is None:
        return redact(f"{where} at {value.shown}:{value.line or '?'} sets no entry point or provider:"
                      f" {_NOT_SHOWN}")
    return replace(config, line=value.line)
