"""scores.xlsx: summary, returns, countries (with a native chart), agencies, perception gaps, issues.

Written with XlsxWriter, which streams rows out (twice as fast as openpyxl's write-only mode here).

The Returns sheet holds the data as scores.csv does (codes, full-precision numbers; row 1 the column
ids, row 2 their labels); the other sheets are for reading, in labels. Scores show one decimal through
number formats only. Every text is a string cell, never a formula; one that a spreadsheet could take for a
formula is also quote-prefixed, as if typed after an apostrophe."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, List, Optional, Tuple

from ..model import Report
from . import rows
from .labels import Labels
from .neutral import is_risky

SCORE, FRACTION = "0.0", "0%"
FLAG = "#F4B6B6"


class Sheet:
    """One worksheet filled row by row (XlsxWriter streams each row out as the next one starts)."""

    def __init__(self, book, ws, formats: dict):
        """formats: the workbook's formats made so far, shared by its sheets."""
        self.book, self.ws, self.row, self.formats = book, ws, 0, formats

    def style(self, fmt: Optional[str] = None, bold: bool = False, fill: Optional[str] = None,
              quoted: bool = False):
        """The workbook format of one combination of number format, bold, fill and quote prefix (None: plain)."""
        key = (fmt, bold, fill, quoted)
        if key not in self.formats:
            props = {"num_format": fmt, "bold": bold, "bg_color": fill, "pattern": 1 if fill else 0,
                     "quote_prefix": quoted}
            self.formats[key] = self.book.add_format({k: v for k, v in props.items() if v}) if any(key) else None
        return self.formats[key]

    def put(self, col: int, value: Any, fmt: Optional[str] = None, bold: bool = False, fill=None) -> None:
        """One cell: text as a string cell (never a formula, a risky one quote-prefixed as if typed with an
        apostrophe), numbers with their display format; '' and None leave the cell empty."""
        if isinstance(value, str) and value:
            quoted = is_risky(value)
            if "\r" in value:  # a bare CR reads back as a line break anyway; XlsxWriter would escape it
                value = value.replace("\r\n", "\n").replace("\r", "\n")
            self.ws.write_string(self.row, col, value, self.style(None, bold, fill, quoted))
        elif isinstance(value, bool):
            self.ws.write_boolean(self.row, col, value, self.style(None, bold, fill))
        elif isinstance(value, (int, float)):
            self.ws.write_number(self.row, col, value, self.style(fmt, bold, fill))
        elif bold or fill:
            self.ws.write_blank(self.row, col, None, self.style(None, bold, fill))

    def put_row(self, values: Iterable[Any], fmts: Iterable[Optional[str]] = (), bold: bool = False,
                fill=None) -> None:
        """The next row, from column 1; fmts gives each cell's number format."""
        fmts = list(fmts)
        for n, value in enumerate(values):
            self.put(n, value, fmts[n] if n < len(fmts) else None, bold, fill)
        self.row += 1


def _summary(ws, report: Report, L: Labels):
    form = report.form
    ws.ws.set_column(0, 0, 24)
    ws.put_row([L.text(form.title)], bold=True)
    ws.put_row([L["form"], form.id])
    ws.put_row([L["version"], form.version])
    ws.put_row([L["generated"], report.generated])
    ws.put_row([])
    keys = ("read", "accepted", "rejected", "duplicates")
    ws.put_row([L["channel"], *(L[k] for k in keys)], bold=True)
    for channel, counts in report.counts.items():
        ws.put_row([channel, *(int(counts.get(k, 0)) for k in keys)])
    totals = rows.totals(report)
    ws.put_row([L["total"], *(totals[k] for k in keys)], bold=True)


def _returns(ws, report: Report, L: Labels, personal: bool):
    names = rows.columns(report.form, personal)
    fmts = [FRACTION if n.endswith(".completeness") else SCORE if n.endswith(".score") or n == "index" else None
            for n in names]
    ws.ws.freeze_panes(2, 0)
    ws.ws.autofilter(1, 0, max(1, len(report.returns) + 1), len(names) - 1)
    ws.put_row(names)
    ws.put_row([L.column(n, personal) for n in names], bold=True)
    for scored in report.returns:
        got = rows.flat(report.form, rows.return_row(report, scored, personal), personal)
        ws.put_row([got[n] for n in names], fmts)


