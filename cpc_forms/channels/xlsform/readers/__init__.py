"""Read what ODK Central, KoboToolbox, Ona and SurveyCTO export: CSV, zip, XLSX, XML instances, JSON."""
from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import zipfile
import zlib
from dataclasses import replace
from functools import partial
from itertools import chain
from pathlib import Path
from typing import IO, Callable, Iterator, List, Mapping, Optional, Union

from .... import inputs
from ....catalogue import Code, issue
from ....limits import (
    BLANK_LINES,
    COLUMNS,
    FIELD_BYTES,
    HEADER_BYTES,
    JSON_BYTES,
    LINE_BYTES,
    LimitError,
    MiB,
    copy_member,
    member_problem,
    read_member,
)
from ....model import Form, Issue, Response
from ....returns import dedupe
from . import columnar
from .documents import json_records, read_records, xml_records
from .table import read_table

SIGNATURES = ("submissiondate", "key", "_uuid", "_submission_time", "formdef_version", "meta-instanceid",
              "meta/instanceid", "instanceid", "__version__", "formversion")
BROKEN = (csv.Error, UnicodeDecodeError, zipfile.BadZipFile, zlib.error, EOFError, OSError)
Item = Union[Response, Issue]


def _text(head: bytes) -> str:
    return head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")


def _head(path: Path) -> bytes:
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
        return any(sniff(p, _head(p)) for p in path.rglob("*") if p.is_file())
    if head.startswith(b"PK"):
        return _sniff_zip(path)
    text = _text(head)
    if text.startswith("<"):
        return _is_instance(text)
    if text.startswith(("{", "[")):
        return any(k in text for k in ('"@odata.context"', '"__id"', '"_uuid"', '"_submission_time"'))
    return _is_csv(text if b"\n" in head else _text(_first_line(path)))


def _sniff_zip(path: Path) -> bool:
    if path.suffix.lower() == ".xlsx":
        return _xlsx_header_is_export(path)
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.lower().endswith((".csv", ".xml", ".json")) for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return path.suffix.lower() == ".zip"  # a broken zip is still ours to report


def _xlsx_header_is_export(path: Path) -> bool:
    if _workbook_problem(path) is not None:  # a bomb is not opened to be sniffed
        return False
    try:
        first = next(_xlsx_rows(path), ())
    except Exception:  # noqa: BLE001 - any broken workbook is simply not ours
        return False
    return any(str(c).casefold() in ("_uuid", "_submission_time") for c in first if c)


def _xlsx_rows(path: Path) -> Iterator[tuple]:
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


def csv_rows(stream: IO[bytes]) -> Iterator[List[str]]:
    """Rows of a CSV byte stream, streamed; the delimiter (, ; tab) is sniffed from the header line. Lines may
    end in LF, CRLF or a bare CR (old Mac Excel), as Python's csv module reads them in text of newline=''."""
    lines = _lines(stream)
    first = next(lines, "")
    return csv.reader(chain([first], lines), delimiter=columnar.delimiter(first))


class NotUtf8(csv.Error):
    """A CSV line that is not UTF-8: its number and the legacy encoding it reads as (a csv.Error, so a first pass
    over the rows stops there as at any broken row)."""

    def __init__(self, line: int, legacy: str):
        super().__init__(f"line {line} is not UTF-8")
        self.line, self.legacy = line, legacy


def _lines(stream: IO[bytes]) -> Iterator[str]:
    """UTF-8 lines (BOM dropped), none longer than LINE_BYTES; decoded one by one, so a bad byte stops the file
    at its own line (NotUtf8)."""
    stream = io.BufferedReader(stream, HEADER_BYTES)  # type: ignore[type-var]  # any stream with readinto
    head = stream.peek(HEADER_BYTES)
    if b"\r" in head and b"\n" not in head:  # lines ended by a bare CR (Excel for the old Mac OS)
        yield from _cr_lines(stream)
        return
    for number, line in enumerate(iter(lambda: stream.readline(LINE_BYTES), b""), start=1):
        if len(line) == LINE_BYTES and not line.endswith(b"\n"):
            raise LimitError(f"line {number}")
        try:
            yield (line[3:] if number == 1 and line.startswith(codecs.BOM_UTF8) else line).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotUtf8(number, inputs.legacy(line)) from exc


def _cr_lines(stream: IO[bytes]) -> Iterator[str]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    while line := text.readline(LINE_BYTES):
        if len(line) == LINE_BYTES and not line.endswith(("\n", "\r")):
            raise LimitError("a line")
        yield line


