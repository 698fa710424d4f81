"""Read filled workbooks: find answers by the hidden id column, refuse typed formulas, build Responses."""
from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Dict, Iterator, List, Mapping, Optional, Tuple, Union

import python_calamine

from ...catalogue import Code, issue
from ...model import SELECT_MULTIPLE, Form, Issue, Response
from ...returns import make_response, normalise, pick_form
from . import ods
from .layout import (
    ANSWER,
    COL,
    ID,
    LISTS,
    META,
    OPTION,
    QUESTIONNAIRE,
    R_COMPLETE,
    R_DK,
    R_HIGH,
    R_KEY,
    R_LOW,
    R_VALUE,
    RESULTS,
)
from .placing import place
from .texts import no_words, texts, yes_words

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS = b"application/vnd.oasis.opendocument.spreadsheet"
OPENED = (zipfile.BadZipFile, KeyError, OSError, ValueError, python_calamine.CalamineError,
          python_calamine.XmlError, python_calamine.ZipError, python_calamine.WorksheetNotFound, AttributeError)
_ANSWER_CELL = re.compile(rb'r="' + ANSWER.encode() + rb'(\d+)"[^>]*>')  # a literal first: fast
_FORMULA = re.compile(rb'\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*))')
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*>')
_ATTR = re.compile(rb'\b([\w:]+)="([^"]*)"')


def sniff(path, head: bytes) -> bool:
    """Whether a file is one of our workbooks (or an .xls/.ods copy of one, to refuse it clearly)."""
    suffix = Path(path).suffix.lower()
    if head.startswith(OLE):
        return suffix == ".xls"
    if not head.startswith(b"PK\x03\x04"):
        return False
    if ODS in head[:100]:
        return True
    if suffix not in (".xlsx", ".xlsm"):
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            names = [_attrs(tag).get("name") for tag in _SHEET.findall(zf.read("xl/workbook.xml"))]
    except OPENED:
        return False
    return META in names or QUESTIONNAIRE in names


def read(path, forms: Mapping[str, Form]) -> Iterator[Union[Response, Issue]]:
    """Every return in one workbook (one at most), or the Issues that explain why it cannot be scored."""
    source = str(path)
    opened = _open(source)
    if isinstance(opened, Issue):
        yield opened
        return
    book, names = opened
    if META not in names:
        yield issue(Code.EXCEL_SHEET_MISSING, source, META, sheet=META, what="the hidden form id and version",
                    found=", ".join(names))
        return
    # The helper thread reads the hidden metadata and looks for typed formulas while calamine, which
    # releases the GIL, parses the answers sheet here (the one our workbooks use; another is parsed after).
    ahead = _helper(os.getpid()).submit(_meta_and_formulas, source)
    rows = _parsed(book, QUESTIONNAIRE) if QUESTIONNAIRE in names else None
    meta, formulas = ahead.result()
    if isinstance(meta, Exception):
        yield issue(Code.UNREADABLE, source, reason=f"not an Excel workbook ({type(meta).__name__}: {meta})"[:300])
        return
    sheet = meta.get("questionnaire", QUESTIONNAIRE)
    if sheet not in names:
        yield issue(Code.EXCEL_SHEET_MISSING, source, sheet, sheet=sheet, what="the answers", found=", ".join(names))
        return
    if sheet != QUESTIONNAIRE or rows is None:
        rows = _parsed(book, sheet)
    broken = next((r for r in (rows, formulas) if isinstance(r, Exception)), None)
    if broken is not None:
        yield issue(Code.UNREADABLE, source, sheet, reason=f"sheet '{sheet}' cannot be parsed ({broken})"[:300])
        return
    yield from _read_sheet(rows, formulas, sheet, meta, forms, source, LISTS in names)


def _open(source: str):
    """(calamine workbook, sheet names), or the Issue saying why the file is not a workbook we read."""
    # calamine reads an .ods (LibreOffice's own format) too; an .xls is refused by its first bytes
    wrong = _other_format(source) if Path(source).suffix.lower() == ".xls" else None
    try:
        if wrong is None:
            book = python_calamine.CalamineWorkbook.from_path(source)
            return book, book.sheet_names
    except OPENED as exc:
        wrong = _other_format(source) or f"not an Excel workbook ({type(exc).__name__}: {exc})"[:300]
    if wrong in (".xls", ".ods"):  # an .ods calamine cannot open: an .xlsx saved again is the way out
        return issue(Code.EXCEL_FORMAT, source, found=wrong)
    return issue(Code.UNREADABLE, source, reason=wrong)


