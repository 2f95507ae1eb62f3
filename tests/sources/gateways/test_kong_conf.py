"""kong.conf, read as Kong's configuration reference defines it: TLS versions from the cipher suite (and
ssl_protocols only with `custom`), proxy listeners plain or TLS, the Admin API on network addresses,
credentials in clear by place. Only a file that is plainly kong.conf is taken for one."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.errors import SourceError
from riskscan.model import AdminExposureKind, GatewayConfig, SourceKind
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.gateways.kong_conf import KongConfReader, parse_kong_conf

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CONF = FIXTURES / "kong_conf"
READER = KongConfReader()


def read(name: str) -> GatewayConfig:
    return READER.read(CONF / name, ReadContext(root=CONF))


def written(tmp_path: Path, text: str) -> GatewayConfig:
    path = tmp_path / "kong.conf"
    path.write_text(text)
    return READER.read(path, ReadContext(root=tmp_path))


@pytest.mark.parametrize(
    "path",
    [CONF / "legacy-estate" / "kong.conf", CONF / "modern-estate" / "kong.conf", CONF / "admin-public.conf",
     CONF / "admin-loopback.conf", CONF / "plain-only.conf", CONF / "protocols-without-custom.conf"],
)
def test_kong_conf_files_are_recognised_by_their_settings(path: Path) -> None:
    assert detect_kind(path, read_head(path)) is SourceKind.KONG_CONF


@pytest.mark.parametrize(
    "path",
    [CONF / "not-kong" / "settings.ini", CONF / "not-kong" / "app.env", CONF / "not-kong" / "tox.cfg",
     CONF / "binary.conf", CONF / "legacy-estate" / "kong.yaml", FIXTURES / "apisix_conf" / "tls13-estate" /
     "apisix.yaml", FIXTURES / "apisix_conf" / "env-key.yaml"],
)
def test_ini_env_files_and_route_files_are_not_kong_conf(path: Path) -> None:
    assert READER.sniff(path, read_head(path)) is False


def test_a_lone_kong_setting_or_a_prose_file_is_not_enough(tmp_path: Path) -> None:
    for text in ("database = postgres\n", "log_level = debug\nprefix = /tmp\n",
                 "proxy_listen = 0.0.0.0:8000\nThis line is prose.\nSo is this.\nAnd this.\n"):
        path = tmp_path / "x.conf"
        path.write_text(text)
        assert READER.sniff(path, read_head(path)) is False, text


def test_comments_escaped_hashes_quotes_and_the_last_setting_written() -> None:
    settings, ignored = parse_kong_conf(
        "# a comment\n"
        "pg_password = pa\\#ss   # trailing comment\n"
        "ssl_cipher_suite = 'modern'\n"
        "admin_listen = 0.0.0.0:8001\n"
        "admin_listen = 127.0.0.1:8001\n"
        "not a setting\n")
    assert settings["pg_password"][:2] == ("pa#ss", 2)
    assert settings["ssl_cipher_suite"].value == "modern"
    assert settings["admin_listen"][:2] == ("127.0.0.1:8001", 5)  # Kong keeps the last one
    assert ignored == [6]


def test_custom_suite_with_legacy_protocols_is_declared_at_its_line() -> None:
    [setting] = read("legacy-estate/kong.conf").tls_settings or ()
    assert setting.protocols == ("TLSv1", "TLSv1.1", "TLSv1.2")
    assert setting.allows_legacy and not setting.is_default
    assert (setting.evidence.path, setting.evidence.line) == ("legacy-estate/kong.conf", 13)


def test_ssl_protocols_without_the_custom_suite_is_ignored_as_kong_ignores_it() -> None:
    config = read("protocols-without-custom.conf")
    [setting] = config.tls_settings or ()
    assert setting.protocols == ("TLSv1.2", "TLSv1.3") and not setting.allows_legacy
    assert setting.is_default and setting.depends_on_version is None  # intermediate in every 2.x, 3.x
    assert config.warnings == ("line 3: ssl_protocols is ignored: Kong reads it only with ssl_cipher_suite "
                               "custom, and the suite is intermediate",)


@pytest.mark.parametrize(
    ("suite", "protocols"),
    [("modern", ("TLSv1.3",)), ("intermediate", ("TLSv1.2", "TLSv1.3")), ("fips", ("TLSv1.2",))],
)
def test_each_named_suite_sets_its_protocols(tmp_path: Path, suite: str, protocols: tuple[str, ...]) -> None:
    config = written(tmp_path, f"proxy_listen = 0.0.0.0:8443 ssl\nssl_cipher_suite = {suite}\n")
    [setting] = config.tls_settings or ()
    assert (setting.protocols, setting.allows_legacy, setting.is_default) == (protocols, False, False)
    assert setting.evidence.line == 2


def test_the_old_suite_accepts_tls_1_0_and_1_1(tmp_path: Path) -> None:
    [setting] = written(tmp_path, "ssl_cipher_suite = old\nadmin_listen = off\n").tls_settings or ()
    assert setting.allows_legacy and setting.protocols[0] == "TLSv1"


def test_custom_suite_without_protocols_depends_on_the_release() -> None:
    [setting] = read("custom-default-protocols.conf").tls_settings or ()
    assert setting.is_default and not setting.allows_legacy
    assert setting.depends_on_version == "Kong before 3.7 also accepts TLSv1.1 with ssl_cipher_suite custom"


def test_no_ssl_listener_serves_no_tls_and_an_unknown_suite_is_warned() -> None:
    assert read("plain-only.conf").tls_settings == ()
    config = read("bad-suite.conf")
    assert config.tls_settings == () and "Kong refuses to start" in config.warnings[0]


def test_proxy_listeners_are_plain_or_tls_entry_by_entry() -> None:
    listeners = read("legacy-estate/kong.conf").client_listeners or ()
    assert [(t.is_plain, t.evidence.line) for t in listeners] == [(True, 9), (False, 9)]
    assert [t.is_plain for t in read("modern-estate/kong.conf").client_listeners or ()] == [False, False]
    # Left out, Kong's default listens on 8000 (plain) and 8443 (ssl).
    assert [t.is_plain for t in read("admin-public.conf").client_listeners or ()] == [True, False]


def test_admin_api_on_a_network_address_is_exposed_and_loopback_passes() -> None:
    exposed = read("admin-public.conf").admin_exposures or ()
    assert [(e.kind, e.evidence.line) for e in exposed] == [
        (AdminExposureKind.UNAUTHENTICATED, 5),  # 0.0.0.0:8001, plain HTTP
        (AdminExposureKind.NETWORK, 5),  # 0.0.0.0:8444 ssl: encrypted, still nobody asked
        (AdminExposureKind.NETWORK, 6),  # Kong Manager on 0.0.0.0:8002
    ]
    assert "authenticates no caller" in (exposed[0].evidence.note or "")
    assert read("admin-loopback.conf").admin_exposures == ()
    assert read("modern-estate/kong.conf").admin_exposures == ()  # admin_listen = off


def test_rbac_makes_a_plain_admin_listener_network_exposed_not_unauthenticated(tmp_path: Path) -> None:
    config = written(tmp_path, "admin_listen = 10.0.0.5:8001\nenforce_rbac = on\ndatabase = postgres\n")
    assert [e.kind for e in config.admin_exposures or ()] == [AdminExposureKind.NETWORK]


def test_credentials_in_clear_are_placed_never_kept() -> None:
    config = read("admin-public.conf")
    places = config.clear_secrets or ()
    assert [(item.line, item.pointer) for item in places] == [
        (4, "/pg_password"), (7, "/admin_gui_session_conf"), (8, "/proxy_server"), (10, "/ssl_cert_key")]
    assert "PLANTED" not in config.model_dump_json()  # admin_ssl_cert_key is a path: no secret


def test_vault_references_are_not_secrets() -> None:
    assert read("legacy-estate/kong.conf").clear_secrets == ()  # pg_password = {vault://env/pg-pass}
    assert read("admin-loopback.conf").clear_secrets == ()


def test_a_file_of_no_setting_fails_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "kong.conf"
    path.write_text("# only comments\n\n")
    problem = r"^kong.conf:1: no kong.conf setting \(a line `name = value`\) found$"
    with pytest.raises(SourceError, match=problem):
        READER.read(path, ReadContext(root=tmp_path))


def test_lines_that_are_no_setting_cost_themselves_with_a_warning(tmp_path: Path) -> None:
    config = written(tmp_path, "proxy_listen = 0.0.0.0:8443 ssl\n<<garbage>>\nadmin_listen = off\n")
    assert config.warnings == ("1 line(s) are no kong.conf setting and were ignored (first at line 2)",)
    assert config.tls_settings and config.admin_exposures == ()


def test_a_hostile_listen_list_is_bounded(tmp_path: Path) -> None:
    entries = ", ".join(f"10.0.{i // 250}.{i % 250}:8001" for i in range(5000))
    config = written(tmp_path, f"admin_listen = {entries}\ndatabase = off\n")
    assert len(config.admin_exposures or ()) == 32


def test_an_oversized_file_fails_naming_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "kong.conf"
    path.write_text("proxy_listen = 0.0.0.0:8443 ssl\n" * 100)
    with pytest.raises(SourceError, match="byte limit"):
        READER.read(path, ReadContext(root=tmp_path, max_bytes=100))


def test_kong_variables_of_a_compose_kong_service_are_its_settings() -> None:
    config = read("compose-estate/docker-compose.yml")
    [setting] = config.tls_settings or ()
    assert setting.allows_legacy
    assert setting.evidence.pointer == "/services/kong/environment/KONG_SSL_CIPHER_SUITE"
    [exposed] = config.admin_exposures or ()
    assert (exposed.kind, exposed.evidence.line) == (AdminExposureKind.UNAUTHENTICATED, 16)
    [secret] = config.clear_secrets or ()
    assert (secret.line, secret.pointer) == (14, "/services/kong/environment/KONG_PG_PASSWORD")
    assert "PLANTED" not in config.model_dump_json()


def test_a_compose_environment_list_and_env_references() -> None:
    config = read("compose-env-list.yml")
    assert config.clear_secrets == () and config.admin_exposures == ()  # ${PG_PASSWORD}, loopback
    [setting] = config.tls_settings or ()
    assert setting.protocols == ("TLSv1.3",) and setting.evidence.pointer == "/services/gateway/environment/3"


def test_compose_settings_from_the_shell_are_unknown_not_kongs_defaults(tmp_path: Path) -> None:
    """`${VAR}` and `$VAR` take the value from the shell or an .env file: the listeners and suite they set
    are not judged (Kong's defaults would show a plain proxy on 8000 and TLS 1.2), and each is named in
    a warning; `$$` is a literal dollar, so that value is read as written."""
    path = tmp_path / "docker-compose.yml"
    path.write_text("""services:
  kong:
    image: kong:3.6
    environment:
      KONG_PROXY_LISTEN: ${PROXY_LISTEN:-0.0.0.0:8000}
      KONG_SSL_CIPHER_SUITE: $SUITE
      KONG_ADMIN_LISTEN: "0.0.0.0:8001"
      KONG_ADMIN_GUI_URL: http://admin.example.com/$$path
""")
    config = READER.read(path, ReadContext(root=tmp_path))
    assert config.unknown_settings == ("proxy_listen", "ssl_cipher_suite")
    assert config.client_listeners is None and config.tls_settings is None and config.cipher_settings is None
    assert [item.kind for item in config.admin_exposures or ()] == [AdminExposureKind.UNAUTHENTICATED]
    named = [warning for warning in config.warnings if "is taken by reference" in warning]
    assert [warning.split()[0] for warning in named] == ["KONG_PROXY_LISTEN", "KONG_SSL_CIPHER_SUITE"]


def test_a_compose_env_file_leaves_unset_deciding_settings_unknown(tmp_path: Path) -> None:
    """Settings an env_file may hold are not in the scan: those `environment` does not set are unknown;
    those it sets win over the file, as Compose reads them, and are judged."""
    path = tmp_path / "docker-compose.yml"
    path.write_text("""services:
  kong:
    image: kong:3.6
    env_file: [kong.env]
    environment:
      KONG_PROXY_LISTEN: "0.0.0.0:8443 ssl"
      KONG_DATABASE: "off"
""")
    config = READER.read(path, ReadContext(root=tmp_path))
    assert "proxy_listen" not in config.unknown_settings
    assert {"ssl_cipher_suite", "admin_listen", "enforce_rbac"} <= set(config.unknown_settings)
    assert [item.is_plain for item in config.client_listeners or ()] == [False]
    assert config.tls_settings is None  # the suite may be in kong.env
    assert any("reads env_file" in warning for warning in config.warnings)


def test_compose_files_without_a_kong_image_are_not_kong_conf() -> None:
    path = CONF / "not-kong" / "docker-compose.yml"  # KONG_* on an nginx image, and Konga (a UI)
    assert detect_kind(path, read_head(path)) is None
