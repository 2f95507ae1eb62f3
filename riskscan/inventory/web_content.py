"""Web content: pages, downloads, media and assets that a log shows beside API calls.

Real server logs mix API requests with a website: `/blog/post.html`, `/files/tool-1.0.tar.gz`,
`/video/intro.mpg`, `/favicon.ico`. Those are not API endpoints, and listing them as shadow APIs
buries the real ones. `web_content_class` says which kind of web content a concrete path is, from the
table in `web_content.yaml` (extensions by class, plus a few well-known site paths); the inventory
asks only for traffic that matched no spec template and no gateway route, so an API returning a file
stays an endpoint. `WebContentTally` counts what was set apart, for `Inventory.web_content`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from riskscan.model import WebContent, WebContentClass

__all__ = ["WebContentRules", "WebContentTally", "default_rules", "parse_rules", "web_content_class"]

_DATA_FILE = "web_content.yaml"
_CLASS_NAMES = frozenset(kind.value for kind in WebContentClass)


@dataclass(frozen=True)
class WebContentRules:
    """The classifier's table: extension, whole path and path prefix, each to a class."""

    extensions: dict[str, WebContentClass]
    paths: dict[str, WebContentClass]
    prefixes: tuple[tuple[str, WebContentClass], ...]

    def classify(self, path: str) -> WebContentClass | None:
        """The class of web content a concrete path (no query string) is, or None for anything else."""
        lowered = path.lower()
        found = self.paths.get(lowered.rstrip("/") or "/")
        if found is not None:
            return found
        for prefix, kind in self.prefixes:
            if lowered.startswith(prefix) and len(lowered) > len(prefix):
                return kind
        return self.extensions.get(_extension(lowered))


def _extension(path: str) -> str:
    """The last segment's extension, lower case; none for a folder (`/docs/`) or a dot-file (`/.env`)."""
    if path.endswith("/"):
        return ""
    name = path.rsplit("/", 1)[-1]
    stem, dot, extension = name.rpartition(".")
    return extension if dot and stem else ""


def parse_rules(text: str) -> WebContentRules:
    """Build the rules from the YAML text of `web_content.yaml`; a malformed table raises ValueError."""
    raw: Any = yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise ValueError(f"{_DATA_FILE}: expected a mapping at the top")
    extensions = _by_class(raw.get("extensions", {}), "extensions")
    paths = _by_class(raw.get("paths", {}), "paths")
    prefixes = tuple(sorted(_by_class(raw.get("prefixes", {}), "prefixes").items(), key=lambda p: -len(p[0])))
    if any(not prefix.endswith("/") for prefix, _ in prefixes):
        raise ValueError(f"{_DATA_FILE}: prefixes: every prefix must end in '/'")
    return WebContentRules(extensions=extensions, paths=paths, prefixes=prefixes)


def _by_class(section: Any, name: str) -> dict[str, WebContentClass]:
    """`{class: [names]}` turned round into `{name: class}`, names lower case, each listed once."""
    if not isinstance(section, dict):
        raise ValueError(f"{_DATA_FILE}: {name}: expected a mapping of class to a list")
    table: dict[str, WebContentClass] = {}
    for kind, names in section.items():
        if kind not in _CLASS_NAMES or not isinstance(names, list):
            raise ValueError(f"{_DATA_FILE}: {name}: {kind!r} is not a web content class with a list")
        for entry in names:
            key = str(entry).lower()
            if key in table:
                raise ValueError(f"{_DATA_FILE}: {name}: {key!r} is listed twice")
            table[key] = WebContentClass(kind)
    return table


@lru_cache(maxsize=1)
def default_rules() -> WebContentRules:
    """The packaged table, read once per process."""
    return parse_rules(resources.files(__package__).joinpath(_DATA_FILE).read_text(encoding="utf-8"))


def web_content_class(path: str) -> WebContentClass | None:
    """The class of web content `path` is under the packaged table, or None (see `WebContentRules`)."""
    return default_rules().classify(path)


@dataclass
class WebContentTally:
    """Requests set apart as web content while the inventory is built."""

    requests: int = 0
    paths: set[str] = field(default_factory=set)
    by_class: dict[WebContentClass, int] = field(default_factory=dict)

    def add(self, path: str, kind: WebContentClass, requests: int) -> None:
        """Count `requests` for one concrete path of class `kind`."""
        self.requests += requests
        self.paths.add(path)
        self.by_class[kind] = self.by_class.get(kind, 0) + requests

    def summary(self) -> WebContent:
        """The tally as the model's `WebContent`, classes in the enum's order."""
        ordered = {kind: self.by_class[kind] for kind in WebContentClass if kind in self.by_class}
        return WebContent(requests=self.requests, distinct_paths=len(self.paths), requests_by_class=ordered)
