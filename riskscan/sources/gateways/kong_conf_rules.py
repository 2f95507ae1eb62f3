"""What kong.conf's settings show, each judged as Kong's configuration reference defines it.

- TLS: `ssl_cipher_suite` picks the protocols (Kong's conf loader: `modern` TLSv1.3, `intermediate`
  TLSv1.2 and TLSv1.3, `old` TLSv1 to TLSv1.3, `fips` TLSv1.2); only `custom` reads `ssl_protocols`.
  Left out, the suite is `intermediate`. TLS is served when a `proxy_listen` entry has `ssl` (the default
  `0.0.0.0:8443 http2 ssl` does).
- Listeners: `proxy_listen`, `admin_listen`, `admin_gui_listen` are comma-separated `address flags...`
  entries, or `off`. The Admin API authenticates no caller in Kong's open-source gateway (Kong
  Enterprise's `enforce_rbac` adds it): on a network address without `ssl` anyone on the network
  configures Kong; with `ssl` the traffic is encrypted, still nobody is asked who calls.
- Credentials: passwords and secrets written as literals, private keys written inline (Kong takes a
  path, the PEM content or its base64), session secrets in `admin_gui_session_conf`, URLs holding
  credentials. `{vault://...}` references and the literal `NONE` are none. Places only, never values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import NamedTuple

from riskscan.model import (
    AdminExposure,
    AdminExposureKind,
    CipherSetting,
    ClientTransport,
    Evidence,
    TlsSetting,
)
from riskscan.sources.gateways.listen_addresses import is_loopback, split_host
from riskscan.sources.gateways.tls_ciphers import cipher_setting
from riskscan.sources.gateways.tls_versions import TlsDefault, default_setting, tls_setting
from riskscan.sources.gateways.url_credentials import is_reference, url_credential

__all__ = [
    "Setting", "admin_exposures", "cipher_settings", "clear_secrets", "proxy_listeners", "tls_settings",
]


class Setting(NamedTuple):
    """One kong.conf setting as written: its value (comment and quotes dropped), its line, and, when it
    is written elsewhere than in kong.conf (a `KONG_*` variable of a Compose service or a Kubernetes
    container), the JSON pointer of that place."""

    value: str
    line: int | None
    pointer: str | None = None
    shown: str | None = None  # the file, when another than the one read (a ConfigMap a container names)


_SUITES = {
    "modern": ("TLSv1.3",),
    "intermediate": ("TLSv1.2", "TLSv1.3"),
    "old": ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"),
    "fips": ("TLSv1.2",),
}
# The cipher lists of Kong's suites (kong/conf_loader constants.lua, Mozilla Server Side TLS 5.7); `modern`
# sets none (TLS 1.3 suites only).
_INTERMEDIATE = ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                 "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
                 "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305")
_SUITE_CIPHERS = {
    "intermediate": _INTERMEDIATE,
    "old": _INTERMEDIATE + (":ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:"
                            "ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:"
                            "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:"
                            "DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:"
                            "AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA"),
    "fips": "TLSv1.2+FIPS:kRSA+FIPS:!eNULL:!aNULL",
}
_DEFAULT_PROXY_LISTEN = "0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl reuseport backlog=16384"
_RBAC_ON = frozenset({"on", "both", "entity"})
_SECRET_SUFFIXES = ("_password", "_secret", "_token")
_KEY_SUFFIX = "_cert_key"  # ssl_cert_key, admin_ssl_cert_key, client_ssl_cert_key, cluster_cert_key ...
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]{64,}$")
_MAX_ENTRIES = 32  # listen entries judged per setting: a hostile list of thousands is cut
_REFERENCE_NOTE = "not a {vault://} reference"


def tls_settings(
    settings: Mapping[str, Setting], shown: str, warn: Callable[[str], None]
) -> tuple[TlsSetting, ...]:
    """The TLS versions Kong's proxy accepts, when a `proxy_listen` entry serves TLS; else none."""
    if not any(is_tls for _, is_tls, _ in _entries(settings, "proxy_listen", _DEFAULT_PROXY_LISTEN)):
        return ()
    suite = settings.get("ssl_cipher_suite")
    name = suite.value.lower() if suite else "intermediate"
    protocols = settings.get("ssl_protocols")
    if name != "custom" and protocols is not None:
        warn(f"line {protocols.line}: ssl_protocols is ignored: Kong reads it only with ssl_cipher_suite "
             f"custom, and the suite is {name}")
    if name in _SUITES and suite is not None:
        note = f"ssl_cipher_suite {name}: the TLS versions of every ssl proxy listener (Kong's {name} suite)"
        evidence = Evidence(path=suite.shown or shown, line=suite.line, pointer=suite.pointer, note=note)
        return _one(tls_setting(_SUITES[name], evidence))
    if name == "intermediate":
        note = ("no ssl_cipher_suite: Kong's default suite, intermediate (TLSv1.2, TLSv1.3), applies to "
                "every proxy listener with ssl")
        return (default_setting(TlsDefault.KONG, Evidence(path=shown, note=note)),)
    if name == "custom" and protocols is not None:
        evidence = Evidence(path=protocols.shown or shown, line=protocols.line, pointer=protocols.pointer,
                            note="ssl_protocols (ssl_cipher_suite custom) of every proxy listener with ssl")
        return _one(tls_setting(protocols.value.replace(",", " ").split(), evidence))
    if name == "custom":
        note = "ssl_cipher_suite custom without ssl_protocols: Kong's default ssl_protocols applies"
        line, path = (suite.line, suite.shown or shown) if suite else (None, shown)
        return (default_setting(TlsDefault.KONG_CUSTOM, Evidence(path=path, line=line, note=note)),)
    warn(f"line {suite.line if suite else 1}: ssl_cipher_suite is none of modern, intermediate, old, fips,"
         " custom: Kong refuses to start; TLS versions not judged")
    return ()


