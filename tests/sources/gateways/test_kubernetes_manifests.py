"""Every Kubernetes manifest is read for credentials in clear, routes or not: recognised by `apiVersion`
and `kind` at the top of each document (other YAML is not taken for one), checked by place only, and a
Helm template is skipped with its reason instead of crashing."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import InputStatus, SourceKind
from riskscan.pipeline import ScanOptions, scan
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.gateways.kubernetes import KubernetesReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SECRETS = FIXTURES / "kubernetes" / "secrets"

MANIFESTS = {
    "secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: b}\n",
    "several.yaml": "# rendered\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\n"
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    "list.json": '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Service"}]}',
    "crd.yaml": "apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata: {name: m}\nspec: {}\n",
}
OTHER_YAML = {
    "docker-compose.yaml": "services:\n  api:\n    image: example/api\n    environment:\n"
                           "      DB_PASSWORD: hunter2\n",
    "apisix.yaml": "routes:\n  - uri: /v1/*\n    upstream: {nodes: {\"api:80\": 1}}\n#END\n",
    "kubeconfig.yaml": "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\n",
    "kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                          "resources: [deployment.yaml]\n",
    "catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: claims}\n",
    "Chart.yaml": "apiVersion: v2\nname: claims\nversion: 0.1.0\n",
    "datasources.yaml": "apiVersion: 1\ndatasources: [{name: prom, type: prometheus}]\n",
    "mixed.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\nname: not an object\n",
}


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_manifests_without_routes_are_kubernetes(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(MANIFESTS[name], encoding="utf-8")
    assert detect_kind(path, read_head(path)) is SourceKind.KUBERNETES


@pytest.mark.parametrize("name", sorted(OTHER_YAML))
def test_other_yaml_is_not_taken_for_a_manifest(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(OTHER_YAML[name], encoding="utf-8")
    assert detect_kind(path, read_head(path)) is not SourceKind.KUBERNETES


def test_an_openapi_spec_stays_a_spec() -> None:
    path = FIXTURES / "openapi" / "oas30-claims.yaml"
    assert detect_kind(path, read_head(path)) is SourceKind.OPENAPI


def test_a_secrets_only_manifest_lists_each_place_and_no_value() -> None:
    config = KubernetesReader().read(SECRETS / "secrets-only.yaml", ReadContext(root=FIXTURES))
    assert config.routes == () and config.has_routing is False
    assert [(item.path, item.line, item.pointer) for item in config.clear_secrets or ()] == [
        ("kubernetes/secrets/secrets-only.yaml", 8, "/data"),
        ("kubernetes/secrets/secrets-only.yaml", 19, "/data/DB_PASSWORD"),
        ("kubernetes/secrets/secrets-only.yaml", 22, "/data/ANALYTICS_DSN"),
    ]  # not LOG_LEVEL, TOKEN_TTL (a number), OAUTH_TOKEN_URL (no credential in it), the template, nor
    # PASSWORD_POLICY and REFRESH_TOKEN_ISSUER (about credentials, not credentials)
    shown = config.model_dump_json()
    assert "PLANTED" not in shown and "UExBTlRFRC1" not in shown and "claims-db" not in shown


def test_literal_env_credentials_are_found_and_references_are_not() -> None:
    config = KubernetesReader().read(SECRETS / "deployment-env.yaml", ReadContext(root=SECRETS))
    found = [(item.line, item.pointer, item.note) for item in config.clear_secrets or ()]
    assert found == [
        (18, "/spec/template/spec/containers/0/env/0/value",
         "password set in clear in a container's env (not a secretKeyRef)"),
        (22, "/spec/template/spec/containers/0/env/2/value",
         "password in a URL set in clear in a container's env (not a secretKeyRef)"),
        (46, "/spec/jobTemplate/spec/template/spec/initContainers/0/env/0/value",
         "API key set in clear in a container's env (not a secretKeyRef)"),
    ]  # not the secretKeyRef, the *_FILE path, the "true" switch nor the $(VAR) reference
    assert "PLANTED" not in config.model_dump_json()


def test_a_secrets_only_manifest_beside_a_spec_leaves_endpoints_documented(tmp_path: Path) -> None:
    """A manifest without routes is checked for secrets, but it is no gateway: the spec's endpoints are
    not made orphans of a gateway that does not exist."""
    (tmp_path / "spec.yaml").write_bytes((FIXTURES / "openapi" / "oas30-claims.yaml").read_bytes())
    (tmp_path / "secrets.yaml").write_bytes((SECRETS / "secrets-only.yaml").read_bytes())
    assessment = scan(ScanOptions(paths=(tmp_path,)))
    assert not assessment.inventory.has_gateway
    assert assessment.inventory.endpoints
    assert {e.lifecycle.value for e in assessment.inventory.endpoints} <= {"documented", "zombie"}
    assert assessment.inventory.secrets_checked == ("secrets.yaml",)
    assert any(f.code == "SECRET_IN_CLEAR" for f in assessment.findings)


def test_helm_templates_are_skipped_with_their_reason_even_under_strict() -> None:
    """A chart folder beside the manifests is normal: its templates are YAML only once rendered, so they
    are skipped saying so (not failed, which `--strict` would stop on), and nothing crashes."""
    chart = FIXTURES / "kubernetes" / "helm-chart"
    assessment = scan(ScanOptions(paths=(chart, SECRETS / "secrets-only.yaml"), strict=True))
    by_path = {item.path: item for item in assessment.inputs}
    for name in ("helm-chart/templates/deployment.yaml", "helm-chart/templates/ingress.yaml"):
        record = by_path[name]
        assert record.status is InputStatus.SKIPPED and record.kind is SourceKind.KUBERNETES
        assert record.message == "a Helm or Go template ({{ }}), YAML only once rendered: render it first (helm template)"
    assert by_path["helm-chart/Chart.yaml"].status is InputStatus.SKIPPED
    assert by_path["helm-chart/values.yaml"].status is InputStatus.SKIPPED
    assert by_path["secrets/secrets-only.yaml"].status is InputStatus.USED


def test_wrong_types_cost_only_their_entry(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: [DB_PASSWORD, PLANTED-HOSTILE-1]\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: {7: 8, API_TOKEN: [PLANTED-HOSTILE-2]}\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: e}\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - env: {DB_PASSWORD: PLANTED-HOSTILE-3}\n        - 42\n"
        "        - env: [7, {name: [API_KEY]}, {name: API_KEY, value: 12345}, {name: API_KEY, value: ''}]\n"
        "      initContainers: {not: a list}\n"
        + "".join(f"{'  ' * depth}n{depth}:\n" for depth in range(1, 60)) + f"{'  ' * 60}containers: []\n",
        encoding="utf-8")
    config = KubernetesReader().read(path, ReadContext(root=tmp_path))
    assert config.clear_secrets == () and "PLANTED" not in config.model_dump_json()
