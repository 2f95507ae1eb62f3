"""The renderer registry and safe writing: format choice, stdout, atomic replacement, clear errors."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from riskscan.errors import OutputError, UsageError
from riskscan.model import Assessment
from riskscan.report import RENDERERS, Renderer, register, renderer_for, write_report


class _CsvRenderer:
    name = "csv"
    suffixes: tuple[str, ...] = (".csv",)
    media_type = "text/csv"
    is_binary = False

    def render(self, assessment: Assessment) -> bytes:
        return f"score\n{assessment.score}\n".encode()


class _BrokenRenderer:
    name = "broken"
    suffixes: tuple[str, ...] = (".broken",)
    media_type = "application/octet-stream"
    is_binary = False

    def render(self, assessment: Assessment) -> bytes:
        raise RuntimeError("renderer crashed")


@pytest.fixture
def extra_renderers() -> Iterator[None]:
    before = dict(RENDERERS)
    register(_CsvRenderer())
    register(_BrokenRenderer())
    yield
    RENDERERS.clear()
    RENDERERS.update(before)


def test_builtins_are_registered_and_meet_the_protocol() -> None:
    assert {"json", "html", "pdf"} <= RENDERERS.keys()
    for name, renderer in RENDERERS.items():
        assert isinstance(renderer, Renderer)
        assert renderer.name == name
        assert all(suffix.startswith(".") for suffix in renderer.suffixes)
    assert RENDERERS["pdf"].is_binary and not RENDERERS["json"].is_binary


@pytest.mark.parametrize(("destination", "fmt", "expected"), [
    ("report.json", None, "json"),
    ("out/Report.HTML", None, "html"),
    ("report.htm", None, "html"),
    ("report.pdf", None, "pdf"),
    ("report.pdf", "pdf", "pdf"),
    ("report.txt", "HTML", "html"),
    ("-", None, "json"),
    ("-", "html", "html"),
])
def test_renderer_for_picks_the_format(destination: str, fmt: str | None, expected: str) -> None:
    assert renderer_for(destination, fmt).name == expected


def test_a_format_contradicting_a_known_suffix_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="report.json names a json file, but its format is given as pdf"):
        renderer_for("report.json", "pdf")


@pytest.mark.parametrize(("destination", "fmt"), [("report.txt", None), ("report", None), ("r.json", "xlsx")])
def test_unknown_formats_are_one_line_usage_errors_naming_the_known_ones(destination: str, fmt: str | None) -> None:
    with pytest.raises(UsageError) as caught:
        renderer_for(destination, fmt)
    message = str(caught.value)
    assert "\n" not in message
    assert "html, json, pdf" in message


def test_added_renderers_work_like_builtins(extra_renderers: None, tmp_path: Path,
                                            insurer_assessment: Assessment) -> None:
    assert renderer_for("scores.csv", None).name == "csv"
    write_report(insurer_assessment, str(tmp_path / "scores.csv"), None)
    assert (tmp_path / "scores.csv").read_text() == "score\n61\n"


def test_a_suffix_cannot_be_claimed_twice() -> None:
    class Clash(_CsvRenderer):
        name = "other"
        suffixes: tuple[str, ...] = (".json",)

    with pytest.raises(ValueError, match="json"):
        register(Clash())
    assert "other" not in RENDERERS


def test_write_report_writes_every_format(tmp_path: Path, insurer_assessment: Assessment) -> None:
    for name in ("report.json", "report.html"):
        write_report(insurer_assessment, str(tmp_path / name), None)
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["grade"] == "C"
    assert "<html" in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.json"]  # no temp files left


def test_a_failed_render_leaves_the_old_file_untouched(extra_renderers: None, tmp_path: Path,
                                                       insurer_assessment: Assessment) -> None:
    target = tmp_path / "keep.broken"
    target.write_text("previous report")
    with pytest.raises(OutputError) as caught:
        write_report(insurer_assessment, str(target), None)
    assert str(caught.value) == f"{target}: could not render broken (RuntimeError)"
    assert target.read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.broken"]


def test_a_failed_write_leaves_no_partial_file(tmp_path: Path, insurer_assessment: Assessment,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(source: object, target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("riskscan.report.os.replace", refuse)
    with pytest.raises(OutputError, match="cannot write: Permission denied"):
        write_report(insurer_assessment, str(tmp_path / "report.json"), None)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("make_destination", "problem"), [
    (lambda root: root / "missing" / "report.json", "does not exist"),
    (lambda root: root, "is a folder"),
])
def test_bad_destinations_are_output_errors(tmp_path: Path, insurer_assessment: Assessment,
                                            make_destination: object, problem: str) -> None:
    destination = make_destination(tmp_path)  # type: ignore[operator]
    with pytest.raises(OutputError, match=problem) as caught:
        write_report(insurer_assessment, str(destination), "json")
    assert str(caught.value).startswith(str(destination))


class _FakeStdout(io.TextIOWrapper):
    def __init__(self, is_terminal: bool) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8")
        self._is_terminal = is_terminal

    def isatty(self) -> bool:
        return self._is_terminal


def test_stdout_gets_json_by_default(insurer_assessment: Assessment, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _FakeStdout(is_terminal=True)
    monkeypatch.setattr(sys, "stdout", fake)
    write_report(insurer_assessment, "-", None)
    assert json.loads(fake.buffer.getvalue())["score"] == 61  # type: ignore[attr-defined]


def test_pdf_to_a_terminal_is_refused_but_allowed_to_a_pipe(insurer_assessment: Assessment,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", _FakeStdout(is_terminal=True))
    with pytest.raises(UsageError, match="terminal"):
        renderer_for("-", "pdf")
    monkeypatch.setattr(sys, "stdout", _FakeStdout(is_terminal=False))
    assert renderer_for("-", "pdf").name == "pdf"
