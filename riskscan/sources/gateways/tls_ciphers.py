"""Cipher suites as gateway configs write them, and which of them are weak (`tls_ciphers.yaml`).

Three spellings reach riskscan:
- OpenSSL cipher-list strings (nginx and ingress-nginx `ssl_ciphers`, APISIX `ssl_ciphers`, Kong
  `ssl_ciphers`): entries separated by colons (commas and spaces are accepted too), each a suite name
  (`ECDHE-RSA-AES128-GCM-SHA256`, `RC4-SHA`), a keyword (`HIGH`, `aNULL`, `DEFAULT`) or keywords joined
  by `+` (suites matching all of them), with operators: `!` removes for good, `-` removes until a later
  entry adds back, `+` only reorders, `@STRENGTH` and `@SECLEVEL=n` sort or filter;
- BoringSSL names with Envoy's equal-preference groups `[A|B]` (Envoy `cipher_suites`);
- IANA names (`TLS_RSA_WITH_3DES_EDE_CBC_SHA`), as Go and so Traefik `cipherSuites` write them.

The list is read in order, as OpenSSL reads it, over a table of suites (`tls_cipher_suites`): each
entry selects suites (a keyword by their attributes, `A+B` those both parts select, a name that suite),
`!`/`-` remove the suites they select, and what is reported is the weakness of what remains selected,
each weak class named by the first entry that brought in a suite of it. The reading is conservative
both ways: a removal counts only for suites its keyword selects on every build; and a suite that only
some builds select (an umbrella keyword whose members changed between releases, an algorithm some
builds lack and the entry does not ask for by name) is reported as depending on the build, never as a
broken suite the file cannot show. A maximum TLS version below 1.2 is weak on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple, TypeAlias

import yaml

from riskscan.model import CipherSetting, CipherWeakness, Evidence, WeakCipher
from riskscan.sources.gateways.tls_cipher_suites import ATTRIBUTES, Keyword, Match, Suite, parse_suite
from riskscan.sources.gateways.tls_versions import is_legacy_protocol

__all__ = ["cipher_setting", "split_cipher_string"]

_DATA_FILE = "tls_ciphers.yaml"
_SEPARATORS = re.compile(r"[:,\s|\[\]]+")  # OpenSSL's `:` `,` and spaces; Envoy's `[A|B]` groups
_MAX_ENTRIES = 256  # a hostile string of thousands of entries: the first ones are judged, the rest named
_MAX_NAME = 64
_MAX_WEAK = 32
_LEGACY_MAXIMUM = "the highest TLS version accepted is below TLS 1.2: every connection uses deprecated TLS"


class _Class(NamedTuple):
    weakness: CipherWeakness
    reason: str


class _Availability(NamedTuple):
    """An attribute some builds lack: what the report says, and the keywords that ask for it by name."""

    note: str
    asked_by: frozenset[str]


class _Catalogue(NamedTuple):
    classes: dict[str, _Class]
    keywords: dict[str, Keyword]
    availability: dict[str, _Availability]
    suites: tuple[Suite, ...]


# an entry part: a keyword's name or a suite's as written, and what it means
_Part: TypeAlias = "tuple[str, Keyword | Suite]"


@dataclass
class _State:
    """The suites selected while reading a list: attributes -> (entry as written, how surely, build note,
    the entry's position)."""

    present: dict[frozenset[str], tuple[str, Match, str | None, int]] = field(default_factory=dict)
    banned: set[frozenset[str]] = field(default_factory=set)
    named: dict[frozenset[str], Suite] = field(default_factory=dict)
    unknown: int = 0
    recognised: int = 0


def parse_catalogue(text: str) -> _Catalogue:
    """The classes, suites and keywords of a `tls_ciphers.yaml` text; ValueError names what is wrong."""
    raw: Any = yaml.safe_load(text)
    if not isinstance(raw, dict) \
            or not all(isinstance(raw.get(key), dict) for key in ("classes", "keywords")):
        raise ValueError(f"{_DATA_FILE}: mappings 'classes' and 'keywords' are required")
    if not all(isinstance(key, str) for key in (*raw["classes"], *raw["keywords"])):
        raise ValueError(f"{_DATA_FILE}: every class and keyword is a string (quote null, true, false)")
    classes = {str(name): _Class(CipherWeakness(entry["weakness"]), str(entry["reason"]))
               for name, entry in raw["classes"].items()}
    keywords = {str(name): _keyword(str(name), entry) for name, entry in raw["keywords"].items()}
    availability = {str(name): _Availability(str(entry["note"]),
                                              frozenset(str(item) for item in entry["asked_by"]))
                    for name, entry in (raw.get("availability") or {}).items()}
    names = [str(name) for group in (raw.get("suites") or {}).values() for name in group or ()]
    suites = tuple(suite for suite in map(parse_suite, names) if suite is not None)
    if len(suites) != len(names):
        raise ValueError(f"{_DATA_FILE}: some suite names do not read as suites")
    unknown = {cls for suite in suites for cls in suite.classes} - set(classes)
    if unknown:
        raise ValueError(f"{_DATA_FILE}: suites fall in classes {sorted(unknown)} the file does not define")
    return _Catalogue(classes, keywords, availability, suites)


def _keyword(name: str, entry: Any) -> Keyword:
    """One keyword's predicate; ValueError when it names an attribute no suite can have."""
    sets = {key: frozenset(str(item) for item in (entry or {}).get(key) or ())
            for key in ("every", "any", "none", "builds", "never")}
    unknown = frozenset().union(*sets.values()) - ATTRIBUTES
    if unknown:
        raise ValueError(f"{_DATA_FILE}: keyword {name} names unknown attributes {sorted(unknown)}")
    return Keyword(**sets, build_note=(entry or {}).get("build_note"))


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
    weak = _weak_entries(state)
    if top is not None and is_legacy_protocol(top):
        weak.append(WeakCipher(name=top, weakness=CipherWeakness.LEGACY_ONLY, reason=_LEGACY_MAXIMUM))
    forward_secrecy = any(_known(state, key).forward_secrecy for key in state.present)
    return CipherSetting(entries=len(names), weak=tuple(weak[:_MAX_WEAK]), maximum=top, evidence=evidence,
                         has_forward_secrecy=forward_secrecy if state.recognised else None)


def _weak_entries(state: _State) -> list[WeakCipher]:
    """One entry per weak class of the suites that remain selected: certain when a suite of the class is
    selected on every build, else depending on the build; named by the first entry bringing it in."""
    found: dict[str, tuple[int, str, bool, str | None]] = {}
    for key, (name, match, note, position) in state.present.items():
        for cls in _known(state, key).classes:
            held = found.get(cls)
            definite = match is Match.EVERY_BUILD
            if held is None or (definite, -position) > (held[2], -held[0]):
                found[cls] = (position, name, definite, note)
    order = list(_catalogue().classes)
    return [_weak(name, cls, definite, note) for cls, (_, name, definite, note)
            in sorted(found.items(), key=lambda item: (item[1][0], order.index(item[0])))]


def _known(state: _State, key: frozenset[str]) -> Suite:
    """The suite with these attributes: from the table or named in the list."""
    return state.named.get(key) or _table()[key]


def _keyword_named(name: str) -> str | None:
    """The keyword spelt `name`, or spelt so but for case when no other keyword is."""
    return name if name in _catalogue().keywords else _by_case().get(name.upper())


@lru_cache(maxsize=1)
def _by_case() -> dict[str, str]:
    spellings: dict[str, list[str]] = {}
    for name in _catalogue().keywords:
        spellings.setdefault(name.upper(), []).append(name)
    return {upper: names[0] for upper, names in spellings.items() if len(names) == 1}


@lru_cache(maxsize=1)
def _table() -> dict[frozenset[str], Suite]:
    return {suite.attributes: suite for suite in _catalogue().suites}


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
    parts = _parts(body)
    if parts is None:
        state.unknown += 1
        return
    state.recognised += 1
    if operator == "+":
        return  # moved to the end of the list: same suites, lower preference
    for _, meaning in parts:
        if isinstance(meaning, Suite):
            state.named.setdefault(meaning.attributes, meaning)
    if operator:
        _remove(parts, state, ban=operator == "!")
        return
    for suite in [*_table().values(), *state.named.values()]:
        if suite.attributes in state.banned:
            continue
        match, note = _select(parts, suite)
        held = state.present.get(suite.attributes)
        if match is not Match.NONE and (held is None or match > held[1]):
            state.present[suite.attributes] = (body, match, note, state.recognised)


def _remove(parts: list[_Part], state: _State, *, ban: bool) -> None:
    """`-X` removes the selected suites X selects on every build; `!X` also keeps them out for good."""
    for suite in [*_table().values(), *state.named.values()]:
        if _select(parts, suite, judge_availability=False)[0] is Match.EVERY_BUILD:
            state.present.pop(suite.attributes, None)
            if ban:
                state.banned.add(suite.attributes)


def _select(parts: list[_Part], suite: Suite, *, judge_availability: bool = True) -> tuple[Match, str | None]:
    """Whether an entry of these parts selects `suite` (every part must), on which builds and why."""
    match, note = Match.EVERY_BUILD, None
    for _, meaning in parts:
        got = meaning.match(suite) if isinstance(meaning, Keyword) else \
            Match.EVERY_BUILD if meaning.attributes == suite.attributes else Match.NONE
        if got < match:
            match, note = got, meaning.build_note if isinstance(meaning, Keyword) else None
    if match is Match.EVERY_BUILD and judge_availability:
        asked = {written for written, meaning in parts if isinstance(meaning, Keyword)}
        is_named = any(isinstance(meaning, Suite) for _, meaning in parts)
        for attribute, available in _catalogue().availability.items():
            if attribute in suite.attributes and not is_named and not asked & available.asked_by:
                return Match.SOME_BUILDS, available.note
    return match, note


def _parts(body: str) -> list[_Part] | None:
    """The parts of an entry joined by `+`, each a keyword or a suite name; None if any is neither."""
    parts: list[_Part] = []
    for part in (part for part in body.split("+") if part):
        name = _keyword_named(part)
        meaning = _catalogue().keywords[name] if name else parse_suite(part)
        if meaning is None:
            return None
        parts.append((name or part.upper(), meaning))
    return parts or None
