"""scores.xlsx: data equal to the Report, no formula anywhere, flagged gaps filled, a native chart, labels."""
from __future__ import annotations

import dataclasses
import json
import zipfile

import pytest
from defusedxml import ElementTree
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cpc_forms.report import rows, write_all, write_each
from cpc_forms.report.books import KEYS
from cpc_forms.report.labels import STRINGS
from cpc_forms.report.neutral import is_risky
from cpc_forms.report.run import Run
from cpc_forms.spec import load_form

from conftest import DEFAULT_SPEC
from report_sample import countries, sample_report

C = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
WORDS = json.loads(STRINGS.read_text(encoding="utf-8"))


def _x(value):
    """A number as xlsx keeps it: openpyxl writes 16 significant digits (Excel itself shows 15)."""
    return float("%.16g" % value) if isinstance(value, float) else value


def _ref(text):
    """A chart's cell reference without $ signs, a one-cell range as one cell."""
    sheet, _, cells = text.replace("$", "").partition("!")
    first, _, last = cells.partition(":")
    return f"{sheet}!{first}" + (f":{last}" if last and last != first else "")


def _book(report, tmp_path, **options):
    (path,) = write_all(report, tmp_path, ("xlsx",), **options)
    return path, load_workbook(path)


def _sheet(wb, key, language="en"):
    return wb[WORDS[language][key][:31]]


def test_returns_sheet_agrees_with_report(any_form, tmp_path):
    report = sample_report(any_form)
    _, wb = _book(report, tmp_path)
    ws = _sheet(wb, "returns")
    dump = [[c.value for c in r] for r in ws.iter_rows()]
    names = rows.columns(any_form)
    assert dump[0] == names
    assert len(dump) == 2 + len(report.returns)
    for got, scored in zip(dump[2:], report.returns, strict=True):
        expected = rows.flat(any_form, rows.return_row(report, scored))
        expected = {n: None if v == "" else _x(v) for n, v in expected.items()}
        # XML reads a bare CR as LF; the text is otherwise exact
        expected = {n: v.replace("\r", "\n") if isinstance(v, str) else v for n, v in expected.items()}
        assert dict(zip(names, got, strict=True)) == expected


def test_no_formula_and_risky_texts_marked(any_form, tmp_path):
    _, wb = _book(sample_report(any_form), tmp_path)
    cells = [c for ws in wb for r in ws.iter_rows() for c in r if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    risky = [c for c in cells if isinstance(c.value, str) and is_risky(c.value)]
    assert risky, "the sample plants formula-like answers"
    assert all(c.quotePrefix for c in risky)


def test_flagged_gaps_are_filled(form, tmp_path):
    report = sample_report(form)
    _, wb = _book(report, tmp_path)
    ws = _sheet(wb, "gaps")
    table = list(ws.iter_rows(min_row=3))
    gaps = [g for c in countries(report) for g in c.gaps]
    expected = [g.flagged for g in gaps]
    assert any(expected) and not all(expected)
    assert [r[6].value == "yes" for r in table] == expected
    assert [r[0].fill.fgColor.rgb.endswith("F4B6B6") for r in table] == expected
    assert [r[5].value for r in table] == [_x(g.gap) for g in gaps]
    assert [r[7].value for r in table] == [WORDS["en"][f"reason_{g.reason}"] if g.reason else None for g in gaps]
    assert [(r[8].value, r[9].value) for r in table] == [(g.first_returns, g.second_returns) for g in gaps]


def test_native_bar_chart_of_sections_per_country(any_form, tmp_path):
    report = sample_report(any_form)
    path, _ = _book(report, tmp_path)
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        root = ElementTree.fromstring(z.read(charts[0]))
    series = root.findall(".//c:barChart/c:ser", C)
    assert len(series) == len(any_form.scored_sections)
    sheet = WORDS["en"]["countries"]
    n = len(countries(report))
    assert _ref(root.find(".//c:barChart/c:ser/c:cat//c:f", C).text) == _ref(f"'{sheet}'!B2:B{n + 1}")
    columns = [get_column_letter(4 + i) for i in range(len(series))]
    assert [_ref(s.find("c:val//c:f", C).text) for s in series] == [_ref(f"'{sheet}'!{c}2:{c}{n + 1}") for c in columns]
    assert [_ref(s.find("c:tx//c:f", C).text) for s in series] == [f"'{sheet}'!{c}1" for c in columns]


def test_countries_and_agencies_sheets_agree_with_report(any_form, tmp_path):
    report = sample_report(any_form)
    _, wb = _book(report, tmp_path)
    k = len(any_form.scored_sections)
    figures = countries(report)
    shown = [[c.value for c in r] for r in _sheet(wb, "countries").iter_rows(min_row=2)]
    assert [(r[0] or "", r[2], r[3:3 + k], r[3 + k]) for r in shown] == \
        [(c.country, c.national.returns, [_x(c.national.sections[s.id]) for s in any_form.scored_sections],
          _x(c.national.index))
         for c in figures]
    agencies = [[c.value for c in r] for r in _sheet(wb, "agencies").iter_rows(min_row=2)]
    per_country = [[c.national, *c.agencies] if any_form.role("agency") else [c.national] for c in figures]
    assert [(r[0] or "", r[3], r[4 + k]) for r in agencies] == \
        [(c.country, g.returns, _x(g.index)) for c, groups in zip(figures, per_country, strict=True) for g in groups]


@pytest.mark.parametrize("language", load_form(DEFAULT_SPEC).languages)
def test_labels_in_language(form, tmp_path, language):
    _, wb = _book(sample_report(form), tmp_path, language=language)
    assert wb.sheetnames == [WORDS[language][k][:31] for k in
                             ("summary", "action_plan", "returns", "countries", "agencies", "section_figures", "gaps",
                              "issues")]
    labels = [c.value for c in _sheet(wb, "returns", language)[2]]
    section = form.scored_sections[0]
    assert f"{section.label[language]}: {WORDS[language]['score']}" in labels


@pytest.mark.parametrize("personal", [False, True], ids=["left-out", "included"])
def test_personal_columns_only_on_request(form, tmp_path, personal):
    _, wb = _book(sample_report(form), tmp_path, personal=personal)
    header = {c.value for c in _sheet(wb, "returns")[1]}
    assert bool({q.id for q in form.questions if q.personal} & header) is personal


@pytest.mark.parametrize("round_name", ["2026", ""], ids=["named", "none"])
def test_summary_names_the_round(form, tmp_path, round_name):
    run = dataclasses.replace(Run.of(sample_report(form, n=4)), round=round_name)
    (path,) = write_each(run, [("xlsx", tmp_path / "scores.xlsx")])
    rows = [[c.value for c in r][:2] for r in _sheet(load_workbook(path), "summary").iter_rows(max_row=6)]
    assert rows[3:5] == [[WORDS["en"]["generated"], run.generated], [WORDS["en"]["round"], round_name or None]]


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_every_sheet_runs_right_to_left_in_arabic(form, tmp_path, language):
    path, wb = _book(sample_report(form, n=4), tmp_path, language=language)
    assert [bool(ws.sheet_view.rightToLeft) for ws in wb] == [language == "ar"] * len(KEYS)
    with zipfile.ZipFile(path) as z:  # the streamed sheets' own XML, not only what openpyxl makes of it
        views = [z.read(f"xl/worksheets/sheet{KEYS.index(k) + 1}.xml").decode() for k in ("returns", "issues")]
    assert all(('rightToLeft="1"' in v) is (language == "ar") for v in views)
