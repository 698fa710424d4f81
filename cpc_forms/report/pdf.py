"""report.pdf: the page report.html is, laid out by WeasyPrint on A4 pages with the page's print design (one country
per page, nothing collapsed, numbered pages; report.css, @media print and @page). WeasyPrint is an optional
dependency (pip install "cpc-forms[pdf]"), imported only when a PDF is asked for; without it the writer refuses at
once, before any return is read, with a message saying how to install it (PdfUnavailable)."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional, Sequence

from ..aggregate import Country
from ..model import Form
from .html import Page
from .run import Run

INSTALL = 'pip install "cpc-forms[pdf]"'


class PdfUnavailable(RuntimeError):
    """report.pdf cannot be written here: WeasyPrint (or the Pango library it needs) is missing."""


def weasyprint() -> Any:
    """The weasyprint module, or PdfUnavailable saying how to install it."""
    try:
        import weasyprint as module  # type: ignore[import-untyped]
    except ImportError as exc:
        raise PdfUnavailable(f"report.pdf needs WeasyPrint, which is not installed: {INSTALL}") from exc
    except OSError as exc:  # WeasyPrint is there, the system's Pango library is not
        raise PdfUnavailable(f"report.pdf needs WeasyPrint and the Pango library ({exc}); see "
                             "https://doc.courtbouillon.org/weasyprint/stable/first_steps.html, then "
                             f"{INSTALL}") from exc
    return module


def unavailable() -> Optional[str]:
    """Why report.pdf cannot be written here (a message for the user: what to install), None when it can: for
    a command to say before it reads anything."""
    try:
        weasyprint()
    except PdfUnavailable as exc:
        return str(exc)
    return None


class Document(Page):
    """report.html's content, laid out as report.pdf."""

    def __init__(self, form: Form, path: Optional[Path] = None, language: Optional[str] = None,
                 personal: bool = False):
        self.weasyprint = weasyprint()
        super().__init__(form, path or Path("report.pdf"), language=language, personal=personal)

    def close(self, run: Run, countries: Sequence[Country]) -> Path:
        """Lay the page out on A4 pages and write them."""
        # WeasyPrint logs each CSS rule it skips (screen-only properties): not the user's concern
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.ERROR)
        self.weasyprint.HTML(string=self.html(run, countries)).write_pdf(self.path)
        return self.path


Writer = Document


def render(html: str) -> bytes:
    """A report.html page as PDF bytes."""
    return weasyprint().HTML(string=html).write_pdf()
