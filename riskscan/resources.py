"""Where the data files that ship with riskscan (report templates, insurer questionnaires) are found.

In a wheel they sit inside the package (`riskscan/report_templates`); in a source checkout they sit
at the top of the repository, beside the package. Both are tried, the packaged copy first.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["questionnaires_dir", "report_templates_dir"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def report_templates_dir() -> Path:
    """The folder of Jinja2 report templates."""
    return _data_dir("report_templates")


def questionnaires_dir() -> Path:
    """The folder of insurer questionnaires (`*.yaml`), one file per questionnaire."""
    return _data_dir("questionnaires")


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"riskscan's {name} folder is missing from this installation")
