"""The Excel channel: a questionnaire workbook that scores itself, and a reader of filled returns."""
from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

from ...answers import flatten
from ...model import Form
from .. import Record, record_name
from .reader import read, sniff
from .results import read_results
from .writer import build, fill, generate

__all__ = ["generate", "fill", "write_returns", "sniff", "read", "read_results", "build"]

FALLBACK_FIRST_BYTES = ()  # a workbook is a zip: sniff() knows it, or it is no workbook


def write_returns(form: Form, records: Sequence[Record], folder: Path) -> List[Path]:
    """One filled workbook per record, <name>.<language>.xlsx, as units mail them back."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n, (answers, meta) in enumerate(records):
        language = meta.get("language") or form.default_language
        path = folder / f"{record_name(meta, n)}.{language}.xlsx"
        written.append(fill(form, flatten(form, answers), path, language))
    return written
