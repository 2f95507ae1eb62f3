"""The workloads behind an in-cluster Kubernetes `Service`: how many pods serve it, and whether they are
probed.

Read as the Kubernetes reference defines each object:

- a Service (not `ExternalName`) sends requests to the pods whose labels hold every pair of its
  `spec.selector`; those pods come from the workloads (apps/v1 `Deployment`, `StatefulSet`,
  `ReplicaSet`, `DaemonSet`) of the Service's namespace whose pod template labels
  (`spec.template.metadata.labels`) match. A Service without selector (its endpoints are managed by
  hand) or matching no workload of the files given shows no count;
- a Deployment, StatefulSet or ReplicaSet runs `spec.replicas` pods, 1 when the field is absent; a
  ReplicaSet owned by a Deployment (`kubectl get all -o yaml` lists both) is that Deployment's pods,
  not counted twice;
- a `HorizontalPodAutoscaler` (autoscaling/v1, v2) whose `scaleTargetRef` names the workload keeps it
  between `minReplicas` (default 1) and `maxReplicas`, whatever `spec.replicas` says: it scales down to
  its minimum when load is low, so the minimum is the count relied upon;
- a DaemonSet runs one pod per eligible node: several, but how many the manifest cannot say;
- a readiness probe takes a failing pod out of the Service's endpoints, a liveness probe restarts it
  (unready meanwhile): either is the health check of a gateway's upstream.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from riskscan.model import Evidence
from riskscan.sources.gateways.kubernetes_objects import KubeObject, mapping, mappings, text

__all__ = ["Autoscaler", "Pods", "Selector", "Workload", "autoscalers_of", "pods_behind", "replica_warnings",
           "workloads_of"]

_WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "DaemonSet"})
_WORKLOAD_GROUP = "apps/v1"
_AUTOSCALING_GROUP = "autoscaling/"
_MAX_REPLICAS = 2**31 - 1  # replicas are int32 in the API: anything above is not a count
_POD_CONTAINERS = ("containers", "initContainers")
_MAX_CITED = 5

Selector = frozenset[tuple[str, str]]
"""Label pairs: a Service's selector, or a pod template's labels."""


@dataclass(frozen=True)
class Workload:
    """A workload's pod template labels, its fixed replica count and probes, and where they are written."""

    kind: str
    namespace: str
    name: str
    labels: Selector
    replicas: int | None  # None: a DaemonSet (one pod per node), or a count that is not one
    probes: tuple[str, ...]  # "readiness", "liveness": the probes any container of the pod template has
    evidence: Evidence  # `spec.replicas`, or the workload where it is absent


@dataclass(frozen=True)
class Autoscaler:
    """A HorizontalPodAutoscaler: the workload it scales and the fewest pods it keeps."""

    namespace: str
    target: tuple[str, str]  # (kind, name) of its scaleTargetRef
    min_replicas: int | None  # None: not a count
    evidence: Evidence


@dataclass(frozen=True)
class Pods:
    """What serves one Service: its fixed pod count (None when the manifests cannot show one), whether
    every workload behind it is probed, and the places that show both."""

    count: int | None
    is_probed: bool
    evidence: tuple[Evidence, ...]


def workloads_of(objects: list[KubeObject]) -> list[Workload]:
    """The apps/v1 workloads among `objects`, ReplicaSets owned by a Deployment left out."""
    return [_workload(item) for item in objects
            if item.kind in _WORKLOAD_KINDS and item.api_version == _WORKLOAD_GROUP and not _is_owned(item)]


def autoscalers_of(objects: list[KubeObject]) -> list[Autoscaler]:
    """The HorizontalPodAutoscalers among `objects` (any autoscaling/ version)."""
    found: list[Autoscaler] = []
    for item in objects:
        if item.kind != "HorizontalPodAutoscaler" or not item.api_version.startswith(_AUTOSCALING_GROUP):
            continue
        target = mapping(item.spec.get("scaleTargetRef"))
        value = item.spec.get("minReplicas", 1)
        minimum = _count(value)
        where = "/spec/minReplicas" if "minReplicas" in item.spec else "/spec/scaleTargetRef"
        shown = minimum if minimum is not None else "not a count"
        note = (f"autoscaler keeps at least {shown} replica(s)" if "minReplicas" in item.spec
                else "autoscaler without minReplicas: Kubernetes keeps at least 1 replica")
        found.append(Autoscaler(item.namespace, (text(target.get("kind")), text(target.get("name"))), minimum,
                                item.evidence(where, f"{item.label} minReplicas", note)))
    return found


