"""Cipher suites as sets of attributes, and OpenSSL cipher-list keywords as selections of them.

OpenSSL's ciphers(1) defines every keyword by the suites it selects and `A+B` as the suites having both
properties. So riskscan reads a cipher string over a table of suites (`tls_ciphers.yaml` `suites`), each
described by attributes named as the manual names them (`kRSA`, `aNULL`, `AESGCM`, `SHA1` ...): a
keyword is a predicate on those attributes, a combination the intersection of its parts, and a suite's
weak classes follow from its attributes alone. A suite whose algorithm some builds lack (RC4, 3DES,
single DES, EXPORT, static DH) counts as present only on some builds, unless the entry asks for it by
name (`RC4`, `kRSA+RC4`, `DES-CBC3-SHA`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import IntEnum
from typing import NamedTuple

__all__ = ["Keyword", "Match", "Suite", "parse_suite", "weak_classes"]

_IANA = re.compile(r"^(?:TLS|SSL)_(?P<kx>[A-Z0-9_]+?)_WITH_(?P<rest>[A-Z0-9_]+)$")
_TLS13 = re.compile(r"^TLS_(?:AES_128_GCM|AES_256_GCM|CHACHA20_POLY1305|AES_128_CCM(?:_8)?)_SHA(?:256|384)$")
_OPENSSL_WORDS = frozenset({
    "ECDHE", "DHE", "EDH", "ECDH", "DH", "ADH", "AECDH", "EXP", "EXP1024", "PSK", "RSA", "SRP", "DSS",
    "ECDSA", "AES", "AES128", "AES256", "GCM", "CCM", "CCM8", "CHACHA20", "POLY1305", "SHA", "SHA256",
    "SHA384", "MD5", "RC4", "DES", "CBC3", "CBC", "NULL", "CAMELLIA128", "CAMELLIA256", "SEED", "IDEA",
    "ARIA128", "ARIA256", "3DES", "EDE", "RC2", "CBC5", "40", "56", "64", "128", "256", "KRB5",
})
# OpenSSL name prefix -> key exchange and authentication (the longest prefix wins)
_OPENSSL_KX = {
    ("ECDHE", "ECDSA"): ("kECDHE", "aECDSA"), ("ECDHE", "RSA"): ("kECDHE", "aRSA"),
    ("ECDHE", "PSK"): ("kECDHEPSK", "aPSK"), ("DHE", "RSA"): ("kDHE", "aRSA"),
    ("EDH", "RSA"): ("kDHE", "aRSA"),
    ("DHE", "DSS"): ("kDHE", "aDSS"), ("EDH", "DSS"): ("kDHE", "aDSS"), ("DHE", "PSK"): ("kDHEPSK", "aPSK"),
    ("DH", "RSA"): ("kDHr", "aDH"), ("DH", "DSS"): ("kDHd", "aDH"), ("ECDH", "RSA"): ("kECDHr", "aECDH"),
    ("ECDH", "ECDSA"): ("kECDHe", "aECDH"), ("RSA", "PSK"): ("kRSAPSK", "aRSA"),
    ("SRP", "RSA"): ("kSRP", "aRSA"), ("SRP", "DSS"): ("kSRP", "aDSS"),
    ("ADH",): ("kDHE", "aNULL"), ("AECDH",): ("kECDHE", "aNULL"), ("ECDHE",): ("kECDHE", "aRSA"),
    ("PSK",): ("kPSK", "aPSK"), ("SRP",): ("kSRP", "aSRP"), ("KRB5",): ("kKRB5", "aKRB5"),
}
# IANA key exchange -> the same attributes
_IANA_KX = {
    "RSA": ("kRSA", "aRSA"), "DHE_RSA": ("kDHE", "aRSA"), "DHE_DSS": ("kDHE", "aDSS"),
    "ECDHE_RSA": ("kECDHE", "aRSA"), "ECDHE_ECDSA": ("kECDHE", "aECDSA"), "DH_ANON": ("kDHE", "aNULL"),
    "ECDH_ANON": ("kECDHE", "aNULL"), "DH_RSA": ("kDHr", "aDH"), "DH_DSS": ("kDHd", "aDH"),
    "ECDH_RSA": ("kECDHr", "aECDH"), "ECDH_ECDSA": ("kECDHe", "aECDH"), "PSK": ("kPSK", "aPSK"),
    "DHE_PSK": ("kDHEPSK", "aPSK"), "ECDHE_PSK": ("kECDHEPSK", "aPSK"), "RSA_PSK": ("kRSAPSK", "aRSA"),
    "SRP_SHA": ("kSRP", "aSRP"), "SRP_SHA_RSA": ("kSRP", "aRSA"), "SRP_SHA_DSS": ("kSRP", "aDSS"),
}
_EPHEMERAL = frozenset({"kDHE", "kECDHE", "kDHEPSK", "kECDHEPSK"})
_FIXED_DH = frozenset({"kDHr", "kDHd", "kECDHr", "kECDHe"})
_AEAD = frozenset({"AESGCM", "AESCCM", "AESCCM8", "ARIAGCM", "CHACHA20"})
# weak class -> the attributes that put a suite in it (cbc_sha1 is judged apart: SHA1 with a block cipher)
_CLASS_ATTRIBUTES = {
    "rc4": "RC4", "3des": "3DES", "des": "DES", "null": "eNULL", "export": "EXP", "anon": "aNULL",
    "md5": "MD5", "static_rsa": "kRSA", "static_dh": "fixed_dh",
}
ATTRIBUTES = frozenset({
    "suite", "kRSA", "kDHE", "kECDHE", "kDHr", "kDHd", "kECDHr", "kECDHe", "kPSK", "kDHEPSK", "kECDHEPSK",
    "kRSAPSK", "kSRP", "kKRB5", "fixed_dh", "aRSA", "aDSS", "aECDSA", "aNULL", "aPSK", "aSRP", "aDH", "aECDH",
    "aKRB5", "AES128", "AES256", "AESGCM", "AESCCM", "AESCCM8", "CHACHA20", "CAMELLIA128", "CAMELLIA256",
    "ARIA128", "ARIA256", "ARIAGCM", "SEED", "IDEA", "3DES", "DES", "RC4", "RC2", "eNULL", "MD5", "SHA1",
    "SHA256", "SHA384", "AEAD", "EXP", "TLSv1.2", "TLSv1", "SSLv3",
})


class Match(IntEnum):
    """How surely an entry selects a suite: ordered, so that a combination is as sure as its weakest part."""

    NONE = 0
    SOME_BUILDS = 1
    EVERY_BUILD = 2


class Suite(NamedTuple):
    """One cipher suite: its attributes, the weak classes they give, whether its key exchange is ephemeral."""

    attributes: frozenset[str]
    classes: frozenset[str]
    forward_secrecy: bool


class Keyword(NamedTuple):
    """A cipher-list keyword: the suites having all of `every`, one of `any` and none of `none` on every
    build; those having one of `builds` (and none of `never`) on some builds only, as `build_note` says."""

    every: frozenset[str] = frozenset()
    any: frozenset[str] = frozenset()
    none: frozenset[str] = frozenset()
    builds: frozenset[str] = frozenset()
    never: frozenset[str] = frozenset()
    build_note: str | None = None

    def match(self, suite: Suite) -> Match:
        """Whether this keyword selects `suite`, and on which builds."""
        have = suite.attributes
        if self.every <= have and (not self.any or self.any & have) and not self.none & have:
            return Match.EVERY_BUILD
        if self.builds & have and not self.never & have:
            return Match.SOME_BUILDS
        return Match.NONE


def weak_classes(attributes: frozenset[str]) -> frozenset[str]:
    """The weak classes of a suite with these attributes (`tls_ciphers.yaml` `classes`)."""
    classes = {cls for cls, attribute in _CLASS_ATTRIBUTES.items() if attribute in attributes}
    if "SHA1" in attributes and not attributes & {"RC4", "eNULL"}:
        classes.add("cbc_sha1")
    return frozenset(classes)


def _suite(attributes: Iterable[str]) -> Suite:
    have = frozenset(attributes) | {"suite"}
    if have & _FIXED_DH:
        have |= {"fixed_dh"}
    psk = have & {"kPSK", "kDHEPSK", "kECDHEPSK", "kRSAPSK"}
    if "AEAD" in have or (have & {"SHA256", "SHA384"} and not psk):
        have |= {"TLSv1.2"}  # the lowest protocol version each suite has, as `openssl ciphers -v` shows it
    elif have & {"kECDHE", "kECDHEPSK"} or (psk and have & {"SHA256", "SHA384"}):
        have |= {"TLSv1"}
    else:
        have |= {"SSLv3"}
    return Suite(have, weak_classes(have), bool(have & _EPHEMERAL) and "aNULL" not in have)


def parse_suite(name: str) -> Suite | None:
    """A suite named outright, in IANA (`TLS_..._WITH_...`) or OpenSSL (`ECDHE-RSA-...`) spelling; None
    for a name neither spelling gives, and for TLS 1.3 suites (which no cipher-list keyword selects)."""
    upper = name.upper()
    if _TLS13.match(upper):
        return Suite(frozenset({"TLSv1.3", upper}), frozenset(), True)
    match = _IANA.match(upper)
    if match:
        kx = _IANA_KX.get(match.group("kx").replace("_EXPORT1024", "").replace("_EXPORT", ""))
        if kx is None:
            return None
        export = "EXPORT" in match.group("kx") or "EXPORT" in match.group("rest")
        return _suite([*kx, *_bulk(match.group("rest").split("_")), *(["EXP"] if export else [])])
    words = upper.split("-")
    if len(words) < 2 or not set(words) <= _OPENSSL_WORDS:
        return None
    export = words[0] in ("EXP", "EXP1024")
    words = words[1:] if export else words
    for size in (2, 1):
        if tuple(words[:size]) in _OPENSSL_KX:
            kx, words = _OPENSSL_KX[tuple(words[:size])], words[size:]
            break
    else:
        kx = ("kRSA", "aRSA")  # no key exchange named: RSA (AES128-SHA, DES-CBC3-SHA, RC4-MD5)
    return _suite([*kx, *_bulk(words), *(["EXP"] if export else [])])


def _bulk(words: list[str]) -> set[str]:
    """Cipher and MAC attributes of a suite name's words, in either spelling."""
    found, text = set(words), "-".join(words)
    have: set[str] = set()
    for family in ("AES", "CAMELLIA", "ARIA"):
        for size in ("128", "256"):
            if f"{family}{size}" in found or (family in found and size in found):
                have.add(f"{family}{size}")
    if "GCM" in found:
        have.add("ARIAGCM" if have & {"ARIA128", "ARIA256"} else "AESGCM")
    if "CCM8" in found or {"CCM", "8"} <= found:
        have.add("AESCCM8")
    elif "CCM" in found:
        have.add("AESCCM")
    simple = {"CHACHA20": "CHACHA20", "SEED": "SEED", "IDEA": "IDEA", "RC4": "RC4", "RC2": "RC2",
              "NULL": "eNULL"}
    have |= {attribute for word, attribute in simple.items() if word in found}
    if found & {"3DES", "CBC3", "EDE"}:
        have.add("3DES")
    elif found & {"DES", "DES40"}:
        have.add("DES")
    if "CAMELLIA" in text and not have & {"CAMELLIA128", "CAMELLIA256"}:
        have.add("CAMELLIA128")
    last = words[-1] if words else ""
    if have & _AEAD or last in ("CCM", "CCM8", "8", "POLY1305"):
        have.add("AEAD")
    else:
        have.add({"SHA": "SHA1", "SHA256": "SHA256", "SHA384": "SHA384", "MD5": "MD5"}.get(last, "SHA1"))
    return have
