"""Secrets hygiene over a Kubernetes repository's tool configs: a kubeconfig and Kustomize overlays.

Their clear credentials join the estate-wide SECRET_IN_CLEAR finding by place; the env files a
secretGenerator reads are used as included by their kustomization; none of them counts as a gateway;
no planted value reaches the JSON, the HTML or the log."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import Assessment, InputStatus, SourceKind
from riskscan.report import RENDERERS
from tests.controls.conftest import scan_and_log

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KUBECONFIG = FIXTURES / "kubeconfig"
ESTATE = FIXTURES / "kustomization" / "estate"
PROD = "kustomization/estate/overlays/prod"


@pytest.fixture(scope="module")
def scanned() -> tuple[Assessment, str]:
    return scan_and_log((KUBECONFIG, ESTATE))


def test_tool_config_credentials_join_the_clear_secret_finding(scanned: tuple[Assessment, str]) -> None:
    assessment, _ = scanned
    [finding] = [f for f in assessment.findings if f.code == "SECRET_IN_CLEAR"]
    paths = {item.path for item in finding.evidence}
    assert {"kubeconfig/ci-deployer-kubeconfig.yaml", "kubeconfig/kubeconfig.json",
            f"{PROD}/kustomization.yaml", f"{PROD}/secrets.env", f"{PROD}/tls.key",
            "kustomization/estate/components/audit/Kustomization"} <= paths
    assert "kubeconfig/references-only-kubeconfig.yaml" not in paths
    checked = assessment.inventory.secrets_checked
    assert "kubeconfig/references-only-kubeconfig.yaml" in checked
    assert "kustomization/estate/base/kustomization.yaml" in checked
    result = next(c for c in assessment.controls if c.id == "secrets_hygiene")
    assert result.status.value == "fail" and result.evidence_strength.value == "enforced"


def test_inputs_say_what_each_file_was(scanned: tuple[Assessment, str]) -> None:
    assessment, _ = scanned
    records = {record.path: record for record in assessment.inputs}
    assert records[f"{PROD}/secrets.env"].message == f"included by {PROD}/kustomization.yaml"
    assert records[f"{PROD}/secrets.env"].status is InputStatus.USED
    assert records["kustomization/estate/base/kustomization.yaml"].kind is SourceKind.KUSTOMIZATION
    assert records["kubeconfig/ci-deployer-kubeconfig.yaml"].kind is SourceKind.KUBECONFIG
    truncated = records["kubeconfig/truncated-kubeconfig.yaml"]
    assert truncated.status is InputStatus.FAILED and "malformed YAML" in (truncated.message or "")
    # Tool configs and a Deployment route nothing: no gateway, so no endpoint is judged missing from one.
    assert not assessment.inventory.has_gateway


def test_no_planted_credential_reaches_an_output_or_the_log(scanned: tuple[Assessment, str]) -> None:
    assessment, log = scanned
    for renderer in ("json", "html"):
        text = RENDERERS[renderer].render(assessment).decode("utf-8")
        assert "KCFG-PLANTED" not in text and "KUST-PLANTED" not in text, renderer
        assert "S0NGRy1QTEFOVEVE" not in text, renderer  # the base64 client key
    assert "KCFG-PLANTED" not in log and "KUST-PLANTED" not in log