def pods_behind(namespace: str, selector: Selector, workloads: list[Workload],
                autoscalers: list[Autoscaler]) -> Pods | None:
    """The pods a Service of `namespace` with `selector` reaches; None when it has no selector or no
    workload given matches it (nothing is claimed then)."""
    if not selector:
        return None
    # One object per kind, namespace and name: written in two files, it is still one workload (the
    # file being read comes first, as `ServiceIndex` lists them).
    unique: dict[tuple[str, str], Workload] = {}
    for workload in workloads:
        if workload.namespace == namespace:
            unique.setdefault((workload.kind, workload.name), workload)
    matched = [w for w in unique.values() if selector <= w.labels]
    if not matched:
        return None
    counts: list[int | None] = []
    evidence: list[Evidence] = []
    for workload in matched:
        scaler = next((a for a in autoscalers if a.namespace == namespace
                       and a.target == (workload.kind, workload.name)), None)
        # An autoscaler decides the count whatever spec.replicas says (a DaemonSet cannot be scaled).
        counts.append(scaler.min_replicas if scaler is not None and workload.replicas is not None
                      else workload.replicas)
        evidence += [workload.evidence] if scaler is None else [workload.evidence, scaler.evidence]
    known = [count for count in counts if count is not None]
    total = sum(known) if len(known) == len(counts) else None
    return Pods(count=total or None, is_probed=all(w.probes for w in matched),
                evidence=tuple(evidence[:_MAX_CITED]))


def replica_warnings(objects: list[KubeObject]) -> list[str]:
    """One line per workload or autoscaler whose replica count is not a count (it then shows none)."""
    warnings: list[str] = []
    for item in objects:
        field = "replicas" if item.kind in _WORKLOAD_KINDS and item.kind != "DaemonSet" else (
            "minReplicas" if item.kind == "HorizontalPodAutoscaler" else "")
        if field and field in item.spec and _count(item.spec.get(field)) is None:
            warnings.append(f"{item.label}: spec.{field} is not a count from 0 to {_MAX_REPLICAS}: its pods"
                            " are not counted")
    return warnings


def _workload(item: KubeObject) -> Workload:
    template = mapping(item.spec.get("template"))
    labels = mapping(mapping(template.get("metadata")).get("labels"))
    selector: Selector = frozenset((str(key), text(value)) for key, value in labels.items())
    probes = _probes(mapping(template.get("spec")))
    checked = f"; probes: {', '.join(probes)}" if probes else "; no readiness or liveness probe"
    if item.kind == "DaemonSet":
        evidence = item.evidence("", item.label, "a DaemonSet runs one pod per node: several, not a fixed"
                                                 f" count{checked}")
        return Workload(item.kind, item.namespace, item.name, selector, None, probes, evidence)
    if "replicas" not in item.spec:
        note = f"spec.replicas not set: Kubernetes runs 1 replica{checked}"
        return Workload(item.kind, item.namespace, item.name, selector, 1, probes,
                        item.evidence("/spec" if item.spec else "", f"{item.label} (no spec.replicas)", note))
    replicas = _count(item.spec.get("replicas"))
    note = (f"spec.replicas {replicas}" if replicas is not None else "spec.replicas is not a count") + checked
    return Workload(item.kind, item.namespace, item.name, selector, replicas, probes,
                    item.evidence("/spec/replicas", f"{item.label} spec.replicas", note))


def _probes(pod: Mapping[str, Any]) -> tuple[str, ...]:
    """Which of readiness and liveness probes any container of the pod spec declares."""
    containers = [c for field in _POD_CONTAINERS for c in mappings(pod.get(field))]
    return tuple(name for name in ("readiness", "liveness")
                 if any(isinstance(c.get(f"{name}Probe"), dict) for c in containers))


def _is_owned(item: KubeObject) -> bool:
    """A ReplicaSet a Deployment manages (its pods are the Deployment's)."""
    owners = mappings(mapping(item.body.get("metadata")).get("ownerReferences"))
    return item.kind == "ReplicaSet" and any(text(owner.get("kind")) == "Deployment" for owner in owners)


def _count(value: object) -> int | None:
    """A replica count as the API accepts it (an int32 from 0), else None."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_REPLICAS:
        return None
    return value
