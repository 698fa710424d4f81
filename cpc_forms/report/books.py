"""The workbook of scores.xlsx as XlsxWriter writes it: its eight sheets in order, the summary (with the run's round)
and the figures' sheets (the Action plan: plan.py; countries with a native chart, agencies, each figure's sections
with their "don't know" bounds and rates, gaps) filled, and the Returns and Issues sheets set up with their header
rows; their data rows are the writer's to add, cell by cell or streamed (xlsx.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, List, Optional, Sequence

from ..aggregate import MIN_GAP_RETURNS, Country, Group, perceived_order
from ..model import Issue
from . import plan, rows, sheet
from .labels import Labels
from .neutral import is_risky

SCORE, FRACTION = "0.0", "0%"
FLAG = "#F4B6B6"
KEYS = ("summary", "action_plan", "returns", "countries", "agencies", "section_figures", "gaps", "issues")
# (number format, bold, fill, quote prefix) of the formats the streamed sheets use, made first in every workbook:
# XlsxWriter numbers formats in the order they are first used, so each has the index 1 + its place here
STYLES = ((None, False, None, True), (SCORE, False, None, False), (FRACTION, False, None, False),
          (None, True, None, False), (None, True, None, True))


def style_index(fmt: Optional[str] = None, bold: bool = False, quoted: bool = False) -> int:
    """The index a streamed cell gives to one of STYLES."""
    return 1 + STYLES.index((fmt, bold, None, quoted))


def returns_setup(columns: int, rows: int, rtl: bool = False):
    """How the Returns sheet is set up: its two header rows frozen, a filter over the rows shown (right to left in
    a right-to-left language, as every sheet then)."""
    def setup(ws) -> None:
        ws.freeze_panes(2, 0)
        ws.autofilter(1, 0, max(1, rows + 1), columns - 1)
        if rtl:
            ws.right_to_left()
    return setup


def issues_setup(rtl: bool = False):
    """How the Issues sheet is set up: wide source and message columns."""
    def setup(ws) -> None:
        ws.set_column(2, 2, 30)
        ws.set_column(4, 4, 80)
        if rtl:
            ws.right_to_left()
    return setup


def formats_of(names: Iterable[str]) -> List[Optional[str]]:
    """The number format of each flat column (None: none)."""
    kinds = {rows.SCORE: SCORE, rows.FRACTION: FRACTION}
    return [kinds.get(rows.kind_of(n) or "") for n in names]


ISSUE_HEADER = ("severity", "code", "source", "location", "message")


def issue_values(i: Issue, L: Labels) -> List[str]:
    """The cells of one issue's row."""
    return [L[i.severity] if i.severity in ("error", "warning") else i.severity, i.code, i.source, i.location,
            i.message]


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


class Book:
    """The workbook, its sheets made and the summary filled; figures() fills the figures' sheets."""

    def __init__(self, path: Path, run, L: Labels, personal: bool):
        import xlsxwriter
        self.path, self.form, self.L = Path(path), run.form, L
        # constant_memory: rows stream out to the file instead of piling up in memory
        self.book = xlsxwriter.Workbook(str(self.path), {"constant_memory": True})
        formats: dict = {}
        self.sheets = {k: Sheet(self.book, self.book.add_worksheet(L[k][:31]), formats) for k in KEYS}
        for k in KEYS if sheet.right_to_left(L.lang) else ():
            self.sheets[k].ws.right_to_left()
        for n, key in enumerate(STYLES, 1):
            if self.sheets["returns"].style(*key)._get_xf_index() != n:
                raise RuntimeError(f"XlsxWriter numbered format {key} otherwise than {n}")
        self.returns, self.issues = self.sheets["returns"], self.sheets["issues"]
        self.names = rows.columns(self.form, personal)
        self.shown = min(run.accepted, sheet.MAX_ROWS - 3)  # the last row says how many more there are
        returns_setup(len(self.names), self.shown)(self.returns.ws)
        issues_setup()(self.issues.ws)
        self.returns.put_row(self.names)
        self.returns.put_row([L.column(n, personal) for n in self.names], bold=True)
        self.issues.put_row([L[k] for k in ISSUE_HEADER], bold=True)
        _summary(self.sheets["summary"], run, L)

    def figures(self, countries: Sequence[Country]) -> None:
        """The action plan, countries, agencies, section figures and gaps sheets."""
        plan.write(self.sheets["action_plan"], countries, self.L)
        _countries(self.sheets["countries"], countries, self.L)
        _agencies(self.sheets["agencies"], countries, self.L)
        _sections(self.sheets["section_figures"], countries, self.L)
        _gaps(self.sheets["gaps"], countries, self.L)

    def close(self) -> Path:
        """Write the workbook."""
        self.book.close()
        return self.path