def cipher_settings(
    settings: Mapping[str, Setting], shown: str, warn: Callable[[str], None]
) -> tuple[CipherSetting, ...]:
    """The cipher suites Kong's proxy accepts, when a `proxy_listen` entry serves TLS and kong.conf
    writes them: a named suite's list, or `ssl_ciphers` with `custom`. Left out, the suite is
    `intermediate`, Kong's default: not judged (nothing is written)."""
    if not any(is_tls for _, is_tls, _ in _entries(settings, "proxy_listen", _DEFAULT_PROXY_LISTEN)):
        return ()
    suite, ciphers = settings.get("ssl_cipher_suite"), settings.get("ssl_ciphers")
    name = suite.value.lower() if suite else "intermediate"
    if ciphers is not None and name != "custom" and ciphers.value.upper() != "NONE":
        warn(f"line {ciphers.line}: ssl_ciphers is ignored: Kong reads it only with ssl_cipher_suite custom")
    if suite is not None and name in _SUITE_CIPHERS:
        note = f"ssl_cipher_suite {name}: Kong's {name} cipher list, on every ssl proxy listener"
        evidence = Evidence(path=suite.shown or shown, line=suite.line, pointer=suite.pointer, note=note,
                            excerpt=f"ssl_cipher_suite = {name}")
        return _one_cipher(cipher_setting([_SUITE_CIPHERS[name]], evidence, warn=warn))
    if name == "custom" and ciphers is not None and ciphers.value.upper() != "NONE":
        evidence = Evidence(path=ciphers.shown or shown, line=ciphers.line, pointer=ciphers.pointer,
                            note="ssl_ciphers (ssl_cipher_suite custom) of every proxy listener with ssl",
                            excerpt=f"ssl_ciphers = {ciphers.value}")
        return _one_cipher(cipher_setting([ciphers.value], evidence, warn=warn))
    return ()


def _one_cipher(setting: CipherSetting | None) -> tuple[CipherSetting, ...]:
    return (setting,) if setting is not None else ()


def _one(setting: TlsSetting | None) -> tuple[TlsSetting, ...]:
    return (setting,) if setting is not None else ()


def proxy_listeners(settings: Mapping[str, Setting], shown: str) -> tuple[ClientTransport, ...]:
    """Each `proxy_listen` entry, plain HTTP or TLS (`ssl`), at its line (the default's when left out)."""
    found = []
    for index, is_tls, line in _entries(settings, "proxy_listen", _DEFAULT_PROXY_LISTEN):
        where = f"proxy_listen entry {index}" if "proxy_listen" in settings else \
            f"Kong's default proxy_listen, entry {index}"
        served = "TLS (ssl)" if is_tls else "plain HTTP (no ssl)"
        evidence = Evidence(path=_path(settings, "proxy_listen", shown), line=line,
                            pointer=_pointer(settings, "proxy_listen"),
                            note=f"{where}: {served}")
        found.append(ClientTransport(is_plain=not is_tls, evidence=evidence))
    return tuple(found)


