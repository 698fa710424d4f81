"""scores.xlsx: summary, returns, countries (with a native chart), agencies, perception gaps, issues.

The Returns sheet holds the data as scores.csv does (codes, full-precision numbers; row 1 the column
ids, row 2 their labels); the other sheets are for reading, in labels. Scores show one decimal through
number formats only. Every text is a string cell, never a formula (neutral.text_cell)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Optional

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ..model import Report
from . import rows
from .labels import Labels
from .neutral import text_cell

SCORE, FRACTION = "0.0", "0%"
BOLD = Font(bold=True)
FLAG = PatternFill("solid", fgColor="F4B6B6")


def put(ws, value: Any, fmt: Optional[str] = None, bold: bool = False, fill=None):
    """One cell: text as a string cell (never a formula), numbers with their display format."""
    if fmt is None and not bold and fill is None and not isinstance(value, str):
        return value  # a plain number or an empty cell needs no cell object (write-only mode is fast with these)
    cell = WriteOnlyCell(ws)
    if isinstance(value, str):
        if value:  # '' is no value: leave the cell empty
            text_cell(cell, value)
    elif value is not None:
        cell.value = value
        if fmt and not isinstance(value, bool):
            cell.number_format = fmt
    if bold:
        cell.font = BOLD
    if fill is not None:
        cell.fill = fill
    return cell


def put_row(ws, values: Iterable[Any], fmts: Iterable[Optional[str]] = (), bold: bool = False, fill=None):
    """The next row, from column 1; fmts gives each cell's number format."""
    fmts = list(fmts)
    ws.append([put(ws, value, fmts[n] if n < len(fmts) else None, bold, fill) for n, value in enumerate(values)])


def _summary(ws, report: Report, L: Labels):
    form = report.form
    ws.column_dimensions["A"].width = 24
    put_row(ws, [L.text(form.title)], bold=True)
    put_row(ws, [L["form"], form.id])
    put_row(ws, [L["version"], form.version])
    put_row(ws, [L["generated"], report.generated])
    put_row(ws, [])
    keys = ("read", "accepted", "rejected", "duplicates")
    put_row(ws, [L["channel"], *(L[k] for k in keys)], bold=True)
    for channel, counts in report.counts.items():
        put_row(ws, [channel, *(int(counts.get(k, 0)) for k in keys)])
    totals = rows.totals(report)
    put_row(ws, [L["total"], *(totals[k] for k in keys)], bold=True)


def _returns(ws, report: Report, L: Labels, personal: bool):
    names = rows.columns(report.form, personal)
    fmts = [FRACTION if n.endswith(".completeness") else SCORE if n.endswith(".score") or n == "index" else None
            for n in names]
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(names))}{max(2, len(report.returns) + 2)}"
    put_row(ws, names)
    put_row(ws, [L.column(n, personal) for n in names], bold=True)
    for scored in report.returns:
        got = rows.flat(report.form, rows.return_row(report, scored, personal), personal)
        put_row(ws, [got[n] for n in names], fmts)


def _group_rows(ws, start: int, groups, L: Labels, sections, with_agency: bool):
    """Rows of group means: country (code and name), [agency], returns, sections, index, levels; the next row."""
    row = start
    for country, g, total in groups:
        agency = [L.agency(g.agency, total)] if with_agency else []
        values = [country, L.country(country), *agency, g.returns, *(g.sections.get(s.id) for s in sections),
                  g.index, L.level(g.level), L.level(g.perceived_mode)]
        lead = 3 + len(agency)
        put_row(ws, values, [None] * lead + [SCORE] * (len(sections) + 1))
        row += 1
    return row


def _countries(ws, report: Report, L: Labels):
    sections = report.form.scored_sections
    ws.column_dimensions["B"].width = 22
    put_row(ws, [L["code"], L["country"], L["returns"], *(L.section(s.id) for s in sections), L["index"],
                 L["measured_level"], L["perceived_level"]], bold=True)
    end = _group_rows(ws, 2, [(c.country, c.total, True) for c in report.countries], L, sections, False)
    if report.countries:
        chart = BarChart()
        chart.type, chart.title, chart.height, chart.width = "col", L["chart_title"], 9, 22
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
        chart.x_axis.delete = chart.y_axis.delete = False
        chart.add_data(Reference(ws, min_col=4, max_col=3 + len(sections), min_row=1, max_row=end - 1),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=end - 1))
        ws.add_chart(chart, f"B{end + 2}")


def _agencies(ws, report: Report, L: Labels):
    sections = report.form.scored_sections
    ws.column_dimensions["B"].width = ws.column_dimensions["C"].width = 22
    put_row(ws, [L["code"], L["country"], L["agency"], L["returns"], *(L.section(s.id) for s in sections),
                 L["index"], L["measured_level"], L["perceived_level"]], bold=True)
    groups = [(c.country, g, g is c.total) for c in report.countries for g in (c.total, *c.agencies)]
    _group_rows(ws, 2, groups, L, sections, True)


def _gaps(ws, report: Report, L: Labels):
    form = report.form
    ws.column_dimensions["B"].width = ws.column_dimensions["C"].width = 28
    if len(form.gap_groups) != 2:
        put_row(ws, [L["no_gaps"]])
        return
    first, second = (L.agency(code) for code in form.gap_groups)
    put_row(ws, [L["gap_note"].format(first=first, second=second, flag=f"{form.gap_flag:g}")])
    put_row(ws, [L["code"], L["country"], L["section"], first, second, L["gap"], L["flagged"]], bold=True)
    for c in report.countries:
        for g in c.gaps:
            put_row(ws, [c.country, L.country(c.country), L.section(g.section), g.first, g.second, g.gap,
                         L["yes"] if g.flagged else ""], [None, None, None, SCORE, SCORE, SCORE],
                    fill=FLAG if g.flagged else None)


def _issues(ws, report: Report, L: Labels):
    ws.column_dimensions["C"].width, ws.column_dimensions["E"].width = 30, 80
    put_row(ws, [L["severity"], L["code"], L["source"], L["location"], L["message"]], bold=True)
    for i in report.issues:
        put_row(ws, [L[i.severity] if i.severity in ("error", "warning") else i.severity, i.code, i.source,
                     i.location, i.message])


def write(report: Report, path, *, personal: bool = False, language: Optional[str] = None) -> Path:
    """Write scores.xlsx, labelled in language (default: the form's default language)."""
    L = Labels(report.form, language)
    wb = Workbook(write_only=True)  # rows stream out to the file instead of piling up in memory
    sheets = [("summary", _summary), ("returns", _returns), ("countries", _countries),
              ("agencies", _agencies), ("gaps", _gaps), ("issues", _issues)]
    for key, fill in sheets:
        ws = wb.create_sheet(L[key][:31])
        fill(ws, report, L, personal) if key == "returns" else fill(ws, report, L)
    path = Path(path)
    wb.save(path)
    return path
