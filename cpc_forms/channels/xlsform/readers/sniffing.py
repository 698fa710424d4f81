"""Whether a file is an export or submission of ODK Central, KoboToolbox, Ona or SurveyCTO, by its first bytes."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .workbook import workbook_problem, xlsx_rows

SIGNATURES = ("submissiondate", "key", "_uuid", "_submission_time", "formdef_version", "meta-instanceid",
              "meta/instanceid", "instanceid", "__version__", "formversion")


def text_of(head: bytes) -> str:
    """A file's first bytes as text, BOM and leading blanks dropped."""
    return head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")


def head_of(path: Path) -> bytes:
    """A file's first 4 KiB."""
    with path.open("rb") as f:
        return f.read(4096)


def _first_line(path: Path, limit: int = 1 << 20) -> bytes:
    """The header line of a wide export (a label-mode Kobo header easily passes the first 4 KiB)."""
    with path.open("rb") as f:
        return f.readline(limit)


def _is_instance(text: str) -> bool:
    root = re.search(r"<(?![?!])([\w:.-]+)([^>]*)>", re.sub(r"<!--.*?-->", "", text, flags=re.S))
    return (root is not None and root.group(1).split(":")[-1] != "html"
            and re.search(r"\bid\s*=", root.group(2)) is not None)


def _is_csv(text: str) -> bool:
    first = text.split("\n", 1)[0].casefold()
    cells = {c.strip().strip('"') for c in re.split(r"[;,\t]", first)}
    return any(s in cells for s in SIGNATURES)


def sniff(path, head: bytes) -> bool:
    """Whether a file (its first bytes in head) is an export or submission this channel reads."""
    path = Path(path)
    if path.is_dir():
        return any(sniff(p, head_of(p)) for p in path.rglob("*") if p.is_file())
    if head.startswith(b"PK"):
        return _sniff_zip(path)
    text = text_of(head)
    if text.startswith("<"):
        return _is_instance(text)
    if text.startswith(("{", "[")):
        return any(k in text for k in ('"@odata.context"', '"__id"', '"_uuid"', '"_submission_time"'))
    return _is_csv(text if b"\n" in head else text_of(_first_line(path)))


def _sniff_zip(path: Path) -> bool:
    if path.suffix.lower() == ".xlsx":
        return _xlsx_header_is_export(path)
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.lower().endswith((".csv", ".xml", ".json")) for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return path.suffix.lower() == ".zip"  # a broken zip is still ours to report


def _xlsx_header_is_export(path: Path) -> bool:
    if workbook_problem(path) is not None:  # a bomb is not opened to be sniffed
        return False
    try:
        first = next(xlsx_rows(path), ())
    except Exception:  # noqa: BLE001 - any broken workbook is simply not ours
        return False
    return any(str(c).casefold() in ("_uuid", "_submission_time") for c in first if c)
