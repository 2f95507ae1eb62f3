"""APISIX conf/config.yaml, read as APISIX merges it over config-default.yaml: apisix.ssl.ssl_protocols,
the Admin API's reach (admin_listen, allow_admin, admin_key_required) and its well-known default keys,
credentials in clear by place. Never mistaken for a standalone apisix.yaml route file."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.errors import SourceError
from riskscan.model import AdminExposureKind, GatewayConfig, SourceKind
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.gateways.apisix_conf import ApisixConfReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CONF = FIXTURES / "apisix_conf"
READER = ApisixConfReader()
DEFAULT_KEYS = ("edd1c9f034335f136f87ad84b625c8f1", "4054f7cf07e344346cd3f287985e76a2")


def read(name: str) -> GatewayConfig:
    return READER.read(CONF / name, ReadContext(root=CONF))


@pytest.mark.parametrize("name", ["default-key-open.yaml", "env-key.yaml", "literal-key-keyless.yaml",
                                  "loopback-admin.yaml", "data-plane.yaml", "legacy-2x.yaml",
                                  "tls13-estate/config.yaml", "env-estate/config.yaml"])
def test_config_yaml_is_recognised_by_its_sections(name: str) -> None:
    assert detect_kind(CONF / name, read_head(CONF / name)) is SourceKind.APISIX_CONF


def test_route_files_and_other_gateways_are_not_config_yaml() -> None:
    others = [CONF / "tls13-estate" / "apisix.yaml", FIXTURES / "kong_conf" / "legacy-estate" / "kong.yaml",
              *sorted((FIXTURES / "apisix").glob("*.yaml")), *sorted((FIXTURES / "apisix").glob("*.json"))]
    for path in others:
        assert READER.sniff(path, read_head(path)) is False, path.name


@pytest.mark.parametrize("text", ["apisix: 1\n", "apisix:\n  name: a chart value\n",
                                  "apisix:\n  node_listen: 9080\nroutes:\n  - uri: /x\n",
                                  '{"apisix": {"node_listen": 9080}}', "deployment:\n  replicas: 3\n"])
def test_yaml_naming_apisix_without_its_settings_is_not_config_yaml(tmp_path: Path, text: str) -> None:
    path = tmp_path / "values.yaml"
    path.write_text(text)
    assert READER.sniff(path, read_head(path)) is False


def test_default_keys_and_an_open_allow_list_are_exposures_never_echoed() -> None:
    config = read("default-key-open.yaml")
    exposed = config.admin_exposures or ()
    assert [(e.kind, e.evidence.pointer, e.evidence.line) for e in exposed] == [
        (AdminExposureKind.DEFAULT_KEY, "/deployment/admin/admin_key/0/key", 16),
        (AdminExposureKind.DEFAULT_KEY, "/deployment/admin/admin_key/1/key", 19),
        (AdminExposureKind.NETWORK, "/deployment/admin/allow_admin", 21),
    ]
    assert "CVE-2020-13945" in (exposed[0].evidence.note or "")
    dumped = config.model_dump_json()
    assert not any(key in dumped for key in DEFAULT_KEYS) and "PLANTED" not in dumped
    # The default keys are their own finding, not "a credential in clear"; the etcd password is one.
    assert [item.pointer for item in config.clear_secrets or ()] == ["/deployment/etcd/password"]


def test_environment_referenced_keys_are_no_secret_and_a_restricted_list_passes() -> None:
    config = read("env-key.yaml")
    assert config.clear_secrets == () and config.admin_exposures == ()


def test_keyless_admin_open_to_all_is_unauthenticated_and_the_literal_key_a_secret() -> None:
    config = read("literal-key-keyless.yaml")
    assert [e.kind for e in config.admin_exposures or ()] == [AdminExposureKind.UNAUTHENTICATED]
    assert [item.pointer for item in config.clear_secrets or ()] == [
        "/deployment/admin/admin_key/0/key", "/deployment/etcd/host"]
    assert "PLANTED" not in config.model_dump_json()


def test_loopback_listener_data_plane_and_the_default_allow_list_keep_it_off_the_network() -> None:
    assert read("loopback-admin.yaml").admin_exposures == ()  # 0.0.0.0/0 admitted, but on 127.0.0.1
    assert read("data-plane.yaml").admin_exposures == ()  # a data plane serves no Admin API
    # APISIX 2.x settings under `apisix`: the default key counts; allow_admin stays 127.0.0.0/24.
    exposed = read("legacy-2x.yaml").admin_exposures or ()
    assert [(e.kind, e.evidence.pointer) for e in exposed] == [
        (AdminExposureKind.DEFAULT_KEY, "/apisix/admin_key/0/key")]


def test_allow_admin_left_out_keeps_the_default_loopback_list(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("deployment:\n  admin:\n    admin_key:\n"
                    "      - {name: admin, key: '${{K}}', role: admin}\n"
                    "    admin_listen: {ip: 0.0.0.0, port: 9180}\n")
    assert READER.read(path, ReadContext(root=tmp_path)).admin_exposures == ()


def test_ssl_protocols_are_declared_or_the_documented_default() -> None:
    [declared] = read("env-key.yaml").tls_settings or ()
    assert (declared.protocols, declared.is_default, declared.evidence.line) == (("TLSv1.3",), False, 7)
    [legacy] = read("literal-key-keyless.yaml").tls_settings or ()
    assert legacy.allows_legacy
    [default] = read("default-key-open.yaml").tls_settings or ()
    assert default.is_default and default.protocols == ("TLSv1.2", "TLSv1.3")


def test_ssl_disabled_serves_no_tls(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("apisix:\n  node_listen: 9080\n  ssl:\n    enable: false\n    ssl_protocols: TLSv1\n")
    assert READER.read(path, ReadContext(root=tmp_path)).tls_settings == ()


def test_a_section_of_the_wrong_type_costs_only_that_section() -> None:
    config = read("not-a-mapping.yaml")
    assert config.warnings == ("`deployment` is not a mapping: its settings are not read",)
    assert config.admin_exposures == ()


@pytest.mark.parametrize(("text", "problem"), [
    ("apisix:\n  node_listen: [9080\n", "malformed YAML"),
    ("- apisix\n- deployment\n", "not a mapping"),
])
def test_broken_files_fail_in_one_line(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(SourceError) as raised:
        READER.read(path, ReadContext(root=tmp_path))
    assert str(raised.value).startswith("config.yaml:") and "\n" not in str(raised.value)
    assert problem in str(raised.value)


def test_corpus_config_yaml_files_read_without_echoing_their_keys(corpus_dir: Path) -> None:
    folder = corpus_dir / "gateway" / "apisix"
    docker = folder / "apisix-docker-config.yaml"
    if not docker.is_file():
        pytest.skip("this copy of the shared corpus lacks gateway/apisix/apisix-docker-config.yaml, the real"
                    " config.yaml with the default admin keys and allow_admin 0.0.0.0/0")
    config = READER.read(docker, ReadContext(root=corpus_dir))
    kinds = [e.kind for e in config.admin_exposures or ()]
    assert kinds == [AdminExposureKind.DEFAULT_KEY, AdminExposureKind.DEFAULT_KEY, AdminExposureKind.NETWORK]
    assert not any(key in config.model_dump_json() for key in DEFAULT_KEYS)
    plain = READER.read(folder / "apisix-conf-config.yaml", ReadContext(root=corpus_dir))
    assert plain.admin_exposures == () and plain.clear_secrets == ()  # the empty key is generated at start


def test_settings_from_the_environment_are_unknown_not_apisixs_defaults() -> None:
    """`${{VAR}}` is filled from the environment APISIX starts in: the plain listener, the TLS versions
    and whether the Admin API asks for a key are not judged (config-default.yaml's 9080, TLS 1.2 and 1.3,
    or a keyless Admin API would each be claimed on no evidence); what is written out still is: the
    Admin API admits every address on a network address, so it is reachable (not: reachable keyless)."""
    config = read("env-estate/config.yaml")
    assert config.unknown_settings == ("admin_key_required", "node_listen", "ssl_protocols")
    assert config.client_listeners is None and config.tls_settings is None
    assert [item.kind for item in config.admin_exposures or ()] == [AdminExposureKind.NETWORK]
    named = [warning.split()[0] for warning in config.warnings if "taken from APISIX's environment" in warning]
    assert named == ["apisix.node_listen", "apisix.ssl.ssl_protocols", "deployment.admin.admin_key_required"]
    assert not any("neither a port nor a list" in warning for warning in config.warnings)
