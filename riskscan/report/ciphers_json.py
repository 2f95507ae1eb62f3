"""The JSON report's `tls_ciphers`: every cipher setting the gateway configs write, with its weak entries.

Findings name the weak suites estate-wide; this section keeps them per setting, so that a consumer can
tell which listener, server block or TLS option accepts what (schema `$defs.cipher_setting`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from riskscan.model import CipherSetting, Evidence, Inventory

__all__ = ["ciphers_document"]

EvidenceDocument = Callable[[Iterable[Evidence]], list[dict[str, Any]]]


def ciphers_document(inventory: Inventory, evidence: EvidenceDocument) -> dict[str, Any]:
    """`checked` (the configs read for cipher suites) and `settings`, in file and line order."""
    settings = sorted(inventory.cipher_settings, key=lambda item: (
        item.evidence.path, item.evidence.line or 0, item.evidence.pointer or ""))
    return {"checked": sorted(inventory.ciphers_checked),
            "settings": [_setting(item, evidence) for item in settings]}


def _setting(setting: CipherSetting, evidence: EvidenceDocument) -> dict[str, Any]:
    return {
        "entries": setting.entries,
        "maximum": setting.maximum,
        "has_forward_secrecy": setting.has_forward_secrecy,
        "weak": [{"name": item.name, "weakness": item.weakness.value, "reason": item.reason}
                 for item in setting.weak],
        "evidence": evidence([setting.evidence])[0],
    }