def _opened_rows(opener) -> Iterator[List[str]]:
    with opener() as stream:
        yield from csv_rows(stream)


def _guarded(items: Callable[[], Iterator[Item]], source: str) -> Iterator[Item]:
    """Pass on the items that items() gives; a file that breaks part-way gives an Issue after the rows
    already read (items is called in here, so a file that breaks at once is caught too)."""
    last = ""
    try:
        for item in items():
            last = item.location or last
            yield item
    except NotUtf8 as exc:
        yield issue(Code.NOT_UTF8, source, f"line {exc.line}", where=f"line {exc.line}", guess=exc.legacy,
                    read="; the rows before it were read" if last else "")
    except LimitError as exc:
        yield issue(Code.OVER_LIMIT, source, f"after {last}" if last else "", what=str(exc),
                    limit=f"{LINE_BYTES // MiB} MiB a line",
                    consequence="; the rows before it were read" if last else "; nothing in it is read")
    except csv.Error as exc:
        where = f"after {last}" if last else ""
        if "field larger than field limit" in str(exc):
            yield issue(Code.OVER_LIMIT, source, where, what="a cell", limit=f"{FIELD_BYTES // 1024} KiB",
                        consequence="; the rows before it were read" if last else "")
        else:
            yield issue(Code.UNREADABLE, source, where, reason=f"not a well-formed CSV file ({exc})")
    except BROKEN as exc:
        yield issue(Code.UNREADABLE, source, f"after {last}" if last else "", reason=f"{type(exc).__name__}: {exc}")


def _held(items: Iterator[Item], held: List[Response]) -> Iterator[Issue]:
    """Issues pass on; Responses of XML and JSON records wait in held until every edit chain is known."""
    for item in items:
        if isinstance(item, Response):
            held.append(item)
        else:
            yield item


def _zip(path: Path, forms, deprecated, held) -> Iterator[Item]:
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield issue(Code.UNREADABLE, path, reason=f"a truncated or broken zip ({exc})")
        return
    with z:
        for info in z.infolist():
            name, where = info.filename, f"{info.filename}: "
            kind = name.lower().rsplit(".", 1)[-1]
            if kind not in ("csv", "xml", "json"):
                continue
            problem = member_problem(info)
            if problem:
                yield issue(Code.ZIP_MEMBER, path, member=name, reason=problem)
            elif kind == "csv":
                yield from _zipped_csv(z, info, forms, str(path), Path(name).stem, where)
            else:
                try:
                    data = read_member(z, info, JSON_BYTES)
                except LimitError as exc:
                    yield issue(Code.ZIP_MEMBER, path, member=name, reason=str(exc))
                    continue
                records = xml_records(data, str(path), name) if kind == "xml" else json_records(data, str(path),
                                                                                                 where)
                yield from _held(read_records(records, forms, str(path), deprecated), held)


