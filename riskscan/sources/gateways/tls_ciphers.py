"""Cipher suites as gateway configs write them, and which of them are weak (`tls_ciphers.yaml`).

Three spellings reach riskscan:
- OpenSSL cipher-list strings (nginx and ingress-nginx `ssl_ciphers`, APISIX `ssl_ciphers`, Kong
  `ssl_ciphers`): entries separated by colons (commas and spaces are accepted too), each a suite name
  (`ECDHE-RSA-AES128-GCM-SHA256`, `RC4-SHA`), a keyword (`HIGH`, `aNULL`, `DEFAULT`) or keywords joined
  by `+` (suites matching all of them), with operators: `!` removes for good, `-` removes until a later
  entry adds back, `+` only reorders, `@STRENGTH` and `@SECLEVEL=n` sort or filter;
- BoringSSL names with Envoy's equal-preference groups `[A|B]` (Envoy `cipher_suites`);
- IANA names (`TLS_RSA_WITH_3DES_EDE_CBC_SHA`), as Go and so Traefik `cipherSuites` write them.

The list is read in order, as OpenSSL does, but by families rather than suite by suite: a weakness
(RC4, 3DES, static RSA ...) is in force when some entry brings it in and no later `!`/`-` entry removes
all of it. The reading is conservative both ways: a removal counts only when its keyword covers the
whole family (`!aNULL` does, `!ADH` does not: AECDH stays); and what an umbrella keyword (`ALL`,
`DEFAULT`, `HIGH`, `MEDIUM`) brings in only on some OpenSSL builds is reported as depending on the build,
never as a broken suite the file cannot show. A maximum TLS version below 1.2 is weak on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

import yaml

from riskscan.model import CipherSetting, CipherWeakness, Evidence, WeakCipher
from riskscan.sources.gateways.tls_versions import is_legacy_protocol

__all__ = ["cipher_setting", "split_cipher_string"]

_DATA_FILE = "tls_ciphers.yaml"
_SEPARATORS = re.compile(r"[:,\s|\[\]]+")  # OpenSSL's `:` `,` and spaces; Envoy's `[A|B]` groups
_MAX_ENTRIES = 256  # a hostile string of thousands of entries: the first ones are judged, the rest named
_MAX_NAME = 64
_MAX_WEAK = 32
_IANA = re.compile(r"^(?:TLS|SSL)_(?P<kx>[A-Z0-9_]+?)_WITH_(?P<rest>[A-Z0-9_]+)$")
_TLS13 = re.compile(r"^TLS_(?:AES_128_GCM|AES_256_GCM|CHACHA20_POLY1305|AES_128_CCM(?:_8)?)_SHA(?:256|384)$")
_OPENSSL_WORDS = frozenset({
    "ECDHE", "DHE", "EDH", "ECDH", "DH", "ADH", "AECDH", "EXP", "EXP1024", "PSK", "RSA", "SRP", "DSS",
    "ECDSA", "AES", "AES128", "AES256", "GCM", "CCM", "CCM8", "CHACHA20", "POLY1305", "SHA", "SHA256",
    "SHA384", "MD5", "RC4", "DES", "CBC3", "CBC", "NULL", "CAMELLIA128", "CAMELLIA256", "SEED", "IDEA",
    "ARIA128", "ARIA256", "3DES", "EDE", "RC2", "CBC5", "40", "56", "64", "128", "256", "KRB5",
})
_LEGACY_MAXIMUM = "the highest TLS version accepted is below TLS 1.2: every connection uses deprecated TLS"


class _Class(NamedTuple):
    weakness: CipherWeakness
    reason: str


class _Rule(NamedTuple):
    """What one entry brings in (`includes` on every build, `builds` on some) and removes (`covers`)."""

    includes: frozenset[str] = frozenset()
    builds: frozenset[str] = frozenset()
    covers: frozenset[str] = frozenset()
    forward_secrecy: bool = False
    build_note: str | None = None
    is_suite: bool = False  # a suite name rather than a keyword: removing it undoes its own entry only


class _Catalogue(NamedTuple):
    classes: dict[str, _Class]
    keywords: dict[str, _Rule]


@dataclass
class _State:
    """The families in force while reading a list: class -> (entry as written, on every build, note)."""

    present: dict[str, tuple[str, bool, str | None]] = field(default_factory=dict)
    banned: set[str] = field(default_factory=set)
    forward_secrecy: bool = False
    unknown: int = 0
    recognised: int = 0


def parse_catalogue(text: str) -> _Catalogue:
    """The classes and keywords of a `tls_ciphers.yaml` text; ValueError names what is wrong."""
    raw: Any = yaml.safe_load(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("classes"), dict) \
            or not isinstance(raw.get("keywords"), dict):
        raise ValueError(f"{_DATA_FILE}: mappings 'classes' and 'keywords' are required")
    if not all(isinstance(key, str) for key in (*raw["classes"], *raw["keywords"])):
        raise ValueError(f"{_DATA_FILE}: every class and keyword is a string (quote null, true, false)")
    classes = {str(name): _Class(CipherWeakness(entry["weakness"]), str(entry["reason"]))
               for name, entry in raw["classes"].items()}
    keywords = {}
    for name, entry in raw["keywords"].items():
        includes, builds, covers = (frozenset(str(item) for item in entry.get(key) or ())
                                    for key in ("includes", "builds", "covers"))
        unknown = (includes | builds | covers) - set(classes)
        if unknown:
            raise ValueError(f"{_DATA_FILE}: keyword {name} names unknown classes {sorted(unknown)}")
        keywords[str(name).upper()] = _Rule(includes, builds, covers, bool(entry.get("forward_secrecy")),
                                            entry.get("build_note"))
    return _Catalogue(classes, keywords)


@lru_cache(maxsize=1)
def _catalogue() -> _Catalogue:
    return parse_catalogue(resources.files(__package__).joinpath(_DATA_FILE).read_text(encoding="utf-8"))


def split_cipher_string(text: str) -> list[str]:
    """The entries of an OpenSSL cipher string or an Envoy group, separators and brackets dropped."""
    return [entry for entry in _SEPARATORS.split(text) if entry]


def cipher_setting(
    entries: Iterable[object], evidence: Evidence, *, maximum: object = None,
    warn: Callable[[str], None] | None = None,
) -> CipherSetting | None:
    """The setting of a list of cipher entries (strings split further by `split_cipher_string`;
    non-strings ignored) and an optional maximum TLS version; None when it names neither."""
    names = [part for entry in entries if isinstance(entry, str) for part in split_cipher_string(entry)]
    top = maximum.strip()[:24] if isinstance(maximum, str) and maximum.strip() else None
    if not names and top is None:
        return None
    state = _State()
    for name in names[:_MAX_ENTRIES]:
        _read_entry(name[:_MAX_NAME], state)
    where = f"{evidence.path}:{evidence.line}" if evidence.line else \
        f"{evidence.path} {evidence.pointer or ''}".strip()
    if warn is not None and len(names) > _MAX_ENTRIES:
        warn(f"{where}: {len(names)} cipher entries; the first {_MAX_ENTRIES} are judged")
    if warn is not None and state.unknown:
        warn(f"{where}: {state.unknown} cipher entries riskscan does not recognise are not judged")
    weak = [_weak(name, cls, definite, note) for cls, (name, definite, note) in state.present.items()]
    if top is not None and is_legacy_protocol(top):
        weak.append(WeakCipher(name=top, weakness=CipherWeakness.LEGACY_ONLY, reason=_LEGACY_MAXIMUM))
    return CipherSetting(entries=len(names), weak=tuple(weak[:_MAX_WEAK]), maximum=top, evidence=evidence,
                         has_forward_secrecy=state.forward_secrecy if state.recognised else None)


def _weak(name: str, cls: str, definite: bool, note: str | None) -> WeakCipher:
    known = _catalogue().classes[cls]
    if definite:
        return WeakCipher(name=name, weakness=known.weakness, reason=known.reason)
    return WeakCipher(name=name, weakness=CipherWeakness.BUILD_DEPENDENT,
                      reason=f"{known.reason}, on some builds only: {note or 'depends on the OpenSSL build'}")


def _read_entry(entry: str, state: _State) -> None:
    """Apply one entry of the list to `state`, as OpenSSL reads it."""
    if entry.startswith("@"):
        return  # @STRENGTH sorts; @SECLEVEL filters by key size, which the file cannot show
    operator, body = (entry[0], entry[1:]) if entry[0] in "!-+" else ("", entry)
    rule = _rule(body)
    if rule is None:
        state.unknown += 1
        return
    state.recognised += 1
    if operator == "+":
        return  # moved to the end of the list: same suites, lower preference
    if operator in "!-" and operator:
        for cls, (source, _, _) in list(state.present.items()):
            if cls in rule.covers or (rule.is_suite and source == body):
                del state.present[cls]
        if operator == "!":
            state.banned |= rule.covers
        return
    for cls in _ordered(rule.includes - state.banned):
        if not state.present.get(cls, ("", False, None))[1]:
            state.present[cls] = (body, True, None)
    for cls in _ordered(rule.builds - rule.includes - state.banned):
        state.present.setdefault(cls, (body, False, rule.build_note))
    state.forward_secrecy |= rule.forward_secrecy


def _ordered(classes: frozenset[str]) -> list[str]:
    """`classes` in the catalogue's order, so that a report never depends on set iteration."""
    return [cls for cls in _catalogue().classes if cls in classes]


