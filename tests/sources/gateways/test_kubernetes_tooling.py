"""kubeconfig files and Kustomize kustomizations: recognised by content (never as manifests) and read
for the credentials they write in clear, by place only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskscan.errors import SourceError
from riskscan.model import SourceKind
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.gateways.kubeconfig import KubeconfigReader
from riskscan.sources.gateways.kustomization import KustomizationReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
KUBECONFIG = FIXTURES / "kubeconfig"
KUSTOMIZE = FIXTURES / "kustomization"
ESTATE = KUSTOMIZE / "estate"


def kind_of(path: Path) -> SourceKind | None:
    return detect_kind(path, read_head(path))


@pytest.mark.parametrize(("path", "kind"), [
    (KUBECONFIG / "ci-deployer-kubeconfig.yaml", SourceKind.KUBECONFIG),
    (KUBECONFIG / "kubeconfig.json", SourceKind.KUBECONFIG),
    (ESTATE / "base" / "kustomization.yaml", SourceKind.KUSTOMIZATION),  # its inline patch names an Ingress
    (ESTATE / "overlays" / "prod" / "kustomization.yaml", SourceKind.KUSTOMIZATION),  # no apiVersion, no kind
    (ESTATE / "components" / "audit" / "Kustomization", SourceKind.KUSTOMIZATION),
    (ESTATE / "base" / "deployment.yaml", SourceKind.KUBERNETES),
])
def test_tool_configs_have_their_own_kinds_and_manifests_stay_manifests(path: Path, kind: SourceKind) -> None:
    assert kind_of(path) is kind


def test_a_kubeconfig_without_kind_is_recognised_by_its_three_lists(tmp_path: Path) -> None:
    bare = tmp_path / "config"
    bare.write_text("clusters:\n  - name: a\ncontexts:\n  - name: a\nusers:\n  - name: a\n", encoding="utf-8")
    assert kind_of(bare) is SourceKind.KUBECONFIG


def test_a_file_named_kustomization_needs_a_kustomization_field(tmp_path: Path) -> None:
    other = tmp_path / "kustomization.yaml"
    other.write_text("shopping:\n  - milk\n", encoding="utf-8")
    assert kind_of(other) is None
    renamed = tmp_path / "prod-overlay.yaml"  # a name Kustomize does not load, and no kind: not claimed
    shutil.copy(ESTATE / "overlays" / "prod" / "kustomization.yaml", renamed)
    assert kind_of(renamed) is None


def test_every_kind_of_kubeconfig_user_credential_is_placed() -> None:
    config = KubeconfigReader().read(KUBECONFIG / "ci-deployer-kubeconfig.yaml",
                                     ReadContext(root=KUBECONFIG))
    assert [(item.pointer, item.line) for item in config.clear_secrets or ()] == [
        ("/clusters/1/cluster/proxy-url", 12),
        ("/users/0/user/token", 20),
        ("/users/1/user/client-key-data", 24),  # client-certificate-data, above it, is public
        ("/users/2/user/password", 28),
        ("/users/3/user/auth-provider/config/client-secret", 35),
        ("/users/3/user/auth-provider/config/id-token", 36),
        ("/users/3/user/auth-provider/config/refresh-token", 37),
        ("/users/4/user/exec/env/1/value", 49),  # AWS_SECRET_ACCESS_KEY, not AWS_PROFILE
    ]
    assert not config.has_routing and config.routes == ()


def test_token_files_key_paths_and_templates_are_references() -> None:
    config = KubeconfigReader().read(KUBECONFIG / "references-only-kubeconfig.yaml",
                                     ReadContext(root=KUBECONFIG))
    assert config.clear_secrets == ()  # checked, nothing in clear


def test_a_bad_user_entry_costs_that_entry_not_the_file() -> None:
    config = KubeconfigReader().read(KUBECONFIG / "wrong-types-kubeconfig.yaml",
                                     ReadContext(root=KUBECONFIG))
    assert [item.pointer for item in config.clear_secrets or ()] == ["/users/2/user/password"]
    assert config.warnings == ("users[0] is not a mapping with a `user` mapping: not checked",)


def test_a_truncated_kubeconfig_fails_in_one_line_without_its_value() -> None:
    with pytest.raises(SourceError) as caught:
        KubeconfigReader().read(KUBECONFIG / "truncated-kubeconfig.yaml", ReadContext(root=KUBECONFIG))
    message = str(caught.value)
    assert message.startswith("truncated-kubeconfig.yaml:") and "\n" not in message
    assert "KCFG-PLANTED" not in message


def test_kustomize_generators_place_literals_env_lines_and_secret_files() -> None:
    context = ReadContext(root=ESTATE)
    config = KustomizationReader().read(ESTATE / "overlays" / "prod" / "kustomization.yaml", context)
    places = [(item.path, item.line, item.pointer) for item in config.clear_secrets or ()]
    assert places == [
        ("overlays/prod/kustomization.yaml", 9, "/secretGenerator/0/literals/0"),
        ("overlays/prod/kustomization.yaml", 10, "/secretGenerator/0/literals/1"),  # not ${...} nor empty
        ("overlays/prod/secrets.env", 2, None),
        ("overlays/prod/secrets.env", 3, None),  # not the comment, the blank line or the empty value
        ("overlays/prod/tls.key", None, None),
        ("overlays/prod/kustomization.yaml", 26, "/configMapGenerator/0/literals/1"),  # SMTP_PASSWORD only
        ("overlays/prod/settings.env", 2, None),  # REDIS_PASSWORD only: a ConfigMap's credential-named keys
    ]
    assert config.referenced_files == ("overlays/prod/secrets.env", "overlays/prod/settings.env")
    assert config.warnings == (
        "vault-export.env: named by a generator, outside the folders scanned: not checked",
        "overlays/prod/certs/ca.crt: named by a generator, but no such file (or an empty one): not checked",
    )


def test_a_configmap_generator_keeps_settings_out_of_the_findings() -> None:
    config = KustomizationReader().read(ESTATE / "base" / "kustomization.yaml", ReadContext(root=ESTATE))
    assert config.clear_secrets == ()  # LOG_LEVEL, TOKEN_TTL: settings, not credentials


def test_bad_generator_entries_are_warned_and_the_good_one_counts() -> None:
    folder = KUSTOMIZE / "broken"
    config = KustomizationReader().read(folder / "kustomization.yaml", ReadContext(root=folder))
    assert [item.pointer for item in config.clear_secrets or ()] == ["/secretGenerator/1/literals/2"]
    assert config.warnings == ("secretGenerator[0] is not a mapping: not checked",
                               "`configMapGenerator` is not a list: not checked")


def test_a_truncated_kustomization_fails_in_one_line() -> None:
    folder = KUSTOMIZE / "truncated"
    with pytest.raises(SourceError) as caught:
        KustomizationReader().read(folder / "kustomization.yaml", ReadContext(root=folder))
    assert str(caught.value).startswith("kustomization.yaml:") and "KUST-PLANTED" not in str(caught.value)


def test_hostile_file_names_cost_a_warning_each_not_the_file(tmp_path: Path) -> None:
    long_name = "x" * 5000  # longer than any file system allows
    (tmp_path / "kustomization.yaml").write_text(
        f'secretGenerator:\n  - name: x\n    envs: ["a\\0b", "{long_name}", ""]\n    files: [empty.txt]\n',
        encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    config = KustomizationReader().read(tmp_path / "kustomization.yaml", ReadContext(root=tmp_path))
    assert config.clear_secrets == ()
    assert len(config.warnings) == 3 and all(warning.endswith("not checked") for warning in config.warnings)


def test_a_loop_of_links_named_by_a_generator_costs_a_warning_not_the_file(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "secretGenerator:\n- name: s\n  envs: [loop.env]\n  files: [certs/loop.pem]\n"
        '  literals: ["DB_PASSWORD=KUST-PLANTED-loop"]\n', encoding="utf-8")
    (tmp_path / "loop.env").symlink_to("loop.env")
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "loop.pem").symlink_to("../certs/loop.pem")
    config = KustomizationReader().read(tmp_path / "kustomization.yaml", ReadContext(root=tmp_path))
    assert [item.pointer for item in config.clear_secrets or ()] == ["/secretGenerator/0/literals/0"]
    assert config.warnings == tuple(
        f"{name}: named by a generator, but no such file (or an empty one): not checked"
        for name in ("loop.env", "certs/loop.pem"))


CERTIFICATE = ("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2FsbSBkb3duLCBpdCBpcyBwdWJsaWM=\n"
               "-----END CERTIFICATE-----\n")
PRIVATE_KEY = "-----BEGIN EC PRIVATE KEY-----\nKUST-PLANTED-EC-KEY\n-----END EC PRIVATE KEY-----\n"


@pytest.mark.parametrize(("content", "counted"), [
    (CERTIFICATE, False),  # tls.crt, ca.crt: public by design
    ("Example Root CA\n===============\n" + CERTIFICATE * 3
     + "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQ==\n-----END PUBLIC KEY-----\n", False),  # a bundle
    (CERTIFICATE + PRIVATE_KEY, True),  # a combined PEM carries the key
    (PRIVATE_KEY, True),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nKUST-PLANTED-SSH\n", True),  # truncated, still a key
    ("KUST-PLANTED-PASSWORD-FILE\n", True),
    # Only the first 64 KiB are looked at: a key past them (in a file of certificates) is not seen.
    ("-----BEGIN CERTIFICATE-----" + "A" * 70_000 + "\n" + PRIVATE_KEY, False),
])
def test_secret_generator_files_holding_only_certificates_are_no_credential(tmp_path: Path, content: str,
                                                                             counted: bool) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "secretGenerator:\n- name: tls\n  type: kubernetes.io/tls\n  files: [tls.crt=server.pem]\n",
        encoding="utf-8")
    (tmp_path / "server.pem").write_text(content, encoding="utf-8")
    config = KustomizationReader().read(tmp_path / "kustomization.yaml", ReadContext(root=tmp_path))
    assert [item.path for item in config.clear_secrets or ()] == (["server.pem"] if counted else [])
    assert config.warnings == () and "KUST-PLANTED" not in config.model_dump_json()
