"""Plain reference writers: a Python call per cell over a Report in memory, the obvious way. The streaming writers
must give the same files: byte for byte for csv, json and jsonl, cell for cell for xlsx."""
from __future__ import annotations

import csv
import io
import json

from cpc_forms.aggregate import figures
from cpc_forms.report import json as report_json
from cpc_forms.report import rows
from cpc_forms.report.books import Book, formats_of, issue_values
from cpc_forms.report.cells import csv_text
from cpc_forms.report.labels import Labels
from cpc_forms.report.run import Run


def csv_bytes(report, personal=False) -> bytes:
    """scores.csv, one csv.writer row per return."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = rows.columns(report.form, personal)
    writer.writerow(header)
    for scored in report.returns:
        row = rows.flat(report.form, rows.return_row(report, scored, personal), personal)
        writer.writerow([csv_text(row.get(c)) for c in header])
    return out.getvalue().encode("utf-8-sig")


def _one_a_line(items) -> str:
    if not items:
        return "[]"
    return "[\n  " + ",\n  ".join(json.dumps(i, ensure_ascii=False, allow_nan=False) for i in items) + "\n ]"


def json_bytes(report, personal=False) -> bytes:
    """scores.json: json.dumps of the whole document, indented, each return and issue one line."""
    doc = report_json.document(report, personal=personal)
    marks = {k: f"\0{k}\0" for k in report_json.LISTS}
    text = json.dumps({**doc, **marks}, ensure_ascii=False, indent=1, allow_nan=False)
    for key, mark in marks.items():
        text = text.replace(json.dumps(mark), _one_a_line(doc[key]))
    return (text + "\n").encode("utf-8")


def jsonl_bytes(report, personal=False) -> bytes:
    """scores.jsonl: json.dumps of each return, a line each."""
    doc = report_json.document(report, personal=personal)
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in doc["returns"]).encode("utf-8")


def xlsx_file(report, path, personal=False, language=None):
    """scores.xlsx with XlsxWriter, a write_string or write_number per cell."""
    form = report.form
    L = Labels(form, language)
    book = Book(path, Run.of(report), L, personal)
    fmts = formats_of(book.names)
    for scored in report.returns:
        row = rows.flat(form, rows.return_row(report, scored, personal), personal)
        book.returns.put_row([row[n] for n in book.names], fmts)
    book.figures(figures(form, [(s.response, s.score) for s in report.returns]))
    for i in report.issues:
        book.issues.put_row(issue_values(i, L))
    return book.close()


def xlsx_cells(path):
    """Every sheet's cells as openpyxl reads them: value, number format, bold, fill, quote prefix."""
    from openpyxl import load_workbook
    book = load_workbook(path)
    return {ws.title: [[(c.value, c.number_format, c.font.b, c.fill.fgColor.rgb if c.fill.fill_type else None,
                         c.quotePrefix) for c in row] for row in ws.iter_rows()] for ws in book}
