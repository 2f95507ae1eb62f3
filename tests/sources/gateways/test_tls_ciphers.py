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


def weak_classes(text: str) -> set[tuple[str, CipherWeakness, str]]:
    """(entry, weakness, the reason's first word: RC4, 3DES, static, anonymous ...) of each weak entry."""
    return {(item.name, item.weakness, item.reason.split(" ")[0]) for item in read(text).weak}


CLASSIC_ECDH = ("ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:ECDH+3DES:DH+3DES:"
                "RSA+AESGCM:RSA+AES:RSA+3DES:!aNULL:!MD5:!DSS")
MOZILLA_INTERMEDIATE_V4 = (
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:"
    "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA:"
    "DHE-RSA-AES256-SHA256:DHE-RSA-AES256-SHA:ECDHE-ECDSA-DES-CBC3-SHA:ECDHE-RSA-DES-CBC3-SHA:"
    "EDH-RSA-DES-CBC3-SHA:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:"
    "AES256-SHA:DES-CBC3-SHA:!DSS")
MOZILLA_OLD_V4 = (
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-DSS-AES128-GCM-SHA256:kEDH+AESGCM:ECDHE-RSA-AES128-SHA256:"
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:"
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA:ECDHE-ECDSA-AES256-SHA:DHE-RSA-AES128-SHA256:"
    "DHE-RSA-AES128-SHA:DHE-DSS-AES128-SHA256:DHE-RSA-AES256-SHA256:DHE-DSS-AES256-SHA:DHE-RSA-AES256-SHA:"
    "ECDHE-RSA-DES-CBC3-SHA:ECDHE-ECDSA-DES-CBC3-SHA:EDH-RSA-DES-CBC3-SHA:AES128-GCM-SHA256:"
    "AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:AES:DES-CBC3-SHA:HIGH:SEED:"
    "!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!RSAPSK:!aDH:!aECDH:!EDH-DSS-DES-CBC3-SHA:"
    "!KRB5-DES-CBC3-SHA:!SRP")
MOZILLA_INTERMEDIATE_V5 = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305")
STATIC, CBC_SHA1 = "static", "CBC"  # reason heads: static RSA or static (EC)DH; CBC mode with SHA-1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A+B selects the suites having both: the weakness of one side is enough
        ("RSA+3DES", {("RSA+3DES", BROKEN, "3DES"), ("RSA+3DES", NO_FS, STATIC), ("RSA+3DES", CBC, CBC_SHA1)}),
        # RC4 asked for by name; EXP-RC4-MD5 only on builds that still ship EXPORT suites
        ("RSA+RC4", {("RSA+RC4", BROKEN, "RC4"), ("RSA+RC4", BROKEN, "MD5"), ("RSA+RC4", NO_FS, STATIC),
                     ("RSA+RC4", BUILD, "EXPORT-grade")}),
        ("kRSA+RC4", {("kRSA+RC4", BROKEN, "RC4"), ("kRSA+RC4", BROKEN, "MD5"), ("kRSA+RC4", NO_FS, STATIC),
                      ("kRSA+RC4", BUILD, "EXPORT-grade")}),
        ("RSA+DES", {("RSA+DES", BROKEN, "single"), ("RSA+DES", NO_FS, STATIC), ("RSA+DES", CBC, CBC_SHA1),
                     ("RSA+DES", BUILD, "EXPORT-grade")}),
        # ECDH takes in AECDH-DES-CBC3-SHA (anonymous) and, on OpenSSL 1.0.2, static ECDH suites
        ("ECDH+3DES", {("ECDH+3DES", BROKEN, "3DES"), ("ECDH+3DES", BROKEN, "anonymous"),
                       ("ECDH+3DES", CBC, CBC_SHA1), ("ECDH+3DES", BUILD, STATIC)}),
        (CLASSIC_ECDH, {("ECDH+AESGCM", BUILD, STATIC), ("ECDH+AES256", CBC, CBC_SHA1),
                        ("ECDH+3DES", BROKEN, "3DES"), ("RSA+AESGCM", NO_FS, STATIC)}),
        ("kEECDH+AESGCM", set()),  # no anonymous ECDH suite has GCM
        ("DH+AESGCM", {("DH+AESGCM", BROKEN, "anonymous"), ("DH+AESGCM", BUILD, STATIC)}),  # ADH-AES128-GCM
        # a removal covering a named suite removes it, with all its weaknesses
        ("AES128-SHA:!SHA", set()),
        ("RC4-SHA:-RC4", set()),
        ("AES128-GCM-SHA256:!aRSA", set()),
        ("HIGH:!aNULL:!MD5", {("HIGH", BUILD, "3DES"), ("HIGH", NO_FS, STATIC), ("HIGH", BUILD, STATIC),
                              ("HIGH", CBC, CBC_SHA1)}),
        (MOZILLA_INTERMEDIATE_V5, set()),
        (MOZILLA_INTERMEDIATE_V4, {("ECDHE-ECDSA-AES128-SHA", CBC, CBC_SHA1),
                                   ("ECDHE-ECDSA-DES-CBC3-SHA", BROKEN, "3DES"),
                                   ("AES128-GCM-SHA256", NO_FS, STATIC)}),
        (MOZILLA_OLD_V4, {("ECDHE-RSA-AES128-SHA", CBC, CBC_SHA1),
                          ("ECDHE-RSA-DES-CBC3-SHA", BROKEN, "3DES"), ("AES128-GCM-SHA256", NO_FS, STATIC)}),
    ],
)
def test_combinations_and_removals_report_what_remains_selected(
    text: str, expected: set[tuple[str, CipherWeakness, str]]
) -> None:
    assert weak_classes(text) == expected


@pytest.mark.parametrize("text", ["AES128-SHA:!SHA", "RC4-SHA:-RC4", "AES128-GCM-SHA256:!aRSA"])
def test_a_list_emptied_by_its_removals_claims_no_forward_secrecy_finding(text: str) -> None:
    setting = read(text)
    assert setting.weak == () and setting.has_forward_secrecy is False


def test_keywords_differing_only_in_case_keep_their_meaning() -> None:
    static_dh = weak_classes("aDH")  # static DH suites, asked for by name (OpenSSL 1.0.2 has them)
    assert ("aDH", NO_FS, STATIC) in static_dh and not any(item[2] == "anonymous" for item in static_dh)
    assert ("ADH", BROKEN, "anonymous") in weak_classes("ADH")
    assert weak_classes("HIGH:!KRB5-DES-CBC3-SHA") == weak_classes("HIGH")  # not DES-CBC3-SHA


def test_a_suite_some_builds_lack_stays_build_dependent_unless_asked_for() -> None:
    assert ("3DES", BROKEN, "3DES") in weak_classes("3DES")
    assert ("MEDIUM", BUILD, "3DES") in weak_classes("MEDIUM")
    assert ("DES-CBC3-SHA", BROKEN, "3DES") in weak_classes("DES-CBC3-SHA")
