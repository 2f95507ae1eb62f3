"""Cipher strings as each gateway writes them, classified as a user reading the report expects: broken
families named by the entry that brings them in, removals honoured only where they cover the family,
build-dependent keywords said so, and hostile strings cut rather than trusted."""

from __future__ import annotations

import pytest

from riskscan.model import CipherSetting, CipherWeakness, Evidence
from riskscan.sources.gateways.tls_ciphers import cipher_setting, parse_catalogue, split_cipher_string

SHOWN = Evidence(path="edge.conf", line=12)


def weak(text: str, maximum: str | None = None) -> set[tuple[str, CipherWeakness]]:
    setting = read(text, maximum)
    return {(item.name, item.weakness) for item in setting.weak}


def read(text: str, maximum: str | None = None) -> CipherSetting:
    setting = cipher_setting([text], SHOWN, maximum=maximum)
    assert setting is not None
    return setting


BROKEN, NO_FS, CBC = CipherWeakness.BROKEN, CipherWeakness.NO_FORWARD_SECRECY, CipherWeakness.CBC_SHA1
BUILD = CipherWeakness.BUILD_DEPENDENT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305", set()),
        ("EECDH+AESGCM:EDH+AESGCM", set()),
        ("RC4-SHA", {("RC4-SHA", BROKEN), ("RC4-SHA", NO_FS)}),
        ("DES-CBC3-SHA", {("DES-CBC3-SHA", BROKEN), ("DES-CBC3-SHA", NO_FS), ("DES-CBC3-SHA", CBC)}),
        ("NULL-SHA256", {("NULL-SHA256", BROKEN), ("NULL-SHA256", NO_FS)}),
        ("ADH-AES128-GCM-SHA256", {("ADH-AES128-GCM-SHA256", BROKEN)}),
        ("EXP-RC4-MD5", {("EXP-RC4-MD5", BROKEN), ("EXP-RC4-MD5", NO_FS)}),
        ("AES128-GCM-SHA256", {("AES128-GCM-SHA256", NO_FS)}),
        ("HIGH:!aNULL:!MD5", {("HIGH", NO_FS), ("HIGH", CBC), ("HIGH", BUILD)}),
        # OpenSSL 1.0.2's HIGH still holds static ECDH suites (ECDH-RSA-AES128-GCM-SHA256) no removal covers
        ("HIGH:!aNULL:!MD5:!3DES:!kRSA:!SHA1", {("HIGH", BUILD)}),
        ("HIGH:!aNULL:!MD5:!3DES:!kRSA:!SHA1:!kECDH:!kDH", set()),
        ("HIGH:!ADH", {("HIGH", BROKEN), ("HIGH", NO_FS), ("HIGH", CBC), ("HIGH", BUILD)}),  # AECDH stays
        ("RC4-SHA:!RC4-SHA", set()),
        # `-` removes until a later entry adds back; RC4 brings RC4-SHA (static RSA), ADH-RC4-MD5 and, on
        # OpenSSL 1.0.2, EXP-RC4-MD5 and ECDH-RSA-RC4-SHA
        ("-RC4:RC4", {("RC4", BROKEN), ("RC4", NO_FS), ("RC4", BUILD)}),
        ("!RC4:RC4", set()),  # `!` removes for good
        ("+RC4:ECDHE+AESGCM", set()),  # `+RC4` only reorders what is already there
        ("ECDHE+AESGCM:@STRENGTH:@SECLEVEL=2", set()),
    ],
)
def test_openssl_strings_name_each_weak_family_by_the_entry_that_brings_it(
    text: str, expected: set[tuple[str, CipherWeakness]]
) -> None:
    assert weak(text) == expected


def test_all_names_its_certain_weaknesses_and_says_which_depend_on_the_build() -> None:
    setting = read("ALL")
    reasons = {item.reason for item in setting.weak if item.weakness is BUILD}
    assert any(reason.startswith("RC4 stream cipher") and "OpenSSL 1.1.0" in reason for reason in reasons)
    assert any(reason.startswith("3DES with 64-bit blocks") and "OpenSSL 3" in reason for reason in reasons)
    assert {item.reason.split(",")[0] for item in setting.weak if item.weakness is BROKEN} == {
        "anonymous key exchange"}