def _rule(body: str) -> _Rule | None:
    """The rule of an entry: a keyword, a suite name, or several joined by `+` (suites matching all)."""
    parts = [part for part in body.split("+") if part]
    rules = [_keyword(part) or _suite(part) for part in parts]
    if not rules or any(rule is None for rule in rules):
        return None
    known = [rule for rule in rules if rule is not None]
    if len(known) == 1:
        return known[0]
    includes = frozenset.intersection(*(rule.includes for rule in known))
    possible = frozenset.intersection(*(rule.includes | rule.builds for rule in known))
    return _Rule(includes=includes, builds=possible - includes,
                 covers=frozenset.intersection(*(rule.covers for rule in known)),
                 forward_secrecy=all(rule.forward_secrecy for rule in known),
                 build_note=next((rule.build_note for rule in known if rule.build_note), None))


def _keyword(name: str) -> _Rule | None:
    return _catalogue().keywords.get(name.upper())


def _suite(name: str) -> _Rule | None:
    """A suite named outright, in IANA (`TLS_..._WITH_...`) or OpenSSL (`ECDHE-RSA-...`) spelling."""
    upper = name.upper()
    if _TLS13.match(upper):
        return _Rule(forward_secrecy=True, is_suite=True)
    match = _IANA.match(upper)
    if match:
        return _iana(match.group("kx"), match.group("rest"))
    parts = upper.split("-")
    if len(parts) < 2 or not set(parts) <= _OPENSSL_WORDS:
        return None
    return _openssl(parts)


