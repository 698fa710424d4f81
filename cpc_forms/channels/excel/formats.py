"""Which spreadsheet format a file is, whatever its name (.xlsx, .ods, .xls, a password-encrypted workbook),
and whether the sheets to be read are of a size a questionnaire can have, checked before any is parsed."""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from typing import Dict, Iterable, Optional, Tuple

from . import ooxml, xls
from .cfb import OLE, CompoundFile

ODS = b"application/vnd.oasis.opendocument.spreadsheet"
MAX_PART = 64 * 1024 ** 2  # bytes of XML in one part of a workbook (the questionnaire's sheet is ~200 KB)
MAX_XLS = 64 * 1024 ** 2  # bytes of an .xls file (read whole: its sheets lie in one stream)
MAX_CELLS = 2_000_000  # rows x columns a sheet may span: the questionnaire spans a few thousand


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
            if size > MAX_XLS:
                return None, f"an .xls of {size / 1024 ** 2:.0f} MB; a questionnaire takes well under 1 MB"
            stream.seek(0)
            ole = CompoundFile(stream.read())
    except OSError as exc:
        return None, exc.strerror or str(exc)
    except (ValueError, KeyError, IndexError) as exc:  # struct.error is a ValueError
        return None, f"a damaged Office file ({exc})"[:300]
    names = ole.names()
    if "EncryptionInfo" in names or "EncryptedPackage" in names:
        return Book("encrypted"), ""
    if "Workbook" not in names and "Book" not in names:
        return None, "an Office file that holds no workbook (a Word or PowerPoint document?)"
    try:
        sheets, encrypted = xls.workbook(ole)
    except (ValueError, KeyError, IndexError) as exc:
        return None, f"a damaged .xls ({exc})"[:300]
    return Book("encrypted" if encrypted else "xls", sheets), ""


def oversized(source: str, book: Book, sheets: Iterable[str]) -> Optional[Tuple[str, str]]:
    """(sheet, what is absurd about it) for the first of these sheets too large to parse, else None."""
    if book.kind == "xls":
        return next(((name, _span(s.rows, s.columns)) for name, s in book.sheets.items()
                     if name in sheets and s.rows * s.columns > MAX_CELLS), None)
    with zipfile.ZipFile(source) as zf:
        big = next((i for i in zf.infolist() if i.file_size > MAX_PART), None)
        if big is not None:
            return big.filename, f"{big.file_size / 1024 ** 2:.0f} MB of XML (compressed to " \
                                 f"{big.compress_size / 1024 ** 2:.1f} MB)"
        if book.kind != "xlsx":
            return None
        present = set(ooxml.sheet_names(zf))
        for name in sheets:
            if name in present:
                rows, columns = ooxml.extent(zf.read(ooxml.sheet_part(zf, name)))
                if rows * columns > MAX_CELLS:
                    return name, _span(rows, columns)
    return None


def _span(rows: int, columns: int) -> str:
    return f"it spans {rows:,} rows and {columns:,} columns (a cell far out, or a declared size)"
