"""The PDF report: the HTML report's template laid out for A4 paper by WeasyPrint.

WeasyPrint is given the page as a string with the templates folder as its base URL and a URL fetcher
that serves only files inside that folder: the report can never make a network request or read a file
elsewhere on the machine, whatever text an input smuggled into it. Its fonts are the Noto files shipped
in that folder (`fonts.css`, OFL-licensed), embedded in the PDF, so the layout does not depend on the
fonts a machine has installed and nothing is downloaded. The PDF's dates are the scan's, never the
clock's, so the same assessment gives the same bytes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from riskscan.model import Assessment
from riskscan.report.html_report import render_html
from riskscan.resources import report_templates_dir

__all__ = ["LocalOnlyFetcherRefused", "PdfRenderer", "is_local_template_url", "render_pdf"]

log = logging.getLogger(__name__)


class LocalOnlyFetcherRefused(ValueError):
    """WeasyPrint asked for a URL outside the templates folder; it is refused, never fetched."""


class PdfRenderer:
    """Renders an `Assessment` as an A4 PDF."""

    name = "pdf"
    suffixes: tuple[str, ...] = (".pdf",)
    media_type = "application/pdf"
    is_binary = True

    def render(self, assessment: Assessment) -> bytes:
        """The PDF report as bytes."""
        return render_pdf(assessment)


def render_pdf(assessment: Assessment) -> bytes:
    """Lay the report out as a PDF, with no access to anything but the templates folder."""
    import weasyprint  # imported here: it is slow to import and only the PDF needs it

    templates = report_templates_dir()
    document = weasyprint.HTML(
        string=render_html(assessment, medium="print"),
        base_url=str(templates),
        url_fetcher=_local_fetcher(templates),
    )
    with _reproducible_timestamps(assessment.scanned_at):
        pdf: bytes = document.write_pdf()
    return pdf


@contextmanager
def _reproducible_timestamps(moment: datetime) -> Iterator[None]:
    """Stamp embedded font subsets with the scan time instead of the clock.

    fontTools writes the current time into every font subset it makes unless SOURCE_DATE_EPOCH is
    set (the reproducible-builds convention); setting it to the scan time makes the same assessment
    give the same PDF bytes. A value the user set is left alone.
    """
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    os.environ["SOURCE_DATE_EPOCH"] = str(max(0, int(aware.timestamp())))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def is_local_template_url(url: str, templates: Path) -> bool:
    """True when `url` is a `file:` URL naming a file inside the `templates` folder."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    target = Path(unquote(parts.path)).resolve()
    return target.is_file() and target.is_relative_to(templates.resolve())


def _local_fetcher(templates: Path) -> Any:
    """A WeasyPrint URL fetcher that refuses every URL but template-folder files."""
    from weasyprint import urls

    fetcher_class = getattr(urls, "URLFetcher", None)
    if fetcher_class is None:  # WeasyPrint < 66 takes a plain function
        def fetch(url: str) -> Any:
            _refuse_unless_local(url, templates)
            return urls.default_url_fetcher(url)
        return fetch

    class _LocalFetcher(fetcher_class):  # type: ignore[misc, valid-type]
        def fetch(self, url: str, headers: Any = None) -> Any:
            _refuse_unless_local(url, templates)
            return super().fetch(url, headers)

    return _LocalFetcher(allowed_protocols=("file",))


def _refuse_unless_local(url: str, templates: Path) -> None:
    if not is_local_template_url(url, templates):
        log.warning("report refused to fetch a resource outside the templates folder")
        raise LocalOnlyFetcherRefused("only files in the report templates folder may be loaded")
