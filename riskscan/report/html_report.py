"""The HTML report: one self-contained page rendered from `report_templates/report.html.j2`.

The same template makes the PDF (see `pdf_report`): the stylesheet is inlined and the page refers to
no other file, font or URL, so it opens offline and prints as it shows; only the PDF's source (medium
"print") adds `fonts.css`, whose fonts the PDF renderer loads from the templates folder. Autoescaping
is on: every value from the assessment (paths, excerpts, messages) is escaped, so hostile input text
cannot become markup.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from riskscan.model import Assessment
from riskscan.redaction import neutralise
from riskscan.report.view import build_view
from riskscan.resources import report_templates_dir

__all__ = ["TEMPLATE_NAME", "HtmlRenderer", "render_html"]

TEMPLATE_NAME = "report.html.j2"


class HtmlRenderer:
    """Renders an `Assessment` as a standalone HTML page."""

    name = "html"
    suffixes: tuple[str, ...] = (".html", ".htm")
    media_type = "text/html"
    is_binary = False

    def render(self, assessment: Assessment) -> bytes:
        """The HTML report as UTF-8 bytes."""
        return render_html(assessment, medium="screen").encode("utf-8")


def render_html(assessment: Assessment, medium: str = "screen") -> str:
    """The report page as text; `medium` is "screen" (HTML output) or "print" (the PDF's source)."""
    template = _environment(report_templates_dir()).get_template(TEMPLATE_NAME)
    return template.render(view=build_view(assessment), medium=medium)


@lru_cache(maxsize=4)
def _environment(templates: Path) -> jinja2.Environment:
    """One Jinja2 environment per templates folder, so templates compile once per process."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt field fails loudly instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Second line of defence behind the model's gate: no bidi or separator character reaches the page.
        finalize=lambda value: neutralise(value) if isinstance(value, str) else value,
    )
