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
        sources = _sources(path, pod, container)
        if sources is None:
            return None  # baked into the image: the files given may hold it
        return _read(item, path, sources, config_maps, explicit=True)
    for path in _SEARCHED:
        sources = _sources(path, pod, container)
        if sources is None:
            continue
        found = _read(item, path, sources, config_maps, explicit=False)
        if found is not None:
            return found
    return None


def _sources(path: str, pod: Mapping[str, Any], container: Mapping[str, Any]) -> tuple[_Source, ...] | None:
    """Where the container's mounts may take `path` from (several for a projected volume); None when no
    volume is mounted over it."""
    volumes = {text(volume.get("name")): volume for volume in mappings(pod.get("volumes"))}
    best: tuple[int, tuple[_Source, ...]] | None = None
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
            best = (len(at), _volume_sources(volume, inner))
    return best[1] if best is not None else None


def _volume_sources(volume: Mapping[str, Any], inner: str) -> tuple[_Source, ...]:
    """The ConfigMap keys a `configMap` or `projected` volume may show at `inner` (its path inside the
    volume), in order; a Secret or a volume of another kind is a source the manifests cannot read
    (`config_map` None); an `emptyDir` shows nothing."""
    unknown = _Source(config_map=None, key=None)
    if "configMap" in volume:
        found = _config_map_entry(mapping(volume.get("configMap")), inner)
        return (found,) if found is not None else ()
    if "projected" in volume:
        sources = mappings(mapping(volume.get("projected")).get("sources"))
        entries = (_config_map_entry(mapping(item.get("configMap")), inner) if "configMap" in item
                   else unknown if "secret" in item else None for item in sources)
        return tuple(entry for entry in entries if entry is not None)
    return () if "emptyDir" in volume else (unknown,)  # an emptyDir is empty when the container starts


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


def _read(item: KubeObject, path: str, sources: tuple[_Source, ...], config_maps: ConfigMaps,
          *, explicit: bool) -> StaticConfig | str | None:
    """The static configuration at `path` from the first of `sources` holding it; else a warning when one
    of them may hold it unseen (or the file named is missing); None when none does (Traefik searches on)."""
    where = redact(f"{path} (Traefik's static configuration file)")
    unknown: str | None = None
    for source in sources:
        if source.config_map is None or source.key is None:
            unknown = unknown or f"{where} is mounted from a volume the manifests cannot show: {_NOT_SHOWN}"
            continue
        config_map = config_maps.find(item.namespace, source.config_map)
        if config_map is None:
            unknown = unknown or redact(f"{where} is mounted from ConfigMap {item.namespace}/{source.config_map},"
                                        f" which the files given do not hold: {_NOT_SHOWN}")
            continue
        value = config_map.get(source.key)
        if value is not None:
            return _parsed(value, path, where)
        if explicit and not source.optional:
            unknown = unknown or redact(f"{where} names key {source.key} of ConfigMap {item.namespace}/"
                                        f"{source.config_map}, which it does not hold: {_NOT_SHOWN}")
    return unknown


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
