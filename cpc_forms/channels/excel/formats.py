"""Which spreadsheet format a file is, whatever its name (.xlsx, .ods, .xls, a password-encrypted workbook),
whether the sheets to be read are of a size a questionnaire can have (checked before any is parsed), and
calamine opened on it."""
from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, Iterable, Optional, Tuple

import python_calamine

from ...limits import WORKBOOK_CELLS, WORKBOOK_PART_BYTES, XLS_BYTES, XLS_MEMORY
from . import ods, ooxml, xls
from .cfb import OLE, CompoundFile

ODS = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass
class Book:
    """A workbook's format ('xlsx', 'ods', 'xls' or 'encrypted') and, for an .xls, what its records tell."""
    kind: str
    sheets: Dict[str, xls.Sheet] = field(default_factory=dict)


def identify(source: str) -> Tuple[Optional[Book], str]:
    """(the workbook's format, '') or (None, why it is no workbook we read)."""
    try:
        with open(source, "rb") as stream:
            head = stream.read(100)
            if not head.startswith(OLE):
                return (Book("ods" if ODS in head else "xlsx"), "") if head.startswith(b"PK\x03\x04") else \
                    (None, "not an Excel workbook (neither an .xlsx nor an .xls or .ods)")
            size = os.fstat(stream.fileno()).st_size
            if size > XLS_BYTES:
                return None, f"an .xls of {size / 1024 ** 2:.0f} MB; a questionnaire takes well under 1 MB"
            stream.seek(0)
            ole = CompoundFile(stream.read())
    except OSError as exc:
        return None, exc.strerror or str(exc)
    except (ValueError, KeyError, IndexError, struct.error) as exc:
        return None, f"a damaged Office file ({exc})"[:300]
    names = ole.names()
    if "EncryptionInfo" in names or "EncryptedPackage" in names:
        return Book("encrypted"), ""
    if "Workbook" not in names and "Book" not in names:
        return None, "an Office file that holds no workbook (a Word or PowerPoint document?)"
    try:
        sheets, encrypted = xls.workbook(ole)
    except (ValueError, KeyError, IndexError, struct.error) as exc:
        return None, f"a damaged .xls ({exc})"[:300]
    return Book("encrypted" if encrypted else "xls", sheets), ""


def calamine(source: str, book: Book):
    """calamine's workbook, of the format the file is whatever its name says (an .xls renamed .xlsx)."""
    with panics():
        if book.kind == "xlsx":
            return python_calamine.CalamineWorkbook.from_path(source)
        with open(source, "rb") as stream:
            return python_calamine.CalamineWorkbook.from_filelike(stream)


@contextmanager
def panics():
    """calamine's panics on a damaged file (pyo3's PanicException, a BaseException) as the ValueError they are."""
    try:
        yield
    except BaseException as exc:
        if type(exc).__name__ == "PanicException":
            raise ValueError(f"a damaged workbook ({exc})") from None
        raise


def oversized(source: str, book: Book, sheets: Iterable[str]) -> Optional[Tuple[str, str]]:
    """(sheet, what is absurd about it) for the first of these sheets too large to parse, else None."""
    if book.kind == "xls":  # calamine lays out every sheet of an .xls as it opens it, not only those read
        return next(((name, _span(s.rows, s.columns)) for name, s in book.sheets.items()
                     if s.rows * s.columns > WORKBOOK_CELLS), None)
    with zipfile.ZipFile(source) as zf:
        big = next((i for i in zf.infolist() if i.file_size > WORKBOOK_PART_BYTES), None)
        if big is not None:
            return big.filename, f"{big.file_size / 1024 ** 2:.0f} MB of XML (compressed to " \
                                 f"{big.compress_size / 1024 ** 2:.1f} MB)"
        if book.kind == "ods":
            return next(((name, _span(rows, columns)) for name, (rows, columns) in ods.extents(source).items()
                         if rows * columns > WORKBOOK_CELLS), None)
        workbook, rels = zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels")
        present = set(ooxml.sheet_names(workbook))
        for name in sheets:
            if name in present:
                rows, columns = ooxml.extent(zf.read(ooxml.sheet_part(zf, name, workbook, rels)))
                if rows * columns > WORKBOOK_CELLS:
                    return name, _span(rows, columns)
    return None


def opens(source: str) -> Optional[str]:
    """None when calamine opens an .xls in a process of its own, in bounded memory, else what stopped it: its
    .xls reader trusts the counts a damaged file declares (and may ask for terabytes, which ends a process)."""
    try:
        done = subprocess.run([sys.executable, "-c", _OPEN, source, str(XLS_MEMORY)], capture_output=True, text=True,
                              timeout=120)
    except subprocess.TimeoutExpired:
        return "a damaged .xls (its reading did not end)"
    if done.returncode == 0:
        return None
    said = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    return f"a damaged .xls ({said})"[:300]


_OPEN = ("import resource, sys; limit = int(sys.argv[2]); resource.setrlimit(resource.RLIMIT_AS, (limit, limit)); "
         "import python_calamine; python_calamine.CalamineWorkbook.from_filelike(open(sys.argv[1], 'rb'))")


def _span(rows: int, columns: int) -> str:
    return f"it spans {rows:,} rows and {columns:,} columns (a cell far out, or a declared size)"