def _group_rows(ws, start: int, groups, L: Labels, sections, with_agency: bool):
    """Rows of group means: country (code and name), [agency], returns, sections, index, levels; the next row."""
    row = start
    for country, g, total in groups:
        agency = [L.agency(g.agency, total)] if with_agency else []
        values = [country, L.country(country), *agency, g.returns, *(g.sections.get(s.id) for s in sections),
                  g.index, L.level(g.level), L.level(g.perceived_mode)]
        lead = 3 + len(agency)
        ws.put_row(values, [None] * lead + [SCORE] * (len(sections) + 1))
        row += 1
    return row


def _countries(ws, report: Report, L: Labels):
    sections = report.form.scored_sections
    ws.ws.set_column(1, 1, 22)
    ws.put_row([L["code"], L["country"], L["returns"], *(L.section(s.id) for s in sections), L["index"],
                 L["measured_level"], L["perceived_level"]], bold=True)
    end = _group_rows(ws, 2, [(c.country, c.total, True) for c in report.countries], L, sections, False)
    if report.countries:
        ws.ws.insert_chart(end + 1, 1, _chart(ws, L, len(sections), end - 1))  # at B(end + 2)


def _chart(ws: Sheet, L: Labels, sections: int, last: int):
    """A native column chart of each country's section scores (rows 2 to last, sections from column D)."""
    from xlsxwriter.utility import xl_col_to_name
    chart = ws.book.add_chart({"type": "column"})
    sheet = "'" + ws.ws.get_name().replace("'", "''") + "'"
    for n in range(sections):
        col = xl_col_to_name(3 + n)
        chart.add_series({"name": f"={sheet}!${col}$1", "categories": f"={sheet}!$B$2:$B${last}",
                          "values": f"={sheet}!${col}$2:${col}${last}"})
    chart.set_title({"name": L["chart_title"]})
    chart.set_y_axis({"min": 0, "max": 100})
    chart.set_size({"width": 830, "height": 340})  # about 22 cm by 9 cm
    return chart


def _agencies(ws, report: Report, L: Labels):
    sections = report.form.scored_sections
    ws.ws.set_column(1, 2, 22)
    ws.put_row([L["code"], L["country"], L["agency"], L["returns"], *(L.section(s.id) for s in sections),
                 L["index"], L["measured_level"], L["perceived_level"]], bold=True)
    groups = [(c.country, g, g is c.total) for c in report.countries for g in (c.total, *c.agencies)]
    _group_rows(ws, 2, groups, L, sections, True)


def _gaps(ws, report: Report, L: Labels):
    form = report.form
    ws.ws.set_column(1, 2, 28)
    if len(form.gap_groups) != 2:
        ws.put_row([L["no_gaps"]])
        return
    first, second = (L.agency(code) for code in form.gap_groups)
    ws.put_row([L["gap_note"].format(first=first, second=second, flag=f"{form.gap_flag:g}")])
    ws.put_row([L["code"], L["country"], L["section"], first, second, L["gap"], L["flagged"]], bold=True)
    for c in report.countries:
        for g in c.gaps:
            ws.put_row([c.country, L.country(c.country), L.section(g.section), g.first, g.second, g.gap,
                         L["yes"] if g.flagged else ""], [None, None, None, SCORE, SCORE, SCORE],
                    fill=FLAG if g.flagged else None)


def _issues(ws, report: Report, L: Labels):
    ws.ws.set_column(2, 2, 30)
    ws.ws.set_column(4, 4, 80)
    ws.put_row([L["severity"], L["code"], L["source"], L["location"], L["message"]], bold=True)
    for i in report.issues:
        ws.put_row([L[i.severity] if i.severity in ("error", "warning") else i.severity, i.code, i.source,
                     i.location, i.message])


def write(report: Report, path, *, personal: bool = False, language: Optional[str] = None) -> Path:
    """Write scores.xlsx, labelled in language (default: the form's default language)."""
    import xlsxwriter
    L, path = Labels(report.form, language), Path(path)
    # constant_memory: rows stream out to the file instead of piling up in memory
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheets: List[Tuple[str, Callable[..., None]]] = [
        ("summary", _summary), ("returns", _returns), ("countries", _countries), ("agencies", _agencies),
        ("gaps", _gaps), ("issues", _issues)]
    formats: dict = {}
    for key, fill in sheets:
        ws = Sheet(book, book.add_worksheet(L[key][:31]), formats)
        fill(ws, report, L, personal) if key == "returns" else fill(ws, report, L)
    book.close()
    return path