def _other_format(source: str) -> Optional[str]:
    """'.xls' or '.ods' when the file is one whatever its name, a reason when it cannot be read, else None."""
    try:
        with open(source, "rb") as stream:
            head = stream.read(100)
    except OSError as exc:
        return exc.strerror or str(exc)
    if head.startswith(OLE):
        return ".xls"
    return ".ods" if head.startswith(b"PK\x03\x04") and ODS in head else None


def _parsed(book, sheet: str):
    """The rows of a sheet, or the exception that stopped calamine."""
    try:
        return _rows(book, sheet)
    except OPENED as exc:
        return exc


def _meta_and_formulas(source: str):
    """(the hidden metadata, the answer cells holding formulas), each an exception where it failed: the
    helper thread's share of reading a workbook, with a calamine workbook of its own."""
    try:
        book = python_calamine.CalamineWorkbook.from_path(source)
        meta = {str(r[0]): str(r[1]) for r in _rows(book, META) if len(r) > 1 and r[0]}
    except OPENED as exc:
        return exc, None
    try:
        return meta, _formula_cells(source, meta.get("questionnaire", QUESTIONNAIRE))
    except OPENED as exc:
        return meta, exc


def _read_sheet(rows: list, formulas: Dict[int, str], sheet: str, meta: dict, forms, source: str,
                has_lists: bool):
    """The return on the answers sheet, checked against the form version named in the metadata."""
    form, problems = pick_form(forms, meta.get("form_id", ""), meta.get("form_version", ""), source, sheet)
    if form is None:
        yield from problems
        return
    found: List[Issue] = []
    if not has_lists:
        found.append(issue(Code.EXCEL_LISTS_MISSING, source, LISTS, sheet=LISTS))
    if meta.get("spec_hash") and form.spec_hash and meta["spec_hash"] != form.spec_hash:
        found.append(issue(Code.EXCEL_SPEC_CHANGED, source, f"{META}!B4", found=meta["spec_hash"][:12],
                           expected=form.spec_hash[:12]))
    rows, placed = place(rows, form, meta, sheet, source)
    found += placed
    raw, cells = _answers(form, rows, sheet, formulas, meta.get("language", ""), source, found)
    response, checked = make_response(forms, raw, form_id=meta.get("form_id", ""),
                                      version=meta.get("form_version", ""), source=source, channel="excel",
                                      language=meta.get("language", ""))
    found += [_locate(p, form, sheet, cells, raw, meta.get("language", "")) for p in checked]
    yield from (p._replace(record=sheet) for p in found)  # a workbook is one return, however many problems
    if response is not None and not any(p.severity == "error" for p in found):
        yield replace(response, location=sheet, instance_id=content_id(response))


@lru_cache(maxsize=1)
def _helper(pid: int) -> ThreadPoolExecutor:
    """The thread that reads a workbook's metadata and formulas beside the main one (one per process id: a
    forked process starts its own)."""
    return ThreadPoolExecutor(1, thread_name_prefix="cpc-forms-formulas")


def content_id(response) -> str:
    """A workbook carries no instance id (every copy of the template is alike): the same answers of the
    same form version are the same return, so a workbook mailed twice is counted once."""
    canonical = json.dumps([response.form_id, response.form_version, dict(response.answers)], sort_keys=True,
                           ensure_ascii=False, default=list)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def _rows(book, name: str) -> list:
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _answers(form: Form, rows: list, sheet: str, formulas: Dict[int, str], language: str, source: str,
             found: List[Issue]) -> Tuple[dict, dict]:
    """Raw answers keyed by question id (multi-selects as tuples of codes), and the row of each."""
    raw, cells = {}, {}
    first: Dict[tuple, int] = {}  # (question id, option code or None) -> the row it first stands in
    chosen: Dict[str, list] = {}
    yes, no = yes_words(), no_words()
    i_id, i_option, i_answer = COL[ID], COL[OPTION], COL[ANSWER]
    sections = {s.id for s in form.sections}
    for n, row in enumerate(rows, start=1):
        qid = str(row[i_id]).strip() if len(row) > i_id and row[i_id] not in (None, "") else ""
        if not qid or qid in sections:
            continue
        q = form.question(qid)
        option = str(row[i_option]).strip() if len(row) > i_option and row[i_option] not in (None, "") else ""
        value = row[i_answer] if len(row) > i_answer else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # calamine reads every number as a float: 7 typed is 7
        if q is None:
            found.append(issue(Code.UNKNOWN_FIELD, source, _cell(sheet, n), field=qid))
            continue
        key = (qid, option)
        if key in first:
            found.append(issue(Code.EXCEL_DUPLICATE_ROW, source, _cell(sheet, n), question=qid, first=first[key]))
            continue
        first[key] = n
        if n in formulas:
            found.append(issue(Code.EXCEL_FORMULA, source, _cell(sheet, n), formula="=" + formulas[n], question=qid))
            continue
        if q.kind != SELECT_MULTIPLE:
            cells[qid] = n
            if value not in (None, ""):
                raw[qid] = value
            continue
        cells.setdefault(qid, n)
        mark = normalise(value) if value not in (None, "") else ""
        if mark in yes:
            chosen.setdefault(qid, []).append(option)
        elif mark and mark not in no:
            found.append(issue(Code.EXCEL_BAD_ANSWER, source, _cell(sheet, n), value=value, question=qid,
                               allowed=f"{texts(language)['yes']} or blank"))
    for qid, codes in chosen.items():
        raw[qid] = tuple(codes)
    return raw, cells