def _zipped_csv(z: zipfile.ZipFile, info: zipfile.ZipInfo, forms, source: str, form_id: str,
                prefix: str) -> Iterator[Item]:
    """A CSV in a zip, unpacked to a temporary file for the batch reader; a member that cannot be unpacked
    whole is read row by row from the zip, which reports where it breaks after the rows before."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "member.csv"
        try:
            with target.open("wb") as out:
                copy_member(z, info, out)
        except LimitError as exc:
            yield issue(Code.ZIP_MEMBER, source, member=info.filename, reason=str(exc))
            return
        except zipfile.BadZipFile as exc:
            if "CRC" not in str(exc):
                raise
            yield issue(Code.ZIP_MEMBER, source, member=info.filename, reason=f"the member is damaged ({exc}): "
                        "ask for the archive again")
            return
        except BROKEN:
            yield from _csv_rows(lambda: z.open(info), forms, source, form_id, prefix)
            return
        yield from _csv(target, forms, source, form_id, prefix, reopen=lambda: z.open(info))


def _csv(path: Path, forms, source: str, form_id: str = "", prefix: str = "", reopen=None) -> Iterator[Item]:
    """A CSV export: read in column batches when it suits (columnar.py), else row by row; refused first when its
    header is past the limits."""
    problem = _csv_problem(path, source, prefix)
    if problem is not None:
        return iter([problem])
    items = None if _mostly_blank(path) else columnar.read_csv(path, forms, source, form_id, prefix)
    return items if items is not None else _csv_rows(reopen or (lambda: path.open("rb")), forms, source, form_id,
                                                     prefix)


def _mostly_blank(path: Path) -> bool:
    """Whether a CSV is mostly blank lines (more than half its lines, and over BLANK_LINES), which the row reader
    skips in a stream: the batch reader would make a row of each."""
    blank = lines = 0
    with path.open("rb") as stream:
        while chunk := stream.read(MiB):
            blank += 2 * (chunk.count(b"\n\n") + chunk.count(b"\n\r\n"))  # a count of pairs: about half
            lines += chunk.count(b"\n")
    return blank > BLANK_LINES and blank * 2 > lines


def _csv_problem(path: Path, source: str, prefix: str) -> Optional[Issue]:
    """Why a CSV cannot be read at all (a header past the limits), or None."""
    with path.open("rb") as stream:
        head = stream.read(HEADER_BYTES + 1)
    ends = [at for at in (head.find(b"\n"), head.find(b"\r")) if at >= 0]
    if not ends and len(head) > HEADER_BYTES:
        return issue(Code.OVER_LIMIT, source, f"{prefix}row 1", what="the header line",
                     limit=f"{HEADER_BYTES // MiB} MiB", consequence="; nothing in the file is read")
    header = head[:min(ends)] if ends else head
    if max(header.count(s) for s in (b",", b";", b"\t")) >= COLUMNS:
        return issue(Code.OVER_LIMIT, source, f"{prefix}row 1", what="the header's number of columns",
                     limit=f"{COLUMNS:,} columns", consequence="; nothing in the file is read")
    return None


def _csv_rows(opener, forms, source: str, form_id: str, prefix: str) -> Iterator[Item]:
    with opener() as stream:
        yield from read_table(csv_rows(stream), forms, source, form_id, prefix,
                              reopen=lambda: _opened_rows(opener))


def _file(path: Path, forms, deprecated, held) -> Iterator[Item]:
    """The items of one file, by its kind (a function, not a generator: one level less for every row)."""
    head = _head(path)
    if head.startswith(b"PK") and path.suffix.lower() == ".xlsx":
        problem = _workbook_problem(path)
        if problem is not None:
            return iter([problem])
        return read_table(_xlsx_rows(path), forms, str(path), reopen=lambda: _xlsx_rows(path))
    if head.startswith(b"PK") or path.suffix.lower() == ".zip":
        return _zip(path, forms, deprecated, held)
    if _text(head).startswith(("<", "{", "[")):
        size = path.stat().st_size
        if size > JSON_BYTES:
            return iter([issue(Code.TOO_LARGE, path, size=f"{size / MiB:.1f}", limit=f"{JSON_BYTES // MiB}")])
        data = path.read_bytes()
        records = xml_records(data, str(path), path.name) if _text(head).startswith("<") else json_records(
            data, str(path))
        return _held(read_records(records, forms, str(path), deprecated), held)
    return _csv(path, forms, str(path))


def _workbook_problem(path: Path) -> Optional[Issue]:
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


def _edit_order(responses: List[Response], deprecated: Mapping[str, str]) -> List[Response]:
    """Give each XML edit its chain's first id as root (unless the record names one) and its place in the
    chain as its edit count, and put later edits after earlier ones."""
    def walk(instance: str):
        depth, seen = 0, {instance}
        while instance in deprecated and deprecated[instance] not in seen:
            instance = deprecated[instance]
            seen.add(instance)
            depth += 1
        return instance, depth

    out = []
    for r in responses:
        root, depth = walk(r.instance_id)
        if depth > r.edits or not r.root_id:
            r = replace(r, root_id=r.root_id or root, edits=max(depth, r.edits))
        out.append((depth, r))
    return [r for _, r in sorted(out, key=lambda pair: pair[0])]


def read(path, forms: Mapping[str, Form]) -> Iterator[Item]:
    """Every return in an export file, a zip, or a folder of them; the newest edit of each submission kept.

    Export tables stream (each names its submission on every row); XML and JSON records are held until the
    end, since an edit's deprecatedID chain is only known once every record is in."""
    path = Path(path)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    responses: List[Response] = []
    deprecated: dict = {}
    for file in files:
        if path.is_dir() and not sniff(file, _head(file)):
            continue
        yield from _guarded(partial(_file, file, forms, deprecated, responses), str(file))
    kept, replaced = dedupe(_edit_order(responses, deprecated))
    yield from replaced
    yield from kept
