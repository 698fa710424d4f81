"""What a file is before any channel reads it: one cpc-forms wrote itself, text in an encoding no export uses,
a file named as a zip that is none; each told in a sentence a user can act on."""
from __future__ import annotations

import json
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, Optional, Tuple

from .limits import LimitError, MiB, member_problem, read_member, shown

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a legacy Office file (.xls, or an encrypted .xlsx)
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".zip", ".ods")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")
_SHEET_NAME = re.compile(rb'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"')
# the first columns of scores.csv, as report/rows.py writes them
SCORES_CSV = b"source,location,channel,instance_id,form_version"
# the first keys of a line of scores.jsonl (report/json.py)
# what marks a page as one cpc-forms wrote: the report's generator, the web form's form identity, and (for a
# report written before it carried its generator) the report's own content policy after its viewport
GENERATOR = b'<meta name="generator" content="cpc-forms">'
_WEB_FORM = re.compile(rb'<meta name="cpc-form" content="[^"]*" data-version="')
_OLD_REPORT = re.compile(rb'<meta name="viewport" content="width=device-width, initial-scale=1">\s*<meta http-equiv='
                         rb'"Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
                         rb'img-src data:">\s*<title>')
_DECLARED = re.compile(r"""^(<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")  # an XML declaration's encoding
SCORES_JSONL = re.compile(rb'\{"source": "(?:[^"\\]|\\.)*", "location": "(?:[^"\\]|\\.)*", "channel": "\w*", '
                          rb'"instance_id": ')


def utf16(head: bytes) -> bool:
    """Whether text is UTF-16: a byte-order mark, or NUL bytes beside nearly every printable one."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = head[:512] if len(head) % 2 == 0 else head[:511]
    for text, zeros in ((sample[0::2], sample[1::2]), (sample[1::2], sample[0::2])):
        # mostly ASCII beside NUL bytes: Latin letters with accents (É is C9 00) are allowed among them
        if len(text) >= 4 and zeros.count(0) >= 0.9 * len(zeros) and \
                sum(32 <= b < 127 or b in b"\t\r\n" for b in text) >= 0.8 * len(text):
            return True
    return False


def utf16_xml(head: bytes) -> bool:
    """Whether UTF-16 text (utf16) is an XML document: well-formed XML, which some tools save so."""
    return _utf16_text(head).lstrip("\ufeff \t\r\n").startswith("<")


def _utf16_text(data: bytes) -> str:
    codec = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-16-be" if data[:1] == b"\x00" \
        else "utf-16-le"
    return data[:len(data) // 2 * 2].decode(codec, "replace")


def utf8_copy(path: Path, target: Path, limit: int) -> Optional[str]:
    """Write a UTF-16 XML document to target as UTF-8, its declaration saying so; why it cannot be, or None."""
    size = path.stat().st_size
    if size > 2 * limit:
        return f"it is {size / MiB:.1f} MB of UTF-16, past the {limit // MiB} MB an XML document of returns may hold"
    data = path.read_bytes()
    if len(data) % 2:
        return "its UTF-16 text is cut short (an odd number of bytes)"
    text = _DECLARED.sub(r'\1"UTF-8"', _utf16_text(data).lstrip("\ufeff"), count=1)
    target.write_bytes(text.encode("utf-8", "replace"))
    return None


def own_text(path: Path, head: bytes) -> Optional[str]:
    """What cpc-forms file a text file is (scores.csv, scores.json(l), report.html, the web form), or None."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(SCORES_CSV):
        return f"{shown(path.name)}, scores by return of a previous run of cpc-forms"
    if text.startswith((b"{", b"[")) and b'"cpc-forms/scores"' in head:
        return f"{shown(path.name)}, scores of a previous run of cpc-forms"
    if SCORES_JSONL.match(text):
        return f"{shown(path.name)}, scores by return of a previous run of cpc-forms (one a line)"
    if html(head) and (GENERATOR in head or _WEB_FORM.search(head) or _OLD_REPORT.search(head)):
        return f"{shown(path.name)}, a report or web form of cpc-forms"
    return None


def html(head: bytes) -> bool:
    """Whether a file is an HTML page (which no channel reads: a return is never one)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text[:15].lower() in (b"<!doctype html>", b"<!doctype html ") or text[:5].lower() == b"<html"


def sheet_names(path: Path) -> Optional[FrozenSet[str]]:
    """The sheet names of an .xlsx/.xlsm workbook (None when it is not one that can be opened)."""
    try:
        with zipfile.ZipFile(path) as archive:
            data = read_member(archive, archive.getinfo("xl/workbook.xml"), 4 * MiB)
    except (zipfile.BadZipFile, KeyError, OSError, LimitError, RuntimeError, NotImplementedError, EOFError):
        return None
    return frozenset(n.decode("utf-8", "replace") for n in _SHEET_NAME.findall(data))


@lru_cache(maxsize=1)
def report_sheets() -> FrozenSet[str]:
    """The sheet names of scores.xlsx in every language the reports are written in."""
    from .report.books import KEYS
    from .report.labels import STRINGS
    words = json.loads(STRINGS.read_text(encoding="utf-8"))
    return frozenset(w[k][:31] for w in words.values() for k in KEYS if k in w)


def unsafe_member(path: Path) -> Optional[Tuple[str, str]]:
    """(name, why) of the first member of a zip that cannot be unpacked safely (limits.member_problem), or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                problem = member_problem(info)
                if problem:
                    return info.filename, problem
    except (zipfile.BadZipFile, OSError):
        return None
    return None


def own_workbook(path: Path) -> Optional[str]:
    """What cpc-forms workbook an .xlsx no channel claims is (the XLSForm, a previous run's scores.xlsx), or
    None."""
    names = sheet_names(path)
    if names is None:
        return None
    if {"survey", "choices"} <= names:
        return f"{shown(path.name)}, an XLSForm (a form definition)"
    if len(names) >= 4 and names <= report_sheets():
        return f"{shown(path.name)}, the scores workbook of a previous run of cpc-forms"
    return None


def legacy(sample: bytes) -> str:
    """The legacy encoding some bytes read as, in words."""
    try:
        sample.decode("cp1252")
        return "Windows-1252 (Western European, as Excel's plain 'CSV' saves it)"
    except UnicodeDecodeError:
        return "a legacy encoding such as Latin-1"


def guess(head: bytes) -> str:
    """What kind of file some bytes begin, in a few words, for a message."""
    kinds = ((b"%PDF", "a PDF document"), (OLE2, "a legacy Office file (.xls, .doc, or an encrypted workbook)"),
             (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"SQLite format 3", "an SQLite "
             "database of another program"), (b"{\\rtf", "an RTF document"), (b"\x1f\x8b", "a gzip file"),
             (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"), (b"PK", "a zip archive"))
    for magic, what in kinds:
        if head.startswith(magic):
            return what
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "a JSON document that is no export or web-form return"
    if text[:1] == b"<":
        return "an XML or HTML document that is no ODK submission"
    if b"\x00" in head:
        return "a binary file"
    return "a text file that is neither a CSV export (no column such as KEY, _uuid or instanceID) nor a return"
