"""Read what ODK Central, KoboToolbox, Ona and SurveyCTO export: CSV, zip, XLSX, XML instances, JSON."""
from __future__ import annotations

import csv
import tempfile
import zipfile
import zlib
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Callable, Iterator, List, Mapping, Union

from ....catalogue import Code, issue
from ....limits import (
    FIELD_BYTES,
    JSON_BYTES,
    LINE_BYTES,
    LimitError,
    MiB,
    copy_member,
    long_line,
    member_problem,
    read_member,
)
from ....model import Form, Issue, Response
from ....returns import dedupe
from .csvfile import NotUtf8, csv_items, row_items
from .documents import json_records, read_records, xml_records
from .sniffing import head_of, sniff, text_of
from .table import read_table
from .workbook import workbook_problem, xlsx_rows

BROKEN = (csv.Error, UnicodeDecodeError, zipfile.BadZipFile, zlib.error, EOFError, OSError)
Item = Union[Response, Issue]


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
        where = _where(source, last)
        if "field larger than field limit" in str(exc):
            yield issue(Code.OVER_LIMIT, source, where, what="a cell", limit=f"{FIELD_BYTES // 1024} KiB",
                        consequence="; the rows before it were read" if last else "")
        else:
            yield issue(Code.UNREADABLE, source, where, reason=f"not a well-formed CSV file ({exc})")
    except BROKEN as exc:
        yield issue(Code.UNREADABLE, source, f"after {last}" if last else "", reason=f"{type(exc).__name__}: {exc}")


def _where(source: str, last: str) -> str:
    """Where a CSV broke: after the last row read, on the first line past a cell's limit (not in a zip, whose
    bytes are not its member's lines)."""
    try:
        line = None if zipfile.is_zipfile(source) else long_line(Path(source), FIELD_BYTES)
    except OSError:
        line = None
    return ", ".join(part for part in (f"after {last}" if last else "", f"line {line}" if line else "") if part)


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
                # judged by what it holds, as the file unzipped is: Kobo names its download after the form's
                # title and the date, and a user may rename it
                yield from _zipped_csv(z, info, forms, str(path), "", where)
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
            yield from row_items(lambda: z.open(info), forms, source, form_id, prefix)
            return
        yield from csv_items(target, forms, source, form_id, prefix, reopen=lambda: z.open(info))



def _file(path: Path, forms, deprecated, held) -> Iterator[Item]:
    """The items of one file, by its kind (a function, not a generator: one level less for every row)."""
    head = head_of(path)
    if head.startswith(b"PK") and path.suffix.lower() == ".xlsx":
        problem = workbook_problem(path)
        if problem is not None:
            return iter([problem])
        return read_table(xlsx_rows(path), forms, str(path), reopen=lambda: xlsx_rows(path))
    if head.startswith(b"PK") or path.suffix.lower() == ".zip":
        return _zip(path, forms, deprecated, held)
    if text_of(head).startswith(("<", "{", "[")):
        size = path.stat().st_size
        if size > JSON_BYTES:
            return iter([issue(Code.TOO_LARGE, path, size=f"{size / MiB:.1f}", limit=f"{JSON_BYTES // MiB}")])
        data = path.read_bytes()
        records = xml_records(data, str(path), path.name) if text_of(head).startswith("<") else json_records(
            data, str(path))
        return _held(read_records(records, forms, str(path), deprecated), held)
    return csv_items(path, forms, str(path))



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
        if path.is_dir() and not sniff(file, head_of(file)):
            continue
        yield from _guarded(partial(_file, file, forms, deprecated, responses), str(file))
    kept, replaced = dedupe(_edit_order(responses, deprecated))
    yield from replaced
    yield from kept
