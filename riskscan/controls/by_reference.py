"""Runtime settings taken by reference, as a control's limitation names them.

A gateway's runtime configuration may set a listener or a TLS setting to a value no input shows (a
Kubernetes Secret, a `${VAR}` of the shell, an env file or a ConfigMap not given). The readers leave what
such a setting decides unjudged (`GatewayConfig.unknown_settings`); the controls it bears on say so, naming
the files and the settings, so that an absent finding is not read as a pass on evidence.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from riskscan.model import Inventory

__all__ = ["by_reference_fields"]

_PLACES_SHOWN = 3


def by_reference_fields(inventory: Inventory, names: AbstractSet[str]) -> dict[str, str] | None:
    """`places` (the files) and `settings` (their names) among `names` set by reference; None when none is."""
    found = [(item.path, [name for name in item.settings if name in names]) for item in inventory.unknown_settings]
    found = [(path, settings) for path, settings in found if settings]
    if not found:
        return None
    places = ", ".join(path for path, _ in found[:_PLACES_SHOWN])
    places += f" and {len(found) - _PLACES_SHOWN} more" if len(found) > _PLACES_SHOWN else ""
    return {"places": places, "settings": ", ".join(sorted({name for _, names_ in found for name in names_}))}
