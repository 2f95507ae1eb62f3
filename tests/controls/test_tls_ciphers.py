"""Cipher suites and maximum TLS versions, judged for every gateway that writes them: what a user sees in
transport_security's findings, evidence and summary, from strong, weak, mixed and hostile configs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskscan.model import Assessment, ControlResult, Finding
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS

CIPHERS = Path(__file__).resolve().parents[1] / "fixtures" / "tls-ciphers"
CIPHER_CODES = {"TLS_BROKEN_CIPHERS", "TLS_LEGACY_MAXIMUM", "TLS_NO_FORWARD_SECRECY",
                "TLS_STATIC_KEY_EXCHANGE", "TLS_CBC_SHA1_LEGACY", "TLS_CIPHERS_BUILD_DEPENDENT"}


def scanned(tmp_path: Path, *names: str) -> Assessment:
    for name in names:
        shutil.copy(CIPHERS / name, tmp_path / name)
    return scan(ScanOptions(paths=(tmp_path,)))


def transport(assessment: Assessment) -> tuple[ControlResult, list[Finding]]:
    result = next(c for c in assessment.controls if c.id == "transport_security")
    return result, [f for f in assessment.findings if f.control == "transport_security"]


def cipher_codes(assessment: Assessment) -> dict[str, str]:
    return {f.code: f.severity.value for f in transport(assessment)[1] if f.code in CIPHER_CODES}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("nginx-strong-ciphers.conf", {}),
        ("nginx-weak-ciphers.conf", {"TLS_BROKEN_CIPHERS": "high", "TLS_NO_FORWARD_SECRECY": "medium",
                                     "TLS_CBC_SHA1_LEGACY": "low"}),
        ("nginx-mixed-ciphers.conf", {"TLS_STATIC_KEY_EXCHANGE": "low",
                                      "TLS_CIPHERS_BUILD_DEPENDENT": "low"}),
        ("envoy-ciphers.yaml", {"TLS_BROKEN_CIPHERS": "high", "TLS_LEGACY_MAXIMUM": "high",
                                "TLS_STATIC_KEY_EXCHANGE": "low", "TLS_CBC_SHA1_LEGACY": "low"}),
        ("traefik-options.yaml", {"TLS_BROKEN_CIPHERS": "high", "TLS_LEGACY_MAXIMUM": "high",
                                  "TLS_STATIC_KEY_EXCHANGE": "low", "TLS_CBC_SHA1_LEGACY": "low"}),
        ("traefik-tlsoption-crd.yaml", {"TLS_NO_FORWARD_SECRECY": "medium"}),
        ("kong-old-suite.conf", {"TLS_BROKEN_CIPHERS": "high", "TLS_STATIC_KEY_EXCHANGE": "low",
                                 "TLS_CBC_SHA1_LEGACY": "low"}),
        ("kong-custom-ciphers.conf", {"TLS_BROKEN_CIPHERS": "high", "TLS_STATIC_KEY_EXCHANGE": "low"}),
        ("kong-ciphers-without-custom.conf", {}),
        ("kong-compose-ciphers.yml", {"TLS_BROKEN_CIPHERS": "high", "TLS_STATIC_KEY_EXCHANGE": "low"}),
        ("apisix-config-ciphers.yaml", {"TLS_BROKEN_CIPHERS": "high", "TLS_STATIC_KEY_EXCHANGE": "low"}),
        ("ingress-nginx-ciphers.yaml", {"TLS_BROKEN_CIPHERS": "high", "TLS_STATIC_KEY_EXCHANGE": "low"}),
    ],
)
def test_each_gateway_s_cipher_settings_raise_the_findings_their_suites_deserve(
    tmp_path: Path, name: str, expected: dict[str, str]
) -> None:
    assert cipher_codes(scanned(tmp_path, name)) == expected


@pytest.mark.parametrize(
    ("name", "line", "pointer", "named"),
    [
        ("nginx-weak-ciphers.conf", 10, None, "RC4-SHA (RC4 stream cipher"),
        ("envoy-ciphers.yaml", 15, "/static_resources/listeners/0/filter_chains/0/transport_socket"
         "/typed_config/common_tls_context/tls_params/cipher_suites", "DES-CBC3-SHA (3DES with 64-bit"),
        ("traefik-options.yaml", 31, "/tls/options/legacy-pos/cipherSuites",
         "TLS_ECDHE_RSA_WITH_RC4_128_SHA (RC4"),
        ("kong-old-suite.conf", 3, None, "DES-CBC3-SHA (3DES"),
        ("kong-compose-ciphers.yml", 8, "/services/gateway/environment/KONG_SSL_CIPHERS",
         "DES-CBC3-SHA (3DES"),
        ("apisix-config-ciphers.yaml", 10, "/apisix/ssl/ssl_ciphers", "EXP-RC4-MD5 (EXPORT-grade keys"),
        ("ingress-nginx-ciphers.yaml", 8, "/metadata/annotations/nginx.ingress.kubernetes.io~1ssl-ciphers",
         "HIGH (anonymous key exchange"),
    ],
)
def test_a_broken_suite_finding_names_the_suite_as_written_and_cites_where(
    tmp_path: Path, name: str, line: int, pointer: str | None, named: str
) -> None:
    (finding,) = [f for f in transport(scanned(tmp_path, name))[1] if f.code == "TLS_BROKEN_CIPHERS"]
    assert finding.title == "Broken cipher suites accepted at 1 place" and finding.endpoints == ()
    assert named in finding.detail
    assert [(item.path, item.line, item.pointer) for item in finding.evidence] == [(name, line, pointer)]


def test_a_traefik_cap_below_tls_12_is_high_and_names_the_version(tmp_path: Path) -> None:
    (finding,) = [f for f in transport(scanned(tmp_path, "traefik-options.yaml"))[1]
                  if f.code == "TLS_LEGACY_MAXIMUM"]
    assert finding.severity.value == "high" and "(VersionTLS11 (the highest TLS version" in finding.detail


def test_strong_suites_pass_and_the_summary_says_how_many_settings_were_read(tmp_path: Path) -> None:
    result, _ = transport(scanned(tmp_path, "nginx-strong-ciphers.conf"))
    assert result.summary.endswith("No cipher setting read accepts a weak suite (1 cipher setting).")
    excerpts = [item.excerpt or "" for item in result.evidence]
    assert any(excerpt.startswith("ssl_ciphers ECDHE-ECDSA") for excerpt in excerpts)


def test_defaults_are_left_unjudged_and_the_limitation_says_so(tmp_path: Path) -> None:
    result, findings = transport(scanned(tmp_path, "nginx-mixed-ciphers.conf"))
    assert len(scanned(tmp_path, "nginx-mixed-ciphers.conf").inventory.cipher_settings) == 2  # docs: unset
    assert any("HIGH:!aNULL:!MD5 (what HIGH holds depends on the OpenSSL build)" in item
               for item in result.limitations)
    assert "No cipher setting read accepts broken suites (2 cipher settings)" in result.summary


def test_kong_says_ssl_ciphers_is_ignored_without_custom(tmp_path: Path) -> None:
    (record,) = scanned(tmp_path, "kong-ciphers-without-custom.conf").inputs
    assert record.message == "line 4: ssl_ciphers is ignored: Kong reads it only with ssl_cipher_suite custom"


@pytest.mark.parametrize("renderer", ["json", "html"])
def test_a_secret_pasted_into_a_cipher_string_reaches_no_output(tmp_path: Path, renderer: str) -> None:
    assessment = scanned(tmp_path, "nginx-odd-separators.conf")
    assert cipher_codes(assessment) == {"TLS_BROKEN_CIPHERS": "high", "TLS_STATIC_KEY_EXCHANGE": "low"}
    (record,) = assessment.inputs
    assert record.message == ("nginx-odd-separators.conf:10: 2 cipher entries riskscan does not recognise "
                              "are not judged")
    assert "AKIAIOSFODNN7EXAMPLE" not in RENDERERS[renderer].render(assessment).decode("utf-8")


def test_a_50_kb_cipher_string_in_a_config_costs_a_warning_not_the_file(tmp_path: Path) -> None:
    text = ":".join(["ECDHE-RSA-AES128-GCM-SHA256"] * 1900 + ["RC4-SHA"])
    config = (CIPHERS / "nginx-strong-ciphers.conf").read_text(encoding="utf-8")
    hostile = config.replace("ssl_ciphers ECDHE-ECDSA", f"ssl_ciphers {text}:ECDHE")
    (tmp_path / "edge.conf").write_text(hostile, encoding="utf-8")
    assessment = scan(ScanOptions(paths=(tmp_path,)))
    (record,) = assessment.inputs
    assert record.status.value == "used" and "the first 256 are judged" in (record.message or "")
    assert cipher_codes(assessment) == {}


def test_the_json_report_carries_each_setting_s_weak_suites_and_validates(tmp_path: Path) -> None:
    import json

    import jsonschema

    from riskscan.report.json_report import SCHEMA_PATH

    assessment = scanned(tmp_path, "traefik-options.yaml")
    document = json.loads(RENDERERS["json"].render(assessment))
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    ciphers = document["tls_ciphers"]
    assert ciphers["checked"] == ["traefik-options.yaml"]
    modern, legacy = ciphers["settings"]
    assert (modern["entries"], modern["weak"], modern["evidence"]["pointer"]) == (
        3, [], "/tls/options/modern/cipherSuites")
    assert legacy["maximum"] == "VersionTLS11"
    assert [(item["name"], item["weakness"]) for item in legacy["weak"]] == [
        ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "cbc_sha1"), ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "broken"),
        ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "no_forward_secrecy"),
        ("TLS_ECDHE_RSA_WITH_RC4_128_SHA", "broken"), ("VersionTLS11", "legacy_only")]


def test_the_report_s_cipher_table_shows_each_setting_worst_first(tmp_path: Path) -> None:
    assessment = scanned(tmp_path, "nginx-mixed-ciphers.conf", "nginx-weak-ciphers.conf")
    html = RENDERERS["html"].render(assessment)
    text = html.decode("utf-8")
    section = text[text.index('id="tls-ciphers"'):]
    section = section[:section.index("</section>")]
    assert "written in the 2\n  gateway configs read for them" in section
    assert section.index("nginx-weak-ciphers.conf:10") < section.index("nginx-mixed-ciphers.conf:20") \
        < section.index("nginx-mixed-ciphers.conf:11")
    assert "RC4-SHA: broken, RC4 stream cipher" in section and "static key exchange" in section
    assert "no weak suite" in section


def test_no_cipher_table_when_no_config_is_read_for_ciphers(tmp_path: Path) -> None:
    (tmp_path / "apisix.yaml").write_text("routes:\n  - id: claims\n    uri: /v2/claims\n#END\n",
                                          encoding="utf-8")
    assert b'id="tls-ciphers"' not in RENDERERS["html"].render(scan(ScanOptions(paths=(tmp_path,))))


def test_traefik_s_reference_file_placeholders_are_warned_not_judged(corpus_dir: Path) -> None:
    """Traefik's own dynamic-configuration reference writes `foobar` for every suite: two TLS options are
    read, nothing judged weak, and the backends' serversTransport suites are not taken for clients'."""
    from riskscan.sources import ReadContext
    from riskscan.sources.gateways.traefik import TraefikReader

    path = corpus_dir / "gateway" / "traefik" / "dynamic-configuration-file.yaml"
    config = TraefikReader().read(path, ReadContext(root=path.parent))
    settings = config.cipher_settings or ()
    assert [setting.evidence.pointer for setting in settings] == [
        "/tls/options/Options0/cipherSuites", "/tls/options/Options1/cipherSuites"]
    assert all(setting.weak == () and setting.has_forward_secrecy is None for setting in settings)
    assert sum("cipher entries riskscan does not recognise" in warning for warning in config.warnings) == 2
