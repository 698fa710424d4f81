"""What calamine does not tell of an .xlsx, read from its XML: which answer cells hold formulas or are locked,
and how far a sheet's cells reach (before calamine lays the sheet out as a dense grid)."""
from __future__ import annotations

import re
import zipfile
from pathlib import PurePosixPath
from typing import Dict, Set, Tuple

from defusedxml.ElementTree import fromstring

from .layout import ANSWER

_ANSWER_CELL = re.compile(rb'r="' + ANSWER.encode() + rb'(\d+)"[^>]*>')  # a literal first: fast
_FORMULA = re.compile(rb'\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*))')
_STYLE = re.compile(rb'\bs="(\d+)"')
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*>')
_ATTR = re.compile(rb'\b([\w:]+)="([^"]*)"')
_REF = re.compile(rb'\sr="([A-Z]{0,7})(\d{1,10})"')  # a cell's reference, or a row's number
_FAR = re.compile(rb'r="(?:[A-Z]{3}|[B-Z][A-Z]|[A-Z]{0,2}\d{5})')  # past column AZ or row 9999 (or r= alike)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]*)"')
_CORNER = re.compile(r"\$?([A-Z]{1,7})\$?(\d{1,10})")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def sheet_names(workbook: bytes):
    """The names of a workbook's sheets, in order, from its xl/workbook.xml."""
    return [attrs(tag).get("name") for tag in _SHEET.findall(workbook)]


def formulas_in(xml: bytes) -> Dict[int, str]:
    """The formula cells of the answer column in a sheet's XML: row -> formula text ('' when shared).

    Only the answer cells are looked at: a search for their references, then for a formula element
    opening right after the cell's tag (its first child when present)."""
    found = {}
    for m in _ANSWER_CELL.finditer(xml):
        if xml[m.start() - 1:m.start()] not in b" \t\r\n" or xml[m.end() - 2:m.end() - 1] == b"/":
            continue  # another attribute ending in r, or an empty cell: <c r="C7" s="3"/>
        f = _FORMULA.match(xml, m.end())
        if f:
            found[int(m.group(1))] = (f.group(1) or b"").decode("utf-8", "replace")
    return found


def answer_styles(xml: bytes) -> Dict[int, int]:
    """The style index of every answer cell in a sheet's XML, by row (0 where a cell names none)."""
    styles = {}
    for m in _ANSWER_CELL.finditer(xml):
        if xml[m.start() - 1:m.start()] in b" \t\r\n":
            tag = xml[xml.rfind(b"<", 0, m.start()):m.end()]
            style = _STYLE.search(tag)
            styles[int(m.group(1))] = int(style.group(1)) if style else 0
    return styles


def locked_styles(zf: zipfile.ZipFile) -> Set[int]:
    """The cell styles (cellXfs indexes) that lock a cell: every one unless its protection says locked="0"."""
    try:
        root = fromstring(zf.read("xl/styles.xml"))
    except KeyError:
        return {0}  # no styles: every cell has the default style, which locks
    xfs = root.find(f"{MAIN}cellXfs")
    locked = set()
    for n, xf in enumerate(xfs if xfs is not None else ()):
        protection = xf.find(f"{MAIN}protection")
        if protection is None or protection.get("locked", "1") not in ("0", "false"):
            locked.add(n)
    return locked


def column_number(letters: str) -> int:
    """A column's number from its letters: A 1, Z 26, AA 27, XFD 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def extent(xml: bytes) -> Tuple[int, int]:
    """(rows, columns) a sheet spans, from A1 to its farthest cell or the corner its dimension declares."""
    rows = columns = 0
    declared = _DIMENSION.search(xml, 0, 4096)
    if declared:
        for col, row in _CORNER.findall(declared.group(1).decode("ascii", "replace")):
            rows, columns = max(rows, int(row)), max(columns, column_number(col))
    # one fast search settles the usual sheet: no reference past column AZ or row 9999 (then it spans at most
    # 52 x 9999 cells); otherwise every reference is read, each distinct value once
    if not _FAR.search(xml):
        return rows, columns
    refs = _REF.findall(xml)
    letters, digits = {col for col, _ in refs}, {row for _, row in refs}
    rows = max([rows, *map(int, digits)])
    columns = max([columns, *(column_number(col.decode()) for col in letters if col)])
    return rows, columns


def attrs(tag: bytes) -> Dict[str, str]:
    """Attributes of one XML start tag, by local name (prefixes dropped)."""
    return {k.split(b":")[-1].decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}


def sheet_part(zf: zipfile.ZipFile, sheet: str, workbook: bytes = b"", rels: bytes = b"") -> str:
    """The zip member holding a sheet, through the workbook's relationships (their XML read here unless given)."""
    name = re.escape(_escape(sheet).encode())
    tag = re.search(rb'<(?:\w+:)?sheet\b[^>]*\bname="' + name + rb'"[^>]*>', workbook or zf.read("xl/workbook.xml"))
    if tag is None:
        raise ValueError(f"the workbook lists no sheet '{sheet}'")
    rid = re.escape(attrs(tag.group(0))["id"].encode())
    rel = re.search(rb'<(?:\w+:)?Relationship\b[^>]*\bId="' + rid + rb'"[^>]*>',
                    rels or zf.read("xl/_rels/workbook.xml.rels"))
    if rel is None:
        raise ValueError(f"the workbook's relationships do not say where sheet '{sheet}' is")
    target = attrs(rel.group(0))["Target"]
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)


def _escape(name: str) -> str:
    return name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