def _iana(kx: str, rest: str) -> _Rule:
    classes = set(_cipher_classes(rest.split("_")))
    if "ANON" in kx:
        classes.add("anon")
    if "EXPORT" in kx or "EXPORT" in rest:
        classes.add("export")
    if kx == "NULL":
        classes.add("null")
    ephemeral = kx.startswith(("ECDHE_", "DHE_")) or kx in ("ECDHE", "DHE")
    if kx.startswith("RSA") and "PSK" not in kx:
        classes.add("static_rsa")
    elif kx.startswith(("DH_", "ECDH_")) and "ANON" not in kx:
        classes.add("static_dh")
    if rest.endswith("_MD5"):
        classes.add("md5")
    if rest.endswith("_SHA") and "CBC" in rest:
        classes.add("cbc_sha1")
    return _Rule(includes=frozenset(classes), forward_secrecy=ephemeral and "ANON" not in kx, is_suite=True)


def _openssl(parts: list[str]) -> _Rule:
    classes = set(_cipher_classes(parts))
    if parts[0] in ("EXP", "EXP1024"):
        classes.add("export")
        parts = parts[1:] or ["NULL"]
    kx = parts[0]
    if kx in ("ADH", "AECDH"):
        classes.add("anon")
    elif kx in ("ECDH", "DH"):
        classes.add("static_dh")
    elif kx not in ("ECDHE", "DHE", "EDH", "PSK", "SRP", "RSA"):
        classes.add("static_rsa")  # no key exchange named: RSA (AES128-SHA, DES-CBC3-SHA, RC4-MD5)
    if parts[-1] == "MD5":
        classes.add("md5")
    if parts[-1] == "SHA" and not {"RC4", "NULL"} & set(parts):
        classes.add("cbc_sha1")
    return _Rule(includes=frozenset(classes), forward_secrecy=kx in ("ECDHE", "DHE", "EDH"), is_suite=True)


def _cipher_classes(words: list[str]) -> Iterable[str]:
    """The broken bulk ciphers among a suite name's words."""
    found = set(words)
    if "RC4" in found:
        yield "rc4"
    if found & {"3DES", "CBC3", "EDE"}:
        yield "3des"
    elif "DES" in found or "DES40" in found:
        yield "des"
    if "NULL" in found:
        yield "null"
