"""Reader for Apache APISIX: standalone configuration (`conf/apisix.yaml`, or `conf/apisix.json`) and
Admin API exports (`GET /apisix/admin/routes` ... saved as JSON, read by `apisix_admin`).

In standalone mode APISIX takes all of its routes, services, upstreams, plugin configs, global rules,
consumers and SSL objects from one file (docs/en/latest/deployment-modes.md). Each route is resolved
the way APISIX does it (`apisix_build`) and what is enforced on it is reported.

APISIX loads a YAML file only when it ends with `#END`; a file without it is still read, with a
warning. Nothing configured as a credential (consumer keys, `client_secret`, certificates) is kept.
"""

from __future__ import annotations

from pathlib import Path

from riskscan.errors import SourceError
from riskscan.model import GatewayConfig, SourceKind
from riskscan.sources import ReadContext
from riskscan.sources.gateways.apisix_admin import looks_like_admin_export, read_admin_export
from riskscan.sources.gateways.apisix_build import ConfigValue, build_config, locate_in
from riskscan.sources.gateways.apisix_sniff import RESOURCE_KEYS, looks_like_json, looks_like_standalone
from riskscan.sources.structured import MAX_DEPTH, TOO_DEEP, load_text, parse_structured_text

__all__ = ["NO_END_MARKER_WARNING", "ApisixError", "ApisixReader"]

NO_END_MARKER_WARNING = "no #END marker: APISIX standalone mode will not load this file"


class ApisixError(SourceError):
    """An APISIX standalone file or Admin API export that cannot be read."""


class ApisixReader:
    """Reads APISIX standalone files and Admin API exports into a `GatewayConfig`."""

    kind = SourceKind.APISIX
    title = "Apache APISIX standalone apisix.yaml (or .json), Admin API exports"
    summary = ("routes with plugins merged from services, plugin configs and global rules, resolved into "
               "authentication, rate limits, loggers and monitors; a folder's Admin API exports joined; "
               "consumers counted, credentials never kept")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True for a standalone file (resource lists at the top level, or the `#END` marker) and for an
        Admin API response saved as JSON (see `apisix_admin.looks_like_admin_export`).

        False for APISIX's `conf/config.yaml`, OpenAPI documents (including Dashboard exports),
        Kubernetes manifests and other gateways' configs, whose top-level keys give them away.
        """
        if looks_like_standalone(path, head):
            return True
        return looks_like_admin_export(path, head.decode("utf-8", errors="replace"))

    def read(self, path: Path, context: ReadContext) -> GatewayConfig:
        """Read one standalone file or Admin API export; raise `ApisixError` naming file and problem."""
        shown = context.relative_path(path)
        try:
            text = load_text(path, context)
            document = parse_structured_text(text, path, shown)
            if looks_like_admin_export(path, text[:65536]):
                return read_admin_export(path, document, context)
        except SourceError as error:
            raise ApisixError(error.problem, path=error.path, line=error.line) from None
        root = _plain(document.data, shown, 0)
        root = root if root is not None else {}
        if not isinstance(root, dict):
            raise ApisixError("the top level is not a mapping of APISIX resources", path=shown, line=1)
        for key in sorted(RESOURCE_KEYS & root.keys()):
            if root[key] is not None and not isinstance(root[key], list):
                raise ApisixError(f"`{key}` is not a list", path=shown, line=document.line_of(f"/{key}"))
        is_json = looks_like_json(text)
        warnings = [] if is_json or text.rstrip().endswith("#END") else [NO_END_MARKER_WARNING]
        return build_config(root, shown, locate_in(shown, document), warnings)


def _plain(value: object, shown: str, depth: int) -> ConfigValue:
    """Loaded data as `ConfigValue`: keys as text, timestamps and the like as text, binary hidden.

    Copying follows aliases, so this also refuses data nested too deeply once they are expanded
    (the loader counts only the nesting as written).
    """
    if depth > MAX_DEPTH:
        raise ApisixError(f"refused: {TOO_DEEP}", path=shown)
    if isinstance(value, dict):
        return {
            "" if key is None else str(key): _plain(item, shown, depth + 1) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_plain(item, shown, depth + 1) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return "<binary>" if isinstance(value, bytes) else str(value)


