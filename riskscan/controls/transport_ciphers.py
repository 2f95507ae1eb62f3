"""The cipher suites and maximum TLS versions the gateway configs write, judged for transport_security.

Each setting names its weak entries (`tls_ciphers`); findings are estate-wide, one per weakness, each
listing the places and the entries as the configs write them:
- broken suites (RC4, DES and 3DES, NULL, EXPORT, anonymous, MD5): `TLS_BROKEN_CIPHERS`, high;
- a maximum version below TLS 1.2: `TLS_LEGACY_MAXIMUM`, high (every connection on deprecated TLS);
- static RSA or (EC)DH key exchange with no forward-secret suite beside it: `TLS_NO_FORWARD_SECRECY`,
  medium; beside forward-secret suites (which current clients pick): `TLS_STATIC_KEY_EXCHANGE`, low;
- CBC suites with SHA-1 where the same file accepts TLS 1.0 or 1.1: `TLS_CBC_SHA1_LEGACY`, low;
- keywords whose weak members depend on the OpenSSL build: `TLS_CIPHERS_BUILD_DEPENDENT`, low.
Where no cipher suites are written the gateway's default list applies: not judged (a limitation).
"""

from __future__ import annotations

from collections.abc import Sequence

from riskscan.controls.catalogue import Control
from riskscan.controls.outcome import FindingDraft, draft_finding, plural
from riskscan.model import CipherSetting, CipherWeakness, Evidence, Inventory

__all__ = ["cipher_drafts", "cipher_evidence", "cipher_sentence"]

_MAX_NAMED = 6  # entries named in a finding's detail; the evidence lists every place


def _has(setting: CipherSetting, weakness: CipherWeakness) -> bool:
    return any(item.weakness is weakness for item in setting.weak)


def _groups(inventory: Inventory) -> dict[str, tuple[CipherWeakness, list[CipherSetting]]]:
    """Each finding code, the weakness it names and the settings showing it."""
    settings = inventory.cipher_settings
    legacy_files = {item.evidence.path for item in inventory.tls_settings if item.allows_legacy}
    static = [item for item in settings if _has(item, CipherWeakness.NO_FORWARD_SECRECY)]
    return {
        "TLS_BROKEN_CIPHERS": (CipherWeakness.BROKEN,
                               [item for item in settings if _has(item, CipherWeakness.BROKEN)]),
        "TLS_LEGACY_MAXIMUM": (CipherWeakness.LEGACY_ONLY,
                               [item for item in settings if _has(item, CipherWeakness.LEGACY_ONLY)]),
        "TLS_NO_FORWARD_SECRECY": (CipherWeakness.NO_FORWARD_SECRECY,
                                   [item for item in static if item.has_forward_secrecy is False]),
        "TLS_STATIC_KEY_EXCHANGE": (CipherWeakness.NO_FORWARD_SECRECY,
                                    [item for item in static if item.has_forward_secrecy]),
        "TLS_CBC_SHA1_LEGACY": (CipherWeakness.CBC_SHA1,
                                [item for item in settings if _has(item, CipherWeakness.CBC_SHA1)
                                 and item.evidence.path in legacy_files]),
        "TLS_CIPHERS_BUILD_DEPENDENT": (CipherWeakness.BUILD_DEPENDENT,
                                        [item for item in settings if not _has(item, CipherWeakness.BROKEN)
                                         and _has(item, CipherWeakness.BUILD_DEPENDENT)]),
    }


def cipher_drafts(control: Control, inventory: Inventory) -> list[FindingDraft]:
    """One estate-wide finding per weakness the cipher settings show."""
    return [_draft(control, code, weakness, settings)
            for code, (weakness, settings) in _groups(inventory).items() if settings]


def cipher_evidence(inventory: Inventory) -> list[Evidence]:
    """What a pass rests on: the settings no finding names."""
    flagged = {id(item) for _, settings in _groups(inventory).values() for item in settings}
    return [item.evidence for item in inventory.cipher_settings if id(item) not in flagged]


def cipher_sentence(inventory: Inventory, *, by_reference: bool = False) -> str:
    """The summary's {ciphers}: how many cipher settings were read and how many accept broken suites;
    those naming no suite riskscan recognises are counted apart, not judged (`by_reference`: some config
    sets its suites to a value no input shows)."""
    if not inventory.ciphers_checked:
        return ""
    unrecognised = [item for item in inventory.cipher_settings if item.has_forward_secrecy is None and not item.weak]
    settings = [item for item in inventory.cipher_settings if item not in unrecognised]
    apart = (f" {plural(len(unrecognised), 'cipher setting')} name no suite riskscan recognises: not judged."
             if unrecognised else "")
    if by_reference:
        apart += " Some cipher suites are set by reference: not judged."
    if not settings:
        return apart or (" The configs read write no cipher suites: where they serve TLS, the gateway's default"
                         " list applies, not judged.")
    return _judged_sentence(settings) + apart


def _judged_sentence(settings: Sequence[CipherSetting]) -> str:
    read = plural(len(settings), "cipher setting")
    broken = [item for item in settings
              if _has(item, CipherWeakness.BROKEN) or _has(item, CipherWeakness.LEGACY_ONLY)]
    weaker = [item for item in settings if item.weak and item not in broken]
    if broken:
        return f" {len(broken)} of {read} read accept broken suites or cap TLS below 1.2."
    if weaker:
        return (f" No cipher setting read accepts broken suites ({read}); {len(weaker)} accept suites"
                " without forward secrecy, or that depend on the OpenSSL build or the TLS versions.")
    return f" No cipher setting read accepts a weak suite ({read})."


def _draft(control: Control, code: str, weakness: CipherWeakness,
           settings: Sequence[CipherSetting]) -> FindingDraft:
    named = list(dict.fromkeys(f"{item.name} ({item.reason})" for setting in settings
                               for item in setting.weak if item.weakness is weakness))
    more = f"; and {len(named) - _MAX_NAMED} more" if len(named) > _MAX_NAMED else ""
    fields = {"places": plural(len(settings), "place"),
              "files": ", ".join(sorted({setting.evidence.path for setting in settings})),
              "suites": "; ".join(named[:_MAX_NAMED]) + more}
    return draft_finding(control, code, (), [setting.evidence for setting in settings], **fields)