"""Secrets of every class planted in every field of an ALB log, a CloudFront log and a HAR capture
reach no output: JSON, HTML, the history database, stdout, stderr or a log record.

ALB: client, request path and query, host, user agent, SNI name, trace id, redirect URL. CloudFront:
viewer address, stem, query, Host header, cookie, referer, user agent, x-forwarded-for. HAR: URL path,
query and host, request and response headers and cookies, `queryString`, `postData`, response body
values and keys, the page title. Each capture also carries a JSON body, so the field-name path runs.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import quote

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from riskscan.cli import app
from .planting import Secret, make_secrets
from .test_planted_everywhere import _captured_logs, _leaks

_DNS_LABEL_KINDS = ("opaque", "slack", "aws")
_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/73e2d6bc24d8a067"
_CF_FIELDS = ("date time x-edge-location c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) "
              "cs-uri-query cs(Cookie) x-edge-request-id x-host-header x-forwarded-for").split()


def _cf_encode(value: str) -> str:
    """A value as CloudFront writes it: bytes outside printable ASCII and `<>"#%{}|\\^~[]`'` encoded."""
    return "".join(
        char if 32 < ord(char) < 127 and char not in "<>\"#%{}|\\^~[]`'"
        else "".join(f"%{byte:02X}" for byte in char.encode()) for char in value)


def _host(secret: Secret) -> str:
    return f"{secret.segment}.example.com" if secret.kind in _DNS_LABEL_KINDS else "api.example.com"


def _client(secret: Secret, index: int) -> str:
    return secret.values[0] if secret.kind in ("ipv4", "ipv6") else f"203.0.113.{index + 1}"


def _alb(index: int, secret: Secret) -> str:
    text = secret.text.replace('"', "'").replace("\n", " ")
    client = _client(secret, index)
    client = f"[{client}]" if ":" in client else client
    targets = [f"/api/{secret.segment}/view?q={quote(secret.text)}&token={quote(secret.values[0])}",
               f"/v1/things/{secret.segment}/details", "/v1/x"]
    return "".join(
        f"https 2026-11-09T08:0{minute}:00.000000Z app/lb/50dc6c495c0c9188 {client}:4000 10.0.0.1:80 0.001 0.002 "
        f'0.000 200 200 10 20 "GET https://{_host(secret)}:443{target} HTTP/1.1" "{text}" - - {_ARN} '
        f'"Root=1-{quote(secret.values[0], safe="")}" "{quote(secret.values[0], safe="")}" "-" 1 '
        f'2026-11-09T08:0{minute}:00.000000Z "forward" "https://r.example.com/?{quote(secret.text)}" "-"\n'
        for minute, target in enumerate(targets)
    )


def _cloudfront(index: int, secret: Secret) -> str:
    encoded = _cf_encode(quote(secret.text, safe=""))
    rows = []
    for minute, (stem, query) in enumerate([(f"/api/{secret.segment}/view", f"q={encoded}&token={encoded}"),
                                             (f"/v1/things/{secret.segment}/details", "-")]):
        values = {"date": "2026-11-09", "time": f"09:0{minute}:00", "x-edge-location": "LHR62-C2",
                  "c-ip": _client(secret, index), "cs-method": "GET", "cs(Host)": "d1.cloudfront.net",
                  "cs-uri-stem": _cf_encode(stem), "sc-status": "200", "cs(Referer)": encoded,
                  "cs(User-Agent)": encoded, "cs-uri-query": query, "cs(Cookie)": encoded,
                  "x-edge-request-id": "abc==", "x-host-header": _host(secret), "x-forwarded-for": encoded}
        rows.append("\t".join(values[name] for name in _CF_FIELDS))
    return "#Version: 1.0\n#Fields: " + " ".join(_CF_FIELDS) + "\n" + "\n".join(rows) + "\n"


def _har(index: int, secret: Secret) -> str:
    value, text = secret.values[0], secret.text
    headers = [{"name": "Authorization", "value": f"Bearer {value}"}, {"name": "Cookie", "value": text},
               {"name": secret.segment, "value": text}]
    body = {"id": index, "owner": {"contact": value, text: 1, value: {"note": text}}, "items": [{"secret": value}]}
    entry = {
        "startedDateTime": "2026-11-09T10:00:00.000Z",
        "request": {"method": "POST", "url": f"https://{_host(secret)}/v1/things/{secret.segment}/details?"
                                             f"token={quote(value, safe='')}",
                    "headers": headers, "cookies": [{"name": "session", "value": value}],
                    "queryString": [{"name": "token", "value": value}],
                    "postData": {"mimeType": "application/json", "text": json.dumps({"password": value, "note": text})}},
        "response": {"status": 200, "headers": headers, "cookies": [{"name": "sid", "value": value}],
                     "content": {"mimeType": "application/json", "text": json.dumps(body)}},
    }
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "test"},
                               "pages": [{"id": "p", "title": text, "startedDateTime": "2026-11-09T10:00:00Z"}],
                               "entries": [entry]}})


def _write(root: Path, secrets: list[Secret]) -> None:
    for index, secret in enumerate(secrets):
        folder = root / f"{index:02d}"
        folder.mkdir(parents=True)
        (folder / "alb.log").write_text(_alb(index, secret), encoding="utf-8")
        (folder / "cloudfront.log").write_text(_cloudfront(index, secret), encoding="utf-8")
        (folder / "capture.har").write_text(_har(index, secret), encoding="utf-8")


def _everything_written(root: Path, out: Path) -> tuple[str, dict[str, object]]:
    db = out / "history.db"
    args = ["scan", str(root), "--debug", "--db", str(db), "-o", str(out / "r.json"), "-o", str(out / "r.html")]
    with _captured_logs() as logs:
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    texts = [result.stdout, result.stderr, logs.getvalue(), (out / "r.json").read_text(encoding="utf-8"),
             (out / "r.html").read_text(encoding="utf-8")]
    with sqlite3.connect(db) as conn:
        for (table,) in conn.execute("select name from sqlite_master where type = 'table'"):
            texts += [repr(row) for row in conn.execute(f"select * from [{table}]")]
    return "\n".join(texts), json.loads((out / "r.json").read_text(encoding="utf-8"))


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), variant=st.integers(min_value=0, max_value=5))
def test_no_secret_planted_in_aws_logs_or_captures_reaches_any_output(seed: int, variant: int) -> None:
    secrets = make_secrets(seed, variant)
    with tempfile.TemporaryDirectory() as work:
        root, out = Path(work) / "estate", Path(work) / "out"
        out.mkdir()
        _write(root, secrets)
        written, report = _everything_written(root, out)
    statuses = {(item["kind"], item["status"]) for item in report["inputs"]}  # type: ignore[union-attr]
    assert statuses == {("alb_log", "used"), ("cloudfront_log", "used"), ("har", "used")}, statuses
    assert any("response_fields" in (item["traffic"] or {}) for item in report["endpoints"])  # type: ignore[union-attr]
    assert _leaks(written, secrets) == []
