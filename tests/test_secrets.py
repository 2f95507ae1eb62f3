"""Secrets planted in the inputs reach no output, no database row and no message.

The fixture estate carries a gateway client secret and a consumer key (APISIX), a query-string token,
an email in a path, a token in a user agent, and client IP addresses (access log). The demo estate
lists its own planted secrets in `examples/northwind-mutual/README.md`.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

ESTATE = Path(__file__).resolve().parent / "fixtures" / "estate"
PLANTED = [
    "PLANTED-OIDC-CLIENT-SECRET-4410",
    "PLANTED-CONSUMER-KEY-7731",
    "PLANTEDQUERYTOKEN0099",
    "planted.person@example.com",
    "PLANTEDUATOKEN12345",
    "203.0.113.50",
    "198.51.100.23",
    "192.0.2.14",
    "2001:db8::7",
    "203.0.113.99",
]


def everything_written(tmp_path: Path, estate: Path) -> str:
    """Scan into every format and the history; return all of it (and the console) as one text."""
    out = tmp_path / "out"
    out.mkdir()
    db = out / "history.db"
    result = subprocess.run(
        [sys.executable, "-m", "riskscan", "scan", str(estate), "-v", "-o", str(out / "r.json"),
         "-o", str(out / "r.html"), "-o", str(out / "r.pdf"), "--db", str(db)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    texts = [result.stdout, result.stderr, (out / "r.json").read_text(), (out / "r.html").read_text()]
    texts += [page.extract_text() for page in PdfReader(out / "r.pdf").pages]
    texts.append((out / "r.pdf").read_bytes().decode("latin-1"))
    with sqlite3.connect(db) as conn:
        for (table,) in conn.execute("select name from sqlite_master where type = 'table'"):
            texts += [repr(row) for row in conn.execute(f"select * from [{table}]")]
    return "\n".join(texts)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> str:
    return everything_written(tmp_path_factory.mktemp("secrets"), ESTATE)


@pytest.mark.parametrize("secret", PLANTED)
def test_planted_secret_appears_nowhere(written: str, secret: str) -> None:
    assert secret not in written
    assert secret.lower() not in written.lower()


def test_the_outputs_are_not_empty(written: str) -> None:
    # Guards the test above: an empty output would trivially contain no secret.
    assert "/v1/claims/{claimId}" in written
