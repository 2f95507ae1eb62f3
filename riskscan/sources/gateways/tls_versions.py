"""TLS protocol versions as gateway configs write them, and which of them are too old to accept.

Each gateway spells versions its own way: nginx and APISIX `TLSv1 TLSv1.1 TLSv1.2` (and `SSLv3`),
Envoy `TLSv1_0` ... `TLSv1_3` (and `TLS_AUTO`), Traefik `VersionTLS10` ... `VersionTLS13`, Kubernetes
ingress-nginx the nginx names. SSL, TLS 1.0 and TLS 1.1 are legacy (RFC 8996 deprecates the last two).
A setting lists the protocols accepted (`ssl_protocols`) or a minimum (`tls_minimum_protocol_version`,
`minVersion`): a minimum of 1.0 or 1.1 accepts them too.

Where a listener serves TLS but writes no versions, the gateway's documented default applies
(`default_setting`); some defaults changed between releases, which a config file cannot show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

from riskscan.model import Evidence, TlsSetting

__all__ = ["TlsDefault", "default_setting", "is_legacy_protocol", "tls_setting"]

# SSLv2, SSLv3, TLSv1, TLSv1.0, TLSv1_0, TLSv1.1, TLSv1_1, VersionTLS10, VersionTLS11, tls1.0, TLS1_1 ...
_LEGACY = re.compile(r"^(?:sslv?[23]|(?:version)?tls(?:v)?1(?:[._]?[01])?)$", re.IGNORECASE)
# Every version riskscan reads, legacy or not: the above, TLSv1.2, TLSv1_3, VersionTLS12, TLS1_3, TLS_AUTO.
_KNOWN = re.compile(r"^(?:sslv?[23]|(?:version)?tls(?:v)?1(?:[._]?[0-3])?|tls_auto)$", re.IGNORECASE)
_MAX_PROTOCOLS = 8  # a hostile list of thousands of names is cut: the first few say enough


def is_legacy_protocol(name: str) -> bool:
    """True for SSL, TLS 1.0 and TLS 1.1 in any gateway's spelling."""
    return bool(_LEGACY.match(name.strip()))


def tls_setting(protocols: Iterable[object], evidence: Evidence) -> TlsSetting | None:
    """A setting from the protocol names a config lists (non-strings ignored); None when it names none.
    A list naming no version riskscan knows is kept, marked not recognised (not judged)."""
    names = [name.strip() for name in protocols if isinstance(name, str) and name.strip()][:_MAX_PROTOCOLS]
    if not names:
        return None
    names = [name[:24] for name in names]
    return TlsSetting(protocols=tuple(dict.fromkeys(names)),
                      allows_legacy=any(is_legacy_protocol(name) for name in names), evidence=evidence,
                      is_recognised=any(_KNOWN.match(name) for name in names))


class TlsDefault(StrEnum):
    """Gateways whose documented default TLS versions riskscan knows."""

    NGINX = "nginx"
    ENVOY = "envoy"
    TRAEFIK = "traefik"
    APISIX = "apisix"
    KONG = "kong"  # kong.conf without ssl_cipher_suite: the `intermediate` suite
    KONG_CUSTOM = "kong_custom"  # ssl_cipher_suite = custom without ssl_protocols


class _Default(NamedTuple):
    protocols: tuple[str, ...]  # the current releases' default
    depends_on_version: str | None  # which releases accept legacy TLS instead


_DEFAULTS = {
    # nginx ngx_http_ssl_module, `ssl_protocols`: default "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3" before 1.23.4,
    # "TLSv1.2 TLSv1.3" from 1.23.4 (CHANGES 1.23.4: "now TLSv1.3 protocol is enabled by default",
    # with TLSv1 and TLSv1.1 dropped from the default); distributions still ship older releases.
    TlsDefault.NGINX: _Default(("TLSv1.2", "TLSv1.3"),
                               "nginx before 1.23.4 also accepts TLSv1 and TLSv1.1 by default"),
    # Envoy TlsParameters.tls_minimum_protocol_version: "By default, it's TLSv1_2 for clients and
    # TLSv1_0 for servers" up to v1.21; "TLSv1_2 for both clients and servers" from v1.22.
    TlsDefault.ENVOY: _Default(("TLSv1_2",), "Envoy before 1.22 accepts TLSv1_0 and TLSv1_1 by default"),
    # Traefik TLS options, minVersion: DefaultTLSOptions sets MinVersion "VersionTLS12" in current
    # releases; early v2 releases left it empty (Go's server default, TLS 1.0): traefik/traefik#6756,
    # "the min version ... is TLS1.2 since v2.8.1".
    TlsDefault.TRAEFIK: _Default(("VersionTLS12",),
                                 "Traefik before 2.8.1 accepts TLS 1.0 and 1.1 by default"),
    # APISIX "SSL Protocol": an SSL object without ssl_protocols takes config.yaml's
    # apisix.ssl.ssl_protocols, "default TLSv1.2 TLSv1.3" (config-default.yaml).
    TlsDefault.APISIX: _Default(("TLSv1.2", "TLSv1.3"), None),
    # kong.conf reference: `ssl_cipher_suite` defaults to `intermediate`, whose protocols are TLSv1.2
    # and TLSv1.3 (the default of every 2.x and 3.x release's kong.conf.default).
    TlsDefault.KONG: _Default(("TLSv1.2", "TLSv1.3"), None),
    # `ssl_protocols` (read only with ssl_cipher_suite = custom) defaults to "TLSv1.2 TLSv1.3" from 3.7;
    # earlier releases' default was "TLSv1.1 TLSv1.2 TLSv1.3" (Kong#12420, "disable TLSv1.1 and lower").
    TlsDefault.KONG_CUSTOM: _Default(("TLSv1.2", "TLSv1.3"),
                                     "Kong before 3.7 also accepts TLSv1.1 with ssl_cipher_suite custom"),
}


def default_setting(gateway: TlsDefault, evidence: Evidence) -> TlsSetting:
    """The versions `gateway` accepts where its config writes none, marked as a default; `evidence`
    is the listener or server block that serves TLS."""
    default = _DEFAULTS[gateway]
    return TlsSetting(protocols=default.protocols, allows_legacy=False, evidence=evidence, is_default=True,
                      depends_on_version=default.depends_on_version)
