"""An nginx configuration held in memory (a ConfigMap's value) parses to the same statements, lines and
errors as the same text in a file, under the same bounds, without a file being opened or written; its
includes are kept, not followed, with a warning."""

from __future__ import annotations

import builtins
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import crossplane
import pytest

from riskscan.sources import ReadContext
from riskscan.sources.gateways.nginx_tree import MAX_BLOCK_DEPTH, NginxError, _parse_text, _problem, load_tree

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NGINX_FILES = sorted(path for path in FIXTURES.rglob("*.conf") if "nginx" in path.as_posix())


@dataclass(frozen=True)
class _InMemory(ReadContext):
    """`virtual` is no file: its text is `text`, and nothing beside it may be opened."""

    virtual: Path = Path()
    text: str = field(default="", repr=False)

    def is_allowed(self, path: Path) -> bool:
        return False

    def embedded_text(self, path: Path) -> str | None:
        return self.text if path == self.virtual else None


def _parsed_as_file(path: Path) -> tuple[list[dict[str, Any]], tuple[str, int | None] | None]:
    errors: list[BaseException] = []
    payload = crossplane.parse(str(path), onerror=errors.append, catch_errors=False, single=True,
                               check_ctx=False, check_args=False)
    return ([], _problem(errors[0])) if errors else (payload["config"][0]["parsed"], None)


def _no_open(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a file was opened: {args[:2]}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)


def test_the_nginx_fixtures_are_many_and_include_the_broken_ones() -> None:
    names = {path.name for path in NGINX_FILES}
    assert len(NGINX_FILES) >= 20
    assert {"broken-unclosed-block.conf", "broken-unexpected-brace.conf", "broken-unterminated-quote.conf"} <= names


@pytest.mark.parametrize("path", NGINX_FILES, ids=lambda path: path.relative_to(FIXTURES).as_posix())
def test_text_in_memory_parses_to_the_statements_and_errors_of_the_same_file(path: Path) -> None:
    assert _parse_text(path.read_text(encoding="utf-8", errors="replace"), 1 << 20) == _parsed_as_file(path)


def test_windows_line_ends_count_lines_as_a_file_does(tmp_path: Path) -> None:
    text = "events {}\r\nhttp {\r\n  server {\r\n    listen 80;\r\n    # a comment\r\n    location /a {\r\n" \
           "      if ($request_method = ( POST )) { return 405; }\r\n      proxy_pass http://a # inline\r\n;\r\n" \
           "    }\r\n  }\r\n}\r\n"
    (tmp_path / "nginx.conf").write_bytes(text.encode())
    assert _parse_text(text, 1 << 20) == _parsed_as_file(tmp_path / "nginx.conf")


def test_an_embedded_config_is_parsed_without_opening_a_file_and_keeps_its_includes_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "api.conf").write_text("server { listen 80; }\n")  # beside it, never read
    virtual = tmp_path / "proxy.yaml#nginx.conf"
    text = "http {\n  include conf.d/*.conf;\n  include /etc/nginx/mime.types;\n  server { listen 443 ssl; }\n}\n"
    context = _InMemory(root=tmp_path, virtual=virtual, text=text)
    _no_open(monkeypatch)
    tree = load_tree(virtual, context)
    [http] = tree.directives
    assert [(d.name, d.args, d.line, d.block is None) for d in http.block or ()] == [
        ("include", ("conf.d/*.conf",), 2, True), ("include", ("/etc/nginx/mime.types",), 3, True),
        ("server", (), 4, False)]
    assert tree.included == []
    assert tree.warnings == [
        f'proxy.yaml#nginx.conf:{line}: include "{pattern}" is in a configuration held in a ConfigMap: the files'
        " it names cannot be seen, what they set is not assessed"
        for line, pattern in ((2, "conf.d/*.conf"), (3, "/etc/nginx/mime.types"))]


@pytest.mark.parametrize(("text", "problem", "line"), [
    ("http {\n  server {\n    listen 80;\n", 'unexpected end of file, expecting "}"', 3),
    ("http {\n}\n}\n", 'unexpected "}"', 3),
    ("http {\n  server_name \"api;\n}\n", 'unexpected end of file, expecting "}"', 2),  # quote unclosed
    ("a {" * (MAX_BLOCK_DEPTH + 1) + "}" * (MAX_BLOCK_DEPTH + 1),
     f"blocks nested too deeply (more than {MAX_BLOCK_DEPTH} levels)", 1),
    ("events {}\n" + "#" * 200, "200 bytes, over the 100-byte limit", None),
])
def test_a_broken_embedded_config_is_one_error_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, problem: str, line: int | None
) -> None:
    virtual = tmp_path / "proxy.yaml#nginx.conf"
    max_bytes = 100 if "over the" in problem else 1 << 20
    if "over the" in problem:
        problem = f"{len(text)} bytes, over the 100-byte limit"
    context = _InMemory(root=tmp_path, virtual=virtual, text=text, max_bytes=max_bytes)
    _no_open(monkeypatch)
    with pytest.raises(NginxError) as raised:
        load_tree(virtual, context)
    assert (raised.value.problem, raised.value.line) == (problem, line)


def test_nesting_up_to_the_bound_is_accepted(tmp_path: Path) -> None:
    virtual = tmp_path / "proxy.yaml#nginx.conf"
    text = "a {" * MAX_BLOCK_DEPTH + "}" * MAX_BLOCK_DEPTH
    assert load_tree(virtual, _InMemory(root=tmp_path, virtual=virtual, text=text)).directives
    (tmp_path / "deep.conf").write_text(text)
    assert load_tree(tmp_path / "deep.conf", ReadContext(root=tmp_path)).directives
