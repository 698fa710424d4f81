"""Report writers: one scoring run (a Report) -> scores.csv, scores.json, scores.xlsx, report.html.

Each module has write(report, path, **options) -> Path. Options: personal=True puts answers to
personal-data questions into csv, json and xlsx (left out by default); language='fr' labels xlsx and
html in that language (default: the form's default language)."""
from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Iterable, List, Optional

from ..model import Report

FILES = {"csv": "scores.csv", "json": "scores.json", "xlsx": "scores.xlsx", "html": "report.html"}
OPTIONS = {"csv": ("personal",), "json": ("personal",), "xlsx": ("personal", "language"), "html": ("language",)}


def writer(fmt: str):
    """The writer module of one format."""
    if fmt not in FILES:
        raise KeyError(f"unknown report format {fmt!r} (known: {', '.join(FILES)})")
    return import_module(f"{__name__}.{fmt}")


def write_all(report: Report, out_dir, formats: Iterable[str] = tuple(FILES), *, personal: bool = False,
              language: Optional[str] = None) -> List[Path]:
    """Write every asked format into out_dir (created if needed); the paths written, in order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    options = {"personal": personal, "language": language}
    return [writer(fmt).write(report, out / FILES[fmt], **{k: options[k] for k in OPTIONS[fmt]})
            for fmt in formats]
