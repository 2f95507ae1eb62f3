"""The workloads behind a Kubernetes Service become its upstream's nodes and health checks: replicas
(default 1), an autoscaler's minimum, a DaemonSet's unknown count, probes; a Service without selector
or matching no workload claims nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import GatewayConfig, Upstream
from riskscan.sources import ReadContext
from riskscan.sources.gateways.kubernetes import KubernetesReader

FOLDER = Path(__file__).resolve().parents[2] / "fixtures" / "kubernetes" / "workloads"
ROUTE = "claims/claims-api rule 0 path {}"


def read(name: str, folder: Path = FOLDER) -> GatewayConfig:
    return KubernetesReader().read(folder / name, ReadContext(root=folder, allowed_roots=(folder,)))


@pytest.fixture(scope="module")
def upstreams() -> dict[str, Upstream]:
    routes = read("ingress.yaml").routes
    found = {route.route_id: route.upstream_detail for route in routes}
    assert all(item is not None for item in found.values())
    return {key: item for key, item in found.items() if item is not None}


def places(upstream: Upstream) -> list[tuple[str, int | None, str | None]]:
    return [(item.path, item.line, item.pointer) for item in upstream.node_evidence]


def test_one_replica_is_one_node_cited_at_spec_replicas(upstreams: dict[str, Upstream]) -> None:
    claims = upstreams[ROUTE.format(0)]
    assert (claims.hosts, claims.nodes, claims.has_health_checks) == (("claims.claims.svc",), 1, True)
    assert places(claims) == [("workloads.yaml", 5, "/spec/replicas")]
    assert claims.node_evidence[0].note == "spec.replicas 1; probes: readiness"


def test_replicas_count_once_even_beside_their_replicaset(upstreams: dict[str, Upstream]) -> None:
    quotes = upstreams[ROUTE.format(1)]
    assert (quotes.nodes, quotes.has_health_checks) == (3, True)  # a liveness probe counts too
    assert places(quotes) == [("workloads.yaml", 19, "/spec/replicas")]


def test_an_autoscaler_minimum_is_the_count_relied_upon(upstreams: dict[str, Upstream]) -> None:
    payouts = upstreams[ROUTE.format(2)]
    assert payouts.nodes == 2
    assert places(payouts) == [("workloads.yaml", 48, "/spec/replicas"),
                               ("workloads.yaml", 63, "/spec/minReplicas")]


@pytest.mark.parametrize("path", [3, 5, 7], ids=["no-workload-matches", "no-selector", "replicas-a-word"])
def test_no_fixed_count_claims_nothing(upstreams: dict[str, Upstream], path: int) -> None:
    upstream = upstreams[ROUTE.format(path)]
    assert upstream.nodes == 0 and upstream.has_health_checks is False
    assert upstream.hosts  # still in-cluster, still shown


def test_a_daemonset_is_several_nodes_of_no_fixed_count(upstreams: dict[str, Upstream]) -> None:
    agent = upstreams[ROUTE.format(4)]
    assert (agent.nodes, agent.has_health_checks) == (0, True)
    [place] = agent.node_evidence
    assert place.path == "workloads.yaml" and place.line == 79
    assert "one pod per node: several" in (place.note or "")


def test_absent_replicas_is_one_cited_where_it_would_be(upstreams: dict[str, Upstream]) -> None:
    audit = upstreams[ROUTE.format(6)]
    assert (audit.nodes, audit.has_health_checks) == (1, False)
    assert places(audit) == [("workloads.yaml", 95, "/spec")]
    assert (audit.node_evidence[0].note or "").startswith("spec.replicas not set: Kubernetes runs 1 replica")


def test_a_replica_count_that_is_not_one_is_warned_about_in_its_own_file() -> None:
    assert ("Deployment claims/reports: spec.replicas is not a count from 0 to 2147483647: its pods are not"
            " counted") in read("workloads.yaml").warnings


def test_huge_and_wrong_typed_counts_claim_nothing(tmp_path: Path) -> None:
    (tmp_path / "all.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: a}}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n"
        "spec: {replicas: 99999999999999999999, template: {metadata: {labels: {app: a}}}}\n---\n"
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: b}\n"
        "spec: {replicas: true, template: {metadata: {labels: {app: a}}, spec: {containers: 7}}}\n---\n"
        "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"
        "spec: {scaleTargetRef: [not, a, mapping], minReplicas: -2}\n---\n"
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, annotations:"
        " {nginx.ingress.kubernetes.io/proxy-read-timeout: '5'}}\n"
        "spec: {ingressClassName: nginx, defaultBackend: {service: {name: s, port: {number: 80}}}}\n",
        encoding="utf-8")
    config = read("all.yaml", tmp_path)
    [route] = config.routes
    assert route.upstream_detail is not None and route.upstream_detail.nodes == 0
    assert sum("is not a count" in warning for warning in config.warnings) == 3


def test_an_httproute_sums_the_replicas_of_its_services_and_takes_their_probes(tmp_path: Path) -> None:
    for name in ("services.yaml", "workloads.yaml"):
        (tmp_path / name).write_bytes((FOLDER / name).read_bytes())
    (tmp_path / "route.yaml").write_text(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: claims}\n"
        "spec:\n  rules:\n"
        "    - matches: [{path: {type: PathPrefix, value: /v2/claims}}]\n"
        "      backendRefs: [{name: claims, port: 8080}, {name: quotes, port: 8080}]\n"
        "    - matches: [{path: {type: PathPrefix, value: /v2/audit}}]\n"
        "      backendRefs: [{name: audit, port: 8080}]\n", encoding="utf-8")
    probed, unprobed = (route.upstream_detail for route in read("route.yaml", tmp_path).routes)
    assert probed is not None and unprobed is not None
    assert (probed.nodes, probed.has_health_checks) == (4, True)  # 1 + 3 replicas, every pod probed
    assert "not part of Gateway API core" not in (probed.evidence.note or "")
    assert (unprobed.nodes, unprobed.has_health_checks) == (1, False)
    assert "no probed workload was found" in (unprobed.evidence.note or "")


def test_one_workload_written_in_two_files_counts_once(tmp_path: Path) -> None:
    for name in ("ingress.yaml", "services.yaml", "workloads.yaml"):
        (tmp_path / name).write_bytes((FOLDER / name).read_bytes())
    (tmp_path / "copy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: claims, namespace: claims}\n"
        "spec: {replicas: 1, template: {metadata: {labels: {app: claims}}}}\n", encoding="utf-8")
    claims = read("ingress.yaml", tmp_path).routes[0].upstream_detail
    assert claims is not None and claims.nodes == 1