def _summary(ws: Sheet, run, L: Labels) -> None:
    form = run.form
    ws.ws.set_column(0, 0, 24)
    ws.put_row([L.text(form.title)], bold=True)
    ws.put_row([L["form"], form.id])
    ws.put_row([L["version"], form.version])
    ws.put_row([L["generated"], run.generated])
    ws.put_row([L["round"], run.round])
    ws.put_row([])
    keys = ("read", "accepted", "rejected", "duplicates")
    ws.put_row([L["channel"], *(L[k] for k in keys)], bold=True)
    for channel, counts in run.counts.items():
        ws.put_row([channel, *(int(counts.get(k, 0)) for k in keys)])
    totals = rows.totals(run.counts)
    ws.put_row([L["total"], *(totals[k] for k in keys)], bold=True)


def _figure(g: Group, sections) -> List[Any]:
    return [g.returns, *(g.sections.get(s.id) for s in sections), g.index]


def _gate(g: Group, L: Labels) -> List[Any]:
    """A figure's level band, the level that held it back and the share of its returns with that level's key
    elements."""
    held = g.key_elements.get(g.held_by) if g.held_by else None
    return [L.level(g.band_level), L.level(g.held_by) if g.held_by else "", held]


def _countries(ws: Sheet, countries: Sequence[Country], L: Labels) -> None:
    sections = L.form.scored_sections
    ws.ws.set_column(1, 1, 22)
    ws.ws.set_column(len(sections) + 4, len(sections) + 9, 18)  # the levels, what held one back, how, from what
    ws.put_row([L["code"], L["country"], L["returns"], *(L.section(s.id) for s in sections), L["index"],
                L["measured_level"], L["band_level"], L["held_by"], L["held_share"], L["perceived_median"],
                L["method"], L["basis"]], bold=True)
    for c in countries:
        n = c.national
        ws.put_row([c.country, L.country(c.country), *_figure(n, sections), L.level(n.level), *_gate(n, L),
                    L.level(n.perceived_median), L[f"method_{c.method}"], ", ".join(L.agency(a) for a in c.basis)],
                   [None] * 3 + [SCORE] * (len(sections) + 1) + [None] * 3 + [FRACTION])
    if countries:
        ws.ws.insert_chart(len(countries) + 3, 1, _chart(ws, L, len(sections), len(countries) + 1))


def _chart(ws: Sheet, L: Labels, sections: int, last: int):
    """A native column chart of each country's section scores (rows 2 to last, sections from column D)."""
    from xlsxwriter.utility import xl_col_to_name
    chart = ws.book.add_chart({"type": "column"})
    name = "'" + ws.ws.get_name().replace("'", "''") + "'"
    for n in range(sections):
        col = xl_col_to_name(3 + n)
        chart.add_series({"name": f"={name}!${col}$1", "categories": f"={name}!$B$2:$B${last}",
                          "values": f"={name}!${col}$2:${col}${last}"})
    chart.set_title({"name": L["chart_title"]})
    chart.set_y_axis({"min": 0, "max": 100})
    chart.set_size({"width": 830, "height": 340})  # about 22 cm by 9 cm
    return chart