@pytest.mark.parametrize(
    ("names", "expected", "forward_secrecy"),
    [
        (["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"], set(), True),
        (["TLS_RSA_WITH_3DES_EDE_CBC_SHA"], {("TLS_RSA_WITH_3DES_EDE_CBC_SHA", BROKEN),
                                             ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", NO_FS),
                                             ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", CBC)}, False),
        (["TLS_ECDHE_RSA_WITH_RC4_128_SHA"], {("TLS_ECDHE_RSA_WITH_RC4_128_SHA", BROKEN)}, True),
        (["TLS_DH_anon_WITH_AES_128_CBC_SHA"], {("TLS_DH_anon_WITH_AES_128_CBC_SHA", BROKEN),
                                                ("TLS_DH_anon_WITH_AES_128_CBC_SHA", CBC)}, False),
        (["TLS_AES_128_GCM_SHA256"], set(), True),
        (["[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]", "AES128-SHA"],
         {("AES128-SHA", NO_FS), ("AES128-SHA", CBC)}, True),
    ],
)
def test_suite_lists_in_go_iana_and_envoy_spellings(
    names: list[str], expected: set[tuple[str, CipherWeakness]], forward_secrecy: bool
) -> None:
    setting = cipher_setting(names, SHOWN)
    assert setting is not None
    assert {(item.name, item.weakness) for item in setting.weak} == expected
    assert setting.has_forward_secrecy is forward_secrecy


@pytest.mark.parametrize(("maximum", "is_legacy"), [("VersionTLS11", True), ("TLSv1_0", True),
                                                    ("VersionTLS13", False), ("TLS_AUTO", False)])
def test_a_maximum_below_tls_12_is_weak_on_its_own(maximum: str, is_legacy: bool) -> None:
    setting = cipher_setting([], SHOWN, maximum=maximum)
    assert setting is not None and setting.entries == 0 and setting.has_forward_secrecy is None
    assert [item.weakness for item in setting.weak] == ([CipherWeakness.LEGACY_ONLY] if is_legacy else [])


def test_separators_are_colons_commas_and_spaces_and_a_semicolon_is_not() -> None:
    assert split_cipher_string("A:B , C  D::E") == ["A", "B", "C", "D", "E"]
    warnings: list[str] = []
    setting = cipher_setting(["ECDHE+AESGCM;RC4-SHA"], SHOWN, warn=warnings.append)
    assert setting is not None and setting.weak == ()  # OpenSSL matches no suite by that entry
    assert warnings == ["edge.conf:12: 1 cipher entries riskscan does not recognise are not judged"]


def test_a_50_kb_cipher_string_is_cut_and_said_so() -> None:
    text = ":".join(["ECDHE-RSA-AES128-GCM-SHA256"] * 1800 + ["RC4-SHA"])
    assert len(text) > 50_000
    warnings: list[str] = []
    setting = cipher_setting([text], SHOWN, warn=warnings.append)
    assert setting is not None and setting.entries == 1801 and setting.weak == ()
    assert warnings == ["edge.conf:12: 1801 cipher entries; the first 256 are judged"]


def test_an_overlong_entry_or_a_secret_pasted_as_a_suite_is_never_kept() -> None:
    warnings: list[str] = []
    setting = cipher_setting(["AKIAIOSFODNN7EXAMPLE:" + "X" * 5000 + "-SHA"], SHOWN, warn=warnings.append)
    assert setting is not None and setting.weak == () and setting.has_forward_secrecy is None
    assert "AKIA" not in " ".join(warnings) and warnings[0].endswith("not judged")


def test_nothing_written_is_no_setting() -> None:
    assert cipher_setting([None, 42, ""], SHOWN) is None


def test_the_catalogue_refuses_an_unknown_class_or_an_unquoted_null() -> None:
    with pytest.raises(ValueError, match="keyword X names unknown attributes"):
        parse_catalogue("classes: {rc4: {weakness: broken, reason: r}}\nkeywords: {X: {any: [RC5]}}\n")
    with pytest.raises(ValueError, match="classes"):
        parse_catalogue("classes: {rc4: {weakness: broken, reason: r}}\nkeywords: {}\n"
                        "suites: {current: [DES-CBC3-SHA]}\n")
    with pytest.raises(ValueError, match="quote null"):
        parse_catalogue("classes: {null: {weakness: broken, reason: r}}\nkeywords: {}\n")