def _cell(sheet: str, row: int) -> str:
    return f"{sheet}!{ANSWER}{row}"


def _locate(problem: Issue, form: Form, sheet: str, cells: dict, raw: dict, language: str) -> Issue:
    """Point a problem of one question at its cell; a bad choice lists the answers allowed, as labels."""
    qid = problem.location
    q = form.question(qid)
    if qid not in cells or q is None:
        return problem
    if problem.code == Code.BAD_VALUE and q.choices and q.kind != SELECT_MULTIPLE:
        allowed = "; ".join(c.label.get(language, c.code) for c in q.choices)
        return issue(Code.EXCEL_BAD_ANSWER, problem.source, _cell(sheet, cells[qid]), value=raw.get(qid), question=qid,
                     allowed=allowed if len(allowed) < 400 else allowed[:400] + "...")
    return problem._replace(location=_cell(sheet, cells[qid]))


def _formula_cells(path: str, sheet: str) -> Dict[int, str]:
    """Rows whose answer cell holds a formula (shared ones included), with the formula text if any."""
    with zipfile.ZipFile(path) as zf:
        if "content.xml" in zf.namelist():  # an OpenDocument spreadsheet
            return ods.formula_cells(path, sheet)
        return formulas_in(zf.read(_sheet_part(zf, sheet)))


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


def _attrs(tag: bytes) -> Dict[str, str]:
    """Attributes of one XML start tag, by local name (prefixes dropped)."""
    return {k.split(b":")[-1].decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> str:
    """The zip member holding a sheet, through the workbook's relationships."""
    name = re.escape(_escape(sheet).encode())
    tag = re.search(rb'<(?:\w+:)?sheet\b[^>]*\bname="' + name + rb'"[^>]*>', zf.read("xl/workbook.xml"))
    if tag is None:
        raise ValueError(f"the workbook lists no sheet '{sheet}'")
    rid = re.escape(_attrs(tag.group(0))["id"].encode())
    rel = re.search(rb'<(?:\w+:)?Relationship\b[^>]*\bId="' + rid + rb'"[^>]*>', zf.read("xl/_rels/workbook.xml.rels"))
    if rel is None:
        raise ValueError(f"the workbook's relationships do not say where sheet '{sheet}' is")
    target = _attrs(rel.group(0))["Target"]
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)


def _escape(name: str) -> str:
    return name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def read_results(path) -> Dict[str, object]:
    """The values of the Results sheet by key: section:<id>, completeness:<id>, dont_know:<id>, low:<id> and
    high:<id> for each scored section, index, level (label), level_code, band_level, held_by and perceived (""
    where there is none)."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    k, v = COL[R_KEY], COL[R_VALUE]
    per_section = {"completeness": COL[R_COMPLETE], "dont_know": COL[R_DK], "low": COL[R_LOW], "high": COL[R_HIGH]}
    values = {}
    for row in _rows(book, RESULTS):
        if len(row) > k and row[k]:
            values[str(row[k])] = row[v]
            if str(row[k]).startswith("section:"):
                sid = str(row[k]).split(":", 1)[1]
                values.update({f"{name}:{sid}": row[col] for name, col in per_section.items()})
    return values
