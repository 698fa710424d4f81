"""Read filled workbooks: find answers by the hidden id column, refuse typed formulas, build Responses."""
from __future__ import annotations

import hashlib
import json
import os
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Set, Tuple, Union
from xml.etree.ElementTree import ParseError

import python_calamine

from ...catalogue import Code, issue
from ...model import SELECT_MULTIPLE, Form, Issue, Response
from ...returns import make_response, normalise, pick_form
from . import formats, ods, ooxml
from .cfb import OLE
from .formats import ODS
from .layout import ANSWER, COL, ID, LISTS, META, OPTION, QUESTIONNAIRE, find_sheet, sheet_names
from .placing import place
from .saved_csv import looks_like_saved_csv
from .texts import no_words, unmarked, word, yes_words

OPENED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, KeyError, OSError, ValueError,
          ParseError, python_calamine.CalamineError, python_calamine.XmlError, python_calamine.ZipError,
          python_calamine.WorksheetNotFound, AttributeError)  # what a damaged workbook raises on the way in
formulas_in = ooxml.formulas_in
HEAD = 4096  # bytes of a text file looked at (as ingest does)


def sniff(path, head: bytes) -> bool:
    """Whether a file is one of our workbooks (or an .xls, .ods or encrypted copy of one, to read or refuse it)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return looks_like_saved_csv(path, head) is not None  # to say what to send instead
    if head.startswith(OLE):
        return suffix in (".xls", ".xlsx", ".xlsm")  # an .xls renamed, or a workbook saved with a password
    if not head.startswith(b"PK\x03\x04"):
        return False
    if ODS in head[:100]:
        return True
    if suffix not in (".xlsx", ".xlsm"):
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            names = ooxml.sheet_names(zf.read("xl/workbook.xml"))
    except OPENED:
        return False
    return META in names or any(name in names for name in sheet_names(QUESTIONNAIRE))


def read(path, forms: Mapping[str, Form]) -> Iterator[Union[Response, Issue]]:
    """Every return in one workbook (one at most), or the Issues that explain why it cannot be scored."""
    source = str(path)
    saved = _saved_csv(source)
    if saved:
        yield issue(Code.EXCEL_SAVED_CSV, source, sheet=saved)
        return
    opened = _open(source)
    if isinstance(opened, Issue):
        yield opened
        return
    book, calamine, names = opened
    if META not in names:
        yield issue(Code.EXCEL_SHEET_MISSING, source, META, sheet=META, what="the hidden form id and version",
                    found=", ".join(names))
        return
    # The helper thread reads the hidden metadata and looks for typed formulas and locked answer cells while
    # calamine, which releases the GIL, parses the answers sheet here (the one our workbooks use; another is
    # parsed after).
    ahead = _helper(os.getpid()).submit(_meta_and_marks, source, book)
    guess = next((name for name in sheet_names(QUESTIONNAIRE) if name in names), None)
    rows = _parsed(calamine, guess) if guess else None
    meta, marks = ahead.result()
    if isinstance(meta, Exception):
        yield issue(Code.UNREADABLE, source, reason=f"not an Excel workbook ({type(meta).__name__}: {meta})"[:300])
        return
    sheet = meta.get("questionnaire", QUESTIONNAIRE)
    if sheet not in names:
        yield issue(Code.EXCEL_SHEET_MISSING, source, sheet, sheet=sheet, what="the answers", found=", ".join(names))
        return
    too_large = None if sheet in sheet_names(QUESTIONNAIRE) else formats.oversized(source, book, (sheet,))
    if too_large:
        yield issue(Code.EXCEL_SHEET_TOO_LARGE, source, too_large[0], sheet=too_large[0], what=too_large[1])
        return
    if sheet != guess or rows is None:
        rows = _parsed(calamine, sheet)
    broken = next((r for r in (rows, marks) if isinstance(r, Exception)), None)
    if broken is not None:
        yield issue(Code.UNREADABLE, source, sheet, reason=f"sheet '{sheet}' cannot be parsed ({broken})"[:300])
        return
    yield from _read_sheet(rows, marks, sheet, meta, forms, source, find_sheet(names, meta, LISTS))


def _saved_csv(source: str) -> Optional[str]:
    """The workbook sheet a CSV file was saved from, or None (not a CSV, or not one of ours)."""
    try:
        with open(source, "rb") as stream:
            return looks_like_saved_csv(source, stream.read(HEAD))
    except OSError:
        return None


def _open(source: str):
    """(format, calamine workbook, sheet names), or the Issue saying why the workbook cannot be read: not a
    workbook, encrypted, or a sheet too large for a questionnaire (checked before calamine lays it out)."""
    book, why = formats.identify(source)
    if book is None:
        return issue(Code.UNREADABLE, source, reason=why)
    if book.kind == "encrypted":
        return issue(Code.EXCEL_ENCRYPTED, source)
    try:
        too_large = formats.oversized(source, book, (META, *sheet_names(QUESTIONNAIRE)))
        if too_large:
            return issue(Code.EXCEL_SHEET_TOO_LARGE, source, too_large[0], sheet=too_large[0], what=too_large[1])
        damaged = formats.opens(source) if book.kind == "xls" else None
        if damaged:
            return issue(Code.UNREADABLE, source, reason=damaged)
        calamine = formats.calamine(source, book)
        return book, calamine, calamine.sheet_names
    except OPENED as exc:
        if book.kind == "ods":  # an .ods calamine cannot open: an .xlsx saved again is the way out
            return issue(Code.EXCEL_FORMAT, source, found=".ods")
        return issue(Code.UNREADABLE, source, reason=f"not an Excel workbook ({type(exc).__name__}: {exc})"[:300])


def _parsed(book, sheet: str):
    """The rows of a sheet, or the exception that stopped calamine."""
    try:
        return _rows(book, sheet)
    except OPENED as exc:
        return exc


def _meta_and_marks(source: str, book: formats.Book):
    """(the hidden metadata, the answer cells' marks: formulas and locked cells), each an exception where it
    failed: the helper thread's share of reading a workbook, with a calamine workbook of its own."""
    try:
        meta = {str(r[0]): str(r[1]) for r in _rows(formats.calamine(source, book), META) if len(r) > 1 and r[0]}
    except OPENED as exc:
        return exc, None
    try:
        return meta, _marks(source, book, meta.get("questionnaire", QUESTIONNAIRE))
    except OPENED as exc:
        return meta, exc


def _read_sheet(rows: list, marks: Tuple[Dict[int, str], Set[int]], sheet: str, meta: dict, forms, source: str,
                lists: Tuple[str, bool]):
    """The return on the answers sheet, checked against the form version named in the metadata."""
    form, problems = pick_form(forms, meta.get("form_id", ""), meta.get("form_version", ""), source, sheet)
    if form is None:
        yield from problems
        return
    found: List[Issue] = []
    if not lists[1]:
        found.append(issue(Code.EXCEL_LISTS_MISSING, source, lists[0], sheet=lists[0]))
    if meta.get("spec_hash") and form.spec_hash and meta["spec_hash"] != form.spec_hash:
        found.append(issue(Code.EXCEL_SPEC_CHANGED, source, f"{META}!B4", found=meta["spec_hash"][:12],
                           expected=form.spec_hash[:12]))
    rows, placed = place(rows, form, meta, sheet, source)
    found += placed
    raw, cells = _answers(form, rows, sheet, marks[0], meta.get("language", ""), source, found)
    found += _locked(form, rows, marks[1], sheet, source)
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
    with formats.panics():
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
            found.append(issue(Code.EXCEL_FORMULA, source, _cell(sheet, n), formula="=" + (formulas[n] or "…"),
                               question=qid))
            continue
        if q.kind != SELECT_MULTIPLE:
            cells[qid] = n
            if value not in (None, ""):
                raw[qid] = typed_answer(q, value)
            continue
        cells.setdefault(qid, n)
        mark = normalise(unmarked(str(value))) if value not in (None, "") else ""
        if mark in yes:
            chosen.setdefault(qid, []).append(option)
        elif mark and mark not in no:
            found.append(issue(Code.EXCEL_BAD_ANSWER, source, _cell(sheet, n), value=value, question=qid,
                               allowed=f"{word(language, 'yes')} or blank"))
    for qid, codes in chosen.items():
        raw[qid] = tuple(codes)
    return raw, cells


def typed_answer(q, value):
    """An answer cell's value as the reader passes it on to be checked: a choice typed without the bidi marks
    (texts.MARKS) typed around it, as the workbook's own lookup takes it."""
    return unmarked(value) if q.choices and isinstance(value, str) else value


def _locked(form: Form, rows: list, locked: Set[int], sheet: str, source: str) -> List[Issue]:
    """A warning naming the answer cells that are locked: pasted over from another sheet, which brings that
    sheet's locked style, so the respondent could no longer change them."""
    i_id, i_option = COL[ID], COL[OPTION]
    cells = []
    for n in sorted(locked):
        row = rows[n - 1] if 0 < n <= len(rows) else ()
        q = form.question(str(row[i_id]).strip()) if len(row) > i_id and row[i_id] not in (None, "") else None
        option = len(row) > i_option and row[i_option] not in (None, "")
        if q is not None and (q.kind != SELECT_MULTIPLE or option):  # a multi-select's heading row has no answer
            cells.append(f"{ANSWER}{n}")
    if not cells:
        return []
    listed = ", ".join(cells[:20]) + (" ..." if len(cells) > 20 else "")
    return [issue(Code.EXCEL_LOCKED_ANSWER, source, f"{sheet}!{cells[0]}", sheet=sheet, count=len(cells),
                  cells=listed)]


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


def _marks(source: str, book: formats.Book, sheet: str) -> Tuple[Dict[int, str], Set[int]]:
    """(rows whose answer cell holds a formula, with its text where the format keeps one; rows whose answer
    cell is locked, in an .xlsx or .ods)."""
    if book.kind == "xls":
        return book.sheets[sheet].formulas if sheet in book.sheets else {}, set()
    if book.kind == "ods":
        return ods.marks(source, sheet)
    with zipfile.ZipFile(source) as zf:
        xml = zf.read(ooxml.sheet_part(zf, sheet))
        locked = ooxml.locked_styles(zf)
    return ooxml.formulas_in(xml), {row for row, style in ooxml.answer_styles(xml).items() if style in locked}