def _agencies(ws: Sheet, countries: Sequence[Country], L: Labels) -> None:
    sections, order = L.form.scored_sections, perceived_order(L.form)
    ws.ws.set_column(1, 2, 22)
    ws.ws.set_column(len(sections) + 5, len(sections) + 9, 18)  # the levels and what held one back
    ws.put_row([L["code"], L["country"], L["agency"], L["returns"], *(L.section(s.id) for s in sections),
                L["index"], L["measured_level"], L["band_level"], L["held_by"], L["held_share"],
                L["perceived_median"], *(L.level(code) for code in order), L["in_national"]], bold=True)
    fmts = [None] * 4 + [SCORE] * (len(sections) + 1) + [None] * 3 + [FRACTION]
    for c in countries:
        for g in _groups(c, L):
            national = g is c.national
            counts = [g.perceived.get(code, 0) for code in order]
            where = "" if national else L["yes"] if g.agency in c.basis else L["apart"]
            ws.put_row([c.country, L.country(c.country), L["national"] if national else L.agency(g.agency),
                        *_figure(g, sections), L.level(g.level), *_gate(g, L), L.level(g.perceived_median), *counts,
                        where], fmts, bold=national)


def _groups(c: Country, L: Labels) -> List[Group]:
    """A country's national figure, then each agency's (when the form has agencies)."""
    return [c.national, *c.agencies] if L.form.role("agency") else [c.national]


def _heading(text: str) -> str:
    """A column's words as a heading: its first letter capitalised."""
    first = next((n for n, ch in enumerate(text) if ch.isalpha()), 0)
    return text[:first] + text[first:first + 1].upper() + text[first + 1:]


def _sections(ws: Sheet, countries: Sequence[Country], L: Labels) -> None:
    """Per country, figure and section: the score with its "don't know" bounds and rate, one row each."""
    ws.ws.set_column(1, 2, 22)
    ws.ws.set_column(3, 3, 34)
    ws.ws.set_column(4, 8, 14)
    ws.put_row([L["code"], L["country"], L["figure"], L["section"], L["returns_scored"],
                *(_heading(L[k]) for k in ("score", "low", "high", "dont_know_rate"))], bold=True)
    fmts = [None] * 5 + [SCORE] * 3 + [FRACTION]
    for c in countries:
        for g in _groups(c, L):
            national = g is c.national
            for s in L.form.scored_sections:
                ws.put_row([c.country, L.country(c.country), L["national"] if national else L.agency(g.agency),
                            L.section(s.id), g.scored.get(s.id, 0), g.sections.get(s.id), g.low.get(s.id),
                            g.high.get(s.id), g.dont_know_rate.get(s.id)], fmts, bold=national)


def _gaps(ws: Sheet, countries: Sequence[Country], L: Labels) -> None:
    form = L.form
    ws.ws.set_column(1, 2, 28)
    if len(form.gap_groups) != 2:
        ws.put_row([L["no_gaps"]])
        return
    first, second = (L.agency(code) for code in form.gap_groups)
    ws.put_row([L["gap_note"].format(first=first, second=second, flag=f"{form.gap_flag:g}") + " "
                + L["gap_rule"].format(n=MIN_GAP_RETURNS)])
    ws.put_row([L["code"], L["country"], L["section"], first, second, L["gap"], L["flagged"], "",
                L["first_returns"].format(first=first), L["second_returns"].format(second=second)], bold=True)
    for c in countries:
        for g in c.gaps:
            ws.put_row([c.country, L.country(c.country), L.section(g.section), g.first, g.second, g.gap,
                        L["yes"] if g.flagged else "", L[f"reason_{g.reason}"] if g.reason else "",
                        g.first_returns, g.second_returns], [None, None, None, SCORE, SCORE, SCORE],
                       fill=FLAG if g.flagged else None)
