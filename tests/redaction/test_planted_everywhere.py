"""Secrets of every class, planted in every position of every input kind, reach no output.

Every class (emails, cards, SSNs, phones, IBANs, IPv4/IPv6, JWTs, opaque, multi-dash and base64
tokens, AWS keys, `name=value` and quoted-key passwords, cookies, URL userinfo, `Bearer` values,
private keys, bidi controls) goes into spec paths, titles, descriptions, summaries, operation ids,
server URLs, parameter and security scheme names; APISIX route uris, ids, names, hosts, vars,
upstream nodes, plugin and consumer config; access-log paths, query strings, absolute-URI hosts,
users, referers, user agents and clients; and the names of the files and folders holding them. A
real scan then writes JSON, HTML and the history database: none of the values may appear there, nor
on stdout, stderr or in any log record, raw, percent-encoded, JSON-escaped or HTML-escaped. The PDF
is checked once, on a fixed estate, because rendering one per example would be slow.
"""

from __future__ import annotations

import html
import io
import json
import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from typer.testing import CliRunner

from riskscan.cli import app
from .planting import Secret, make_secrets, write_estate


@contextmanager
def _captured_logs() -> Iterator[io.StringIO]:
    """Every log record of the scan, at every level, as text."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


_MISSING = "missing-jane@mail.example"


def _everything_written(roots: list[Path], out: Path, formats: tuple[str, ...]) -> tuple[str, str]:
    """Scan `roots` (each a root, so their names are the report's `roots`) into every format in
    `formats` and a history; all the text produced, and the JSON report."""
    db = out / "history.db"
    args = ["scan", *map(str, roots), str(roots[0] / _MISSING), "--debug", "--db", str(db)]
    for fmt in formats:
        args += ["-o", str(out / f"report.{fmt}")]
    with _captured_logs() as logs:
        missing = CliRunner().invoke(app, args)  # one path that does not exist: an error naming it
        result = CliRunner().invoke(app, [arg for arg in args if not arg.endswith(_MISSING)])
    assert missing.exit_code == 2 and "no such file" in missing.stderr, missing.output
    assert "jane@mail.example" not in missing.stderr
    assert result.exit_code == 0, result.output
    texts = [missing.stdout, missing.stderr, result.stdout, result.stderr, logs.getvalue()]
    for fmt in formats:
        report = out / f"report.{fmt}"
        if fmt == "pdf":
            texts += [page.extract_text() for page in PdfReader(report).pages]
        else:
            texts.append(report.read_text(encoding="utf-8"))
    with sqlite3.connect(db) as conn:
        for (table,) in conn.execute("select name from sqlite_master where type = 'table'"):
            texts += [repr(row) for row in conn.execute(f"select * from [{table}]")]
    return "\n".join(texts), (out / "report.json").read_text(encoding="utf-8")


def _spellings(secret: Secret, value: str) -> set[str]:
    if secret.is_character:  # percent-encoded, a control character is inert (and that is the intent)
        return {value, json.dumps(value)[1:-1]}
    return {value, quote(value, safe=""), quote(value), json.dumps(value)[1:-1], html.escape(value)}


def _leaks(written: str, secrets: list[Secret]) -> list[str]:
    lowered = written.lower()
    return [
        f"{secret.kind}: {spelling!r}"
        for secret in secrets
        for value in secret.values
        for spelling in _spellings(secret, value)
        if spelling.lower() in lowered
    ]


def _check_the_scan_used_the_inputs(report: str) -> None:
    """Guards the leak check: a scan that read nothing would trivially leak nothing."""
    document = json.loads(report)
    statuses = [item["status"] for item in document["inputs"]]
    assert statuses.count("used") >= len(statuses) * 2 // 3, document["inputs"]
    assert "failed" in statuses and len(document["roots"]) > 1
    assert any(endpoint["path"].startswith("/v1/things/") for endpoint in document["endpoints"])


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # a seed does not shrink to anything simpler
    suppress_health_check=[HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), variant=st.integers(min_value=0, max_value=5))
def test_no_planted_secret_reaches_json_html_history_or_console(seed: int, variant: int) -> None:
    secrets = make_secrets(seed, variant)
    with tempfile.TemporaryDirectory() as work:
        estate, out = Path(work) / "estate", Path(work) / "out"
        out.mkdir()
        written, report = _everything_written(write_estate(estate, secrets), out, ("json", "html"))
    _check_the_scan_used_the_inputs(report)
    assert _leaks(written, secrets) == []


def test_no_planted_secret_reaches_the_pdf(tmp_path: Path) -> None:
    secrets = make_secrets(20261130, variant=4)  # the cookie spelling: the most text per secret
    roots = write_estate(tmp_path / "estate", secrets)
    (tmp_path / "out").mkdir()
    written, report = _everything_written(roots, tmp_path / "out", ("json", "pdf"))
    _check_the_scan_used_the_inputs(report)
    assert _leaks(written, secrets) == []
