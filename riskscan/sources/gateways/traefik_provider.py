"""Definitions from the other files of a Traefik file provider's directory.

The file provider reads every file of its `directory` as one configuration: routers in `routers.yaml`
commonly name middlewares from `middlewares.yaml` and services from `services.toml`. A name a router
uses that its own file does not define is looked up in the other dynamic configuration files of the
same folder (inside the folders given: `ReadContext.is_allowed`), the file's own definitions first.
A file that cannot be read is skipped here (it is reported on its own when scanned).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskscan.errors import SourceError
from riskscan.sources import HEAD_BYTES, ReadContext

__all__ = ["Definitions", "Origin", "sibling_definitions"]

_SUFFIXES = frozenset({".yml", ".yaml", ".toml", ".json"})
_MAX_SIBLINGS = 200
Origin = tuple[str, Callable[[str], int | None]]  # a file as shown, and its line finder by JSON pointer
Loader = Callable[[Path, ReadContext, str], tuple[Mapping[str, Any], Callable[[str], int | None]]]
Sniffer = Callable[[Path, bytes], bool]


@dataclass
class Definitions:
    """Middlewares, services, servers transports and TLS options by name; middlewares and services
    with the file they came from."""

    middlewares: dict[str, Any] = field(default_factory=dict)
    services: dict[str, Any] = field(default_factory=dict)
    tls_options: dict[str, Any] = field(default_factory=dict)
    servers_transports: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)  # middleware name -> its file
    service_origins: dict[str, Origin] = field(default_factory=dict)  # service name -> its file
    pointers: dict[str, str] = field(default_factory=dict)  # another provider's middleware -> its place
    service_pointers: dict[str, str] = field(default_factory=dict)  # another provider's service -> place
    discovered: set[str] = field(default_factory=set)  # load balancers over a Kubernetes Service's pods

    def add(self, data: Mapping[str, Any], origin: Origin) -> None:
        """Add one file's definitions; names already known keep their first definition."""
        http = _mapping(data.get("http"))
        for name, config in _mapping(http.get("middlewares")).items():
            if name not in self.middlewares:
                self.middlewares[name] = config
                self.origins[name] = origin
        for name, config in _mapping(http.get("services")).items():
            if name not in self.services:
                self.services[name] = config
                self.service_origins[name] = origin
        for name, config in _mapping(http.get("serversTransports")).items():
            self.servers_transports.setdefault(name, config)
        for name, config in _mapping(_mapping(data.get("tls")).get("options")).items():
            self.tls_options.setdefault(name, config)

    def add_middleware(self, reference: str, config: Mapping[str, Any], origin: Origin, pointer: str) -> None:
        """Add a middleware another provider defines, under its qualified name (`auth@docker`)."""
        if reference not in self.middlewares:
            self.middlewares[reference] = config
            self.origins[reference] = origin
            self.pointers[reference] = pointer


    def add_service(self, reference: str, config: Mapping[str, Any], origin: Origin, pointer: str) -> None:
        """Add a service another provider defines, under its qualified name (`orders@docker`)."""
        if reference not in self.services:
            self.services[reference] = config
            self.service_origins[reference] = origin
            self.service_pointers[reference] = pointer


def sibling_definitions(path: Path, context: ReadContext, load: Loader, sniff: Sniffer,
                        into: Definitions) -> None:
    """Add to `into` the definitions of the other dynamic configuration files in `path`'s folder."""
    try:
        me = context.resolve(path)
        siblings = sorted(item for item in path.parent.iterdir()
                          if item.suffix.lower() in _SUFFIXES and context.resolve(item) != me)
    except OSError:
        return
    for sibling in siblings[:_MAX_SIBLINGS]:
        if not context.is_allowed(sibling) or not sibling.is_file():
            continue
        try:
            with sibling.open("rb") as handle:
                if not sniff(sibling, handle.read(HEAD_BYTES)):
                    continue
            shown = context.relative_path(sibling)
            data, locate = load(sibling, context, shown)
        except (OSError, SourceError):
            continue
        into.add(data, (shown, locate))


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
