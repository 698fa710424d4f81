"""A crafted answer cannot become a formula when LibreOffice opens scores.csv or scores.xlsx; the Action plan
keeps its rows, filter, status list and date cells there.

One soffice call converts both specs' files (and an unneutralised control CSV, which proves the check
can fail) to xlsx with recalculation forced; then every converted cell is inspected."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cpc_forms.report import plan, write_all
from cpc_forms.report.neutral import is_risky
from cpc_forms.spec import load_form

from conftest import DEFAULT_SPEC, EXAMPLE_SPEC
from libreoffice import convert
from report_sample import CRAFTED, RAW, sample_report
from test_report_plan import expected_rows, plan_report, validations, words

SPECS = {"default": DEFAULT_SPEC, "example": EXAMPLE_SPEC}
# every risky text the sample writes (XML and CSV readers may turn a bare CR into LF)
PLAN_LANGUAGES = ("en", "ar")
PLANTED = {t.replace("\r", "\n") for t in (*CRAFTED, *RAW.values(), "=raw<b>.json", "+other.json")}


@pytest.fixture(scope="module")
def converted(soffice, tmp_path_factory):
    """name -> (the report written, the workbook LibreOffice made of it), for csv and xlsx of both specs."""
    src, out = (tmp_path_factory.mktemp(n) for n in ("src", "out"))
    inputs, reports = [], {}
    for name, spec in SPECS.items():
        reports[name] = sample_report(load_form(spec))
        for path in write_all(reports[name], src / name, ("csv", "xlsx")):
            inputs.append(Path(shutil.copy(path, src / f"{name}-{path.suffix[1:]}{path.suffix}")))
    for language in PLAN_LANGUAGES:
        (path,) = write_all(plan_report(), src / f"plan-{language}", ("xlsx",), language=language)
        inputs.append(Path(shutil.copy(path, src / f"plan-{language}.xlsx")))
    control = src / "control.csv"
    with control.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["text"], *([t] for t in CRAFTED)])
    inputs.append(control)
    made = {p.stem: xlsx for p, xlsx in zip(inputs, convert(soffice, inputs, out), strict=True)}
    return reports, made


def _cells(path):
    return [c for ws in load_workbook(path) for row in ws.iter_rows() for c in row if c.value is not None]


def test_control_csv_does_become_formulas(converted):
    _, made = converted
    formulas = {c.value for c in _cells(made["control"]) if c.data_type == "f"}
    assert formulas >= {t for t in CRAFTED if t.startswith("=")}


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_crafted_answers_stay_text(converted, spec, fmt):
    _, made = converted
    cells = _cells(made[f"{spec}-{fmt}"])
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if isinstance(c.value, str)]
    shown = [t[1:] if fmt == "csv" and t.startswith("'") else t for t in texts]
    planted = {t.replace("\r", "\n") for t in shown if is_risky(t.lstrip("\n"))}
    assert planted <= PLANTED
    assert planted >= {t for t in CRAFTED if is_risky(t)}, "every crafted answer reads back as the very text written"


@pytest.mark.parametrize("language", PLAN_LANGUAGES)
def test_the_action_plan_opens_as_written(converted, language):
    _, made = converted
    ws = load_workbook(made[f"plan-{language}"])[words(language)["action_plan"][:31]]
    assert [[c.value for c in row] for row in ws.iter_rows(max_col=len(plan.COLUMNS))] == expected_rows(language)
    assert ws.auto_filter.ref == "A1:L4"
    status = '"' + ",".join(words(language)[k] for k in plan.STATUS) + '"'
    found = validations(ws)
    assert found["list"][:2] == ("L2:L4", status) and found["date"][0] == "K2:K4"
    # the empty deadline cells take their column's format (LibreOffice writes no blank cell)
    assert ws.column_dimensions["K"].number_format.replace("\\", "").lower() == "yyyy-mm-dd"
    assert ws.cell(2, 8).alignment.wrap_text and ws.column_dimensions["H"].width > 60
    assert bool(ws.sheet_view.rightToLeft) is (language == "ar")
    # (a conversion without a window keeps no view: no sheet's frozen panes, the Returns' neither, are written back)