def admin_exposures(settings: Mapping[str, Setting], shown: str,
                    unknown: frozenset[str] = frozenset()) -> tuple[AdminExposure, ...]:
    """The Admin API (`admin_listen`) and Kong Manager (`admin_gui_listen`) entries on network addresses.

    `admin_listen` defaults to loopback; Kong Manager's default `0.0.0.0:8002` serves only the GUI's
    pages (which call the Admin API from the browser), so both are judged only as written. A listener
    whose value is `unknown` (taken by reference) is not judged; with `enforce_rbac` unknown, an Admin
    API on the network is reachable, but whether it asks who calls is not said."""
    rbac = settings.get("enforce_rbac")
    has_rbac = rbac is not None and rbac.value.lower() in _RBAC_ON
    rbac_unknown = "enforce_rbac" in unknown
    found = []
    for key, what in (("admin_listen", "Kong's Admin API"), ("admin_gui_listen", "Kong Manager")):
        if key in unknown:
            continue
        for index, is_tls, line in _entries(settings, key, ""):
            if is_loopback(_hosts(settings[key].value)[index - 1]):
                continue
            guard = ("; enforce_rbac is taken by reference: whether it asks who calls is unknown" if rbac_unknown
                     else "; enforce_rbac asks who calls" if has_rbac else "; it authenticates no caller") \
                if key == "admin_listen" else ""
            is_open = key == "admin_listen" and not is_tls and not has_rbac and not rbac_unknown
            kind = AdminExposureKind.UNAUTHENTICATED if is_open else AdminExposureKind.NETWORK
            with_ssl = "with ssl" if is_tls else "without ssl"
            note = (f"{key} entry {index} listens on a network address {with_ssl}: {what} is reachable from "
                    f"the network{guard}")
            found.append(AdminExposure(gateway="kong", kind=kind, evidence=Evidence(
                path=settings[key].shown or shown, line=line, pointer=settings[key].pointer, note=note)))
    return tuple(found)


def _entries(
    settings: Mapping[str, Setting], key: str, default: str
) -> Iterator[tuple[int, bool, int | None]]:
    """(1-based index, has `ssl`, line or None for the default) of each entry of a `*_listen` setting."""
    setting = settings.get(key)
    value, line = (setting.value, setting.line) if setting else (default, None)
    if value.strip().lower() in ("off", ""):
        return
    for index, entry in enumerate(value.split(",")[:_MAX_ENTRIES], start=1):
        words = entry.split()
        if words:
            yield index, "ssl" in (word.lower() for word in words[1:]), line


def _pointer(settings: Mapping[str, Setting], key: str) -> str | None:
    setting = settings.get(key)
    return setting.pointer if setting else None


def _path(settings: Mapping[str, Setting], key: str, shown: str) -> str:
    setting = settings.get(key)
    return (setting.shown if setting else None) or shown


def _hosts(value: str) -> list[str]:
    entries = [entry.split() for entry in value.split(",")[:_MAX_ENTRIES]]
    return [split_host(words[0]) if words else "" for words in entries]


def clear_secrets(settings: Mapping[str, Setting], shown: str) -> tuple[Evidence, ...]:
    """Every credential written in clear, by place (file, line, setting), in line order."""
    found = []
    for key, setting in sorted(settings.items(), key=lambda item: item[1].line or 0):
        what = _secret_kind(key, setting.value)
        if what is not None:
            found.append(Evidence(path=setting.shown or shown, line=setting.line,
                                  pointer=setting.pointer or f"/{key}",
                                  note=f"{what} written in clear ({_REFERENCE_NOTE})"))
    return tuple(found)


def _secret_kind(key: str, value: str) -> str | None:
    """What credential the setting holds as a literal, or None (empty, NONE, a reference, a path)."""
    value = value.strip()
    if not value or value.upper() == "NONE" or is_reference(value):
        return None
    if key.endswith(_SECRET_SUFFIXES):
        return key
    if key.endswith(_KEY_SUFFIX) and any(_is_inline_key(item) for item in value.split(",")):
        return f"{key} (a private key written inline)"
    if key == "admin_gui_session_conf" and _has_literal_secret(value):
        return "admin_gui_session_conf secret"
    what = url_credential(value)
    return f"{key}: {what}" if what else None


def _is_inline_key(item: str) -> bool:
    """Kong takes a key as a path, its PEM content or that content base64-encoded: the last two are
    the key itself."""
    item = item.strip()
    return "-----BEGIN" in item or (not item.startswith(("/", ".")) and bool(_BASE64.match(item)))


def _has_literal_secret(value: str) -> bool:
    """`admin_gui_session_conf` is JSON; its `secret` signs the sessions of Kong Manager."""
    try:
        conf = json.loads(value)
    except ValueError:
        return False
    secret = conf.get("secret") if isinstance(conf, dict) else None
    return isinstance(secret, str) and bool(secret.strip()) and not is_reference(secret)
