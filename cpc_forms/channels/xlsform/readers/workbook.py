"""An export workbook (KoboToolbox's XLSX): opened only when no member is past the limits, read row by row."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Iterator, Optional

from ....catalogue import Code, issue
from ....limits import member_problem
from ....model import Issue


def xlsx_rows(path: Path) -> Iterator[tuple]:
    """The rows of a workbook's first sheet, streamed, each string as typed."""
    from openpyxl import load_workbook
    try:
        wb = load_workbook(path, read_only=True)  # not data_only: a formula cell reads as its text
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
        raise OSError(f"not a readable workbook ({type(exc).__name__})") from exc
    try:
        for row in wb.worksheets[0].iter_rows(values_only=True):
            yield tuple(_unescape(c) if c.__class__ is str and "_x" in c else c for c in row)
    finally:
        wb.close()


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """A workbook string as typed: XlsxWriter (KoboToolbox's XLSX export) stores a carriage return and other
    control characters as _xHHHH_, and a literal '_x' as _x005F_x; openpyxl leaves them escaped."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def workbook_problem(path: Path) -> Optional[Issue]:
    """Why an export workbook cannot be opened safely (a member past the limits), or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                problem = member_problem(info)
                if problem:
                    return issue(Code.ZIP_MEMBER, path, member=info.filename, reason=problem)
    except (zipfile.BadZipFile, OSError) as exc:
        return issue(Code.UNREADABLE, path, reason=f"a truncated or broken workbook ({exc})")
    return None
