"""Patterns run on whole input files cost time in proportion to the text (issue 8, review): a file of
blank lines, or a kong.conf value with a long run of blanks inside, is read as before and never meets a
pattern that tries every line start against the rest of the file. Never timed: the patterns' shape is
asserted, and the pathological inputs are shown to be read correctly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from riskscan.sources import ReadContext
from riskscan.sources.gateways import apisix_sniff, kong, kong_conf, kubernetes_sniff, nginx
from riskscan.sources.gateways.declared_kinds import _pattern, declares_kind
from riskscan.sources.gateways.kong_conf import parse_kong_conf
from riskscan.sources.gateways.kubernetes import KubernetesReader
from riskscan.sources.gateways.nginx import NginxReader

BLANK_LINES = "\n" * 30_000
# A line start followed by a repetition that can run over newlines: tried at each of n blank lines, it
# runs to the end of the text from each of them.
_SPANS_LINES_FROM_LINE_START = re.compile(r"\^(?:\\s|\[[^\]]*\\n[^\]]*\])[*+]")

LINE_START_PATTERNS = [
    kong._ROUTE_PATHS, kong._APISIX_URI, apisix_sniff._KONG_PATHS, apisix_sniff._APISIX_URI,
    kubernetes_sniff._CONTENT_LINE, nginx._BLOCK,
    _pattern(("ConfigMap",)), _pattern(("Service", "Deployment")),
]


@pytest.mark.parametrize("pattern", LINE_START_PATTERNS, ids=lambda pattern: str(pattern.pattern)[:40])
def test_no_line_start_pattern_repeats_over_newlines(pattern: re.Pattern[str] | re.Pattern[bytes]) -> None:
    source = pattern.pattern if isinstance(pattern.pattern, str) else pattern.pattern.decode()
    assert pattern.flags & re.MULTILINE
    assert _SPANS_LINES_FROM_LINE_START.search(source) is None
    assert r"(?:-\s+)" not in source and r"\s*$" not in source


def test_kong_conf_values_are_taken_whole_and_stripped_outside_the_pattern() -> None:
    assert "*?" not in kong_conf._ASSIGNMENT.pattern and "+?" not in kong_conf._ASSIGNMENT.pattern
    spaces = " " * 40_000
    settings, ignored = parse_kong_conf(f"a = x{spaces}y\nproxy_listen =   0.0.0.0:8443 ssl {spaces}\n"
                                        f"pg_password = 'quoted'  {spaces}\n")
    assert ignored == []
    assert settings["a"].value == f"x{spaces}y"
    assert settings["proxy_listen"].value == "0.0.0.0:8443 ssl"
    assert (settings["pg_password"].value, settings["pg_password"].line) == ("quoted", 3)


@pytest.mark.parametrize(("text", "expected"), [
    (f"{BLANK_LINES}apiVersion: v1\nkind: ConfigMap\n", True),
    ("items:\n  - kind: \"ConfigMap\"   # rendered\r\n", True),
    ('{"apiVersion": "v1",\n "kind":\n   "ConfigMap"}', True),
    ("kind: ConfigMapList\n", False),
    ("description: a ConfigMap\nkind: Secret\n", False),
    (BLANK_LINES, False),
])
def test_a_declared_kind_is_found_after_any_number_of_blank_lines(text: str, expected: bool) -> None:
    assert declares_kind(text.encode(), "ConfigMap") is expected


def test_a_configmap_after_thousands_of_blank_lines_in_another_file_is_still_read(tmp_path: Path) -> None:
    (tmp_path / "kong.yaml").write_text("""apiVersion: apps/v1
kind: Deployment
metadata: {name: kong, namespace: kong}
spec:
  template:
    spec:
      containers:
      - name: proxy
        image: kong:3.6
        envFrom:
        - configMapRef: {name: kong-env}
        env:
        - {name: KONG_DATABASE, value: "off"}
""")
    (tmp_path / "notes.yaml").write_text(f"a: 1{BLANK_LINES}")
    env = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kong-env, namespace: kong}\n"
           "data:\n  KONG_SSL_CIPHER_SUITE: old\n")
    (tmp_path / "env.yaml").write_text(BLANK_LINES + env)
    config = KubernetesReader().read(tmp_path / "kong.yaml", ReadContext(root=tmp_path))
    [setting] = config.tls_settings or ()
    assert setting.allows_legacy
    assert (setting.evidence.path, setting.evidence.line) == ("env.yaml", 30_005)


@pytest.mark.parametrize(("text", "expected"), [
    ("events {}\nhttp\n{\n  server\n  {\n    listen 80;\n  }\n}\n", True),
    ("worker_processes 1;\nlocation /api/\n{\n  proxy_pass http://backend;\n}\n", True),
    ("worker_processes 1;\n" + "location /x\n" * 5_000, False),
    ("worker_processes 1;" + BLANK_LINES, False),
])
def test_nginx_blocks_are_found_with_their_brace_on_the_next_line(tmp_path: Path, text: str,
                                                                    expected: bool) -> None:
    assert NginxReader().sniff(tmp_path / "nginx.conf", text.encode()) is expected


def test_blank_lines_do_not_make_a_manifest_document() -> None:
    head = f"apiVersion: v1\nkind: ConfigMap\n---{BLANK_LINES}---\napiVersion: v1\nkind: Secret\n".encode()
    assert kubernetes_sniff.is_manifest(head, is_whole=True)
    assert not kubernetes_sniff.is_manifest(f"a: 1\n---{BLANK_LINES}".encode(), is_whole=True)
