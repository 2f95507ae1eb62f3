"""The report's cipher suites table: each cipher setting the gateway configs write, its verdict and its
weak entries as written, so that a reader of transport_security sees which listener accepts what.

Only laid out here: the settings and their weak entries come from the inventory (`tls_ciphers`), the
findings from transport_security.
"""

from __future__ import annotations

from dataclasses import dataclass

from riskscan.model import Assessment, CipherSetting, CipherWeakness

__all__ = ["CipherRow", "TlsCiphersView", "build_tls_ciphers_view"]

_MAX_ROWS = 20
_MAX_WEAK = 6
# Worst first: the verdict a row shows, and its CSS class.
_VERDICTS = (
    (CipherWeakness.BROKEN, "broken suites", "verdict-fail"),
    (CipherWeakness.LEGACY_ONLY, "capped below TLS 1.2", "verdict-fail"),
    (CipherWeakness.NO_FORWARD_SECRECY, "static key exchange", "verdict-partial"),
    (CipherWeakness.BUILD_DEPENDENT, "depends on the OpenSSL build", "verdict-partial"),
    (CipherWeakness.CBC_SHA1, "CBC with SHA-1", "verdict-partial"),
)


@dataclass(frozen=True, slots=True)
class CipherRow:
    """One cipher setting: where it is written, what it writes, its verdict and its weak entries."""

    place: str
    written: str
    verdict: str
    verdict_css: str
    weak: tuple[str, ...]
    more: int  # weak entries past those shown


@dataclass(frozen=True, slots=True)
class TlsCiphersView:
    """The settings read (worst first), how many are left out, and how many configs were read."""

    rows: tuple[CipherRow, ...]
    more: int
    checked: int


def build_tls_ciphers_view(assessment: Assessment) -> TlsCiphersView | None:
    """The table, or None when no config was read for cipher suites."""
    inventory = assessment.inventory
    if not inventory.ciphers_checked:
        return None
    rows = sorted((_row(setting) for setting in inventory.cipher_settings),
                  key=lambda row: (_rank(row.verdict), row.place))
    return TlsCiphersView(rows=tuple(rows[:_MAX_ROWS]), more=max(0, len(rows) - _MAX_ROWS),
                          checked=len(inventory.ciphers_checked))


def _row(setting: CipherSetting) -> CipherRow:
    found = {item.weakness for item in setting.weak}
    verdict, css = next(((text, css) for weakness, text, css in _VERDICTS if weakness in found),
                        ("no weak suite", ""))
    evidence = setting.evidence
    place = f"{evidence.path}:{evidence.line}" if evidence.line else evidence.path
    # The reasons say what each weakness is; only a broken suite is called so outright.
    weak = tuple(dict.fromkeys(f"{item.name}: {'broken, ' if item.weakness is CipherWeakness.BROKEN else ''}"
                               f"{item.reason}" for item in setting.weak))
    written = evidence.excerpt or (f"{setting.entries} entries" if setting.entries else "")
    return CipherRow(place=place, written=written, verdict=verdict, verdict_css=css, weak=weak[:_MAX_WEAK],
                     more=max(0, len(weak) - _MAX_WEAK))


def _rank(verdict: str) -> int:
    texts = [text for _, text, _ in _VERDICTS]
    return texts.index(verdict) if verdict in texts else len(texts)
