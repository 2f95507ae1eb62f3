"""TLS protocol versions as gateway configs write them, and which of them are too old to accept.

Each gateway spells versions its own way: nginx and APISIX `TLSv1 TLSv1.1 TLSv1.2` (and `SSLv3`),
Envoy `TLSv1_0` ... `TLSv1_3` (and `TLS_AUTO`), Traefik `VersionTLS10` ... `VersionTLS13`, Kubernetes
ingress-nginx the nginx names. SSL, TLS 1.0 and TLS 1.1 are legacy (RFC 8996 deprecates the last two).
A setting lists the protocols accepted (`ssl_protocols`) or a minimum (`tls_minimum_protocol_version`,
`minVersion`): a minimum of 1.0 or 1.1 accepts them too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from riskscan.model import Evidence, TlsSetting

__all__ = ["is_legacy_protocol", "tls_setting"]

# SSLv2, SSLv3, TLSv1, TLSv1.0, TLSv1_0, TLSv1.1, TLSv1_1, VersionTLS10, VersionTLS11, tls1.0, TLS1_1 ...
_LEGACY = re.compile(r"^(?:sslv?[23]|(?:version)?tls(?:v)?1(?:[._]?[01])?)$", re.IGNORECASE)
_MAX_PROTOCOLS = 8  # a hostile list of thousands of names is cut: the first few say enough


def is_legacy_protocol(name: str) -> bool:
    """True for SSL, TLS 1.0 and TLS 1.1 in any gateway's spelling."""
    return bool(_LEGACY.match(name.strip()))


def tls_setting(protocols: Iterable[object], evidence: Evidence) -> TlsSetting | None:
    """A setting from the protocol names a config lists (non-strings ignored); None when it names none."""
    names = [name.strip() for name in protocols if isinstance(name, str) and name.strip()][:_MAX_PROTOCOLS]
    if not names:
        return None
    names = [name[:24] for name in names]
    return TlsSetting(protocols=tuple(dict.fromkeys(names)),
                      allows_legacy=any(is_legacy_protocol(name) for name in names), evidence=evidence)
